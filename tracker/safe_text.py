"""Text from the web, made safe to show: links that may be clicked, Markdown that stays text.

Titles, summaries and links come from strangers' feeds. A link is only ever
clickable when it is plain http(s) with a host; a title is shown as the
characters it holds, never as markup.
"""
from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

# Characters that start markup anywhere in a line (":" for Streamlit's :red[..] and
# :material/..:, "$" for its math, "&" for entities), and those that do at its start.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>|~$:&])")
_LINE_START = re.compile(r"^(\d*)([#+\-.!=>)])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def web_url(url: object) -> str | None:
    """The URL if it is a plain http(s) link with a host, else None (never clickable)."""
    if not isinstance(url, str) or _CONTROL.search(url) or len(url) > 4000:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def md_escape(text: object) -> str:
    """Text that Markdown (and Streamlit's extensions: :colour[], $math$) shows verbatim."""
    flat = " ".join(str(text or "").split())
    return _LINE_START.sub(r"\1\\\2", _MARKDOWN_SPECIALS.sub(r"\\\1", flat))


def md_code(text: object) -> str:
    """Text for an inline `code` span, where backslash escapes do not apply."""
    flat = " ".join(str(text or "").split()).replace("`", "'")
    return f"`{flat}`" if flat else ""


def md_link(label: str, url: object) -> str:
    """A Markdown link when the URL is safe, else the escaped label alone."""
    safe = web_url(url)
    if safe is None:
        return md_escape(label)
    # Percent-encode what could end the link target early (spaces, brackets, <>).
    target = quote(safe, safe=":/?#@!$&'*+,;=%~-._")
    return f"[{md_escape(label)}]({target})"


def html_text(text: object) -> str:
    """Text for an HTML page or for Plotly labels (which read a subset of HTML)."""
    return html.escape(" ".join(str(text or "").split()), quote=True)
