"""Timeline: each incident's lifecycle as markers along time; click one to open it."""
import streamlit as st

from app_pages import charts, data, tables, ui

st.title("Timeline")
view = ui.view()
ui.filter_caption(view.filters)
by = st.segmented_control("One row per", ["company", "violation"], key="rows",
                          format_func={"company": "Company", "violation": "Violation type"}.get,
                          default="company", bind="query-params") or "company"
result = data.timeline(view, by)
timeline = result["timeline"]
if not timeline.points:
    ui.no_rows("incidents")
    st.stop()

st.caption(f"The {timeline.shown:,} most recently active of {timeline.total:,} matching "
           "incidents. Colour: violation type; shape: lifecycle step. Click a marker to open "
           "its incident.")
event = st.plotly_chart(charts.timeline(timeline, by), key="timeline_chart", on_select="rerun",
                        selection_mode="points")
tables.open_selected_incident(event, view)

st.subheader("Most recently active incidents")
st.caption("Select a row to open the incident.")
frame = tables.incident_frame(result["incidents"])
picked = st.dataframe(frame, key="timeline_table", on_select="rerun",
                      selection_mode="single-row", hide_index=True,
                      column_config=tables.INCIDENT_COLUMNS)
tables.open_selected_row(picked, frame, view)
ui.export_buttons(view, items=False)
