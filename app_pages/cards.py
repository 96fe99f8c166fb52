"""The incident card: header, companies with roles, types with their evidence, reports.

Every string from a feed goes through md_escape before Markdown sees it, or
into a data-grid cell, which shows text as text.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import tables
from tracker.palette import action_label, violation_label
from tracker.safe_text import md_code, md_escape, web_url

REPORT_COLUMNS = {
    "first": st.column_config.TextColumn("", width="small"),
    "published": st.column_config.DateColumn("Published", format="YYYY-MM-DD"),
    "source": st.column_config.TextColumn("Outlet"),
    "title": st.column_config.TextColumn("Title", width="large"),
    "action": st.column_config.TextColumn("Step"),
    "link": st.column_config.LinkColumn("Link", display_text="open ↗", width="small"),
    "item_id": st.column_config.NumberColumn("Item id", format="%d"),
}


def header(card: dict) -> None:
    d = card["detail"]
    if card["merged_from"]:
        st.info(f"Incident {md_code(card['merged_from'])} was merged into this one.",
                icon=":material/call_merge:")
    st.title(md_escape(d["title"]))
    latest = (f" · latest step: **{action_label(d['latest_action'])}** on "
              f"{d['latest_action_date'][:10]}" if d["latest_action"] else "")
    st.caption(f"First reported {d['first_date'][:10]} · {d['report_count']} report(s) from "
               f"{d['outlet_count']} outlet(s){latest} · id {md_code(d['incident'])}")


def companies(card: dict) -> None:
    evidence = _evidence_by_label(card["reports"], "company:")
    rows = [{"company": c["name"], "role": c["role"],
             "evidence": "; ".join(evidence.get(c["name"], []))[:300]}
            for c in card["detail"]["company_roles"]]
    if not rows:
        st.caption("No company was recognised in these reports.")
        return
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="incident_companies",
                 column_config={"company": "Company", "role": "Role",
                                "evidence": st.column_config.TextColumn("Named as")})


def violation_evidence(card: dict) -> None:
    """'Why is this tagged copyright?': the phrases that triggered each type, per report."""
    for violation in card["detail"]["violation_ids"]:
        with st.expander(f"Why is this tagged {violation_label(violation)}?"):
            lines = [_evidence_line(r, violation) for r in card["reports"]
                     if violation in r.violations]
            st.markdown("\n".join(f"- {line}" for line in lines if line)
                        or "No phrase was recorded for this type.")


def _evidence_line(report, violation: str) -> str:
    phrases = report.evidence.get(f"violation:{violation}", [])
    said = ", ".join(f"“{md_escape(p)}”" for p in phrases[:5])
    if "override:violations" in report.evidence:
        said = (said + "; " if said else "") + "set by an analyst's correction"
    if not said:
        return ""
    return f"{said} — {md_escape(report.source)}, {report.published[:10]}"


def _evidence_by_label(reports: list, prefix: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for report in reports:
        for key, phrases in report.evidence.items():
            if key.startswith(prefix):
                bucket = found.setdefault(key[len(prefix):], [])
                bucket += [p for p in phrases if p not in bucket]
    return found


def reports(card: dict) -> None:
    rows = card["reports"]
    frame = pd.DataFrame({
        "first": ["★ first" if i == 0 else "" for i in range(len(rows))],
        "published": [tables.day(r.published) for r in rows],
        "source": [r.source for r in rows],
        "title": [r.title for r in rows],
        "action": [action_label(r.action) for r in rows],
        "link": [web_url(r.url) for r in rows],
        "item_id": [r.item_id for r in rows],
    }, columns=list(REPORT_COLUMNS))
    st.dataframe(frame, hide_index=True, column_config=REPORT_COLUMNS, key="incident_reports",
                 height="content", placeholder="")


def audit(entries: list[dict]) -> None:
    if not entries:
        return
    st.subheader("Corrections to this incident")
    st.dataframe(pd.DataFrame(entries), hide_index=True, key="incident_audit")
