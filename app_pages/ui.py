"""What every page shares: the sidebar filters (held in the URL), the empty state,
the filter summary, the CSV buttons and the analyst's name.

The sidebar widgets are bound to query parameters whose names are those of
`Filters.to_params`, so the URL is the view: reload it or send it, and the
same filters come back. Unknown values in a URL are dropped by the widgets.
"""
from __future__ import annotations

from datetime import date

import streamlit as st

from app_pages import data
from app_pages.data import View
from tracker.filters import Filters, search_note
from tracker.models import ACTIONS, VIOLATIONS
from tracker.palette import action_label, violation_label
from tracker.safe_text import md_escape
from tracker.store_corrections import default_who

FILTER_DEFAULTS: dict[str, object] = {
    "since": None, "until": None, "company": [], "type": [], "action": [], "source": [], "q": "",
}
EARLIEST = date(1995, 1, 1)


def reset_filters() -> None:
    """Callback: runs before the widgets, so assigning their state is allowed."""
    for key, value in FILTER_DEFAULTS.items():
        st.session_state[key] = list(value) if isinstance(value, list) else value


def _adopt_ids_from_url() -> None:
    """The widgets write types and actions as labels; a hand-written link may use ids
    (?type=copyright). On a session's first run, read those into the widgets' state."""
    for key, attr in (("type", "violations"), ("action", "actions")):
        raw = st.query_params.get_all(key)
        if raw and key not in st.session_state:
            ids = getattr(Filters.from_params({key: raw}), attr)
            if ids and any(value in ids for value in raw):
                st.session_state[key] = list(ids)


def sidebar_filters(companies: list[str], sources: list[str]) -> None:
    _adopt_ids_from_url()
    with st.sidebar:
        st.subheader("Filters")
        col_from, col_to = st.columns(2)
        col_from.date_input("From", value=None, min_value=EARLIEST, key="since",
                            bind="query-params", format="YYYY-MM-DD")
        col_to.date_input("To", value=None, min_value=EARLIEST, key="until",
                          bind="query-params", format="YYYY-MM-DD")
        st.multiselect("Companies", companies, key="company", bind="query-params",
                       placeholder="All companies")
        st.multiselect("Violation types", VIOLATIONS, key="type", bind="query-params",
                       format_func=violation_label, placeholder="All types")
        st.multiselect("Actions", ACTIONS, key="action", bind="query-params",
                       format_func=action_label, placeholder="All actions")
        st.multiselect("Sources", sources, key="source", bind="query-params",
                       placeholder="All sources")
        st.text_input("Search text", key="q", bind="query-params", max_chars=500,
                      placeholder="words, \"a phrase\", prefix*",
                      help="Searches titles, summaries and article text.")
        st.button("Reset filters", on_click=reset_filters, icon=":material/restart_alt:",
                  key="reset_filters", width="stretch")


def current_filters() -> Filters:
    state = st.session_state
    return Filters.make(
        since=state.get("since"), until=state.get("until"), companies=state.get("company") or (),
        violations=state.get("type") or (), actions=state.get("action") or (),
        sources=state.get("source") or (), text=state.get("q") or "")


def view() -> View:
    """The page's view; stops the page with a plain instruction if there is no archive."""
    path = data.db_path()
    token = data.db_token(path)
    size = data.archive_size(str(path), token)
    if size <= 0:
        empty_archive(path, missing=size < 0)
        st.stop()
    filters = current_filters()
    note = search_note(filters.text)
    if note:
        st.info(md_escape(note), icon=":material/search_off:")
    return View(str(path), token, filters)


def empty_archive(path, *, missing: bool) -> None:
    what = "There is no database" if missing else "The database is empty"
    st.info(f"{what} at `{md_escape(path)}` yet.\n\n"
            "Build the demo archive with `make run` (or `python -m tracker demo`), "
            "or fetch live news with `python -m tracker scrape`; then reload this page. "
            "Set `TRACKER_DB` to use another file.",
            title="Nothing to show yet", icon=":material/database:")


def describe(f: Filters) -> str:
    """The active filters in one line of plain text."""
    parts = []
    if f.since or f.until:
        parts.append(f"{f.since or 'start'} → {f.until or 'today'}")
    for label, values, fmt in (("companies", f.companies, str),
                               ("types", f.violations, violation_label),
                               ("actions", f.actions, action_label),
                               ("sources", f.sources, str)):
        if values:
            parts.append(f"{label}: " + ", ".join(fmt(v) for v in values))
    if f.text:
        parts.append(f"text: “{f.text}”")
    return " · ".join(parts) if parts else "all dates, companies, types and sources"


def filter_caption(f: Filters) -> None:
    st.caption(f"Showing {md_escape(describe(f))}.")


def no_rows(what: str) -> None:
    st.info(f"No {what} match these filters. Widen the dates, remove a company or type, "
            "or press **Reset filters** in the sidebar.", icon=":material/filter_alt_off:")


def export_buttons(v: View, *, items: bool = True, incidents: bool = True) -> None:
    """CSV of the current view; built only when clicked (an archive can be large)."""
    stamp = date.today().isoformat()
    with st.container(horizontal=True):
        if items:
            st.download_button("Items CSV", data=lambda: data.items_csv(v),
                               file_name=f"items-{stamp}.csv", mime="text/csv",
                               icon=":material/download:", key="dl_items", on_click="ignore")
        if incidents:
            st.download_button("Incidents CSV", data=lambda: data.incidents_csv(v),
                               file_name=f"incidents-{stamp}.csv", mime="text/csv",
                               icon=":material/download:", key="dl_incidents",
                               on_click="ignore")


def analyst_name() -> str:
    """Asked once per browser session; the OS user when left blank."""
    fallback = default_who()
    name = st.text_input("Your name (kept in the audit log)", key="analyst",
                         persist_state="session", placeholder=fallback, max_chars=100)
    return name.strip() or fallback
