"""Violation types from phrases in the text, with negation, hedging and background handled."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from tracker.models import VIOLATIONS
from tracker.tagging.phrases import Hit
from tracker.tagging.text import Doc

NEGATION_WORDS, NEGATION_REACH = 3, 45  # "not accused of <phrase>", "no evidence that <...>"
HEDGE_WORDS, HEDGE_REACH = 1, 40  # "a tool to detect AI-generated <phrase>"
_CLAUSE_BREAK = re.compile(
    r"[;:]|\s-\s|\bbut\b|\bwhile\b|\bwhereas\b|\balthough\b|, (?:and|as|after)\b")
# Words between a cue and its phrase; "and"/"or" do not count, so a cue governs a pair
# ("hunt for phishing and malware", "no evidence of hacking or theft").
_WORD = re.compile(r"\b(?!(?:and|or)\b)[\w'-]+")


# Title actions that make background clauses count ("US seeks details ... amid questions
# about how sanctions were skirted").
_FRAMING_ACTIONS = ("act:investigation", "act:lawsuit", "act:ruling", "act:penalty",
                    "act:restriction")


@dataclass(frozen=True)
class Evidence:
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
        if self._breaks is None:  # only items with evidence need clauses
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
        lo = self.clause_start(start)
        return any(lo <= b.start < start for b in self.backgrounds)

    def triggered(self, hit: Hit) -> bool:
        """An incident trigger in the phrase's sentence or in the title (not the phrase)."""
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
    if not any(name.startswith(("strong:", "topic:")) for name in hits):
        return {}
    cues = Cues(doc, hits)
    found = []
    for vid in VIOLATIONS:
        strong = _within_sentences(doc, hits.get(f"strong:{vid}", ()))
        topic = [h for h in _within_sentences(doc, hits.get(f"topic:{vid}", ()))
                 if cues.triggered(h)]
        found += _asserted_all(cues, vid, strong + topic)
    found = _most_specific(found, contains)
    title_asserts = any(e.in_title for e in found) or any(
        h.start < doc.title_end for name in _FRAMING_ACTIONS for h in hits.get(name, ()))
    out: dict[str, list[str]] = {}
    last_start: dict[str, int] = {}
    for e in sorted(found, key=lambda e: (e.start, -e.end)):  # the longest of one start
        if (title_asserts or not e.background) and last_start.get(e.type) != e.start:
            last_start[e.type] = e.start
            phrases = out.setdefault(e.type, [])
            if e.phrase not in phrases:
                phrases.append(e.phrase)
    return {vid: tuple(out[vid][:5]) for vid in VIOLATIONS if vid in out}


def _within_sentences(doc: Doc, hits) -> list[Hit]:
    """A phrase never runs from the title into the summary, or across sentences."""
    return [h for h in hits
            if doc.sentence_at(h.start) is doc.sentence_at(max(h.start, h.end - 1))]


def _most_specific(found: list[Evidence], contains: frozenset[tuple[str, str]]) -> list[Evidence]:
    """Drop a phrase inside a longer phrase of a type that overrides it (violations.toml
    `contains`): "face-scanning software wrongly accused customers" is bias, so its
    "wrongly accused" is not also misinformation."""
    return [e for e in found if not any(
        (o.type, e.type) in contains and o.start <= e.start and e.end <= o.end
        and o is not e for o in found)]


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
    if cues.governed(cues.negations, hit.start, NEGATION_WORDS, NEGATION_REACH):
        return None
    if cues.governed(cues.hedges, hit.start, HEDGE_WORDS, HEDGE_REACH):
        return None
    in_title = hit.start < cues.doc.title_end
    phrase = hit.text if len(hit.text) <= 80 else hit.text[:77] + "..."
    return Evidence(vid, phrase, hit.start, hit.end, in_title,
                    not in_title and cues.opens_clause(hit.start))
