"""Per-source health, read from the sources table (for `tracker sources` and the dashboard)."""
from __future__ import annotations

import sqlite3

HEALTH_COLUMNS = ("name", "status", "last_success", "consecutive_failures", "items_last_run",
                  "items_total", "last_error", "next_due", "kind", "url", "last_attempt")


def source_health(conn: sqlite3.Connection) -> list[dict]:
    """Failing sources first, then by name."""
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute(
            f"SELECT {', '.join(HEALTH_COLUMNS)} FROM sources "
            "ORDER BY status = 'failed' DESC, consecutive_failures DESC, name").fetchall()
    finally:
        conn.row_factory = None
    return [dict(r) for r in rows]


def format_sources_table(rows: list[dict]) -> str:
    """A plain-text table for a terminal."""
    if not rows:
        return "no sources yet: run `python -m tracker scrape` first"
    cols = ("name", "status", "last_success", "consecutive_failures", "items_last_run",
            "items_total", "last_error")
    heads = ("source", "status", "last success", "fails", "new", "total", "last error")
    cells = [[_cell(r.get(c)) for c in cols] for r in rows]
    widths = [min(max(len(h), *(len(row[i]) for row in cells)), 60) for i, h in enumerate(heads)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c[:w].ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("\n", " ")
