"""The tagger's shortcuts never change what it finds.

The phrase index skips phrases whose anchor words a text lacks, finds the keys at word starts
by walking a trie (or by a split after non-word characters), looks for company cues only
just before names, and keeps
compiled regexes between runs. Each shortcut is checked against the plain way on the live
taxonomy and the bundled demo corpus, so that a phrase an analyst adds later cannot fall
through a gap in the analysis unnoticed."""
from __future__ import annotations

import bisect
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.regex_cache import RegexCache
from tracker.tagger import tag_item
from tracker.tagging.literals import END, analyse, anchors_of, parse, prefixes, required_text
from tracker.tagging.phrase_plans import fits, for_lowered_text, key_tree
from tracker.tagging.phrases import KeyWalker, PhraseIndex
from tracker.tagging.text import is_title_case, normalise, prepare
from tracker.taxonomy import CUE_REACH, DEFAULT_DIR, TaxonomyError, load_taxonomy

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "data" / "demo" / "items.jsonl"


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("regex-cache")


@pytest.fixture(scope="module")
def taxonomy(cache_dir):
    return load_taxonomy(cache=RegexCache(cache_dir / "store.json"))


def demo_texts() -> list[str]:
    rows = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return [prepare(r.get("title", ""), r.get("summary", "")).text for r in rows]


def plain_scan(index: PhraseIndex, text: str) -> dict:
    """The index without its shortcuts: a window over the whole text turns them off."""
    return {k: v for k, v in index.scan(text, windows=[(0, len(text))]).items() if v}


def within_reach(hits: list, named: list[int]) -> list:
    def near(start: int) -> bool:
        i = bisect.bisect_right(named, start)
        return i < len(named) and named[i] - start <= CUE_REACH
    return [h for h in hits if near(h.start)]


# -- the live taxonomy, scanned both ways -----------------------------------------------

def test_demo_corpus_scans_the_same_with_and_without_shortcuts(taxonomy):
    index, lead_in = taxonomy.index, set(taxonomy.before)
    checked = 0
    for text in demo_texts():
        fast = {k: v for k, v in index.scan(text).items() if v}
        plain = plain_scan(index, text)
        named = sorted(h.start for h in plain.get("a", ()))
        for name in set(fast) | set(plain):
            expected = plain.get(name, [])
            if name in lead_in:  # cues are only looked for just before a company's name
                expected = within_reach(expected, named)
            assert fast.get(name, []) == expected, (name, text)
            checked += 1
    assert checked > 1000


def test_the_lower_cased_text_given_to_a_scan_changes_nothing(taxonomy):
    for text in demo_texts():
        doc = prepare(text)
        if doc.lower is not None:
            assert taxonomy.index.scan(doc.text, lower=doc.lower) == taxonomy.index.scan(doc.text)


def test_roles_read_from_the_lower_cased_text_are_the_roles(taxonomy):
    plain = dataclasses.replace(taxonomy, roles_after_lower=None)  # the regex as written
    for text in demo_texts():
        tags = tag_item(text, taxonomy=taxonomy)
        assert tags.roles == tag_item(text, taxonomy=plain).roles, text


def test_grouping_places_scan_the_same_with_and_without_shortcuts(taxonomy):
    index = taxonomy.grouping.where
    for text in demo_texts():
        assert {k: v for k, v in index.scan(text).items() if v} == plain_scan(index, text)


def split_keys(index: PhraseIndex, lower: str) -> tuple[list[str], list[int]]:
    """(keys, starts) as the trie regex finds them after each non-word character (a space
    put first), offsets by summing the lengths of the text between."""
    parts = index._after_gap.split(" " + lower)
    keys, starts, at = parts[1::2], [], 0
    for between in parts[0:-1:2]:
        at += len(between)
        starts.append(at)
        at += 1  # the non-word character split at
    return keys, starts


def test_the_key_walk_finds_the_keys_the_trie_regex_finds(taxonomy):
    index = taxonomy.index
    assert index._walker is not None  # the live taxonomy's index is walked
    rng = __import__("random").Random(5)
    keys = sorted(set(index._specs) | set(index._anchor_bits))
    pieces = [*rng.sample(keys, 400), " ", "  ", "\t", "\n", "\u00a0", "\u2003", "\x1c",
              "-", "'", ",", ".", "(", "é", "ß", "\u0131", "_", "7", "x", "\u200b"]
    made = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))).lower()
            for _ in range(3_000)]
    texts = [t.lower() for t in demo_texts()] + made
    found = 0
    for text in texts + texts:  # the second time from the walker's memo
        keys_found, starts = index._walker.keys_at(text)
        assert (keys_found, starts) == split_keys(index, text), text
        found += len(keys_found)
    assert found > 20_000


def test_the_key_walk_forgets_chunks_past_its_limit_and_finds_the_same_keys():
    keys = ["sue", "sued", "sued by", "fine", "fined over", "probe"]
    walker, remembering = KeyWalker(key_tree(keys), limit=5), KeyWalker(key_tree(keys))
    texts = [f"acme{i} sued by rival{i}, fined over data {i}; probe" for i in range(40)]
    for text in texts:
        assert walker.keys_at(text) == remembering.keys_at(text)
        assert len(walker._chunks) <= 5 + len(text.split())
    assert len(remembering._chunks) > 40
    assert walker.keys_at(texts[0]) == (["sued by", "fined over", "probe"], [6, 22, 41])


def test_phrases_opening_with_a_non_word_character_are_searched_not_walked():
    index = PhraseIndex({"s": ["(?i:#metoo suit)(?!\\w)", "(?i:suit)(?!\\w)"]})
    assert [name for name, _ in index.wild] == ["s"]  # no key: found by a plain search
    assert [h.text for h in index.scan("A #MeToo suit")["s"]] == ["#MeToo suit", "suit"]


def test_letters_that_fold_apart_do_not_hide_a_phrase():
    # IGNORECASE matches the long s "ſ" to "s", str.lower() leaves it: the anchor "sued"
    # is not in the lower-cased text, yet the phrase matches.
    index = PhraseIndex({"s": ["(?i:Acme (?:\\w+ ){0,3}?sued)(?!\\w)"]})
    text = "Acme was \u017fued"
    assert [h.text for h in index.scan(text)["s"]] == [text]


# -- how matches at one start are reported ----------------------------------------------

def test_two_phrases_of_a_set_at_one_start_report_the_first_filed():
    # "foo" and "foo bar" start alike; the merged regex tried the one filed under the
    # shorter prefix first, and reported it alone.
    index = PhraseIndex({"s": ["(?i:foo bar)(?!\\w)", "(?i:foo)(?!\\w)"]})
    assert [(h.start, h.end) for h in index.scan("foo bar")["s"]] == [(0, 3)]


def test_one_phrase_in_two_sets_gives_a_hit_in_each():
    index = PhraseIndex({"a": ["(?i:fined)(?!\\w)"], "b": ["(?i:fined)(?!\\w)"]})
    hits = index.scan("Regulator fined the company")
    assert [h.text for h in hits["a"]] == ["fined"] == [h.text for h in hits["b"]]


def test_a_phrase_whose_opening_cannot_begin_a_key_still_matches_where_it_can():
    # "it" followed by no word character: not tried at "its" or "item", found at "It,".
    index = PhraseIndex({"s": ["(?i:it)(?!\\w)"], "t": ["(?i:item)(?!\\w)", "(?i:its)(?!\\w)"]})
    hits = index.scan("It, its item and it")
    assert [h.start for h in hits["s"]] == [0, 17]
    assert [h.text for h in hits["t"]] == ["its", "item"]


def test_lead_in_phrases_are_found_only_just_before_a_name():
    index = PhraseIndex({"cue": ["(?i:backed by )"]}, named={"n": ["(?i:Acme)(?!\\w)"]},
                        lead_in={"cue"}, reach=20)
    assert [h.start for h in index.scan("backed by Acme")["cue"]] == [0]
    assert "cue" not in index.scan("backed by a long list of investors, and Acme")
    assert "cue" not in index.scan("backed by nobody")


# -- what the analysis reads from a pattern ---------------------------------------------

def test_prefixes_are_the_possible_first_letters():
    assert prefixes("(?i:su(?:e|ed|ing))") == {"sue", "sued", "suing"}
    assert prefixes("\\w+ed") is None


def test_anchors_are_words_that_start_where_the_text_has_a_word_start():
    found = anchors_of(parse(r"(?:suspend\w*|ban\w*)\W+(?:\w+\W+){0,5}?accounts?"))
    assert frozenset({"account", "accounts"}) in found
    # "accounts" inside a word is no word start; "suspend" is longer than the prefix
    assert anchors_of(parse(r"suspend\w*accounts")) == (frozenset({"suspend"}),)
    # the first word is the prefix's: an anchor only where it says more ("rival to ")
    assert anchors_of(parse(r"(?:rival|alternative) (?:to|of) ")) == (
        frozenset({"rival to ", "rival of ", "alternativ"}),)


def test_openings_mark_where_a_word_must_end():
    assert analyse("(?i:it)(?!\\w)")[2] == ["it" + END]
    assert analyse("(?i:(?:anti|pro)(?=-))(?!\\w)")[2] == ["anti" + END, "pro" + END]
    assert analyse("(?i:su(?:e|ed))(?!\\w)")[2] == ["sue" + END, "sued" + END]
    # with ASCII \\w, "(?!\\w)" lets "é" follow: no END
    assert analyse("(?a:it(?!\\w))")[2] == ["it"]


def test_an_opening_fits_a_key_where_their_letters_agree():
    assert fits("it" + END, "it") and fits("it" + END, "it's") and fits("pro" + END, "pro-")
    assert not fits("it" + END, "its") and not fits("pro" + END, "prote")
    assert not fits("sued", "sues") and fits("sued by", "sued")
    # letters are told apart only where both are ASCII (IGNORECASE folds some others)
    assert fits("s", "\u017f") and fits("caf\u00e9", "cafe")


def test_required_text_of_look_alikes():
    found = required_text("(?:Tom Cruise)|(?:cruise ship)", re.I)
    assert found == ["cruise shi", "tom cruise"]  # the first ten letters of a word or more
    assert required_text("[A-Z]\\w+") is None


# -- regexes for the lower-cased text ---------------------------------------------------

def test_a_regex_for_lower_cased_text_matches_as_the_original_does():
    rx = re.compile(r"(?P<a>\s*Co\.?)?(?:'s|\u2019s)? (?:sues|Sued|[A-Z]+ API)\b|(?P<b>,? WHO)",
                    re.I)
    low = re.compile(for_lowered_text(rx.pattern, rx.flags))
    assert not low.flags & re.I
    texts = [" Co. sues", "'s SUED", " Sued", "\u2019s ABC api", ", who", " who", " sue", "Co sues",
             " X API", " \u212a API"]  # the Kelvin sign lower-cases to "k"
    for text in texts:
        expected, found = rx.match(text), low.match(text.lower())
        assert (expected and (expected.span(), expected.lastgroup)) == (
            found and (found.span(), found.lastgroup)), text
    assert sum(bool(rx.match(t)) for t in texts) >= 6


@pytest.mark.parametrize("pattern", [
    "(?-i:US)",  # case-sensitive part
    r"(\w)\1",  # a back-reference compares as IGNORECASE does
    "[A-z]",  # a range that lower-casing does not map onto a range
    "\u00c9cole",  # an upper-case letter outside ASCII
    "(?a:Co)",  # ASCII-only case folding
    "(?i)Co",  # IGNORECASE set inside the pattern stays on
])
def test_no_regex_for_lower_cased_text_where_it_could_differ(pattern):
    assert for_lowered_text(pattern, re.I) is None


def test_no_regex_for_lower_cased_text_without_ignorecase():
    assert for_lowered_text("Co", 0) is None


# -- compiled regexes kept between runs -------------------------------------------------

def test_a_stored_regex_is_the_regex(tmp_path):
    path = tmp_path / "store.json"
    first = RegexCache(path)
    made = first.compile(r"(?P<word>\w+) (?i:Inc)\b", re.M)
    first.save()
    again = RegexCache(path).compile(r"(?P<word>\w+) (?i:Inc)\b", re.M)
    assert (again.pattern, again.flags, again.groupindex) == (
        made.pattern, made.flags, made.groupindex)
    assert again.findall("Acme INC\nBeta inc") == made.findall("Acme INC\nBeta inc") == [
        "Acme", "Beta"]


def test_a_damaged_store_is_ignored(tmp_path):
    path = tmp_path / "store.json"
    cache = RegexCache(path)
    cache.check("abc")
    assert cache.fact("kind", "abc", lambda: ["a"]) == ["a"]
    cache.save()
    data = json.loads(path.read_text(encoding="utf-8"))
    data["facts"] = ["not", "a", "mapping"]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert RegexCache(path).fact("kind", "abc", lambda: ["b"]) == ["b"]
    path.write_text("{not json", encoding="utf-8")
    assert RegexCache(path).compile("abc").match("abc")
    assert RegexCache(path).fact("kind", "abc", lambda: ["c"]) == ["c"]


def test_the_store_holds_facts_and_no_compiled_code(tmp_path):
    path = tmp_path / "store.json"
    cache = RegexCache(path)
    cache.compile(r"\bfine[sd]?\b", re.I)
    cache.fact("kind", "p", lambda: 1)
    cache.save()
    assert set(json.loads(path.read_text(encoding="utf-8"))) == {
        "format", "python", "valid", "facts"}


def test_an_edited_taxonomy_is_never_served_from_the_store(tmp_path):
    taxonomy_dir, cache = tmp_path / "taxonomy", tmp_path / "cache" / "store.json"
    shutil.copytree(DEFAULT_DIR, taxonomy_dir)
    title = "Regulator says the chatbot engaged in zorbling of users"
    assert not tag_item(title, taxonomy=load_taxonomy(taxonomy_dir,
                                                      cache=RegexCache(cache))).violations
    assert cache.is_file()
    path = taxonomy_dir / "violations.toml"
    text = path.read_text(encoding="utf-8")
    head = "[types.privacy]\nstrong = ["
    path.write_text(text.replace(head, head + "'zorbling',"), encoding="utf-8")
    tax = load_taxonomy(taxonomy_dir, cache=RegexCache(cache))
    assert tag_item(title, taxonomy=tax).violations == ("privacy",)
    path.write_text(text.replace(head, head + "'(bad',"), encoding="utf-8")
    with pytest.raises(TaxonomyError, match="bad regular expression"):
        load_taxonomy(taxonomy_dir, cache=RegexCache(cache))


# -- the prepared text ------------------------------------------------------------------

def test_long_words_are_found_as_at_a_word_boundary():
    from tracker.tagging.text import _LONG_CAPITAL, _LONG_WORD
    plain = (re.compile(r"\b[A-Za-z][A-Za-z'-]{3,}"), re.compile(r"\b[A-Z][A-Za-z'-]{3,}"))
    rng = __import__("random").Random(2)
    pieces = ["Abcd", "abcde", "X", " ", "-", "'", "é", "_", "1", "Über", "Mc", "Donald", "ab",
              ",", "\n", "\u0131"]
    texts = demo_texts() + ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
                            for _ in range(20_000)]
    for text in texts:
        assert _LONG_WORD.findall(text) == plain[0].findall(text), text
        assert _LONG_CAPITAL.findall(text) == plain[1].findall(text), text
    assert sum(len(_LONG_CAPITAL.findall(t)) for t in texts) > 5_000


def test_title_case_is_worked_out_when_asked():
    doc = prepare("Startup Extends Its Runway With New Funding", "It raised money.")
    assert doc.sentences[0].title_case is is_title_case(doc.text[:doc.title_end]) is True
    assert doc.sentences[1].title_case is False


def test_plain_ascii_text_is_normalised_as_text_with_typographic_marks():
    assert normalise("  OpenAI's  \n model ") == "OpenAI's model"
    assert normalise("OpenAI\u2019s\u00a0 model \u2014 sued") == "OpenAI's model - sued"


def test_sentences_end_at_a_stop_before_a_capital_or_at_a_line_break():
    doc = prepare("Title", "Dr. Smith spoke. it goes on! \"Next\" one?", "body text")
    assert [doc.text[s.start:s.end] for s in doc.sentences] == [
        "Title", "Dr. Smith spoke. it goes on!", "\"Next\" one?\n", "body text"]


def test_lower_cased_text_only_where_offsets_and_letters_stay():
    assert prepare("OpenAI Sued").lower == "openai sued"
    assert prepare("\u0130stanbul court fines X").lower is None
    assert prepare("A \u017fpelling").lower is None


# -- how keys are filed, kept between runs ----------------------------------------------

def stored_filings(path: Path) -> dict:
    facts = json.loads(path.read_text(encoding="utf-8"))["facts"]
    return {k: v for k, v in facts.items() if k.startswith("phrase-keys-")}


def test_keys_filed_from_the_store_scan_as_keys_filed_afresh(taxonomy, cache_dir):
    filings = stored_filings(cache_dir / "store.json")
    assert filings  # the first load filed every key and kept it
    for filing in filings.values():  # as text, which the garbage collector never walks
        assert all(isinstance(v, str) for table in filing.values() for v in table.values())
    stored = load_taxonomy(cache=RegexCache(cache_dir / "store.json")).index
    fresh = load_taxonomy(cache=RegexCache()).index  # no store: keys filed as met
    for text in demo_texts():
        assert stored.scan(text) == fresh.scan(text), text


def test_a_filing_kept_for_other_phrases_is_not_used(tmp_path):
    path = tmp_path / "store.json"
    first = RegexCache(path)
    assert list(PhraseIndex({"s": ["(?i:food)(?!\\w)", "(?i:fight)(?!\\w)"]},
                            cache=first).scan("a food fight")) == ["s"]
    first.save()
    assert stored_filings(path)
    # The same keys, the same phrase ids, other sets: the first index's filing would
    # report "food" in set "s".
    index = PhraseIndex({"t": ["(?i:food)(?!\\w)"], "u": ["(?i:fight)(?!\\w)"]},
                        cache=RegexCache(path))
    hits = index.scan("a food fight")
    assert ([h.text for h in hits["t"]], [h.text for h in hits["u"]]) == (["food"], ["fight"])
    assert "s" not in hits


def test_a_damaged_filing_in_the_store_is_filed_afresh(tmp_path):
    path = tmp_path / "store.json"
    first = RegexCache(path)
    PhraseIndex({"s": ["(?i:food)(?!\\w)"]}, cache=first)
    first.save()
    data = json.loads(path.read_text(encoding="utf-8"))
    for name in stored_filings(path):
        data["facts"][name] = {"keys": {"food": ["not", "text"]}, "plans": []}
    path.write_text(json.dumps(data), encoding="utf-8")
    index = PhraseIndex({"s": ["(?i:food)(?!\\w)"]}, cache=RegexCache(path))
    assert [h.text for h in index.scan("a food fight")["s"]] == ["food"]


def test_keys_are_kept_whichever_module_is_imported_first(tmp_path):
    # Compiled, a module's __file__ may be the shared library's, one folder up: the code
    # that files keys must still find its sources to know its version.
    script = ("import tracker.tagger\n"
              "from tracker.taxonomy import load_taxonomy\n"
              "load_taxonomy()\n")
    env = {**os.environ, "TRACKER_CACHE_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, check=True)
    [store] = tmp_path.glob("regexes-*.json")
    assert len(stored_filings(store)) == 2  # the phrase index and the case-sensitive one
