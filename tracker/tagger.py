"""Item text → labels with evidence: companies (with roles), violation types, action.

Pure: the same text and taxonomy always give the same Tags. The rules live in
data/taxonomy/*.toml; the parts live in tracker/tagging/.
"""
from __future__ import annotations

from collections.abc import Iterable

from tracker.models import VIOLATIONS, Report, StepTagger, Tags
from tracker.tagging.actions import find_action
from tracker.tagging.companies import add_paired_cues, find_mentions, parties
from tracker.tagging.phrases import Hit
from tracker.tagging.roles import assign_roles
from tracker.tagging.text import Doc, prepare
from tracker.tagging.violations import find_violations
from tracker.taxonomy import Taxonomy

_EMPLOYER_TYPES = {"trade_secret", "labor"}
# Types whose rules are themselves the event: new export curbs restrict someone.
_RULES_ARE_EVENTS = frozenset({"export_control"})


# The steps of a case a report may tell without naming the wrongdoing again ("judge lets
# the states' claims proceed", "Apple takes the fine to court"): such a report continues the
# incident it matches (tag_case_step). A plain report is no step.
CASE_STEPS = frozenset({"ruling", "penalty", "response", "lawsuit", "investigation",
                        "restriction"})
# The phrase sets of violation evidence (violations.toml), strong and topic.
_EVIDENCE_SETS = tuple(f"{kind}:{v}" for v in VIOLATIONS for kind in ("strong", "topic"))
# Mention cues (mentions.toml) that tell of a case other than the item's own.
_ASIDES = ("np:earlier_case", "np:past_case")


def tag_item(title: str, summary: str = "", text: str = "", *, taxonomy: Taxonomy) -> Tags:
    """Label one item. Ordinary news gets no violations and no action."""
    return tag_for_grouping(title, summary, text, taxonomy=taxonomy)[0]


def tag_for_grouping(title: str, summary: str = "", text: str = "", *,
                     taxonomy: Taxonomy) -> tuple[Tags, str | None]:
    """tag_item's labels and, for an item with no violation, the step of a case its text
    has a phrase of, if any (Report.case_step): the grouper tries to continue a case with
    such a report only, which spares it scoring most ordinary news."""
    doc, hits, mentions = _read(title, summary, text, taxonomy)
    violations = find_violations(doc, hits, taxonomy.contains)
    if violations and not mentions and _in_headline(doc, hits, "lawmaking") \
            and not violations.keys() & _RULES_ARE_EVENTS:
        violations = {}  # a law against a harm, not an incident (cues.toml `lawmaking`)
    company_news = _is_company_news(doc, hits)
    if violations and company_news:
        violations = {}  # results or a company's own rules, harms only as asides
    action: str | None = None
    phrases: tuple[str, ...] = ()
    if violations:
        action, phrases = find_action(doc, hits, taxonomy.action_priority,
                                      taxonomy.default_action)
    tags = _labels(doc, taxonomy, mentions, violations, action, phrases)
    # A company's own news is no step of a case either ("will appeal the ruling", in passing).
    no_step = violations or company_news
    return tags, None if no_step else _likely_step(hits, taxonomy.action_priority)


def _is_company_news(doc: Doc, hits: dict) -> bool:
    """The headline tells a company's own news (cues.toml `company_news`) and names no
    violation itself: any violation phrase lies in the summary. (A phrase that runs on from
    the headline into the summary is no evidence: find_violations keeps phrases within a
    sentence.)"""
    title_end = doc.title_end
    return _in_headline(doc, hits, "company_news") and not any(
        h.end <= title_end for name in _EVIDENCE_SETS for h in hits.get(name, ()))


def _in_headline(doc: Doc, hits: dict, name: str) -> bool:
    """A phrase of the set `name` starts in the headline (`lawmaking`: a law or regulation
    made, signed or enforced; `company_news`: a company's own news)."""
    return any(h.start < doc.title_end for h in hits.get(name, ()))


def _likely_step(hits: dict, priority: tuple[str, ...]) -> str | None:
    """The first step of a case (in the taxonomy's priority order) that the text has a
    phrase of, if any: what find_action may settle on, known without running it. A phrase
    inside a cue for another, earlier case ("Disney is separately suing Midjourney", told
    as an aside to a licensing deal) tells no step of this one, nor does someone leaving
    (cues.toml `departures`)."""
    asides = [h for name in _ASIDES for h in hits.get(name, ())]
    departures = {(h.start, h.end) for h in hits.get("departure", ())}
    return next((a for a in priority if a in CASE_STEPS and any(
        not _inside(h, asides) and (h.start, h.end) not in departures
        for name in (f"act:{a}", f"weak:{a}") for h in hits.get(name, ())
    )), None)


def _inside(hit: Hit, spans: list[Hit]) -> bool:
    return any(s.start <= hit.start and hit.end <= s.end for s in spans)


def tag_case_step(title: str, summary: str = "", text: str = "", *, case_types: Iterable[str],
                  case_title: str, taxonomy: Taxonomy) -> Tags | None:
    """Labels for an item with no violation evidence of its own that the grouper found to
    continue a case (an incident of `case_types`, titled `case_title`): the case's types,
    with the case as their evidence, and the step the text tells. None when it tells no
    step of a case (CASE_STEPS), so that ordinary news about the same company stays news."""
    doc, hits, mentions = _read(title, summary, text, taxonomy)
    action, phrases = find_action(doc, hits, taxonomy.action_priority, "")
    if action not in CASE_STEPS or not phrases:
        return None
    evidence = (f"continues the case: {case_title}",)
    violations = {v: evidence for v in sorted(case_types)}
    return _labels(doc, taxonomy, mentions, violations, action, phrases)


def case_step_tagger(taxonomy: Taxonomy, text: str = "") -> StepTagger:
    """tag_case_step as the grouper calls it (IncidentGrouper.continue_case): a report,
    whose body is `text`, as a step of a case with these types and this title."""
    def retag(report: Report, types: frozenset[str], case_title: str) -> Tags | None:
        return tag_case_step(report.title, report.summary, text, case_types=types,
                             case_title=case_title, taxonomy=taxonomy)
    return retag


def _read(title: str, summary: str, text: str, taxonomy: Taxonomy) -> tuple[Doc, dict, list]:
    """The prepared text, its phrase hits and its company mentions."""
    doc = prepare(title, summary, text)
    # Paired cues that the index must search for (slow) only where a name needs them.
    hits = taxonomy.index.scan(doc.text, lower=doc.lower, later=taxonomy.paired_wild)
    add_paired_cues(doc, taxonomy, hits)
    return doc, hits, find_mentions(doc, taxonomy, hits)


def _labels(doc: Doc, taxonomy: Taxonomy, mentions: list, violations: dict, action: str | None,
            phrases: tuple[str, ...]) -> Tags:
    """Tags from what was found: parties (their roles depend on whether it is an incident),
    the violations and the action, each with its evidence."""
    companies, company_evidence = parties(mentions, _promoted(violations), bool(violations))
    evidence = {f"company:{c}": found for c, found in company_evidence.items()}
    evidence.update({f"violation:{v}": phrases for v, phrases in violations.items()})
    if action is not None:
        evidence[f"action:{action}"] = phrases or ("(no action phrase: a report)",)
    roles = assign_roles(doc, taxonomy, mentions, companies, bool(violations))
    return Tags(companies=companies, violations=tuple(violations), action=action,
                roles=roles, evidence=evidence)


def _promoted(violations: dict) -> frozenset[str]:
    """Mentions that are parties only in an incident: a chip supplier ("Nvidia GPUs") in a
    smuggling case; a former employer when its secrets or its workers are the subject."""
    if not violations:
        return frozenset()
    if violations.keys() & _EMPLOYER_TYPES:
        return frozenset({"supplier", "former_employer"})
    return frozenset({"supplier"})
