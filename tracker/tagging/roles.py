"""Who is accused, who accuses, who is affected: one role per tagged company."""
from __future__ import annotations

import re

from tracker.tagging.companies import PARTY, Mention
from tracker.tagging.text import Doc
from tracker.taxonomy import Taxonomy

_TIE_ORDER = ("accused", "accuser", "affected")


def assign_roles(doc: Doc, tax: Taxonomy, mentions: list[Mention], companies: tuple[str, ...],
                 is_incident: bool) -> dict[str, str]:
    """Company → role. Ordinary news: everyone is a "party"."""
    roles = dict.fromkeys(companies, PARTY)
    if not is_incident:
        return roles
    votes: dict[str, dict[str, int]] = {}  # company → role → mentions cueing it
    for m in mentions:
        if m.kind == PARTY and m.company in roles and (role := _mention_role(doc, tax, m)):
            tally = votes.setdefault(m.company, {})
            tally[role] = tally.get(role, 0) + 1
    for company, tally in votes.items():
        roles[company] = _winner(tally)
    return _default_accused(doc, mentions, roles)


def _mention_role(doc: Doc, tax: Taxonomy, m: Mention) -> str | None:
    if not m.left and tax.roles_after is not None:  # no cue before: one regex decides
        found = _cue_after(doc, tax, m)
        if found is None:
            return None
        if found.group(0).strip():  # an empty cue counts for nothing: see below
            groups = tax.roles_after.groupindex
            return next(role for i, (role, _) in enumerate(tax.roles)
                        if f"_role{i}" in groups and found.start(f"_role{i}") >= 0)
    for role, rule in tax.roles:
        if rule.matches(m.left, m.right):
            return role
    return None


def _cue_after(doc: Doc, tax: Taxonomy, m: Mention) -> re.Match | None:
    """tax.roles_after at the start of the text after the mention; the same match by its
    twin on the lower-cased text where there is one (several times faster)."""
    if tax.roles_after_lower is None or doc.lower is None:
        return tax.roles_after.match(m.right)  # type: ignore[union-attr]
    return tax.roles_after_lower.match(doc.lower[m.end:m.end + len(m.right)])


def _winner(votes: dict[str, int]) -> str:
    top = max(votes.values())
    return next(r for r in _TIE_ORDER if votes.get(r) == top)


def _default_accused(doc: Doc, mentions: list[Mention], roles: dict[str, str]) -> dict[str, str]:
    """An incident always has someone accused: else the first party named in the title."""
    if "accused" in roles.values():
        return roles
    for m in mentions:
        if m.start < doc.title_end and roles.get(m.company) == PARTY:
            return {**roles, m.company: "accused"}
    return roles
