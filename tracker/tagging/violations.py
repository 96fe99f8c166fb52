"""Violation types from phrases in the text, with negation, hedging and background handled."""
from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.tagging.text import Doc, Sentence
from tracker.taxonomy import Taxonomy, TypeRules

NEGATION_WINDOW = 45  # characters before a phrase searched for "not", "no evidence of"...
HEDGE_WINDOW = 70
_CLAUSE_BREAK = re.compile(r"[;:]|\s-\s|\bbut\b|\bwhile\b|\bwhereas\b|\balthough\b|, (?:and|as|after)\b")


@dataclass(frozen=True)
class Evidence:
    type: str
    phrase: str
    start: int
    in_title: bool
    background: bool


def find_violations(doc: Doc, tax: Taxonomy) -> dict[str, tuple[str, ...]]:
    """Violation id → the phrases that assert it (empty for ordinary news)."""
    found = [e for rules in tax.types for e in _type_evidence(doc, tax, rules)]
    title_asserts = any(e.in_title for e in found)
    kept = [e for e in found if title_asserts or not e.background]
    out: dict[str, list[str]] = {}
    for e in sorted(kept, key=lambda e: e.start):
        phrases = out.setdefault(e.type, [])
        if e.phrase not in phrases:
            phrases.append(e.phrase)
    return {vid: tuple(out[vid][:5]) for vid in (r.id for r in tax.types) if vid in out}


def _type_evidence(doc: Doc, tax: Taxonomy, rules: TypeRules) -> list[Evidence]:
    out = []
    for m in rules.strong.finditer(doc.text):
        if ev := _asserted(doc, tax, rules.id, m):
            out.append(ev)
    if rules.topic is not None:
        for m in rules.topic.finditer(doc.text):
            if _has_trigger(doc, tax, m) and (ev := _asserted(doc, tax, rules.id, m)):
                out.append(ev)
    return out


def _asserted(doc: Doc, tax: Taxonomy, vid: str, m: re.Match) -> Evidence | None:
    """Evidence unless negated or hedged; flagged when it sits in a background clause."""
    start = m.start()
    sentence = doc.sentence_at(start)
    clause = _clause_before(doc.text, sentence, start)
    if _negated(clause[-NEGATION_WINDOW:], tax) or tax.hedge.search(clause[-HEDGE_WINDOW:]):
        return None
    background = not sentence.in_title and bool(tax.background.search(clause))
    phrase = m.group(0)
    phrase = phrase if len(phrase) <= 80 else phrase[:77] + "..."
    return Evidence(vid, phrase, start, sentence.in_title, background)


def _clause_before(text: str, sentence: Sentence, start: int) -> str:
    before = text[sentence.start:start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    return before[breaks[-1].end():] if breaks else before


def _negated(window: str, tax: Taxonomy) -> bool:
    # "did not obtain consent" and "not only" are not denials: blank them out first.
    return bool(tax.negation.search(tax.not_negation.sub(" ", window)))


def _has_trigger(doc: Doc, tax: Taxonomy, m: re.Match) -> bool:
    sentence = doc.sentence_at(m.start())
    for t in tax.triggers.finditer(doc.text, sentence.start, sentence.end):
        if t.end() <= m.start() or t.start() >= m.end():
            return True
    return False
