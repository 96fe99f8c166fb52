"""Audit log: every correction and watch change, newest first: who, when, what."""
import pandas as pd
import streamlit as st

from app_pages import data, ui

st.title("Audit log")
view = ui.view()
entries = data.audit(view.db, view.token)
if not entries:
    st.info("No correction has been made yet. Corrections are made on an incident's page.",
            icon=":material/history:")
    st.stop()
st.dataframe(pd.DataFrame(entries), hide_index=True, key="audit_table", column_config={
    "at": st.column_config.TextColumn("When (UTC)"), "who": "Who", "action": "What",
    "target": "On", "detail": st.column_config.TextColumn("Detail", width="large")})
