"""The one action a report describes (taxonomy.md "Actions"), from weighted phrases.

Every action phrase found (the "act:" and "weak:" sets of actions.toml) is a vote. Three
things decide how much it counts:

- where it stands: the headline's main clause says what this report is about; a headline
  clause after "after", "amid", ", saying"... and the summary mostly give background, and a
  company's own step told only in the summary is usually its reaction to the news;
- whether it happened: a hedged, negated or past-perfect phrase ("could face a fine",
  "threatens to sue", "did not respond", "sites that had blocked it") does not count, nor
  one that describes the wrongdoing ("accused of illegally blocking competition");
- who does the verb (the "actcue:" sets): an authority that "pulls" a permit restricts, a
  company that "bans" its own staff from a tool responds, a provider that cuts off another
  party's accounts restricts, a publisher that "tells" a start-up to stop only asks; an
  inquiry by a company into its own systems, or scrutiny by nobody named, is a finding.

A phrase inside a longer phrase of another action gives way to it ("fights court order" is
not a ruling). The highest total wins ("report", the default, counts its best phrase only);
ties go to the phrase that comes first in the headline, then to `priority`. Totals below
MIN_SCORE leave the default.
"""
from __future__ import annotations

import bisect
import re
from collections import defaultdict
from typing import NamedTuple

from tracker.tagging.phrases import Hit
from tracker.tagging.text import Doc

STRONG, WEAK = 3.0, 1.0
MAIN, SUB, LEAD, REST = 3.0, 0.5, 1.0, 0.75  # headline main clause, rest of it, summary
MAIN2 = 2.0  # a second step joined to the headline's first one
CLOSING_WORDS = 3  # "..., judge rules": the step that closes a headline after a comma
REACTION = 0.3  # a company's own step told only in the summary
REPORT_SHARE = 0.5  # "report" is the default: its phrases only hold off weak evidence
MIN_SCORE = 2.5
CUE_REACH, CUE_WORDS = 28, 3  # a hedge or negation this close before a phrase governs it
OBJECT_REACH, OBJECT_WORDS = 40, 3  # the object of a verb follows it this closely
# Clause breaks for subjects and cues; a reporting verb starts a new clause: in "Nvidia says
# US curbs took effect" the curbs are the US's.
_CLAUSE_BREAK = re.compile(r";|:| (?:- |(?:but|says|said|say|warns|claims|alleges|argues)\b"
                           r"(?: that\b)?)|, (?:and|but|while|as|after|which|who)\b")
_WORD = re.compile(r"[\w'-]+")
# Between a subject and its verb: "Character.AI to bar", "Indonesia temporarily blocks".
_AUXILIARIES = re.compile(r"(?:\W+(?:to|will|also|now|has|have|is|are|was|were|then|still|"
                          r"further|again|\w+ly))*\W*")
_NAME_BEFORE = re.compile(r"\b[A-Z][\w.&'-]*\s+\Z")  # "Immunefi bans": a name we do not know
_NEXT_WORD = re.compile(r"\s+(?:\w+ly\s+)?(\w)")
_PASSIVE_AFTER = re.compile(
    r"\s+(?:from|in|by|for|over|after|until|on|at|of|as|with)\b|\s*(?:\n|$)")
_BLOCKERS = ("negation", "background", "content")


class Party(NamedTuple):
    start: int
    end: int
    kind: str  # "company" or "authority"


class Vote(NamedTuple):
    action: str
    weight: float
    hit: Hit


class Clues:
    """The cue phrases of one text and the parties it names, for quick look-ups."""

    def __init__(self, doc: Doc, hits: dict[str, list[Hit]]) -> None:
        self.doc = doc
        self.hits = hits
        subs = hits.get("actcue:subordinate", ())
        self.main_end = min((h.start for h in subs if 0 < h.start < doc.title_end),
                            default=doc.title_end)
        self.lead_end = doc.sentences[1].end if len(doc.sentences) > 1 else doc.title_end
        self._subjects: dict[tuple[int, bool], tuple[str | None, bool]] = {}
        # Worked out on first use: many texts need none of them.
        self._parties: list[Party] | None = None
        self._breaks: dict[int, list[int]] = {}  # sentence start → its clause breaks
        self._blockers: list[Hit] | None = None

    def cues(self, name: str) -> list[Hit]:
        return self.hits.get("actcue:" + name) or []

    @property
    def parties(self) -> list[Party]:
        if self._parties is None:
            self._parties = self._find_parties()
        return self._parties

    def _find_parties(self) -> list[Party]:
        companies = [*self.hits.get("a", ()), *self.cues("company")]
        authorities = [*self.cues("authority"), *self._acting_places()]
        parties = [Party(h.start, h.end, "company") for h in companies]
        parties += [Party(h.start, h.end, "authority") for h in authorities
                    if not any(c.start <= h.start < c.end for c in companies)]
        parties.sort()
        if not any(self._is_it(p) for p in parties):
            return parties
        return [self._resolved(p, parties) for p in parties]

    def _is_it(self, party: Party) -> bool:
        # Lower-casing never shortens a string: only two letters can read "it".
        return (party.end - party.start == 2
                and self.doc.text[party.start:party.end].lower() == "it")

    def _resolved(self, party: Party, parties: list[Party]) -> Party:
        """"it" stands for the first party of its sentence ("The FTC said it banned...")."""
        if not self._is_it(party):
            return party
        lo = self.doc.sentence_at(party.start).start
        first = next((p for p in parties if lo <= p.start < party.start
                      and not self._is_it(p)), None)
        return party if first is None else party._replace(kind=first.kind)

    def _acting_places(self) -> list[Hit]:
        """Places that act ("Portugal bans", "Italy temporarily blocks"): a place followed
        by an action phrase; "UK pressure group" or "US firm" name no authority."""
        places = self.cues("place")
        if not places:
            return []
        starts = {h.start for name, found in self.hits.items()
                  if name.startswith(("act:", "weak:")) for h in found}
        text = self.doc.text
        return [p for p in places
                if (m := _NEXT_WORD.match(text, p.end)) is not None and m.start(1) in starts]


    @property
    def blockers(self) -> list[Hit]:
        if self._blockers is None:
            self._blockers = [c for name in _BLOCKERS for c in self.cues(name)]
        return self._blockers

    def zone(self, hit: Hit) -> float:
        if hit.start < self.main_end or self.closes_title(hit):
            return MAIN
        if hit.start < self.doc.title_end:
            return SUB
        weight = LEAD if hit.start < self.lead_end else REST
        return weight * SUB / MAIN if self.after_subordinate(hit) else weight

    def closes_title(self, hit: Hit) -> bool:
        """"Workday must face age-bias suit over AI screening, judge rules": a step named
        after the headline's last comma, ending it, is what the headline reports."""
        end = self.doc.title_end
        return (hit.end == end and hit.start < end
                and self.doc.text.endswith(", ", 0, hit.start)
                and self.words(hit.start, end) <= CLOSING_WORDS)

    def after_subordinate(self, hit: Hit) -> bool:
        """In a summary clause opened by "after", "amid"... (up to a comma): background."""
        subs = self.cues("subordinate")
        if not subs:
            return False
        subs = [c for c in subs if c.end <= hit.start]
        return (bool(subs) and subs[-1].start >= self.clause_start(hit.start)
                and "," not in self.doc.text[subs[-1].end:hit.start])

    def clause_start(self, offset: int) -> int:
        """Where the clause holding `offset` starts (its sentence, or the last break)."""
        sentence = self.doc.sentence_at(offset)
        breaks = self._breaks.get(sentence.start)
        if breaks is None:
            found = _CLAUSE_BREAK.finditer(self.doc.text, sentence.start, sentence.end)
            breaks = self._breaks[sentence.start] = [m.end() for m in found]
        i = bisect.bisect_right(breaks, offset) - 1
        return breaks[i] if i >= 0 else sentence.start

    def words(self, start: int, end: int) -> int:
        return len(_WORD.findall(self.doc.text, start, end))

    def governed(self, cues: list[Hit], hit: Hit) -> bool:
        """One of `cues` ends shortly before the phrase, in its clause."""
        if not cues:
            return False
        start = hit.start
        near = [c for c in cues if c.end <= start and start - c.end <= CUE_REACH]
        if not near:
            return False
        lo = self.clause_start(start)
        return any(lo <= c.start and self.words(c.end, start) <= CUE_WORDS for c in near)

    def subject(self, hit: Hit, *, clause: bool = False) -> tuple[str | None, bool]:
        """(kind of the verb's subject, whether it stands right before the verb): the party
        just before the phrase, else the first of its clause ("Italy fines X and orders...").
        `clause`: the first of the clause (who asks, in "US orders Nvidia to stop")."""
        key = (hit.start, clause)
        if key not in self._subjects:
            self._subjects[key] = self._subject(hit, clause)
        return self._subjects[key]

    def _subject(self, hit: Hit, clause: bool) -> tuple[str | None, bool]:
        lo = self.clause_start(hit.start)
        before = [p for p in self.parties if lo <= p.start and p.end <= hit.start]
        if not before:
            return None, _NAME_BEFORE.search(self.doc.text, lo, hit.start) is not None
        if not clause and _AUXILIARIES.fullmatch(self.doc.text, before[-1].end, hit.start):
            return before[-1].kind, True
        return before[0].kind, False

    def authority_named(self) -> bool:
        return any(p.kind == "authority" for p in self.parties)

    def starts_with(self, name: str, hit: Hit, *, whole: bool = False) -> bool:
        """A cue of `name` starts where the phrase does (`whole`: and is all of it)."""
        start = hit.start
        for c in self.hits.get("actcue:" + name, ()):
            if c.start == start and (not whole or c.end == hit.end):
                return True
        return False

    def passive(self, hit: Hit) -> bool:
        """"Rite Aid banned from...", "ChatGPT blocked in Italy", "Samsung loses waivers"."""
        if self.starts_with("undergo", hit):
            return True
        return (hit.text.lower().endswith(("ed", "off", "down"))
                and _PASSIVE_AFTER.match(self.doc.text, hit.end) is not None)

    def told_to(self, hit: Hit) -> bool:
        """A directive with no object: "AMD and Nvidia told to halt shipments" (passive)."""
        return any(c.start == hit.start and self.doc.text.startswith(" to ", c.end)
                   for c in self.cues("directive"))

    def cuts_off_a_party(self, hit: Hit) -> bool:
        """The verb's object is another party (accounts, access, a company), not the
        subject's own staff or users: whichever comes first inside the phrase or right after."""
        hi = min(self.doc.sentence_at(hit.start).end, hit.end + OBJECT_REACH)
        objects = [(c.start, True) for c in (*self.cues("party"), *self.hits.get("a", ()))]
        objects += [(c.start, False) for c in self.cues("own")]
        near = [(start, party) for start, party in objects if hit.start <= start < hi and (
            start < hit.end or self.words(hit.end, start) <= OBJECT_WORDS)]
        return min(near)[1] if near else False


def find_action(doc: Doc, hits: dict[str, list[Hit]], priority: tuple[str, ...],
                default: str) -> tuple[str, tuple[str, ...]]:
    """The best-scoring action and its phrases; `default` when nothing counts."""
    phrases = _phrases(doc, hits, priority)
    if not phrases:
        return default, ()
    clues = Clues(doc, hits)
    votes = []
    for aid, base, hit in phrases:
        vote = _judge(clues, aid, hit)
        if vote is not None:
            votes.append(Vote(vote.action, vote.weight * base * clues.zone(hit), hit))
    scores: dict[str, float] = defaultdict(float)
    found: dict[str, list[Hit]] = defaultdict(list)
    for vote in _distinct(_first_verb_leads(clues, votes)):
        if vote.action == "report":  # the default: its best phrase is enough to hold it
            scores["report"] = max(scores["report"], vote.weight)
        else:
            scores[vote.action] += vote.weight
        found[vote.action].append(vote.hit)
    best_id = _best(doc, scores, found, priority, default)
    if best_id == "lawsuit" and scores.get("penalty", 0.0) >= STRONG and any(
            clues.subject(h)[0] == "authority" for h in found["lawsuit"]):
        best_id = "penalty"  # an agency's charges announced with their settlement
    if best_id not in found:
        return default, ()
    return best_id, tuple(list(dict.fromkeys(h.text for h in found[best_id]))[:5])


def _phrases(doc: Doc, hits: dict[str, list[Hit]], priority: tuple[str, ...]
             ) -> list[tuple[str, float, Hit]]:
    """(action, base weight, hit) for each action phrase that stays within one sentence,
    in priority order (it settles ties between equal phrases), strong before weak."""
    sets = []
    for name, found in hits.items():  # one pass over the sets found, not one look-up per set
        if name.startswith("act:"):
            aid, order, base = name[4:], 0, STRONG
        elif name.startswith("weak:"):
            aid, order, base = name[5:], 1, WEAK
        else:
            continue
        if found and aid in priority:
            sets.append((priority.index(aid), order, aid, base, found))
    if not sets:
        return []
    sets.sort(key=lambda entry: entry[:2])
    starts, sentences = doc.starts, doc.sentences
    out = []
    for _, _, aid, base, found in sets:
        for h in found:  # the end of the sentence the phrase starts in (Doc.sentence_at)
            i = bisect.bisect_right(starts, h.start)
            if h.end <= sentences[i - 1 if i else 0].end:
                out.append((aid, base, h))
    return out


def _first_verb_leads(clues: Clues, votes: list[Vote]) -> list[Vote]:
    """In a headline that joins two steps ("fines X and orders deletion"), the first is
    the news: the main clause's other actions count as MAIN2."""
    main = [v for v in votes if v.hit.start < clues.main_end and v.action != "report"]
    if len({v.action for v in main}) < 2:
        return votes
    lead = min(main, key=lambda v: v.hit.start).action
    return [v._replace(weight=v.weight * MAIN2 / MAIN)
            if v.hit.start < clues.main_end and v.action not in (lead, "report") else v
            for v in votes]


def _distinct(votes: list[Vote]) -> list[Vote]:
    """Votes in text order without a phrase that starts inside a longer phrase of another
    action ("fights court order" is not a ruling) or repeats one action over the same words."""
    if len(votes) < 2:
        return votes
    ordered = sorted(votes, key=_text_order)
    spans = [(v.hit.start, v.hit.end, v.action) for v in ordered]
    kept: list[Vote] = []
    for v, (start, end, action) in zip(ordered, spans, strict=True):
        if _inside_another(spans, start, end, action):
            continue
        if any(k.action == action and start < k.hit.end for k in kept):
            continue
        kept.append(v)
    return kept


def _text_order(vote: Vote) -> tuple[int, int]:
    return vote.hit.start, -vote.hit.end


def _inside_another(spans: list[tuple[int, int, str]], start: int, end: int,
                    action: str) -> bool:
    """A phrase of another action covers this one and is longer ("settlement wins final
    approval" is a ruling, not also a penalty)."""
    for o_start, o_end, o_action in spans:
        if (o_start <= start and end <= o_end and o_end - o_start > end - start
                and o_action != action):
            return True
    return False


def _best(doc: Doc, scores: dict[str, float], found: dict[str, list[Hit]],
          priority: tuple[str, ...], default: str) -> str:
    best_id, best = default, (MIN_SCORE, -10**9, -len(priority))
    for rank, aid in enumerate(priority):
        if scores.get(aid, 0.0) >= MIN_SCORE:
            first = min((h.start for h in found[aid] if h.start < doc.title_end), default=10**9)
            key = (scores[aid], -first, -rank)
            if key > best:
                best, best_id = key, aid
    return best_id


# -- who does the verb ------------------------------------------------------------------

def _judge(clues: Clues, aid: str, hit: Hit) -> Vote | None:
    """The action this phrase stands for given who does it, or None when it does not count."""
    if clues.governed(clues.blockers, hit):
        return None  # negated, past perfect, or the wrongdoing itself
    if clues.starts_with("verb_only", hit, whole=True) and not clues.subject(hit)[1]:
        return None  # "deceptive promises", "site blocks": a noun, not a party's act
    if aid == "report":
        return Vote("report", REPORT_SHARE, hit)
    if aid == "response":
        return _response(clues, hit)
    if clues.governed(clues.cues("hedge"), hit):
        return None
    if clues.starts_with("authority_only", hit) and (
            clues.subject(hit)[0] != "authority" or clues.passive(hit)):
        return None  # "a lender seized its cash"; "Anthropic accuses DeepSeek": no authority
    if aid == "restriction":
        return _restriction(clues, hit)
    if aid == "investigation" and _own_inquiry(clues, hit):
        return Vote("report", REPORT_SHARE, hit)
    return Vote(aid, 1.0, hit)


def _reaction(clues: Clues, hit: Hit) -> float:
    return REACTION if hit.start >= clues.doc.title_end else 1.0


def _response(clues: Clues, hit: Hit) -> Vote | None:
    if clues.governed(clues.cues("demand"), hit):  # "asks OpenAI to stop": a demand
        asker, _ = clues.subject(hit, clause=True)
        return Vote("restriction", 1.0, hit) if asker == "authority" else None
    kind, _ = clues.subject(hit)
    if kind == "authority" and clues.starts_with("halting", hit):
        return Vote("restriction", 1.0, hit)  # "California pulls Cruise's permits"
    return Vote("response", _reaction(clues, hit), hit)


def _restriction(clues: Clues, hit: Hit) -> Vote | None:
    kind, near = clues.subject(hit)
    if kind == "authority" or clues.starts_with("in_force", hit):
        return Vote("restriction", 1.0, hit)
    if clues.governed(clues.cues("norm"), hit) or clues.governed(clues.cues("evasion"), hit):
        return None  # "its terms of use prohibit it"; "to get around site blocks"
    if clues.starts_with("directive", hit) and " to " in hit.text:  # not "require permits"
        # "told to halt" vs "the Times tells X to stop"
        return Vote("restriction", 1.0, hit) if clues.told_to(hit) else None
    if clues.passive(hit):
        return Vote("restriction", _reaction(clues, hit), hit)
    if kind == "company" and near:
        if clues.cuts_off_a_party(hit):  # a provider cutting off accounts, access, a rival
            return Vote("restriction", _reaction(clues, hit), hit)
        return Vote("response", _reaction(clues, hit), hit)  # its own staff, feature, service
    return Vote("restriction", _reaction(clues, hit), hit)


def _own_inquiry(clues: Clues, hit: Hit) -> bool:
    """A company looking into its own systems (a finding), or vague scrutiny by nobody named
    ("faces scrutiny"), rather than an authority's probe."""
    kind, near = clues.subject(hit)
    if kind == "company" and near and not clues.passive(hit):
        return True
    return clues.starts_with("vague", hit) and not clues.authority_named()
