"""Render every dashboard page with Streamlit's AppTest at 1k, 10k and 100k items.

    python -m bench.dashboard [--sizes 1000 10000 100000] [--out bench/out]

For each size a synthetic database is generated once (bench.generate) and
kept in --out. Each page is timed twice: its first render with a cold cache,
and a filter change (a violation type picked in the sidebar) after it. The
targets (issue 5): first render ≤ 2 s, filter change ≤ 1 s at 100k items,
and a 100k/1k ratio of first-render times ≤ 3. Exit status 1 if one is missed.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from bench.generate import generate

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "app.py")
PAGES = ("overview", "timeline", "incident", "company", "items", "sources", "quality",
         "watches", "audit")
FIRST_RENDER_S, FILTER_CHANGE_S, RATIO = 2.0, 1.0, 3.0


def database(out: Path, size: int) -> Path:
    path = out / f"dashboard-{size}.db"
    if not path.exists():
        started = time.perf_counter()
        generate(path, size)
        print(f"generated {size:,} items in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
    return path


def some_incident(db: Path) -> str:
    from tracker.store import connect
    conn = connect(db, readonly=True)
    try:
        return conn.execute("SELECT id FROM incidents ORDER BY report_count DESC "
                            "LIMIT 1").fetchone()[0]
    finally:
        conn.close()


def render(page: str, incident: str) -> tuple[float, float, int, int]:
    """(first render, filter change) in seconds, for one page on a cold cache, and what the
    first render sends: chart bytes and table rows."""
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    if page == "incident":
        at.query_params["incident"] = incident
    at.switch_page(f"app_pages/{page}.py")
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    _check(at, page)
    chart_bytes = sum(len(c.proto.spec) for c in at.get("plotly_chart"))
    table_rows = sum(len(d.value) for d in at.dataframe)
    started = time.perf_counter()
    at.multiselect(key="type").select("copyright").run()
    change = time.perf_counter() - started
    _check(at, page)
    return first, change, chart_bytes, table_rows


def _check(at: AppTest, page: str) -> None:
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].value}")


def measure(db: Path, repeat: int) -> dict[str, tuple[float, float, int, int]]:
    os.environ["TRACKER_DB"] = str(db)
    incident = some_incident(db)
    out = {}
    for page in PAGES:
        runs = [render(page, incident) for _ in range(repeat)]
        out[page] = (statistics.median(r[0] for r in runs),
                     statistics.median(r[1] for r in runs), runs[0][2], runs[0][3])
    return out


def report(results: dict[int, dict[str, tuple[float, float, int, int]]]) -> bool:
    sizes = sorted(results)
    small, large = sizes[0], sizes[-1]
    head = "".join(f"{f'{s:,} first':>14}{'change':>9}" for s in sizes)
    print(f"{'page':<10}{head}{'ratio':>8}  sent at {large:,}: charts, table rows")
    ok = True
    for page in PAGES:
        cells = "".join(f"{results[s][page][0]:>14.3f}{results[s][page][1]:>9.3f}"
                        for s in sizes)
        ratio = results[large][page][0] / max(results[small][page][0], 1e-3)
        first, change, chart_bytes, rows = results[large][page]
        good = first <= FIRST_RENDER_S and change <= FILTER_CHANGE_S and ratio <= RATIO
        ok &= good
        print(f"{page:<10}{cells}{ratio:>8.2f}  {'ok    ' if good else 'MISSED'}"
              f"{chart_bytes / 1024:>8.0f} kB{rows:>6}")
    print(f"targets at {large:,} items: first render ≤ {FIRST_RENDER_S} s, filter change ≤ "
          f"{FILTER_CHANGE_S} s, ratio {large:,}/{small:,} ≤ {RATIO}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000],
                        help="archive sizes in items (default 1000 10000 100000)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out",
                        help="folder for the generated databases (default bench/out)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per page; median kept")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    dbs = {size: database(args.out, size) for size in sorted(args.sizes)}
    measure(dbs[min(dbs)], 1)  # warm-up: imports and first-use costs are not the archive's
    results = {size: measure(db, args.repeat) for size, db in dbs.items()}
    return 0 if report(results) else 1


if __name__ == "__main__":
    sys.exit(main())
