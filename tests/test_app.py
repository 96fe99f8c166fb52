"""Every dashboard page through Streamlit's AppTest, on a small archive written for the tests."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard_fixture import BYTEDANCE, HOSTILE_TITLE, build_archive, item_id

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = build_archive(tmp_path / "app.db", hostile=True)
    monkeypatch.setenv("TRACKER_DB", str(path))
    monkeypatch.setenv("TRACKER_EVAL_REPORT", str(tmp_path / "no-eval.json"))
    return path


def page(name: str, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"app_pages/{name}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def table(at: AppTest, column: str):
    """The first table with this column (display-only tables carry no key in AppTest)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def form(at: AppTest, form_id: str):
    return next(f for f in at.get("form") if f.proto.form.form_id == form_id)


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "title", "info", "warning",
                                  "success", "error", "subheader") for e in at.get(kind)]
    return "\n".join(str(p) for p in parts).replace("\\", "")  # Markdown escapes off


def test_overview_counts_and_charts(db):
    at = page("overview")
    assert metric(at, "Incidents") == "5" and metric(at, "Items matching") == "10"
    assert len(at.get("plotly_chart")) == 3
    at.multiselect(key="type").select("copyright").run()
    assert metric(at, "Incidents") == "1"


def test_filters_come_from_the_url_and_junk_is_ignored(db):
    at = page("overview", type=["Copyright", "bogus"], company="OpenAI", since="not-a-date")
    assert at.multiselect(key="type").value == ["copyright"]
    assert at.multiselect(key="company").value == ["OpenAI"]
    assert metric(at, "Incidents") == "1"
    assert "companies: OpenAI" in texts(at)


def test_a_hand_written_link_may_use_type_ids(db):
    at = page("overview", type="copyright", action="lawsuit")
    assert at.multiselect(key="type").value == ["copyright"]
    assert metric(at, "Incidents") == "1"


def test_reset_clears_every_filter(db):
    at = page("overview", type="Copyright", q="times")
    assert metric(at, "Incidents") == "1"
    at.button(key="reset_filters").click().run()
    assert at.multiselect(key="type").value == [] and at.text_input(key="q").value == ""
    assert metric(at, "Incidents") == "5"


def test_timeline_rows_per_company_or_type(db):
    at = page("timeline")
    chart = at.get("plotly_chart")[0]
    spec = json.loads(chart.proto.spec)
    names = {t.get("name") for t in spec["data"]}
    assert "Terms of service / API misuse" in names and "Lawsuit" in names
    assert len(at.dataframe[0].value) == 5
    at.segmented_control(key="rows").set_value("violation").run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    ys = {y for t in spec["data"] for y in (t.get("y") or []) if y}
    assert "Copyright" in ys and "OpenAI" not in ys


def test_timeline_hover_text_is_escaped(db):
    spec = page("timeline").get("plotly_chart")[0].proto.spec
    assert "<script>" not in spec and "&lt;script&gt;" in spec


def test_incident_page_shows_roles_evidence_and_reports(db):
    at = page("incident", incident="inc-bytedance")
    assert at.title[0].value.startswith("ByteDance is secretly using OpenAI")
    companies = table(at, "role")
    assert companies.set_index("company")["role"].to_dict() == {
        "ByteDance": "accused", "OpenAI": "affected", "Microsoft": "affected"}
    reports = table(at, "first")
    assert list(reports["first"]) == ["★ first", "", ""]
    assert list(reports["source"]) == ["The Verge", "Reuters", "Axios"]
    assert reports["link"][0] == BYTEDANCE[0].url
    evidence = at.expander[0]
    assert evidence.label == "Why is this tagged Terms of service / API misuse?"
    assert "used OpenAI's API to build" in evidence.markdown[0].value.replace("\\", "")


def test_hostile_title_and_link_stay_inert(db):
    at = page("incident", incident="inc-hostile")
    title = at.title[0].value
    assert "<script>" not in title and "\\<script\\>" in title
    assert "\\[x\\](javascript" in title  # brackets escaped: no link
    reports = table(at, "first")
    assert reports["title"][0] == HOSTILE_TITLE  # a grid cell: shown as text
    assert reports["link"][0] is None  # not a web link: not clickable


def test_incident_page_without_or_with_an_unknown_id(db):
    assert "Choose an incident above" in texts(page("incident"))
    assert "No incident with this id" in texts(page("incident", incident="inc-gone"))


def test_picking_an_incident_opens_it(db):
    at = page("incident")
    at.selectbox(key="incident_pick").select("inc-nyt").run()
    assert at.title[0].value.startswith("The Times sues OpenAI")


def test_correcting_a_report_from_the_incident_page(db):
    at = page("incident", incident="inc-bytedance")
    at.text_input(key="analyst").set_value("Ana").run()
    labels = at.get("form")[0]
    labels.selectbox[0].select("lawsuit")
    labels.button[0].click().run()
    assert not at.exception
    assert "Labels of the report corrected" in texts(at)
    assert table(at, "first")["action"][0] == "Lawsuit"
    audit = table(page("audit"), "who")
    assert list(audit["who"]) == ["Ana"] and list(audit["action"]) == ["set_action"]


def test_merge_and_split_from_the_incident_page(db):
    at = page("incident", incident="inc-clearview")
    merge = form(at, "merge")
    merge.text_input[0].set_value("inc-hostile")
    merge.button[0].click().run()
    assert "Merged into incident" in texts(at)
    assert table(at, "first").shape[0] == 2
    old = page("incident", incident="inc-clearview")
    assert "was merged into this one" in texts(old)
    split = form(old, "split")
    split.multiselect[0].select(item_id(db, "https://evil.example.org/post"))
    split.button[0].click().run()
    assert "Split off as incident" in texts(old)
    assert table(old, "first").shape[0] == 1


def test_a_bad_correction_says_why(db):
    at = page("incident", incident="inc-nyt")
    merge = form(at, "merge")
    merge.text_input[0].set_value("inc-nope")
    merge.button[0].click().run()
    assert "no incident with id" in texts(at)


def test_company_profile(db):
    at = page("company", profile="OpenAI")
    assert at.selectbox(key="profile").value == "OpenAI"
    assert metric(at, "Incidents") == "2"
    assert len(at.get("plotly_chart")) == 3
    assert list(at.dataframe(key="company_table").value["incident"]) == ["inc-nyt",
                                                                         "inc-bytedance"]


def test_items_search_sort_and_paging(db):
    at = page("items")
    assert len(table(at, "link")) == 10
    at.text_input(key="q").set_value('project "seed').run()
    assert list(table(at, "link")["title"]) == [BYTEDANCE[0].title]
    at.text_input(key="q").set_value('(((" OR *').run()
    assert "has no letters or digits" in texts(at)
    at.text_input(key="q").set_value("").run()
    at.segmented_control(key="sort").set_value("oldest").run()
    assert table(at, "link")["published"].is_monotonic_increasing


def test_items_csv_matches_the_view(db):
    from app_pages import data, ui  # the callable behind the download button
    from tracker.filters import Filters
    view = data.View(str(db), data.db_token(db), Filters.make(companies=["ByteDance"]))
    lines = data.items_csv(view).decode("utf-8").splitlines()
    assert lines[0].startswith("published,title,url,source,companies,violations,action")
    assert len(lines) == 1 + 3
    assert ui.describe(view.filters) == "companies: ByteDance"


def test_sources_health(db):
    at = page("sources")
    health = table(at, "consecutive_failures")
    axios = health.set_index("name").loc["Axios"]
    assert axios["status"] == "failed" and axios["consecutive_failures"] == 1
    assert "HTTP 503" in axios["last_error"]
    assert metric(at, "Failing now") == "1"


def test_quality_empty_and_with_a_report(db, tmp_path, monkeypatch):
    assert "Nothing measured yet" in str(page("quality").info[0].proto)
    report = tmp_path / "latest.json"
    report.write_text(json.dumps({
        "set": "dev", "items": 565,
        "companies": {"micro": {"f1": 0.96}, "per_label": {"OpenAI": {"f1": 1.0}}},
        "violations": {"micro": {"f1": 0.8}, "per_label": {
            "copyright": {"precision": 0.9, "recall": 0.8, "f1": 0.85},
            "privacy": {"precision": 0.5, "recall": 0.5, "f1": 0.5}}},
        "grouping": {"f1": 0.81},
        "targets": {"companies_f1": 0.95, "violations_f1": 0.85, "type_f1_min": 0.6},
        "errors": [{"id": "dev-1", "title": "<b>x</b>", "violations_extra": ["privacy"]}],
    }))
    monkeypatch.setenv("TRACKER_EVAL_REPORT", str(report))
    at = page("quality")
    shown = {m.label: (m.value, m.proto.delta) for m in at.metric}
    assert shown["Companies F1"] == ("0.960", "meets target 0.95")
    assert shown["Violation types F1"] == ("0.800", "misses target 0.85")
    assert shown["Weakest type F1"] == ("0.500", "misses target 0.6")
    assert shown["Grouping pair F1"] == ("0.810", "")
    per_type = table(at, "recall")
    assert list(per_type.index) == ["Privacy", "Copyright"]  # weakest first
    assert table(at, "violations_extra")["violations_extra"][0] == "privacy"
    assert "set: dev · items: 565" in texts(at)


def test_watches_save_apply_and_delete(db):
    at = page("watches", company="OpenAI", type="Copyright")
    save = form(at, "save_watch")
    save.text_input[0].set_value("OpenAI copyright")
    save.button[0].click().run()
    assert "saved" in texts(at)
    saved = table(at, "filters")
    assert list(saved["filters"]) == ["companies: OpenAI · types: Copyright"]
    at.button(key="reset_filters").click().run()
    assert at.multiselect(key="company").value == []
    at.button(key="apply_OpenAI copyright").click().run()
    assert at.multiselect(key="company").value == ["OpenAI"]


def test_a_missing_database_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "nothing-here.db"))
    for name in ("overview", "timeline", "incident", "company", "items", "sources",
                 "watches", "audit"):
        at = page(name)
        assert "make run" in texts(at) and "python -m tracker demo" in texts(at), name


def test_one_fixed_colour_per_type_in_every_chart(db):
    from tracker.models import ACTIONS, VIOLATIONS
    from tracker.palette import ACTION_SYMBOLS, VIOLATION_COLORS, violation_label
    assert set(VIOLATION_COLORS) == set(VIOLATIONS) and set(ACTION_SYMBOLS) == set(ACTIONS)
    assert len(set(VIOLATION_COLORS.values())) == len(VIOLATIONS)
    seen: dict[str, set[str]] = {}
    for name, params in (("overview", {}), ("timeline", {}), ("timeline", {"rows": "violation"}),
                         ("company", {"profile": "OpenAI"})):
        for chart in page(name, **params).get("plotly_chart"):
            for trace in json.loads(chart.proto.spec)["data"]:
                colour = (trace.get("marker") or {}).get("color")
                if isinstance(colour, str) and trace.get("name"):
                    seen.setdefault(trace["name"], set()).add(colour)
    for violation, colour in VIOLATION_COLORS.items():
        if violation_label(violation) in seen:
            assert seen[violation_label(violation)] == {colour}
    assert seen[violation_label("copyright")] == {VIOLATION_COLORS["copyright"]}
