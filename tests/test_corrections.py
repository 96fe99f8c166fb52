"""Analysts' corrections: applied at once, stored as overrides, logged, and kept by a re-tag."""
from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

from tests.dashboard_fixture import BYTEDANCE, NYT, OTHERS, build_archive, item_id
from tracker import queries
from tracker import store_corrections as fixes
from tracker.filters import Filters
from tracker.store import open_store


@pytest.fixture
def db(tmp_path):
    return build_archive(tmp_path / "c.db")


def read(db, sql, params=()):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def overrides(db, item):
    return {f: json.loads(v) for f, v in read(
        db, "SELECT field, value FROM overrides WHERE item_id = ?", [item])}


def incident_of(db, item):
    return read(db, "SELECT incident_id FROM items WHERE id = ?", [item])[0][0]


def reports(db, incident):
    rows = read(db, "SELECT report_count FROM incidents WHERE id = ?", [incident])
    return rows[0][0] if rows else 0


def test_changing_labels_applies_at_once_and_is_stored_and_logged(db):
    seed = item_id(db, BYTEDANCE[0].url)
    with open_store(db) as store:
        fixes.correct_item(store, seed, "ana", companies=["ByteDance", "OpenAI"],
                           violations=["tos_violation", "data_scraping"], action="lawsuit")
    assert overrides(db, seed) == {"companies": ["ByteDance", "OpenAI"],
                                   "violations": ["tos_violation", "data_scraping"],
                                   "action": "lawsuit"}
    companies, violations, action, roles = read(
        db, "SELECT companies, violations, action, roles FROM items WHERE id = ?", [seed])[0]
    assert json.loads(companies) == ["ByteDance", "OpenAI"] and action == "lawsuit"
    assert json.loads(violations) == ["tos_violation", "data_scraping"]
    assert json.loads(roles) == {"ByteDance": "accused", "OpenAI": "affected"}  # roles kept
    # the incident's own tables follow at once
    assert ("data_scraping",) in read(
        db, "SELECT violation FROM incident_violations WHERE incident_id = 'inc-bytedance'")
    log = read(db, "SELECT who, action, target, detail FROM audit_log ORDER BY id")
    assert [(w, a, t) for w, a, t, _ in log] == [
        ("ana", "set_companies", f"item:{seed}"), ("ana", "set_violations", f"item:{seed}"),
        ("ana", "set_action", f"item:{seed}")]
    assert json.loads(log[2][3]) == {"before": "report", "after": "lawsuit"}


def test_an_unchanged_value_writes_nothing(db):
    seed = item_id(db, BYTEDANCE[0].url)
    with open_store(db) as store:
        fixes.correct_item(store, seed, "ana", violations=["tos_violation"], action="report")
    assert overrides(db, seed) == {}
    assert read(db, "SELECT COUNT(*) FROM audit_log") == [(0,)]


def test_removing_every_type_takes_the_item_out_of_its_incident(db):
    ruling = item_id(db, NYT[1].url)
    with open_store(db) as store:
        fixes.correct_item(store, ruling, "ana", violations=[])
    assert incident_of(db, ruling) is None
    assert reports(db, "inc-nyt") == 1


def test_an_item_that_gains_a_type_starts_its_own_incident(db):
    launch = item_id(db, OTHERS[1].url)
    with open_store(db) as store:
        labels = fixes.correct_item(store, launch, "ana", violations=["safety_harm"])
    expected = "inc-" + hashlib.sha1(OTHERS[1].url.encode()).hexdigest()[:12]
    assert labels.incident == expected == incident_of(db, launch)
    assert reports(db, expected) == 1


@pytest.mark.parametrize("kwargs, message", [
    ({"violations": ["copyright", "not_a_type"]}, "unknown violation type"),
    ({"action": "sued"}, "unknown action"),
])
def test_bad_labels_are_refused_and_nothing_is_written(db, kwargs, message):
    seed = item_id(db, BYTEDANCE[0].url)
    with open_store(db) as store, pytest.raises(fixes.CorrectionError, match=message):
        fixes.correct_item(store, seed, "ana", **kwargs)
    assert overrides(db, seed) == {}


def test_unknown_item_and_blank_name(db, monkeypatch):
    with open_store(db) as store:
        with pytest.raises(fixes.CorrectionError, match="no item"):
            fixes.correct_item(store, 9999, "ana", action="ruling")
        monkeypatch.setattr(fixes, "default_who", lambda: "os-user")
        fixes.correct_item(store, item_id(db, NYT[0].url), "   ", action="ruling")
    assert read(db, "SELECT who FROM audit_log") == [("os-user",)]


def test_moving_an_item_pins_it_and_refreshes_both_incidents(db):
    reply = item_id(db, BYTEDANCE[2].url)
    with open_store(db) as store:
        assert fixes.move_item(store, reply, "inc-nyt", "ana") == "inc-nyt"
    assert incident_of(db, reply) == "inc-nyt"
    assert overrides(db, reply) == {"incident": "inc-nyt"}
    assert (reports(db, "inc-bytedance"), reports(db, "inc-nyt")) == (2, 3)
    with open_store(db) as store, pytest.raises(fixes.CorrectionError, match="no incident"):
        fixes.move_item(store, reply, "inc-nope", "ana")


def test_merging_folds_one_incident_into_another_and_old_links_follow(db):
    with open_store(db) as store:
        fixes.merge_incidents(store, "inc-clearview", "inc-hostile", "ana")
        fixes.merge_incidents(store, "inc-hostile", "inc-deepfake", "bo")
    assert reports(db, "inc-deepfake") == 3
    assert reports(db, "inc-clearview") == reports(db, "inc-hostile") == 0
    conn = sqlite3.connect(db)
    assert queries.resolve_incident(conn, "inc-clearview") == "inc-deepfake"
    conn.close()
    assert dict(read(db, "SELECT old_id, new_id FROM incident_aliases")) == {
        "inc-clearview": "inc-deepfake", "inc-hostile": "inc-deepfake"}  # chains flattened
    pinned = read(db, "SELECT DISTINCT json_extract(value, '$') FROM overrides "
                  "WHERE field = 'incident'")
    assert pinned == [("inc-deepfake",)]
    with open_store(db) as store, pytest.raises(fixes.CorrectionError, match="already one"):
        fixes.merge_incidents(store, "inc-clearview", "inc-deepfake", "ana")


def test_splitting_moves_chosen_reports_to_a_new_incident(db):
    ids = [item_id(db, r.url) for r in BYTEDANCE]
    with open_store(db) as store:
        new_id = fixes.split_incident(store, "inc-bytedance", [ids[2]], "ana")
    assert new_id.startswith("inc-") and new_id != "inc-bytedance"
    assert incident_of(db, ids[2]) == new_id
    assert (reports(db, "inc-bytedance"), reports(db, new_id)) == (2, 1)
    assert overrides(db, ids[0]) == {"incident": "inc-bytedance"}  # the rest is pinned too
    with open_store(db) as store:
        with pytest.raises(fixes.CorrectionError, match="at least one"):
            fixes.split_incident(store, "inc-bytedance", ids[:2], "ana")
        with pytest.raises(fixes.CorrectionError, match="choose"):
            fixes.split_incident(store, "inc-bytedance", [], "ana")
        with pytest.raises(fixes.CorrectionError, match="choose"):
            fixes.split_incident(store, "inc-bytedance", [ids[0], 9999], "ana")


def test_watches_are_saved_replaced_deleted_and_logged(db):
    f = Filters.make(companies=["OpenAI"], violations=["copyright"])
    with open_store(db) as store:
        fixes.save_watch(store, "  OpenAI   copyright ", f, "ana")
        fixes.save_watch(store, "OpenAI copyright", Filters.make(companies=["Meta"]), "bo")
    conn = sqlite3.connect(db)
    watches = queries.list_watches(conn)
    conn.close()
    assert [(w["name"], w["filters"], w["who"]) for w in watches] == [
        ("OpenAI copyright", Filters.make(companies=["Meta"]), "bo")]
    with open_store(db) as store:
        with pytest.raises(fixes.CorrectionError, match="needs a name"):
            fixes.save_watch(store, "   ", f, "ana")
        fixes.delete_watch(store, "OpenAI copyright", "ana")
        with pytest.raises(fixes.CorrectionError, match="no watch"):
            fixes.delete_watch(store, "OpenAI copyright", "ana")
    assert [a for (a,) in read(db, "SELECT action FROM audit_log ORDER BY id")] == [
        "save_watch", "save_watch", "delete_watch"]


def test_corrections_survive_a_full_retag(db):
    """The lead's re-tag step lays overrides over fresh machine labels and keeps pins."""
    pipeline = pytest.importorskip("tracker.pipeline", exc_type=ImportError)
    taxonomy = pytest.importorskip("tracker.taxonomy", exc_type=ImportError)
    seed = item_id(db, BYTEDANCE[0].url)
    ruling = item_id(db, NYT[1].url)
    with open_store(db) as store:
        fixes.correct_item(store, seed, "ana", companies=["ByteDance", "Microsoft"],
                           violations=["data_scraping"], action="lawsuit")
        fixes.move_item(store, ruling, "inc-bytedance", "ana")
        pipeline.retag_all(store, taxonomy.load_taxonomy())
    labels = read(db, "SELECT companies, violations, action, incident_id FROM items "
                  "WHERE id = ?", [seed])[0]
    assert json.loads(labels[0]) == ["ByteDance", "Microsoft"]
    assert json.loads(labels[1]) == ["data_scraping"] and labels[2] == "lawsuit"
    assert incident_of(db, ruling) == "inc-bytedance"
