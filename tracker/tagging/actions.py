"""The one action a report describes (lawsuit, ruling, penalty...), from weighted phrases."""
from __future__ import annotations

from tracker.tagging.phrases import Hit
from tracker.tagging.text import Doc

STRONG, WEAK, TITLE_FACTOR = 3.0, 1.0, 2.0


def find_action(doc: Doc, hits: dict[str, list[Hit]], priority: tuple[str, ...],
                default: str) -> tuple[str, tuple[str, ...]]:
    """The best-scoring action and its phrases; `default` when nothing matches.

    Ties go to the phrase that comes first in the title, then to `priority` order.
    """
    best: tuple[float, int, int] | None = None
    best_id, best_phrases = default, ()
    for rank, aid in enumerate(priority):
        found = [(h, STRONG) for h in hits.get(f"act:{aid}", ())]
        found += [(h, WEAK) for h in hits.get(f"weak:{aid}", ())]
        if not found:
            continue
        score = sum(w * (TITLE_FACTOR if h.start < doc.title_end else 1.0) for h, w in found)
        first = min((h.start for h, _ in found if h.start < doc.title_end), default=10**9)
        key = (score, -first, -rank)
        if best is None or key > best:
            ordered = sorted(found, key=lambda f: f[0].start)
            phrases = list(dict.fromkeys(h.text for h, _ in ordered))
            best, best_id, best_phrases = key, aid, tuple(phrases[:5])
    return best_id, best_phrases
