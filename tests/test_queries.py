"""The read side: Filters ↔ URL, safe full-text search, filtered rows, chart series, exports."""
from __future__ import annotations

import csv
import io
import random
import sqlite3
from datetime import date, datetime, timedelta

import pytest

from tests.dashboard_fixture import BYTEDANCE, HOSTILE_TITLE, NOW, build_archive
from tracker import aggregates, queries
from tracker.export import write_csv
from tracker.filters import Filters, fts_expression, search_note
from tracker.store import connect, open_store


@pytest.fixture
def conn(tmp_path):
    path = build_archive(tmp_path / "t.db", hostile=True)
    c = connect(path, readonly=True)
    yield c
    c.close()


def titles(rows) -> set[str]:
    return {r["title"] for r in rows}


# -- Filters and the URL ------------------------------------------------------------------

def test_filters_round_trip_through_query_params():
    f = Filters.make(since=date(2023, 1, 1), until=date(2024, 6, 30),
                     companies=["OpenAI", "ByteDance"], violations=["copyright", "privacy"],
                     actions=["ruling"], sources=["Reuters"], text='"project seed" openai')
    params = f.to_params()
    assert params["company"] == ["ByteDance", "OpenAI"]
    assert params["type"] == ["Copyright", "Privacy"] and params["action"] == ["Ruling"]
    assert params["since"] == "2023-01-01" and params["q"] == '"project seed" openai'
    assert Filters.from_params(params) == f


def test_empty_filters_make_an_empty_url():
    assert Filters().to_params() == {}
    assert Filters.from_params({}) == Filters()


@pytest.mark.parametrize("params", [
    {"since": "yesterday", "until": "2024-13-45"},
    {"type": ["copyright", "not_a_type", "'; DROP TABLE items; --"]},
    {"action": "sued"},
    {"company": ["", "   ", "x" * 5000]},
    {"q": "\x00" * 10},
    {"since": ["2024-01-01", "garbage"]},
    {"company": [None, 3]},
    {"unknown": "value"},
])
def test_junk_in_a_url_is_dropped_not_raised(params):
    f = Filters.from_params(params)
    assert set(f.violations) <= {"copyright"}
    assert f.actions == ()
    assert all(0 < len(c) <= 200 for c in f.companies)


def test_types_and_actions_are_read_as_ids_or_labels():
    f = Filters.from_params({"type": ["COPYRIGHT", "Terms of service / API misuse"],
                             "action": ["penalty", "Ruling"]})
    assert f.violations == ("tos_violation", "copyright")
    assert f.actions == ("ruling", "penalty")


def test_reversed_dates_are_put_in_order():
    f = Filters.from_params({"since": "2025-01-01", "until": "2024-01-01"})
    assert (f.since, f.until) == (date(2024, 1, 1), date(2025, 1, 1))


def test_equal_views_are_equal_values_whatever_the_order():
    a = Filters.from_params({"company": ["OpenAI", "Meta", "OpenAI"]})
    b = Filters.from_params({"company": ["Meta", "OpenAI"]})
    assert a == b and hash(a) == hash(b)


# -- full-text search -----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("openai", '"openai"'),
    ("project seed", '"project" AND "seed"'),
    ('"project seed"', '"project seed"'),
    ("copyright OR privacy", '"copyright" OR "privacy"'),
    ("open*", '"open"*'),
    ('say "hello', '"say" AND "hello"'),
    ("NOT AND OR", '"NOT" AND "AND"'),
    ("title:openai", '"title" AND "openai"'),
])
def test_every_word_is_quoted(text, expected):
    assert fts_expression(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "***", "()", '""', "-", "^"])
def test_nothing_to_search_gives_no_expression_and_a_note(text):
    assert fts_expression(text) is None
    assert (search_note(text) is None) == (not text)


NASTY = ['"', "'", "(", ")", "AND", "OR", "NOT", "NEAR(", "*", ":", "^", "-", "+", "{", "}",
         "\\", "\x00", "é", "中文", "col:", "NEAR/2", ";", "%", "_", "[", "]", " "]


def test_any_text_an_analyst_types_is_a_valid_match(conn):
    rng = random.Random(5)
    samples = ["".join(rng.choice(NASTY + ["open", "ai"]) for _ in range(rng.randint(1, 12)))
               for _ in range(300)]
    for text in samples:
        f = Filters.make(text=text)
        queries.count_items(conn, f)  # raises sqlite3.OperationalError on bad syntax
        queries.count_incidents(conn, f)


def test_text_search_finds_title_and_summary(conn):
    rows = queries.item_page(conn, Filters.make(text="project seed"))
    assert titles(rows) == {BYTEDANCE[0].title}
    assert queries.count_items(conn, Filters.make(text="suspends OR licence")) == 2
    assert queries.count_items(conn, Filters.make(text="bytedan*")) == 3


# -- item rows ------------------------------------------------------------------------------

def test_company_type_action_source_and_date_filters(conn):
    assert queries.count_items(conn, Filters.make(companies=["ByteDance"])) == 3
    assert queries.count_items(conn, Filters.make(violations=["copyright"])) == 2
    assert queries.count_items(conn, Filters.make(actions=["ruling", "penalty"])) == 2
    assert queries.count_items(conn, Filters.make(sources=["Reuters"])) == 4
    dec_2023 = Filters.make(since=date(2023, 12, 1), until=date(2023, 12, 16))
    assert queries.count_items(conn, dec_2023) == 3  # the 16th is included
    both = Filters.make(companies=["OpenAI"], violations=["copyright"], sources=["Reuters"])
    assert titles(queries.item_page(conn, both)) == {
        "Judge lets the Times' copyright case against OpenAI proceed"}


def test_item_pages_sort_and_do_not_overlap(conn):
    newest = queries.item_page(conn, Filters(), sort="newest", limit=4)
    rest = queries.item_page(conn, Filters(), sort="newest", offset=4, limit=50)
    assert [r["published"] for r in newest] == sorted((r["published"] for r in newest),
                                                      reverse=True)
    assert not {r["item_id"] for r in newest} & {r["item_id"] for r in rest}
    assert len(newest) + len(rest) == queries.count_items(conn, Filters())
    by_title = [r["title"] for r in queries.item_page(conn, Filters(), sort="title")]
    assert by_title == sorted(by_title, key=str.lower)


def test_unknown_sort_falls_back_to_newest(conn):
    assert queries.item_page(conn, Filters(), sort="; DROP TABLE items") == \
        queries.item_page(conn, Filters(), sort="newest")


def test_item_csv_has_the_interface_columns_and_neutralised_formulas(conn):
    out = io.StringIO()
    count = write_csv(queries.iter_item_rows(conn, Filters()), out, queries.ITEM_COLUMNS)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert count == len(rows) == 10
    assert list(rows[0])[:8] == ["published", "title", "url", "source", "companies",
                                 "violations", "action", "incident"]
    seed = next(r for r in rows if r["title"] == BYTEDANCE[0].title)
    assert seed["companies"] == "ByteDance; OpenAI; Microsoft"
    assert seed["roles"].startswith("ByteDance: accused")
    assert seed["published"].startswith("2023-12-15T")
    assert [r["published"] for r in rows] == sorted(r["published"] for r in rows)
    hostile = next(r for r in rows if "HYPERLINK" in r["title"])
    assert hostile["title"] == HOSTILE_TITLE  # starts with "<", no formula: kept as is


def test_a_formula_in_a_title_is_neutralised(tmp_path):
    path = build_archive(tmp_path / "f.db")
    with open_store(path) as store, store.write() as c:
        c.execute("UPDATE items SET title = '=HYPERLINK(\"http://x\",\"y\")' WHERE id = 1")
    conn = connect(path, readonly=True)
    out = io.StringIO()
    write_csv(queries.iter_item_rows(conn, Filters()), out, queries.ITEM_COLUMNS)
    conn.close()
    assert "'=HYPERLINK" in out.getvalue()


# -- incidents ------------------------------------------------------------------------------

def test_incident_rows_one_per_incident_with_roles_and_first_link(conn):
    rows = list(queries.iter_incident_rows(conn, Filters()))
    assert len(rows) == 5
    seed = next(r for r in rows if r["incident"] == "inc-bytedance")
    assert seed["report_count"] == 3 and seed["outlet_count"] == 3
    assert seed["companies"].startswith("ByteDance (accused)")
    assert seed["first_url"] == BYTEDANCE[0].url
    assert seed["first_date"].startswith("2023-12-15")
    out = io.StringIO()
    write_csv(rows, out, queries.INCIDENT_COLUMNS)
    header = out.getvalue().splitlines()[0]
    assert header.startswith("first_date,title,companies,violations,report_count,"
                             "latest_action,latest_action_date")


def test_incident_filters_match_through_their_reports(conn):
    by_action = queries.incident_page(conn, Filters.make(actions=["ruling"]))
    assert [r["incident"] for r in by_action] == ["inc-nyt"]
    by_text = queries.incident_page(conn, Filters.make(text="licence"))
    assert [r["incident"] for r in by_text] == ["inc-bytedance"]
    by_date = Filters.make(since=date(2024, 1, 1))  # incidents dated by their first report
    assert {r["incident"] for r in queries.incident_page(conn, by_date)} == {
        "inc-deepfake", "inc-hostile"}


def test_reports_of_an_incident_first_first(conn):
    reports = queries.incident_reports(conn, "inc-bytedance")
    assert [r.source for r in reports][0] == "The Verge"
    assert reports[0].evidence["violation:tos_violation"] == ["used OpenAI's API to build",
                                                              "against the terms"]


def test_merged_ids_resolve_and_loops_end(tmp_path):
    path = build_archive(tmp_path / "a.db")
    with open_store(path) as store, store.write() as c:
        c.executemany("INSERT INTO incident_aliases(old_id, new_id) VALUES (?, ?)",
                      [("old-1", "old-2"), ("old-2", "inc-nyt"), ("loop-a", "loop-b"),
                       ("loop-b", "loop-a")])
    conn = connect(path, readonly=True)
    assert queries.resolve_incident(conn, "old-1") == "inc-nyt"
    assert queries.resolve_incident(conn, "inc-nyt") == "inc-nyt"
    assert queries.resolve_incident(conn, "loop-a") in {"loop-a", "loop-b"}
    conn.close()


def test_new_incidents_are_those_first_seen_since(conn):
    hour_ago = (NOW - timedelta(hours=1)).isoformat()
    assert {r["incident"] for r in queries.new_incidents(conn, Filters(), hour_ago)} == {
        "inc-bytedance", "inc-nyt", "inc-clearview", "inc-hostile"}  # not the deepfake
    assert len(queries.new_incidents(conn, Filters(), "2000-01-01")) == 5
    only = queries.new_incidents(conn, Filters.make(violations=["copyright"]), hour_ago)
    assert [r["incident"] for r in only] == ["inc-nyt"]


# -- chart series ----------------------------------------------------------------------------

def test_monthly_series_and_type_restriction(conn):
    rows = aggregates.incidents_by_month(conn, Filters())
    assert ("2023-12", "tos_violation", 1) in rows and ("2023-12", "copyright", 1) in rows
    only = aggregates.incidents_by_month(conn, Filters.make(violations=["deception_fraud"]))
    assert only == [("2024-02", "deception_fraud", 1)]


def test_top_companies_and_matrix(conn):
    top = aggregates.top_companies(conn, Filters(), limit=2)
    assert {c for c, _, _ in top} == {"OpenAI", "Microsoft"}
    assert ("OpenAI", "affected", 1) in top and ("OpenAI", "accused", 1) in top
    matrix = aggregates.company_type_matrix(conn, Filters.make(since=date(2023, 12, 1)))
    assert ("ByteDance", "tos_violation", 1) in matrix
    assert not any(c == "Clearview AI" for c, _, _ in matrix)


def test_overview_counts(conn):
    counts = aggregates.overview_counts(conn, Filters(), NOW + timedelta(hours=1))
    assert (counts.incidents, counts.reports, counts.items) == (5, 8, 10)
    assert counts.new_week == 5
    assert counts.new_day == 5
    later = aggregates.overview_counts(conn, Filters(), NOW + timedelta(days=3))
    assert (later.new_day, later.new_week) == (0, 5)


def test_timeline_points_rows_and_limits(conn):
    t = aggregates.timeline(conn, Filters(), by="company")
    assert t.total == 5 and t.shown == 5
    assert t.rows[0] == "OpenAI"
    seed = [p for p in t.points if p.incident == "inc-bytedance"]
    assert {p.row for p in seed} == {"ByteDance", "OpenAI", "Microsoft"}
    assert {p.action for p in seed} == {"report", "restriction", "response"}
    assert all(p.violation == "tos_violation" for p in seed)
    by_type = aggregates.timeline(conn, Filters(), by="violation", limit=1)
    assert by_type.shown == 1 and by_type.total == 5
    assert set(by_type.rows) <= {"privacy", "copyright", "deepfake_impersonation",
                                 "deception_fraud"}


def test_company_profile(conn):
    profile = aggregates.company_profile(conn, "OpenAI", Filters.make(companies=["Meta"]))
    assert profile.incidents == 2  # the sidebar's company filter is not applied here
    assert dict(((y, r), n) for y, r, n in profile.by_role) == {
        ("2023", "affected"): 1, ("2023", "accused"): 1}
    assert profile.linked[0] == ("Microsoft", 2)
    rows = aggregates.company_incidents(conn, "OpenAI", Filters())
    assert [r["incident"] for r in rows] == ["inc-nyt", "inc-bytedance"]


def test_an_empty_or_foreign_file_has_no_archive(tmp_path):
    empty = tmp_path / "e.db"
    sqlite3.connect(empty).close()
    conn = connect(empty, readonly=True)
    assert queries.archive_size(conn) == 0
    conn.close()


def test_reads_open_their_own_connection_per_thread(tmp_path):
    """Many sessions at once: each thread reads on its own connection, none fails."""
    from concurrent.futures import ThreadPoolExecutor
    path = build_archive(tmp_path / "c.db")

    def read(n: int) -> int:
        c = connect(path, readonly=True)
        try:
            f = Filters.make(companies=["OpenAI"] if n % 2 else [])
            return queries.count_items(c, f) + len(aggregates.timeline(c, f).points)
        finally:
            c.close()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(read, range(40)))
    assert len(set(results)) == 2


def test_dates_in_the_url_are_days(conn):
    f = Filters.from_params({"since": "2023-12-16T23:59:00"})
    assert f.since == date(2023, 12, 16)
    assert queries.count_items(conn, Filters.make(until=date(2023, 12, 15),
                                                  since=date(2023, 12, 15))) == 1
    assert isinstance(datetime.fromisoformat(
        next(queries.iter_item_rows(conn, f))["published"]), datetime)
