"""How surely a report continues an incident: the grouper's scoring, with its caches.

Rarity is learnt from the incidents seen so far (how many use a term or a company), plus
`company_prior` in grouping.toml. Scores follow grouping.toml; see Scorer.score.
"""
from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date

from tracker.tagging.features import Features
from tracker.taxonomy import Grouping


class Scorer:
    """Scores (report, incident) pairs. Incidents are given by id and their match dict;
    `update` must be called whenever an incident's match dict changes."""

    def __init__(self, cfg: Grouping) -> None:
        self.cfg = cfg
        self.w = w = cfg.weights
        # The weights scoring needs, looked up once (scoring runs for every candidate).
        self._type_mismatch = w.get("type_mismatch", 1.0)
        self._company_cap = w.get("company_cap", 0.7)
        self._companies = w.get("companies", 1.0)
        self._terms = w.get("terms", 2.0)
        self._place_match = w.get("place_match", 0.2)
        self._recent_cosine = w.get("recent_cosine", 0.1)
        self._mix = w.get("coverage_mix", 0.5)
        self._conflict_weights = tuple(w.get(k, 0) for k in (
            "authority_conflict", "place_conflict", "accuser_conflict", "accused_conflict",
            "company_conflict", "new_plaintiff", "new_suit", "amount_conflict"))
        self._new_suit_days = w.get("new_suit_days", 30)
        self._new_suit_cosine = w.get("new_suit_cosine", 0.3)
        # term or "#company" → number of incidents using it (plus priors for companies)
        self.spread: Counter = Counter({f"#{c}": n for c, n in cfg.company_prior.items()})
        self.incidents = 0
        self._log_population = math.log(2.0)
        self._log_spread: dict[str, float] = {}  # term → log(spread + 1), kept current
        self._norms: dict[str, float] = {}
        self._days: dict[str, list[int]] = {}

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

    def idf(self, term: str) -> float:
        """log((incidents + 2) / (incidents using the term + 1))."""
        return self._log_population - math.log(self.spread.get(term, 0) + 1.0)

    def rarity(self, key: str) -> float:
        """1 for something no other incident has; less the more incidents share it."""
        return 1.0 / (1.0 + self.spread.get(key, 0) / self.cfg.spread_scale)

    def vector(self, r: Features) -> tuple[Mapping[str, float], float, dict[str, float]]:
        """What scoring needs of a report, computed once: its raw term weights, the norm of
        their rarity-weighted vector, and the rarity of its companies."""
        norm = math.sqrt(sum((v * self.idf(t)) ** 2 for t, v in r.terms.items()))
        return r.terms, norm, {c: self.rarity(f"#{c}") for c in r.companies}

    # -- scoring ----------------------------------------------------------------------

    def score(self, r: Features, vec: tuple, incident_id: str, m: dict) -> float:
        """How surely the report continues this incident (join at the threshold or more).

        Below zero when both name companies but none in common, or on a conflict of 1 or
        more (see conflicts). Otherwise: shared companies weighted by their rarity (capped:
        a rare company alone is not enough), plus `terms` × the similarity of rarity-
        weighted terms, plus a shared place or authority; a report within `recent_days`
        that shares some terms, or only companies the incident has (several outlets on one
        event), gets `threshold` more.
        """
        their_companies = m["companies"].keys()
        shared = r.companies & their_companies
        if r.companies and their_companies and not shared:
            return -1.0
        conflict = 0.0 if r.types & m["types"].keys() else self._type_mismatch
        if conflict >= 1.0:
            return -1.0
        similarity = self.similarity(vec, incident_id, m["terms"])
        gap = self.gap(r.day, incident_id)
        conflict += self.conflicts(r, m, similarity, gap)
        if conflict >= 1.0:
            return -1.0
        companies = sum(vec[2][c] for c in shared)
        where = (r.places | r.authorities) & {*m["places"], *m["authorities"]}
        score = (min(self._company_cap, self._companies * companies)
                 + self._terms * similarity
                 + (self._place_match if where else 0.0) - conflict)
        if gap is not None and gap <= self.cfg.recent_days and (
                similarity >= self._recent_cosine
                or (shared and r.companies <= their_companies)):
            score += self.cfg.threshold
        return score

    def similarity(self, vec: tuple, incident_id: str, theirs: Mapping[str, float]) -> float:
        """A mix of the cosine of the two term vectors and of the share of the report's
        weight found in the incident (a long case has many terms; a short report should
        not be diluted by them)."""
        mine, norm_a = vec[0], vec[1]
        norm_b = self._norms.get(incident_id, 0.0)
        if not norm_a or not norm_b:
            return 0.0
        shared = mine.keys() & theirs.keys()
        if not shared:
            return 0.0
        dot = covered = 0.0
        log_population, log_spread = self._log_population, self._log_spread
        for term in shared:
            # A shared term's rarity among the other incidents, on both sides.
            idf = log_population - log_spread.get(term, 0.0)
            value = mine[term] * idf
            dot += value * theirs[term] * idf
            covered += value * value
        if not dot:
            return 0.0
        covered = min(covered, norm_a * norm_a)
        mix = self._mix
        return (1 - mix) * dot / (norm_a * norm_b) + mix * covered / (norm_a * norm_a)

    def gap(self, day: date | None, incident_id: str) -> int | None:
        days = self._days.get(incident_id)  # sorted
        if day is None or not days:
            return None
        ordinal = day.toordinal()
        i = bisect.bisect_left(days, ordinal)
        return min(abs(ordinal - days[j]) for j in (i - 1, i) if 0 <= j < len(days))

    def conflicts(self, r: Features, m: dict, similarity: float, gap: int | None) -> float:
        """Signs of a different proceeding, each a penalty (1 or more rules it out):
        other regulators or courts abroad; other plaintiffs or defendants; each side naming
        a company the other does not; a new plaintiff's suit; a new suit long after the
        incident's own; another fine."""
        (authority, place, accuser, accused, company, new_plaintiff, new_suit,
         amount) = self._conflict_weights
        penalty = 0.0
        if r.authorities and m["authorities"] and not r.authorities.intersection(m["authorities"]):
            penalty += authority
        if r.places and m["places"] and not r.places.intersection(m["places"]):
            penalty += place
        companies = m["companies"].keys()
        if r.accusers or r.accused:
            for mine, theirs, weight in ((r.accusers, m.get("accusers", ()), accuser),
                                         (r.accused, m.get("accused", ()), accused)):
                if (mine and theirs and not mine & companies
                        and not r.companies.intersection(theirs)):
                    penalty += weight
        if r.companies - companies and companies - r.companies:
            penalty += company
        if r.action == "lawsuit":
            if r.accusers - companies:
                penalty += new_plaintiff
            if ("lawsuit" in m.get("actions", ()) and gap is not None
                    and gap > self._new_suit_days and similarity < self._new_suit_cosine):
                penalty += new_suit
        fines = m["fines"]
        if r.penalty and r.amounts and fines and not r.amounts.intersection(fines):
            penalty += amount
        return penalty
