"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), which feedparser does not read."""
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from scrapers.items import choose_date, parse_date_text, unique_items, web_link
from scrapers.text import TEXT_MAX_CHARS, collapse_spaces, html_to_text, plain_summary, truncate
from scrapers.types import ParseError, RawItem

_VERSION_PREFIXES = ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def looks_like_json(body: bytes, content_type: str = "") -> bool:
    """True when the bytes start like a JSON object; the Content-Type decides only when
    the bytes start with neither "{" nor "<" (servers often mislabel feeds)."""
    head = body[:64]
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom):]
            break
    head = head.replace(b"\x00", b"").lstrip()
    if head.startswith((b"{", b"<")):
        return head.startswith(b"{")
    return "json" in content_type.lower()


def parse_json_feed(body: bytes, *, url: str, fetched_at: datetime) -> list[RawItem]:
    """Items of a JSON Feed; ParseError when the JSON is broken or is not a JSON Feed."""
    document = _load(body, url)
    version = document.get("version")
    if not (isinstance(version, str) and version.startswith(_VERSION_PREFIXES)):
        raise ParseError(url, "not a feed: JSON without a JSON Feed 'version'")
    entries = document.get("items")
    if not isinstance(entries, list):
        raise ParseError(url, "not a feed: the JSON Feed has no 'items' list")
    base = _feed_base(document, url)
    items = (_item(entry, base, fetched_at) for entry in entries if isinstance(entry, Mapping))
    return list(unique_items(item for item in items if item is not None))


def _load(body: bytes, url: str) -> Mapping:
    try:
        # json.loads detects UTF-8/16/32 itself; a UTF-8 BOM is tolerated here.
        document = json.loads(body.removeprefix(b"\xef\xbb\xbf"))
    except (ValueError, RecursionError) as error:
        raise ParseError(url, f"not a feed: broken JSON ({error})") from error
    if not isinstance(document, Mapping):
        raise ParseError(url, "not a feed: the JSON is not an object")
    return document


def _feed_base(document: Mapping, url: str) -> str:
    # Relative item links resolve against the feed's own address when we have it.
    return web_link(document.get("feed_url"), url) or url


def _item(entry: Mapping, base: str, fetched_at: datetime) -> RawItem | None:
    guid = _text(entry.get("id")) or None
    link = web_link(_text(entry.get("url")), base) or web_link(
        _text(entry.get("external_url")), base)
    if link is None and guid and guid.lower().startswith(("http://", "https://")):
        link = web_link(guid, base)
    if link is None:
        return None
    body_html = _text(entry.get("content_html"))
    body_text = collapse_spaces(_text(entry.get("content_text"))) or html_to_text(body_html)
    summary = plain_summary(_text(entry.get("summary"))) or truncate(body_text, 2000)
    title = truncate(html_to_text(_text(entry.get("title"))), 500)
    own = parse_date_text(_text(entry.get("date_published"))) or parse_date_text(
        _text(entry.get("date_modified")))
    published, source = choose_date(own, None, fetched_at=fetched_at)
    return RawItem(url=link, title=title or truncate(summary, 120) or link, summary=summary,
                   text=truncate(body_text, TEXT_MAX_CHARS), published=published,
                   date_source=source, guid=guid, author=_author(entry))


def _author(entry: Mapping) -> str:
    authors = entry.get("authors")
    if not isinstance(authors, list):
        authors = [entry.get("author")]  # JSON Feed 1.0 had a single author
    names = [_text(a.get("name")) for a in authors if isinstance(a, Mapping)]
    return ", ".join(n for n in names if n)[:200]


def _text(value: object) -> str:
    # JSON Feed 1.0 allowed numeric ids; anything else non-text is ignored.
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""
