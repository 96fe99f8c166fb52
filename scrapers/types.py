"""Plain values shared by the scrapers and their caller (no I/O here)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

DateSource = Literal["feed", "page", "fetched"]
FetchStatus = Literal["new", "unchanged", "failed", "skipped"]


class ScrapeError(Exception):
    """Base of every error raised by `scrapers`; carries the URL and a plain reason."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class FetchError(ScrapeError):
    """The bytes could not be had: network, HTTP status, size cap, robots.txt, scheme."""


class ParseError(ScrapeError):
    """The bytes were fetched but hold no usable feed or listing."""


@dataclass(frozen=True)
class RawItem:
    """One news item as a source published it, before any tagging."""

    url: str
    title: str
    summary: str = ""
    text: str = ""
    published: datetime | None = None  # timezone-aware UTC
    date_source: DateSource = "feed"  # where `published` came from
    guid: str | None = None
    author: str = ""


@dataclass(frozen=True)
class SourceSpec:
    """One entry of the sources file, as the scrapers need it."""

    name: str
    url: str
    kind: Literal["rss", "html"] = "rss"
    enabled: bool = True
    allow_file: bool = False  # file:// URLs only where a source enables it
    min_interval_s: float = 0.0  # do not refetch sooner than this
    options: Mapping[str, object] = field(default_factory=dict)  # selectors, fetch_article, ...


@dataclass(frozen=True)
class Validators:
    """What the previous successful fetch of a source told us, sent back next time."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class SourceFetch:
    """Outcome of fetching and parsing one source; never raised, always returned."""

    source: str
    status: FetchStatus
    items: tuple[RawItem, ...] = ()
    validators: Validators = Validators()
    error: str | None = None  # one plain sentence when status == "failed"
    http_status: int | None = None
    max_age_s: float | None = None  # from Cache-Control, for scheduling the next fetch
    elapsed_s: float = 0.0
