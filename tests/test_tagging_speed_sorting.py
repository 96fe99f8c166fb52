"""The phrase index sorts a set's hits only when a later pass added to it.

The first pass reports in text order; the lead-in pass (cues just before a name) and the
plain search for phrases with no known start append after it. PhraseIndex.scan sorts
only the sets those passes touched: each check below compares with every set sorted.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tracker.regex_cache import RegexCache
from tracker.tagging.phrases import PhraseIndex
from tracker.tagging.text import prepare
from tracker.taxonomy import load_taxonomy

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "data" / "demo" / "items.jsonl"
# "rival" is in a lead-in set and in another set: the first pass reports it; "backed by"
# only comes before a name, so the lead-in pass adds it later, though it comes first.
CUES = {"cue": ["(?i:backed by)(?!\\w)", "(?i:rival)(?!\\w)"], "other": ["(?i:rival)(?!\\w)"]}
NAMES = {"a": ["Acme"]}
TEXT = "Startup backed by Acme, a rival of Zeta"


@pytest.fixture(scope="module")
def taxonomy(tmp_path_factory):
    return load_taxonomy(cache=RegexCache(tmp_path_factory.mktemp("cache") / "store.json"))


def starts(hits: dict, name: str) -> list[int]:
    return [h.start for h in hits.get(name, ())]


def fully_sorted(hits: dict) -> dict:
    return {name: sorted(found, key=lambda h: h.start) for name, found in hits.items() if found}


def test_lead_in_hits_found_after_the_first_pass_come_out_in_text_order():
    index = PhraseIndex(CUES, NAMES, lead_in={"cue"}, reach=30)
    hits = index.scan(TEXT)
    assert [h.text for h in hits["cue"]] == ["backed by", "rival"]
    assert starts(hits, "cue") == sorted(starts(hits, "cue"))


def test_a_set_no_later_pass_touched_keeps_the_first_pass_order():
    index = PhraseIndex(CUES, NAMES, lead_in={"cue"}, reach=30)
    hits = index.scan("Acme, a rival of Zeta, a rival of Acme")  # no cue before a name
    assert [h.text for h in hits["cue"]] == ["rival", "rival"]
    assert hits == fully_sorted(hits) | {k: v for k, v in hits.items() if not v}


def test_the_demo_corpus_scans_as_with_every_set_sorted(taxonomy):
    index, later = taxonomy.index, taxonomy.paired_wild
    for row in _demo_rows():
        doc = prepare(row.get("title", ""), row.get("summary", ""))
        for hits in (index.scan(doc.text, lower=doc.lower, later=later),
                     index.scan(doc.text, lower=doc.lower)):
            found = {k: v for k, v in hits.items() if v}
            assert found == fully_sorted(found), doc.text


def test_sets_are_sorted_only_where_a_later_pass_ran():
    """Counted on the Python modules (TRACKER_PURE): compiled, scan calls _sort_sets
    directly, past any patch (tracker.native)."""
    script = textwrap.dedent(f"""
        import json, sys
        import tracker
        from tracker.tagging import phrases
        from tracker.tagging.text import prepare
        from tracker.taxonomy import load_taxonomy
        assert tracker.native.status().startswith("python"), tracker.native.status()
        calls = []
        sort_sets = phrases._sort_sets
        phrases._sort_sets = lambda hits, names: calls.append(names) or sort_sets(hits, names)
        taxonomy = load_taxonomy()
        rows = [json.loads(line) for line in open({str(DEMO)!r}, encoding="utf-8")
                if line.strip()]
        for row in rows:
            doc = prepare(row.get("title", ""), row.get("summary", ""))
            taxonomy.index.scan(doc.text, lower=doc.lower, later=taxonomy.paired_wild)
            taxonomy.index.scan(doc.text, lower=doc.lower)
        print(len(calls), len(rows))
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env={**os.environ, "TRACKER_PURE": "1"}, cwd=REPO, timeout=300,
                         check=False)
    assert run.returncode == 0, run.stderr
    calls, rows = map(int, run.stdout.split())
    assert 0 < calls < 2 * rows  # sorted where a later pass ran, not always


def _demo_rows() -> list[dict]:
    return [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines()
            if line.strip()]
