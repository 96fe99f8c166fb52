"""The CLI's commands: each declares its arguments and makes one call into the core."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tracker import cli
from tracker.errors import InputError


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# -- scrape -------------------------------------------------------------------

def _scrape_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sources", type=Path, default=cli.default_sources(),
                   help="sources file (default: data/sources.toml)")
    p.add_argument("--only", action="append", default=[], metavar="NAME",
                   help="scrape only this source (repeatable)")
    p.add_argument("--force", action="store_true",
                   help="ignore per-source intervals, Cache-Control and back-off")
    p.add_argument("--workers", type=int, default=16, help="sources fetched at once (16)")
    p.add_argument("--log-file", type=Path, help="also append the log to this file")
    p.add_argument("--verbose", action="store_true", help="log every source, not only failures")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on a terminal")


def _scrape(args: argparse.Namespace) -> int:
    from scrapers.http import HttpClient
    from tracker import known_cases
    from tracker.config import load_config
    from tracker.pipeline import run_scrape, select_sources
    from tracker.progress import ProgressBar
    from tracker.runlock import scrape_lock
    from tracker.store import open_store
    from tracker.taxonomy import load_taxonomy

    config = load_config(args.sources)
    specs = select_sources(config.sources, args.only)
    taxonomy = load_taxonomy()
    known = known_cases.load()
    bar = ProgressBar("scrape") if not args.no_progress else None
    with open_store(args.db) as store, scrape_lock(args.db), HttpClient(config.http) as client:
        summary = run_scrape(store, specs, client, taxonomy, force=args.force or bool(args.only),
                             progress=bar, max_workers=args.workers, known=known)
    if bar:
        bar.close()
    for name, error in summary.failures:
        print(f"failed: {name}: {error}", file=sys.stderr)
    print(summary.line(), file=sys.stderr)
    return summary.exit_code


# -- tag ------------------------------------------------------------------------

def _tag_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--all", action="store_true",
                   help="re-tag every item (after a taxonomy change); corrections are kept")


def _tag(args: argparse.Namespace) -> int:
    from tracker import known_cases
    from tracker.pipeline import retag_all, tag_pending
    from tracker.store import open_store
    from tracker.taxonomy import load_taxonomy

    cli.require_existing_db(args.db)
    taxonomy = load_taxonomy()
    known = known_cases.load()
    with open_store(args.db) as store:
        count = (retag_all(store, taxonomy, known=known) if args.all
                 else tag_pending(store, taxonomy, known=known))
    print(f"tagged {count} items", file=sys.stderr)
    return cli.EXIT_OK


# -- export -------------------------------------------------------------------

def _export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, help="CSV file to write, or - for stdout")
    p.add_argument("--company", action="append", default=[], metavar="NAME",
                   help="only items naming this company, canonical name (repeatable)")
    p.add_argument("--violation", action="append", default=[], metavar="ID",
                   help="only items of this violation type id (repeatable)")
    p.add_argument("--action", action="append", default=[], metavar="ID", dest="actions",
                   help="only items with this action id (repeatable)")
    p.add_argument("--source", action="append", default=[], metavar="NAME",
                   help="only items from this source (repeatable)")
    p.add_argument("--since", type=cli.parse_date, help="first day, YYYY-MM-DD")
    p.add_argument("--until", type=cli.parse_date, help="last day, YYYY-MM-DD")
    p.add_argument("--query", default="", help="full-text search over title, summary, text")
    p.add_argument("--incidents", action="store_true",
                   help="one row per incident instead of one per item")


def _export(args: argparse.Namespace) -> int:
    from tracker import queries
    from tracker.export import write_csv
    from tracker.store import connect

    cli.require_existing_db(args.db)
    filters = queries.Filters(since=args.since, until=args.until, companies=tuple(args.company),
                              violations=tuple(args.violation), actions=tuple(args.actions),
                              sources=tuple(args.source), text=args.query)
    _check_known_ids(filters)
    rows, columns = ((queries.iter_incident_rows, queries.INCIDENT_COLUMNS) if args.incidents
                     else (queries.iter_item_rows, queries.ITEM_COLUMNS))
    conn = connect(args.db, readonly=True)
    try:
        with _open_out(args.out) as out:
            count = write_csv(rows(conn, filters), out, columns)
    finally:
        conn.close()
    print(f"wrote {count} rows", file=sys.stderr)
    return cli.EXIT_OK


def _check_known_ids(filters) -> None:
    from tracker.models import ACTIONS, VIOLATIONS
    for value, known, what in ((filters.violations, VIOLATIONS, "violation type"),
                               (filters.actions, ACTIONS, "action")):
        bad = [v for v in value if v not in known]
        if bad:
            raise InputError(f"unknown {what} {bad[0]!r}; known: {', '.join(known)}")


class _open_out:
    """stdout for '-', else a file written whole or not at all (temp file, then rename)."""

    def __init__(self, target: str):
        self.target = target

    def __enter__(self):
        if self.target == "-":
            return sys.stdout
        self.path = Path(self.target)
        if not self.path.parent.is_dir():
            raise InputError(f"output directory does not exist: {self.path.parent}")
        self.tmp = self.path.with_name(self.path.name + ".partial")
        self.fh = open(self.tmp, "w", encoding="utf-8", newline="")
        return self.fh

    def __exit__(self, exc_type, *rest) -> None:
        if self.target == "-":
            sys.stdout.flush()
            return
        self.fh.close()
        if exc_type is None:
            self.tmp.replace(self.path)
        else:
            self.tmp.unlink(missing_ok=True)


# -- classify -----------------------------------------------------------------

def _classify(args: argparse.Namespace) -> int:
    from tracker import known_cases
    from tracker.classify import classify_stream
    from tracker.taxonomy import load_taxonomy

    for line in classify_stream(sys.stdin, load_taxonomy(), known_cases.load()):
        sys.stdout.write(line + "\n")
    return cli.EXIT_OK


# -- demo, sources, backup, digest, feed ------------------------------------------

def _demo_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--force", action="store_true",
                   help="replace the database even if it holds items from live sources")


def _demo(args: argparse.Namespace) -> int:
    from tracker import known_cases
    from tracker.demo import build_demo

    summary = build_demo(args.db, force=args.force, known=known_cases.load())
    print(f"demo database ready at {args.db}: {summary.line()}", file=sys.stderr)
    return cli.EXIT_OK if summary.exit_code == 0 else cli.EXIT_FAILURE


def _sources(args: argparse.Namespace) -> int:
    from tracker.health import format_sources_table, source_health
    from tracker.store import connect

    cli.require_existing_db(args.db)
    conn = connect(args.db, readonly=True)
    try:
        print(format_sources_table(source_health(conn)))
    finally:
        conn.close()
    return cli.EXIT_OK


def _backup_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", type=Path, help="where to write the copy")


def _backup(args: argparse.Namespace) -> int:
    from tracker.store import open_store

    cli.require_existing_db(args.db)
    with open_store(args.db) as store:
        store.backup(args.path)
    print(f"backed up {args.db} to {args.path}", file=sys.stderr)
    return cli.EXIT_OK


def _digest_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", type=cli.parse_since, default="1d",
                   help="new incidents since: 1d, 12h, 2w or YYYY-MM-DD (default 1d)")
    p.add_argument("--out", type=Path, default=Path("digests"), help="folder (default digests/)")


def _digest(args: argparse.Namespace) -> int:
    from tracker.digest import write_digest
    from tracker.store import connect

    cli.require_existing_db(args.db)
    if not args.out.is_dir():
        raise InputError(f"output folder does not exist: {args.out}")
    conn = connect(args.db, readonly=True)
    try:
        paths = write_digest(conn, args.since, args.out)
    finally:
        conn.close()
    for path in paths:
        print(path)
    return cli.EXIT_OK


def _feed_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, required=True, help="Atom file to write")
    p.add_argument("--since", type=cli.parse_since, default="7d",
                   help="incidents first reported since (default 7d)")


def _feed(args: argparse.Namespace) -> int:
    from tracker.digest import write_atom_feed
    from tracker.store import connect

    cli.require_existing_db(args.db)
    if not args.out.parent.is_dir():
        raise InputError(f"output directory does not exist: {args.out.parent}")
    conn = connect(args.db, readonly=True)
    try:
        write_atom_feed(conn, args.since, args.out)
    finally:
        conn.close()
    print(f"wrote {args.out}", file=sys.stderr)
    return cli.EXIT_OK


def _no_args(p: argparse.ArgumentParser) -> None:
    """This command takes only --db."""


COMMANDS: tuple[Command, ...] = (
    Command("scrape", "fetch enabled sources, store new items, tag and group them",
            _scrape_args, _scrape),
    Command("tag", "tag new items (or all with --all), keeping manual corrections",
            _tag_args, _tag),
    Command("export", "write matching items (or incidents) as CSV", _export_args, _export),
    Command("classify", "JSON Lines items on stdin → labels on stdout (no database needed)",
            _no_args, _classify),
    Command("demo", "(re)build the demo database from the bundled corpus, offline",
            _demo_args, _demo),
    Command("sources", "show each source's health as a table", _no_args, _sources),
    Command("backup", "consistent copy of the database, safe during a scrape",
            _backup_args, _backup),
    Command("digest", "Markdown and HTML digest of new incidents per watchlist",
            _digest_args, _digest),
    Command("feed", "Atom feed of new incidents", _feed_args, _feed),
)
