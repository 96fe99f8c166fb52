"""The one action a report describes (lawsuit, ruling, penalty...), from weighted phrases."""
from __future__ import annotations

from tracker.tagging.text import Doc
from tracker.taxonomy import Taxonomy

STRONG, WEAK, TITLE_FACTOR = 3.0, 1.0, 2.0


def find_action(doc: Doc, tax: Taxonomy) -> tuple[str, tuple[str, ...]]:
    """The best-scoring action and its phrases; the default action when nothing matches."""
    best: tuple[float, int, int] | None = None
    best_id, best_phrases = tax.default_action, ()
    for rank, rules in enumerate(tax.actions):
        score, first, phrases = _score(doc, rules.strong, rules.weak)
        if not score:
            continue
        key = (score, -first, -rank)
        if best is None or key > best:
            best, best_id, best_phrases = key, rules.id, phrases
    return best_id, best_phrases


def _score(doc: Doc, strong, weak) -> tuple[float, int, tuple[str, ...]]:
    score, first, phrases = 0.0, 10**9, []
    for pattern, weight in ((strong, STRONG), (weak, WEAK)):
        if pattern is None:
            continue
        for m in pattern.finditer(doc.text):
            in_title = m.start() < doc.title_end
            score += weight * (TITLE_FACTOR if in_title else 1.0)
            if in_title:
                first = min(first, m.start())
            if m.group(0) not in phrases:
                phrases.append(m.group(0))
    return score, first, tuple(phrases[:5])
