"""What a regex's matches must contain, read from its parsed form (for PhraseIndex).

`prefixes`: the lower-cased strings (≤ PREFIX letters) one of which every match starts
with; `openings_of`: the same further on (≤ OPENING letters), with END where a match needs
a character that is no word character, or the text's end (`(?!\\w)`). `anchors_of`:
further words every match contains, each anchor a set of alternatives, written as the
text from a word start on (≤ ANCHOR_PREFIX letters: "accounts", "rival to "). A matcher
may skip a phrase in a text where no alternative of one of its anchors starts a word: the
phrase cannot match there. `required_text`: the same for text anywhere in a match, not
only from word starts.

All are necessary conditions, worked out conservatively: whatever the analysis cannot
follow (character classes, back-references, non-ASCII letters) counts as "anything".
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from re import _constants as C  # type: ignore[attr-defined]  # noqa: N812 (stable since 3.11)
from re import _parser as sre_parse  # type: ignore[attr-defined]

PREFIX = 5
ANCHOR_PREFIX = 10  # anchors are read further: "rival to", "competit"
OPENING = ANCHOR_PREFIX  # as far as the keys a scan finds (prefixes and anchors) go
END = "\x00"  # in an opening: no word character here (or the text ends)
_MAX_PREFIXES = 400
_MAX_RUNS = 64  # literal alternatives tracked at once ("(?:a|an|the) (?:suit|case)")
MIN_ANCHOR = 3  # anchors shorter than this ("to", "of") rule nothing out
Prefixes = set[tuple[str, bool]]  # (prefix, can still be extended)
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT))
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)
_ASCII = C.SRE_FLAG_ASCII
_ASCII_FLAG = re.compile(r"\(\?[a-zA-Z-]*a")  # (?a), (?ai:...): a pattern reading \w as ASCII
_FUNCTION_WORDS = frozenset({  # too common to rule a text out
    "a", "an", "the", "of", "to", "in", "on", "for", "by", "with", "and", "or", "as", "at",
    "its", "their", "his", "her", "is", "was", "are", "were", "be", "has", "have", "had",
    "that", "this", "from", "it", "not", "no", "into", "over", "after", "than", "who", "which",
    "can", "will", "said", "says",
})


def analysis_version() -> str | None:
    """Changes whenever this module does: stored analyses are kept under it (None: the
    source cannot be read, so analyses must not be stored)."""
    try:
        return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    except OSError:
        return None


def analyse(pattern: str, anchors: int = 2) -> list:
    """[sorted prefixes or None, [sorted words of each anchor], sorted openings or None]:
    `prefixes`, `anchors_of` and `openings_of` in a JSON-able form (None, [], None: the
    pattern defeats the analysis)."""
    parsed = parse(pattern)
    if parsed is None:
        return [None, [], None]
    keys = prefixes_of(parsed)
    if keys is None:
        return [None, [], None]
    found = anchors_of(parsed, anchors)
    starts = openings_of(parsed, ends=not _ASCII_FLAG.search(pattern))
    return [sorted(keys), [sorted(a) for a in found], None if starts is None else sorted(starts)]


def parse(pattern: str):
    """The parsed pattern, or None if the parser itself fails in an unexpected way."""
    try:
        return sre_parse.parse(pattern)
    except sre_parse.error:
        raise
    except Exception:  # an internal-parser change must not break loading: just search
        return None


def prefixes(pattern: str) -> set[str] | None:
    """Lower-cased strings (≤ PREFIX letters) one of which every match starts with; None if
    that cannot be told, or a match may start with a non-word character."""
    parsed = parse(pattern)
    return None if parsed is None else prefixes_of(parsed)


def prefixes_of(parsed) -> set[str] | None:
    found = _seq(list(parsed), PREFIX)
    if not found or len(found) > _MAX_PREFIXES:
        return None
    keys = {p for p, _ in found}
    if "" in keys or any(not (k[0].isalnum() or k[0] == "_") for k in keys):
        return None
    return keys


def openings_of(parsed, ends: bool = True) -> set[str] | None:
    """Lower-cased strings (≤ OPENING characters) one of which every match starts with,
    with END for `(?!\\w)` where `ends` (not where \\w may be ASCII only: it is then not
    the scan's \\w). None when that cannot be told."""
    found = _seq(list(parsed), OPENING, ends=ends and not parsed.state.flags & _ASCII)
    if not found or len(found) > _MAX_PREFIXES:
        return None
    return {p for p, _ in found}


def _seq(items: list, k: int, ends: bool = False) -> Prefixes | None:
    current: Prefixes = {("", True)}
    for op, av in items:
        if not any(open_ and len(p) < k for p, open_ in current):
            break
        step = _element(op, av, k, ends)
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


def _element(op, av, k: int, ends: bool = False) -> Prefixes | None:
    """`ends`: read `(?!\\w)` as END, and close the string there."""
    if op is C.LITERAL:
        return None if chr(av) == END else {(chr(av).lower(), True)}
    if op is C.IN:
        return _charset(av)
    if op is C.SUBPATTERN:
        return _seq(list(av[-1]), k, ends)
    if op is C.BRANCH:
        out: Prefixes = set()
        for branch in av[1]:
            sub = _seq(list(branch), k, ends)
            if sub is None:
                return None
            out |= sub
        return out
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        return _repeat(av, k, ends)
    if ends and op is C.ASSERT_NOT and _word_ahead(av):
        return {(END, False)}
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return {("", True)}
    return None


def _word_ahead(av) -> bool:
    """The look-ahead is `\\w`: as `(?!\\w)`, it says no word character follows."""
    direction, body = av
    body = list(body)
    return direction == 1 and len(body) == 1 and body[0][0] is C.IN and list(body[0][1]) == [
        (C.CATEGORY, C.CATEGORY_WORD)]


def _repeat(av, k: int, ends: bool = False) -> Prefixes | None:
    low, high, item = av
    sub = _seq(list(item), k, ends)
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


# -- anchors: words every match contains ---------------------------------------------

def anchors_of(parsed, limit: int = 2) -> tuple[frozenset[str], ...]:
    """Up to `limit` anchors (sets of word starts, one of which every match contains),
    rarest first, leaving out the phrase's first word (its prefix already requires it).

    Only words that begin where the text has a word start count: after a space or other
    non-word character the pattern requires, or after `\\b`, so that the word starts can
    be found by the same scan that finds where phrases begin.
    """
    if parsed.state.flags & _ASCII:
        return ()
    items = _unwrap(list(parsed))
    found: list[frozenset[str]] = []
    _Anchors(found).sequence(items, aligned=True, skip_first=True)
    usable = {c for c in found if min(map(_word_weight, c)) >= MIN_ANCHOR}
    return tuple(sorted(usable, key=_rarity)[:limit])


def required_text(pattern: str, flags: int = 0) -> list[str] | None:
    """Lower-cased strings one of which every match of `pattern` contains (anywhere, not
    only at word starts), or None when the analysis finds none. Sorted."""
    try:
        parsed = sre_parse.parse(pattern, flags)
    except Exception:  # a pattern (or parser) the analysis cannot read: no hint
        return None
    if parsed.state.flags & _ASCII:
        return None
    found: list[frozenset[str]] = []
    _Anchors(found, anywhere=True).sequence(list(parsed), aligned=True)
    usable = [c for c in found if c and min(map(len, c)) >= MIN_ANCHOR]
    return sorted(min(usable, key=_rarity)) if usable else None  # type: ignore[arg-type]


def _rarity(clause: frozenset[str]) -> tuple:
    # The rarest anchor requires the rarest words; fewer alternatives are rarer.
    return (-min(map(_word_weight, clause)), len(clause), sorted(clause))


def _word_rarity(word: str) -> tuple:
    return (-_word_weight(word), word)


def _word_weight(word: str) -> int:
    """How much a word start says: its letters, not counting a leading function word."""
    head, _, rest = word.partition(" ")
    return sum(map(_word_char, rest if head in _FUNCTION_WORDS else word))


def _unwrap(items: list) -> list:
    """The body of `(?i:...)(?!\\w)` or `(?P<a1>...)`: the phrase as written."""
    while items and items[0][0] is C.SUBPATTERN and not items[0][1][1] & _ASCII and all(
            op in (C.AT, C.ASSERT, C.ASSERT_NOT) for op, _ in items[1:]):
        items = list(items[0][1][-1])
    return items


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class _Anchors:
    """Walks a parsed pattern, collecting anchors in `found`.

    `aligned` means: the next character the pattern consumes, if it is a word character,
    starts a word (what came before is a non-word character, or `\\b`).
    """

    def __init__(self, found: list[frozenset[str]], anywhere: bool = False) -> None:
        self.found = found
        self.anywhere = anywhere  # any substring will do, word start or not

    def sequence(self, items: list, aligned: bool, skip_first: bool = False) -> bool:
        """Collect the anchors of a sequence; return whether its end is aligned."""
        runs: set[str] | None = None  # the literal text read since the last non-literal
        run_aligned, first = aligned, skip_first
        for op, av in items:
            if op in _ZERO_WIDTH:  # joins the literal text on either side
                if runs is None:
                    aligned = aligned or _assertion_aligns(op, av)
                continue
            lit = _literals([(op, av)])
            if lit is not None:
                if runs is None:
                    runs, run_aligned = {""}, aligned
                joined = {r + s for r in runs for s in lit}
                if len(joined) > _MAX_RUNS:  # keep what was read; start a new run
                    aligned = self._flush(runs, run_aligned, first)
                    runs, run_aligned, first = set(lit), aligned, False
                else:
                    runs = joined
                continue
            if runs is not None:
                aligned = self._flush(runs, run_aligned, first)
                runs, first = None, False
            aligned = self._element(op, av, aligned, first)
            first = False
        if runs is not None:
            aligned = self._flush(runs, run_aligned, first)
        return aligned

    def _flush(self, runs: set[str], run_aligned: bool, first: bool) -> bool:
        """Record the words of a literal run as anchors; return the alignment after it."""
        self.found += _run_anchors(runs, run_aligned or self.anywhere, first)
        return all(not _word_char(r[-1]) if r else run_aligned for r in runs)

    def _element(self, op, av, aligned: bool, first: bool) -> bool:
        if op is C.SUBPATTERN:
            if av[1] & _ASCII:  # (?a:...): \\W may match letters the scan calls word
                return False
            return self.sequence(list(av[-1]), aligned, first)
        if op is C.BRANCH:
            return self._branch(av[1], aligned, first)
        if op in _REPEATS:
            low, _, item = av
            item = list(item)
            after = _Anchors([], self.anywhere).sequence(item, aligned)
            again = _Anchors([], self.anywhere).sequence(item, after)
            if low >= 1:
                self.sequence(item, aligned, first)
            return after and again and (aligned or low >= 1)
        if op is C.IN:
            return _non_word_set(av)
        return False  # ANY, NOT_LITERAL, back-references, conditionals: anything

    def _branch(self, branches, aligned: bool, first: bool) -> bool:
        """One anchor for the alternation: the best anchor of each branch, joined."""
        best: list[frozenset[str]] = []
        ends = []
        for branch in branches:
            found: list[frozenset[str]] = []
            ends.append(_Anchors(found, self.anywhere).sequence(list(branch), aligned))
            best.append(min(found, key=_rarity) if found else frozenset())
        if not first and all(best):
            self.found.append(frozenset().union(*best))
        return all(ends)


def _run_anchors(runs: set[str], aligned: bool, first: bool) -> list[frozenset[str]]:
    """Anchors from the words of a literal run: each word of a single text ("terms of
    service": "terms", "of se", "servi"), or, for alternatives, the rarest word of each
    joined. The first word of the pattern is its prefix: left out."""
    per_text = [_word_starts(r, aligned, first) for r in runs]
    if len(per_text) == 1:
        return [frozenset([w]) for w in per_text[0]]
    if not all(per_text):
        return []
    return [frozenset(min(words, key=_word_rarity) for words in per_text)]


def _word_starts(text: str, aligned: bool, first: bool) -> list[str]:
    """The first letters (≤ ANCHOR_PREFIX) from each word start of `text` a scan can see;
    the pattern's first word only where it says more than its prefix."""
    out = []
    for i, ch in enumerate(text):
        if not _word_char(ch) or (i and _word_char(text[i - 1])) or (i == 0 and not aligned):
            continue
        word = text[i:i + ANCHOR_PREFIX]
        if i or not first or len(word) > PREFIX:
            out.append(word)
    return out


def _literals(items: list) -> set[str] | None:
    """The strings a purely literal piece matches (lower-cased), or None."""
    out = {""}
    for op, av in items:
        if op is C.LITERAL:
            ch = chr(av)
            if not ch.isascii():
                return None
            out = {s + ch.lower() for s in out}
        elif op is C.SUBPATTERN:
            sub = _literals(list(av[-1]))
            if sub is None:
                return None
            out = {s + t for s in out for t in sub}
        elif op is C.BRANCH:
            alts: set[str] = set()
            for branch in av[1]:
                sub = _literals(list(branch))
                if sub is None:
                    return None
                alts |= sub
            out = {s + t for s in out for t in alts}
        elif op is C.IN:
            chars = _charset_literals(av)
            if chars is None:
                return None
            out = {s + c for s in out for c in chars}
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[:2] == (0, 1):
            sub = _literals(list(av[2]))
            if sub is None:
                return None
            out = {s + t for s in out for t in sub | {""}}
        elif op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue  # zero-width: the literal text on either side stays joined
        else:
            return None
        if len(out) > _MAX_RUNS:
            return None
    return out


def _charset_literals(items) -> set[str] | None:
    chars = set()
    for op, av in items:
        if op is not C.LITERAL or not chr(av).isascii():
            return None
        chars.add(chr(av).lower())
    return chars


def _non_word_set(items) -> bool:
    """A character class of non-word characters only (`\\W`, `\\s`, `[ ,;-]`)."""
    for op, av in items:
        if op is C.CATEGORY and av in (C.CATEGORY_NOT_WORD, C.CATEGORY_SPACE):
            continue
        if op is C.LITERAL and not _word_char(chr(av)):
            continue
        return False
    return bool(items)


def _assertion_aligns(op, av) -> bool:
    """`\\b`, `(?<!\\w)` and look-behinds ending in a non-word character (`(?<='s )`)
    put the next word character at a word start."""
    if op is C.AT:
        return av is C.AT_BOUNDARY
    direction, body = av
    if direction != -1:
        return False
    body = list(body)
    if op is C.ASSERT_NOT:
        return len(body) == 1 and body[0][0] is C.IN and list(body[0][1]) == [
            (C.CATEGORY, C.CATEGORY_WORD)]
    return _Anchors([]).sequence(body, False)
