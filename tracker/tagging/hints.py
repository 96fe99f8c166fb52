"""Regexes derived from the taxonomy's own patterns that only make tagging faster.

Built when the taxonomy loads; where one cannot be built, the tagger does without it and
gets the same labels the slower way.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from tracker.regex_cache import RegexCache
from tracker.tagging.literals import analysis_version, required_text


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
