"""Rows → DataFrames for st.dataframe, and going from a clicked row or marker to an incident.

Cells are shown as text by the data grid (never as HTML); a link column only
ever holds http(s) URLs, anything else is left blank.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.data import View
from tracker.palette import action_label, violation_label
from tracker.safe_text import web_url

INCIDENT_PAGE = "app_pages/incident.py"

INCIDENT_COLUMNS = {
    "first_date": st.column_config.DateColumn("First report", format="YYYY-MM-DD"),
    "title": st.column_config.TextColumn("Title", width="large"),
    "companies": st.column_config.TextColumn("Companies (role)"),
    "types": st.column_config.TextColumn("Violation types"),
    "report_count": st.column_config.NumberColumn("Reports", format="%d"),
    "latest_action": st.column_config.TextColumn("Latest step"),
    "latest_action_date": st.column_config.DateColumn("On", format="YYYY-MM-DD"),
    "incident": st.column_config.TextColumn("Incident id"),
}

ITEM_COLUMNS = {
    "published": st.column_config.DateColumn("Published", format="YYYY-MM-DD"),
    "title": st.column_config.TextColumn("Title", width="large"),
    "link": st.column_config.LinkColumn("Link", display_text="open ↗", width="small"),
    "source": st.column_config.TextColumn("Source"),
    "companies": st.column_config.TextColumn("Companies"),
    "types": st.column_config.TextColumn("Violation types"),
    "action": st.column_config.TextColumn("Action"),
    "incident": st.column_config.TextColumn("Incident id"),
}

COMPANY_COLUMNS = {
    "first_date": st.column_config.DateColumn("First report", format="YYYY-MM-DD"),
    "title": st.column_config.TextColumn("Title", width="large"),
    "role": st.column_config.TextColumn("Its role"),
    "types": st.column_config.TextColumn("Violation types"),
    "report_count": st.column_config.NumberColumn("Reports", format="%d"),
    "latest_action": st.column_config.TextColumn("Latest step"),
    "incident": st.column_config.TextColumn("Incident id"),
}


def day(value: str) -> object:
    return pd.to_datetime(value[:10], errors="coerce") if value else pd.NaT


def _types(ids: list[str] | str) -> str:
    if isinstance(ids, str):
        ids = [v for v in ids.split("; ") if v]
    return ", ".join(violation_label(v) for v in ids)


def incident_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame({
        "first_date": [day(r["first_date"]) for r in rows],
        "title": [r["title"] for r in rows],
        "companies": [r["companies"] for r in rows],
        "types": [_types(r["violation_ids"]) for r in rows],
        "report_count": [r["report_count"] for r in rows],
        "latest_action": [action_label(r["latest_action"]) if r["latest_action"] else ""
                          for r in rows],
        "latest_action_date": [day(r["latest_action_date"]) for r in rows],
        "incident": [r["incident"] for r in rows],
    }, columns=list(INCIDENT_COLUMNS))


def item_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame({
        "published": [day(r["published"]) for r in rows],
        "title": [r["title"] for r in rows],
        "link": [web_url(r["url"]) for r in rows],
        "source": [r["source"] for r in rows],
        "companies": [r["companies"] for r in rows],
        "types": [_types(r["violations"]) for r in rows],
        "action": [action_label(r["action"]) if r["action"] else "" for r in rows],
        "incident": [r["incident"] for r in rows],
    }, columns=list(ITEM_COLUMNS))


def company_incident_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame({
        "first_date": [day(r["first_date"]) for r in rows],
        "title": [r["title"] for r in rows],
        "role": [r["role"] for r in rows],
        "types": [_types(r["violations"]) for r in rows],
        "report_count": [r["report_count"] for r in rows],
        "latest_action": [action_label(r["latest_action"]) if r["latest_action"] else ""
                          for r in rows],
        "incident": [r["incident"] for r in rows],
    }, columns=list(COMPANY_COLUMNS))


def go_to_incident(v: View, incident_id: str) -> None:
    """Open the incident page; the sidebar filters are bound to the URL and travel along."""
    st.switch_page(INCIDENT_PAGE, query_params={"incident": str(incident_id)})


def open_selected_incident(event, v: View) -> None:
    """A marker clicked on a chart whose customdata is the incident id."""
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    for point in points:
        custom = point.get("customdata")
        if isinstance(custom, list):
            custom = custom[0] if custom else None
        if custom:
            go_to_incident(v, custom)


def open_selected_row(event, frame: pd.DataFrame, v: View) -> None:
    """A row selected in an incident table."""
    rows = (event or {}).get("selection", {}).get("rows", []) if event else []
    if rows and rows[0] < len(frame):
        go_to_incident(v, frame.iloc[rows[0]]["incident"])

