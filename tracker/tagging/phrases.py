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
from typing import NamedTuple
from re import _constants as C  # noqa: N812 (stable since 3.11; used read-only)
from re import _parser as sre_parse

PREFIX = 5
_MAX_PREFIXES = 400
_WORD_START = re.compile(r"\b\w")
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
                 named: dict[str, list[str]] | None = None) -> None:
        table: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        named_table: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        wild: dict[str, list[str]] = defaultdict(list)
        for name, patterns in sets.items():
            for pattern in patterns:
                _place(name, pattern, table, wild)
        for name, patterns in (named or {}).items():
            for i, pattern in enumerate(patterns):
                _place(name, f"(?P<{name}{i}>{pattern})", named_table, wild)
        # Regexes are compiled on first use: most prefixes never occur in a given run.
        specs: dict[str, list] = defaultdict(list)
        for key, by_set in named_table.items():
            specs[key] += [(name, None, tuple(ps)) for name, ps in by_set.items()]
        for key, by_set in table.items():
            specs[key].append(("", dict(by_set), ()))
        self._specs = dict(specs)
        self._compiled: dict[str, tuple] = {}
        # The trie finds the longest prefix at a word start; the phrases filed under its
        # shorter prefixes may start there too.
        self._chains = {key: tuple(key[:n] for n in range(1, len(key) + 1) if key[:n] in specs)
                        for key in specs}
        self.finder = re.compile(r"\b(?=(" + _trie(specs) + "))")
        self.finder_i = re.compile(self.finder.pattern, re.I)
        self.wild = tuple((name, re.compile(f"(?<!\\w)(?:{_alt(ps)})")) for name, ps in wild.items())

    def scan(self, text: str) -> dict[str, list[Hit]]:
        """Every phrase match, grouped by set name, in text order within each set."""
        hits: dict[str, list[Hit]] = defaultdict(list)
        lower = text.lower()
        starts = (self.finder.finditer(lower) if len(lower) == len(text)
                  else self.finder_i.finditer(text))  # rare letters change length when lowered
        for found in starts:
            pos = found.start()
            for rx, groups, name in self._entries(found.group(1).lower()):
                if not (m := rx.match(text, pos)):
                    continue
                if groups is None:  # one set: a plain alternation
                    hits[name].append(Hit(name, pos, m.end(), m.group(0), m.lastgroup))
                    continue
                for group, g in m.groupdict().items():
                    if g is not None:
                        hits[groups[group]].append(Hit(groups[group], pos, pos + len(g), g))
        for name, rx in self.wild:
            for m in rx.finditer(text):
                hits[name].append(Hit(name, m.start(), m.end(), m.group(0), m.lastgroup))
        for found_hits in hits.values():
            found_hits.sort(key=lambda h: h.start)
        return hits

    def _entries(self, key: str) -> tuple:
        """The compiled regexes for the phrases that may start where `key` does: the
        phrases filed under `key` and under each shorter prefix, merged into one regex
        (plus one per named set)."""
        entries = self._compiled.get(key)
        if entries is None:
            named: dict[str, list[str]] = defaultdict(list)
            by_set: dict[str, list[str]] = defaultdict(list)
            for prefix in self._chains[key]:
                for name, sets, patterns in self._specs[prefix]:
                    if sets is None:
                        named[name] += patterns
                    else:
                        for set_name, ps in sets.items():
                            by_set[set_name] += ps
            entries = tuple([(_alternation(_longest_first(ps)), None, n) for n, ps in named.items()]
                            + ([_combine(dict(by_set))] if by_set else []))
            self._compiled[key] = entries
        return entries


def _longest_first(patterns: list[str]) -> list[str]:
    """Named patterns come pre-sorted per prefix; merged chains need sorting again."""
    return sorted(patterns, key=len, reverse=True)


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
    return pattern.replace(r"\w+\W+", r"\w++\W++").replace(r"\W+(?:", r"\W++(?:")


def _alternation(patterns: list[str]) -> re.Pattern:
    return re.compile(_alt(patterns))


def _combine(by_set: dict[str, list[str]]) -> tuple[re.Pattern, dict | None, str]:
    """(regex, group → set name or None for a single set, the single set's name)."""
    if len(by_set) == 1:
        (name, patterns), = by_set.items()
        return _alternation(patterns), None, name
    parts, groups = [], {}
    for j, (name, patterns) in enumerate(by_set.items()):
        parts.append(f"(?:(?=(?P<g{j}>{_alt(patterns)})))?")
        groups[f"g{j}"] = name
    # Each set sits in an optional lookahead, so one match call reports every set matching
    # at this position; the tail fails fast when none did.
    fail = "(?!)"
    for j in reversed(range(len(by_set))):
        fail = f"(?(g{j})|{fail})"
    return re.compile("".join(parts) + fail), groups, ""


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
