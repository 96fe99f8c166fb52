"""Grouping rules: one event from several outlets is one incident; a later development of
a case joins it, even a year later; a different case between the same parties does not;
grouping is incremental, continues from stored states and compares a bounded number of
candidates."""
from __future__ import annotations

import json

import pytest

from tracker.incidents import IncidentGrouper
from tracker.models import Report
from tracker.tagger import tag_item
from tracker.tagging.features import extract_features
from tracker.tagging.similarity import Scorer
from tracker.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def report(taxonomy, item_id, published, title, summary="", source="Outlet"):
    tags = tag_item(title, summary, taxonomy=taxonomy)
    return Report(item_id=item_id, title=title, summary=summary, published=published,
                  source=source, tags=tags)


def group(grouper, reports):
    return [grouper.assign(r) for r in reports]


SEED = [
    ("2023-12-15", "ByteDance secretly used OpenAI's API to build its own model",
     "The TikTok owner reached OpenAI technology through Microsoft's Azure to develop Project "
     "Seed, which both providers' terms forbid.", "The Verge"),
    ("2023-12-16", "OpenAI suspends ByteDance's account over use of its models",
     "The ChatGPT maker said the Chinese company may have broken its terms by using outputs "
     "to train a rival model, Project Seed.", "Axios"),
    ("2023-12-18", "TikTok parent says GPT use was limited and licensed through Microsoft",
     "ByteDance denied building its Project Seed model on OpenAI outputs against the terms.",
     "South China Morning Post"),
]


def test_reports_of_one_event_from_several_outlets_are_one_incident(taxonomy):
    grouper = IncidentGrouper(taxonomy)
    ids = group(grouper, [report(taxonomy, f"seed-{n}", d, t, s, o)
                          for n, (d, t, s, o) in enumerate(SEED)])
    assert ids[0] is not None and len(set(ids)) == 1
    state = grouper.state(ids[0])
    assert state["report_count"] == 3 and state["outlet_count"] == 3
    assert state["first_report"] == "2023-12-15"
    assert state["companies"]["ByteDance"] == "accused"
    assert [s["action"] for s in state["lifecycle"]][1] == "restriction"


def test_a_ruling_more_than_a_year_later_joins_its_case(taxonomy):
    grouper = IncidentGrouper(taxonomy)
    suit = report(taxonomy, "w1", "2023-06-07",
                  "Radio host Mark Walters sues OpenAI for defamation",
                  "Walters says ChatGPT falsely claimed he embezzled money from a gun-rights "
                  "group.")
    ruling = report(taxonomy, "w2", "2025-05-19",
                    "OpenAI wins Walters defamation case over ChatGPT hallucination",
                    "A Georgia judge found no reasonable reader would take the output as fact.")
    first, later = group(grouper, [suit, ruling])
    assert first == later
    assert [s["action"] for s in grouper.state(first)["lifecycle"]] == ["lawsuit", "ruling"]


def test_a_settlement_joins_the_suit_it_ends(taxonomy):
    grouper = IncidentGrouper(taxonomy)
    suit = report(taxonomy, "b1", "2024-08-20", "Authors sue Anthropic over pirated books",
                  "Andrea Bartz and other writers say Claude was trained on copies from shadow "
                  "libraries.")
    deal = report(taxonomy, "b2", "2025-09-05",
                  "Anthropic agrees to pay $1.5 billion to settle authors' piracy suit",
                  "The Bartz class action settlement covers pirated books the company downloaded.")
    assert len(set(group(grouper, [suit, deal]))) == 1


def test_two_suits_between_the_same_parties_in_different_countries_are_two_incidents(taxonomy):
    grouper = IncidentGrouper(taxonomy)
    uk = report(taxonomy, "g1", "2023-01-17",
                "Getty Images starts legal action against Stability AI in London",
                "Getty says Stability AI copied millions of its images; the case is at the High "
                "Court.")
    us = report(taxonomy, "g2", "2023-02-06",
                "Getty Images sues Stability AI in Delaware federal court",
                "The US lawsuit says Stability AI copied 12 million photos to train Stable "
                "Diffusion.")
    first, second = group(grouper, [uk, us])
    assert first != second


def test_two_regulators_fines_of_one_company_are_two_incidents(taxonomy):
    grouper = IncidentGrouper(taxonomy)
    ico = report(taxonomy, "c1", "2022-05-23", "UK's ICO fines Clearview AI £7.5m",
                 "The Information Commissioner's Office said the company scraped faces from the "
                 "web.")
    cnil = report(taxonomy, "c2", "2022-10-20", "France's CNIL fines Clearview AI €20 million",
                  "The regulator ordered Clearview AI to delete data on people in France.")
    first, second = group(grouper, [ico, cnil])
    assert first != second


def test_different_defendants_sued_the_same_day_are_two_incidents(taxonomy):
    grouper = IncidentGrouper(taxonomy)
    suno = report(taxonomy, "m1", "2024-06-24", "Record labels sue Suno over copied recordings",
                  "Universal Music, Sony Music and Warner Records say Suno copied their songs.")
    udio = report(taxonomy, "m2", "2024-06-24", "Record labels sue Udio over copied recordings",
                  "Universal Music, Sony Music and Warner Records say Udio copied their songs.")
    first, second = group(grouper, [suno, udio])
    assert first != second


def test_ordinary_news_belongs_to_no_incident(taxonomy):
    grouper = IncidentGrouper(taxonomy)
    assert grouper.assign(report(taxonomy, "n1", "2024-05-13", "OpenAI launches GPT-4o")) is None
    assert grouper.changed() == set()


def test_default_ids_count_up_and_a_custom_scheme_is_used(taxonomy):
    reports = [report(taxonomy, "a", "2024-01-01",
                      "Italy fines OpenAI over ChatGPT privacy breaches"),
               report(taxonomy, "b", "2024-03-01", "Authors sue Nvidia over pirated books")]
    assert group(IncidentGrouper(taxonomy), reports) == ["inc-1", "inc-2"]
    custom = IncidentGrouper(taxonomy, new_id=lambda r: f"case-{r.item_id}")
    assert group(custom, reports) == ["case-a", "case-b"]


def test_states_are_json_and_let_the_next_run_continue(taxonomy):
    first_run = IncidentGrouper(taxonomy)
    ids = group(first_run, [report(taxonomy, f"s{n}", d, t, s, o)
                            for n, (d, t, s, o) in enumerate(SEED[:2])])
    states = [(i, json.loads(json.dumps(first_run.state(i)))) for i in first_run.changed()]
    second_run = IncidentGrouper(taxonomy, states)
    d, t, s, o = SEED[2]
    later = second_run.assign(report(taxonomy, "s2", d, t, s, o))
    assert later == ids[0]
    assert second_run.changed() == {ids[0]}
    assert second_run.state(later)["report_count"] == 3
    new = second_run.assign(report(taxonomy, "x", "2024-02-01",
                                   "Authors sue Nvidia over pirated books"))
    assert new not in {ids[0]} and new.startswith("inc-")


def test_assigning_a_known_item_again_keeps_its_incident_without_counting_it_twice(taxonomy):
    grouper = IncidentGrouper(taxonomy)
    r = report(taxonomy, "k1", "2024-04-01", "Italy fines OpenAI over ChatGPT privacy breaches")
    first = grouper.assign(r)
    assert grouper.assign(r) == first
    assert grouper.state(first)["report_count"] == 1


def test_each_report_is_compared_with_a_bounded_number_of_incidents(taxonomy):
    grouper = IncidentGrouper(taxonomy)
    for n in range(150):  # many incidents of one company and type, each opened as its own
        fine = report(taxonomy, f"f{n}", f"{2000 + n % 25}-0{1 + n % 9}-1{n % 10}",
                      f"Regulator number {n} fines Meta over privacy breach {n}")
        grouper.place(fine, grouper.examine(fine)[0], None)
    assert len(grouper.changed()) == 150
    # (Counted through the objects themselves: compiled, the grouper calls the scorer
    # directly, past any patch of its class.)
    features, scored = grouper.examine(report(taxonomy, "last", "2030-01-01",
                                              "Regulator fines Meta over privacy breach"))
    candidates = grouper._candidates(features)
    assert 0 < len(candidates) <= taxonomy.grouping.max_candidates
    assert len(scored) <= len(candidates)


def test_a_second_outlet_that_reads_another_type_still_joins_the_event(taxonomy):
    grouper = IncidentGrouper(taxonomy)
    scraping = report(taxonomy, "r1", "2025-06-04",
                      "Reddit sues Anthropic, saying its bots kept scraping the site",
                      "The complaint says Anthropic's crawlers hit Reddit's servers more than "
                      "100,000 times after the company said it had stopped.")
    licence = report(taxonomy, "r2", "2025-06-05",
                     "Reddit takes Claude developer to court over unlicensed use of users' posts",
                     "The social network says the AI company trained its chatbot on Reddit "
                     "comments without a licence.")
    assert set(scraping.tags.violations) != set(licence.tags.violations)  # the trap
    first, second = group(grouper, [scraping, licence])
    assert first == second


def test_a_suit_against_another_defendant_is_ruled_out_however_alike(taxonomy):
    grouper = IncidentGrouper(taxonomy)
    first = report(taxonomy, "d1", "2024-06-24", "Record labels sue Suno over copied songs",
                   "Universal Music says Suno copied its recordings.")
    second = report(taxonomy, "d2", "2024-06-25", "Record labels sue Udio over copied songs",
                    "Universal Music says Udio copied its recordings.")
    a, b = group(grouper, [first, second])
    assert a != b
    features = extract_features(second, taxonomy)
    scorer = Scorer(taxonomy.grouping)
    match = grouper.state(a)["match"]
    scorer.update(a, match, ())
    assert scorer.features(features, scorer.vector(features), a, match) is None
