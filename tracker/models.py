"""Values that flow between the core modules (no I/O here)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Role = Literal["accused", "accuser", "affected", "party"]
ROLES: tuple[str, ...] = ("accused", "accuser", "affected", "party")

VIOLATIONS: tuple[str, ...] = (
    "tos_violation", "copyright", "privacy", "data_scraping", "antitrust",
    "export_control", "security_breach", "trade_secret", "safety_harm",
    "bias_discrimination", "misinformation", "deception_fraud",
    "deepfake_impersonation", "labor",
)
ACTIONS: tuple[str, ...] = (
    "report", "response", "investigation", "lawsuit", "ruling", "penalty", "restriction",
)


@dataclass(frozen=True)
class Tags:
    """What the tagger says about one item.

    `roles` maps each company in `companies` to its role in the event;
    `evidence` maps a label key ("company:OpenAI", "violation:copyright",
    "action:lawsuit") to the phrases in the text that triggered it.
    """

    companies: tuple[str, ...] = ()
    violations: tuple[str, ...] = ()
    action: str | None = None
    roles: Mapping[str, str] = field(default_factory=dict)
    evidence: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def is_incident(self) -> bool:
        return bool(self.violations)


@dataclass(frozen=True)
class Report:
    """One tagged item as the incident grouper sees it."""

    item_id: str  # stable id (the store's item id, or the classify input id)
    title: str
    summary: str
    published: str  # ISO-8601 date or datetime, UTC
    source: str
    tags: Tags
    # For a report with no violation of its own: the step of a case (tracker.tagger.
    # CASE_STEPS) its text has a phrase of, if any. Only such a report may continue a case
    # (IncidentGrouper.continue_case), scored as that step.
    case_step: str | None = None


# (report, its case's types, the case's title) → the report's tags as a step of that case, or
# None when its text tells no step (tracker.tagger.case_step_tagger builds one; the grouper's
# IncidentGrouper.continue_case calls it).
StepTagger = Callable[[Report, frozenset[str], str], Tags | None]
