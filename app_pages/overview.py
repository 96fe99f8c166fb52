"""Overview: what happened in the filtered period, and who was involved."""
import streamlit as st

from app_pages import charts, data, ui

st.title("Overview")
view = ui.view()
ui.filter_caption(view.filters)
summary = data.overview(view, data.current_hour())
counts = summary["counts"]

with st.container(horizontal=True):
    st.metric("Incidents", f"{counts.incidents:,}", border=True,
              help="Incidents whose first report falls in the filtered period.")
    st.metric("Reports of them", f"{counts.reports:,}", border=True)
    st.metric("Items matching", f"{counts.items:,}", border=True,
              help="All items matching the filters, ordinary news included.")
    st.metric("New since yesterday", f"{counts.new_day:,}", border=True,
              help="Incidents whose first report reached the archive in the last 24 hours.")
    st.metric("New in the last week", f"{counts.new_week:,}", border=True)

if not counts.incidents:
    ui.no_rows("incidents")
    st.stop()

st.subheader("Incidents over time, by violation type")
st.plotly_chart(charts.stacked_by_type(summary["by_month"]), key="overview_months")
st.caption("An incident with several types counts once under each.")

left, right = st.columns(2)
with left:
    st.subheader("Companies × violation types")
    st.plotly_chart(charts.company_type_heatmap(summary["matrix"]), key="overview_heatmap")
with right:
    st.subheader("Most involved companies, by role")
    st.plotly_chart(charts.companies_by_role(summary["top"]), key="overview_top")

ui.export_buttons(view)
