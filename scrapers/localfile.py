"""file:// sources (the offline demo): the same Response as HTTP, with the same size cap."""
from __future__ import annotations

import mimetypes
import os
from datetime import UTC, datetime
from email.utils import formatdate
from urllib.parse import urlsplit
from urllib.request import url2pathname

from scrapers.response import Response
from scrapers.types import FetchError, Validators


def read_file_url(url: str, *, max_bytes: int, validators: Validators | None) -> Response:
    """Read a file:// URL; answer "not modified" when the file's validator is unchanged."""
    path = _local_path(url)
    try:
        stat = os.stat(path)
        if stat.st_size > max_bytes:
            raise FetchError(url, f"the file is {stat.st_size:,} bytes, over the "
                                  f"{max_bytes:,}-byte limit")
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        unchanged = validators is not None and validators.etag == etag
        body = b"" if unchanged else _read(path, max_bytes)
    except OSError as error:
        raise FetchError(url, f"the file could not be read: {error.strerror or error}") from error
    modified = formatdate(stat.st_mtime, usegmt=True)
    kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return Response(url=url, status=304 if unchanged else 200,
                    headers={"content-type": kind, "last-modified": modified, "etag": etag},
                    body=body, not_modified=unchanged, etag=etag, last_modified=modified,
                    max_age_s=None, fetched_at=datetime.now(UTC))


def _local_path(url: str) -> str:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise FetchError(url, "file:// addresses must point to this machine")
    return url2pathname(parts.path)


def _read(path: str, max_bytes: int) -> bytes:
    # Read one byte past the cap: the file may have grown since stat().
    with open(path, "rb") as handle:
        body = handle.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise OSError(f"the file grew past the {max_bytes:,}-byte limit")
    return body
