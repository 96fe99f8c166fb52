"""Item text → labels with evidence: companies (with roles), violation types, action.

Pure: the same text and taxonomy always give the same Tags. The rules live in
data/taxonomy/*.toml; the parts live in tracker/tagging/.
"""
from __future__ import annotations

from tracker.models import Tags
from tracker.tagging.actions import find_action
from tracker.tagging.companies import find_mentions, parties
from tracker.tagging.roles import assign_roles
from tracker.tagging.text import prepare
from tracker.tagging.violations import find_violations
from tracker.taxonomy import Taxonomy


def tag_item(title: str, summary: str = "", text: str = "", *, taxonomy: Taxonomy) -> Tags:
    """Label one item. Ordinary news gets no violations and no action."""
    doc = prepare(title, summary, text)
    mentions = find_mentions(doc, taxonomy)
    companies, company_evidence = parties(mentions)
    violations = find_violations(doc, taxonomy)
    evidence = {f"company:{c}": phrases for c, phrases in company_evidence.items()}
    evidence.update({f"violation:{v}": phrases for v, phrases in violations.items()})
    action = None
    if violations:
        action, phrases = find_action(doc, taxonomy)
        evidence[f"action:{action}"] = phrases or ("(no action phrase: a report)",)
    roles = assign_roles(doc, taxonomy, mentions, companies, bool(violations))
    return Tags(companies=companies, violations=tuple(violations), action=action,
                roles=roles, evidence=evidence)
