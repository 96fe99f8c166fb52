"""What the phrases of an index report at one start: the rules of the earlier, merged design.

The index used to merge, per start key, the phrases filed under the key's prefixes into a
few regexes, and each regex reported, per set, the first of its phrases that matched
there. PhraseIndex (tracker.tagging.phrases) now runs each phrase on its own, and
reports the matches by those same rules, so that a text gives the very same hits: which
phrase a set reports at a start (and so its end and evidence), and how often. A `Plan`
records, for one key, those regexes as lists of phrase ids.

Also here: how a phrase's text becomes the regex that runs (`lowered`, `as_run`), and
any IGNORECASE regex its twin for lower-cased text (`for_lowered_text`).
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Collection
from re import _constants as C  # type: ignore[attr-defined]  # noqa: N812 (stable since 3.11)
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import NamedTuple

from tracker.tagging.literals import END

SHARED_PREFIX = 2  # prefixes this short had regexes of their own, shared by longer keys
SPREAD = 3  # a pattern filed under more keys than this had a regex of its own
HEAD = 2  # characters by which a phrase's openings are filed
_GAP_START = re.compile(r"\\W\+\(\?:\\w\+\\W\+\)")  # \W+(?:\w+\W+)
_GAP = re.compile(r"\\w\+\\W\+(?![?*+{])")  # \w+\W+ not followed by a quantifier
_WORD = re.compile(r"\w")
_CASE_INSENSITIVE = re.compile(r"^\(\?i:(.*)\)(\(\?!\\w\))?$", re.S)
# Pattern text: escapes, group names and flags (kept as written), the rest (lower-cased).
_PATTERN_TOKEN = re.compile(r"\\.|\(\?P[<=]\w+[>)]|\(\?[a-zA-Z-]+[:)]|[^\\(]+|.", re.S)
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT))

# (set name, phrase ids in the regex's order, report the match's named group)
Group = tuple[str, tuple[int, ...], bool]


class Hit(NamedTuple):
    set: str
    start: int
    end: int
    text: str
    group: str | None = None  # the named group that matched (named sets: aliases)


new_hit = tuple.__new__  # new_hit(Hit, (...)): a Hit without NamedTuple's slower __new__


class Plan(NamedTuple):
    """The phrases that may start where a key does, and how their matches are reported."""

    candidates: int  # bit mask of phrase ids
    lead: int  # those of them in lead-in sets only
    entries: tuple[tuple[Group, ...], ...]  # the merged regexes, in the order they ran
    member: dict[int, tuple[tuple[int, int, int], ...]]  # id → (entry, group, rank), ...
    # Filled as met: phrase id → ((set, with group), ...) when it matched alone; a tuple of
    # ids → ((set, index of the reported match, with group), ...) when they matched together
    reports: dict
    runs: dict  # bit mask of phrases to try → (id, regex match, on lower-cased text), ...


class Plans:
    """The Plan of each key, built when first needed from the phrases filed per prefix.

    `specs`: prefix → [(named set, None, patterns) | ("", {set: patterns}, ())];
    `spread`: prefix → ((set, pattern), ...) of the patterns with regexes of their own;
    `ids`: (regex as run, runs on lower-cased text) → phrase id.
    """

    def __init__(self, specs: dict[str, list], spread: dict[str, tuple[tuple[str, str], ...]],
                 ids: dict[tuple[str, bool], int], lead_in: Collection[str]) -> None:
        self.specs, self._spread, self._ids = specs, spread, ids
        self._lead_in = frozenset(lead_in)
        self._built: dict[str, Plan] = {}
        self._shared: dict[str, list] = {}
        self._lowered: dict[str, str | None] = {}  # pattern → lowered(pattern), as met
        # key → its entries as JSON text (stored_entries), kept from an earlier run: a plan
        # is then rebuilt from them rather than merged afresh (the slow part).
        self.stored: dict[str, str] = {}

    def of(self, key: str) -> Plan:
        """Where `key` starts the merged design ran: the regexes of its prefixes longer
        than SHARED_PREFIX merged into one per kind, then the shared ones of its short
        prefixes, then one per spread pattern."""
        plan = self._built.get(key)
        if plan is None:
            found = self.stored.get(key)
            entries = self._entries(key) if found is None else [
                tuple((name, tuple(ids), with_group) for name, ids, with_group in entry)
                for entry in json.loads(found)]
            plan = self._built[key] = self._plan(entries)
        return plan

    def stored_entries(self, key: str) -> list:
        """The entries of `key`'s plan as JSON (lists), as `stored` keeps them."""
        return [[list(group) for group in entry] for entry in self.of(key).entries]

    def _entries(self, key: str) -> list[tuple[Group, ...]]:
        chain = [key[:n] for n in range(1, len(key) + 1) if key[:n] in self.specs]
        entries = self._merged([p for p in chain if len(p) > SHARED_PREFIX])
        for prefix in (p for p in chain if len(p) <= SHARED_PREFIX):
            if prefix not in self._shared:
                self._shared[prefix] = self._merged([prefix])
            entries += self._shared[prefix]
        singles = dict.fromkeys(pair for p in chain for pair in self._spread.get(p, ()))
        for name, pattern in singles:
            entries.append(((name, (self._id_of(pattern),), True),))
        return entries

    def _plan(self, entries: list[tuple[Group, ...]]) -> Plan:
        member: dict[int, list] = defaultdict(list)
        candidates = main = 0
        for e, entry in enumerate(entries):
            for g, (name, ids, _) in enumerate(entry):
                for rank, pid in enumerate(ids):
                    member[pid].append((e, g, rank))
                    candidates |= 1 << pid
                    if name not in self._lead_in:
                        main |= 1 << pid
        return Plan(candidates, candidates & ~main, tuple(entries),
                    {pid: tuple(v) for pid, v in member.items()}, {}, {})

    def _merged(self, prefixes: list[str]) -> list[tuple[Group, ...]]:
        """One regex per named set (longest pattern first), then one for the patterns run
        on the lower-cased text and one for those run as written, each reporting per set."""
        named: dict[str, list[str]] = defaultdict(list)
        folded: dict[str, list[str]] = defaultdict(list)
        cased: dict[str, list[str]] = defaultdict(list)
        for prefix in prefixes:
            for name, sets, patterns in self.specs[prefix]:
                if sets is None:
                    named[name] += patterns
                    continue
                for set_name, ps in sets.items():
                    for p in ps:
                        low = self._low(p)
                        if low is None:
                            cased[set_name].append(p)
                        else:
                            folded[set_name].append(low)
        ids = self._ids
        out: list[tuple[Group, ...]] = [
            ((n, tuple(ids[(p, False)] for p in _longest_first(_unique(ps))), True),)
            for n, ps in named.items()]
        for table, on_lower in ((folded, True), (cased, False)):
            if table:
                alone = len(table) == 1  # a regex of one set reported its named group
                out.append(tuple((n, tuple(ids[(p, on_lower)] for p in _unique(ps)), alone)
                                 for n, ps in table.items()))
        return out

    def _id_of(self, pattern: str) -> int:
        low = self._low(pattern)
        return self._ids[(pattern, False) if low is None else (low, True)]

    def _low(self, pattern: str) -> str | None:
        """lowered(pattern), worked out once: plans met in a run share many patterns."""
        if pattern not in self._lowered:
            self._lowered[pattern] = lowered(pattern)
        return self._lowered[pattern]


def report_one(hits: dict[str, list[Hit]], sets: tuple[tuple[str, bool], ...], pos: int,
               text: str, m: re.Match) -> None:
    """Add the hits of a phrase that alone matched at `pos`: one per set it reports in
    (`sets_of`)."""
    end = m.end()
    found = text[pos:end]
    for name, with_group in sets:
        hits[name].append(new_hit(Hit, (name, pos, end, found,
                                        m.lastgroup if with_group else None)))


def report_many(hits: dict[str, list[Hit]], plan: Plan, pos: int, text: str,
                found: list[tuple[int, re.Match]]) -> None:
    """Add the hits of several phrases that matched at `pos`: each merged regex reported,
    per set, the first of its phrases that matched; one match twice counts once."""
    pids = next(zip(*found, strict=True))  # the ids, in the order they ran
    for name, i, with_group in plan.reports.get(pids) or _winners(plan, pids):
        m = found[i][1]
        end = m.end()
        got = hits[name]
        if not got or got[-1][1] != pos or got[-1][2] != end:
            got.append(new_hit(Hit, (name, pos, end, text[pos:end],
                                     m.lastgroup if with_group else None)))


def sets_of(plan: Plan, pid: int) -> tuple[tuple[str, bool], ...]:
    """(set, report the match's named group) for each set that reports phrase `pid` when it
    alone matched at a start: one hit per set it is in (the regexes that repeated it
    reported the very same match)."""
    sets = plan.reports.get(pid)
    if sets is not None:
        return sets
    out: dict[str, bool] = {}
    for e, g, _ in sorted(plan.member[pid]):
        name, _, with_group = plan.entries[e][g]
        out.setdefault(name, with_group)
    plan.reports[pid] = sets = tuple(out.items())
    return sets


def _winners(plan: Plan, pids: tuple[int, ...]) -> tuple[tuple[str, int, bool], ...]:
    """(set, index in `pids` of the phrase reported, with its group) per merged regex and
    set, in the order the regexes ran, when the phrases `pids` matched together."""
    best: dict[tuple[int, int], tuple[int, int]] = {}
    for i, pid in enumerate(pids):
        for e, g, rank in plan.member[pid]:
            if (e, g) not in best or rank < best[(e, g)][0]:
                best[(e, g)] = (rank, i)
    plan.reports[pids] = out = tuple((plan.entries[e][g][0], best[(e, g)][1],
                                      plan.entries[e][g][2]) for e, g in sorted(best))
    return out


def by_head(openings: list[str]) -> dict[str, tuple[str, ...]]:
    """A phrase's openings filed by their first HEAD characters where these are ASCII and
    no END ("" for the others, "*" for all), so that `fits` need only try those whose
    head is the text's."""
    heads: dict[str, list[str]] = {"": [], "*": list(openings)}
    for opening in openings:
        head = opening[:HEAD]
        plain = len(head) == HEAD and head.isascii() and END not in head
        heads.setdefault(head if plain else "", []).append(opening)
    return {head: tuple(found) for head, found in heads.items()}


def fits(opening: str, known: str) -> bool:
    """Whether a text that begins with `known` (lower-cased) may begin with a phrase's
    `opening` (literals.openings_of). Letters are told apart only where both are ASCII:
    IGNORECASE matches a few others to ASCII letters (the long s to "s")."""
    for ch, seen in zip(opening, known, strict=False):  # as far as both go
        if ch == END:
            if _WORD.match(seen):
                return False
        elif ch != seen and ch.isascii() and seen.isascii():
            return False
    return True


# -- the regex text ---------------------------------------------------------------------

def lowered(pattern: str) -> str | None:
    """The pattern for lower-cased text, or None when it needs the case as written."""
    m = _CASE_INSENSITIVE.match(pattern)
    if m is None or "(?-i" in pattern or "(?P<" in pattern:
        return None
    body = re.sub(r"\\.", "", m.group(1))  # escapes such as \W or \S are not letters
    if re.search(r"[A-Z]", body):
        return None
    return f"(?:{m.group(1)}){m.group(2) or ''}"


def for_lowered_text(pattern: str, flags: int) -> str | None:
    """An IGNORECASE regex (re.I in `flags`) rewritten, without re.I, for the text
    lower-cased as tagging.text.Doc.lower is (offsets kept, no letter that IGNORECASE folds
    apart): the same matches there. Letters then compare in C where an alternation's
    branches open, several times faster. None unless the parsed regex is the original's
    with letters lower-cased, nothing else (no back-reference, no group turning re.I off,
    no upper-case letter outside ASCII, no ASCII or LOCALE flag)."""
    if not flags & re.I or flags & (re.A | re.L):
        return None
    low = "".join(t if t.startswith(("\\", "(?")) else t.lower()
                  for t in _PATTERN_TOKEN.findall(pattern))
    try:
        before, after = sre_parse.parse(pattern, flags), sre_parse.parse(low, flags & ~re.I)
    except re.error:
        return None
    if after.state.flags != before.state.flags & ~re.I or before.state.flags & (re.A | re.L):
        return None
    return low if _lower_cased(list(before), list(after)) else None


def _lower_cased(items: list, low: list) -> bool:
    """Parsed items `low` are `items` with their letters lower-cased."""
    return len(items) == len(low) and all(map(_lower_item, items, low))


def _lower_item(item: tuple, low: tuple) -> bool:
    (op, av), (low_op, low_av) = item, low
    if op is not low_op:
        return False
    if op in (C.LITERAL, C.NOT_LITERAL):
        return _lower_char(av, low_av)
    if op is C.IN:
        return len(av) == len(low_av) and all(map(_lower_member, av, low_av))
    if op is C.BRANCH:
        return len(av[1]) == len(low_av[1]) and all(
            _lower_cased(list(a), list(b)) for a, b in zip(av[1], low_av[1], strict=True))
    if op is C.SUBPATTERN:  # (group, flags added, flags removed, body)
        return (av[:3] == low_av[:3] and not (av[1] | av[2]) & (re.I | re.A | re.L)
                and _lower_cased(list(av[3]), list(low_av[3])))
    if op in _REPEATS or op in (C.ASSERT, C.ASSERT_NOT):
        return av[:-1] == low_av[:-1] and _lower_cased(list(av[-1]), list(low_av[-1]))
    if op is C.ATOMIC_GROUP:
        return _lower_cased(list(av), list(low_av))
    return op in (C.AT, C.ANY) and av == low_av  # back-references and the rest: no


def _lower_member(item: tuple, low: tuple) -> bool:
    """One member of a character class, lower-cased."""
    (op, av), (low_op, low_av) = item, low
    if op is not low_op:
        return False
    if op is C.LITERAL:
        return _lower_char(av, low_av)
    if op is C.RANGE:
        chars = [chr(c) for c in range(av[0], av[1] + 1)]
        return all(c.isascii() for c in chars) and {c.lower() for c in chars} == {
            chr(c) for c in range(low_av[0], low_av[1] + 1)}
    return av == low_av  # a category, or the class negated


def _lower_char(code: int, low_code: int) -> bool:
    """IGNORECASE matches the letter `code` where the lower-cased text has `low_code`."""
    ch = chr(code)
    return (ch.isascii() or ch.lower() == ch.upper()) and chr(low_code) == ch.lower()


def as_run(patterns: list[str]) -> str:
    """The patterns as one alternation, as they are compiled to run."""
    return "|".join(f"(?:{_atomic_gaps(p)})" for p in patterns)


def _atomic_gaps(pattern: str) -> str:
    """Word gaps written `\\w+\\W+` cannot match differently when backtracked (\\w and \\W
    are complements), so make them possessive: the same matches, far less searching."""
    pattern = _GAP_START.sub(r"\\W++(?:\\w++\\W++)", pattern)
    return _GAP.sub(r"\\w++\\W++", pattern)


Trie = dict[str, tuple[dict, str]]  # letter → (what may follow, the key ending there or "")


def key_tree(keys: Collection[str]) -> Trie:
    """The keys as nested tables: letter → (the table of what may follow, the key that
    ends there or "")."""
    root: Trie = {}
    for key in sorted(keys):
        node = root
        for n, ch in enumerate(key, 1):
            step = node.get(ch)
            if step is None:
                step = node[ch] = ({}, "")
            if n == len(key):
                step = node[ch] = (step[0], key)
            node = step[0]
    return root


def trie(tree: Trie) -> str:
    """A regex matching the longest key of `tree` (key_tree) present."""
    return _trie_node(tree, False)


def _trie_node(node: Trie, ends: bool) -> str:
    # A key that may go on is an alternation with an empty branch last, not `(...)?`:
    # the same longest match, without the regex engine's costlier repeat machinery.
    alts = [re.escape(ch) + _trie_node(child, bool(key))
            for ch, (child, key) in sorted(node.items())]
    if not alts:
        return ""
    if ends:
        return "(?:" + "|".join(alts) + "|)"
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


def _unique(patterns: list[str]) -> list[str]:
    return list(dict.fromkeys(patterns))


def _longest_first(patterns: list[str]) -> list[str]:
    """Named patterns come pre-sorted per prefix; merged chains need sorting again."""
    return sorted(patterns, key=len, reverse=True)
