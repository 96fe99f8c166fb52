"""Company: one company's incidents over time, as accused and as accuser, and its links."""
import streamlit as st

from app_pages import charts, data, tables, ui

st.title("Company")
view = ui.view()
companies, _ = data.filter_options(view.db, view.token)
if not companies:
    st.info("No company has been recognised in the archive yet.", icon=":material/domain:")
    st.stop()
default = view.filters.companies[0] if view.filters.companies else companies[0]
name = st.selectbox("Company", companies, index=companies.index(default)
                    if default in companies else 0, key="profile", bind="query-params")
st.caption("The sidebar's other filters apply; its company filter does not.")
result = data.company(view, name)
profile = result["profile"]
if not profile.incidents:
    ui.no_rows(f"incidents involving {name}")
    st.stop()

st.metric("Incidents", f"{profile.incidents:,}", border=True, width="content")
st.subheader("Incidents over time, by violation type")
st.plotly_chart(charts.stacked_by_type(profile.by_month), key="company_months")
left, right = st.columns(2)
with left:
    st.subheader("As accused, accuser, affected")
    st.plotly_chart(charts.roles_by_year(profile.by_role), key="company_roles")
with right:
    st.subheader("Most often linked with")
    st.plotly_chart(charts.linked_companies(profile.linked), key="company_linked")

st.subheader("Its most recently active incidents")
st.caption("Select a row to open the incident.")
frame = tables.company_incident_frame(result["incidents"])
picked = st.dataframe(frame, key="company_table", on_select="rerun", hide_index=True,
                      selection_mode="single-row", column_config=tables.COMPANY_COLUMNS)
tables.open_selected_row(picked, frame, view)
