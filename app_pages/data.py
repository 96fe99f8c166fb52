"""Cached reads for the pages: one function per page, keyed on the view.

Streamlit serves each browser session on its own thread, and one SQLite
connection shared across threads fails under concurrent use; so every read
opens its own read-only connection and closes it. Results are cached with a
TTL; the cache key holds the database file's and its WAL's modification
times, so a scrape, a re-tag or a correction shows at the next rerun.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import streamlit as st

from tracker import aggregates, queries
from tracker.config import REPO_ROOT, default_db_path
from tracker.errors import StoreError
from tracker.export import csv_bytes
from tracker.filters import Filters
from tracker.health import source_health
from tracker.store import connect

TTL_SECONDS = 300
PAGE_SIZE = 50
EVAL_REPORT = REPO_ROOT / "data" / "eval" / "latest.json"


@dataclass(frozen=True)
class View:
    """What a page shows: which database (and its version) through which filters."""

    db: str
    token: tuple[int, int]
    filters: Filters


def db_path() -> Path:
    return default_db_path()


def db_token(path: Path) -> tuple[int, int]:
    """Changes whenever any process commits: (database mtime, WAL mtime) in ns."""
    stamps = []
    for suffix in ("", "-wal"):
        try:
            stamps.append(os.stat(f"{path}{suffix}").st_mtime_ns)
        except OSError:
            stamps.append(0)
    return stamps[0], stamps[1]


@contextmanager
def reading(db: str) -> Iterator:
    conn = connect(db, readonly=True)
    try:
        yield conn
    finally:
        conn.close()


# -- archive-wide ---------------------------------------------------------------------

@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def archive_size(db: str, token: tuple[int, int]) -> int:
    """Items in the archive; -1 when the file is missing or not a tracker database."""
    if not token[0]:
        return -1
    try:
        with reading(db) as conn:
            return queries.archive_size(conn)
    except StoreError:
        return -1


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def filter_options(db: str, token: tuple[int, int]) -> tuple[list[str], list[str]]:
    """(companies, sources) for the sidebar pickers."""
    if not token[0]:
        return [], []
    try:
        with reading(db) as conn:
            return queries.company_options(conn), queries.source_options(conn)
    except StoreError:
        return [], []


# -- one function per page ----------------------------------------------------------

@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def overview(view: View, hour: str) -> dict:
    """`hour` (UTC, 'YYYY-MM-DDTHH') keys the "new since" counts."""
    now = datetime.fromisoformat(hour + ":00:00+00:00")
    with reading(view.db) as conn:
        return {
            "counts": aggregates.overview_counts(conn, view.filters, now),
            "by_month": aggregates.incidents_by_month(conn, view.filters),
            "top": aggregates.top_companies(conn, view.filters),
            "matrix": aggregates.company_type_matrix(conn, view.filters),
        }


def current_hour() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H")


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def timeline(view: View, by: str) -> dict:
    with reading(view.db) as conn:
        return {"timeline": aggregates.timeline(conn, view.filters, by=by),
                "incidents": queries.incident_page(conn, view.filters, limit=PAGE_SIZE)}


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def incident_choices(view: View) -> list[tuple[str, str]]:
    """(id, label) of the most recently active matching incidents, for a picker."""
    with reading(view.db) as conn:
        rows = queries.incident_page(conn, view.filters, limit=200)
    return [(r["incident"], f"{r['first_date'][:10]} · {r['title'][:90]}") for r in rows]


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def incident(db: str, token: tuple[int, int], incident_id: str) -> dict | None:
    """The incident card: its summary, every report, where an old id now lives, its log."""
    with reading(db) as conn:
        resolved = queries.resolve_incident(conn, incident_id)
        detail = queries.incident_detail(conn, resolved)
        if detail is None:
            return None
        reports = queries.incident_reports(conn, resolved)
        targets = [f"incident:{resolved}", *(f"item:{r.item_id}" for r in reports)]
        return {"detail": detail, "reports": reports,
                "merged_from": incident_id if resolved != incident_id else None,
                "audit": queries.audit_entries(conn, limit=50, targets=targets)}


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def company(view: View, name: str) -> dict:
    with reading(view.db) as conn:
        return {"profile": aggregates.company_profile(conn, name, view.filters),
                "incidents": aggregates.company_incidents(conn, name, view.filters)}


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def item_count(view: View) -> int:
    with reading(view.db) as conn:
        return queries.count_items(conn, view.filters)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def items(view: View, sort: str, page: int) -> list[dict]:
    with reading(view.db) as conn:
        return queries.item_page(conn, view.filters, sort=sort,
                                 offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def sources(db: str, token: tuple[int, int]) -> list[dict]:
    with reading(db) as conn:
        return source_health(conn)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def watches(db: str, token: tuple[int, int]) -> list[dict]:
    with reading(db) as conn:
        return queries.list_watches(conn)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def audit(db: str, token: tuple[int, int]) -> list[dict]:
    with reading(db) as conn:
        return queries.audit_entries(conn, limit=500)


def eval_report_path() -> Path:
    """data/eval/latest.json, or $TRACKER_EVAL_REPORT."""
    return Path(os.environ.get("TRACKER_EVAL_REPORT") or EVAL_REPORT)


def eval_report(path: Path | None = None) -> dict | None:
    """The tagger's latest evaluation (written by `make eval`), or None if absent or broken."""
    path = path or eval_report_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


# -- exports (built when the analyst clicks, not on every rerun) --------------------------

def items_csv(view: View) -> bytes:
    with reading(view.db) as conn:
        return csv_bytes(queries.iter_item_rows(conn, view.filters), queries.ITEM_COLUMNS)


def incidents_csv(view: View) -> bytes:
    with reading(view.db) as conn:
        return csv_bytes(queries.iter_incident_rows(conn, view.filters),
                         queries.INCIDENT_COLUMNS)
