"""`classify`: JSON Lines in, one JSON line per item out, same order, the fields of
interfaces.md, incident ids shared by reports of one incident."""
from __future__ import annotations

import json

import pytest

from tracker.classify import classify_stream
from tracker.errors import InputError
from tracker.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def lines(*items: dict) -> list[str]:
    return [json.dumps(i) for i in items]


def run(taxonomy, input_lines) -> list[dict]:
    return [json.loads(out) for out in classify_stream(input_lines, taxonomy)]


ITEMS = (
    {"id": "a", "title": "OpenAI suspends ByteDance's account over use of its models",
     "summary": "The TikTok owner used OpenAI's API via Microsoft's Azure to build Project Seed, "
                "against both companies' terms.", "published": "2023-12-16", "source": "Axios"},
    {"id": "b", "title": "Nvidia reports record revenue", "summary": "Data-centre sales doubled.",
     "published": "2023-11-21", "source": "CNBC"},
    {"id": "c", "title": "ByteDance secretly used OpenAI's API to build a rival model",
     "summary": "Documents show Project Seed relied on OpenAI technology reached through "
                "Microsoft's Azure, breaking both providers' terms of service.",
     "published": "2023-12-15", "source": "The Verge"},
)


def test_one_output_line_per_item_in_input_order_with_the_documented_fields(taxonomy):
    out = run(taxonomy, lines(*ITEMS))
    assert [o["id"] for o in out] == ["a", "b", "c"]
    assert list(out[0])[:6] == ["id", "companies", "violations", "action", "incident", "evidence"]
    assert set(out[0]["companies"]) == {"OpenAI", "ByteDance", "Microsoft"}
    assert out[0]["violations"] == ["tos_violation"]
    assert out[0]["roles"]["ByteDance"] == "accused"


def test_reports_of_one_incident_share_an_id_and_news_has_none(taxonomy):
    out = run(taxonomy, lines(*ITEMS))
    assert out[0]["incident"] == out[2]["incident"] is not None
    assert out[1]["incident"] is None and out[1]["violations"] == [] and out[1]["action"] is None


def test_only_taxonomy_md_names_are_printed(taxonomy):
    out = run(taxonomy, lines({"id": 1, "title": "FTC bans Rite Aid from using facial recognition",
                               "summary": "The system falsely flagged shoppers as thieves."}))
    assert out[0]["companies"] == []
    assert out[0]["id"] == 1


def test_optional_fields_may_be_missing_and_blank_lines_are_skipped(taxonomy):
    item = {"id": "x", "title": "Meta fined over data transfers"}
    out = run(taxonomy, ["", json.dumps(item), "  "])
    assert [o["id"] for o in out] == ["x"]
    assert out[0]["incident"] is not None


def test_bad_json_is_an_input_error_naming_the_line(taxonomy):
    with pytest.raises(InputError, match="line 2: not valid JSON"):
        run(taxonomy, [json.dumps(ITEMS[0]), "{oops"])


def test_a_line_that_is_not_an_object_is_refused(taxonomy):
    with pytest.raises(InputError, match="line 1: expected a JSON object"):
        run(taxonomy, ["[1, 2]"])


def test_a_title_that_is_not_text_is_refused(taxonomy):
    with pytest.raises(InputError, match="line 1: title and summary must be strings"):
        run(taxonomy, [json.dumps({"id": "x", "title": 42})])


def test_the_command_line_prints_one_line_per_item(taxonomy):
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-m", "tracker", "classify"], cwd=repo, text=True,
                          input="\n".join(lines(*ITEMS)) + "\n", capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [json.loads(x)["id"] for x in done.stdout.splitlines()] == ["a", "b", "c"]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_left_as_it_was_and_cycles_are_collected(taxonomy, enabled):
    """classify pauses the cyclic collector while it works (a speed-up); afterwards the
    collector is on or off as before, and a cycle made meanwhile is gone when it was on."""
    import gc
    import weakref

    class Node:
        pass

    def items():
        node = Node()
        node.self = node  # a reference cycle, unreachable once the generator moves on
        refs.append(weakref.ref(node))
        yield {"id": 1, "title": "Acme sued over chatbot", "published": "2024-01-01"}

    refs: list = []
    (gc.enable if enabled else gc.disable)()
    try:
        out = list(classify_stream([json.dumps(i) for i in items()], taxonomy))
        assert len(out) == 1
        assert gc.isenabled() is enabled
        assert (refs[0]() is None) is enabled
    finally:
        gc.enable()
