"""Tagging quality: the tagger's latest measured accuracy (written by `make eval`)."""
import streamlit as st

from app_pages import data, tables
from tracker.safe_text import md_code, md_escape

st.title("Tagging quality")
report = data.eval_report()
if report is None:
    st.info(f"No evaluation has been run yet (looked for {md_code(data.eval_report_path())}). "
            "Run `make eval` to measure the tagger on the labelled set; this page then shows "
            "precision, recall and F1 per label, grouping and action accuracy.",
            title="Nothing measured yet", icon=":material/fact_check:")
    st.stop()

texts = [f"{k.replace('_', ' ')}: {v}" for k, v in report.items() if isinstance(v, str)]
if texts:
    st.caption(md_escape(" · ".join(texts)))
metrics, frames = tables.eval_tables(report)
with st.container(horizontal=True):
    for label, value in metrics[:12]:
        shown = f"{value:.3f}" if isinstance(value, float) else f"{value:,}"
        st.metric(label, shown, border=True)
for title, frame in frames:
    st.subheader(title)
    st.dataframe(frame, key=f"eval_{title}")
