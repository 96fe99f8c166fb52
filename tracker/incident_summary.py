"""An incident's card, derived from its reports (pure: rows in, summary out)."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from tracker.models import VIOLATIONS

# When reports disagree on a company's role, the more specific role wins ties.
_ROLE_RANK = {"accused": 3, "accuser": 2, "affected": 1, "party": 0}


@dataclass(frozen=True)
class IncidentSummary:
    title: str
    first_date: str
    last_date: str
    report_count: int
    outlet_count: int
    latest_action: str | None
    latest_action_date: str | None
    companies: list[dict]  # [{"name", "role"}], most-mentioned first
    violations: list[str]
    lifecycle: list[dict]  # [{"date", "action", "item_id", "source", "title"}]


def summarise(rows: list[tuple]) -> IncidentSummary | None:
    """rows: (id, title, published, source, action, companies, violations, roles), by date."""
    if not rows:
        return None
    lifecycle = [{"date": r[2], "action": r[4], "item_id": r[0], "source": r[3], "title": r[1]}
                 for r in rows]
    acted = [step for step in lifecycle if step["action"]]
    return IncidentSummary(
        title=rows[0][1],
        first_date=rows[0][2],
        last_date=rows[-1][2],
        report_count=len(rows),
        outlet_count=len({r[3] for r in rows}),
        latest_action=acted[-1]["action"] if acted else None,
        latest_action_date=acted[-1]["date"] if acted else None,
        companies=_companies_with_roles(rows),
        violations=_violations(rows),
        lifecycle=lifecycle,
    )


def _companies_with_roles(rows: list[tuple]) -> list[dict]:
    mentions: Counter[str] = Counter()
    roles: dict[str, Counter[str]] = {}
    for row in rows:
        item_roles = json.loads(row[7] or "{}")
        for name in json.loads(row[5] or "[]"):
            mentions[name] += 1
            roles.setdefault(name, Counter())[item_roles.get(name, "party")] += 1
    return [{"name": name, "role": _main_role(roles[name])} for name, _ in mentions.most_common()]


def _main_role(counts: Counter[str]) -> str:
    specific = {r: n for r, n in counts.items() if r != "party"} or dict(counts)
    return max(specific, key=lambda r: (specific[r], _ROLE_RANK.get(r, 0)))


def _violations(rows: list[tuple]) -> list[str]:
    found = {v for row in rows for v in json.loads(row[6] or "[]")}
    return [v for v in VIOLATIONS if v in found] + sorted(found - set(VIOLATIONS))
