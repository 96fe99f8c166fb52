"""The editable taxonomy (data/taxonomy/*.toml) → one immutable value with compiled regexes.

Analysts edit the TOML files; `load_taxonomy` reads them once, checks them and compiles
every pattern, so a typo fails loudly with the file and the key, never silently. The
format is described in data/taxonomy/README.md. Compiled patterns are kept between runs
(tracker.regex_cache), keyed by their text: an edited pattern is compiled and checked
afresh.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tracker.errors import ConfigError
from tracker.models import ACTIONS, VIOLATIONS
from tracker.regex_cache import RegexCache, default_cache_path
from tracker.tagging.hints import (
    after_regexes,
    any_of,
    lookalike_hints,
    lowered_runs,
    lowered_twin,
    lowered_twins,
    nonparty_checks,
    pair_afters,
    roles_after,
)
from tracker.tagging.phrases import PhraseIndex

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "taxonomy"
FILES = ("companies.toml", "mentions.toml", "violations.toml", "cues.toml", "actions.toml",
         "grouping.toml")
# Characters before a company's name searched for the cues that must end where it starts
# ("backed by |"); the index looks for those cues nowhere else.
CUE_REACH = 90
_ROLE_ORDER = ("accuser", "accused", "affected")  # the first whose cue matches wins
_COMPANY_KEYS = {"name", "listed", "aliases", "cased", "ambiguous", "patterns", "context",
                 "lookalikes", "media", "needs_cue", "unlike", "platforms", "ignore"}


class TaxonomyError(ConfigError):
    """A taxonomy file is missing or invalid (one plain line: file, key, reason)."""


@dataclass(frozen=True)
class Company:
    name: str
    listed: bool = False
    media: bool = False
    needs_cue: bool = False
    context: re.Pattern | None = None
    unlike: re.Pattern | None = None
    ignore: frozenset[str] = frozenset()  # non-party kinds that never apply to it


@dataclass(frozen=True)
class ContextRule:
    """Cues just before a mention (a set of `Taxonomy.before`) or just after it (a regex)."""

    before: str | None = None  # set name in Taxonomy.before
    after: re.Pattern | None = None
    pairs: tuple[tuple[str, re.Pattern], ...] = ()

    def matches(self, left: Mapping[str, str], right: str) -> str | None:
        """The matched cue text, or None. `left`: set name → cue found before the mention."""
        found = self.match_side(left, right)
        return found[0] if found else None

    def match_side(self, left: Mapping[str, str], right: str) -> tuple[str, str] | None:
        """(cue text, "before" or "after"), or None."""
        if self.before and self.before in left:
            return left[self.before], "before"
        if self.after and (m := self.after.match(right)):
            return m.group(0).strip(), "after"
        for name, after in self.pairs:
            if name in left and after.match(right):
                return left[name], "before"
        return None


@dataclass(frozen=True)
class Grouping:
    """Tuning of incident grouping (grouping.toml)."""

    weights: Mapping[str, float]
    max_candidates: int
    recent_days: int
    spread_scale: float
    company_prior: Mapping[str, float]
    stopwords: frozenset[str]
    places: Mapping[str, re.Pattern]
    authorities: Mapping[str, re.Pattern]
    where: PhraseIndex  # every place and authority: sets "p_<key>" and "a_<key>"
    concepts: Mapping[str, str] = field(default_factory=dict)  # word stem → concept


@dataclass(frozen=True)
class Taxonomy:
    """Everything the tagger and grouper need, parsed once and never mutated."""

    companies: Mapping[str, Company]
    # Every phrase of the taxonomy in one index, scanned once per item. Sets: "a" (company
    # names; group a<i> → alias_owner[i]); "strong:<type>", "topic:<type>" (violations);
    # "act:<action>", "weak:<action>"; "trigger", "negation", "not_negation", "hedge",
    # "background", "lawmaking", "company_news", "departure" (cues); the names of `before`
    # (candidate cues before a mention).
    index: PhraseIndex
    alias_owner: tuple[tuple[str, bool, bool], ...]  # (company, ambiguous, platform)
    lookalikes: Mapping[str, re.Pattern]  # company → text that is never it
    ambiguous_context: re.Pattern
    determiner_re: re.Pattern
    before: Mapping[str, re.Pattern]  # set → the cue, anchored to end where a mention starts
    nonparty: Mapping[str, ContextRule]
    nonparty_after: re.Pattern  # every kind's "after" cues, a group per kind, in order
    outlet: ContextRule
    party_cue: ContextRule
    roles: tuple[tuple[str, ContextRule], ...]
    action_priority: tuple[str, ...]
    default_action: str
    contains: frozenset[tuple[str, str]]  # (outer type, inner type): the inner does not count
    grouping: Grouping
    alias_words: frozenset[str] = field(default=frozenset())
    # Derived, for speed only: alias group ("a12") → alias_owner[12]; cue set before a
    # mention → the non-party checks it may pass (hints.nonparty_checks); first half of
    # a pair of cues → the regex for its second half, after the mention.
    alias_groups: Mapping[str, tuple[str, bool, bool]] = field(default_factory=dict)
    nonparty_before: Mapping[str, tuple[tuple[int, str, re.Pattern | None], ...]] = field(
        default_factory=dict)
    pair_after: Mapping[str, re.Pattern] = field(default_factory=dict)
    # Cue sets before a mention that are the first half of a pair and have phrases the
    # index must search for (PhraseIndex.wild): the tagger searches them only when the
    # second half follows a name (the search costs more than the rest of the scan).
    paired_wild: frozenset[str] = frozenset()
    paired_wild_after: re.Pattern | None = None  # matches where any of their second halves do
    # Derived, for speed only. Company → a regex on the lower-cased text (no IGNORECASE)
    # that any look-alike contains: where it finds nothing, there is no look-alike.
    lookalike_hints: Mapping[str, re.Pattern] = field(default_factory=dict)
    # Every role's "after" cues in one regex, a group per role ("_role0" for roles[0]); its
    # twin for the lower-cased text (Doc.lower), without IGNORECASE: faster, same matches.
    roles_after: re.Pattern | None = None
    roles_after_lower: re.Pattern | None = None
    # Regexes matched near a mention (nonparty_after, the rules' "after" cues, lookalikes,
    # `before`) → their twins for Doc.lower (same matches, no IGNORECASE: faster), where
    # one exists.
    lowered: Mapping[re.Pattern, re.Pattern] = field(default_factory=dict)
    # nonparty_after as runs of its kinds, most for Doc.lower (hints.lowered_runs); empty:
    # use nonparty_after itself.
    nonparty_after_runs: tuple[tuple[re.Pattern, bool], ...] = ()

    @property
    def listed(self) -> frozenset[str]:
        return frozenset(n for n, c in self.companies.items() if c.listed)


def load_taxonomy(directory: Path = DEFAULT_DIR, *, cache: RegexCache | None = None
                  ) -> Taxonomy:
    """Read and compile data/taxonomy/*.toml; TaxonomyError names the file and key at fault.

    `cache`: compiled patterns kept between runs (default: the user's cache directory).
    """
    directory = Path(directory)
    cache = RegexCache(default_cache_path()) if cache is None else cache
    data = {name: _read_toml(directory / name) for name in FILES}
    taxonomy = _build(data, cache)
    cache.release()
    return taxonomy


def _build(data: dict[str, dict], cache: RegexCache) -> Taxonomy:
    companies, aliases, owners, lookalikes, words = _compile_companies(data["companies.toml"],
                                                                       cache)
    phrases = {**_type_phrases(data["violations.toml"], cache),
               **_cue_phrases(data["cues.toml"], cache),
               **_action_phrases(data["actions.toml"], cache)}
    mentions = data["mentions.toml"]
    where = "mentions.toml"
    amb = mentions.get("ambiguous", {})
    action_data = data["actions.toml"]
    before: dict[str, list[str]] = {}
    nonparty = mentions.get("nonparty", {})
    roles = mentions.get("roles", {})
    rule = partial(_context_rule, cache, before)
    after = roles_after(roles, _ROLE_ORDER, cache)
    # The rules register their "before" cue sets in this order (the index's set order).
    nonparty_rules = {k: rule(f"np:{k}", v, f"{where} [nonparty.{k}]")
                      for k, v in nonparty.items() if k != "outlet"}
    outlet = rule("outlet", nonparty.get("outlet", {}), f"{where} [nonparty.outlet]")
    party_cue = rule("cue", mentions.get("party_cue", {}), f"{where} [party_cue]")
    role_rules = tuple((k, rule(f"role:{k}", roles.get(k, {}), f"{where} [roles.{k}]"))
                       for k in _ROLE_ORDER)
    nonparty_kinds = {k: v for k, v in nonparty.items() if k != "outlet"}
    nonparty_after = _after_by_kind(nonparty_kinds, where, cache)
    context_rules = [*nonparty_rules.values(), outlet, party_cue, *(r for _, r in role_rules)]
    pair_after = pair_afters({**{f"np:{k}": r for k, r in nonparty_rules.items()},
                               "outlet": outlet, "cue": party_cue})
    index = PhraseIndex(
        {**{n: [f"(?i:{p})(?!\\w)" for p in ps] for n, ps in phrases.items()},
         **{n: [f"(?i:{p})" for p in ps] for n, ps in before.items()}},
        named={"a": [f"{p}(?!\\w)" for p in aliases]}, cache=cache,
        lead_in=before, reach=CUE_REACH)
    paired_wild = [name for name, _ in index.wild if name in before and name in pair_after]
    before_cues = {name: cache.compile(f"(?:{'|'.join(f'(?:{p})' for p in ps)})\\s*$", re.I)
                   for name, ps in before.items()}
    return Taxonomy(
        companies=MappingProxyType(companies), alias_owner=owners,
        alias_groups=MappingProxyType({f"a{i}": owner for i, owner in enumerate(owners)}),
        lookalikes=MappingProxyType(lookalikes),
        ambiguous_context=_compile(amb.get("context", r"(?!)"), f"{where} [ambiguous] context",
                                   cache=cache),
        determiner_re=_compile(amb.get("determiners", r"(?!)"),
                               f"{where} [ambiguous] determiners", cache=cache),
        nonparty=MappingProxyType(nonparty_rules),
        nonparty_before=MappingProxyType(nonparty_checks(nonparty_rules)),
        pair_after=MappingProxyType(pair_after),
        paired_wild=frozenset(paired_wild),
        paired_wild_after=any_of([pair_after[name] for name in paired_wild], cache),
        nonparty_after=nonparty_after,
        nonparty_after_runs=lowered_runs(_kind_branches(nonparty_kinds), re.I, cache),
        outlet=outlet,
        party_cue=party_cue,
        roles=role_rules,
        lowered=lowered_twins(
            [nonparty_after, *(rx for r in context_rules for rx in after_regexes(r)),
             *lookalikes.values(), *before_cues.values()], cache),
        roles_after=after, roles_after_lower=lowered_twin(after, cache),
        lookalike_hints=MappingProxyType(lookalike_hints(lookalikes, cache)),
        before=MappingProxyType(before_cues),
        index=index,
        action_priority=tuple(action_data.get("priority", ACTIONS)),
        contains=_containment(data["violations.toml"]),
        default_action=str(action_data.get("default", "report")),
        grouping=_compile_grouping(data["grouping.toml"], cache),
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


def _compile(pattern: str, where: str, flags: int = 0, *, cache: RegexCache) -> re.Pattern:
    if not isinstance(pattern, str):
        raise TaxonomyError(f"{where}: expected a string, got {type(pattern).__name__}")
    try:
        return cache.compile(pattern, flags)
    except re.error as e:
        raise TaxonomyError(f"{where}: bad regular expression {pattern!r}: {e}") from e


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TaxonomyError(f"{where}: expected a list of strings")
    return value


def _check(where: str, patterns: list[str], cache: RegexCache) -> None:
    for p in patterns:
        try:
            cache.check(p, re.I)
        except re.error as e:
            raise TaxonomyError(f"{where}: bad regular expression {p!r}: {e}") from e


def _alternation(patterns: list[str], where: str, flags: int = re.I, *,
                 cache: RegexCache) -> re.Pattern:
    """One regex matching any of `patterns` as whole words (or nothing when empty)."""
    patterns = _strings(patterns, where)
    _check(where, patterns, cache)
    if not patterns:
        return re.compile(r"(?!)")
    body = "|".join(f"(?:{p})" for p in patterns)
    return _compile(f"(?<!\\w)(?:{body})(?!\\w)", where, flags, cache=cache)


# -- companies -----------------------------------------------------------------------

def _compile_companies(data: dict, cache: RegexCache
                       ) -> tuple[dict[str, Company], list[str], tuple,
                                  dict[str, re.Pattern], frozenset[str]]:
    entries = data.get("company")
    if not isinstance(entries, list) or not entries:
        raise TaxonomyError("companies.toml: no [[company]] entries")
    companies: dict[str, Company] = {}
    branches: list[tuple[int, str, str, bool, bool]] = []  # (sort key, regex, company, ...)
    lookalikes: dict[str, re.Pattern] = {}
    words: set[str] = set()
    for n, entry in enumerate(entries, 1):
        company = _company(entry, n, cache)
        if company.name in companies:
            raise TaxonomyError(f"companies.toml: company {company.name!r} defined twice")
        companies[company.name] = company
        where = f"companies.toml [{company.name}]"
        branches += _alias_branches(entry, company.name, where, cache)
        looks = _strings(entry.get("lookalikes", []), f"{where} lookalikes")
        _check(f"{where} lookalikes", looks, cache)
        if looks:
            lookalikes[company.name] = cache.compile("|".join(f"(?:{p})" for p in looks), re.I)
        # Only the company's own name: product names ("Sora", "Alexa") tell incidents apart.
        words |= {w.lower() for w in re.findall(r"[A-Za-z][\w.]+", company.name)}
    branches.sort(key=lambda b: -b[0])  # longest first: "Google DeepMind" before "Google"
    owners = tuple((company, ambiguous, platform)
                   for _, _, company, ambiguous, platform in branches)
    return companies, [b[1] for b in branches], owners, lookalikes, frozenset(words)


def _company(entry: Any, n: int, cache: RegexCache) -> Company:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise TaxonomyError(f"companies.toml: entry {n} has no name")
    unknown = set(entry) - _COMPANY_KEYS
    if unknown:
        raise TaxonomyError(f"companies.toml [{entry['name']}]: unknown key "
                            f"{sorted(unknown)[0]!r}")
    where = f"companies.toml [{entry['name']}]"
    context, unlike = entry.get("context"), entry.get("unlike")
    return Company(name=entry["name"], listed=bool(entry.get("listed", False)),
                   media=bool(entry.get("media", False)),
                   needs_cue=bool(entry.get("needs_cue", False)),
                   context=_compile(context, f"{where} context", cache=cache) if context else None,
                   unlike=_compile(unlike, f"{where} unlike", cache=cache) if unlike else None,
                   ignore=frozenset(_strings(entry.get("ignore", []), f"{where} ignore")))


def _alias_branches(entry: dict, name: str, where: str,
                    cache: RegexCache) -> list[tuple[int, str, str, bool, bool]]:
    ambiguous = set(_strings(entry.get("ambiguous", []), f"{where} ambiguous"))
    platforms = set(_strings(entry.get("platforms", []), f"{where} platforms"))
    cased = _strings(entry.get("cased", []), f"{where} cased")
    plain = _strings(entry.get("aliases", []), f"{where} aliases")
    out = [(len(a), f"(?i:{re.escape(a)})", name, a in ambiguous, a in platforms) for a in plain]
    out += [(len(a), re.escape(a), name, a in ambiguous, a in platforms) for a in cased]
    out += [(len(a), re.escape(a), name, True, a in platforms)
            for a in ambiguous - set(cased) - set(plain)]
    out += [(len(a), re.escape(a), name, False, True)
            for a in platforms - ambiguous - set(cased) - set(plain)]
    for pattern in _strings(entry.get("patterns", []), f"{where} patterns"):
        _compile(pattern, f"{where} patterns", cache=cache)
        out.append((len(pattern) // 2, pattern, name, False, False))
    return out


# -- context rules, violations, actions, grouping -------------------------------------

def _context_rule(cache: RegexCache, before_sets: dict[str, list[str]], name: str, data: dict,
                  where: str) -> ContextRule:
    """Register the rule's "before" cues in `before_sets` and compile its "after" cues."""
    before = _checked(data.get("before", []), f"{where} before", cache)
    after = _checked(data.get("after", []), f"{where} after", cache)
    pairs = data.get("pairs", [])
    if not isinstance(pairs, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)
            for p in pairs):
        raise TaxonomyError(f"{where} pairs: expected a list of [before, after] strings")
    if before:
        before_sets[name] = before
    pair_rules = []
    for i, (b, a) in enumerate(pairs):
        _check(f"{where} pairs", [b, a], cache)
        before_sets[f"{name}:pair{i}"] = [b]
        pair_rules.append((f"{name}:pair{i}", _anchored_start([a], f"{where} pairs", cache)))
    return ContextRule(before=name if before else None,
                       after=_anchored_start(after, f"{where} after", cache) if after else None,
                       pairs=tuple(pair_rules))


def _after_by_kind(kinds: dict, where: str, cache: RegexCache) -> re.Pattern:
    """One regex trying each kind's "after" cues in order; the group name is the kind."""
    return _compile("|".join(_kind_branches(kinds)) or "(?!)", f"{where} [nonparty] after",
                    re.I, cache=cache)


def _kind_branches(kinds: dict) -> list[str]:
    return [f"(?P<{kind}>{'|'.join(f'(?:{p})' for p in data['after'])})"
            for kind, data in kinds.items() if data.get("after")]


def _anchored_start(patterns: list[str], where: str, cache: RegexCache) -> re.Pattern:
    return _compile("(?:" + "|".join(f"(?:{p})" for p in patterns) + ")", where, re.I,
                    cache=cache)


def _type_phrases(data: dict, cache: RegexCache) -> dict[str, list[str]]:
    types = data.get("types", {})
    unknown = set(types) - set(VIOLATIONS)
    if unknown:
        raise TaxonomyError(f"violations.toml: unknown violation type {sorted(unknown)[0]!r} "
                            f"(taxonomy.md fixes the ids)")
    out = {}
    for vid in VIOLATIONS:
        rules = types.get(vid, {})
        for kind in ("strong", "topic"):
            where = f"violations.toml [types.{vid}] {kind}"
            out[f"{kind}:{vid}"] = _checked(rules.get(kind, []), where, cache)
    return out


def _containment(data: dict) -> frozenset[tuple[str, str]]:
    pairs = data.get("contains", [])
    where = "violations.toml contains"
    if not isinstance(pairs, list) or not all(
            isinstance(p, list) and len(p) == 2 and set(p) <= set(VIOLATIONS) for p in pairs):
        raise TaxonomyError(f"{where}: expected a list of [outer type, inner type] pairs of ids")
    return frozenset((a, b) for a, b in pairs)


def _cue_phrases(data: dict, cache: RegexCache) -> dict[str, list[str]]:
    names = {"trigger": "triggers", "negation": "negations", "not_negation": "not_negations",
             "hedge": "hedges", "background": "backgrounds", "lawmaking": "lawmaking",
             "company_news": "company_news", "departure": "departures"}
    return {name: _checked(data.get(key, []), f"cues.toml {key}", cache)
            for name, key in names.items()}


def _action_phrases(data: dict, cache: RegexCache) -> dict[str, list[str]]:
    actions = data.get("actions", {})
    unknown = set(actions) - set(ACTIONS)
    if unknown:
        raise TaxonomyError(f"actions.toml: unknown action {sorted(unknown)[0]!r}")
    priority = data.get("priority", list(ACTIONS))
    if sorted(_strings(priority, "actions.toml priority")) != sorted(ACTIONS):
        raise TaxonomyError("actions.toml priority: must list every action exactly once")
    out = {}
    for aid in ACTIONS:
        rules = actions.get(aid, {})
        where = f"actions.toml [actions.{aid}]"
        out[f"act:{aid}"] = _checked(rules.get("strong", []), f"{where} strong", cache)
        out[f"weak:{aid}"] = _checked(rules.get("weak", []), f"{where} weak", cache)
    for name, patterns in data.get("cues", {}).items():  # who acts, hedges: see actions.py
        out[f"actcue:{name}"] = _checked(patterns, f"actions.toml [cues] {name}", cache)
    return out


def _checked(patterns: Any, where: str, cache: RegexCache) -> list[str]:
    patterns = _strings(patterns, where)
    _check(where, patterns, cache)
    return patterns



def _where_regex(data: dict, where: str, cache: RegexCache) -> PhraseIndex:
    """All places and authorities in one index, a set per entry: "p_uk", "a_ico"."""
    sets = {}
    for prefix, table in (("p", "places"), ("a", "authorities")):
        for key, patterns in data.get(table, {}).items():
            sets[f"{prefix}_{key}"] = [f"(?:{p})(?!\\w)" for p in patterns]
    return PhraseIndex(sets, case_sensitive=True, cache=cache)


def _concepts(data: dict) -> dict[str, str]:
    """[concepts] name = [word stems]: each stem → "~name" (writers and authors match)."""
    return {stem.lower(): f"~{name}" for name, stems in data.get("concepts", {}).items()
            for stem in _strings(stems, f"grouping.toml [concepts] {name}")}


def _compile_grouping(data: dict, cache: RegexCache) -> Grouping:
    where = "grouping.toml"
    weights = data.get("weights", {})
    if not all(isinstance(v, (int, float)) for v in weights.values()):
        raise TaxonomyError(f"{where} [weights]: every weight must be a number")
    places = {k: _alternation(_strings(v, f"{where} [places] {k}"), f"{where} [places] {k}",
                              flags=0, cache=cache)
              for k, v in data.get("places", {}).items()}
    authorities = {k: _alternation(_strings(v, f"{where} [authorities] {k}"),
                                   f"{where} [authorities] {k}", flags=0, cache=cache)
                   for k, v in data.get("authorities", {}).items()}
    index = _where_regex(data, where, cache)
    try:
        return Grouping(
            weights=MappingProxyType(dict(weights)),
            max_candidates=int(data.get("max_candidates", 200)),
            recent_days=int(data.get("recent_days", 14)),
            spread_scale=float(data.get("spread_scale", 3.0)),
            company_prior=MappingProxyType({str(k): float(v) for k, v in
                                            data.get("company_prior", {}).items()}),
            stopwords=frozenset(w.lower() for w in _strings(data.get("stopwords", []),
                                                            f"{where} stopwords")),
            places=MappingProxyType(places), authorities=MappingProxyType(authorities),
            where=index, concepts=MappingProxyType(_concepts(data)))
    except (TypeError, ValueError) as e:
        raise TaxonomyError(f"{where}: {e}") from e
