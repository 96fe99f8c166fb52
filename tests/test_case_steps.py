"""A later step of a case that names no violation itself ("Microsoft restores Nayara's
email") joins the case it continues and takes its types, with the case as evidence; news
about the same company stays news."""
from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from scrapers.types import RawItem, SourceFetch, SourceSpec
from tracker import store_corrections as fixes
from tracker.classify import classify_items, report_for
from tracker.incidents import IncidentGrouper
from tracker.pipeline import retag_all, tag_pending
from tracker.store import open_store
from tracker.tagger import (
    CASE_STEPS,
    case_step_tagger,
    tag_case_step,
    tag_for_grouping,
    tag_item,
)
from tracker.taxonomy import load_taxonomy

CUT = {"id": "cut", "published": "2025-07-28", "source": "Reuters",
       "title": "Microsoft cuts off Indian refiner Nayara's Outlook and Teams accounts, "
                "citing EU sanctions",
       "summary": "The refiner, part-owned by Rosneft, sued in Delhi, saying the sanctions do "
                  "not bind Microsoft in India."}
NEWS = {"id": "news", "published": "2025-07-29", "source": "The Verge",
        "title": "Microsoft brings Copilot to Outlook for all business users",
        "summary": "The assistant drafts replies and summarises long threads."}
STEP = {"id": "step", "published": "2025-07-31", "source": "Reuters",
        "title": "Microsoft restores Nayara's email and collaboration tools",
        "summary": "The refiner withdrew its court petition after access came back."}
SPEC = SourceSpec(name="Wire", url="https://wire.example/feed")


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def by_id(items, taxonomy):
    return {r.id: r for r in classify_items(items, taxonomy)}


def test_the_step_alone_names_no_violation(taxonomy):
    # What makes the rest of this file meaningful: the tagger by itself sees no incident.
    tags = tag_item(STEP["title"], STEP["summary"], taxonomy=taxonomy)
    assert tags.violations == () and tags.action is None


def test_a_later_step_joins_its_case_and_takes_its_types(taxonomy):
    out = by_id([CUT, NEWS, STEP], taxonomy)
    assert out["cut"].tags.violations == ("export_control",)
    assert out["step"].incident == out["cut"].incident is not None
    assert out["step"].tags.violations == out["cut"].tags.violations
    assert out["step"].tags.action == "response"
    why = out["step"].tags.evidence["violation:export_control"]
    assert why == (f"continues the case: {CUT['title']}",)
    assert out["step"].tags.roles == {"Microsoft": "accused"}


def test_a_step_keeps_the_roles_of_its_case(taxonomy):
    suit = {"id": "suit", "published": "2025-11-04", "source": "Reuters",
            "title": "Amazon sues Perplexity over AI agent shopping on its store",
            "summary": "The retailer says Perplexity's Comet browser logs into customers' "
                       "accounts and buys goods while posing as a person, against its terms."}
    reply = {"id": "reply", "published": "2025-11-04", "source": "The Verge",
             "title": "Perplexity calls Amazon's lawsuit bullying",
             "summary": "Perplexity said the retailer wants to stop shoppers from choosing "
                        "their own AI assistants."}
    alone = tag_case_step(reply["title"], reply["summary"], case_types={"tos_violation"},
                          case_title=suit["title"], taxonomy=taxonomy)
    assert alone is not None and alone.roles["Amazon"] == "accused"  # what the text alone says
    out = by_id([suit, reply], taxonomy)
    assert out["reply"].incident == out["suit"].incident is not None
    assert out["suit"].tags.roles == {"Amazon": "accuser", "Perplexity": "accused"}
    assert out["reply"].tags.roles == out["suit"].tags.roles


def test_news_about_the_same_company_stays_news(taxonomy):
    out = by_id([CUT, NEWS, STEP], taxonomy)
    assert out["news"].incident is None and out["news"].tags.violations == ()


def test_without_its_case_the_step_stays_news(taxonomy):
    out = by_id([NEWS, STEP], taxonomy)
    assert out["step"].incident is None and out["step"].tags.violations == ()


def test_a_case_step_needs_a_step_in_the_text(taxonomy):
    types = frozenset({"export_control"})
    assert tag_case_step(NEWS["title"], NEWS["summary"], case_types=types,
                         case_title=CUT["title"], taxonomy=taxonomy) is None
    step = tag_case_step(STEP["title"], STEP["summary"], case_types=types,
                         case_title=CUT["title"], taxonomy=taxonomy)
    assert step is not None and step.violations == ("export_control",)


def test_a_step_long_after_with_nothing_in_common_opens_nothing(taxonomy):
    later = dict(STEP, id="later", published="2026-03-02",
                 title="Microsoft pauses hiring in its gaming division",
                 summary="The company said it would review open roles after cost cuts.")
    out = by_id([CUT, later], taxonomy)
    assert out["later"].incident is None and out["later"].tags.violations == ()


def test_the_tagger_marks_which_reports_may_be_a_step(taxonomy):
    assert tag_for_grouping(STEP["title"], STEP["summary"], taxonomy=taxonomy)[1] in CASE_STEPS
    assert tag_for_grouping(NEWS["title"], NEWS["summary"], taxonomy=taxonomy)[1] is None
    tags, hint = tag_for_grouping(CUT["title"], CUT["summary"], taxonomy=taxonomy)
    assert tags.violations and hint is None  # an incident report joins as any other


def test_a_pledge_of_money_is_no_step_but_a_pledge_to_change_is(taxonomy):
    # dev-j: a chipmaker's new investment read as its answer to an earlier complaint
    money = tag_for_grouping("Chipmaker pledges $100 billion more for US plants", "",
                             taxonomy=taxonomy)
    change = tag_for_grouping("Chipmaker pledges to review hiring at its US plant", "",
                              taxonomy=taxonomy)
    assert money[1] is None and change[1] == "response"


def test_only_a_report_marked_as_a_possible_step_is_scored(taxonomy):
    grouper = IncidentGrouper(taxonomy)
    cut = tag_item(CUT["title"], CUT["summary"], taxonomy=taxonomy)
    case = grouper.assign(report_for(0, CUT, cut))
    step = tag_item(STEP["title"], STEP["summary"], taxonomy=taxonomy)
    retag = case_step_tagger(taxonomy)
    assert grouper.continue_case(report_for(1, STEP, step), retag) is None
    joined = grouper.continue_case(report_for(1, STEP, step, case_step="response"), retag)
    assert joined is not None and joined[0] == case
    assert grouper.state(case)["report_count"] == 2


def stored(path, *items):
    store = open_store(path)
    store.sync_sources([SPEC])
    raw = [RawItem(url=f"https://wire.example/{i['id']}", title=i["title"],
                   summary=i["summary"],
                   published=datetime.fromisoformat(i["published"]).replace(tzinfo=UTC))
           for i in items]
    store.save_fetch(SourceFetch(source=SPEC.name, status="new", items=tuple(raw)), SPEC,
                     datetime(2025, 8, 1, tzinfo=UTC))
    return store


def row(path, key):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, incident_id, violations FROM items WHERE url = ?",
                            [f"https://wire.example/{key}"]).fetchone()
    finally:
        conn.close()


def test_the_store_keeps_the_step_in_its_case_across_a_retag(tmp_path, taxonomy):
    path = tmp_path / "steps.db"
    with stored(path, CUT, NEWS, STEP) as store:
        tag_pending(store, taxonomy)
        retag_all(store, taxonomy)
    _, cut_incident, _ = row(path, "cut")
    _, step_incident, step_types = row(path, "step")
    assert cut_incident is not None and step_incident == cut_incident
    assert "export_control" in step_types
    assert row(path, "news")[1] is None


def test_an_analyst_who_cleared_the_types_keeps_the_step_out(tmp_path, taxonomy):
    path = tmp_path / "steps.db"
    with stored(path, CUT, STEP) as store:
        tag_pending(store, taxonomy)
        step_id = row(path, "step")[0]
        fixes.correct_item(store, step_id, "ana", violations=[])
        retag_all(store, taxonomy)
    assert row(path, "step")[1] is None


def test_a_departure_or_an_aside_about_another_suit_is_no_step(taxonomy):
    # dev-k, dev-l: a safety lead resigning read as OpenAI's answer to a breach; a licensing
    # deal whose summary says the studio is separately suing someone else
    for title, summary in [("Safety lead resigns from the ChatGPT maker", ""),
                           ("Image start-up founder steps down as chief executive", ""),
                           ("Studio licenses its characters to a video app",
                            "It is separately suing Midjourney.")]:
        tags, step = tag_for_grouping(title, summary, taxonomy=taxonomy)
        assert not tags.violations and step is None, title
    assert tag_for_grouping("Disney sues Midjourney, saying it copied its characters", "",
                            taxonomy=taxonomy)[0].violations  # the suit itself still counts


def test_results_that_mention_an_appeal_in_passing_are_no_step(taxonomy):
    # dev-m: an earnings story that says the company will appeal a ruling must not become
    # the company's answer in that case
    tags, step = tag_for_grouping("Alphabet revenue tops estimates as cloud grows",
                                  "Executives said the company will appeal the ruling.",
                                  taxonomy=taxonomy)
    assert not tags.violations and step is None
    assert tag_for_grouping("Alphabet says it will appeal the ruling", "",
                            taxonomy=taxonomy)[1] in CASE_STEPS  # the appeal as the news
