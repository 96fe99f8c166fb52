"""The one module that writes the database (SQLite through sqlite-utils).

Every write runs inside `Store.write()`: one `BEGIN IMMEDIATE` transaction,
so a source's items land whole or not at all, and a `kill -9` leaves the
file as it was at the last commit. WAL mode lets the dashboard read while a
scrape writes; the busy timeout makes a second writer wait, not fail.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils

from scrapers.types import RawItem, SourceFetch, SourceSpec, Validators
from tracker.errors import StoreError
from tracker.models import Tags
from tracker.schema import MIGRATIONS
from tracker.urls import canonical_url

BUSY_TIMEOUT_MS = 30_000
# After this many failures in a row a source is tried less often (hours, doubling, capped).
BACKOFF_AFTER = 3
BACKOFF_MAX = timedelta(days=7)


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    """A plain connection with the project's pragmas; for readers (one per thread)."""
    path = Path(path)
    try:
        if readonly:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                   check_same_thread=False)
        else:
            conn = sqlite3.connect(path, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    except sqlite3.Error as e:
        raise StoreError(f"cannot open database {path}: {e}") from e
    return conn


@dataclass(frozen=True)
class SaveResult:
    new_ids: tuple[int, ...]
    updated_ids: tuple[int, ...]


@dataclass(frozen=True)
class TagRow:
    """An item as the tagging step needs it."""

    id: int
    url: str
    title: str
    summary: str
    body: str
    published: str
    source: str


class Store:
    """The database, opened for writing. Create with `open_store`."""

    def __init__(self, db: sqlite_utils.Database, path: Path):
        self.db = db
        self.path = path

    # -- transactions -------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One immediate transaction: takes the write lock up front, so it never deadlocks."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- sources ------------------------------------------------------------

    def sync_sources(self, specs: Sequence[SourceSpec]) -> None:
        """Make the sources table know every configured source (state is kept)."""
        with self.write() as conn:
            conn.executemany(
                "INSERT INTO sources(name, url, kind, enabled) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET url = excluded.url, kind = excluded.kind, "
                "enabled = excluded.enabled",
                [(s.name, s.url, s.kind, int(s.enabled)) for s in specs])

    def validators(self) -> dict[str, Validators]:
        rows = self.db.execute("SELECT name, etag, last_modified FROM sources").fetchall()
        return {name: Validators(etag, lm) for name, etag, lm in rows}

    def not_due(self, now: datetime) -> set[str]:
        """Sources whose interval, max-age or back-off says: not yet."""
        rows = self.db.execute(
            "SELECT name FROM sources WHERE next_due IS NOT NULL AND next_due > ?", [iso(now)])
        return {r[0] for r in rows}

    def save_fetch(self, fetch: SourceFetch, spec: SourceSpec, now: datetime) -> SaveResult:
        """Store one source's outcome and items in one transaction."""
        with self.write() as conn:
            result = self._upsert_items(conn, fetch.items, fetch.source, now) \
                if fetch.status == "new" else SaveResult((), ())
            self._record_source(conn, fetch, spec, now, len(result.new_ids))
        return result

    def _record_source(self, conn, fetch: SourceFetch, spec: SourceSpec, now: datetime,
                       added: int) -> None:
        failures = conn.execute("SELECT consecutive_failures FROM sources WHERE name = ?",
                                [fetch.source]).fetchone()
        failures = (failures[0] if failures else 0) + 1 if fetch.status == "failed" else 0
        ok = fetch.status in ("new", "unchanged")
        conn.execute(
            "UPDATE sources SET status = ?, last_attempt = ?, last_success = "
            "CASE WHEN ? THEN ? ELSE last_success END, last_error = ?, "
            "consecutive_failures = ?, items_last_run = ?, items_total = items_total + ?, "
            "etag = CASE WHEN ? THEN ? ELSE etag END, "
            "last_modified = CASE WHEN ? THEN ? ELSE last_modified END, next_due = ? "
            "WHERE name = ?",
            ["ok" if fetch.status == "new" else fetch.status, iso(now), ok, iso(now),
             fetch.error, failures, added, added,
             fetch.status == "new", fetch.validators.etag,
             fetch.status == "new", fetch.validators.last_modified,
             _next_due(fetch, spec, now, failures), fetch.source])

    def _upsert_items(self, conn, items: Iterable[RawItem], source: str,
                      now: datetime) -> SaveResult:
        """Insert new items and update changed ones, in batches (one statement per kind)."""
        rows = _storable({canonical_url(i.url): i for i in items})
        existing = _existing_hashes(conn, list(rows))
        digests = {url: _content_hash(item) for url, item in rows.items()}
        fresh = [url for url in rows if url not in existing]
        changed = [url for url in rows if url in existing and existing[url][1] != digests[url]]
        _insert_items(conn, [(url, rows[url], digests[url]) for url in fresh], source, now)
        _update_items(conn, [(existing[u][0], rows[u], digests[u]) for u in changed], now)
        conn.executemany("UPDATE items SET last_seen = ? WHERE id = ?",
                         [(iso(now), existing[u][0]) for u in rows
                          if u in existing and u not in changed])
        new_ids = _existing_hashes(conn, fresh)
        return SaveResult(tuple(new_ids[u][0] for u in fresh),
                          tuple(existing[u][0] for u in changed))

    # -- tagging ------------------------------------------------------------

    def untagged(self, limit: int) -> list[TagRow]:
        rows = self.db.execute(
            "SELECT id, url, title, summary, body, published, source FROM items "
            "WHERE tagged_at IS NULL ORDER BY published, id LIMIT ?", [limit]).fetchall()
        return [TagRow(*r) for r in rows]

    def mark_all_untagged(self) -> None:
        """Start a full re-tag: forget machine labels and groups, keep analysts' overrides."""
        with self.write() as conn:
            conn.execute("UPDATE items SET tagged_at = NULL, incident_id = NULL")
            for table in ("incidents", "incident_companies", "incident_violations"):
                conn.execute(f"DELETE FROM {table}")

    def overrides_for(self, item_ids: Sequence[int]) -> dict[int, dict[str, object]]:
        out: dict[int, dict[str, object]] = {}
        for chunk in _chunks(item_ids, 500):
            marks = ",".join("?" * len(chunk))
            for item_id, field, value in self.db.execute(
                    f"SELECT item_id, field, value FROM overrides WHERE item_id IN ({marks})",
                    chunk):
                out.setdefault(item_id, {})[field] = json.loads(value)
        return out

    def incident_states(self) -> list[tuple[str, dict]]:
        rows = self.db.execute("SELECT id, state FROM incidents WHERE state != '{}'")
        return [(i, json.loads(s)) for i, s in rows]

    def incident_aliases(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT old_id, new_id FROM incident_aliases").fetchall())

    def save_tags(self, tagged: Sequence[tuple[int, Tags, str | None]],
                  states: Mapping[str, dict], now: datetime) -> None:
        """Write a batch of labels and the grouper's memory, then refresh touched incidents."""
        with self.write() as conn:
            touched = {inc for _, _, inc in tagged if inc}
            touched |= _previous_incidents(conn, [i for i, _, _ in tagged])
            for item_id, tags, incident in tagged:
                _write_item_tags(conn, item_id, tags, incident, now)
            _refresh_incidents(conn, touched, states)

    # -- backup -------------------------------------------------------------

    def backup(self, target: Path) -> None:
        """A consistent copy through SQLite's online backup API, safe during a scrape."""
        if not target.parent.is_dir():
            raise StoreError(f"backup directory does not exist: {target.parent}")
        tmp = target.with_name(target.name + ".partial")
        dest = sqlite3.connect(tmp)
        try:
            with dest:
                self.db.conn.backup(dest)
        finally:
            dest.close()
        shutil.move(tmp, target)


def open_store(path: Path | str) -> Store:
    """Open (creating if needed) a database file and bring its schema up to date."""
    path = Path(path)
    if not path.parent.is_dir():
        raise StoreError(f"database directory does not exist: {path.parent}")
    conn = connect(path)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        store = Store(sqlite_utils.Database(conn), path)
        _migrate(store)
    except sqlite3.DatabaseError as e:
        conn.close()
        raise StoreError(f"{path} is not a usable tracker database: {e}") from e
    except BaseException:
        conn.close()
        raise
    return store


def _migrate(store: Store) -> None:
    version = store.db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise StoreError(f"{store.path} was made by a newer version (schema {version})")
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        with store.write() as conn:
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")


def _statements(script: str) -> list[str]:
    """Split a migration into statements (triggers contain ';' inside BEGIN…END)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    return [s for s in out if s.strip(" ;\n")]


def _next_due(fetch: SourceFetch, spec: SourceSpec, now: datetime, failures: int) -> str | None:
    wait = timedelta(seconds=max(spec.min_interval_s, fetch.max_age_s or 0))
    if failures >= BACKOFF_AFTER:
        wait = max(wait, min(timedelta(hours=2 ** (failures - BACKOFF_AFTER)), BACKOFF_MAX))
    return iso(now + wait) if wait > timedelta(0) else None


def _storable(rows: dict[str, RawItem]) -> dict[str, RawItem]:
    return {url: item for url, item in rows.items() if url.startswith(("http", "file"))}


def _existing_hashes(conn, urls: list[str]) -> dict[str, tuple[int, str]]:
    out = {}
    for chunk in _chunks(urls, 500):
        marks = ",".join("?" * len(chunk))
        for item_id, url, digest in conn.execute(
                f"SELECT id, url, content_hash FROM items WHERE url IN ({marks})", chunk):
            out[url] = (item_id, digest)
    return out


def _content_hash(item: RawItem) -> str:
    text = "\x1f".join([item.title, item.summary, item.text, _published(item, None) or ""])
    return hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()


def _published(item: RawItem, now: datetime | None) -> str | None:
    if item.published is not None:
        return iso(item.published)
    return iso(now) if now else None


def _insert_items(conn, rows: list[tuple[str, RawItem, str]], source: str,
                  now: datetime) -> None:
    conn.executemany(
        "INSERT INTO items(url, link, title, summary, body, published, date_source, source, "
        "guid, author, first_seen, last_seen, content_hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(url, item.url, item.title, item.summary, item.text, _published(item, now),
          item.date_source if item.published else "fetched", source, item.guid, item.author,
          iso(now), iso(now), digest) for url, item, digest in rows])


def _update_items(conn, rows: list[tuple[int, RawItem, str]], now: datetime) -> None:
    conn.executemany(
        "UPDATE items SET title = ?, summary = ?, body = ?, published = COALESCE(?, published), "
        "last_seen = ?, content_hash = ?, tagged_at = NULL WHERE id = ?",
        [(item.title, item.summary, item.text, _published(item, None), iso(now), digest, item_id)
         for item_id, item, digest in rows])


def _previous_incidents(conn, item_ids: list[int]) -> set[str]:
    out: set[str] = set()
    for chunk in _chunks(item_ids, 500):
        marks = ",".join("?" * len(chunk))
        out |= {r[0] for r in conn.execute(
            f"SELECT DISTINCT incident_id FROM items WHERE id IN ({marks}) "
            "AND incident_id IS NOT NULL", chunk)}
    return out


def _write_item_tags(conn, item_id: int, tags: Tags, incident: str | None,
                     now: datetime) -> None:
    conn.execute(
        "UPDATE items SET companies = ?, violations = ?, action = ?, roles = ?, evidence = ?, "
        "incident_id = ?, tagged_at = ? WHERE id = ?",
        [json.dumps(list(tags.companies)), json.dumps(list(tags.violations)), tags.action,
         json.dumps(dict(tags.roles)), json.dumps({k: list(v) for k, v in tags.evidence.items()}),
         incident, iso(now), item_id])
    conn.execute("DELETE FROM item_companies WHERE item_id = ?", [item_id])
    conn.execute("DELETE FROM item_violations WHERE item_id = ?", [item_id])
    conn.executemany("INSERT INTO item_companies(item_id, company, role) VALUES (?, ?, ?)",
                     [(item_id, c, tags.roles.get(c, "party")) for c in tags.companies])
    conn.executemany("INSERT INTO item_violations(item_id, violation) VALUES (?, ?)",
                     [(item_id, v) for v in tags.violations])


def _refresh_incidents(conn, incident_ids: Iterable[str], states: Mapping[str, dict]) -> None:
    from tracker.incident_summary import summarise  # pure; kept apart to keep this file short
    for incident_id in incident_ids:
        rows = conn.execute(
            "SELECT id, title, published, source, action, companies, violations, roles "
            "FROM items WHERE incident_id = ? ORDER BY published, id", [incident_id]).fetchall()
        _replace_incident(conn, incident_id, summarise(rows), states.get(incident_id))


def _replace_incident(conn, incident_id: str, summary, state: dict | None) -> None:
    for table in ("incident_companies", "incident_violations"):
        conn.execute(f"DELETE FROM {table} WHERE incident_id = ?", [incident_id])
    if summary is None:  # its last report moved elsewhere
        conn.execute("DELETE FROM incidents WHERE id = ?", [incident_id])
        return
    old = conn.execute("SELECT state FROM incidents WHERE id = ?", [incident_id]).fetchone()
    state_json = json.dumps(state) if state is not None else (old[0] if old else "{}")
    conn.execute(
        "INSERT OR REPLACE INTO incidents(id, title, first_date, last_date, report_count, "
        "outlet_count, latest_action, latest_action_date, companies, violations, lifecycle, "
        "state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [incident_id, summary.title, summary.first_date, summary.last_date, summary.report_count,
         summary.outlet_count, summary.latest_action, summary.latest_action_date,
         json.dumps(summary.companies), json.dumps(summary.violations),
         json.dumps(summary.lifecycle), state_json])
    conn.executemany(
        "INSERT INTO incident_companies(incident_id, company, role) VALUES (?, ?, ?)",
        [(incident_id, c["name"], c["role"]) for c in summary.companies])
    conn.executemany(
        "INSERT INTO incident_violations(incident_id, violation) VALUES (?, ?)",
        [(incident_id, v) for v in summary.violations])


def _chunks(seq: Sequence, size: int) -> Iterator[list]:
    seq = list(seq)
    for start in range(0, len(seq), size):
        yield seq[start:start + size]
