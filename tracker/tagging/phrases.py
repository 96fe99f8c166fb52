"""A fast matcher for many regex phrases: each phrase is tried only where it can start.

One big alternation costs time at every position of the text for every branch (about
12 ms per item for the whole taxonomy). Instead, each phrase's possible first letters
(up to PREFIX) are worked out once from its parsed form, and all those prefixes go into
one trie-shaped regex. A scan lets that regex find the word starts where some prefix
begins (in C, about 40 µs per item) and runs only the phrases filed under it. Phrases
whose start cannot be worked out (they begin with `\\w`, `.` or a symbol) fall back to a
plain search.

Patterns are given complete (flags inline, boundaries included): the index adds nothing.
"""
from __future__ import annotations

import re
from collections import defaultdict
from re import _constants as C  # noqa: N812 (stable since 3.11; used read-only)
from re import _parser as sre_parse
from typing import NamedTuple

PREFIX = 5
SHARED_PREFIX = 2  # prefixes this short get regexes of their own, shared by longer keys
SPREAD = 3  # a pattern filed under more keys than this gets a regex of its own, shared
_MAX_PREFIXES = 400
_WORD_START = re.compile(r"\b\w")
_GAP_START = re.compile(r"\\W\+\(\?:\\w\+\\W\+\)")  # \W+(?:\w+\W+)
_GAP = re.compile(r"\\w\+\\W\+(?![?*+{])")  # \w+\W+ not followed by a quantifier
Prefixes = set[tuple[str, bool]]  # (prefix, can still be extended)


class Hit(NamedTuple):
    set: str
    start: int
    end: int
    text: str
    group: str | None = None  # the named group that matched (named sets: aliases)


class PhraseIndex:
    """Phrase sets (name → regex strings) compiled for scanning at word starts.

    `named` sets have one named group per pattern and report which one matched; they are
    kept in regexes of their own. The other sets sharing a prefix share one regex.
    """

    def __init__(self, sets: dict[str, list[str]],
                 named: dict[str, list[str]] | None = None, *,
                 case_sensitive: bool = False) -> None:
        """`case_sensitive`: every pattern is case-sensitive, so starts are found in the
        text as written (else in the lower-cased text, patterns carrying their own flags)."""
        self._exact = case_sensitive
        table: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        named_table: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        wild: dict[str, list[str]] = defaultdict(list)
        # A pattern starting with one of many words (a verb list, say) would be compiled
        # into the regex of every key: compile it once instead (most of the start-up cost).
        spread: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for name, patterns in sets.items():
            for pattern in patterns:
                keys = prefixes(pattern)
                if keys is None:
                    wild[name].append(pattern)
                elif len(keys) > SPREAD:
                    for key in keys:
                        spread[key].append((name, pattern))
                else:
                    for key in keys:
                        table[key][name].append(pattern)
        for name, patterns in (named or {}).items():
            for i, pattern in enumerate(patterns):
                _place(name, f"(?P<{name}{i}>{pattern})", named_table, wild)
        # Regexes are compiled on first use: most prefixes never occur in a given run.
        specs: dict[str, list] = defaultdict(list)
        for key, by_set in named_table.items():
            specs[key] += [(name, None, tuple(ps)) for name, ps in by_set.items()]
        for key, by_set in table.items():
            specs[key].append(("", dict(by_set), ()))
        for key in spread:
            specs[key] += []
        self._specs = dict(specs)
        self._spread = {key: tuple(dict.fromkeys(pairs)) for key, pairs in spread.items()}
        self._compiled: dict[str, tuple] = {}
        # The trie finds the longest prefix at a word start; the phrases filed under its
        # shorter prefixes may start there too.
        self._chains = {key: tuple(key[:n] for n in range(1, len(key) + 1) if key[:n] in specs)
                        for key in specs}
        self.finder = re.compile(r"\b(?=(" + _trie(specs) + "))", re.I if case_sensitive else 0)
        self.finder_i = re.compile(self.finder.pattern, re.I)
        self.wild = tuple((name, re.compile(f"(?<!\\w)(?:{_alt(ps)})"))
                          for name, ps in wild.items())

    def scan(self, text: str, windows: list[tuple[int, int]] | None = None
             ) -> dict[str, list[Hit]]:
        """Every phrase match, grouped by set name, in text order within each set.

        `windows`: only phrases starting within these (start, end) spans.
        """
        hits: dict[str, list[Hit]] = defaultdict(list)
        lower = text if self._exact else text.lower()
        finder, fold = self.finder, self._exact  # a case-sensitive index finds keys in any case
        if len(lower) != len(text):  # rare letters change length when lowered
            lower, finder, fold = text, self.finder_i, True
        starts = (finder.finditer(lower) if windows is None else
                  (m for lo, hi in windows for m in finder.finditer(lower, lo, hi)))
        compiled, entries_for = self._compiled, self._entries
        for found in starts:
            pos = found.start()
            key = found.group(1).lower() if fold else found.group(1)
            entries = compiled.get(key)
            if entries is None:
                entries = entries_for(key)
            for rx, groups, name, on_lower in entries:
                m = rx.match(lower if on_lower else text, pos)
                if m is None:
                    continue
                if groups is None:  # one set: a plain alternation
                    _add(hits[name], Hit(name, pos, m.end(), text[pos:m.end()], m.lastgroup))
                    continue
                regs = m.regs
                for index, set_name in groups:
                    start, end = regs[index]
                    if start >= 0:
                        _add(hits[set_name], Hit(set_name, start, end, text[start:end]))
        for name, rx in self.wild:
            for m in rx.finditer(text) if windows is None else ():
                hits[name].append(Hit(name, m.start(), m.end(), m.group(0), m.lastgroup))
        if self.wild:  # matches from the search may interleave with the scanned ones
            for found_hits in hits.values():
                found_hits.sort(key=_start)
        return hits

    def _entries(self, key: str) -> tuple:
        """The compiled regexes for the phrases that may start where `key` does: those
        filed under `key` and its longer prefixes merged into one regex (plus one per
        named set), then the shared regexes of its 1- and 2-letter prefixes (they belong
        to many keys; compiling them into each would cost more than one more call)."""
        entries = self._compiled.get(key)
        if entries is None:
            long = [p for p in self._chains[key] if len(p) > SHARED_PREFIX]
            short = [p for p in self._chains[key] if len(p) <= SHARED_PREFIX]
            entries = _merged(self._specs, long)
            for prefix in short:
                shared = self._compiled.get("\0" + prefix)
                if shared is None:
                    shared = self._compiled["\0" + prefix] = _merged(self._specs, [prefix])
                entries += shared
            singles = dict.fromkeys(pair for p in self._chains[key]
                                    for pair in self._spread.get(p, ()))
            for name, pattern in singles:
                single = self._compiled.get("\1" + pattern)
                if single is None:
                    lowered = _lowered(pattern)
                    rx = _alternation([pattern if lowered is None else lowered])
                    single = self._compiled["\1" + pattern] = (rx, lowered is not None)
                entries += ((single[0], None, name, single[1]),)
            self._compiled[key] = entries
        return entries


def _merged(specs: dict, prefixes: list[str]) -> tuple:
    """(regex, groups, set name, matched on the lower-cased text) for these prefixes.

    Patterns that ignore case as a whole run on the lower-cased text without the flag
    (much faster); the others (company names, `(?-i:...)` parts) on the text as written.
    """
    named: dict[str, list[str]] = defaultdict(list)
    folded: dict[str, list[str]] = defaultdict(list)
    cased: dict[str, list[str]] = defaultdict(list)
    for prefix in prefixes:
        for name, sets, patterns in specs[prefix]:
            if sets is None:
                named[name] += patterns
                continue
            for set_name, ps in sets.items():
                for p in ps:
                    lowered = _lowered(p)
                    if lowered is None:
                        cased[set_name].append(p)
                    else:
                        folded[set_name].append(lowered)
    out = [(_alternation(_longest_first(_unique(ps))), None, n, False) for n, ps in named.items()]
    for table, on_lower in ((folded, True), (cased, False)):
        if table:
            out.append((*_combine({n: _unique(ps) for n, ps in table.items()}), on_lower))
    return tuple(out)


_CASE_INSENSITIVE = re.compile(r"^\(\?i:(.*)\)(\(\?!\\w\))?$", re.S)


def _lowered(pattern: str) -> str | None:
    """The pattern for lower-cased text, or None when it needs the case as written."""
    m = _CASE_INSENSITIVE.match(pattern)
    if m is None or "(?-i" in pattern or "(?P<" in pattern:
        return None
    body = re.sub(r"\\.", "", m.group(1))  # escapes such as \W or \S are not letters
    if re.search(r"[A-Z]", body):
        return None
    return f"(?:{m.group(1)}){m.group(2) or ''}"


def _unique(patterns: list[str]) -> list[str]:
    return list(dict.fromkeys(patterns))


def _longest_first(patterns: list[str]) -> list[str]:
    """Named patterns come pre-sorted per prefix; merged chains need sorting again."""
    return sorted(patterns, key=len, reverse=True)


def _add(found: list[Hit], hit: Hit) -> None:
    """Append, unless two regexes of a set found the very same phrase."""
    if not found or found[-1].start != hit.start or found[-1].end != hit.end:
        found.append(hit)


def _start(hit: Hit) -> int:
    return hit.start


def _trie(keys) -> str:
    """A regex matching the longest of `keys` present (keys share their prefixes)."""
    root: dict = {}
    for key in keys:
        node = root
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_node(root)


def _trie_node(node: dict) -> str:
    alts = [re.escape(ch) + _trie_node(child) for ch, child in sorted(node.items()) if ch]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return f"(?:{body})?" if "" in node else body


def _place(name: str, pattern: str, table, wild) -> None:
    keys = prefixes(pattern)
    if keys is None:
        wild[name].append(pattern)
    else:
        for key in keys:
            table[key][name].append(pattern)


def _alt(patterns: list[str]) -> str:
    return "|".join(f"(?:{_atomic_gaps(p)})" for p in patterns)


def _atomic_gaps(pattern: str) -> str:
    """Word gaps written `\\w+\\W+` cannot match differently when backtracked (\\w and \\W
    are complements), so make them possessive: the same matches, far less searching."""
    pattern = _GAP_START.sub(r"\\W++(?:\\w++\\W++)", pattern)
    return _GAP.sub(r"\\w++\\W++", pattern)


def _alternation(patterns: list[str]) -> re.Pattern:
    return re.compile(_alt(patterns))


def _combine(by_set: dict[str, list[str]]) -> tuple[re.Pattern, tuple | None, str]:
    """(regex, ((group index, set name), ...) or None for a single set, the single set)."""
    if len(by_set) == 1:
        (name, patterns), = by_set.items()
        return _alternation(patterns), None, name
    parts = [f"(?:(?=(?P<g{j}>{_alt(patterns)})))?"
             for j, patterns in enumerate(by_set.values())]
    # Each set sits in an optional lookahead, so one match call reports every set matching
    # at this position; the tail fails fast when none did.
    fail = "(?!)"
    for j in reversed(range(len(by_set))):
        fail = f"(?(g{j})|{fail})"
    rx = re.compile("".join(parts) + fail)
    names = list(by_set)
    return rx, tuple((rx.groupindex[f"g{j}"], names[j]) for j in range(len(names))), ""


# -- which letters can a pattern start with? ------------------------------------------

def prefixes(pattern: str) -> set[str] | None:
    """Lower-cased strings (≤ PREFIX letters) one of which every match starts with; None if
    that cannot be told, or a match may start with a non-word character."""
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        raise
    except Exception:  # an internal-parser change must not break loading: just search
        return None
    found = _seq(list(parsed), PREFIX)
    if not found or len(found) > _MAX_PREFIXES:
        return None
    keys = {p for p, _ in found}
    if "" in keys or any(not (k[0].isalnum() or k[0] == "_") for k in keys):
        return None
    return keys


def _seq(items: list, k: int) -> Prefixes | None:
    current: Prefixes = {("", True)}
    for op, av in items:
        if not any(open_ and len(p) < k for p, open_ in current):
            break
        step = _element(op, av, k)
        nxt: Prefixes = set()
        for p, open_ in current:
            if not open_ or len(p) >= k:
                nxt.add((p, open_))
            elif step is None:
                nxt.add((p, False))
            else:
                nxt |= {((p + s)[:k], o and len(p + s) <= k) for s, o in step}
        current = nxt
        if len(current) > _MAX_PREFIXES:
            return None
    return current


def _element(op, av, k: int) -> Prefixes | None:
    if op is C.LITERAL:
        return {(chr(av).lower(), True)}
    if op is C.IN:
        return _charset(av)
    if op is C.SUBPATTERN:
        return _seq(list(av[-1]), k)
    if op is C.BRANCH:
        out: Prefixes = set()
        for branch in av[1]:
            sub = _seq(list(branch), k)
            if sub is None:
                return None
            out |= sub
        return out
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        return _repeat(av, k)
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return {("", True)}
    return None


def _repeat(av, k: int) -> Prefixes | None:
    low, high, item = av
    sub = _seq(list(item), k)
    if sub is None:
        return None if low else {("", False)}
    if low == 0:
        return {(p, False) for p, _ in sub} | {("", True)}
    return sub if (low, high) == (1, 1) else {(p, False) for p, _ in sub}


def _charset(items) -> Prefixes | None:
    chars: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            chars.add(chr(av).lower())
        elif op is C.RANGE and av[1] - av[0] < 40:
            chars |= {chr(c).lower() for c in range(av[0], av[1] + 1)}
        else:
            return None
    return {(c, True) for c in chars}
