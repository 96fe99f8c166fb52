"""Chart series: aggregation happens in SQL (GROUP BY over indexed tables), so a
chart receives a few hundred numbers whatever the size of the archive.

Every function takes a connection and a Filters value and returns plain rows.
"""
from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tracker.filters import Filters, incident_where, item_where
from tracker.models import VIOLATIONS


@dataclass(frozen=True)
class Counts:
    incidents: int
    reports: int
    items: int
    new_day: int
    new_week: int


def overview_counts(conn: sqlite3.Connection, f: Filters, now: datetime) -> Counts:
    """Totals for the filtered view, and incidents first seen in the last day / week."""
    n_where, n_params = incident_where(f)
    incidents, reports = conn.execute(
        f"SELECT COUNT(*), COALESCE(SUM(report_count), 0) FROM incidents n WHERE {n_where}",
        n_params).fetchone()
    i_where, i_params = item_where(f)
    items = conn.execute(f"SELECT COUNT(*) FROM items i WHERE {i_where}", i_params).fetchone()[0]
    day, week = (_iso(now - timedelta(days=1)), _iso(now - timedelta(days=7)))
    scope, scope_params = _incident_scope(f, "incident_id")
    # Only incidents with an item seen this week can be new: find those first (one scan),
    # then check that none of their items is older.
    new_day, new_week = conn.execute(
        "SELECT COALESCE(SUM(seen >= ?), 0), COALESCE(SUM(seen >= ?), 0) FROM ("
        "SELECT MIN(first_seen) AS seen FROM items WHERE incident_id IN ("
        "SELECT incident_id FROM items NOT INDEXED WHERE first_seen >= ? "
        f"AND incident_id IS NOT NULL){scope} GROUP BY incident_id)",
        [day, week, week, *scope_params]).fetchone()
    return Counts(incidents, reports, items, new_day, new_week)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _incident_scope(f: Filters, column: str) -> tuple[str, list]:
    """' AND column IN (matching incidents)', or nothing when every incident matches
    (skipping the join is what keeps the unfiltered overview fast)."""
    where, params = incident_where(f)
    if where == "1":
        return "", []
    return f" AND {column} IN (SELECT n.id FROM incidents n WHERE {where})", params


def _type_filter(f: Filters, column: str) -> tuple[str, list]:
    """Restrict a per-type breakdown to the chosen types, when types are filtered."""
    if not f.violations:
        return "", []
    return f" AND {column} IN ({','.join('?' * len(f.violations))})", list(f.violations)


def _top(rows: list[tuple[str, str, int]], limit: int) -> list[tuple[str, str, int]]:
    """Keep the rows of the `limit` companies with the largest totals."""
    totals: Counter[str] = Counter()
    for company, _, count in rows:
        totals[company] += count
    keep = {c for c, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]}
    return [r for r in rows if r[0] in keep]


def incidents_by_month(conn: sqlite3.Connection, f: Filters) -> list[tuple[str, str, int]]:
    """(month 'YYYY-MM', violation, incidents first reported that month)."""
    where, params = incident_where(f)
    extra, extra_params = _type_filter(f, "j.value")
    # The incident row's own JSON list of types: one table scan, no join.
    return conn.execute(
        "SELECT substr(n.first_date, 1, 7) AS month, j.value, COUNT(*) "
        f"FROM incidents n, json_each(n.violations) j WHERE {where}{extra} "
        "GROUP BY month, j.value ORDER BY month", [*params, *extra_params]).fetchall()


def top_companies(conn: sqlite3.Connection, f: Filters,
                  limit: int = 15) -> list[tuple[str, str, int]]:
    """(company, role, incidents) for the companies in the most matching incidents."""
    scope, params = _incident_scope(f, "c.incident_id")
    rows = conn.execute(
        f"SELECT c.company, c.role, COUNT(*) FROM incident_companies c WHERE 1{scope} "
        "GROUP BY c.company, c.role", params).fetchall()
    return _top(rows, limit)


def company_type_matrix(conn: sqlite3.Connection, f: Filters,
                        limit: int = 15) -> list[tuple[str, str, int]]:
    """(company, violation, incidents) for the most involved companies."""
    scope, params = _incident_scope(f, "c.incident_id")
    extra, extra_params = _type_filter(f, "v.violation")
    rows = conn.execute(
        "SELECT c.company, v.violation, COUNT(*) FROM incident_companies c "
        f"JOIN incident_violations v ON v.incident_id = c.incident_id WHERE 1{scope}{extra} "
        "GROUP BY c.company, v.violation", [*params, *extra_params]).fetchall()
    return _top(rows, limit)


# -- timeline -----------------------------------------------------------------

@dataclass(frozen=True)
class TimelinePoint:
    row: str           # the company or type this marker sits on
    date: str
    incident: str
    incident_title: str
    action: str
    outlet: str
    report_title: str
    violation: str     # decides the colour


@dataclass(frozen=True)
class Timeline:
    points: list[TimelinePoint] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)  # top to bottom
    shown: int = 0
    total: int = 0


def timeline(conn: sqlite3.Connection, f: Filters, *, by: str = "company",
             limit: int = 150, max_rows: int = 20) -> Timeline:
    """Lifecycle markers of the most recently active incidents, one row per company or type."""
    where, params = incident_where(f)
    total = conn.execute(f"SELECT COUNT(*) FROM incidents n WHERE {where}",
                         params).fetchone()[0]
    rows = conn.execute(
        "SELECT n.id, n.title, n.companies, n.violations, n.lifecycle FROM incidents n "
        f"WHERE {where} ORDER BY n.last_date DESC, n.id LIMIT ?", [*params, limit]).fetchall()
    keyed = [(r[0], r[1], _row_keys(r, by, f), json.loads(r[3] or "[]"),
              json.loads(r[4] or "[]")) for r in rows]
    counts = Counter(k for _, _, keys, _, _ in keyed for k in keys)
    kept = [k for k, _ in counts.most_common(max_rows)]
    points = [p for incident in keyed for p in _points(incident, set(kept), by)]
    order = kept if by == "company" else [v for v in VIOLATIONS if v in kept]
    return Timeline(points, order, len(rows), total)


def _row_keys(row: tuple, by: str, f: Filters) -> list[str]:
    if by == "violation":
        keys = json.loads(row[3] or "[]")
        return [k for k in keys if not f.violations or k in f.violations]
    names = [c["name"] for c in json.loads(row[2] or "[]")]
    return [n for n in names if not f.companies or n in f.companies] or names


def _points(incident: tuple, kept: set[str], by: str) -> list[TimelinePoint]:
    incident_id, title, keys, violations, lifecycle = incident
    primary = violations[0] if violations else ""
    out = []
    for key in (k for k in keys if k in kept):
        colour = key if by == "violation" else primary
        out += [TimelinePoint(key, step.get("date", "")[:10], incident_id, title,
                              step.get("action") or "report", step.get("source", ""),
                              step.get("title", title), colour)
                for step in lifecycle]
    return out


# -- one company ----------------------------------------------------------------

@dataclass(frozen=True)
class CompanyProfile:
    by_month: list[tuple[str, str, int]]   # (month, violation, incidents)
    by_role: list[tuple[str, str, int]]    # (year, role, incidents)
    linked: list[tuple[str, int]]          # (other company, shared incidents)
    incidents: int


def company_profile(conn: sqlite3.Connection, company: str, f: Filters,
                    linked_limit: int = 12) -> CompanyProfile:
    """A company's incidents over time by type, as accused and as accuser, and its links."""
    where, params = incident_where(f.without_companies())
    joins = "FROM incident_companies c JOIN incidents n ON n.id = c.incident_id"
    base = f"{joins} WHERE c.company = ? AND {where}"
    extra, extra_params = _type_filter(f, "v.violation")
    by_month = conn.execute(
        "SELECT substr(n.first_date, 1, 7) AS month, v.violation, COUNT(*) "
        f"{joins} JOIN incident_violations v ON v.incident_id = n.id "
        f"WHERE c.company = ? AND {where}{extra} GROUP BY month, v.violation ORDER BY month",
        [company, *params, *extra_params]).fetchall()
    by_role = conn.execute(
        f"SELECT substr(n.first_date, 1, 4) AS year, c.role, COUNT(*) {base} "
        "GROUP BY year, c.role ORDER BY year", [company, *params]).fetchall()
    linked = conn.execute(
        "SELECT o.company, COUNT(*) FROM incident_companies o WHERE o.company != ? AND "
        f"o.incident_id IN (SELECT c.incident_id {base}) GROUP BY o.company "
        "ORDER BY COUNT(*) DESC, o.company LIMIT ?",
        [company, company, *params, linked_limit]).fetchall()
    total = conn.execute(f"SELECT COUNT(*) {base}", [company, *params]).fetchone()[0]
    return CompanyProfile(by_month, by_role, linked, total)


def company_incidents(conn: sqlite3.Connection, company: str, f: Filters,
                      limit: int = 50) -> list[dict]:
    """The company's most recently active incidents, with its role in each."""
    where, params = incident_where(f.without_companies())
    rows = conn.execute(
        "SELECT n.id, n.first_date, n.title, c.role, n.violations, n.report_count, "
        "n.latest_action, n.last_date FROM incident_companies c "
        f"JOIN incidents n ON n.id = c.incident_id WHERE c.company = ? AND {where} "
        "ORDER BY n.last_date DESC, n.id LIMIT ?", [company, *params, limit]).fetchall()
    return [{"incident": r[0], "first_date": r[1], "title": r[2], "role": r[3],
             "violations": json.loads(r[4] or "[]"), "report_count": r[5],
             "latest_action": r[6] or "", "last_date": r[7]} for r in rows]
