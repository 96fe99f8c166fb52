"""Reports → incidents, incrementally: each new report joins the best matching incident.

A report is compared only with incidents that share one of its companies (or, when it
names none, one of its violation types), most recently updated first and at most
`grouping.max_candidates` of them, so the cost grows linearly with the number of reports.
The Scorer (tracker/tagging/similarity.py) rules out pairs that are another case by
definition (another regulator, defendant or country's courts), ranks the rest by the
learnt log-odds of belonging together (shared companies, types, distinctive terms such as
case names, plaintiffs, products and amounts, time, parties), and decides whether the
report joins the best one or opens a new incident. Weights live in
data/taxonomy/grouping.toml, learnt by tracker.learn_grouping.

Each incident's state is a JSON-serialisable dict; the store persists it and passes it
back through `states`, so the next run continues where this one stopped.

Known cases (tracker.known_cases) are a second pool: a report that shares a name of a known
case's own and clears the join by `known_case_margin` continues it - if an incident of the
run would take the report too, only when the case leads by `known_case_lead` more - and the
case becomes an incident of the run.
"""
from __future__ import annotations

import bisect
import copy
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from functools import lru_cache
from itertools import chain, islice
from operator import itemgetter

from tracker.models import Report, StepTagger, Tags
from tracker.tagging.features import NAME, FeatureReader, Features
from tracker.tagging.similarity import Scorer
from tracker.taxonomy import Taxonomy

STATE_VERSION = 1
MAX_TERMS = 80  # per incident: enough to recognise it, small enough to store
_DEFAULT_ID = re.compile(r"^inc-(\d+)$")


class IncidentGrouper:
    """Assigns reports to incidents, remembering incidents across runs via their states."""

    def __init__(self, taxonomy: Taxonomy, states: Iterable[tuple[str, dict]] = (),
                 new_id: Callable[[Report], str] | None = None,
                 known: Mapping[str, dict] | None = None) -> None:
        self._cfg = taxonomy.grouping
        self._new_id = new_id
        self._scorer = Scorer(taxonomy.grouping)
        # How far above a join a report with no violation must score to continue a case.
        self._follow_up_margin = float(self._cfg.weights.get("follow_up_margin", 2.0))
        # How far above a join a report must score to continue a known case.
        self._known_margin = float(self._cfg.weights.get("known_case_margin", 0.0))
        # How far more a known case must lead an incident of the run to take its report.
        self._known_lead = float(self._cfg.weights.get("known_case_lead", 0.0))
        self._reader = FeatureReader(taxonomy)
        self._states: dict[str, dict] = {}
        # key → incident ids, least recently updated first (a dict used as an ordered set)
        self._blocks: dict[str, dict[str, None]] = defaultdict(dict)
        self._items: dict[str, str] = {}  # item id → incident id
        self._changed: set[str] = set()
        self._next = 1
        self._adopted: set[str] = set()  # known cases joined in earlier runs
        for incident_id, state in states:
            self._load(incident_id, state)
        # Known cases (tracker.known_cases) no report has joined yet, by id, and their
        # blocks: a report that matches no incident may still continue one of them.
        self._known: dict[str, dict] = {}
        self._known_blocks: dict[str, dict[str, None]] = defaultdict(dict)
        # term → the known cases whose profile has it: most reports share no name with
        # any, and then the known pool is passed over without ranking its candidates.
        self._known_terms: dict[str, set[str]] = defaultdict(set)
        for case_id, case in (known or {}).items():
            self._know(case_id, case)

    # -- public -------------------------------------------------------------------

    def assign(self, report: Report) -> str | None:
        """The incident this report belongs to (a new one if none matches); None for news."""
        if not report.tags.violations:
            return None
        features = self._reader.read(report)
        known = self._items.get(report.item_id) if report.item_id else None
        incident_id = known if known in self._states else self._best(features)
        return self._place(report, features, incident_id,
                           again=known is not None and known == incident_id)

    def continue_case(self, report: Report, retag: StepTagger) -> tuple[str, Tags] | None:
        """For a report with no violation evidence of its own (a court's next step, a
        company's answer): the incident it continues and the report's tags as a step of
        it, or None. The report must name a company, match one of that company's incidents
        - scored as if it had the incident's types - by `follow_up_margin` more than a join
        needs, and `retag` must find a step of a case in its text (Report.case_step says
        whether it may: the same phrases, found by the tagger)."""
        if report.tags.violations or not report.tags.companies or not report.case_step:
            return None
        known = self._items.get(report.item_id) if report.item_id else None
        incident_id: str | None
        if known in self._states:  # seen in an earlier run: it stays where it was put
            incident_id = known
        else:
            # Scored as the step it likely tells (a ruling continues a case; the tags'
            # own action, none, would say nothing).
            found = replace(self._reader.read(report), action=report.case_step)
            incident_id = self._case_continued(found)
        if incident_id is None:
            return None
        state = self._states.get(incident_id) or self._known[incident_id]
        tags = retag(report, frozenset(state["types"]), state["title"])
        if tags is None:
            return None
        # A step does not change who is accused of what: the case's roles stand for its
        # companies ("Perplexity calls Amazon's lawsuit bullying" reads Amazon as accused).
        roles = {c: state["companies"].get(c, role) for c, role in tags.roles.items()}
        tags = replace(tags, roles=roles)
        step = replace(report, tags=tags)
        self._place(step, self._reader.read(step), incident_id, again=known == incident_id)
        return incident_id, tags

    def _case_continued(self, report: Features) -> str | None:
        """The best-ranked incident of the report's companies, if the join decision clears
        the threshold by `follow_up_margin`. A known case must have begun by the report's
        day: a step comes after the case (a launch the day before a probe of it is news)."""
        enough = self._scorer.join_threshold + self._follow_up_margin
        day = report.day.isoformat() if report.day else None
        vec = self._scorer.vector(report)  # one for both pools
        for blocks, matches in self._pools():
            keys = (blocks.get(f"{c}|") for c in sorted(report.companies))
            newest = chain.from_iterable(reversed(b) for b in keys if b)
            ids = list(islice(dict.fromkeys(newest), self._cfg.max_candidates))
            if matches is self._known:
                enough += self._known_margin
                ids = self._recognised(report, [i for i in ids if _begun(matches[i]["match"], day)])
            incident_id, decision = self._scorer.best(
                report, [(i, matches[i]["match"]) for i in ids], adopt_types=True, vec=vec)
            if decision >= enough:
                return incident_id
        return None

    def _pools(self) -> tuple[tuple[dict, dict], ...]:
        """Where to look for a report's incident: the incidents, then the known cases no
        report has joined (the reports at hand come first: _case_continued takes a known
        case only when no incident would do, _best when it leads by known_case_lead)."""
        if not self._known:
            return ((self._blocks, self._states),)
        return (self._blocks, self._states), (self._known_blocks, self._known)

    def examine(self, report: Report) -> tuple[Features, list[tuple[str, tuple]]]:
        """The report's features and, per candidate incident the scorer would weigh, its
        pair features (for learning the weights; see tracker.learn_grouping)."""
        f = self._reader.read(report)
        vec = self._scorer.vector(f)
        out = []
        for i in self._candidates(f):
            match = self._states[i]["match"]
            pair = self._scorer.features(f, vec, i, match)
            if pair is not None:
                out.append((i, pair))
        return f, out

    def place(self, report: Report, features: Features, incident_id: str | None) -> str:
        """Put the report in the given incident, or a new one when None (for learning)."""
        return self._place(report, features, incident_id, again=False)

    def state(self, incident_id: str) -> dict:
        """The incident's JSON-serialisable state (title, dates, companies, lifecycle...)."""
        return self._states[incident_id]

    def changed(self) -> set[str]:
        """Ids of incidents created or updated since construction."""
        return set(self._changed)

    # -- matching -------------------------------------------------------------------

    def _best(self, report: Features) -> str | None:
        """The best-ranked candidate, if the join decision says the report continues it
        (log-odds at least `join_threshold`) rather than opening a new incident. A known
        case must clear it by `known_case_margin`, and take the report from an incident of
        the run only by leading it by `known_case_lead` more: a later step of a famous case
        (a verdict) belongs to that case, not to the company's other case that an earlier
        report of the run happened to open (a recall)."""
        threshold = self._scorer.join_threshold
        vec = self._scorer.vector(report)  # one for both pools
        best_id, best = None, threshold
        for blocks, matches in self._pools():
            bar = 0.0
            if matches is self._known:
                recognised = self._sharing_a_name(report)
                if not recognised:
                    continue
                ids = [i for i in self._candidates(report, blocks) if i in recognised]
                bar = self._known_margin + (self._known_lead if best_id is not None else 0.0)
            else:
                ids = self._candidates(report, blocks)
            incident_id, decision = self._scorer.best(
                report, [(i, matches[i]["match"]) for i in ids], vec=vec)
            score = decision - bar
            if incident_id is not None and (score > best or best_id is None and score == best):
                best_id, best = incident_id, score
        return best_id

    def _recognised(self, report: Features, case_ids: Iterable[str]) -> list[str]:
        """Those of `case_ids` that the report shares a name with (_sharing_a_name)."""
        recognised = self._sharing_a_name(report)
        return [i for i in case_ids if i in recognised] if recognised else []

    def _sharing_a_name(self, report: Features) -> set[str]:
        """The known cases the report shares a name with (a capitalised word, place,
        authority or amount; its companies' names are no terms): a known case is
        recognised by something of its own - a plaintiff, a product, a sum - not by its
        company and topic alone."""
        found: set[str] = set()
        for term, weight in report.terms.items():
            if weight >= NAME and term in self._known_terms:
                found |= self._known_terms[term]
        return found

    def _candidates(self, report: Features, blocks: dict | None = None) -> list[str]:
        """The most recently updated incidents of each of the report's blocks, at most
        `max_candidates` in all. Company-and-type blocks reach old incidents of a busy
        company; company blocks catch a later step whose type was read differently."""
        keys = _block_keys(report.companies, report.types)
        per_key = max(4, self._cfg.max_candidates // max(1, len(keys)))
        newest = [islice(reversed(block), per_key)
                  for block in map((self._blocks if blocks is None else blocks).get, keys)
                  if block]
        seen = dict.fromkeys(chain.from_iterable(newest))  # each once, in that order
        return list(islice(seen, self._cfg.max_candidates))

    # -- state ----------------------------------------------------------------------

    def _place(self, report: Report, features: Features, incident_id: str | None, *,
               again: bool) -> str:
        if incident_id is None:
            incident_id = self._create(report)
        elif incident_id in self._known:
            incident_id = self._adopt(incident_id, report)
        self._add(incident_id, report, features, again=again)
        return incident_id

    def _adopt(self, case_id: str, report: Report) -> str:
        """A report joins a known case: it becomes an incident, its profile that of the
        case (so later reports of the case find it), its reports those given here. Its id
        is the case's, unless ids come from `new_id` (the store's, stable across rebuilds
        whether or not a case was known); the state keeps the case's id either way."""
        case = self._known.pop(case_id)
        self._scorer.forget(case_id)
        for term in case["match"]["terms"]:
            self._known_terms[term].discard(case_id)
        incident_id = self._create(report) if self._new_id else case_id
        state = self._states.setdefault(incident_id, _empty_state(report))
        state["case"] = case_id
        state["match"] = copy_match(case["match"])
        self._scorer.update(incident_id, state["match"], _spread_keys(state["match"]))
        for key in _match_keys(case["match"]):
            self._known_blocks[key].pop(case_id, None)
            self._blocks[key][incident_id] = None
        return incident_id

    def _know(self, case_id: str, case: dict) -> None:
        if case_id in self._states or case_id in self._adopted:  # an incident now
            return
        self._known[case_id] = case
        self._scorer.know(case_id, case["match"])
        for term in case["match"]["terms"]:
            self._known_terms[term].add(case_id)
        for key in _match_keys(case["match"]):
            self._known_blocks[key][case_id] = None

    def _create(self, report: Report) -> str:
        incident_id = self._new_id(report) if self._new_id else f"inc-{self._next}"
        while incident_id in self._states or incident_id in self._known:  # keep ids unique
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
        lifecycle = state["lifecycle"]
        if again:
            lifecycle[:] = [s for s in lifecycle if s["item"] != report.item_id]
        bisect.insort(lifecycle, step, key=_step_order)
        if not again:
            new_keys = merge_match(state["match"], f, report.tags.action == "penalty")
            self._scorer.update(incident_id, state["match"], new_keys)
        _refresh_summary(state, report)
        for key in _block_keys(f.companies, f.types):
            block = self._blocks[key]
            block.pop(incident_id, None)  # most recently updated last
            block[incident_id] = None
        if report.item_id:
            self._items[report.item_id] = incident_id
        self._changed.add(incident_id)

    def _load(self, incident_id: str, state: dict) -> None:
        if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
            return  # an unknown or older state: the incident keeps its reports, unmatched
        self._states[incident_id] = state
        if state.get("case"):
            self._adopted.add(state["case"])
        match = state["match"]
        self._scorer.update(incident_id, match, _spread_keys(match))
        for key in _match_keys(match):
            self._blocks[key][incident_id] = None
        for step in state["lifecycle"]:
            if step.get("item"):
                self._items[step["item"]] = incident_id
        if m := _DEFAULT_ID.match(incident_id):
            self._next = max(self._next, int(m.group(1)) + 1)


def _begun(match: dict, day: str | None) -> bool:
    """Whether a case's first report (of those it keeps) is no later than `day`."""
    days = match["days"]
    return day is None or not days or days[0] <= day


@lru_cache(maxsize=1 << 12)  # reports repeat the same few company/type sets; pure speed-up
def _block_keys(companies: frozenset[str], types: frozenset[str]) -> tuple[str, ...]:
    """Where to look for a report's incident: each (company, type) pair, then each
    company; each type when it names no company."""
    kinds = sorted(types)
    names = sorted(companies)
    if not names:
        return tuple(f"|{t}" for t in kinds)
    return (*(f"{c}|{t}" for c in names for t in kinds), *(f"{c}|" for c in names))


def _match_keys(match: dict) -> tuple[str, ...]:
    return _block_keys(frozenset(match["companies"]), frozenset(match["types"]))


def _spread_keys(match: dict) -> set[str]:
    return set(match["terms"]) | {f"#{c}" for c in match["companies"]}


def empty_match() -> dict:
    """What an incident with no report yet has to match reports against."""
    return {"companies": {}, "accusers": [], "accused": [], "types": {}, "terms": {},
            "places": [], "authorities": [], "fines": [], "days": []}


def copy_match(match: dict) -> dict:
    """A match dict that merging into leaves the original as it was: its tables and lists
    copied (their members - names, counts, weights - are never changed in place). A
    member that is itself a container, which no match holds, is copied deeply."""
    out = {}
    for key, value in match.items():
        if isinstance(value, dict):
            inner = list(value.values())
        elif isinstance(value, list):
            inner = value
        else:
            out[key] = value
            continue
        if any(isinstance(v, (dict, list, set)) for v in inner):
            out[key] = copy.deepcopy(value)
        else:
            out[key] = value.copy()
    return out


def _empty_state(report: Report) -> dict:
    return {"version": STATE_VERSION, "title": report.title, "first_report": None,
            "last_report": None, "companies": {}, "types": [], "lifecycle": [],
            "report_count": 0, "outlets": [], "outlet_count": 0,
            "match": empty_match()}


def merge_match(match: dict, f: Features, penalty: bool) -> list[str]:
    """Add the report's features to the incident's; the spread keys (terms and
    "#company") the incident did not have before."""
    companies = match["companies"]
    new_keys = [f"#{c}" for c in f.companies if c not in companies]
    for c in f.companies:
        companies[c] = companies.get(c, 0) + 1
    for t in f.types:
        match["types"][t] = match["types"].get(t, 0) + 1
    new_keys += _merge_terms(match, f.terms)
    for key, values in (("places", f.places), ("authorities", f.authorities),
                        ("accusers", f.accusers), ("accused", f.accused),
                        ("fines", f.amounts if penalty else frozenset())):
        if values and not values.issubset(match.get(key, ())):
            match[key] = sorted(set(match.get(key, ())) | values)
    # (Both lists are sorted and without repeats: one already there leaves them as they are.)
    if f.day is not None and (day := f.day.isoformat()) not in match["days"]:
        match["days"] = sorted(set(match["days"]) | {day})[-20:]
    if f.action and f.action not in match.get("actions", ()):
        match["actions"] = sorted(set(match.get("actions", ())) | {f.action})
    return new_keys


def _merge_terms(match: dict, weights: dict[str, float]) -> list[str]:
    """Add the report's term weights to the incident's, keeping its MAX_TERMS heaviest;
    the terms it did not have before and keeps."""
    terms = match["terms"]
    new = []
    for term, weight in weights.items():
        if term in terms:
            terms[term] += weight
        else:
            terms[term] = weight
            new.append(term)
    if len(terms) > MAX_TERMS:
        # The heaviest, the earlier first among equals (as Counter.most_common); the dict
        # is mostly in that order already, which sorting is quick to see.
        terms = match["terms"] = dict(
            sorted(terms.items(), key=itemgetter(1), reverse=True)[:MAX_TERMS])
        new = [term for term in new if term in terms]
    return new


def _step_order(step: dict) -> tuple[str, str]:
    return step["date"] or "9999", step["item"] or ""


def _refresh_summary(state: dict, report: Report) -> None:
    """The human-facing part of the state: title, dates, companies with roles, counts."""
    lifecycle = state["lifecycle"]  # sorted by date, undated last
    first = lifecycle[0]
    state["title"] = first.get("title") or state["title"]
    dated = lifecycle[0]["date"] is not None
    state["first_report"] = first["date"] if dated else None
    day = report.published[:10] if report.published else None
    if day and (state["last_report"] is None or day > state["last_report"]):
        state["last_report"] = day
    roles = state.setdefault("_roles", {})
    for company, role in report.tags.roles.items():
        counts = roles.setdefault(company, {})
        counts[role] = counts.get(role, 0) + 1
        state["companies"][company] = max(counts, key=lambda k: (counts[k], k == "accused"))
    if not set(report.tags.violations).issubset(state["types"]):
        state["types"] = sorted(set(state["types"]) | set(report.tags.violations))
    state["report_count"] = len(lifecycle)
    if report.source and report.source not in state["outlets"]:
        bisect.insort(state["outlets"], report.source)
    state["outlet_count"] = len(state["outlets"])
