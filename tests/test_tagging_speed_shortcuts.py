"""The company and violation shortcuts never change what the tagger finds.

Each shortcut (cue sets searched only when a name needs them, look-ups worked out when the
taxonomy loads, regexes for the lower-cased text, a skipped pairwise test) is checked
against the plain way on the live taxonomy and the bundled demo corpus.
"""
from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from tracker.regex_cache import RegexCache
from tracker.tagger import tag_item
from tracker.tagging import companies
from tracker.tagging.companies import ANSWERABLE, add_paired_cues, find_mentions
from tracker.tagging.hints import lowered_runs, lowered_twins
from tracker.tagging.phrases import PhraseIndex
from tracker.tagging.text import prepare
from tracker.tagging.violations import Evidence, _may_override, _most_specific
from tracker.taxonomy import load_taxonomy

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo" / "items.jsonl"


@pytest.fixture(scope="module")
def taxonomy(tmp_path_factory):
    return load_taxonomy(cache=RegexCache(tmp_path_factory.mktemp("cache") / "store.json"))


@pytest.fixture(scope="module")
def docs():
    rows = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return [prepare(r.get("title", ""), r.get("summary", "")) for r in rows]


def nonempty(hits: dict) -> dict:
    return {k: v for k, v in hits.items() if v}


# -- paired cues searched only where a name needs them -----------------------------------

def test_the_taxonomy_defers_some_paired_cue_sets(taxonomy):
    assert taxonomy.paired_wild  # else the shortcut below is never exercised
    assert taxonomy.paired_wild <= {name for name, _ in taxonomy.index.wild}
    assert all(name in taxonomy.before and name in taxonomy.pair_after
               for name in taxonomy.paired_wild)


def test_sets_left_for_later_and_then_searched_are_the_full_scan(taxonomy, docs):
    index, later = taxonomy.index, taxonomy.paired_wild
    grew = 0
    for doc in docs:
        full = nonempty(index.scan(doc.text, lower=doc.lower))
        part = index.scan(doc.text, lower=doc.lower, later=later)
        assert nonempty(part) == {k: v for k, v in full.items() if k not in later}
        index.search_wild(part, doc.text, later)
        assert nonempty(part) == full
        grew += any(full.get(name) for name in later)
    assert grew > 5  # the demo corpus has such cues before names


def test_mentions_from_the_deferred_scan_are_those_of_the_full_scan(taxonomy, docs):
    for doc in docs:
        full = taxonomy.index.scan(doc.text, lower=doc.lower)
        part = taxonomy.index.scan(doc.text, lower=doc.lower, later=taxonomy.paired_wild)
        add_paired_cues(doc, taxonomy, part)
        assert find_mentions(doc, taxonomy, part) == find_mentions(doc, taxonomy, full)


def test_a_paired_cue_before_a_name_is_found_when_its_second_half_follows(taxonomy):
    name = "np:vendor:pair1"
    if name not in taxonomy.paired_wild:
        pytest.skip("the taxonomy no longer has this pair")
    doc = prepare("Startup disputes its Amazon bills after outage")
    hits = taxonomy.index.scan(doc.text, lower=doc.lower, later=taxonomy.paired_wild)
    assert name not in hits
    add_paired_cues(doc, taxonomy, hits)
    assert [h.text for h in hits[name]] == ["its "]


def test_the_joined_second_halves_match_where_one_of_them_does(taxonomy, docs):
    joined = taxonomy.paired_wild_after
    assert joined is not None
    halves = [taxonomy.pair_after[name] for name in taxonomy.paired_wild]
    rights = [doc.right(end) for doc in docs for end in range(0, len(doc.text), 7)]
    rights += [" apps", " client", " cloud bills", " invoice", " app store"]
    for right in rights:
        assert bool(joined.match(right)) == any(h.match(right) for h in halves), right


# -- look-ups worked out when the taxonomy loads ------------------------------------------

def test_alias_groups_name_the_alias_owners(taxonomy):
    assert dict(taxonomy.alias_groups) == {
        f"a{i}": owner for i, owner in enumerate(taxonomy.alias_owner)}


def old_pair_after(tax, cue_set: str):
    """The second half of a pair as the tagger used to find it, from the set's name."""
    rule_name, pair, index = cue_set.rpartition(":pair")
    if not pair:
        return None
    if rule_name.startswith("np:"):
        rule = tax.nonparty.get(rule_name[3:])
    else:
        rule = {"outlet": tax.outlet, "cue": tax.party_cue}.get(rule_name)
    return rule.pairs[int(index)][1] if rule is not None else None


def test_the_second_half_of_each_pair_is_the_one_named_by_its_set(taxonomy):
    for name in taxonomy.before:
        assert taxonomy.pair_after.get(name) is old_pair_after(taxonomy, name), name
    assert len(taxonomy.pair_after) >= 10


def old_nonparty_before(tax, company, left, right):
    """Every non-party rule in order, as _classify used to try them."""
    for kind, rule in tax.nonparty.items():
        if kind in company.ignore or kind == ANSWERABLE or not (rule.before or rule.pairs):
            continue
        if rule.before in left:
            return kind, left[rule.before], "before"
        for name, after in rule.pairs:
            if name in left and after.match(right):
                return kind, left[name], "before"
    return None


def test_non_party_cues_before_a_name_are_tried_in_the_rules_order(taxonomy, docs):
    checked = 0
    for doc in docs:
        for m in find_mentions(doc, taxonomy, taxonomy.index.scan(doc.text)):
            for company in taxonomy.companies.values():
                if not m.left:
                    continue
                assert companies._nonparty_before(taxonomy, company, m.left, m.right) == (
                    old_nonparty_before(taxonomy, company, m.left, m.right))
                checked += 1
    assert checked > 1000


def test_a_rule_earlier_in_order_wins_over_a_later_one(taxonomy):
    # every cue set a rule has before a name, all found at once: the first rule decides
    left = {name: name for name in taxonomy.nonparty_before}
    company = taxonomy.companies[next(iter(taxonomy.companies))]
    for right in ("", " apps", " said on Monday", " bills"):
        assert companies._nonparty_before(taxonomy, company, left, right) == (
            old_nonparty_before(taxonomy, company, left, right))


# -- regexes for the lower-cased text -----------------------------------------------------

def test_twins_for_the_lower_cased_text_match_as_the_originals(taxonomy, docs):
    assert any(rx in taxonomy.lowered for rx in taxonomy.lookalikes.values())
    checked = 0
    for doc in docs:
        if doc.lower is None:
            continue
        for rx, twin in taxonomy.lowered.items():
            assert not twin.flags & re.I
            assert ([m.span() for m in rx.finditer(doc.text)]
                    == [m.span() for m in twin.finditer(doc.lower)]), (rx.pattern, doc.text)
            checked += 1
    assert checked > 1000


def test_look_alikes_read_from_the_lower_cased_text_are_the_look_alikes(taxonomy, docs):
    plain = dataclasses.replace(taxonomy, lowered={})
    texts = [doc.text for doc in docs] + [
        "Claude Monet paintings sold as a gallery sues Anthropic over Claude",
        "Apple pie recipe goes viral; Apple sued over Siri"]
    for text in texts:
        assert tag_item(text, taxonomy=taxonomy) == tag_item(text, taxonomy=plain), text


# -- the pairwise test of violation evidence, skipped when no type overrides another ------

def evidence(vid: str, start: int, end: int) -> Evidence:
    return Evidence(vid, "phrase", start, end, False, False)


def test_no_override_possible_means_every_phrase_is_kept():
    contains = frozenset({("bias_discrimination", "misinformation")})
    found = [evidence("privacy", 0, 20), evidence("misinformation", 5, 10)]
    assert not _may_override(found, contains)
    assert _most_specific(found, contains) == found
    found.append(evidence("bias_discrimination", 0, 30))
    assert _may_override(found, contains)
    assert evidence("misinformation", 5, 10) not in _most_specific(found, contains)


def test_a_type_that_overrides_itself_is_not_skipped():
    contains = frozenset({("privacy", "privacy")})
    assert _may_override([evidence("privacy", 0, 9), evidence("privacy", 2, 5)], contains)


def test_non_party_cues_after_a_name_found_by_runs_are_those_of_the_one_regex(taxonomy, docs):
    assert any(on_lower for _, on_lower in taxonomy.nonparty_after_runs)
    found = 0
    for doc in docs:
        if doc.lower is None:
            continue
        for end in range(len(doc.text)):
            right = doc.right(end)
            expected = taxonomy.nonparty_after.match(right)
            got = companies._nonparty_after(taxonomy, right, doc.lower[end:end + len(right)])
            assert (expected and (expected.end(), expected.lastgroup)) == (
                got and (got.end(), got.lastgroup)), right
            found += expected is not None
    assert found > 50


def test_runs_keep_the_order_of_the_branches():
    cache = RegexCache()
    branches = ["(?P<one>(?-i:Acme) sues)", "(?P<two>acme sues|acme)", "(?P<three>ACME SUES)"]
    runs = lowered_runs(branches, re.I, cache)
    assert [on_lower for _, on_lower in runs] == [False, True]
    whole = re.compile("|".join(branches), re.I)
    for text in ("Acme sues", "ACME SUES", "acme sues", "acme", "Acm"):
        expected = whole.match(text)
        got = next((m for rx, low in runs if (m := rx.match(text.lower() if low else text))),
                   None)
        assert (expected and (expected.span(), expected.lastgroup)) == (
            got and (got.span(), got.lastgroup)), text
    assert lowered_runs(["(?-i:A)"], re.I, cache) == ()  # nothing gained: use the regex


def test_tags_with_the_lower_cased_shortcuts_are_the_plain_tags(taxonomy, docs):
    plain = dataclasses.replace(taxonomy, lowered={}, nonparty_after_runs=())
    for doc in docs:
        assert tag_item(doc.text, taxonomy=taxonomy) == tag_item(doc.text, taxonomy=plain)


# -- the phrase index: sets sorted only where hits may come out of order -----------------

def test_hits_stay_in_text_order_with_windows_in_any_order():
    index = PhraseIndex({"s": ["(?i:fined)(?!\\w)"], "w": ["(?i:\\w+ corp)"]})
    assert index.wild  # a phrase with no known start: the index searches for it
    text = "Acme fined. Beta corp fined. Gamma corp"
    hits = index.scan(text, windows=[(12, len(text)), (0, 12)])
    assert [h.start for h in hits["s"]] == [5, 22]
    assert [h.text for h in hits["w"]] == ["Beta corp", "Gamma corp"]


def test_lead_in_phrases_with_no_known_start_end_before_the_last_name():
    index = PhraseIndex({"cue": ["(?i:\\w+'s )"]}, named={"n": ["(?i:Acme)(?!\\w)"]},
                        lead_in={"cue"}, reach=20)
    hits = index.scan("Beta's Acme and Gamma's Acme, then Delta's")
    assert [h.text for h in hits["cue"]] == ["Beta's ", "Gamma's "]
    later = index.scan("Beta's Acme", later={"cue"})
    assert "cue" not in later
    index.search_wild(later, "Beta's Acme", {"cue"})
    assert [h.text for h in later["cue"]] == ["Beta's "]


def test_twins_are_found_by_the_regex_itself():
    rx, other = re.compile("Acme (?:sues|sued)", re.I), re.compile("Beta", re.I)
    twins = lowered_twins([rx, re.compile("(?-i:US)", re.I)], RegexCache())
    assert list(twins) == [rx] and len(twins) == 1  # "(?-i:US)" has no twin
    assert twins.get(rx).match("acme sued") and not twins.get(rx).flags & re.I
    assert twins.get(other) is None and twins.get(re.compile("acme")) is None
    with pytest.raises(KeyError):
        twins[other]
