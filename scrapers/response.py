"""What one successful fetch gave (HTTP or file://)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int
    headers: Mapping[str, str]  # names lower-cased
    body: bytes
    not_modified: bool
    etag: str | None
    last_modified: str | None
    max_age_s: float | None
    fetched_at: datetime
