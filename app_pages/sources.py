"""Sources: is each news source working? Status, last success, failures, errors, items."""
import pandas as pd
import streamlit as st

from app_pages import data, ui

st.title("Sources")
view = ui.view()
rows = data.sources(view.db, view.token)
if not rows:
    st.info("No source has been scraped yet. Run `python -m tracker scrape` (or "
            "`make run` for the demo).", icon=":material/rss_feed:")
    st.stop()

failing = [r for r in rows if r["status"] == "failed"]
with st.container(horizontal=True):
    st.metric("Sources", len(rows), border=True)
    st.metric("Failing now", len(failing), border=True)
    st.metric("Items stored", f"{sum(r['items_total'] or 0 for r in rows):,}", border=True)
if failing:
    st.warning(f"{len(failing)} source(s) failed on their last attempt; see *Last error*. "
               "Sources failing repeatedly are retried less often.", icon=":material/warning:")

frame = pd.DataFrame(rows)
st.dataframe(frame, hide_index=True, key="sources_table", height="content", placeholder="",
             column_order=[
    "name", "status", "last_success", "consecutive_failures", "last_error", "items_last_run",
    "items_total", "last_attempt", "next_due", "kind"], column_config={
    "name": st.column_config.TextColumn("Source", width="medium"),
    "status": st.column_config.TextColumn("Status"),
    "last_success": st.column_config.TextColumn("Last success (UTC)"),
    "consecutive_failures": st.column_config.NumberColumn("Failures in a row", format="%d"),
    "last_error": st.column_config.TextColumn("Last error", width="large"),
    "items_last_run": st.column_config.NumberColumn("New last run", format="%d"),
    "items_total": st.column_config.NumberColumn("Items in total", format="%d"),
    "last_attempt": st.column_config.TextColumn("Last attempt (UTC)"),
    "next_due": st.column_config.TextColumn("Next try after (UTC)"),
    "kind": st.column_config.TextColumn("Kind"),
})
