"""Small pure helpers for the HTTP client: bounded decompression and header parsing."""
from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

INFLATE_STEP = 256 * 1024  # decompressed bytes produced per zlib call, at most


class BodyTooLarge(Exception):
    """More bytes than the cap allows, counted after decompression."""


class UnknownEncoding(Exception):
    """A Content-Encoding we did not ask for and cannot undo."""


class _Counter:
    def __init__(self, limit: int):
        self.limit = limit
        self.total = 0

    def add(self, size: int) -> None:
        self.total += size
        if self.total > self.limit:
            raise BodyTooLarge(self.total)


class _Inflater:
    """gzip/deflate decoder that never produces more than INFLATE_STEP at once.

    zlib's `max_length` keeps a decompression bomb from expanding a 64 KB
    network chunk into hundreds of megabytes before we get to count it.
    """

    def __init__(self, encoding: str, counter: _Counter):
        self._gzip = encoding in ("gzip", "x-gzip")
        self._counter = counter
        self._zlib: zlib._Decompress | None = None  # chosen on the first bytes
        self._done = False

    def _start(self, data: bytes) -> zlib._Decompress:
        if self._gzip:
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # "deflate" is zlib-wrapped by the standard, raw by some servers.
        looks_zlib = len(data) >= 2 and (data[0] & 0x0F) == 8 and (data[0] << 8 | data[1]) % 31 == 0
        return zlib.decompressobj(zlib.MAX_WBITS if looks_zlib else -zlib.MAX_WBITS)

    def feed(self, data: bytes) -> bytes:
        out: list[bytes] = []
        while data and not self._done:
            if self._zlib is None:
                self._zlib = self._start(data)
            chunk = self._zlib.decompress(data, INFLATE_STEP)
            self._counter.add(len(chunk))
            out.append(chunk)
            data = self._zlib.unconsumed_tail
            if self._zlib.eof:
                data = self._next_member(self._zlib.unused_data + data)
        return b"".join(out)

    def _next_member(self, rest: bytes) -> bytes:
        # Concatenated gzip members are legal; anything else after the end is junk.
        if self._gzip and rest.startswith(b"\x1f\x8b"):
            self._zlib = None
            return rest
        self._done = True
        return b""


class BodyDecoder:
    """Undo Content-Encoding while counting decompressed bytes against `max_bytes`."""

    def __init__(self, content_encoding: str | None, max_bytes: int):
        self._counter = _Counter(max_bytes)
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        unknown = [c for c in codings if c not in ("gzip", "x-gzip", "deflate")]
        if unknown:
            raise UnknownEncoding(unknown[0])
        # Applied in the order listed, so undone in reverse. Each stage has its own
        # count, so a bomb in any layer is stopped; the last one is the body's size.
        self._stages = [_Inflater(c, _Counter(max_bytes)) for c in reversed(codings)]

    def feed(self, data: bytes) -> bytes:
        if not self._stages:
            self._counter.add(len(data))
            return data
        for stage in self._stages:
            data = stage.feed(data)
        return data


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def parse_max_age(headers: Mapping[str, str]) -> float | None:
    """Freshness lifetime in seconds from Cache-Control (or Expires minus Date)."""
    control = headers.get("cache-control", "")
    if re.search(r"\bno-(store|cache)\b", control, re.IGNORECASE):
        return 0.0
    match = _MAX_AGE.search(control)
    if match:
        return float(match.group(1))
    return _expires_minus_date(headers.get("expires"), headers.get("date"))


def _expires_minus_date(expires: str | None, date: str | None) -> float | None:
    if not expires or not date:
        return None
    try:
        seconds = (parsedate_to_datetime(expires) - parsedate_to_datetime(date)).total_seconds()
    except (TypeError, ValueError, IndexError):
        return 0.0 if expires.strip() in ("0", "-1") else None
    return max(seconds, 0.0)


def plain_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Lower-cased header names, as feedparser expects them."""
    return {name.lower(): value for name, value in headers.items()}
