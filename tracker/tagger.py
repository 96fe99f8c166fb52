"""Item text → labels with evidence: companies (with roles), violation types, action.

Pure: the same text and taxonomy always give the same Tags. The rules live in
data/taxonomy/*.toml; the parts live in tracker/tagging/.
"""
from __future__ import annotations

from tracker.models import Tags
from tracker.tagging.actions import find_action
from tracker.tagging.companies import add_paired_cues, find_mentions, parties
from tracker.tagging.roles import assign_roles
from tracker.tagging.text import prepare
from tracker.tagging.violations import find_violations
from tracker.taxonomy import Taxonomy

_EMPLOYER_TYPES = {"trade_secret", "labor"}


def tag_item(title: str, summary: str = "", text: str = "", *, taxonomy: Taxonomy) -> Tags:
    """Label one item. Ordinary news gets no violations and no action."""
    doc = prepare(title, summary, text)
    # Paired cues that the index must search for (slow) only where a name needs them.
    hits = taxonomy.index.scan(doc.text, lower=doc.lower, later=taxonomy.paired_wild)
    add_paired_cues(doc, taxonomy, hits)
    mentions = find_mentions(doc, taxonomy, hits)
    violations = find_violations(doc, hits, taxonomy.contains)
    companies, company_evidence = parties(mentions, _promoted(violations), bool(violations))
    evidence = {f"company:{c}": phrases for c, phrases in company_evidence.items()}
    evidence.update({f"violation:{v}": phrases for v, phrases in violations.items()})
    action = None
    if violations:
        action, phrases = find_action(doc, hits, taxonomy.action_priority,
                                      taxonomy.default_action)
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
