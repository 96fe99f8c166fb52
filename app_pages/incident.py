"""Incident: who is involved and how, why it was typed so, how it unfolded, every report."""
import streamlit as st

from app_pages import cards, charts, data, forms, ui

view = ui.view()
forms.show_flash()
incident_id = forms.incident_picker(view)
if not incident_id:
    st.title("Incident")
    st.info("Choose an incident above, click a marker on the **Timeline**, or open a link "
            "that names one (…/incident?incident=ID).", icon=":material/gavel:")
    st.stop()

card = data.incident(view.db, view.token, incident_id)
if card is None:
    st.title("Incident")
    st.warning("No incident with this id. It may have been split or renamed; choose another "
               "above.", icon=":material/help:")
    st.stop()

cards.header(card)
left, right = st.columns([3, 2])
with left:
    st.subheader("Companies and their roles")
    cards.companies(card)
with right:
    st.subheader("Violation types and evidence")
    cards.violation_evidence(card)

st.subheader("Lifecycle")
primary = (card["detail"]["violation_ids"] or [""])[0]
st.plotly_chart(charts.lifecycle(card["reports"], primary), key="incident_lifecycle")
st.subheader("Every report")
cards.reports(card)

st.subheader("Correct this incident")
st.caption("Corrections are kept when items are re-tagged or re-scraped, and logged.")
forms.corrections(view, card)
cards.audit(card["audit"])
