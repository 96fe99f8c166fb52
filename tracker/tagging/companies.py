"""Company mentions: alias → canonical company, look-alikes dropped, party vs mere mention."""
from __future__ import annotations

import bisect
import operator
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from tracker.tagging.phrases import Hit
from tracker.tagging.text import Doc
from tracker.taxonomy import CUE_REACH, Company, Taxonomy

PARTY = "party"
ANSWERABLE = "answerable"  # mentions.toml cues that make a mention a party, checked first
CONTEXT_WIDTH = 100  # characters around an ambiguous name searched for a company cue
LOOKALIKE_REACH = 60  # characters around a name searched for a look-alike ("Claude Monet")
LEFT_WIDTH = CUE_REACH  # characters before a mention searched for cues ("backed by", "sued by")
# Text between two names of one list ("Amazon, Google and Microsoft"; "OpenAI's o3 and
# Anthropic's Claude", where the product is not a name we know), or a product after its
# maker's possessive ("Nvidia's H100").
_LIST_GAP = re.compile(r"(?:['’]s\s+[\w.-]+(?:\s+[\w.-]+)?)?"
                       r"\s*(?:,|,?\s+(?:and|or|&|as well as|plus)(?:\s+(?:from|by))?|/)\s*")
# or one name of two ("GitHub Copilot"); never across the title's end
_POSSESSIVE_GAP = re.compile(r"'s?[ \t]+(?:\w+[ \t]+){0,2}|[ \t]+")
# Text joining a name to the next one inside one noun phrase: a possessive or a compound
# modifier ("Microsoft's ChatGPT-powered Bing"). The later name is part of the earlier's
# phrase, so a cue before the phrase covers it too.
_PHRASE_GAP = re.compile(r"['’]s\s+|-(?:powered|based|built|made|owned|run|style|like)\s+")
# Where a background clause ("months after Disney sued Midjourney and ...") ends.
_CLAUSE_BREAK = re.compile(r"[;:\n]|[.!?]\s|\s-\s|,\s+(?:and|but|while|whereas|as|which|who)\s")
_CLAUSE_KINDS = frozenset({"earlier_case"})  # kinds that cover the rest of their clause
# Background that is no party in ordinary news but may be the very case an incident reports.
_INCIDENT_KINDS = frozenset({"past_case"})


_NO_CUES: Mapping[str, str] = MappingProxyType({})


class Mention(NamedTuple):
    company: str
    text: str
    start: int
    end: int
    kind: str  # "party", or why it is not a party: "investor", "comparison", "outlet", ...
    cue: str = ""
    side: str = ""  # where the cue was: "before" or "after" the name
    platform: bool = False  # the name of a platform ("App Store", "iOS")
    left: Mapping[str, str] = _NO_CUES  # cue sets found just before it
    right: str = ""  # the text just after it, within its sentence (see Doc.right)


def find_mentions(doc: Doc, tax: Taxonomy, hits: dict[str, list[Hit]]) -> list[Mention]:
    """Every company mention among the alias hits, each classified as party or not."""
    aliases = hits.get("a")
    if not aliases:
        return []
    raw = _alias_matches(doc, tax, aliases)
    sure = {company for company, _, _, _, ambiguous, _ in raw if not ambiguous}
    named = {company for company, text, _, _, ambiguous, _ in raw
             if not ambiguous and not _is_nickname(text)}
    before = tax.before
    cues = sorted((h for name, found in hits.items() if name in before for h in found),
                  key=_start)
    cue_starts = [h.start for h in cues]
    mentions = []
    for company, text, start, end, ambiguous, platform in raw:
        if ambiguous and company not in sure and not _ambiguous_ok(doc, tax, company, start,
                                                                   end):
            continue
        if company not in named and _is_nickname(text) and _unlike(doc, tax, company):
            continue  # "the search giant" in an item about Baidu
        right = doc.right(end)
        # the same text lower-cased, for regexes that run faster there (Taxonomy.lowered)
        right_low = None if doc.lower is None else doc.lower[end:end + len(right)]
        left = (_left_cues(doc, tax, cues, cue_starts, start, right, right_low) if cues
                else _NO_CUES)
        kind, cue, side = _classify(tax, tax.companies[company], left, right, right_low)
        mentions.append(Mention(company, text, start, end, kind, cue, side, platform, left,
                                right))
    return _share_kinds(doc.text, mentions) if len(mentions) > 1 else mentions


def add_paired_cues(doc: Doc, tax: Taxonomy, hits: dict[str, list[Hit]]) -> None:
    """To hits from tax.index.scan(..., later=tax.paired_wild), add those of the paired cue
    sets left out where their second half follows some name: elsewhere _left_cues passes
    over them, so find_mentions gives the same mentions as from a full scan."""
    aliases = hits.get("a")
    if not aliases or not tax.paired_wild:
        return  # lead-in cues are only looked for before a name
    rights = [doc.right(h.end) for h in aliases]
    if tax.paired_wild_after is not None and not any(map(tax.paired_wild_after.match, rights)):
        return  # the usual case: no second half follows any name
    needed = [name for name in tax.paired_wild
              if any(map(tax.pair_after[name].match, rights))]
    if needed:
        tax.index.search_wild(hits, doc.text, needed)


def parties(mentions: list[Mention], promote: frozenset[str] = frozenset(),
            incident: bool = True) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """Companies with at least one party mention, in order of first mention, and evidence.

    `promote`: kinds of mention that count as party for this item (a former employer is
    a party when the item is about its trade secrets). Outside incidents, a platform's
    name ("the App Store") does not make its owner a party.
    """
    order: list[str] = []
    evidence: dict[str, list[str]] = {}
    for m in mentions:
        counted = m.kind == PARTY or m.kind in promote or (incident and m.kind in _INCIDENT_KINDS)
        if not counted or (m.platform and not incident):
            continue
        if m.company not in evidence:
            order.append(m.company)
            evidence[m.company] = []
        if m.text not in evidence[m.company]:
            evidence[m.company].append(m.text)
    return tuple(order), {c: tuple(v[:5]) for c, v in evidence.items()}


def _share_kinds(text: str, mentions: list[Mention]) -> list[Mention]:
    """A cue before a list covers the names after it, a cue after a list the names before it;
    a product right after its maker's possessive takes the maker's kind, and so does a name
    inside the phrase a cue governs; a background clause covers every name in it."""
    out = list(mentions)
    clause: Mention | None = None  # the last mention that opened a background clause
    cued: dict[str, Mention] = {}  # company → its last mention ruled out by a cue before it
    for i in range(1, len(out)):
        prev, cur = out[i - 1], out[i]
        if prev.side == "before":
            cued[prev.company] = prev
            if prev.kind in _CLAUSE_KINDS:
                clause = prev
        gap = text[prev.end:cur.start]
        if cur.cue:
            continue
        if (prev.side == "before" and (_LIST_GAP.fullmatch(gap) or _PHRASE_GAP.fullmatch(gap))
                ) or (prev.company == cur.company and _POSSESSIVE_GAP.fullmatch(gap)):
            out[i] = cur._replace(kind=prev.kind, cue=prev.cue, side=prev.side)
        elif clause is not None and not _CLAUSE_BREAK.search(text, clause.end, cur.start):
            out[i] = cur._replace(kind=clause.kind, cue=clause.cue, side=clause.side)
        elif (same := cued.get(cur.company)) and not _CLAUSE_BREAK.search(text, same.end,
                                                                          cur.start):
            # the company's own product later in the clause ("as Apple also delays Siri")
            out[i] = cur._replace(kind=same.kind, cue=same.cue, side=same.side)
    for i in range(len(out) - 2, -1, -1):
        cur, nxt = out[i], out[i + 1]
        if not cur.cue and nxt.side == "after" and _LIST_GAP.fullmatch(text[cur.end:nxt.start]):
            out[i] = cur._replace(kind=nxt.kind, cue=nxt.cue, side=nxt.side)
    return out


def _left_cues(doc: Doc, tax: Taxonomy, cues: list[Hit], cue_starts: list[int], start: int,
               right: str, right_low: str | None = None) -> Mapping[str, str]:
    """Cue sets that end right where the mention starts (within its sentence). The first
    half of a pair ("from |X| search results") is looked for only when its second half
    follows: those halves are common words ("from", "the")."""
    lo = max(doc.sentence_at(start).start, start - LEFT_WIDTH)
    first, last = bisect.bisect_left(cue_starts, lo), bisect.bisect_left(cue_starts, start)
    if first == last:
        return _NO_CUES
    found: dict[str, str] = {}
    unpaired: set[str] = set()  # pairs whose second half is not after the mention
    for h in cues[first:last]:
        name = h.set
        if name in found or name in unpaired:
            continue
        if (after := tax.pair_after.get(name)) is not None and not _match_lowered(
                tax, after, right, right_low):
            unpaired.add(name)
        elif m := _cue_before(doc, tax, name, h.start, start):
            found[name] = doc.text[h.start:m.end()].strip()  # the cue as written
    return found or _NO_CUES


def _alias_matches(doc: Doc, tax: Taxonomy,
                   hits: list[Hit]) -> list[tuple[str, str, int, int, bool, bool]]:
    out, last_end = [], -1
    for h in sorted(hits, key=_longest_first) if len(hits) > 1 else hits:
        if h.start < last_end:  # inside a longer name ("DeepMind" in "Google DeepMind")
            continue
        # (An alias hit always carries its group, a<i>: alias_owner[i].)
        company, ambiguous, platform = tax.alias_groups[h.group or ""]
        if _lookalike(doc, tax, company, h.start, h.end):
            continue
        out.append((company, h.text, h.start, h.end, ambiguous, platform))
        last_end = h.end
    return out


def _lookalike(doc: Doc, tax: Taxonomy, company: str, start: int, end: int) -> bool:
    pattern = tax.lookalikes.get(company)
    if pattern is None:
        return False
    text = doc.text
    lo, hi = max(0, start - LOOKALIKE_REACH), min(len(text), end + LOOKALIKE_REACH)
    hint = tax.lookalike_hints.get(company)
    if doc.lower is not None:
        if hint is not None and hint.search(doc.lower, lo, hi) is None:
            return False  # the usual case: none of the words every look-alike needs is near
        if (twin := tax.lowered.get(pattern)) is not None:
            pattern, text = twin, doc.lower  # the same matches, faster
    return any(m.start() < end and start < m.end() for m in pattern.finditer(text, lo, hi))


def _ambiguous_ok(doc: Doc, tax: Taxonomy, company: str, start: int, end: int) -> bool:
    """A name that is also a word counts with a company cue, or mid-sentence in plain prose
    (a one-letter name, "X", only with a cue); never after a determiner ("the Mistral") or
    in an item about something else."""
    info = tax.companies[company]
    sentence = doc.sentence_at(start)
    if tax.determiner_re.search(doc.text[max(sentence.start, start - 30):start]):
        return False
    if _unlike(doc, tax, company):
        return False
    lo, hi = max(sentence.start, start - CONTEXT_WIDTH), min(sentence.end, start + CONTEXT_WIDTH)
    context = info.context or tax.ambiguous_context
    if context.search(doc.text, lo, hi):
        return True
    if sentence.in_title and len(doc.sentences) > 1:  # the summary's lead describes it
        lead = doc.sentences[1]
        if context.search(doc.text, lead.start, min(lead.end, lead.start + CONTEXT_WIDTH)):
            return True
    return end - start > 1 and not sentence.title_case and start != sentence.start


def _is_nickname(name: str) -> bool:
    """A description standing for a company ("the search giant"), not its name."""
    return name[:4] in ("the ", "The ")


def _unlike(doc: Doc, tax: Taxonomy, company: str) -> bool:
    """The item is about something else that the company's looser names also fit."""
    unlike = tax.companies[company].unlike
    return unlike is not None and unlike.search(doc.text) is not None


def _classify(tax: Taxonomy, company: Company, left: Mapping[str, str],
              right: str, right_low: str | None = None) -> tuple[str, str, str]:
    """(kind, cue, side) of a mention; `right_low`: `right` lower-cased (Doc.lower)."""
    if company.media and (cue := tax.outlet.match_side(left, right)):
        return "outlet", *cue
    if (cue := _answerable(tax, left, right, right_low)) is not None:
        return PARTY, *cue
    if left and (found := _nonparty_before(tax, company, left, right, right_low)) is not None:
        return found
    if (m := _nonparty_after(tax, right, right_low)) and m.lastgroup not in company.ignore:
        return m.lastgroup or "", right[:m.end()].strip(), "after"  # the cue as written
    if company.needs_cue:
        cue = tax.party_cue.match_side(left, right)
        return (PARTY, *cue) if cue else ("outlet", "no party cue", "")
    return PARTY, "", ""


def _nonparty_before(tax: Taxonomy, company: Company, left: Mapping[str, str],
                     right: str, right_low: str | None = None) -> tuple[str, str, str] | None:
    """The first non-party rule, in the taxonomy's order, whose cue before the name (or pair
    of cues around it) is there. Only the checks of the cue sets found are tried."""
    checks = [(*check, name) for name in left for check in tax.nonparty_before.get(name, ())]
    if len(checks) > 1:
        checks.sort(key=_rank)
    for _, kind, after, name in checks:
        if kind in company.ignore or kind == ANSWERABLE:
            continue
        if after is None or _match_lowered(tax, after, right, right_low):
            return kind, left[name], "before"
    return None


_rank = operator.itemgetter(0)  # of a non-party check: the order the rules are tried in


def _answerable(tax: Taxonomy, left: Mapping[str, str], right: str,
                right_low: str | None = None) -> tuple[str, str] | None:
    """A cue that the company itself answers for the event (its own policy failed, its
    site was scraped), which outweighs any non-party cue nearby."""
    rule = tax.nonparty.get(ANSWERABLE)
    if rule is None:
        return None
    if rule.before is not None and rule.before in left:
        return left[rule.before], "before"
    if rule.after is not None and (m := _match_lowered(tax, rule.after, right, right_low)):
        return right[:m.end()].strip(), "after"  # the cue as written
    return None


def _cue_before(doc: Doc, tax: Taxonomy, name: str, pos: int, end: int) -> re.Match | None:
    """tax.before[name] from `pos` to the mention's start `end`, by its twin on Doc.lower
    where there is one (_match_lowered)."""
    rx = tax.before[name]
    twin = tax.lowered.get(rx) if doc.lower is not None else None
    return rx.match(doc.text, pos, end) if twin is None else twin.match(doc.lower, pos, end)


def _match_lowered(tax: Taxonomy, rx: re.Pattern, text: str,
                   low: str | None) -> re.Match | None:
    """rx.match(text), by the regex's twin on `low` (text lower-cased) where there is one:
    the same span, faster (its text is lower-cased: take it from `text`)."""
    twin = tax.lowered.get(rx) if low is not None else None
    return rx.match(text) if twin is None else twin.match(low)


def _nonparty_after(tax: Taxonomy, right: str, right_low: str | None) -> re.Match | None:
    """tax.nonparty_after.match(right): the same span and group, mostly on `right_low`."""
    if right_low is None or not tax.nonparty_after_runs:
        return tax.nonparty_after.match(right)
    for rx, on_lower in tax.nonparty_after_runs:
        if (m := rx.match(right_low if on_lower else right)) is not None:
            return m
    return None


_start = operator.attrgetter("start")  # the sort key, in C


def _longest_first(hit: Hit) -> tuple[int, int]:
    return hit.start, -hit.end
