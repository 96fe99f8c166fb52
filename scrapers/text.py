"""HTML fragments to plain text: titles and summaries are shown as text, never as HTML."""
from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

SUMMARY_MAX_CHARS = 2000
TEXT_MAX_CHARS = 100_000

_SPACES = re.compile(r"\s+")
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object"})
# Block-level tags end a word even when the markup has no space around them.
_BREAKING_TAGS = frozenset(
    {"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
     "th", "table", "blockquote", "section", "article", "header", "footer", "figcaption",
     "pre", "hr", "dd", "dt", "img"}
)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BREAKING_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(self._skipping - 1, 0)
        elif tag in _BREAKING_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def collapse_spaces(text: str) -> str:
    """One space between words, none at either end."""
    return _SPACES.sub(" ", text).strip()


def html_to_text(fragment: str | None) -> str:
    """Visible text of an HTML fragment, entities decoded, spaces collapsed."""
    if not fragment:
        return ""
    if "<" not in fragment:
        # Fast path for the usual plain title; still decode stray entities.
        return collapse_spaces(unescape(fragment) if "&" in fragment else fragment)
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    return collapse_spaces("".join(collector.parts))


def truncate(text: str, limit: int) -> str:
    """Cut `text` at a word boundary to at most `limit` characters, marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def plain_summary(fragment: str | None, limit: int = SUMMARY_MAX_CHARS) -> str:
    """HTML summary → capped plain text."""
    return truncate(html_to_text(fragment), limit)
