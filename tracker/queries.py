"""The read side: Filters → SQL → plain rows. Never writes; every function takes a connection.

Tables get a page of rows and exports stream from a cursor, so nothing here
holds the whole archive in memory. Chart series live in tracker.aggregates.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from tracker.filters import Filters, fts_expression, incident_where, item_where, search_note

__all__ = [
    "Filters", "ITEM_COLUMNS", "INCIDENT_COLUMNS", "fts_expression", "search_note",
    "iter_item_rows", "iter_incident_rows", "count_items", "item_page", "count_incidents",
    "incident_page", "incident_detail", "incident_reports", "resolve_incident",
    "company_options", "source_options", "list_watches", "audit_entries",
    "archive_size", "ITEM_SORTS", "new_incidents",
]

# CSV columns: interfaces.md fixes the first eight and their order; more may follow.
ITEM_COLUMNS = ("published", "title", "url", "source", "companies", "violations", "action",
                "incident", "roles", "summary", "first_seen", "item_id")
INCIDENT_COLUMNS = ("first_date", "title", "companies", "violations", "report_count",
                    "latest_action", "latest_action_date", "incident", "last_date",
                    "outlet_count", "first_url")

ITEM_SORTS = {
    "newest": "i.published DESC, i.id DESC",
    "oldest": "i.published ASC, i.id ASC",
    "title": "i.title COLLATE NOCASE ASC, i.id ASC",
    "source": "i.source COLLATE NOCASE ASC, i.published DESC, i.id DESC",
}

_ITEM_SELECT = ("SELECT i.id, i.published, i.title, i.link, i.source, i.companies, "
                "i.violations, i.action, i.incident_id, i.roles, i.summary, i.first_seen "
                "FROM items i")


def _joined(values: Sequence[str]) -> str:
    return "; ".join(values)


def _item_row(row: tuple) -> dict:
    item_id, published, title, link, source, companies, violations, action, incident, \
        roles, summary, first_seen = row
    role_map = json.loads(roles or "{}")
    names = json.loads(companies or "[]")
    return {
        "item_id": item_id, "published": published, "title": title, "url": link,
        "source": source, "companies": _joined(names),
        "violations": _joined(json.loads(violations or "[]")), "action": action or "",
        "incident": incident or "", "summary": summary, "first_seen": first_seen,
        "roles": _joined(f"{n}: {role_map.get(n, 'party')}" for n in names),
    }


# -- items --------------------------------------------------------------------

def iter_item_rows(conn: sqlite3.Connection, filters: Filters) -> Iterator[dict]:
    """Every matching item, oldest first, one dict per row (keys: ITEM_COLUMNS)."""
    where, params = item_where(filters)
    cursor = conn.execute(f"{_ITEM_SELECT} WHERE {where} ORDER BY i.published, i.id", params)
    for row in cursor:
        yield _item_row(row)


def count_items(conn: sqlite3.Connection, filters: Filters) -> int:
    where, params = item_where(filters)
    return conn.execute(f"SELECT COUNT(*) FROM items i WHERE {where}", params).fetchone()[0]


def item_page(conn: sqlite3.Connection, filters: Filters, *, sort: str = "newest",
              offset: int = 0, limit: int = 50) -> list[dict]:
    """One page of matching items for a table."""
    where, params = item_where(filters)
    order = ITEM_SORTS.get(sort, ITEM_SORTS["newest"])
    rows = conn.execute(f"{_ITEM_SELECT} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
                        [*params, max(1, limit), max(0, offset)]).fetchall()
    return [_item_row(r) for r in rows]


# -- incidents ----------------------------------------------------------------

_INCIDENT_SELECT = ("SELECT n.id, n.title, n.first_date, n.last_date, n.report_count, "
                    "n.outlet_count, n.latest_action, n.latest_action_date, n.companies, "
                    "n.violations, n.lifecycle FROM incidents n")


def _incident_row(row: tuple) -> dict:
    (incident_id, title, first_date, last_date, reports, outlets, latest_action,
     latest_date, companies, violations, lifecycle) = row
    company_roles = json.loads(companies or "[]")
    return {
        "incident": incident_id, "title": title, "first_date": first_date,
        "last_date": last_date, "report_count": reports, "outlet_count": outlets,
        "latest_action": latest_action or "", "latest_action_date": latest_date or "",
        "company_roles": company_roles,
        "companies": _joined(f"{c['name']} ({c['role']})" for c in company_roles),
        "violation_ids": json.loads(violations or "[]"),
        "violations": _joined(json.loads(violations or "[]")),
        "lifecycle": json.loads(lifecycle or "[]"),
    }


def iter_incident_rows(conn: sqlite3.Connection, filters: Filters) -> Iterator[dict]:
    """Every matching incident, oldest first (keys: INCIDENT_COLUMNS and more)."""
    where, params = incident_where(filters)
    cursor = conn.execute(f"{_INCIDENT_SELECT} WHERE {where} ORDER BY n.first_date, n.id",
                          params)
    for row in cursor:
        out = _incident_row(row)
        out["first_url"] = _first_url(conn, out["incident"])
        yield out


def _first_url(conn: sqlite3.Connection, incident_id: str) -> str:
    row = conn.execute("SELECT link FROM items WHERE incident_id = ? "
                       "ORDER BY published, id LIMIT 1", [incident_id]).fetchone()
    return row[0] if row else ""


def count_incidents(conn: sqlite3.Connection, filters: Filters) -> int:
    where, params = incident_where(filters)
    return conn.execute(f"SELECT COUNT(*) FROM incidents n WHERE {where}",
                        params).fetchone()[0]


def incident_page(conn: sqlite3.Connection, filters: Filters, *, offset: int = 0,
                  limit: int = 50) -> list[dict]:
    """The most recently active matching incidents, one page."""
    where, params = incident_where(filters)
    rows = conn.execute(
        f"{_INCIDENT_SELECT} WHERE {where} ORDER BY n.last_date DESC, n.id LIMIT ? OFFSET ?",
        [*params, max(1, limit), max(0, offset)]).fetchall()
    return [_incident_row(r) for r in rows]


def resolve_incident(conn: sqlite3.Connection, incident_id: str) -> str:
    """Follow merges: the id an old link's incident lives under now."""
    seen = {incident_id}
    current = incident_id
    while True:
        row = conn.execute("SELECT new_id FROM incident_aliases WHERE old_id = ?",
                           [current]).fetchone()
        if row is None or row[0] in seen:
            return current
        current = row[0]
        seen.add(current)


def incident_detail(conn: sqlite3.Connection, incident_id: str) -> dict | None:
    row = conn.execute(f"{_INCIDENT_SELECT} WHERE n.id = ?", [incident_id]).fetchone()
    return _incident_row(row) if row else None


@dataclass(frozen=True)
class Report:
    item_id: int
    published: str
    title: str
    url: str
    source: str
    action: str
    companies: tuple[str, ...]
    violations: tuple[str, ...]
    roles: dict
    evidence: dict


def incident_reports(conn: sqlite3.Connection, incident_id: str) -> list[Report]:
    """Every report of one incident, first report first."""
    rows = conn.execute(
        "SELECT id, published, title, link, source, action, companies, violations, roles, "
        "evidence FROM items WHERE incident_id = ? ORDER BY published, id",
        [incident_id]).fetchall()
    return [Report(r[0], r[1], r[2], r[3], r[4], r[5] or "", tuple(json.loads(r[6] or "[]")),
                   tuple(json.loads(r[7] or "[]")), json.loads(r[8] or "{}"),
                   json.loads(r[9] or "{}")) for r in rows]


def new_incidents(conn: sqlite3.Connection, filters: Filters, since: str,
                  limit: int = 500) -> list[dict]:
    """Matching incidents whose first report reached the archive at or after `since` (ISO)."""
    where, params = incident_where(filters)
    rows = conn.execute(
        f"{_INCIDENT_SELECT} JOIN (SELECT incident_id, MIN(first_seen) AS seen FROM items "
        "WHERE incident_id IS NOT NULL GROUP BY incident_id) s ON s.incident_id = n.id "
        f"WHERE s.seen >= ? AND {where} ORDER BY n.first_date DESC, n.id LIMIT ?",
        [since, *params, limit]).fetchall()
    out = [_incident_row(r) for r in rows]
    for row in out:
        row["first_url"] = _first_url(conn, row["incident"])
    return out


# -- options, watches, audit -------------------------------------------

def company_options(conn: sqlite3.Connection, limit: int = 500) -> list[str]:
    """Companies that occur in items, most frequent first (for pickers)."""
    rows = conn.execute("SELECT company FROM item_companies GROUP BY company "
                        "ORDER BY COUNT(*) DESC, company LIMIT ?", [limit]).fetchall()
    return [r[0] for r in rows]


def source_options(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sources UNION SELECT DISTINCT source FROM items "
                        "ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def list_watches(conn: sqlite3.Connection) -> list[dict]:
    rows = conn.execute("SELECT name, filters, who, created_at FROM watches "
                        "ORDER BY name").fetchall()
    return [{"name": n, "filters": Filters.from_params(json.loads(f or "{}")), "who": w,
             "created_at": at} for n, f, w, at in rows]


def audit_entries(conn: sqlite3.Connection, *, limit: int = 200,
                  targets: Sequence[str] = ()) -> list[dict]:
    """The newest corrections first; `targets` narrows to some ("item:12", "incident:x")."""
    where, params = "1", []
    if targets:
        where = f"target IN ({','.join('?' * len(targets))})"
        params = list(targets)
    rows = conn.execute(f"SELECT at, who, action, target, detail FROM audit_log WHERE {where} "
                        "ORDER BY id DESC LIMIT ?", [*params, limit]).fetchall()
    return [{"at": at, "who": who, "action": action, "target": target, "detail": detail}
            for at, who, action, target, detail in rows]


def archive_size(conn: sqlite3.Connection) -> int:
    """How many items the archive holds; 0 for an empty or schema-less file."""
    try:
        return conn.execute("SELECT COUNT(*) FROM items").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
