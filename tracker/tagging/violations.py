"""Violation types from phrases in the text, with negation, hedging and background handled."""
from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from tracker.models import VIOLATIONS
from tracker.tagging.phrases import Hit
from tracker.tagging.text import Doc

NEGATION_WORDS, NEGATION_REACH = 3, 45  # "not accused of <phrase>", "no evidence that <...>"
HEDGE_WORDS, HEDGE_REACH = 1, 40  # "a tool to detect AI-generated <phrase>"
# "\bbut\b" written as "b(?<!\wb)ut\b" and so on: every branch then opens with a plain
# character, so the regex engine skips in C to where a break may start (about 3x faster).
_CLAUSE_BREAK = re.compile(r"[;:]|\s-\s|b(?<!\wb)ut\b|w(?<!\ww)(?:hile|hereas)\b"
                           r"|a(?<!\wa)(?:lthough|fter)\b|, (?:and|as)\b")
# Words between a cue and its phrase; "and"/"or" do not count, so a cue governs a pair
# ("hunt for phishing and malware", "no evidence of hacking or theft").
_WORD = re.compile(r"\b(?!(?:and|or)\b)[\w'-]+")


# Title actions that make background clauses count ("US seeks details ... amid questions
# about how sanctions were skirted").
_FRAMING_ACTIONS = ("act:investigation", "act:lawsuit", "act:ruling", "act:penalty",
                    "act:restriction")


# The phrase sets of each type, in VIOLATIONS order (the order evidence is gathered in).
_TYPE_SETS = tuple((vid, f"strong:{vid}", f"topic:{vid}") for vid in VIOLATIONS)


class Evidence(NamedTuple):
    type: str
    phrase: str
    start: int
    end: int
    in_title: bool
    background: bool


class Cues:
    """The cue phrases of one text and its clause breaks, for quick look-ups."""

    def __init__(self, doc: Doc, hits: dict[str, list[Hit]]) -> None:
        self.doc = doc
        blanks = hits.get("not_negation", [])
        self.negations = [h for h in hits.get("negation", [])
                          if not any(b.start < h.end and h.start < b.end for b in blanks)]
        self.hedges = hits.get("hedge", [])
        self.backgrounds = hits.get("background", [])
        self.triggers = hits.get("trigger", [])
        self._breaks: list[int] | None = None

    def clause_start(self, offset: int) -> int:
        if self._breaks is None:  # only items with evidence near a cue need clauses
            self._breaks = [m.end() for m in _CLAUSE_BREAK.finditer(self.doc.text)]
        sentence = self.doc.sentence_at(offset)
        i = bisect.bisect_right(self._breaks, offset) - 1
        return max(sentence.start, self._breaks[i]) if i >= 0 else sentence.start

    def governed(self, cues: list[Hit], start: int, max_words: int, reach: int) -> bool:
        """A cue ends shortly before `start`, in the same clause, ≤ max_words between."""
        near = [c for c in cues if c.end <= start and start - c.end <= reach]
        if not near:
            return False
        lo = self.clause_start(start)
        text = self.doc.text
        return any(lo <= c.start and len(_WORD.findall(text, c.end, start)) <= max_words
                   for c in near)

    def opens_clause(self, start: int) -> bool:
        """A background cue opens the clause of `start`: it starts in it, or it ends where
        the clause begins, the break being its last word ("comes months after", "a year
        after": the break "after" starts the clause the cue governs)."""
        if not self.backgrounds:  # most texts: no clause need be found
            return False
        lo = self.clause_start(start)
        return any(b.start < start and lo <= b.end for b in self.backgrounds)

    def triggered(self, hit: Hit) -> bool:
        """An incident trigger in the phrase's sentence or in the title (not the phrase)."""
        if not self.triggers:
            return False
        sentence = self.doc.sentence_at(hit.start)
        title_end = self.doc.title_end
        if sentence.in_title and len(self.doc.sentences) > 1:
            sentence = self.doc.sentences[1]  # a title phrase: the lead may carry the trigger
        return any((sentence.start <= t.start < sentence.end or t.start < title_end)
                   and (t.end <= hit.start or t.start >= hit.end) for t in self.triggers)


def find_violations(doc: Doc, hits: dict[str, list[Hit]],
                    contains: frozenset[tuple[str, str]] = frozenset()
                    ) -> dict[str, tuple[str, ...]]:
    """Violation id → the phrases that assert it (empty for ordinary news)."""
    typed = _typed_hits(hits)
    if not typed:
        return {}
    cues = Cues(doc, hits)
    found: list[Evidence] = []
    for vid, strong, topic in typed:
        candidates = _within_sentences(doc, strong)
        if topic:
            candidates += [h for h in _within_sentences(doc, topic) if cues.triggered(h)]
        if candidates:
            found += _asserted_all(cues, vid, candidates)
    if not found:
        return {}
    if contains and len(found) > 1 and _may_override(found, contains):
        found = _most_specific(found, contains)
    # Background clauses count only when the title asserts something (worked out only
    # when some evidence is background).
    title_asserts = not any(e.background for e in found) or _title_asserts(doc, hits, found)
    out: dict[str, list[str]] = {}
    last_start: dict[str, int] = {}
    if len(found) > 1:
        found.sort(key=_text_order)  # the longest of one start first
    for e in found:
        if (title_asserts or not e.background) and last_start.get(e.type) != e.start:
            last_start[e.type] = e.start
            phrases = out.setdefault(e.type, [])
            if e.phrase not in phrases:
                phrases.append(e.phrase)
    return {vid: tuple(out[vid][:5]) for vid in VIOLATIONS if vid in out}


def _typed_hits(hits: dict[str, list[Hit]]) -> list[tuple[str, list[Hit], list[Hit]]]:
    """(type, its strong phrases, its topic phrases) for each type with any phrase found."""
    typed = []
    for vid, strong_set, topic_set in _TYPE_SETS:
        strong, topic = hits.get(strong_set), hits.get(topic_set)
        if strong or topic:
            typed.append((vid, strong or [], topic or []))
    return typed


def _text_order(e: Evidence) -> tuple[int, int]:
    return e.start, -e.end


def _title_asserts(doc: Doc, hits: dict[str, list[Hit]], found: list[Evidence]) -> bool:
    return any(e.in_title for e in found) or any(
        h.start < doc.title_end for name in _FRAMING_ACTIONS for h in hits.get(name, ()))


def _within_sentences(doc: Doc, hits: list[Hit]) -> list[Hit]:
    """A phrase never runs from the title into the summary, or across sentences."""
    starts = doc.starts
    if len(starts) == 1:  # one sentence: every phrase is within it
        return list(hits)
    bisect_right = bisect.bisect_right
    return [h for h in hits if (max(bisect_right(starts, h.start), 1)
                                == max(bisect_right(starts, max(h.start, h.end - 1)), 1))]


def _may_override(found: list[Evidence], contains: frozenset[tuple[str, str]]) -> bool:
    """Some type found overrides another found (or itself): else _most_specific keeps all."""
    types = {e.type for e in found}
    return any((outer, inner) in contains for outer in types for inner in types)


def _most_specific(found: list[Evidence], contains: frozenset[tuple[str, str]]) -> list[Evidence]:
    """Drop a phrase inside a longer phrase of a type that overrides it (violations.toml
    `contains`): "face-scanning software wrongly accused customers" is bias, so its
    "wrongly accused" is not also misinformation."""
    return [e for e in found if not any(
        o is not e and _overrides(o, e, found, contains) for o in found)]


def _overrides(o: Evidence, e: Evidence, found: list[Evidence],
               contains: frozenset[tuple[str, str]]) -> bool:
    """One phrase listed under two types that override each other ("misleading statements",
    fraud or misinformation) goes to the type with other evidence in the text; when both
    or neither have some, it decides nothing, or counts for both when it is all there is."""
    if (o.type, e.type) not in contains or not (o.start <= e.start and e.end <= o.end):
        return False
    if (o.start, o.end) != (e.start, e.end) or (e.type, o.type) not in contains:
        return True
    return any(x.type == o.type and (x.start, x.end) != (o.start, o.end) for x in found)


def _asserted_all(cues: Cues, vid: str, hits: list[Hit]) -> list[Evidence]:
    """Evidence of every asserted hit. A hit that only drops a leading modifier of a longer
    negated or hedged phrase of the same type is not asserted either ("let customers use a
    digital copy of his voice" hedges its "copy of his voice" too)."""
    evidence = {h: _asserted(cues, vid, h) for h in hits}
    denied = [h for h, e in evidence.items() if e is None]
    text = cues.doc.text
    return [e for h, e in evidence.items() if e is not None and not any(
        d.start <= h.start and h.end <= d.end and len(_WORD.findall(text, d.start, h.start)) <= 1
        for d in denied)]


def _asserted(cues: Cues, vid: str, hit: Hit) -> Evidence | None:
    """Evidence unless negated or hedged; flagged when it sits in a background clause."""
    start = hit.start
    if cues.negations and cues.governed(cues.negations, start, NEGATION_WORDS,
                                        NEGATION_REACH):
        return None
    if cues.hedges and cues.governed(cues.hedges, start, HEDGE_WORDS, HEDGE_REACH):
        return None
    in_title = start < cues.doc.title_end
    text = hit.text
    phrase = text if len(text) <= 80 else text[:77] + "..."
    return Evidence(vid, phrase, start, hit.end, in_title,
                    not in_title and cues.opens_clause(start))
