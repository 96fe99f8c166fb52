"""What a page says about itself: title, publication date and description, read from
JSON-LD, Open Graph / meta tags, microdata and <time> elements, in that order of trust."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from scrapers.items import parse_date_text
from scrapers.text import collapse_spaces, html_to_text

_ARTICLE_TYPES = ("article", "newsarticle", "blogposting", "reportage", "webpage",
                  "analysisnewsarticle", "techarticle", "scholarlyarticle", "liveblogposting",
                  "socialmediaposting", "discussionforumposting", "reportagenewsarticle",
                  "opinionnewsarticle", "report", "pressrelease")
_TITLE_METAS = ("og:title", "twitter:title", "sailthru.title", "parsely-title", "dc.title")
_DATE_METAS = (
    "article:published_time", "og:article:published_time", "datepublished",
    "article.published", "published_time", "publishdate", "pubdate", "publish-date",
    "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date",
    "dcterms.created", "date", "og:published_time", "cxenseparse:recs:publishtime",
    "article:modified_time", "og:updated_time", "dcterms.modified", "lastmod",
)
_DESCRIPTION_METAS = ("og:description", "description", "twitter:description")
_MAX_JSONLD_CHARS = 1_000_000


class PageMeta:
    """Meta tags and JSON-LD of one page, gathered in one pass and then asked."""

    def __init__(self, soup: BeautifulSoup, url: str = ""):
        self.soup = soup
        self.url = url
        self.metas = _collect_metas(soup)
        self.articles = jsonld_articles(soup)

    def meta(self, names: tuple[str, ...]) -> str:
        for name in names:
            if name in self.metas:
                return self.metas[name]
        return ""

    def title(self) -> str:
        """Headline from JSON-LD, then og/twitter meta, then the first <h1>, then <title>."""
        for node in self.articles:
            headline = node.get("headline") or node.get("name")
            if isinstance(headline, str) and headline.strip():
                return html_to_text(headline)
        meta = self.meta(_TITLE_METAS)
        if meta:
            return html_to_text(meta)
        heading = self.soup.find("h1")
        if isinstance(heading, Tag) and heading.get_text(strip=True):
            return collapse_spaces(heading.get_text(" "))
        title = self.soup.title
        return collapse_spaces(title.get_text(" ")) if title is not None else ""

    def date(self) -> datetime | None:
        """Publication date: JSON-LD, meta tags, microdata, <time> in the article, a date
        in the URL's path, then any <time> on the page."""
        for node in self.articles:
            moment = _date_value(node.get("datePublished") or node.get("dateCreated"))
            if moment:
                return moment
        for name in _DATE_METAS:
            moment = parse_date_text(self.metas.get(name))
            if moment:
                return moment
        article = self.soup.find("article")
        return (_microdata_date(self.soup)
                or (_time_element_date(article) if isinstance(article, Tag) else None)
                or date_in_url(self.url)
                or _time_element_date(self.soup))

    def description(self) -> str:
        return html_to_text(self.meta(_DESCRIPTION_METAS))


def page_title(soup: BeautifulSoup) -> str:
    return PageMeta(soup).title()


def page_date(soup: BeautifulSoup, url: str = "") -> datetime | None:
    return PageMeta(soup, url).date()


def page_description(soup: BeautifulSoup) -> str:
    return PageMeta(soup).description()


def _collect_metas(soup: BeautifulSoup) -> dict[str, str]:
    """First value of each <meta> name/property/itemprop, keys lower-cased."""
    found: dict[str, str] = {}
    for meta in soup.find_all("meta"):
        # Some archived pages carry the value in "value" rather than "content".
        content = meta.get("content") or meta.get("value")
        if not isinstance(content, str) or not content.strip():
            continue
        for attribute in ("property", "name", "itemprop"):
            key = meta.get(attribute)
            if isinstance(key, str):
                found.setdefault(key.strip().lower(), content.strip())
    return found


_URL_DATE = re.compile(
    r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_.]|$)")


def date_in_url(url: str) -> datetime | None:
    """A /2024/03/05/ style date in a URL's path, as many news sites write them."""
    match = _URL_DATE.search(urlsplit(url).path) if url else None
    if not match:
        return None
    try:
        return datetime(*(int(part) for part in match.groups()), tzinfo=UTC)
    except ValueError:
        return None


def _microdata_date(soup: BeautifulSoup) -> datetime | None:
    for node in soup.find_all(attrs={"itemprop": "datePublished"}):
        value = node.get("datetime") or node.get("content") or node.get_text(" ")
        moment = parse_date_text(value if isinstance(value, str) else None)
        if moment:
            return moment
    return None


def _time_element_date(scope: Tag) -> datetime | None:
    for node in scope.find_all("time"):
        value = node.get("datetime") or node.get_text(" ")
        moment = parse_date_text(value if isinstance(value, str) else None)
        if moment:
            return moment
    return None


def _date_value(value: object) -> datetime | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return parse_date_text(value) if isinstance(value, str) else None


def jsonld_articles(soup: BeautifulSoup) -> list[dict]:
    """Article-like objects from every JSON-LD block, through @graph and lists;
    plain WebPage objects last, since their name is often the site's."""
    found = list(_jsonld_objects(soup))
    return sorted(found, key=lambda node: "webpage" in _kinds(node))


def _jsonld_objects(soup: BeautifulSoup) -> Iterator[dict]:
    for script in soup.find_all("script", type="application/ld+json"):
        text = script.string or script.get_text()
        if not text or len(text) > _MAX_JSONLD_CHARS:
            continue
        document = _load_jsonld(text)
        if document is not None:
            yield from (node for node in _walk(document, 0) if _is_article(node))


_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def _load_jsonld(text: str) -> object | None:
    """JSON-LD as pages really write it: in CDATA wrappers, with a stray ";" or
    trailing commas. None when it still does not parse (other signals remain)."""
    cleaned = _CDATA.sub("", text).strip().removesuffix(";")
    for attempt in (cleaned, _TRAILING_COMMA.sub(r"\1", cleaned)):
        try:
            return json.loads(attempt)
        except (ValueError, RecursionError):
            continue
    return None


def _walk(value: object, depth: int) -> Iterator[dict]:
    if depth > 6:
        return
    if isinstance(value, list):
        for element in value:
            yield from _walk(element, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if key in value:
                yield from _walk(value[key], depth + 1)


def _kinds(node: dict) -> list[str]:
    kinds = node.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return [k.lower() for k in kinds if isinstance(k, str)]


def _is_article(node: dict) -> bool:
    return any(kind in _ARTICLE_TYPES for kind in _kinds(node))
