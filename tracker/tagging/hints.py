"""Regexes derived from the taxonomy's own patterns that only make tagging faster.

Built when the taxonomy loads; where one cannot be built, the tagger does without it and
gets the same labels the slower way.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from tracker.regex_cache import RegexCache
from tracker.tagging import phrase_plans
from tracker.tagging.literals import analysis_version, required_text
from tracker.tagging.phrase_plans import for_lowered_text

Runs = tuple[tuple[re.Pattern, bool], ...]  # (regex, run on the lower-cased text)


def roles_after(roles: Mapping, order: Sequence[str], cache: RegexCache) -> re.Pattern | None:
    """Every role's "after" cues (mentions.toml [roles]) in one regex, tried in `order`,
    a group "_role<i>" per role: one match instead of one per role."""
    branches = [f"(?P<_role{i}>{'|'.join(f'(?:{p})' for p in roles[kind]['after'])})"
                for i, kind in enumerate(order)
                if isinstance(roles.get(kind), dict) and roles[kind].get("after")]
    if not branches:
        return None
    try:
        return cache.compile("|".join(branches), re.I)
    except re.error:  # e.g. a group name used twice: the rules one by one will do
        return None


def lookalike_hints(lookalikes: Mapping[str, re.Pattern], cache: RegexCache
                    ) -> dict[str, re.Pattern]:
    """Company → regex for the lower-cased text (no IGNORECASE: fast) that finds some text
    every look-alike of the company contains. Where it finds nothing near a name, there is
    no look-alike there. Companies whose look-alikes defeat the analysis get none."""
    version = analysis_version()
    hints = {}
    for company, rx in lookalikes.items():
        def words(rx: re.Pattern = rx) -> list[str] | None:
            return required_text(rx.pattern, rx.flags)
        found = (cache.fact(f"required-text-{version}", f"{rx.flags}:{rx.pattern}", words)
                 if version and cache.persistent else words())
        if found:
            hints[company] = cache.compile("|".join(re.escape(w) for w in found))
    return hints


def lowered_text(pattern: str, flags: int, cache: RegexCache) -> str | None:
    """phrase_plans.for_lowered_text, kept in a persistent cache between runs (parsing long
    alternations twice costs a good part of a second at every load)."""
    version = _lowering_version()
    if version is None or not cache.persistent:
        return for_lowered_text(pattern, flags)
    return cache.fact(f"lowered-{version}", f"{int(flags)}:{pattern}",
                      lambda: for_lowered_text(pattern, flags))


@lru_cache(maxsize=1)  # read once per process: the source does not change while it runs
def _lowering_version() -> str | None:
    """Changes whenever phrase_plans (where the rewriting lives) does; None: unreadable."""
    try:
        return hashlib.sha256(Path(phrase_plans.__file__).read_bytes()).hexdigest()[:16]
    except OSError:
        return None


def lowered_runs(branches: Sequence[str], flags: int, cache: RegexCache) -> Runs:
    """The alternation of `branches` ("|".join, matched at a position) as runs of
    consecutive branches, each one regex: for the lower-cased text (no IGNORECASE, see
    phrase_plans.for_lowered_text) where every branch of the run has such a twin, else as
    written. Tried in order, the first run that matches finds what the alternation finds
    (its first branch that matches) and no run needs IGNORECASE where it can do without.
    Empty when nothing would run on the lower-cased text, or the runs cannot be compiled."""
    runs: list[tuple[list[str], bool]] = []
    for branch in branches:
        low = lowered_text(branch, flags, cache)
        on_lower = low is not None
        run_text = branch if low is None else low
        if runs and runs[-1][1] == on_lower:
            runs[-1][0].append(run_text)
        else:
            runs.append(([run_text], on_lower))
    if not any(on_lower for _, on_lower in runs):
        return ()
    try:
        return tuple((cache.compile("|".join(run), flags & ~re.I if on_lower else flags),
                      on_lower) for run, on_lower in runs)
    except re.error:  # e.g. a group name in two runs' branches: the alternation will do
        return ()


# -- look-ups for cues around a mention (the rules are taxonomy.ContextRule values) -------

def nonparty_checks(rules: Mapping[str, Any]
                    ) -> dict[str, tuple[tuple[int, str, re.Pattern | None], ...]]:
    """Cue set → (rank, kind, the second half's regex or None) for each check of the
    non-party rules (kind → ContextRule) that a cue of the set before a mention can pass;
    the ranks give the order the rules are tried in (kinds in order, each its "before" set,
    then its pairs), so a mention's cues need only their own checks."""
    out: dict[str, list[tuple[int, str, re.Pattern | None]]] = {}
    rank = 0
    for kind, rule in rules.items():
        checks = [(rule.before, None)] if rule.before else []
        for name, after in [*checks, *rule.pairs]:
            out.setdefault(name, []).append((rank, kind, after))
            rank += 1
    return {name: tuple(found) for name, found in out.items()}


def pair_afters(rules: Mapping[str, Any]) -> dict[str, re.Pattern]:
    """First half of a pair ("np:venue:pair0") → the regex of its second half, for the
    rules given (name → ContextRule). Role rules are left out by the caller: their pairs
    are read by the rule itself (ContextRule.matches)."""
    return {name: after for rule in rules.values() for name, after in rule.pairs}


def after_regexes(rule: Any) -> list[re.Pattern]:
    """A ContextRule's regexes for the text after a mention: its "after" cues and the
    second halves of its pairs."""
    return [rx for rx in (rule.after, *(after for _, after in rule.pairs)) if rx is not None]


def any_of(patterns: Sequence[re.Pattern], cache: RegexCache) -> re.Pattern | None:
    """One regex that matches (at a position) where any of `patterns` does, or None."""
    if not patterns:
        return None
    flags = {rx.flags for rx in patterns}
    if len(flags) > 1 or any(rx.groups for rx in patterns):
        return None  # cannot be joined as written (flags, group numbers): tried one by one
    return cache.compile("|".join(f"(?:{rx.pattern})" for rx in patterns), flags.pop())


def lowered_twins(patterns: Sequence[re.Pattern], cache: RegexCache) -> Twins:
    """Regex → its twin for the lower-cased text (phrase_plans.for_lowered_text), for
    those of `patterns` that have one."""
    twins = {rx: lowered_twin(rx, cache) for rx in patterns}
    return Twins({rx: twin for rx, twin in twins.items() if twin is not None})


def lowered_twin(rx: re.Pattern | None, cache: RegexCache) -> re.Pattern | None:
    """The regex for lower-cased text that matches there what `rx` matches (see
    phrase_plans.for_lowered_text), or None."""
    if rx is None:
        return None
    low = lowered_text(rx.pattern, rx.flags, cache)
    return None if low is None else cache.compile(low, rx.flags & ~re.I)


class Twins(Mapping):
    """Regex → its twin, looked up by identity: a compiled regex hashes its whole program
    on every look-up (tens of microseconds for a long alternation)."""

    def __init__(self, twins: Mapping[re.Pattern, re.Pattern] | None = None) -> None:
        self._by_id = {id(rx): (rx, twin) for rx, twin in (twins or {}).items()}

    def get(self, rx: re.Pattern, default: re.Pattern | None = None  # type: ignore[override]
            ) -> re.Pattern | None:
        found = self._by_id.get(id(rx))
        return found[1] if found is not None and found[0] is rx else default

    def __getitem__(self, rx: re.Pattern) -> re.Pattern:
        found = self.get(rx)
        if found is None:
            raise KeyError(rx)
        return found

    def __iter__(self):
        return (rx for rx, _ in self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)
