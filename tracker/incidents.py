"""Reports → incidents, incrementally: each new report joins the best matching incident.

A report is compared only with incidents that share one of its companies (or, when it
names none, one of its violation types), most recent first and at most
`grouping.max_candidates` of them, so the cost grows linearly with the number of reports.
The score mixes shared companies, shared types, shared distinctive terms (case names,
plaintiffs, products, amounts, "Project Seed") and closeness in time, minus conflicts
(two different regulators, two different countries' courts, two different fines).
Tuning lives in data/taxonomy/grouping.toml.

Each incident's state is a JSON-serialisable dict; the store persists it and passes it
back through `states`, so the next run continues where this one stopped.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import date

from tracker.models import Report
from tracker.tagging.features import Features, extract_features
from tracker.taxonomy import Taxonomy

STATE_VERSION = 1
MAX_TERMS = 80  # per incident: enough to recognise it, small enough to store
_DEFAULT_ID = re.compile(r"^inc-(\d+)$")


class IncidentGrouper:
    """Assigns reports to incidents, remembering incidents across runs via their states."""

    def __init__(self, taxonomy: Taxonomy, states: Iterable[tuple[str, dict]] = (),
                 new_id: Callable[[Report], str] | None = None, *,
                 term_prior: Mapping[str, float] | None = None) -> None:
        """`term_prior`: how common each term is known to be beforehand (for example the
        share of a batch's items using it); without it, rarity is learnt from incidents."""
        self._tax = taxonomy
        self._cfg = taxonomy.grouping
        self._new_id = new_id
        self._states: dict[str, dict] = {}
        self._blocks: dict[str, list[str]] = defaultdict(list)  # key → incident ids, oldest first
        self._items: dict[str, str] = {}  # item id → incident id
        # term or "#company" → number of incidents that use it (plus priors for companies)
        self._spread: Counter = Counter({f"#{c}": n for c, n in
                                         taxonomy.grouping.company_prior.items()})
        self._spread.update(dict(term_prior or {}))
        self._prior_size = float((term_prior or {}).get("", 0))  # how many items the prior saw
        self._changed: set[str] = set()
        self._next = 1
        for incident_id, state in states:
            self._load(incident_id, state)

    # -- public -------------------------------------------------------------------

    def assign(self, report: Report) -> str | None:
        """The incident this report belongs to (a new one if none matches); None for news."""
        if not report.tags.violations:
            return None
        features = extract_features(report, self._tax)
        known = self._items.get(report.item_id) if report.item_id else None
        incident_id = known if known in self._states else self._best(features)
        if incident_id is None:
            incident_id = self._create(report)
        self._add(incident_id, report, features, again=known == incident_id)
        return incident_id

    def state(self, incident_id: str) -> dict:
        """The incident's JSON-serialisable state (title, dates, companies, lifecycle...)."""
        return self._states[incident_id]

    def changed(self) -> set[str]:
        """Ids of incidents created or updated since construction."""
        return set(self._changed)

    # -- matching -------------------------------------------------------------------

    def _best(self, report: Features) -> str | None:
        """The best incident scoring at least the threshold for the report's action: a
        ruling or a settlement nearly always continues a case, a new suit rarely does."""
        w = self._cfg.weights
        best_id = None
        best_score = w.get(f"threshold_{report.action}", self._cfg.threshold)
        for incident_id in self._candidates(report):
            score = self._score(report, self._states[incident_id]["match"])
            if score >= best_score:
                best_id, best_score = incident_id, score
        return best_id

    def _candidates(self, report: Features) -> list[str]:
        seen: dict[str, None] = {}
        for key in _block_keys(report.companies, report.types):
            for incident_id in reversed(self._blocks.get(key, ())[-self._cfg.max_candidates:]):
                seen.setdefault(incident_id)
        return list(seen)

    def _score(self, r: Features, m: dict) -> float:
        """How surely the report continues this incident (join at `threshold` or more).

        Below zero when it shares no company or no violation type, or shows signs of a
        different proceeding (see _conflicts). Otherwise: shared companies weighted by
        their rarity among incidents (capped: a rare company alone is not enough), plus the
        cosine of rarity-weighted terms, plus a shared place or authority; a report within
        `recent_days` that shares some terms (several outlets on one event) gets
        `threshold` more.
        """
        w = self._cfg.weights
        shared = r.companies & m["companies"].keys()
        if r.companies and m["companies"] and not shared:
            return -1.0
        cosine = self._cosine(r.terms, m["terms"])
        conflict = self._conflicts(r, m, cosine)
        if not r.types & m["types"].keys():
            conflict += w.get("type_mismatch", 1.0)
        if conflict >= 1.0:
            return -1.0
        companies = sum(self._rarity(f"#{c}") for c in shared)
        where = (r.places | r.authorities) & {*m.get("places", ()), *m.get("authorities", ())}
        score = (min(w.get("company_cap", 0.7), w.get("companies", 1.0) * companies)
                 + w.get("terms", 2.0) * cosine
                 + (w.get("place_match", 0.2) if where else 0.0) - conflict)
        gap = _gap(r.day, m.get("days", []))
        if gap is not None and gap <= self._cfg.recent_days and (
                cosine >= w.get("recent_cosine", 0.1) or (shared and r.companies <= m["companies"].keys())):
            score += self._cfg.threshold
        return score

    def _rarity(self, key: str) -> float:
        """1 for something no other incident has; less the more incidents share it."""
        return 1.0 / (1.0 + self._spread.get(key, 0) / self._cfg.spread_scale)

    def _idf(self, term: str) -> float:
        return math.log((self._population() + 2.0) / (self._spread.get(term, 0) + 1.0))

    def _population(self) -> float:
        return max(len(self._states), self._prior_size)

    def _cosine(self, mine: dict[str, float], theirs: dict[str, float]) -> float:
        """Similarity of the report's terms to the incident's, rarity-weighted: the mean of
        their cosine and of the share of the report's weight found in the incident (a
        long-running case has many terms; a short report should not be diluted by them)."""
        a = {t: v * self._idf(t) for t, v in mine.items()}
        dot = sum(v * theirs[t] * self._idf(t) for t, v in a.items() if t in theirs)
        if not dot:
            return 0.0
        norm_b = math.sqrt(sum((v * self._idf(t)) ** 2 for t, v in theirs.items()))
        norm_a = math.sqrt(sum(v * v for v in a.values()))
        cosine = dot / (norm_a * norm_b) if norm_a and norm_b else 0.0
        coverage = sum(v * v for t, v in a.items() if t in theirs) / (norm_a * norm_a)
        mix = self._cfg.weights.get("coverage_mix", 0.5)
        return (1 - mix) * cosine + mix * coverage

    def _conflicts(self, r: Features, m: dict, cosine: float) -> float:
        """Signs of a different proceeding, each a penalty (1 or more rules it out):
        other regulators or courts abroad; other plaintiffs or defendants; each side naming
        a company the other does not; a new plaintiff's suit; a new suit long after the
        incident's own; another fine."""
        w = self._cfg.weights
        penalty = 0.0
        for mine, key, weight in ((r.authorities, "authorities", "authority_conflict"),
                                  (r.places, "places", "place_conflict")):
            theirs = m.get(key, ())
            if mine and theirs and not mine & set(theirs):
                penalty += w.get(weight, 0)
        companies = m["companies"].keys()
        for mine, key, weight in ((r.accusers, "accusers", "accuser_conflict"),
                                  (r.accused, "accused", "accused_conflict")):
            theirs = set(m.get(key, ()))
            if mine and theirs and not mine & companies and not theirs & r.companies:
                penalty += w.get(weight, 0)
        if r.companies - companies and companies - r.companies:
            penalty += w.get("company_conflict", 0)
        if r.action == "lawsuit" and r.accusers - companies:
            penalty += w.get("new_plaintiff", 0)
        gap = _gap(r.day, m.get("days", []))
        if (r.action == "lawsuit" and "lawsuit" in m.get("actions", ()) and gap is not None
                and gap > w.get("new_suit_days", 30) and cosine < w.get("new_suit_cosine", 0.3)):
            penalty += w.get("new_suit", 0)
        fines = m.get("fines", ())
        if r.penalty and r.amounts and fines and not r.amounts & set(fines):
            penalty += w.get("amount_conflict", 0)
        return penalty

    # -- state ----------------------------------------------------------------------

    def _create(self, report: Report) -> str:
        incident_id = self._new_id(report) if self._new_id else f"inc-{self._next}"
        while incident_id in self._states:  # a custom id scheme may repeat; keep ids unique
            incident_id = f"{incident_id}-{self._next}"
            self._next += 1
        self._next += 1
        self._states[incident_id] = _empty_state(report)
        return incident_id

    def _add(self, incident_id: str, report: Report, f: Features, *, again: bool) -> None:
        state = self._states[incident_id]
        step = {"date": report.published[:10] if report.published else None,
                "action": report.tags.action, "item": report.item_id, "source": report.source,
                "title": report.title}
        lifecycle = [s for s in state["lifecycle"] if not (again and s["item"] == report.item_id)]
        state["lifecycle"] = sorted(lifecycle + [step], key=lambda s: (s["date"] or "", s["item"]))
        if not again:
            before = _spread_keys(state["match"])
            _merge_match(state["match"], f, report.tags.action == "penalty")
            self._spread.update(_spread_keys(state["match"]) - before)
        _refresh_summary(state, report)
        for key in _block_keys(f.companies, f.types):
            blocks = self._blocks[key]
            if not blocks or blocks[-1] != incident_id:
                if incident_id in blocks[-self._cfg.max_candidates:]:
                    blocks.remove(incident_id)
                blocks.append(incident_id)
        if report.item_id:
            self._items[report.item_id] = incident_id
        self._changed.add(incident_id)

    def _load(self, incident_id: str, state: dict) -> None:
        if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
            return  # an unknown or older state: the incident keeps its reports, unmatched
        self._states[incident_id] = state
        match = state["match"]
        self._spread.update(_spread_keys(match))
        for key in _block_keys(set(match["companies"]), set(match["types"])):
            self._blocks[key].append(incident_id)
        for step in state["lifecycle"]:
            if step.get("item"):
                self._items[step["item"]] = incident_id
        if m := _DEFAULT_ID.match(incident_id):
            self._next = max(self._next, int(m.group(1)) + 1)


def _block_keys(companies: Iterable[str], types: Iterable[str]) -> list[str]:
    keys = [f"c:{c}" for c in companies]
    return keys or [f"t:{t}" for t in types]


def _spread_keys(match: dict) -> set[str]:
    return set(match["terms"]) | {f"#{c}" for c in match["companies"]}


def _dice(mine: frozenset[str], theirs: dict) -> float:
    return 2 * len(mine & theirs.keys()) / (len(mine) + len(theirs)) if mine or theirs else 0.0


def _gap(day: date | None, days: list[str]) -> int | None:
    if day is None or not days:
        return None
    return min(abs((day - date.fromisoformat(d)).days) for d in days)


def _empty_state(report: Report) -> dict:
    return {"version": STATE_VERSION, "title": report.title, "first_report": None,
            "last_report": None, "companies": {}, "types": [], "lifecycle": [],
            "report_count": 0, "outlets": [], "outlet_count": 0,
            "match": {"companies": {}, "accusers": [], "accused": [], "types": {}, "terms": {}, "places": [],
                      "authorities": [], "fines": [], "days": []}}


def _merge_match(match: dict, f: Features, penalty: bool) -> None:
    for c in f.companies:
        match["companies"][c] = match["companies"].get(c, 0) + 1
    for t in f.types:
        match["types"][t] = match["types"].get(t, 0) + 1
    terms = Counter(match["terms"])
    terms.update(f.terms)
    match["terms"] = {t: round(v, 3) for t, v in terms.most_common(MAX_TERMS)}
    for key, values in (("places", f.places), ("authorities", f.authorities),
                        ("accusers", f.accusers), ("accused", f.accused),
                        ("fines", f.amounts if penalty else set())):
        match[key] = sorted(set(match.get(key, ())) | values)
    if f.day is not None:
        match["days"] = sorted(set(match["days"]) | {f.day.isoformat()})[-20:]
    if f.action:
        match["actions"] = sorted(set(match.get("actions", ())) | {f.action})


def _refresh_summary(state: dict, report: Report) -> None:
    """The human-facing part of the state: title, dates, companies with roles, counts."""
    lifecycle = state["lifecycle"]
    dated = [s for s in lifecycle if s["date"]]
    first = dated[0] if dated else lifecycle[0]
    state["title"] = first.get("title") or state["title"]
    state["first_report"] = dated[0]["date"] if dated else None
    state["last_report"] = dated[-1]["date"] if dated else None
    roles = state.setdefault("_roles", {})
    for company, role in report.tags.roles.items():
        roles.setdefault(company, {})
        roles[company][role] = roles[company].get(role, 0) + 1
    state["companies"] = {c: max(r, key=lambda k: (r[k], k == "accused")) for c, r in roles.items()}
    types = Counter(state["types"]) + Counter(report.tags.violations)
    state["types"] = sorted(types)
    state["report_count"] = len(lifecycle)
    state["outlets"] = sorted({s["source"] for s in lifecycle if s["source"]})
    state["outlet_count"] = len(state["outlets"])
