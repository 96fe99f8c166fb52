"""HTML pages → raw items (listing pages, by CSS selectors) and article details."""
from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag, XMLParsedAsHTMLWarning
from soupsieve import SelectorSyntaxError

from scrapers.items import choose_date, parse_date_text, unique_items, web_link
from scrapers.metadata import PageMeta
from scrapers.text import SUMMARY_MAX_CHARS, TEXT_MAX_CHARS, collapse_spaces, truncate
from scrapers.types import ParseError, RawItem

_NOISE_TAGS = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside",
               "form", "iframe", "svg", "button", "figure")
_MIN_PARAGRAPH_CHARS = 40  # shorter <p>s are usually captions, bylines or buttons


@dataclass(frozen=True)
class Article:
    """What an article page says about itself."""

    title: str
    published: datetime | None  # aware UTC
    text: str
    summary: str


def make_soup(body: bytes) -> BeautifulSoup:
    """Parse HTML bytes with lxml, letting BeautifulSoup sniff the encoding."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(body, "lxml")


def parse_listing(body: bytes, *, url: str, options: Mapping[str, object],
                  fetched_at: datetime) -> list[RawItem]:
    """Items of a listing page, one per element matched by options["item_selector"]."""
    selector = options.get("item_selector")
    if not isinstance(selector, str) or not selector.strip():
        raise ParseError(url, "the source has no item_selector (a CSS selector for one item)")
    soup = make_soup(body)
    base = _base_href(soup, url)
    elements = _select(soup, selector, url)
    if not elements:
        raise ParseError(url, f"item_selector {selector!r} matched nothing on the page "
                              "(has the site changed its layout?)")
    items = [_listing_item(el, base, options, fetched_at, url) for el in elements]
    found = list(unique_items(item for item in items if item is not None))
    if not found:
        raise ParseError(url, f"item_selector {selector!r} matched {len(elements)} elements "
                              "but none has a usable link")
    return found


def _select(node: Tag, selector: str, url: str) -> list[Tag]:
    try:
        return node.select(selector)
    except SelectorSyntaxError as error:
        raise ParseError(url, f"invalid CSS selector {selector!r}: {error.args[0]}") from error


def _select_one(node: Tag, selector: object, url: str) -> Tag | None:
    if not isinstance(selector, str) or not selector.strip():
        return None
    found = _select(node, selector, url)
    return found[0] if found else None


def _base_href(soup: BeautifulSoup, url: str) -> str:
    base = soup.find("base", href=True)
    return web_link(str(base["href"]), url) or url if isinstance(base, Tag) else url


def _listing_item(element: Tag, base: str, options: Mapping[str, object],
                  fetched_at: datetime, url: str) -> RawItem | None:
    anchor = _anchor(element, options, url)
    link = web_link(str(anchor.get("href", "")), base) if anchor is not None else None
    if link is None:
        return None
    title_node = _select_one(element, options.get("title_selector"), url)
    title = _node_text(title_node) or _node_text(anchor) or _node_text(element)
    summary_node = _select_one(element, options.get("summary_selector"), url)
    own = _listing_date(_select_one(element, options.get("date_selector"), url) or
                        element.find("time"))
    published, source = choose_date(own, None, fetched_at=fetched_at)
    return RawItem(url=link, title=truncate(title, 500) or link,
                   summary=truncate(_node_text(summary_node), SUMMARY_MAX_CHARS),
                   published=published, date_source=source)


def _anchor(element: Tag, options: Mapping[str, object], url: str) -> Tag | None:
    chosen = _select_one(element, options.get("link_selector"), url)
    if chosen is not None:
        return chosen if chosen.get("href") else chosen.find("a", href=True)
    if element.name == "a" and element.get("href"):
        return element
    found = element.find("a", href=True)
    return found if isinstance(found, Tag) else None


def _listing_date(node: Tag | None) -> datetime | None:
    if node is None:
        return None
    for attribute in ("datetime", "content", "data-date", "title"):
        value = node.get(attribute)
        if isinstance(value, str) and (moment := parse_date_text(value)):
            return moment
    return parse_date_text(_node_text(node))


def _node_text(node: Tag | None) -> str:
    return collapse_spaces(node.get_text(" ")) if node is not None else ""


def parse_article(body: bytes, *, url: str) -> Article:
    """Title, publication date, main text and a summary of one article page."""
    soup = make_soup(body)
    meta = PageMeta(soup, url)
    title, published, description = meta.title(), meta.date(), meta.description()
    text = truncate(main_text(soup), TEXT_MAX_CHARS)  # last: it removes boilerplate tags
    summary = truncate(description or text, SUMMARY_MAX_CHARS)
    return Article(title=truncate(title, 500), published=published, text=text, summary=summary)


def main_text(soup: BeautifulSoup) -> str:
    """The article's paragraphs: the <article> with most text, else <main>, else the body."""
    for tag in soup.find_all(_NOISE_TAGS):
        tag.decompose()
    container = _main_container(soup)
    if container is None:
        return ""
    paragraphs = [p for p in _paragraphs(container) if len(p) >= _MIN_PARAGRAPH_CHARS]
    return "\n\n".join(paragraphs) if paragraphs else collapse_spaces(container.get_text(" "))


def _main_container(soup: BeautifulSoup) -> Tag | None:
    candidates = soup.find_all("article") or soup.find_all("main")
    candidates += soup.find_all(attrs={"itemprop": "articleBody"})
    if candidates:
        return max(candidates, key=lambda tag: len(tag.get_text()))
    return soup.body or soup


def _paragraphs(container: Tag) -> Iterator[str]:
    for paragraph in container.find_all("p"):
        text = collapse_spaces(paragraph.get_text(" "))
        if text:
            yield text
