"""Company mentions: alias → canonical company, look-alikes dropped, party vs mere mention."""
from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.tagging.text import Doc
from tracker.taxonomy import Company, Taxonomy

PARTY = "party"
CONTEXT_WIDTH = 100  # characters around an ambiguous name searched for a company cue


@dataclass(frozen=True)
class Mention:
    company: str
    text: str
    start: int
    end: int
    kind: str  # "party", or why it is not a party: "investor", "comparison", "outlet", ...
    cue: str = ""


def find_mentions(doc: Doc, tax: Taxonomy) -> list[Mention]:
    """Every company mention in the text, each classified as party or not."""
    raw = _alias_matches(doc, tax)
    sure = {company for company, _, _, _, ambiguous in raw if not ambiguous}
    mentions = []
    for company, text, start, end, ambiguous in raw:
        if ambiguous and company not in sure and not _ambiguous_ok(doc, tax, company, start):
            continue
        kind, cue = _classify(doc, tax, tax.companies[company], start, end)
        mentions.append(Mention(company, text, start, end, kind, cue))
    return mentions


def parties(mentions: list[Mention]) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """Companies with at least one party mention, in order of first mention, and evidence."""
    order: list[str] = []
    evidence: dict[str, list[str]] = {}
    for m in mentions:
        if m.kind != PARTY:
            continue
        if m.company not in evidence:
            order.append(m.company)
            evidence[m.company] = []
        if m.text not in evidence[m.company]:
            evidence[m.company].append(m.text)
    return tuple(order), {c: tuple(v[:5]) for c, v in evidence.items()}


def _alias_matches(doc: Doc, tax: Taxonomy) -> list[tuple[str, str, int, int, bool]]:
    blocked = _lookalike_spans(doc.text, tax.lookalike_re)
    out = []
    for m in tax.alias_re.finditer(doc.text):
        start, end = m.span()
        if any(s < end and start < e for s, e in blocked):
            continue
        company, ambiguous = tax.alias_owner[int(m.lastgroup[1:])]
        out.append((company, m.group(0), start, end, ambiguous))
    return out


def _lookalike_spans(text: str, pattern: re.Pattern | None) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)] if pattern else []


def _ambiguous_ok(doc: Doc, tax: Taxonomy, company: str, start: int) -> bool:
    """A name that is also a word counts with a company cue, or mid-sentence in plain prose."""
    sentence = doc.sentence_at(start)
    lo, hi = max(sentence.start, start - CONTEXT_WIDTH), min(sentence.end, start + CONTEXT_WIDTH)
    cue = tax.companies[company].context or tax.ambiguous_context
    if cue.search(doc.text, lo, hi):
        return True
    if sentence.title_case or start == sentence.start:
        return False
    return not tax.determiner_re.search(doc.text[max(sentence.start, start - 30):start])


def _classify(doc: Doc, tax: Taxonomy, company: Company, start: int,
              end: int) -> tuple[str, str]:
    left, right = doc.left(start), doc.right(end)
    if company.media and (cue := tax.outlet.matches(left, right)):
        return "outlet", cue
    for kind, rule in tax.nonparty.items():
        if cue := rule.matches(left, right):
            return kind, cue
    if company.needs_cue:
        cue = tax.party_cue.matches(left, right)
        return (PARTY, cue) if cue else ("outlet", "no party cue")
    return PARTY, ""
