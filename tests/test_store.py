import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from scrapers.types import RawItem, SourceFetch, SourceSpec, Validators
from tracker.errors import StoreError
from tracker.models import Tags
from tracker.schema import MIGRATIONS
from tracker.store import open_store

NOW = datetime(2024, 1, 2, 12, 0, tzinfo=UTC)
SPEC = SourceSpec(name="Feed A", url="https://a.example/feed")


def item(n: int, **kw) -> RawItem:
    base = dict(url=f"https://a.example/story/{n}?utm_source=rss", title=f"Story {n}",
                summary=f"Summary {n}", published=NOW - timedelta(days=n))
    base.update(kw)
    return RawItem(**base)


def fetched(*items, status="new", **kw) -> SourceFetch:
    return SourceFetch(source=SPEC.name, status=status, items=tuple(items), **kw)


@pytest.fixture
def store(db_path):
    s = open_store(db_path)
    s.sync_sources([SPEC])
    yield s
    s.close()


def count(store, table="items") -> int:
    return store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_new_database_has_wal_and_current_schema(store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_upsert_is_idempotent_on_canonical_url(store):
    first = store.save_fetch(fetched(item(1), item(2)), SPEC, NOW)
    again = store.save_fetch(fetched(item(1, url="https://A.example/story/1#top"), item(2)),
                             SPEC, NOW)
    assert len(first.new_ids) == 2
    assert again.new_ids == () and again.updated_ids == ()
    assert count(store) == 2


def test_changed_content_is_updated_and_queued_for_retagging(store):
    (item_id,) = store.save_fetch(fetched(item(1)), SPEC, NOW).new_ids
    store.save_tags([(item_id, Tags(), None)], {}, NOW)
    assert store.untagged(10) == []
    result = store.save_fetch(fetched(item(1, title="Story 1, updated")), SPEC, NOW)
    assert result.updated_ids == (item_id,)
    assert [r.title for r in store.untagged(10)] == ["Story 1, updated"]


def test_full_text_index_follows_inserts_and_updates(store):
    store.save_fetch(fetched(item(1, title="Distillation row over Project Seed")), SPEC, NOW)
    hits = store.db.execute("SELECT rowid FROM items_fts WHERE items_fts MATCH 'seed'").fetchall()
    assert len(hits) == 1
    store.save_fetch(fetched(item(1, title="Nothing here")), SPEC, NOW)
    assert store.db.execute(
        "SELECT count(*) FROM items_fts WHERE items_fts MATCH 'seed'").fetchone()[0] == 0


def test_source_health_records_success_failure_and_validators(store):
    store.save_fetch(fetched(item(1), validators=Validators('"v1"', "Tue, 01 Jan 2024")),
                     SPEC, NOW)
    assert store.validators()[SPEC.name] == Validators('"v1"', "Tue, 01 Jan 2024")
    store.save_fetch(fetched(status="failed", error="server said 500"), SPEC, NOW)
    row = store.db.execute("SELECT status, last_error, consecutive_failures, items_total, "
                           "last_success, etag FROM sources").fetchone()
    assert row == ("failed", "server said 500", 1, 1, NOW.isoformat(timespec="seconds"), '"v1"')


def test_repeated_failures_back_off_and_success_resets(store):
    for _ in range(4):
        store.save_fetch(fetched(status="failed", error="timeout"), SPEC, NOW)
    assert SPEC.name in store.not_due(NOW)
    assert SPEC.name not in store.not_due(NOW + timedelta(hours=3))
    store.save_fetch(fetched(item(1)), SPEC, NOW)
    assert store.not_due(NOW) == set()


def test_min_interval_and_max_age_delay_the_next_fetch(store):
    spec = SourceSpec(name=SPEC.name, url=SPEC.url, min_interval_s=3600)
    store.save_fetch(fetched(item(1)), spec, NOW)
    assert store.not_due(NOW + timedelta(minutes=59)) == {SPEC.name}
    store.save_fetch(fetched(status="unchanged", max_age_s=7200), SPEC, NOW)
    assert store.not_due(NOW + timedelta(minutes=119)) == {SPEC.name}


def test_tags_write_normalised_rows_and_incident_summary(store):
    ids = store.save_fetch(fetched(item(1), item(2)), SPEC, NOW).new_ids
    tags = Tags(companies=("ByteDance", "OpenAI"), violations=("tos_violation",), action="report",
                roles={"ByteDance": "accused", "OpenAI": "affected"},
                evidence={"violation:tos_violation": ("violated terms",)})
    store.save_tags([(i, tags, "inc-1") for i in ids], {"inc-1": {"k": 1}}, NOW)
    inc = store.db.execute("SELECT report_count, companies, violations, latest_action, state "
                           "FROM incidents WHERE id = 'inc-1'").fetchone()
    assert inc[0] == 2
    assert json.loads(inc[1])[0] == {"name": "ByteDance", "role": "accused"}
    assert json.loads(inc[2]) == ["tos_violation"] and inc[3] == "report"
    assert json.loads(inc[4]) == {"k": 1}
    assert count(store, "item_companies") == 4 and count(store, "incident_companies") == 2


def test_moving_the_last_report_away_removes_the_incident(store):
    (item_id,) = store.save_fetch(fetched(item(1)), SPEC, NOW).new_ids
    tags = Tags(companies=("Meta",), violations=("privacy",))
    store.save_tags([(item_id, tags, "inc-a")], {}, NOW)
    store.save_tags([(item_id, tags, "inc-b")], {}, NOW)
    assert [r[0] for r in store.db.execute("SELECT id FROM incidents")] == ["inc-b"]


def test_missing_directory_and_non_database_file_are_clear_errors(tmp_path):
    with pytest.raises(StoreError, match="directory does not exist"):
        open_store(tmp_path / "no" / "such" / "x.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable tracker database"):
        open_store(junk)
    assert junk.read_bytes().startswith(b"this is not sqlite")  # never overwritten


def test_backup_is_a_consistent_readable_copy(store, tmp_path):
    store.save_fetch(fetched(item(1), item(2)), SPEC, NOW)
    target = tmp_path / "copy.db"
    store.backup(target)
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM items").fetchone()[0] == 2


def test_failed_transaction_leaves_nothing_half_written(store):
    with pytest.raises(RuntimeError), store.write() as conn:
        conn.execute("INSERT INTO audit_log(at, who, action, target) VALUES ('t','w','a','x')")
        raise RuntimeError("boom")
    assert count(store, "audit_log") == 0


def test_an_older_database_is_migrated_in_place_without_losing_rows(db_path):
    from tracker.store import _statements
    conn = sqlite3.connect(db_path)
    for statement in _statements(MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO sources(name, url, kind, enabled) "
                 "VALUES ('s', 'https://s/', 'rss', 1)")
    conn.commit()
    conn.close()
    with open_store(db_path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) > 1
        assert store.db.execute("SELECT name FROM sources").fetchall() == [("s",)]
        indexes = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master "
                                                   "WHERE type = 'index'")}
        assert {"items_first_seen", "incidents_last_date"} <= indexes


def test_a_database_from_a_newer_version_is_refused(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    conn.close()
    with pytest.raises(StoreError, match="newer version"):
        open_store(db_path)
