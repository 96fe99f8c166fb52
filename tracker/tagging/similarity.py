"""How surely a report continues an incident: pair features and a learnt linear score.

For each (report, candidate incident) the Scorer computes the features named in
FEATURES - shared companies and how rare they are, shared violation types, the
similarity of distinctive terms, the time gap, shared or conflicting places, authorities,
accusers, defendants and fine amounts, the report's action - and scores them with the
weights `model_<feature>` of grouping.toml: a logistic regression learnt from the labelled
sets by `python -m tracker.learn_grouping`, so the score is the log-odds that the report
belongs to the incident. Rarity is learnt from the incidents seen so far (how many use a
term or a company), plus `company_prior` in grouping.toml.
"""
from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache

from tracker.tagging.features import Features
from tracker.taxonomy import Grouping

# Actions that continue a case rather than open one; each gets its own weight.
ACTIONS = ("ruling", "penalty", "response", "lawsuit", "investigation", "restriction")
FEATURES = (
    "bias",
    "company_rarity",     # shared companies, each weighted by its rarity (capped)
    "company_subset",     # every company of the report is already in the incident
    "company_conflict",   # each side names a company the other does not
    "no_company",         # the report names no company (matched on types only)
    "type_overlap",       # Jaccard of violation types
    "type_none",          # no violation type in common
    "cosine",             # cosine of rarity-weighted distinctive terms
    "coverage",           # share of the report's term weight found in the incident
    "recent",             # within recent_days of one of the incident's reports
    "log_gap",            # log(1 + days to the nearest report) / log(1 + 365)
    "place_match",        # a shared place or authority
    "place_conflict",     # places on both sides, none shared
    "accuser_conflict",   # the report's accusers are not the incident's, and vice versa
    "accused_match",      # an accused company in common
    "amount_match",       # a money amount in common
    "amount_conflict",    # a fine or settlement with a different amount
    "new_suit",           # a lawsuit long after the incident's own, with little in common
    "new_plaintiff",      # a lawsuit by a company the incident has not seen
    *(f"action_{a}" for a in ACTIONS),
    "recent_coverage",    # coverage when recent: several outlets on one event
    "size",               # log(1 + the incident's dated reports)
    "names_shared",       # shared names (capitalised words, amounts, places), up to 3, / 3
    "accused_and_type",   # an accused company and a violation type in common
    "continues_case",     # a ruling, penalty or response with companies and a type in common
    "authority_match",    # the same regulator or court system on both sides
    "recent_companies",   # company_rarity when recent: one event, several outlets
    "cosine_no_company",  # cosine when the report names no company (terms must carry it)
)
_CONTINUING = frozenset({"ruling", "penalty", "response"})
_PROCEEDINGS = frozenset({"lawsuit", "ruling", "penalty"})
# The join decision looks at the best candidate's features and at how far ahead it is.
DECISION = (*FEATURES, "margin", "candidates")
_NO_RIVAL = 5.0  # the margin when the best candidate is the only one
# A report's action features (one-hot over ACTIONS) by its action
_ACTION_FEATURES = {a: tuple(1.0 if a == b else 0.0 for b in ACTIONS) for a in ACTIONS}
_NO_ACTION = (0.0,) * len(ACTIONS)
_LOG_YEAR = math.log(366.0)


class Scorer:
    """Scores (report, incident) pairs. Incidents are given by id and their match dict;
    `update` must be called whenever an incident's match dict changes."""

    def __init__(self, cfg: Grouping) -> None:
        self.cfg = cfg
        w = cfg.weights
        self.weights = tuple(float(w.get(f"model_{name}", 0.0)) for name in FEATURES)
        self.decision = tuple(float(w.get(f"join_{name}", 0.0)) for name in DECISION)
        self.join_threshold = float(w.get("join_threshold", 0.0))
        self._company_cap = w.get("company_cap", 1.5)
        self._new_suit_days = w.get("new_suit_days", 30)
        self._recent_days = cfg.recent_days
        # term or "#company" → number of incidents using it (plus priors for companies)
        self.spread: dict[str, float] = {f"#{c}": float(n) for c, n in cfg.company_prior.items()}
        self.incidents = 0
        self._log_population = math.log(2.0)
        self._log_spread: dict[str, float] = {}  # term → log(spread + 1), kept current
        self._profiles: dict[str, _Profile] = {}
        # Known cases no report has joined (`know`), by id: scored like incidents, but no
        # part of rarity.
        self._known: dict[str, dict] = {}
        self._known_norms_at = 0  # the incident count when their norms were last worked out

    # -- bookkeeping ------------------------------------------------------------------

    def update(self, incident_id: str, match: dict, new_keys: Iterable[str]) -> None:
        """Record an incident's new terms/companies and refresh its cached profile."""
        if incident_id not in self._profiles or incident_id in self._known:
            self._known.pop(incident_id, None)
            self.incidents += 1
            self._log_population = math.log(self.incidents + 2.0)
            if self._known and self.incidents >= 2 * self._known_norms_at:
                self._refresh_known_norms()
        spread, log_spread = self.spread, self._log_spread
        for key in new_keys:  # (a key met twice ends with the log of its final count)
            spread[key] = spread.get(key, 0.0) + 1.0
            log_spread[key] = math.log(spread[key])
        self._profiles[incident_id] = _Profile(match, self._norm(match["terms"]))

    def know(self, case_id: str, match: dict) -> None:
        """Score a known case (tracker.known_cases) like an incident, without counting it
        in how common terms and companies are: those figures describe the reports being
        grouped. `update` turns it into an incident when a report joins it."""
        self._known[case_id] = match
        self._profiles[case_id] = _Profile(match, self._norm(match["terms"]))

    def forget(self, case_id: str) -> None:
        """Drop a known case (a report joined it under another id)."""
        self._known.pop(case_id, None)
        self._profiles.pop(case_id, None)

    def _refresh_known_norms(self) -> None:
        """A known case's norm depends on the rarity of its terms, which changes as
        incidents come: worked out again each time their number doubles (linear in all)."""
        self._known_norms_at = self.incidents
        for case_id, match in self._known.items():
            self._profiles[case_id].norm = self._norm(match["terms"])

    def _norm(self, terms: Mapping[str, float]) -> float:
        """The norm of an incident's rarity-weighted terms. Rarity among the *other*
        incidents: the incident's own use of a term is no evidence that it is common."""
        log_population, log_spread = self._log_population, self._log_spread
        total = 0.0
        for term, value in terms.items():
            weight = value * (log_population - log_spread.get(term, 0.0))
            total += weight * weight
        return math.sqrt(total)

    def idf(self, term: str) -> float:
        """log((incidents + 2) / (incidents using the term + 1))."""
        return self._log_population - math.log(self.spread.get(term, 0) + 1.0)

    def rarity(self, key: str) -> float:
        """1 for something no other incident has; less the more incidents share it."""
        return 1.0 / (1.0 + self.spread.get(key, 0) / self.cfg.spread_scale)

    def vector(self, r: Features) -> ReportVector:
        """What scoring needs of a report, computed once: its raw term weights, the norm of
        their rarity-weighted vector, the rarity of its companies, its action features."""
        log_population, spread, log = self._log_population, self.spread, math.log
        total = 0.0  # as sum() adds: the same float to the last bit
        for term, value in r.terms.items():
            total += (value * (log_population - log(spread.get(term, 0) + 1.0))) ** 2  # idf
        return ReportVector(
            r.terms, math.sqrt(total), {c: self.rarity(f"#{c}") for c in r.companies},
            _ACTION_FEATURES.get(r.action or "", _NO_ACTION), r.day.toordinal() if r.day else None,
            r.places | r.authorities,
            bool(r.authorities or r.accused or r.action in _PROCEEDINGS and r.places))

    # -- scoring ----------------------------------------------------------------------

    def best(self, r: Features, candidates: Iterable[tuple[str, dict]], *,
             adopt_types: bool = False, vec: ReportVector | None = None
             ) -> tuple[str | None, float]:
        """The best-ranked candidate incident and the decision log-odds that the report
        joins it rather than opening a new incident. Ties go to the earlier candidate.
        `adopt_types`: score the report as if it had each candidate's types (a report that
        names no violation of its own, IncidentGrouper.continue_case). `vec`: the report's
        vector, when the caller has it (the types play no part in it)."""
        vec = vec or self.vector(r)
        weights = self.weights
        best_id: str | None = None
        best_x: tuple[float, ...] = ()
        top, second, n = -math.inf, None, 0
        for incident_id, m in candidates:
            x = self.features(r, vec, incident_id, m, adopt_types)
            if x is None:
                continue
            n += 1
            score = dot(weights, x)
            if best_id is None or score > top:
                best_id, best_x, top, second = incident_id, x, score, (top if n > 1 else None)
            elif second is None or score > second:
                second = score
        if best_id is None:
            return None, -math.inf
        return best_id, self.decide(decision_inputs(best_x, top, second, n))

    def decide(self, z: tuple) -> float:
        """Log-odds of joining the best candidate, from its decision_inputs."""
        return dot(self.decision, z)

    def features(self, r: Features, vec: ReportVector, incident_id: str,
                 m: dict, adopt_types: bool = False) -> tuple[float, ...] | None:
        """The FEATURES of the pair, in order; None when the incident is ruled out: both
        sides name companies and share none, a conflict marks another case, or it shares
        no term with the report and is not recent. `adopt_types`: as if the report had the
        incident's types (types play no part in ruling out)."""
        p = self._profiles[incident_id]
        gap = p.gap(vec.ordinal)
        recent = gap is not None and gap <= self._recent_days
        theirs = m["terms"]
        if not recent and (not vec.norm or not p.norm
                           or vec.terms.keys().isdisjoint(theirs.keys())):
            # Nothing in common but a company, weeks apart: almost never the same case
            # (2 of 207 right pairs in the labelled sets), and skipping it halves the work.
            # (The cosine below would be 0: this test, the cheapest, only saves computing it.
            # Two views: the test then walks the shorter side, the report's few terms rather
            # than the incident's many.)
            return None
        common = vec.terms.keys() & theirs.keys()
        shared = r.companies & p.companies
        if (r.companies and p.companies and not shared
                or vec.may_conflict and _another_case(r, p)):
            return None
        similar = self._similarity(vec, p.norm, theirs, common)
        if not similar[0] and not recent:
            return None
        return self._pair(r, vec, p, shared, gap, recent, similar,
                          p.types if adopt_types else r.types)

    def _pair(self, r: Features, vec: ReportVector, p: _Profile, shared: frozenset[str],
              gap: int | None, recent: bool, similar: tuple[float, float, int],
              types: frozenset[str]) -> tuple:
        """The FEATURES of a pair not ruled out, the report having `types`. Subset and
        disjointness tests stand for set differences and intersections: the same answers
        without building sets."""
        cosine, coverage, names = similar
        companies, theirs = r.companies, p.companies
        shared_types = len(types & p.types)
        rarity = sum(map(vec.rarity.__getitem__, shared))
        company_rarity = rarity if rarity < self._company_cap else self._company_cap
        accused_match = not r.accused.isdisjoint(p.accused)
        lawsuit = r.action == "lawsuit"
        return (
            1.0,
            company_rarity,
            1.0 if shared and companies <= theirs else 0.0,
            0.0 if companies <= theirs or theirs <= companies else 1.0,
            0.0 if companies else 1.0,
            shared_types / (len(types) + len(p.types) - shared_types) if types else 0.0,
            0.0 if shared_types else 1.0,
            cosine,
            coverage,
            1.0 if recent else 0.0,
            math.log1p(gap) / _LOG_YEAR if gap is not None else 0.5,
            1.0 if vec.where and not vec.where.isdisjoint(p.where) else 0.0,
            1.0 if r.places and p.places and r.places.isdisjoint(p.places) else 0.0,
            _side_conflict(r.accusers, p.accusers, companies, theirs) if r.accusers else 0.0,
            1.0 if accused_match else 0.0,
            1.0 if r.amounts and not r.amounts.isdisjoint(p.fines) else 0.0,
            1.0 if r.penalty and r.amounts and p.fines and r.amounts.isdisjoint(p.fines)
            else 0.0,
            1.0 if (lawsuit and p.sued and gap is not None and gap > self._new_suit_days)
            else 0.0,
            1.0 if lawsuit and not r.accusers <= theirs else 0.0,
            *vec.actions,
            coverage if recent else 0.0,
            p.size,
            (names if names < 3 else 3) / 3.0,
            1.0 if accused_match and shared_types else 0.0,
            1.0 if r.action in _CONTINUING and shared and shared_types else 0.0,
            0.0 if r.authorities.isdisjoint(p.authorities) else 1.0,
            company_rarity if recent else 0.0,
            0.0 if companies else cosine,
        )

    def _similarity(self, vec: ReportVector, norm_b: float, theirs: Mapping[str, float],
                    shared: set[str]) -> tuple[float, float, int]:
        """The cosine of the two rarity-weighted term vectors, the share of the report's
        weight found in the incident (a long case has many terms; a short report should
        not be diluted by them), and how many names they share."""
        mine, norm_a = vec.terms, vec.norm
        if not norm_a or not norm_b or not shared:
            return 0.0, 0.0, 0
        dot = covered = 0.0
        names = 0
        log_population, log_spread = self._log_population, self._log_spread
        for term in shared:
            # A shared term's rarity among the other incidents, on both sides.
            idf = log_population - log_spread.get(term, 0.0)
            raw = mine[term]
            value = raw * idf
            dot += value * theirs[term] * idf
            covered += value * value
            if raw >= 1.0:
                names += 1
        if not dot:
            return 0.0, 0.0, names
        return dot / (norm_a * norm_b), min(1.0, covered / (norm_a * norm_a)), names


class ReportVector:
    """What scoring needs of a report, computed once (Scorer.vector)."""

    __slots__ = ("terms", "norm", "rarity", "actions", "ordinal", "where", "may_conflict")

    def __init__(self, terms: Mapping[str, float], norm: float, rarity: dict[str, float],
                 actions: tuple[float, ...], ordinal: int | None, where: frozenset[str],
                 may_conflict: bool) -> None:
        self.terms = terms  # raw term weights
        self.norm = norm  # of the rarity-weighted terms
        self.rarity = rarity  # company → its rarity
        self.actions = actions  # one-hot over ACTIONS
        self.ordinal = ordinal  # the report's day
        self.where = where  # its places and authorities
        self.may_conflict = may_conflict  # it names what can mark another case


class _Profile:
    """An incident's match dict as sets, with the norm of its terms and its days, rebuilt
    when it changes (scoring reads it for every candidate)."""

    __slots__ = ("companies", "types", "accusers", "accused", "places", "authorities",
                 "where", "fines", "sued", "size", "norm", "days")

    def __init__(self, m: dict, norm: float) -> None:
        self.companies = frozenset(m["companies"])
        self.types = frozenset(m["types"])
        self.accusers = frozenset(m.get("accusers", ()))
        self.accused = frozenset(m.get("accused", ()))
        self.places = frozenset(m["places"])
        self.authorities = frozenset(m["authorities"])
        self.where = self.places | self.authorities
        self.fines = frozenset(m["fines"])
        self.sued = "lawsuit" in m.get("actions", ())
        self.size = math.log1p(len(m["days"]))
        self.norm = norm
        self.days = [_ordinal(d) for d in m["days"]]  # sorted

    def gap(self, ordinal: int | None) -> int | None:
        """Days from the report's day to the incident's nearest report."""
        if ordinal is None:
            return None
        days = self.days
        if not days:
            return None
        if ordinal >= days[-1]:  # the usual case: reports are grouped oldest first
            return ordinal - days[-1]
        i = bisect.bisect_left(days, ordinal)
        if i == 0:
            return days[0] - ordinal
        if i == len(days):
            return ordinal - days[-1]
        return min(ordinal - days[i - 1], days[i] - ordinal)


def dot(weights: tuple[float, ...], x: tuple[float, ...]) -> float:
    """sum(map(mul, weights, x)), the same float to the last bit (the same products added
    in the same order), without a float object per product: most of the time of scoring
    a pair went to that."""
    total = 0.0
    for i in range(min(len(weights), len(x))):
        total += weights[i] * x[i]
    return total


@lru_cache(maxsize=1 << 14)  # a few thousand distinct days; a pure speed-up
def _ordinal(day: str) -> int:
    return date.fromisoformat(day).toordinal()


def _another_case(r: Features, p: _Profile) -> bool:
    """Another regulator's proceeding, a suit against someone else, or a case in another
    country's courts: a different case (taxonomy.md, "Incidents")."""
    return bool(r.authorities and p.authorities and r.authorities.isdisjoint(p.authorities)
                or _side_conflict(r.accused, p.accused, r.companies, p.companies)
                or r.action in _PROCEEDINGS and r.places and p.places
                and r.places.isdisjoint(p.places))


def decision_inputs(x: tuple, top: float, second: float | None, n: int) -> tuple:
    """The DECISION inputs: the best candidate's features, its lead over the next one
    (capped; the cap when it has no rival) and how many candidates there were."""
    margin = _NO_RIVAL if second is None else min(top - second, _NO_RIVAL)
    return (*x, margin, math.log1p(n))


def _side_conflict(mine: frozenset[str], theirs: frozenset[str], my_companies: frozenset[str],
                   their_companies: Iterable[str]) -> float:
    """1 when the report and the incident each name someone on this side (accusers or
    accused) and neither side's names appear anywhere in the other."""
    if mine and theirs and mine.isdisjoint(their_companies) \
            and my_companies.isdisjoint(theirs):
        return 1.0
    return 0.0
