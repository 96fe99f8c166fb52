"""Watch digests (Markdown + HTML) and the Atom feed: new incidents only, and escaped."""
from __future__ import annotations

import html.parser
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from tests.dashboard_fixture import HOSTILE_LINK, NOW, build_archive
from tracker import store_corrections as fixes
from tracker.digest import ATOM_NS, render_markdown, write_atom_feed, write_digest
from tracker.filters import Filters
from tracker.safe_text import md_escape, md_link, web_url
from tracker.store import connect, open_store

A = f"{{{ATOM_NS}}}"


@pytest.fixture
def db(tmp_path):
    return build_archive(tmp_path / "d.db", hostile=True)


def reading(db):
    return connect(db, readonly=True)


class Tags(html.parser.HTMLParser):
    """Every start tag and its attributes, as a browser would parse them."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_a_digest_per_run_with_a_section_per_watch(db, tmp_path):
    with open_store(db) as store:
        fixes.save_watch(store, "Copyright", Filters.make(violations=["copyright"]), "ana")
        fixes.save_watch(store, "Meta", Filters.make(companies=["Meta"]), "ana")
        fixes.save_watch(store, "Antitrust", Filters.make(violations=["antitrust"]), "ana")
    out = tmp_path / "digests"
    out.mkdir()
    conn = reading(db)
    paths = write_digest(conn, NOW - timedelta(hours=1), out, now=NOW)
    conn.close()
    assert [p.suffix for p in paths] == [".md", ".html"] and all(p.exists() for p in paths)
    md = paths[0].read_text(encoding="utf-8")
    assert md.index("## Antitrust") < md.index("## Copyright") < md.index("## Meta")
    antitrust = md[md.index("## Antitrust"):md.index("## Copyright")]
    assert "No new incidents." in antitrust
    copyright_part = md[md.index("## Copyright"):md.index("## Meta")]
    assert "The Times sues OpenAI and Microsoft" in copyright_part
    assert "(https://www.nytimes.com/2023/12/27/business/media/nyt-sues-openai)" in md


def test_only_incidents_new_since_are_listed(db, tmp_path):
    conn = reading(db)
    paths = write_digest(conn, NOW - timedelta(hours=1), tmp_path, now=NOW)
    conn.close()
    md = paths[0].read_text(encoding="utf-8")
    assert "## All incidents" in md  # no watch saved: one section of everything
    assert "Times sues" in md and "Deepfaked finance chief" not in md  # seen 6 h before


def test_html_digest_is_escaped_and_links_only_the_web(db, tmp_path):
    conn = reading(db)
    html_path = write_digest(conn, NOW - timedelta(days=1), tmp_path, now=NOW)[1]
    conn.close()
    page = html_path.read_text(encoding="utf-8")
    parser = Tags()
    parser.feed(page)
    names = [t for t, _ in parser.tags]
    assert "script" not in names and "b" not in names and "img" not in names
    hrefs = [a["href"] for t, a in parser.tags if t == "a"]
    assert hrefs and all(h.startswith("https://") for h in hrefs)
    assert HOSTILE_LINK not in page
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in page


def test_markdown_escapes_titles_and_drops_unsafe_links(db):
    conn = reading(db)
    from tracker.digest import digest_sections
    md = render_markdown(digest_sections(conn, NOW - timedelta(days=1)), NOW, NOW)
    conn.close()
    line = next(x for x in md.splitlines() if "window" in x)
    assert "\\[x\\](javascript" in line and "<script>" not in line
    assert "\\<script\\>" in line


def test_atom_feed_is_valid_and_escaped(db, tmp_path):
    out = tmp_path / "feed.atom"
    conn = reading(db)
    count = write_atom_feed(conn, NOW - timedelta(days=1), out, now=NOW)
    conn.close()
    root = ET.parse(out).getroot()
    assert root.tag == f"{A}feed" and count == 5
    entries = root.findall(f"{A}entry")
    assert len(entries) == 5
    ids = [e.find(f"{A}id").text for e in entries]
    assert len(set(ids)) == 5 and all(i.startswith("tag:") for i in ids)
    hostile = next(e for e in entries if "window" in e.find(f"{A}title").text)
    assert hostile.find(f"{A}title").text.startswith("<script>")  # text, not markup
    assert hostile.find(f"{A}link") is None  # its link is not a web link
    seed = next(e for e in entries if "ByteDance" in e.find(f"{A}title").text)
    assert seed.find(f"{A}link").get("href").startswith("https://www.theverge.com/")
    assert [c.get("term") for c in seed.findall(f"{A}category")] == ["tos_violation"]
    assert seed.find(f"{A}updated").text.startswith("2023-12-16")


def test_feed_since_later_is_empty_but_valid(db, tmp_path):
    out = tmp_path / "feed.atom"
    conn = reading(db)
    assert write_atom_feed(conn, NOW + timedelta(days=1), out, now=NOW) == 0
    conn.close()
    assert ET.parse(out).getroot().find(f"{A}updated").text.startswith("2026-01-10")


@pytest.mark.parametrize("url, ok", [
    ("https://example.org/a", True), ("HTTP://Example.org", True),
    ("javascript:alert(1)", False), ("JaVaScRiPt:alert(1)", False),
    ("data:text/html,<b>x</b>", False), ("file:///etc/passwd", False),
    ("//example.org/x", False), ("https://", False), ("https://exa\nmple.org", False),
    (" javascript:alert(1)", False), (None, False), (42, False),
])
def test_only_web_links_are_links(url, ok):
    assert (web_url(url) is not None) == ok
    assert ("](" in md_link("label", url)) == ok


def test_markdown_escape_keeps_text_as_text():
    text = "*bold* _it_ [l](u) <b> `c` $x$ :red[y] &amp; | t ~s~"
    escaped = md_escape(text)
    assert all(f"\\{c}" in escaped for c in "*_[]<>`$:|~&")
    assert "(u)" in escaped  # harmless without an unescaped [..] before it


@pytest.mark.parametrize("text, escaped", [
    ("# Title", "\\# Title"), ("- item", "\\- item"), ("+ item", "\\+ item"),
    ("2024. A year", "2024\\. A year"), ("> quote", "\\> quote"), ("a - b. c", "a - b. c"),
])
def test_markdown_escape_at_the_start_of_a_line(text, escaped):
    assert md_escape(text) == escaped
