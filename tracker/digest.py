"""Watch digests (Markdown + HTML) and an Atom feed of new incidents.

"New" means the incident's first report reached the archive since the given
moment (items.first_seen), so a story published last week but scraped today
still makes today's digest. Every string from a feed is escaped for the
format it lands in, and only http(s) links become links.
"""
from __future__ import annotations

import os
import sqlite3
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tracker.filters import Filters
from tracker.palette import action_label, violation_label
from tracker.queries import list_watches, new_incidents
from tracker.safe_text import html_text, md_escape, md_link, web_url
from tracker.store import iso, utc_now

ATOM_NS = "http://www.w3.org/2005/Atom"
TAG_PREFIX = "tag:ai-incident-tracker,2024:"
MAX_PER_WATCH = 200


@dataclass(frozen=True)
class Section:
    name: str
    filters: Filters
    incidents: list[dict]


def digest_sections(conn: sqlite3.Connection, since: datetime) -> list[Section]:
    """New incidents per saved watch; with no watch saved, one section of everything."""
    watches = [(w["name"], w["filters"]) for w in list_watches(conn)]
    if not watches:
        watches = [("All incidents", Filters())]
    return [Section(name, f, new_incidents(conn, f, iso(since), MAX_PER_WATCH))
            for name, f in watches]


def write_digest(conn: sqlite3.Connection, since: datetime, out_dir: Path, *,
                 now: datetime | None = None) -> list[Path]:
    """Write digest-<UTC time>.md and .html into out_dir; return both paths."""
    now = now or utc_now()
    sections = digest_sections(conn, since)
    stem = out_dir / f"digest-{now:%Y%m%dT%H%M%SZ}"
    md_path, html_path = stem.with_suffix(".md"), stem.with_suffix(".html")
    _write_atomically(md_path, render_markdown(sections, since, now))
    _write_atomically(html_path, render_html(sections, since, now))
    return [md_path, html_path]


# -- Markdown -----------------------------------------------------------------------

def describe_filters(f: Filters) -> str:
    parts = []
    if f.since or f.until:
        parts.append(f"dates {f.since or '…'} to {f.until or '…'}")
    if f.companies:
        parts.append("companies " + ", ".join(f.companies))
    if f.violations:
        parts.append("types " + ", ".join(violation_label(v) for v in f.violations))
    if f.actions:
        parts.append("actions " + ", ".join(action_label(a) for a in f.actions))
    if f.sources:
        parts.append("sources " + ", ".join(f.sources))
    if f.text:
        parts.append(f"text “{f.text}”")
    return "; ".join(parts) or "everything"


def _facts(incident: dict) -> list[str]:
    facts = [f"{incident['report_count']} report(s) from {incident['outlet_count']} outlet(s)"]
    if incident["companies"]:
        facts.insert(0, incident["companies"])
    if incident["violation_ids"]:
        facts.insert(1, ", ".join(violation_label(v) for v in incident["violation_ids"]))
    if incident["latest_action"]:
        facts.append(f"latest: {action_label(incident['latest_action'])} "
                     f"({incident['latest_action_date'][:10]})")
    return facts


def render_markdown(sections: list[Section], since: datetime, now: datetime) -> str:
    lines = [f"# AI incident digest: new since {since:%Y-%m-%d %H:%M} UTC", "",
             f"Generated {now:%Y-%m-%d %H:%M} UTC.", ""]
    for section in sections:
        lines += [f"## {md_escape(section.name)}", "",
                  f"Watching: {md_escape(describe_filters(section.filters))}.", ""]
        if not section.incidents:
            lines += ["No new incidents.", ""]
            continue
        for n in section.incidents:
            facts = " · ".join(md_escape(f) for f in _facts(n))
            lines.append(f"- **{n['first_date'][:10]}** {md_link(n['title'], n['first_url'])}"
                         f" ({facts}; id `{md_escape(n['incident'])}`)")
        lines.append("")
    return "\n".join(lines)


# -- HTML ---------------------------------------------------------------------------

def _html_link(label: str, url: object) -> str:
    safe = web_url(url)
    if safe is None:
        return html_text(label)
    return f'<a href="{html_text(safe)}" rel="noopener noreferrer">{html_text(label)}</a>'


def render_html(sections: list[Section], since: datetime, now: datetime) -> str:
    title = f"AI incident digest: new since {since:%Y-%m-%d %H:%M} UTC"
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{html_text(title)}</title></head><body>",
             f"<h1>{html_text(title)}</h1>",
             f"<p>Generated {now:%Y-%m-%d %H:%M} UTC.</p>"]
    for section in sections:
        parts += [f"<h2>{html_text(section.name)}</h2>",
                  f"<p>Watching: {html_text(describe_filters(section.filters))}.</p>"]
        if not section.incidents:
            parts.append("<p>No new incidents.</p>")
            continue
        parts.append("<ul>")
        for n in section.incidents:
            facts = " · ".join(html_text(f) for f in _facts(n))
            parts.append(f"<li><strong>{html_text(n['first_date'][:10])}</strong> "
                         f"{_html_link(n['title'], n['first_url'])} ({facts}; id "
                         f"<code>{html_text(n['incident'])}</code>)</li>")
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# -- Atom ---------------------------------------------------------------------------

def write_atom_feed(conn: sqlite3.Connection, since: datetime, out: Path, *,
                    now: datetime | None = None, limit: int = MAX_PER_WATCH) -> int:
    """Write an Atom feed of every incident new since `since`; return the entry count."""
    now = now or utc_now()
    incidents = new_incidents(conn, Filters(), iso(since), limit)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "id", f"{TAG_PREFIX}feed/new-incidents")
    _sub(feed, "title", "AI-industry incidents: new reports")
    _sub(feed, "updated", iso(now))
    author = _sub(feed, "author")
    _sub(author, "name", "AI incident tracker")
    for incident in incidents:
        _entry(feed, incident)
    ET.register_namespace("", ATOM_NS)
    body = ET.tostring(feed, encoding="unicode", xml_declaration=False)
    _write_atomically(out, '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n")
    return len(incidents)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        element.text = _xml_safe(text)
    return element


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot carry most control characters, even escaped: drop them."""
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)


def _entry(feed: ET.Element, n: dict) -> None:
    entry = _sub(feed, "entry")
    _sub(entry, "id", f"{TAG_PREFIX}incident/{n['incident']}")
    _sub(entry, "title", n["title"], type="text")
    _sub(entry, "published", n["first_date"])
    _sub(entry, "updated", n["last_date"])
    link = web_url(n.get("first_url"))
    if link:
        _sub(entry, "link", rel="alternate", href=link)
    for violation in n["violation_ids"]:
        _sub(entry, "category", term=violation, label=violation_label(violation))
    _sub(entry, "summary", "; ".join(_facts(n)), type="text")


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
