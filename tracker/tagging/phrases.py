"""A fast matcher for many regex phrases: each phrase is tried only where it can start, and
only in texts holding the words it needs.

Every phrase's possible first letters (up to PREFIX) are worked out once from its parsed
form (tracker.tagging.literals), and so are up to two "anchors": sets of words one of
which every match contains further on ("accounts" in "suspended ... accounts"). All first
letters and anchors (the keys) go into a trie; walking it at each word start of a text
finds the longest key there, which says where some phrase may begin and which anchors
are present (a `KeyWalker` walks each chunk of text between spaces once, and remembers
it; texts that change length when lower-cased, and case-sensitive indexes, are split by
the same trie as one regex instead). A phrase then runs only at the starts filed under its
first letters, and only if the text holds its anchors. Phrases whose start cannot be
worked out (they begin with `\\w`, `.` or a symbol) fall back to a plain search.

Each phrase is a regex of its own, compiled once (kept between runs by the cache). The
matches at one start are reported as the earlier design, which merged phrases into a
few regexes per start, reported them (tracker.tagging.phrase_plans): same text, same hits.

Patterns are given complete (flags inline, boundaries included): the index adds nothing.
"""
from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import json
import operator
import re
from collections import defaultdict
from collections.abc import Collection, Sequence

from tracker.native import PACKAGE
from tracker.regex_cache import RegexCache
from tracker.tagging.literals import analyse, analysis_version
from tracker.tagging.literals import prefixes as prefixes  # re-exported: the old home
from tracker.tagging.phrase_plans import (
    HEAD,
    SPREAD,
    Hit,
    Plan,
    Plans,
    Trie,
    as_run,
    by_head,
    fits,
    key_tree,
    lowered,
    report_many,
    report_one,
    sets_of,
    trie,
)

__all__ = ["Hit", "PhraseIndex", "prefixes"]
# Letters that re.IGNORECASE matches to an ASCII letter but str.lower() does not turn
# into it: a text holding one is scanned without skipping phrases for their anchors.
_FOLDS_APART = ("\u0131", "\u017f")
Spans = list[tuple[int, int]]
_WORD_RUN = re.compile(r"\w+")
_MEMO_LIMIT = 100_000  # chunks of text remembered by a KeyWalker
Work = tuple[int, Plan, int]  # (start, plan of its key, bit mask of the phrases to run)
# What a key found by the scan means: (the plan of its longest prefix with phrases, the
# phrases it may start that are in no lead-in set, those in lead-in sets only, the phrases
# whose first anchor is among its prefixes, those whose second is).
KeyFacts = tuple[Plan | None, int, int, int, int]


class PhraseIndex:
    """Phrase sets (name → regex strings) compiled for scanning at word starts.

    `named` sets have one named group per pattern and report which one matched.
    """

    def __init__(self, sets: dict[str, list[str]],
                 named: dict[str, list[str]] | None = None, *,
                 case_sensitive: bool = False, cache: RegexCache | None = None,
                 lead_in: Collection[str] = (), reach: int = 0) -> None:
        """`case_sensitive`: every pattern is case-sensitive, so starts are found in the
        text as written (else in the lower-cased text, patterns carrying their own flags).
        `cache`: compiled regexes and analyses kept between runs; with a cache that
        persists, every phrase is compiled (from it) now, else when first needed.
        `lead_in`: sets whose phrases only matter just before a phrase of a named set (cues
        before a company's name): they are reported only where one starts at most `reach`
        characters before a named match (everywhere when `scan` is given windows)."""
        self._exact = case_sensitive
        self._named, self._reach = tuple(named or ()), reach
        self._cache = cache if cache is not None else RegexCache()
        version = analysis_version() if self._cache.persistent else None
        self._facts = f"phrase-analysis-{version}" if version else None
        self._sources: list[str] = []  # per phrase id: the regex as run
        self._openings: list[dict[str, tuple[str, ...]] | None] = []  # per id, by_head()
        self._on_lower: list[bool] = []  # per phrase id: run on the lower-cased text
        self._rx: list[re.Pattern | None] = []  # per phrase id, once compiled
        self._ids: dict[tuple[str, bool], int] = {}
        self._anchor_bits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self._base = [0, 0]  # phrases with no first (second) anchor pass that test
        specs, spread, wild = self._file(sets, named or {})
        self._plans = Plans(specs, spread, self._ids, lead_in)
        self._lead_in = frozenset(lead_in)
        # Facts per key, filled as met: one look-up per key and text.
        self._facts_of: dict[str, KeyFacts] = {}
        # The scan: after a non-word character (so that the search skips letters in C),
        # the longest key starting there.
        self._keys = frozenset(specs) | frozenset(self._anchor_bits)
        tree = key_tree(self._keys)
        self._trie = trie(tree)
        self._finders: dict[bool, re.Pattern] = {}  # plain word-start finders, in any case
        flags = re.I if case_sensitive else 0
        self._after_gap = self._cache.compile(r"\W(?=(" + self._trie + "))", flags)
        # The same tree, walked letter by letter at each word start of lower-cased text: a
        # few look-ups per word, where the regex tries each branch of the trie in turn.
        # (Every key opens with a word character - a phrase that opens otherwise has none,
        # and is searched for - so keys begin only where words do.)
        self._walker = None if case_sensitive else KeyWalker(tree)
        self.wild = tuple((name, self._cache.compile(f"(?<!\\w)(?:{as_run(ps)})"))
                          for name, ps in wild.items())
        self._named_lead_in = bool(set(self._named) & self._lead_in)
        # Sets whose hits may come out of text order (_sort_sets): those the search adds
        # to, and the lead-in sets (their phrases run after the rest, which may report there
        # too).
        self._resorted = frozenset(wild) | self._lead_in
        # How every key is filed (_filing), kept between runs under the code that files
        # keys and the phrases filed: the first run after an edit files them all (about half
        # a second), later runs look them up. Without a store, keys are filed as met.
        self._stored_keys: dict[str, str] = {}
        version = _filing_version() if self._facts is not None else None
        if version is not None:
            stored = self._cache.fact(
                f"phrase-keys-{version}",
                _fingerprint(sets, named, sorted(lead_in), reach, case_sensitive),
                self._file_every_key)
            if not _well_formed(stored):  # a damaged store: filed afresh, as without one
                stored = self._file_every_key()
            self._stored_keys, self._plans.stored = stored["keys"], stored["plans"]

    @property
    def _specs(self) -> dict[str, list]:
        """prefix → the patterns filed under it (see phrase_plans.Plans)."""
        return self._plans.specs

    @property
    def finder(self) -> re.Pattern:
        """Word starts where a key begins, and the longest key there (group 1)."""
        return re.compile(r"\b(?=(" + self._trie + "))", re.I if self._exact else 0)

    def scan(self, text: str, windows: Spans | None = None, *,
             lower: str | None = None, later: Collection[str] = ()) -> dict[str, list[Hit]]:
        """Every phrase match, grouped by set name, in text order within each set.

        `windows`: only phrases starting within these (start, end) spans. `lower`: the
        text lower-cased where that keeps every offset and folds no letter apart from what
        IGNORECASE matches (tagging.text.Doc.lower), if known. `later`: sets whose phrases
        with no known start are left out (the plain search for them costs the most), for
        `search_wild` to add if they turn out to be needed.
        """
        hits: dict[str, list[Hit]] = defaultdict(list)
        if self._exact or lower is None:
            lower = text if self._exact else text.lower()
            folds_apart = _folds_apart(text)
        else:  # as given: no letter folds apart
            folds_apart = False
        if len(lower) != len(text) or windows is not None:
            # Rare letters change length when lowered (then keys are found in the text as
            # written, in any case); anchors outside windows go unseen.
            any_case = self._exact or len(lower) != len(text)
            lower = text if any_case else lower
            keys, starts = self._starts_slowly(lower, windows, any_case)
            todo, lead, alive = self._plans_at(keys, starts, True, everything=True,
                                               lead_in=False)
        else:
            todo, lead, alive = self._plans_after_gaps(lower, folds_apart)
        self._run(hits, text, lower, todo)
        named = self._named_starts(hits) if lead or self.wild else []
        # Sets a later pass added to, whose hits may be out of text order. The first pass
        # reports in text order: most texts need no sorting at all.
        grew: Collection[str] = ()
        if lead and named:  # lead-in phrases: only where a named phrase follows close enough
            near = _named_next(lead, named, self._reach, alive)
            if near:
                self._run(hits, text, lower, near)
                grew = self._lead_in  # (the lead-in phrases report in lead-in sets only)
                if self._named_lead_in:  # a named set that is also a lead-in set: it grew
                    named = self._named_starts(hits)
        if self.wild:
            wild = [w for w in self.wild if w[0] not in later] if later else self.wild
            if wild:
                self._search_wild(hits, text, windows, named, wild)
                grew = self._resorted
            if windows is not None:  # windows in any order give starts out of order anywhere
                grew = set(hits)
        if grew:
            _sort_sets(hits, grew)
        return hits

    def search_wild(self, hits: dict[str, list[Hit]], text: str,
                    names: Collection[str]) -> None:
        """Add to `hits`, from scan(text, later=...), the hits the scan left out of the sets
        `names`: then they are what scan(text) finds."""
        wild = [w for w in self.wild if w[0] in names]
        if wild:
            self._search_wild(hits, text, None, self._named_starts(hits), wild)
            _sort_sets(hits, {name for name, _ in wild})

    def _named_starts(self, hits: dict[str, list[Hit]]) -> list[int]:
        return sorted(h.start for name in self._named for h in hits.get(name, ()))

    def _plans_after_gaps(self, lower: str, folds_apart: bool
                          ) -> tuple[list[Work], list[Work], int]:
        """_plans_at for the keys at word starts: those the trie walk finds in lower-cased
        text, else those a split after non-word characters finds."""
        if self._walker is not None:
            keys, starts = self._walker.keys_at(lower)
            return self._plans_at(keys, starts, False, folds_apart)
        # After a space put first, every word start follows a non-word character: the
        # split gives the text between key starts and each key; offsets by summing.
        parts = self._after_gap.split(" " + lower)
        starts = list(map(operator.add, itertools.accumulate(map(len, parts[0::2])),
                          itertools.count()))
        # A case-sensitive index finds keys in any case.
        return self._plans_at(parts[1::2], starts, self._exact, folds_apart)

    def _search_wild(self, hits: dict[str, list[Hit]], text: str, windows: Spans | None,
                     named: list[int], wild: Sequence[tuple[str, re.Pattern]]) -> None:
        """Phrases with no known start, by a plain search: within the windows when given
        (lead-in sets everywhere there, as scanned ones are), else everywhere, lead-in sets
        only just before a named match (`named`: their starts, sorted) - the same rules the
        scanned phrases follow. `wild`: the sets to search, as in self.wild."""
        for name, rx in wild:
            lead_in = windows is None and name in self._lead_in
            if lead_in and not named:
                continue  # no name for a lead-in phrase to come before: nothing to find
            for m in rx.finditer(text):
                start = m.start()
                if windows is not None:
                    if not any(lo <= start < hi for lo, hi in windows):
                        continue
                elif lead_in:
                    if start >= named[-1]:
                        break  # matches come in text order: no name follows the rest
                    if not _followed(named, start, self._reach):
                        continue
                hits[name].append(Hit(name, start, m.end(), m.group(0), m.lastgroup))

    # -- filing the phrases -----------------------------------------------------------

    def _file(self, sets: dict[str, list[str]], named: dict[str, list[str]]) -> tuple:
        """(specs, spread, wild): the patterns per prefix as phrase_plans.Plans reads them,
        and per set those a search must find."""
        table: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        named_table: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        wild: dict[str, list[str]] = defaultdict(list)
        spread: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for name, patterns in sets.items():
            for pattern in patterns:
                keys = self._register(pattern)
                if keys is None:
                    wild[name].append(pattern)
                for key in keys or ():
                    if len(keys or ()) > SPREAD:
                        spread[key].append((name, pattern))
                    else:
                        table[key][name].append(pattern)
        for name, patterns in named.items():
            for i, pattern in enumerate(patterns):
                wrapped = f"(?P<{name}{i}>{pattern})"
                keys = self._register(wrapped, named=True)
                if keys is None:
                    wild[name].append(wrapped)
                for key in keys or ():
                    named_table[key][name].append(wrapped)
        specs: dict[str, list] = defaultdict(list)
        for key, by_set in named_table.items():
            specs[key] += [(name, None, tuple(ps)) for name, ps in by_set.items()]
        for key, by_set in table.items():
            specs[key].append(("", dict(by_set), ()))
        for key in spread:
            specs[key] += []
        return (dict(specs), {key: tuple(dict.fromkeys(pairs)) for key, pairs in spread.items()},
                wild)

    def _register(self, pattern: str, named: bool = False) -> set[str] | None:
        """Give a pattern an id (once per distinct regex as run); its prefixes, or None."""
        low = None if named else lowered(pattern)
        source, on_lower = (pattern, False) if low is None else (low, True)
        if self._facts is None:
            keys, anchors, openings = analyse(pattern)
        else:
            keys, anchors, openings = self._cache.fact(self._facts, pattern,
                                                       lambda: analyse(pattern))
        if keys is None or (source, on_lower) in self._ids:
            return None if keys is None else set(keys)
        pid = self._ids[(source, on_lower)] = len(self._sources)
        self._sources.append(source)
        self._openings.append(None if openings is None else by_head(openings))
        self._on_lower.append(on_lower)
        self._rx.append(self._cache.compile(as_run([source])) if self._cache.persistent
                        else None)
        for slot in range(2):
            if slot >= len(anchors):
                self._base[slot] |= 1 << pid
            for word in anchors[slot] if slot < len(anchors) else ():
                self._anchor_bits[word][slot] |= 1 << pid
        return set(keys)

    # -- scanning ----------------------------------------------------------------------

    def _plans_at(self, keys: list[str], starts: list[int], fold: bool, everything: bool,
                  lead_in: bool = True) -> tuple[list[Work], list[Work], int]:
        """First pass: (start, plan, phrases to try there) where phrases may start, the
        same for lead-in phrases (before the anchor test: most are never needed), and the
        phrases whose anchors the text holds (all with `everything`), from the keys a
        finder found at `starts`. In C as far as it goes: most starts need nothing."""
        if fold:
            keys = list(map(str.lower, keys))
        try:
            facts = list(map(self._facts_of.__getitem__, keys))
        except KeyError:  # keys met for the first time: filed now
            known = self._facts_of
            facts = [known[key] if key in known else self._file_key(key) for key in keys]
        if not facts:
            return [], [], 0
        plans, main, lead, first, second = zip(*facts, strict=True)
        alive = -1
        if not everything:  # zero masks (half the keys) are skipped: fewer big-int ORs
            alive = (functools.reduce(operator.or_, filter(None, first), self._base[0])
                     & functools.reduce(operator.or_, filter(None, second), self._base[1]))
        if not lead_in:
            main = map(operator.or_, main, lead)
        tries = list(map(operator.and_, main, itertools.repeat(alive)))
        todo = list(itertools.compress(zip(starts, plans, tries, strict=False), tries))
        if not lead_in:
            return todo, [], alive
        return todo, list(itertools.compress(zip(starts, plans, lead, strict=False), lead)), alive

    def _run(self, hits: dict[str, list[Hit]], text: str, lower: str,
             work: list[Work]) -> None:
        """Second pass: at each start, run the phrases of its bit mask; add their hits."""
        for pos, plan, left in work:
            runs = plan.runs.get(left) or self._runs(plan, left)
            if len(runs) == 1:  # most starts: one phrase to try
                _, match, on_lower, sets = runs[0]
                m = match(lower if on_lower else text, pos)
                if m is not None:
                    report_one(hits, sets, pos, text, m)
                continue
            found = []
            for pid, match, on_lower, _ in runs:
                m = match(lower if on_lower else text, pos)
                if m is not None:
                    found.append((pid, m))
            if len(found) > 1:
                report_many(hits, plan, pos, text, found)
            elif found:
                report_one(hits, sets_of(plan, found[0][0]), pos, text, found[0][1])

    def _runs(self, plan: Plan, left: int) -> tuple:
        """(phrase id, its regex's match, run on the lower-cased text, the sets it reports
        when it alone matches) for the phrases of bit mask `left`, kept per plan: the same
        few subsets come back text after text."""
        found: list[tuple] = []
        todo = left
        while todo:
            bit = todo & -todo
            todo ^= bit
            pid = bit.bit_length() - 1
            rx = self._rx[pid]
            if rx is None:
                rx = self._rx[pid] = self._cache.compile(as_run([self._sources[pid]]))
            found.append((pid, rx.match, self._on_lower[pid], sets_of(plan, pid)))
        plan.runs[left] = runs = tuple(found)
        return runs

    def _file_key(self, key: str) -> KeyFacts:
        """The facts of a key: the plan of its longest prefix with phrases, less the phrases
        that cannot begin with the key, and the phrases anchored by its prefixes."""
        facts = self._facts_of.get(key)
        if facts is not None:
            return facts
        stored = self._stored_keys.get(key)
        prefix, unfit = self._filing(key) if stored is None else json.loads(stored)
        first = second = 0
        for n in range(1, len(key) + 1):
            bits = self._anchor_bits.get(key[:n])  # (.get: the table adds no key)
            if bits is not None:
                first, second = first | bits[0], second | bits[1]
        if not prefix:
            facts = (None, 0, 0, first, second)
        else:
            plan = self._plans.of(prefix)
            fit = plan.candidates & ~sum(1 << pid for pid in unfit)
            facts = (plan, plan.candidates & ~plan.lead & fit, plan.lead & fit, first, second)
        self._facts_of[key] = facts
        return facts

    def _filing(self, key: str) -> tuple[str, list[int]]:
        """The longest prefix of `key` with phrases ("" if none) and the ids of those of its
        plan's phrases that cannot begin with the key."""
        with_phrases = [key[:n] for n in range(1, len(key) + 1) if key[:n] in self._specs]
        if not with_phrases:
            return "", []
        candidates = self._plans.of(with_phrases[-1]).candidates
        unfit = candidates & ~self._fitting(candidates, key)
        return with_phrases[-1], [pid for pid in range(unfit.bit_length()) if unfit >> pid & 1]

    def _file_every_key(self) -> dict[str, dict[str, str]]:
        """_filing of every key the scan can find, and the entries of the plans they name,
        each as JSON text: read when first met, and meanwhile strings, which the garbage
        collector never walks."""
        filed = {key: self._filing(key) for key in sorted(self._keys)}
        prefixes = sorted({prefix for prefix, _ in filed.values() if prefix})
        return {"keys": {key: json.dumps(found) for key, found in filed.items()},
                "plans": {p: json.dumps(self._plans.stored_entries(p)) for p in prefixes}}

    def _fitting(self, phrases: int, key: str) -> int:
        """Those of `phrases` (a bit mask) one of whose openings may begin a text that
        begins with `key`: at "its", not the phrase "it(?!\\w)"."""
        head = key[:HEAD]
        if len(head) < HEAD or not head.isascii():  # rare: every opening is compared
            head = ""
        fit, todo = 0, phrases
        while todo:
            bit = todo & -todo
            todo ^= bit
            heads = self._openings[bit.bit_length() - 1]
            if heads is None or any(fits(o, key) for o in (
                    heads.get(head, ()) + heads[""] if head else heads["*"])):
                fit |= bit
        return fit

    def _starts_slowly(self, lower: str, windows: Spans | None, any_case: bool
                       ) -> tuple[list[str], list[int]]:
        """(keys, starts) as a plain word-start finder sees them, within `windows`."""
        finder = self._finders.get(any_case)
        if finder is None:  # compiled when first needed: few texts come this way
            flags = re.I if any_case else 0
            finder = self._finders[any_case] = re.compile(r"\b(?=(" + self._trie + "))", flags)
        found = [m for lo, hi in windows or [(0, len(lower))]
                 for m in finder.finditer(lower, lo, hi)]
        return [m.group(1) for m in found], [m.start() for m in found]


class KeyWalker:
    """Finds, at each word start of lower-cased text, the longest key beginning there, as
    the trie regex after a non-word character does (keys open with a word character, so
    they begin only where a word does). Each chunk of text between spaces is walked
    through the nested tables once, when first met; only where keys go on past its end
    does the walk continue into the text."""

    def __init__(self, tree: Trie, limit: int = _MEMO_LIMIT) -> None:
        self._root = tree  # (phrase_plans.key_tree)
        self._limit = limit  # chunks remembered at most (then forgotten, all at once)
        # chunk → (offset of a word start, the longest key there or "", the table at the
        # chunk's end if keys go on past it), for its word starts where either is found
        self._chunks: dict[str, tuple[tuple[int, str, Trie | None], ...]] = {}

    def keys_at(self, text: str) -> tuple[list[str], list[int]]:
        """(keys, starts) in text order."""
        keys: list[str] = []
        starts: list[int] = []
        chunks = self._chunks
        end = len(text)
        pos = 0
        for chunk in text.split():  # (white space is never a word character)
            at = text.find(chunk, pos)
            pos = at + len(chunk)
            known = chunks.get(chunk)
            if known is None:
                known = chunks[chunk] = self._walk_chunk(chunk)
            for offset, found, node in known:
                if node is not None:  # keys go on past the chunk: walk on into the text
                    i: int = pos
                    while i < end:
                        step = node.get(text[i])
                        if step is None:
                            break
                        node, key = step
                        if key:
                            found = key
                        i += 1
                if found:
                    keys.append(found)
                    starts.append(at + offset)
        if len(chunks) > self._limit:
            chunks.clear()
        return keys, starts

    def _walk_chunk(self, chunk: str) -> tuple[tuple[int, str, Trie | None], ...]:
        out = []
        for m in _WORD_RUN.finditer(chunk):  # word starts: after a non-word character
            node: Trie = self._root
            found = ""
            for ch in chunk[m.start():]:
                step = node.get(ch)
                if step is None:
                    node = {}
                    break
                node, key = step
                if key:
                    found = key
            if found or node:
                out.append((m.start(), found, node or None))
        return tuple(out)


def _filing_version() -> str | None:
    """Changes whenever the code that files keys does (this module, phrase_plans and
    literals); None when a source cannot be read, so that no filing is stored."""
    here = PACKAGE / "tagging"  # (compiled, this module's __file__ may be the shared library)
    try:
        sources = [(here / f"{name}.py").read_bytes()
                   for name in ("phrases", "phrase_plans", "literals")]
    except OSError:
        return None
    return hashlib.sha256(b"".join(sources)).hexdigest()[:16]


def _well_formed(stored: object) -> bool:
    """Whether a kept filing has the shape _file_every_key gives: two tables of text."""
    return (isinstance(stored, dict) and all(
        isinstance(table := stored.get(name), dict)
        and all(isinstance(v, str) for v in table.values()) for name in ("keys", "plans")))


def _fingerprint(*parts: object) -> str:
    """A digest of an index's phrases (their order gives the phrase ids)."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:32]


def _followed(named: list[int], pos: int, reach: int) -> bool:
    """Some start in `named` (sorted) lies after `pos`, at most `reach` after it."""
    i = bisect.bisect_right(named, pos)
    return i < len(named) and named[i] - pos <= reach


def _named_next(work: list[Work], named: list[int], reach: int, alive: int) -> list[Work]:
    """The work at starts that some start in `named` (sorted) follows within `reach`
    (see _followed), less the phrases not `alive`."""
    last = len(named)
    near = [(pos, plan, left & alive) for pos, plan, left in work
            if (i := bisect.bisect_right(named, pos)) < last and named[i] - pos <= reach]
    return [w for w in near if w[2]]


def _sort_sets(hits: dict[str, list[Hit]], names: Collection[str]) -> None:
    """Put the hits of the sets `names` in text order: the plain search's matches may
    interleave with the scanned ones, and lead-in phrases run after the others."""
    for name, found_hits in hits.items():
        if name in names and len(found_hits) > 1:
            found_hits.sort(key=_start)


def _folds_apart(text: str) -> bool:
    return not text.isascii() and any(ch in text for ch in _FOLDS_APART)


_start = operator.attrgetter("start")  # the sort key, in C
