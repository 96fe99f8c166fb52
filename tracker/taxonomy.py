"""The editable taxonomy (data/taxonomy/*.toml) → one immutable value with compiled regexes.

Analysts edit the TOML files; `load_taxonomy` reads them once, checks them and compiles
every pattern, so a typo fails loudly with the file and the key, never silently. The
format is described in data/taxonomy/README.md.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from tracker.errors import ConfigError
from tracker.models import ACTIONS, VIOLATIONS

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "taxonomy"
FILES = ("companies.toml", "mentions.toml", "violations.toml", "cues.toml", "actions.toml",
         "grouping.toml")
_COMPANY_KEYS = {"name", "listed", "aliases", "cased", "ambiguous", "patterns", "context",
                 "lookalikes", "media", "needs_cue"}
# Alias boundaries: not inside a word; a hyphen on the left is fine ("ex-Google").
_LEFT, _RIGHT = r"(?<![\w@/.])", r"(?![\w])"


class TaxonomyError(ConfigError):
    """A taxonomy file is missing or invalid (one plain line: file, key, reason)."""


@dataclass(frozen=True)
class Company:
    name: str
    listed: bool = False
    media: bool = False
    needs_cue: bool = False
    context: re.Pattern | None = None


@dataclass(frozen=True)
class ContextRule:
    """Regexes tested on the words just before / just after a mention."""

    before: re.Pattern | None = None
    after: re.Pattern | None = None
    pairs: tuple[tuple[re.Pattern, re.Pattern], ...] = ()

    def matches(self, left: str, right: str) -> str | None:
        """The matched cue text, or None."""
        if self.before and (m := self.before.search(left)):
            return m.group(0).strip()
        if self.after and (m := self.after.match(right)):
            return m.group(0).strip()
        for before, after in self.pairs:
            if (b := before.search(left)) and after.match(right):
                return b.group(0).strip()
        return None


@dataclass(frozen=True)
class TypeRules:
    id: str
    strong: re.Pattern
    topic: re.Pattern | None


@dataclass(frozen=True)
class ActionRules:
    id: str
    strong: re.Pattern | None
    weak: re.Pattern | None


@dataclass(frozen=True)
class Grouping:
    """Tuning of incident grouping (grouping.toml)."""

    threshold: float
    weights: Mapping[str, float]
    max_candidates: int
    recent_days: int
    stopwords: frozenset[str]
    places: Mapping[str, re.Pattern]
    authorities: Mapping[str, re.Pattern]


@dataclass(frozen=True)
class Taxonomy:
    """Everything the tagger and grouper need, parsed once and never mutated."""

    companies: Mapping[str, Company]
    alias_re: re.Pattern
    alias_owner: tuple[tuple[str, bool], ...]  # group index → (company, ambiguous)
    lookalike_re: re.Pattern | None
    ambiguous_context: re.Pattern
    determiner_re: re.Pattern
    nonparty: Mapping[str, ContextRule]
    outlet: ContextRule
    party_cue: ContextRule
    roles: tuple[tuple[str, ContextRule], ...]
    types: tuple[TypeRules, ...]
    triggers: re.Pattern
    negation: re.Pattern
    not_negation: re.Pattern
    hedge: re.Pattern
    background: re.Pattern
    actions: tuple[ActionRules, ...]
    action_priority: tuple[str, ...]
    default_action: str
    grouping: Grouping
    alias_words: frozenset[str] = field(default=frozenset())

    @property
    def listed(self) -> frozenset[str]:
        return frozenset(n for n, c in self.companies.items() if c.listed)


def load_taxonomy(directory: Path = DEFAULT_DIR) -> Taxonomy:
    """Read and compile data/taxonomy/*.toml; TaxonomyError names the file and key at fault."""
    directory = Path(directory)
    data = {name: _read_toml(directory / name) for name in FILES}
    companies, alias_re, owners, lookalikes, words = _compile_companies(data["companies.toml"])
    mentions, cues = data["mentions.toml"], data["cues.toml"]
    where = "mentions.toml"
    amb = mentions.get("ambiguous", {})
    action_data = data["actions.toml"]
    return Taxonomy(
        companies=MappingProxyType(companies), alias_re=alias_re, alias_owner=owners,
        lookalike_re=lookalikes,
        ambiguous_context=_compile(amb.get("context", r"(?!)"), f"{where} [ambiguous] context"),
        determiner_re=_compile(amb.get("determiners", r"(?!)"), f"{where} [ambiguous] determiners"),
        nonparty=MappingProxyType({k: _context_rule(v, f"{where} [nonparty.{k}]")
                                   for k, v in mentions.get("nonparty", {}).items()
                                   if k != "outlet"}),
        outlet=_context_rule(mentions.get("nonparty", {}).get("outlet", {}),
                             f"{where} [nonparty.outlet]"),
        party_cue=_context_rule(mentions.get("party_cue", {}), f"{where} [party_cue]"),
        roles=tuple((k, _context_rule(mentions.get("roles", {}).get(k, {}), f"{where} [roles.{k}]"))
                    for k in ("accuser", "accused", "affected")),
        types=_compile_types(data["violations.toml"]),
        triggers=_alternation(cues.get("triggers", []), "cues.toml triggers"),
        negation=_alternation(cues.get("negations", []), "cues.toml negations",
                              suffix=r"(?:\W+\w+){0,3}?\W*$"),
        not_negation=_alternation(cues.get("not_negations", []), "cues.toml not_negations"),
        hedge=_alternation(cues.get("hedges", []), "cues.toml hedges", suffix=r"\W*$",
                           bounded=False),
        background=_alternation(cues.get("backgrounds", []), "cues.toml backgrounds"),
        actions=_compile_actions(action_data),
        action_priority=tuple(action_data.get("priority", ACTIONS)),
        default_action=str(action_data.get("default", "report")),
        grouping=_compile_grouping(data["grouping.toml"]),
        alias_words=words,
    )


# -- reading -------------------------------------------------------------------------

def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise TaxonomyError(f"taxonomy file missing: {path}") from None
    except tomllib.TOMLDecodeError as e:
        raise TaxonomyError(f"{path.name}: not valid TOML: {e}") from e
    except OSError as e:
        raise TaxonomyError(f"cannot read {path}: {e.strerror}") from e


def _compile(pattern: str, where: str, flags: int = 0) -> re.Pattern:
    if not isinstance(pattern, str):
        raise TaxonomyError(f"{where}: expected a string, got {type(pattern).__name__}")
    try:
        return re.compile(pattern, flags)
    except re.error as e:
        raise TaxonomyError(f"{where}: bad regular expression {pattern!r}: {e}") from e


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TaxonomyError(f"{where}: expected a list of strings")
    return value


def _check(where: str, patterns: list[str]) -> None:
    for p in patterns:
        _compile(p, where, re.I)


def _alternation(patterns: list[str], where: str, *, suffix: str = "",
                 bounded: bool = True, flags: int = re.I) -> re.Pattern:
    """One regex matching any of `patterns` as whole words (or nothing when empty)."""
    patterns = _strings(patterns, where)
    _check(where, patterns)
    if not patterns:
        return re.compile(r"(?!)")
    body = "|".join(f"(?:{p})" for p in patterns)
    core = f"(?<!\\w)(?:{body})(?!\\w)" if bounded else f"(?:{body})"
    return _compile(core + suffix, where, flags)


# -- companies -----------------------------------------------------------------------

def _compile_companies(data: dict) -> tuple[dict[str, Company], re.Pattern, tuple,
                                              re.Pattern | None, frozenset[str]]:
    entries = data.get("company")
    if not isinstance(entries, list) or not entries:
        raise TaxonomyError("companies.toml: no [[company]] entries")
    companies: dict[str, Company] = {}
    branches: list[tuple[int, str, str, bool]] = []  # (sort key, regex, company, ambiguous)
    lookalikes: list[str] = []
    words: set[str] = set()
    for n, entry in enumerate(entries, 1):
        company = _company(entry, n)
        if company.name in companies:
            raise TaxonomyError(f"companies.toml: company {company.name!r} defined twice")
        companies[company.name] = company
        where = f"companies.toml [{company.name}]"
        branches += _alias_branches(entry, company.name, where)
        lookalikes += _strings(entry.get("lookalikes", []), f"{where} lookalikes")
        for alias in entry.get("aliases", []) + entry.get("cased", []):
            words |= {w.lower() for w in re.findall(r"[A-Za-z][\w.]+", alias)}
    branches.sort(key=lambda b: -b[0])  # longest first: "Google DeepMind" before "Google"
    owners = tuple((company, ambiguous) for _, _, company, ambiguous in branches)
    body = "|".join(f"(?P<a{i}>{regex})" for i, (_, regex, _, _) in enumerate(branches))
    alias_re = _compile(f"{_LEFT}(?:{body}){_RIGHT}", "companies.toml aliases")
    _check("companies.toml lookalikes", lookalikes)
    look_re = (_compile("|".join(f"(?:{p})" for p in lookalikes), "companies.toml lookalikes",
                        re.I) if lookalikes else None)
    return companies, alias_re, owners, look_re, frozenset(words)


def _company(entry: Any, n: int) -> Company:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise TaxonomyError(f"companies.toml: entry {n} has no name")
    unknown = set(entry) - _COMPANY_KEYS
    if unknown:
        raise TaxonomyError(f"companies.toml [{entry['name']}]: unknown key "
                            f"{sorted(unknown)[0]!r}")
    where = f"companies.toml [{entry['name']}]"
    context = entry.get("context")
    return Company(name=entry["name"], listed=bool(entry.get("listed", False)),
                   media=bool(entry.get("media", False)),
                   needs_cue=bool(entry.get("needs_cue", False)),
                   context=_compile(context, f"{where} context") if context else None)


def _alias_branches(entry: dict, name: str, where: str) -> list[tuple[int, str, str, bool]]:
    ambiguous = set(_strings(entry.get("ambiguous", []), f"{where} ambiguous"))
    out = []
    for alias in _strings(entry.get("aliases", []), f"{where} aliases"):
        out.append((len(alias), f"(?i:{re.escape(alias)})", name, alias in ambiguous))
    for alias in _strings(entry.get("cased", []), f"{where} cased"):
        out.append((len(alias), re.escape(alias), name, alias in ambiguous))
    cased = set(entry.get("cased", []))
    for alias in ambiguous - cased - set(entry.get("aliases", [])):
        out.append((len(alias), re.escape(alias), name, True))
    for pattern in _strings(entry.get("patterns", []), f"{where} patterns"):
        _compile(pattern, f"{where} patterns")
        out.append((len(pattern) // 2, pattern, name, False))
    return out


# -- context rules, violations, actions, grouping -------------------------------------

def _context_rule(data: dict, where: str) -> ContextRule:
    before = _strings(data.get("before", []), f"{where} before")
    after = _strings(data.get("after", []), f"{where} after")
    pairs = data.get("pairs", [])
    if not isinstance(pairs, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)
            for p in pairs):
        raise TaxonomyError(f"{where} pairs: expected a list of [before, after] strings")
    return ContextRule(
        before=_anchored_end(before, f"{where} before") if before else None,
        after=_anchored_start(after, f"{where} after") if after else None,
        pairs=tuple((_anchored_end([b], f"{where} pairs"), _anchored_start([a], f"{where} pairs"))
                    for b, a in pairs))


def _anchored_end(patterns: list[str], where: str) -> re.Pattern:
    body = "|".join(f"(?:{p})" for p in patterns)
    return _compile(f"(?<![\\w-])(?:{body})$", where, re.I)


def _anchored_start(patterns: list[str], where: str) -> re.Pattern:
    return _compile("(?:" + "|".join(f"(?:{p})" for p in patterns) + ")", where, re.I)


def _compile_types(data: dict) -> tuple[TypeRules, ...]:
    types = data.get("types", {})
    unknown = set(types) - set(VIOLATIONS)
    if unknown:
        raise TaxonomyError(f"violations.toml: unknown violation type {sorted(unknown)[0]!r} "
                            f"(taxonomy.md fixes the ids)")
    out = []
    for vid in VIOLATIONS:
        rules = types.get(vid, {})
        where = f"violations.toml [types.{vid}]"
        topic = _strings(rules.get("topic", []), f"{where} topic")
        out.append(TypeRules(
            id=vid, strong=_alternation(rules.get("strong", []), f"{where} strong"),
            topic=_alternation(topic, f"{where} topic") if topic else None))
    return tuple(out)


def _compile_actions(data: dict) -> tuple[ActionRules, ...]:
    actions = data.get("actions", {})
    unknown = set(actions) - set(ACTIONS)
    if unknown:
        raise TaxonomyError(f"actions.toml: unknown action {sorted(unknown)[0]!r}")
    priority = data.get("priority", list(ACTIONS))
    if sorted(_strings(priority, "actions.toml priority")) != sorted(ACTIONS):
        raise TaxonomyError("actions.toml priority: must list every action exactly once")
    out = []
    for aid in priority:
        rules = actions.get(aid, {})
        where = f"actions.toml [actions.{aid}]"
        strong, weak = rules.get("strong", []), rules.get("weak", [])
        out.append(ActionRules(
            id=aid, strong=_alternation(strong, f"{where} strong") if strong else None,
            weak=_alternation(weak, f"{where} weak") if weak else None))
    return tuple(out)


def _compile_grouping(data: dict) -> Grouping:
    where = "grouping.toml"
    weights = data.get("weights", {})
    if not all(isinstance(v, (int, float)) for v in weights.values()):
        raise TaxonomyError(f"{where} [weights]: every weight must be a number")
    places = {k: _alternation(_strings(v, f"{where} [places] {k}"), f"{where} [places] {k}",
                              flags=0)
              for k, v in data.get("places", {}).items()}
    authorities = {k: _alternation(_strings(v, f"{where} [authorities] {k}"),
                                   f"{where} [authorities] {k}", flags=0)
                   for k, v in data.get("authorities", {}).items()}
    try:
        return Grouping(
            threshold=float(data.get("threshold", 0.5)), weights=MappingProxyType(dict(weights)),
            max_candidates=int(data.get("max_candidates", 200)),
            recent_days=int(data.get("recent_days", 45)),
            stopwords=frozenset(w.lower() for w in _strings(data.get("stopwords", []),
                                                            f"{where} stopwords")),
            places=MappingProxyType(places), authorities=MappingProxyType(authorities))
    except (TypeError, ValueError) as e:
        raise TaxonomyError(f"{where}: {e}") from e
