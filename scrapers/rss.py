"""Feed bytes → raw items: RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and RDF through feedparser,
JSON Feed through scrapers.jsonfeed.

feedparser is only ever given bytes (wrapped in a stream, so it never treats
them as a file name or URL) and the response headers; it never fetches.
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from urllib.parse import urljoin

import feedparser

from scrapers.items import choose_date, from_struct_time, is_plausible, unique_items, web_link
from scrapers.jsonfeed import looks_like_json, parse_json_feed
from scrapers.safety import neutralise_declarations
from scrapers.text import TEXT_MAX_CHARS, html_to_text, plain_summary, truncate
from scrapers.types import ParseError, RawItem

TITLE_MAX_CHARS = 500
_DATE_KEYS = ("published_parsed", "updated_parsed", "created_parsed")
_PARSING_HEADERS = ("content-type", "content-language", "content-location")


def parse_feed(body: bytes, *, url: str, headers: Mapping[str, str] | None = None,
               fetched_at: datetime) -> list[RawItem]:
    """Items of the feed in `body`, in feed order, without repeats.

    A real feed with no entries gives []; bytes that hold no feed at all raise
    ParseError saying why. Broken feeds that still yield entries are kept.
    """
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    if not body.strip():
        raise ParseError(url, "the response was empty")
    if looks_like_json(body, headers.get("content-type", "")):
        return parse_json_feed(body, url=url, fetched_at=fetched_at)
    parsed = _run_feedparser(body, url, headers)
    _require_feed(parsed, body, url)
    page_date = _feed_date(parsed.get("feed", {}), fetched_at)
    base = _base_url(url, headers)
    items = (_entry_to_item(entry, base, page_date, fetched_at) for entry in parsed.entries)
    return list(unique_items(item for item in items if item is not None))


def _run_feedparser(body: bytes, url: str, headers: dict[str, str]) -> feedparser.FeedParserDict:
    # Only the headers that bear on parsing: the charset, the language and a real
    # Content-Location. None is invented: feedparser would then resolve every link
    # against it (a third of its time); web_link() resolves the few relative ones later.
    wanted = {k: v for k, v in headers.items() if k in _PARSING_HEADERS}
    safe = neutralise_declarations(body)
    try:
        # Everything is turned into plain text afterwards, so feedparser's HTML sanitizer
        # and link rewriting inside content would be work thrown away (half its time).
        return feedparser.parse(io.BytesIO(safe), response_headers=wanted,
                                sanitize_html=False, resolve_relative_uris=False)
    except (ValueError, TypeError, LookupError, RecursionError, UnicodeError) as error:
        raise ParseError(url, f"the feed parser failed on this document ({error})") from error


def _require_feed(parsed: feedparser.FeedParserDict, body: bytes, url: str) -> None:
    """Entries pass, and so does a recognisable feed with none (even a slightly broken
    one that still has its channel); anything else says what it is."""
    if parsed.entries:
        return
    problem = parsed.get("bozo_exception")
    broken = problem is not None and not _is_benign(problem)
    if parsed.get("version") and (not broken or parsed.get("feed")):
        return
    if _looks_like_html(parsed, body):
        raise ParseError(url, "not a feed: the address serves an HTML page "
                              "(use kind = \"html\" or find the page's feed link)")
    if not _starts_with_markup(body):
        raise ParseError(url, "not a feed: the document is neither XML nor JSON")
    if broken:
        raise ParseError(url, f"not a feed: the XML is broken ({_first_line(problem)})")
    raise ParseError(url, "not a feed: no RSS, Atom, RDF or JSON Feed document found")


def _is_benign(problem: Exception) -> bool:
    # feedparser reports a charset or Content-Type mismatch as bozo; that says nothing
    # about whether the document is a feed.
    return type(problem).__name__ in ("CharacterEncodingOverride", "NonXMLContentType")


_HTML_START = re.compile(rb"<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)


def _looks_like_html(parsed: feedparser.FeedParserDict, body: bytes) -> bool:
    content_type = parsed.get("headers", {}).get("content-type", "").lower()
    return "html" in content_type or bool(_HTML_START.search(body[:2048].replace(b"\x00", b"")))


def _starts_with_markup(body: bytes) -> bool:
    head = body[:512].replace(b"\x00", b"").lstrip(b" \t\r\n\xef\xbb\xbf\xff\xfe")
    return head.startswith(b"<")


def _first_line(problem: Exception) -> str:
    text = str(problem).strip() or type(problem).__name__
    return text.splitlines()[0][:200]


def _base_url(url: str, headers: Mapping[str, str]) -> str:
    return urljoin(url, headers.get("content-location", "") or url)


def _feed_date(feed: Mapping, fetched_at: datetime) -> datetime | None:
    """The feed's own date (channel pubDate / lastBuildDate / Atom updated), if plausible."""
    for key in _DATE_KEYS:
        moment = from_struct_time(_plain_get(feed, key))
        if is_plausible(moment, fetched_at=fetched_at):
            return moment
    return None


def _entry_to_item(entry: Mapping, base: str, page_date: datetime | None,
                   fetched_at: datetime) -> RawItem | None:
    link = _entry_link(entry, base)
    if link is None:
        return None  # nothing to point an analyst at
    summary_html, text_html = _summary_and_content(entry)
    summary = plain_summary(summary_html or text_html)
    title = truncate(html_to_text(entry.get("title")), TITLE_MAX_CHARS) or _fallback_title(
        summary, link)
    own = _entry_date(entry, fetched_at)
    published, source = choose_date(own, page_date, fetched_at=fetched_at)
    return RawItem(url=link, title=title, summary=summary,
                   text=truncate(html_to_text(text_html), TEXT_MAX_CHARS),
                   published=published, date_source=source,
                   guid=_clean(entry.get("id")) or None,
                   author=truncate(html_to_text(entry.get("author")), 200))


def _entry_link(entry: Mapping, base: str) -> str | None:
    link = web_link(entry.get("link"), base)
    if link is None:
        for candidate in entry.get("links", ()):
            if candidate.get("rel", "alternate") == "alternate":
                link = web_link(candidate.get("href"), base)
                if link:
                    break
    if link is None:
        guid = _clean(entry.get("id"))
        # A GUID counts as a link only when it is already an absolute web address.
        if guid.lower().startswith(("http://", "https://")):
            link = web_link(guid, base)
    return link


def _summary_and_content(entry: Mapping) -> tuple[str, str]:
    summary = entry.get("summary") or ""
    content = ""
    for part in _iter_content(entry):
        if len(part) > len(content):
            content = part
    return summary, content


def _iter_content(entry: Mapping) -> Iterator[str]:
    for detail in entry.get("content", ()) or ():
        value = detail.get("value") if hasattr(detail, "get") else None
        if isinstance(value, str):
            yield value


def _entry_date(entry: Mapping, fetched_at: datetime) -> datetime | None:
    """The first believable of published, updated, created."""
    for key in _DATE_KEYS:
        moment = from_struct_time(_plain_get(entry, key))
        if is_plausible(moment, fetched_at=fetched_at):
            return moment
    return None


def _fallback_title(summary: str, link: str) -> str:
    return truncate(summary, 120) if summary else link


def _plain_get(mapping: Mapping, key: str) -> object:
    # FeedParserDict.get maps missing keys to others (with a DeprecationWarning); we
    # want exactly the key we asked for.
    return dict.get(mapping, key) if isinstance(mapping, dict) else mapping.get(key)


def _clean(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
