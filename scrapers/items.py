"""Rules every parser shares: which dates are believable, which links are usable,
and how one source's repeated items are dropped."""
from __future__ import annotations

import calendar
import re
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from scrapers.types import DateSource, RawItem

EARLIEST_YEAR = 1995  # nothing on the web we track predates this
FUTURE_SLACK = timedelta(days=2)  # time zones and early publishing, not more


def from_struct_time(value: time.struct_time | None) -> datetime | None:
    """feedparser's *_parsed (always UTC) → aware UTC datetime, via calendar.timegm."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError, TypeError):
        return None


def is_plausible(moment: datetime | None, *, fetched_at: datetime) -> bool:
    """A date we believe: from 1995 on and not more than two days ahead of the fetch."""
    if moment is None:
        return False
    return moment.year >= EARLIEST_YEAR and moment <= fetched_at + FUTURE_SLACK


def choose_date(
    own: datetime | None, page: datetime | None, *, fetched_at: datetime
) -> tuple[datetime, DateSource]:
    """The item's own date if believable, else the page's, else the fetch time."""
    if is_plausible(own, fetched_at=fetched_at):
        return own, "feed"  # type: ignore[return-value]
    if is_plausible(page, fetched_at=fetched_at):
        return page, "page"  # type: ignore[return-value]
    return fetched_at, "fetched"


_MONTH_FORMATS = (
    "%B %d, %Y", "%b %d, %Y", "%b. %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y",
    "%Y/%m/%d", "%d.%m.%Y", "%B %Y",
)
_ORDINAL = re.compile(r"(\d)(st|nd|rd|th)\b")


def parse_date_text(text: str | None) -> datetime | None:
    """Parse a date as pages write it (ISO 8601, RFC 2822, "March 5, 2024"); UTC or None."""
    if not text:
        return None
    text = " ".join(text.split())[:80]
    for parse in (_parse_iso, _parse_rfc2822, _parse_words, _search_words):
        moment = parse(text)
        if moment is not None:
            return moment
    return None


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _parse_iso(text: str) -> datetime | None:
    candidate = text.replace(" ", "T", 1) if re.match(r"\d{4}-\d\d-\d\d \d", text) else text
    try:
        return _as_utc(datetime.fromisoformat(candidate))
    except ValueError:
        return None


def _parse_rfc2822(text: str) -> datetime | None:
    try:
        return _as_utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _parse_words(text: str) -> datetime | None:
    cleaned = _ORDINAL.sub(r"\1", text.split(" at ")[0].split(" | ")[0]).strip(" ,")
    for fmt in _MONTH_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_DATE_IN_TEXT = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\.? )?(?P<m>(?:{_MONTHS})[a-z]*)\.? "
    rf"(?:(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,? )?(?P<y>(?:19|20)\d\d)\b"
    r"|\b(?P<iy>(?:19|20)\d\d)-(?P<im>[01]\d)-(?P<id>[0-3]\d)\b",
    re.IGNORECASE,
)


def _search_words(text: str) -> datetime | None:
    """A date written somewhere inside a longer text ("Updated: Dec 15, 2016 2:57 PM")."""
    match = _DATE_IN_TEXT.search(text)
    if not match:
        return None
    if match.group("iy"):
        parts = (match.group("iy"), match.group("im"), match.group("id"))
        return _date_or_none(*(int(p) for p in parts))
    day = match.group("d1") or match.group("d2")
    month = _month_number(match.group("m"))
    if day is None or month is None:
        return None
    return _date_or_none(int(match.group("y")), month, int(day))


def _month_number(word: str) -> int | None:
    prefix = word[:3].lower()
    names = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    full = ("january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december")
    if prefix not in names:
        return None
    index = names.index(prefix)
    # "Mar" or "March" but not "Marvel"; "Sept" is the one common longer abbreviation.
    return index + 1 if full[index].startswith(word.lower()) or word.lower() == "sept" else None


def _date_or_none(year: int, month: int, day: int) -> datetime | None:
    try:
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None


def web_link(href: str | None, base: str) -> str | None:
    """`href` made absolute against `base`, if it is an http(s) URL with a host."""
    if not href or not isinstance(href, str):
        return None
    try:
        absolute = urljoin(base, href.strip())
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return absolute


def unique_items(items: Iterable[RawItem]) -> Iterator[RawItem]:
    """Drop items whose GUID or link already appeared earlier in the same source."""
    seen_guids: set[str] = set()
    seen_urls: set[str] = set()
    for item in items:
        if item.url in seen_urls or (item.guid and item.guid in seen_guids):
            continue
        seen_urls.add(item.url)
        if item.guid:
            seen_guids.add(item.guid)
        yield item
