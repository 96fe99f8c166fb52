"""Forms that write: picking an incident, correcting it, saving watches.

Writes go through tracker.store_corrections on a store opened for the one
write and closed again; a success or an error is kept in session state as a
"flash" and shown after the rerun that brings the new data.
"""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from app_pages import data, ui
from app_pages.data import View
from tracker import store_corrections as fixes
from tracker.errors import TrackerError
from tracker.models import ACTIONS, VIOLATIONS
from tracker.palette import action_label, violation_label
from tracker.safe_text import md_code, md_escape
from tracker.store import open_store

FLASH = "flash"
GOTO = "goto_incident"
PICK = "incident_pick"


def show_flash() -> None:
    kind, text = st.session_state.pop(FLASH, (None, None))
    if kind == "ok":
        st.success(text, icon=":material/check_circle:")
    elif kind == "error":
        st.error(text, icon=":material/error:")


def _write(v: View, action: Callable, done: Callable[[object], str], *,
           open_result: bool = False) -> None:
    """Run one correction; remember how it went (and which incident to show); rerun."""
    try:
        with open_store(v.db) as store:
            result = action(store)
    except TrackerError as e:
        st.session_state[FLASH] = ("error", md_escape(str(e)))
    else:
        st.session_state[FLASH] = ("ok", done(result))
        if open_result:
            st.session_state[GOTO] = result
    st.rerun()


# -- choosing an incident -------------------------------------------------------------

def incident_picker(v: View) -> str:
    """The incident named in the URL (?incident=…), with a picker over the matching ones."""
    pending = st.session_state.pop(GOTO, None)
    if pending:  # set before the picker exists, so its state may be assigned
        st.query_params["incident"] = pending
        st.session_state[PICK] = pending
    wanted = str(st.query_params.get("incident", "") or "")[:100]
    choices = dict(data.incident_choices(v))
    if wanted and wanted not in choices:
        choices = {wanted: f"{wanted} (from the link)", **choices}
    ids = list(choices)
    st.selectbox("Incident", ids, index=ids.index(wanted) if wanted else None, key=PICK,
                 format_func=lambda i: choices.get(i, i), on_change=_picked,
                 placeholder="Choose one of the matching incidents…")
    return wanted


def _picked() -> None:
    st.query_params["incident"] = st.session_state.get(PICK) or ""


# -- corrections ------------------------------------------------------------------------

def corrections(v: View, card: dict) -> None:
    reports = card["reports"]
    incident_id = card["detail"]["incident"]
    who = ui.analyst_name()
    labels = {r.item_id: f"{r.published[:10]} · {r.source} · {r.title[:80]}" for r in reports}
    item_id = st.selectbox("Report", list(labels), format_func=labels.get, key="corr_item")
    report = next(r for r in reports if r.item_id == item_id)
    fix_labels, move, merge, split = st.tabs(["Labels", "Move", "Merge", "Split"])
    with fix_labels:
        _labels_form(v, report, who)
    with move:
        _move_form(v, report, incident_id, who)
    with merge:
        _merge_form(v, incident_id, who)
    with split:
        _split_form(v, incidents_reports=labels, incident_id=incident_id, who=who)


def _labels_form(v: View, report, who: str) -> None:
    known, _ = data.filter_options(v.db, v.token)
    with st.form(f"labels_{report.item_id}"):
        companies = st.multiselect("Companies", sorted(set(known) | set(report.companies)),
                                   default=list(report.companies), accept_new_options=True)
        violations = st.multiselect("Violation types", VIOLATIONS,
                                    default=list(report.violations), format_func=violation_label)
        options = [None, *ACTIONS]
        action = st.selectbox("Action", options, index=options.index(report.action or None),
                              format_func=lambda a: action_label(a) if a else "None")
        if st.form_submit_button("Apply correction", icon=":material/edit:"):
            _write(v, lambda s: fixes.correct_item(
                s, report.item_id, who, companies=companies, violations=violations,
                action=action).item_id, lambda _: "Labels of the report corrected.")


def _move_form(v: View, report, incident_id: str, who: str) -> None:
    with st.form(f"move_{report.item_id}"):
        target = st.text_input("Move this report to incident (id)", max_chars=100)
        if st.form_submit_button("Move report", icon=":material/call_split:"):
            _write(v, lambda s: fixes.move_item(s, report.item_id, target.strip(), who),
                   lambda r: f"Report moved to incident {md_code(r)}.")


def _merge_form(v: View, incident_id: str, who: str) -> None:
    with st.form("merge"):
        target = st.text_input("Merge this incident into incident (id)", max_chars=100)
        if st.form_submit_button("Merge", icon=":material/call_merge:"):
            _write(v, lambda s: fixes.merge_incidents(s, incident_id, target.strip(), who),
                   lambda r: f"Merged into incident {md_code(r)}.", open_result=True)


def _split_form(v: View, *, incidents_reports: dict, incident_id: str, who: str) -> None:
    with st.form("split"):
        chosen = st.multiselect("Reports that belong to a different incident",
                                list(incidents_reports), format_func=incidents_reports.get)
        if st.form_submit_button("Split into a new incident", icon=":material/call_split:"):
            _write(v, lambda s: fixes.split_incident(s, incident_id, chosen, who),
                   lambda r: f"Split off as incident {md_code(r)}.", open_result=True)


# -- watches ----------------------------------------------------------------------------

def save_watch_form(v: View, who: str) -> None:
    with st.form("save_watch", clear_on_submit=True):
        st.markdown(f"Current filters: {md_escape(ui.describe(v.filters))}")
        name = st.text_input("Watch name", max_chars=100, placeholder="e.g. OpenAI copyright")
        if st.form_submit_button("Save as a watch", icon=":material/notifications:"):
            _write(v, lambda s: fixes.save_watch(s, name, v.filters, who),
                   lambda r: f"Watch “{md_escape(r)}” saved.")


def apply_watch(filters) -> None:
    """Callback: load a watch's filters into the sidebar (and so into the URL)."""
    values = {"since": filters.since, "until": filters.until, "company": list(filters.companies),
              "type": list(filters.violations), "action": list(filters.actions),
              "source": list(filters.sources), "q": filters.text}
    for key, value in values.items():
        st.session_state[key] = value


def delete_watch_form(v: View, names: list[str], who: str) -> None:
    with st.form("delete_watch"):
        name = st.selectbox("Watch", names)
        if st.form_submit_button("Delete watch", icon=":material/delete:"):
            _write(v, lambda s: fixes.delete_watch(s, name, who) or name,
                   lambda r: f"Watch “{md_escape(r)}” deleted.")
