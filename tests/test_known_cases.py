"""Known cases: reports that match no incident of the run may continue a catalogued case,
only when they share a name of the case's own; known cases never count in rarity; the
stored file is current and the tools around it refuse what they should."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from scrapers.http import HttpClient, HttpConfig
from scrapers.types import SourceSpec
from tests.localserver import LocalServer, Reply
from tracker import known_cases
from tracker.classify import classify_items, report_for
from tracker.errors import TrackerError
from tracker.evaluate import EVAL_DIR, known_cases_for
from tracker.incidents import IncidentGrouper
from tracker.pipeline import run_scrape
from tracker.store import open_store
from tracker.tagger import tag_item
from tracker.taxonomy import load_taxonomy

REPO = Path(__file__).resolve().parent.parent
# A catalogued case, as our labelled sets hold one: authors against Nvidia over NeMo.
CATALOGUE = [
    {"id": "k1", "published": "2024-03-10", "source": "Reuters",
     "title": "Authors sue Nvidia over books used to train its NeMo models",
     "summary": "Brian Keene, Abdi Nazemian and Stewart O'Nan say Nvidia trained NeMo on the "
                "Books3 dataset of pirated books without permission.",
     "gold": {"incident": "nazemian-v-nvidia"}},
    {"id": "k2", "published": "2024-03-11", "source": "Ars Technica",
     "title": "Writers' copyright suit says Nvidia copied 196,640 books for NeMo",
     "summary": "The proposed class action in San Francisco names the Books3 collection as "
                "the source of the novels the chipmaker used.",
     "gold": {"incident": "nazemian-v-nvidia"}},
    {"id": "k3", "published": "2024-03-12", "source": "Outlet",
     "title": "Nvidia unveils a faster chip", "summary": "The company showed its new part.",
     "gold": {}},
]


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


@pytest.fixture(scope="module")
def known(taxonomy):
    return known_cases.build(CATALOGUE, taxonomy)


def item(item_id, published, title, summary):
    return {"id": item_id, "published": published, "title": title, "summary": summary,
            "source": "Outlet"}


# Another case of the same company and type, sharing no name with the known one.
LYRICS_SUIT = item("o", "2024-05-01", "Music publishers sue Nvidia over song lyrics in its AI",
                   "Universal and Concord say the chipmaker copied lyrics without a licence.")


def test_a_known_case_is_built_from_its_typed_reports(known):
    assert list(known) == ["case-nazemian-v-nvidia"]  # ordinary news makes no case
    case = known["case-nazemian-v-nvidia"]
    assert case["types"] == ["copyright"]
    assert case["companies"] == {"Nvidia": "accused"}
    assert case["match"]["companies"] == {"Nvidia": 2}
    assert {"nemo", "books3"} <= set(case["match"]["terms"])
    assert case["title"].startswith("Authors sue Nvidia")


def test_a_later_step_sharing_a_name_continues_the_known_case(taxonomy, known):
    # A year on, the ruling shares the case's names (NeMo, Books3), not its wording.
    ruling = item("r1", "2025-04-02", "Judge trims authors' claims against Nvidia over AI training",
                  "The court kept the core copyright claim that NeMo was trained on Books3.")
    [with_known] = classify_items([ruling], taxonomy, known)
    [without] = classify_items([ruling], taxonomy)
    assert with_known.tags.violations == ("copyright",)
    assert with_known.incident == "case-nazemian-v-nvidia"
    assert without.incident == "inc-1"


def test_retellings_of_a_known_case_meet_in_it(taxonomy, known):
    reports = [item("a", "2024-06-01", "Nvidia faces authors over NeMo training data",
                    "Novelists say the chipmaker's NeMo models learnt from pirated books."),
               item("b", "2025-02-20", "Judge lets writers pursue copyright case against Nvidia",
                    "Abdi Nazemian's suit over the Books3 dataset can go on, the court said.")]
    first, second = classify_items(reports, taxonomy, known)
    assert first.incident == second.incident == "case-nazemian-v-nvidia"


def test_the_same_company_and_type_without_a_shared_name_is_another_case(taxonomy, known):
    [result] = classify_items([LYRICS_SUIT], taxonomy, known)
    assert result.tags.violations == ("copyright",)
    assert result.incident == "inc-1"


def test_an_incident_of_the_run_comes_before_a_known_case(taxonomy, known):
    # The second report names the known case's model, but retells the run's own case.
    reports = [LYRICS_SUIT,
               item("p2", "2024-05-02",
                    "Universal and Concord take Nvidia to court over lyrics used to train NeMo",
                    "The publishers say the chipmaker's NeMo models reproduce song lyrics.")]
    first, second = classify_items(reports, taxonomy, known)
    assert first.incident == second.incident == "inc-1"


def test_a_step_of_a_famous_case_goes_to_it_not_to_the_run_s_other_case(taxonomy):
    # The run's first report opens the company's recall case; a verdict in another Autopilot
    # case, a year and a half later, would join it but belongs to its own catalogued case.
    known = known_cases.load()
    reports = [item("a", "2023-12-13", "Tesla to update two million cars after Autopilot probe",
                    "The recall adds driver alerts after a two-year NHTSA investigation of "
                    "crashes into parked emergency vehicles."),
               item("b", "2025-08-01", "Jury finds Tesla partly to blame for deadly Autopilot "
                    "crash", "A Miami federal jury awarded about $243 million over the 2019 "
                    "Key Largo crash that killed Naibel Benavides Leon.")]
    recall, verdict = classify_items(reports, taxonomy, known)
    assert recall.incident == "case-tesla-autopilot-recall"
    assert verdict.incident == "case-tesla-autopilot-benavides-verdict"


def test_a_report_that_takes_a_known_case_leads_the_rest_to_it(taxonomy, known):
    reports = [item("x", "2024-03-14", "Authors' suit says Nvidia trained NeMo on Books3",
                    "Novelists say the chipmaker copied their books without permission."),
               item("y", "2024-03-15", "Nvidia sued by writers over NeMo training",
                    "The authors say Books3 supplied their novels to the chipmaker.")]
    first, second = classify_items(reports, taxonomy, known)
    assert first.incident == second.incident == "case-nazemian-v-nvidia"


def test_known_cases_do_not_count_in_rarity(taxonomy, known):
    grouper = IncidentGrouper(taxonomy, known=known)
    scorer = grouper._scorer
    assert scorer.incidents == 0
    assert scorer.spread.get("books3", 0) == 0
    assert scorer.rarity("#Nvidia") == IncidentGrouper(taxonomy)._scorer.rarity("#Nvidia")


def test_a_case_joined_in_an_earlier_run_is_an_incident_not_a_known_case(taxonomy, known):
    ruling = item("r1", "2025-04-02", "Judge trims authors' claims against Nvidia over NeMo",
                  "The court kept the claim that NeMo was trained on Books3.")
    grouper = IncidentGrouper(taxonomy, known=known)
    tags = tag_item(ruling["title"], ruling["summary"], taxonomy=taxonomy)
    incident = grouper.assign(report_for(0, ruling, tags))
    assert incident == "case-nazemian-v-nvidia"
    stored = json.loads(json.dumps(grouper.state(incident)))  # as the store keeps it
    again = IncidentGrouper(taxonomy, [(incident, stored)], known=known)
    assert "case-nazemian-v-nvidia" not in again._known
    assert again.state(incident)["report_count"] == 1
    assert again._scorer.incidents == 1


def test_with_store_ids_a_joined_case_keeps_its_id_and_is_not_offered_again(taxonomy, known):
    ruling = item("r1", "2025-04-02", "Judge trims authors' claims against Nvidia over NeMo",
                  "The court kept the claim that NeMo was trained on Books3.")
    tags = tag_item(ruling["title"], ruling["summary"], taxonomy=taxonomy)
    grouper = IncidentGrouper(taxonomy, new_id=lambda report: "inc-stable", known=known)
    assert grouper.assign(report_for(0, ruling, tags)) == "inc-stable"
    stored = json.loads(json.dumps(grouper.state("inc-stable")))
    assert stored["case"] == "case-nazemian-v-nvidia"
    again = IncidentGrouper(taxonomy, [("inc-stable", stored)], known=known)
    assert not again._known  # the case is that incident now
    later = item("r2", "2025-06-02", "Authors and Nvidia settle the NeMo suit",
                 "The writers had said NeMo was trained on Books3.")
    later_tags = tag_item(later["title"], later["summary"], taxonomy=taxonomy)
    assert again.assign(report_for(1, later, later_tags)) == "inc-stable"


def test_the_stored_file_is_a_rebuild_of_the_dev_set(capsys):
    # Stale after a taxonomy edit: `make cases` rebuilds it.
    assert known_cases.main(["--check"]) == 0, capsys.readouterr().err


def test_a_missing_file_is_no_cases_and_a_bad_one_is_an_error(tmp_path):
    assert known_cases.load(tmp_path / "none.json") == {}
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 1, "cases": {"case-x": {"title": 1}}}', encoding="utf-8")
    with pytest.raises(TrackerError, match="make cases"):
        known_cases.load(bad)
    bad.write_text("not json", encoding="utf-8")
    with pytest.raises(TrackerError, match="cannot read known cases"):
        known_cases.load(bad)


def test_held_out_sets_never_make_known_cases(capsys):
    assert known_cases.main(["--sets", "dev", "heldout"]) == 2
    assert "held-out" in capsys.readouterr().err


def test_evaluation_never_scores_a_set_against_its_own_cases(taxonomy):
    cases, used = known_cases_for([EVAL_DIR / "dev.jsonl"], taxonomy)
    assert used == [] and cases == {}
    cases, used = known_cases_for([EVAL_DIR / "heldout.jsonl"], taxonomy)
    assert used == ["dev"] and len(cases) > 500
    assert cases == known_cases.load()  # what classify uses, exactly


def test_classify_on_the_command_line_continues_the_shipped_cases():
    line = json.dumps({"id": "a", "title": "OpenAI suspends ByteDance account over use of its "
                       "API to train a rival model", "published": "2023-12-15",
                       "source": "The Verge"})
    proc = subprocess.run([sys.executable, "-m", "tracker", "classify"], cwd=REPO, input=line,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["incident"] == "case-bytedance-openai-project-seed"


def test_a_scrape_stores_a_report_of_a_known_case_under_the_case(tmp_path, taxonomy, known):
    feed = (b"<?xml version='1.0'?><rss version='2.0'><channel><title>News</title><item>"
            b"<title>Judge trims authors' claims against Nvidia over NeMo</title>"
            b"<link>https://news.example/a</link><pubDate>Wed, 02 Apr 2025 10:00:00 GMT</pubDate>"
            b"<description>The court kept the claim that NeMo was trained on Books3.</description>"
            b"</item></channel></rss>")
    config = HttpConfig(min_host_delay=0, respect_robots=False, retries=0, read_timeout=5,
                        total_timeout=10)
    with LocalServer() as server, HttpClient(config) as client, \
            open_store(tmp_path / "t.db") as store:
        server.route("/feed", Reply(200, body=feed,
                                    headers={"Content-Type": "application/rss+xml"}))
        summary = run_scrape(store, [SourceSpec(name="News", url=server.url("/feed"))], client,
                             taxonomy, known=known)
    assert summary.tagged == 1
    with sqlite3.connect(tmp_path / "t.db") as db:
        [(incident_id, count, state)] = db.execute(
            "SELECT id, report_count, state FROM incidents").fetchall()
    # The store's own id (stable across rebuilds, known case or not); the case it continues
    # is kept in its state, so the next run does not offer the case again.
    assert incident_id.startswith("inc-") and count == 1
    assert json.loads(state)["case"] == "case-nazemian-v-nvidia"


@pytest.mark.parametrize(("day", "continues"), [("2025-06-22", False), ("2025-06-30", True)])
def test_a_step_continues_a_known_case_only_once_the_case_has_begun(taxonomy, day, continues):
    # The shipped case of regulators contacting Tesla over robotaxi videos opens on
    # 2025-06-23: the launch the day before is news, not the company's response to it.
    launch = item("t", day, "Tesla starts limited robotaxi service in Austin",
                  "Tesla began offering rides in a small number of Model Y vehicles with "
                  "safety monitors in the front passenger seat.")
    [result] = classify_items([launch], taxonomy, known_cases.load())
    assert (result.incident == "case-nhtsa-tesla-robotaxi-austin") is continues
    assert bool(result.tags.violations) is continues
