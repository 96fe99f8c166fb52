"""Render the bundled demo corpus (items.jsonl) as per-outlet feeds, pages and a sources file.

items.jsonl is the single source of truth; everything this script writes is derived from it
and committed, so `tracker demo` can ingest the corpus offline through the real scrapers.
Stdlib only, and deterministic: the same items always give the same bytes.

    python data/demo/build.py            # rewrite feeds/, pages/ and sources.toml here
    python data/demo/build.py --out DIR  # write the same tree somewhere else
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape as html_escape
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

HERE = Path(__file__).resolve().parent
ITEMS_FILE = HERE / "items.jsonl"

# How each outlet is published; any outlet not listed here gets an RSS 2.0 feed.
# The mix exercises every parser path: Atom 1.0, RSS 1.0 (RDF) and an HTML listing page.
FORMATS = {
    "The Verge": "atom",
    "Wired": "atom",
    "Information Commissioner's Office": "rdf",
    "Federal Trade Commission": "html",
    "Garante per la protezione dei dati personali": "html",
}
# Short file names for outlets whose slug would be unwieldy.
STEMS = {
    "Federal Trade Commission": "ftc",
    "Garante per la protezione dei dati personali": "garante-privacy",
    "Information Commissioner's Office": "ico",
}
# CSS selectors the HTML scraper needs to read the listing pages this script writes.
HTML_SELECTORS = {
    "item_selector": "article",
    "title_selector": "h2",
    "link_selector": "h2 a",
    "date_selector": "time",
    "summary_selector": "p",
}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
GENERATOR = "ai-incident-tracker demo corpus builder"


class CorpusError(Exception):
    """items.jsonl holds a line this script cannot render."""


@dataclass(frozen=True)
class Item:
    id: str
    outlet: str
    outlet_url: str
    title: str
    summary: str
    published: datetime  # timezone-aware UTC
    url: str
    url_is_original: bool  # False: url is a search for the report, not the report itself


@dataclass(frozen=True)
class Outlet:
    name: str
    url: str
    kind: str  # "rss2", "atom", "rdf" or "html"
    path: str  # relative to the output directory
    items: tuple[Item, ...]  # newest first


def parse_published(text: str) -> datetime:
    stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        raise ValueError(f"published has no timezone: {text}")
    return stamp.astimezone(UTC)


def parse_flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"url_is_original must be true or false, not {value!r}")
    return value


def parse_item(line: str, lineno: int) -> Item:
    try:
        raw = json.loads(line)
        return Item(id=raw["id"], outlet=raw["outlet"], outlet_url=raw["outlet_url"],
                    title=raw["title"], summary=raw["summary"],
                    published=parse_published(raw["published"]), url=raw["url"],
                    url_is_original=parse_flag(raw["url_is_original"]))
    except (ValueError, KeyError, TypeError) as e:
        raise CorpusError(f"items.jsonl line {lineno}: {e}") from e


def load_items(path: Path) -> list[Item]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [parse_item(line, n) for n, line in enumerate(lines, 1) if line.strip()]


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("'", "")).strip("-")


def outlet_path(name: str, kind: str) -> str:
    stem = STEMS.get(name, slugify(name))
    return f"pages/{stem}.html" if kind == "html" else f"feeds/{stem}.xml"


def group_by_outlet(items: list[Item]) -> list[Outlet]:
    by_name: dict[str, list[Item]] = {}
    for item in items:
        by_name.setdefault(item.outlet, []).append(item)
    outlets = []
    for name in sorted(by_name):
        group = sorted(by_name[name], key=lambda i: (i.published, i.id), reverse=True)
        kind = FORMATS.get(name, "rss2")
        outlets.append(Outlet(name, group[0].outlet_url, kind, outlet_path(name, kind),
                              tuple(group)))
    return outlets


def rfc822(stamp: datetime) -> str:
    return format_datetime(stamp, usegmt=True)


def rfc3339(stamp: datetime) -> str:
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def human_date(stamp: datetime) -> str:
    # Spelled out by hand: strftime("%B") depends on the locale, which would break determinism.
    return f"{stamp.day} {MONTHS[stamp.month - 1]} {stamp.year}"


def feed_description(outlet: Outlet) -> str:
    return f"{outlet.name}: AI industry coverage (bundled demo corpus)"


def permalink(item: Item) -> str:
    # A search link finds the report but is not its address, so RSS must not call it one.
    return "true" if item.url_is_original else "false"


def render_rss2(outlet: Outlet) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<rss version="2.0">', "<channel>",
             f"<title>{escape(outlet.name)}</title>", f"<link>{escape(outlet.url)}</link>",
             f"<description>{escape(feed_description(outlet))}</description>",
             "<language>en</language>",
             f"<lastBuildDate>{rfc822(outlet.items[0].published)}</lastBuildDate>",
             f"<generator>{GENERATOR}</generator>"]
    for item in outlet.items:
        lines += ["<item>", f"<title>{escape(item.title)}</title>",
                  f"<link>{escape(item.url)}</link>",
                  f'<guid isPermaLink="{permalink(item)}">{escape(item.url)}</guid>',
                  f"<pubDate>{rfc822(item.published)}</pubDate>",
                  f"<description>{escape(item.summary)}</description>", "</item>"]
    return "\n".join(lines + ["</channel>", "</rss>", ""])


def render_atom(outlet: Outlet) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
             f"<title>{escape(outlet.name)}</title>",
             f"<subtitle>{escape(feed_description(outlet))}</subtitle>",
             f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(outlet.url)}/>",
             f"<id>{escape(outlet.url)}/</id>",
             f"<updated>{rfc3339(outlet.items[0].published)}</updated>",
             f"<author><name>{escape(outlet.name)}</name></author>",
             f"<generator>{GENERATOR}</generator>"]
    for item in outlet.items:
        stamp = rfc3339(item.published)
        lines += ["<entry>", f'<title type="text">{escape(item.title)}</title>',
                  f'<link rel="alternate" type="text/html" href={quoteattr(item.url)}/>',
                  f"<id>{escape(item.url)}</id>", f"<published>{stamp}</published>",
                  f"<updated>{stamp}</updated>",
                  f'<summary type="text">{escape(item.summary)}</summary>', "</entry>"]
    return "\n".join(lines + ["</feed>", ""])


def render_rdf(outlet: Outlet) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
             ' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">',
             f"<channel rdf:about={quoteattr(outlet.url)}>",
             f"<title>{escape(outlet.name)}</title>", f"<link>{escape(outlet.url)}</link>",
             f"<description>{escape(feed_description(outlet))}</description>",
             f"<dc:date>{rfc3339(outlet.items[0].published)}</dc:date>",
             "<items>", "<rdf:Seq>"]
    lines += [f"<rdf:li rdf:resource={quoteattr(item.url)}/>" for item in outlet.items]
    lines += ["</rdf:Seq>", "</items>", "</channel>"]
    for item in outlet.items:
        lines += [f"<item rdf:about={quoteattr(item.url)}>",
                  f"<title>{escape(item.title)}</title>", f"<link>{escape(item.url)}</link>",
                  f"<description>{escape(item.summary)}</description>",
                  f"<dc:date>{rfc3339(item.published)}</dc:date>", "</item>"]
    return "\n".join(lines + ["</rdf:RDF>", ""])


def render_html(outlet: Outlet) -> str:
    # Kept well-formed XML as well as HTML5 so the tests can check it with xml.etree.
    name = html_escape(outlet.name)
    lines = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8"/>',
             f"<title>{name} - press releases</title>", "</head>", "<body>", "<main>",
             f"<h1>{name}: press releases</h1>"]
    for item in outlet.items:
        lines += ['<article class="press-release">',
                  f'<h2><a href="{html_escape(item.url)}">{html_escape(item.title)}</a></h2>',
                  f'<time datetime="{rfc3339(item.published)}">'
                  f"{human_date(item.published)}</time>",
                  f"<p>{html_escape(item.summary)}</p>", "</article>"]
    return "\n".join(lines + ["</main>", "</body>", "</html>", ""])


RENDERERS = {"rss2": render_rss2, "atom": render_atom, "rdf": render_rdf, "html": render_html}


def toml_string(text: str) -> str:
    # A JSON string literal is also a valid TOML basic string for this text.
    return json.dumps(text, ensure_ascii=False)


def render_source(outlet: Outlet) -> list[str]:
    lines = ["[[source]]", f"name = {toml_string(outlet.name)}",
             f"url = {toml_string(outlet.path)}",
             f"kind = {toml_string('html' if outlet.kind == 'html' else 'rss')}",
             "allow_file = true"]
    if outlet.kind == "html":
        lines += [f"{key} = {toml_string(value)}" for key, value in HTML_SELECTORS.items()]
    return lines + [""]


def render_sources(outlets: list[Outlet]) -> str:
    lines = ["# Demo sources, generated by data/demo/build.py from items.jsonl: do not edit.",
             "# Each url is relative to data/demo/; `tracker demo` turns it into a file:// URL.",
             ""]
    for outlet in outlets:
        lines += render_source(outlet)
    return "\n".join(lines)


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))  # bytes, so no platform newline translation


def prune_stale(out_dir: Path, written: set[Path]) -> None:
    """Delete feeds or pages left over from outlets that are no longer in the corpus."""
    for pattern in ("feeds/*.xml", "pages/*.html"):
        for path in out_dir.glob(pattern):
            if path not in written:
                path.unlink()


def build(out_dir: Path = HERE, items_file: Path = ITEMS_FILE) -> list[Path]:
    """Write every feed, page and the sources file under out_dir; return the paths written."""
    outlets = group_by_outlet(load_items(items_file))
    written = []
    for outlet in outlets:
        path = out_dir / outlet.path
        write_text(path, RENDERERS[outlet.kind](outlet))
        written.append(path)
    sources = out_dir / "sources.toml"
    write_text(sources, render_sources(outlets))
    prune_stale(out_dir, set(written))
    return written + [sources]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output directory")
    parser.add_argument("--items", type=Path, default=ITEMS_FILE, help="corpus file")
    args = parser.parse_args(argv)
    try:
        written = build(args.out, args.items)
    except (CorpusError, OSError) as e:
        print(f"build.py: {e}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} files under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
