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
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from operator import mul

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
        self.spread: Counter = Counter({f"#{c}": n for c, n in cfg.company_prior.items()})
        self.incidents = 0
        self._log_population = math.log(2.0)
        self._log_spread: dict[str, float] = {}  # term → log(spread + 1), kept current
        self._norms: dict[str, float] = {}
        self._days: dict[str, list[int]] = {}
        self._profiles: dict[str, _Profile] = {}

    # -- bookkeeping ------------------------------------------------------------------

    def update(self, incident_id: str, match: dict, new_keys: Iterable[str]) -> None:
        """Record an incident's new terms/companies and refresh its cached norm and days."""
        if incident_id not in self._norms:
            self.incidents += 1
            self._log_population = math.log(self.incidents + 2.0)
        new_keys = list(new_keys)
        self.spread.update(new_keys)
        for key in new_keys:
            self._log_spread[key] = math.log(self.spread[key])
        # Rarity among the *other* incidents: the incident's own use of a term is no
        # evidence that the term is common.
        log_population, log_spread = self._log_population, self._log_spread
        total = 0.0
        for term, value in match["terms"].items():
            weight = value * (log_population - log_spread.get(term, 0.0))
            total += weight * weight
        self._norms[incident_id] = math.sqrt(total)
        self._days[incident_id] = [date.fromisoformat(d).toordinal() for d in match["days"]]
        self._profiles[incident_id] = _Profile(match)

    def idf(self, term: str) -> float:
        """log((incidents + 2) / (incidents using the term + 1))."""
        return self._log_population - math.log(self.spread.get(term, 0) + 1.0)

    def rarity(self, key: str) -> float:
        """1 for something no other incident has; less the more incidents share it."""
        return 1.0 / (1.0 + self.spread.get(key, 0) / self.cfg.spread_scale)

    def vector(self, r: Features) -> tuple:
        """What scoring needs of a report, computed once: its raw term weights, the norm of
        their rarity-weighted vector, the rarity of its companies, its action features."""
        norm = math.sqrt(sum((v * self.idf(t)) ** 2 for t, v in r.terms.items()))
        return (r.terms, norm, {c: self.rarity(f"#{c}") for c in r.companies},
                tuple(1.0 if r.action == a else 0.0 for a in ACTIONS),
                r.day.toordinal() if r.day else None, r.places | r.authorities)

    # -- scoring ----------------------------------------------------------------------

    def best(self, r: Features, candidates: Iterable[tuple[str, dict]]
             ) -> tuple[str | None, float]:
        """The best-ranked candidate incident and the decision log-odds that the report
        joins it rather than opening a new incident."""
        vec = self.vector(r)
        weights = self.weights
        ranked: list[tuple[float, str, tuple]] = []
        for incident_id, m in candidates:
            x = self.features(r, vec, incident_id, m)
            if x is not None:
                ranked.append((sum(map(mul, weights, x)), incident_id, x))
        if not ranked:
            return None, -math.inf
        ranked.sort(key=lambda t: t[0], reverse=True)
        top, incident_id, x = ranked[0]
        second = ranked[1][0] if len(ranked) > 1 else None
        return incident_id, self.decide(decision_inputs(x, top, second, len(ranked)))

    def decide(self, z: tuple) -> float:
        """Log-odds of joining the best candidate, from its decision_inputs."""
        return sum(map(mul, self.decision, z))

    def features(self, r: Features, vec: tuple, incident_id: str,
                 m: dict) -> tuple[float, ...] | None:
        """The FEATURES of the pair, in order; None when the incident is ruled out: both
        sides name companies and share none, a conflict marks another case, or it shares
        no term with the report and is not recent."""
        profile = self._profiles[incident_id]
        their_companies = profile.companies
        shared = r.companies & their_companies
        if r.companies and their_companies and not shared:
            return None
        if (r.authorities and profile.authorities and not r.authorities & profile.authorities
                or _side_conflict(r.accused, profile.accused, r.companies, their_companies)
                or r.action in _PROCEEDINGS and r.places and profile.places
                and not r.places & profile.places):
            # Another regulator's proceeding, a suit against someone else, or a case in
            # another country's courts: a different case (taxonomy.md, "Incidents").
            return None
        gap = self.gap(vec[4], incident_id)
        recent = gap is not None and gap <= self._recent_days
        cosine, coverage, names = self.similarity(vec, incident_id, m["terms"])
        if not cosine and not recent:
            # Nothing in common but a company, weeks apart: almost never the same case
            # (2 of 207 right pairs in the labelled sets), and skipping it halves the work.
            return None
        shared_types = r.types & profile.types
        company_rarity = min(self._company_cap, sum(vec[2][c] for c in shared))
        accused_match = bool(r.accused & profile.accused)
        return (
            1.0,
            company_rarity,
            1.0 if shared and r.companies <= their_companies else 0.0,
            1.0 if r.companies - their_companies and their_companies - r.companies else 0.0,
            0.0 if r.companies else 1.0,
            len(shared_types) / len(r.types | profile.types) if r.types else 0.0,
            0.0 if shared_types else 1.0,
            cosine,
            coverage,
            1.0 if recent else 0.0,
            math.log1p(gap) / _LOG_YEAR if gap is not None else 0.5,
            1.0 if vec[5] and vec[5] & profile.where else 0.0,
            1.0 if r.places and profile.places and not r.places & profile.places else 0.0,
            _side_conflict(r.accusers, profile.accusers, r.companies, their_companies),
            1.0 if accused_match else 0.0,
            1.0 if r.amounts and r.amounts & profile.fines else 0.0,
            1.0 if r.penalty and r.amounts and profile.fines and not r.amounts & profile.fines
            else 0.0,
            1.0 if (r.action == "lawsuit" and profile.sued and gap is not None
                    and gap > self._new_suit_days) else 0.0,
            1.0 if r.action == "lawsuit" and r.accusers - their_companies else 0.0,
            *vec[3],
            coverage if recent else 0.0,
            profile.size,
            min(3, names) / 3.0,
            1.0 if accused_match and shared_types else 0.0,
            1.0 if r.action in _CONTINUING and shared and shared_types else 0.0,
            1.0 if r.authorities & profile.authorities else 0.0,
            company_rarity if recent else 0.0,
            0.0 if r.companies else cosine,
        )

    def similarity(self, vec: tuple, incident_id: str,
                   theirs: Mapping[str, float]) -> tuple[float, float, int]:
        """The cosine of the two rarity-weighted term vectors, the share of the report's
        weight found in the incident (a long case has many terms; a short report should
        not be diluted by them), and how many names they share."""
        mine, norm_a = vec[0], vec[1]
        norm_b = self._norms.get(incident_id, 0.0)
        if not norm_a or not norm_b:
            return 0.0, 0.0, 0
        shared = mine.keys() & theirs.keys()
        if not shared:
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

    def gap(self, day: date | int | None, incident_id: str) -> int | None:
        """Days from the report (a date or its ordinal) to the incident's nearest report."""
        days = self._days.get(incident_id)  # sorted ordinals
        if day is None or not days:
            return None
        ordinal = day if isinstance(day, int) else day.toordinal()
        i = bisect.bisect_left(days, ordinal)
        if i == 0:
            return days[0] - ordinal
        if i == len(days):
            return ordinal - days[-1]
        return min(ordinal - days[i - 1], days[i] - ordinal)


class _Profile:
    """An incident's match dict as sets, rebuilt when it changes (scoring reads it for
    every candidate)."""

    __slots__ = ("companies", "types", "accusers", "accused", "places", "authorities",
                 "where", "fines", "sued", "size")

    def __init__(self, m: dict) -> None:
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


def decision_inputs(x: tuple, top: float, second: float | None, n: int) -> tuple:
    """The DECISION inputs: the best candidate's features, its lead over the next one
    (capped; the cap when it has no rival) and how many candidates there were."""
    margin = _NO_RIVAL if second is None else min(top - second, _NO_RIVAL)
    return (*x, margin, math.log1p(n))


def _side_conflict(mine: frozenset[str], theirs: frozenset[str], my_companies: frozenset[str],
                   their_companies: Iterable[str]) -> float:
    """1 when the report and the incident each name someone on this side (accusers or
    accused) and neither side's names appear anywhere in the other."""
    if mine and theirs and not mine.intersection(their_companies) \
            and not my_companies.intersection(theirs):
        return 1.0
    return 0.0
