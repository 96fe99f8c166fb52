"""Build the demo database from the bundled corpus, through the real pipeline, offline.

The corpus is a set of feed files and an HTML listing under data/demo/; its
sources file points at them with file:// URLs, so the same scrapers, tagger
and grouper that handle live news build the demo. The new database is built
beside the target and renamed over it, so a failed build never leaves half a
demo behind and a running dashboard simply sees the new file.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path

from scrapers.http import HttpClient
from tracker.config import DEMO_DIR, load_config
from tracker.errors import InputError, StoreError
from tracker.pipeline import RunSummary, run_scrape
from tracker.store import connect, open_store
from tracker.taxonomy import load_taxonomy

_SIDE_FILES = ("-wal", "-shm", "-journal")


def build_demo(db_path: Path, demo_dir: Path = DEMO_DIR, *, force: bool = False,
               known: Mapping[str, dict] | None = None) -> RunSummary:
    """Build the demo database at `db_path`, grouping against the `known` cases as a
    scrape (and a later `tag --all`) of the same database does."""
    if not db_path.parent.is_dir():
        raise StoreError(f"database directory does not exist: {db_path.parent}")
    config = load_config(demo_dir / "sources.toml")
    if not force:
        _refuse_to_replace_live_data(db_path, {s.name for s in config.sources})
    building = db_path.with_name(db_path.name + ".building")
    _remove_with_side_files(building)
    with open_store(building) as store, HttpClient(config.http) as client:
        summary = run_scrape(store, config.sources, client, load_taxonomy(), force=True,
                             known=known)
    if summary.exit_code == 0:
        _remove_with_side_files(db_path)
        os.replace(building, db_path)
    return summary


def _refuse_to_replace_live_data(db_path: Path, demo_sources: set[str]) -> None:
    """Rebuilding over a database that holds scraped news would lose it: say so instead."""
    if not db_path.exists():
        return
    conn = connect(db_path, readonly=True)
    try:
        names = {r[0] for r in conn.execute("SELECT DISTINCT source FROM items")}
    except sqlite3.DatabaseError:
        names = {"(not a tracker database)"}
    finally:
        conn.close()
    live = names - demo_sources
    if live:
        raise InputError(f"refusing to replace {db_path}: it holds items from "
                         f"{len(live)} non-demo source(s); choose another --db or pass --force")


def _remove_with_side_files(path: Path) -> None:
    for suffix in ("", *_SIDE_FILES):
        Path(str(path) + suffix).unlink(missing_ok=True)
