"""Tagging quality: the tagger's latest measured accuracy (written by `make eval`)."""
import streamlit as st

from app_pages import data, evaluation
from tracker.safe_text import md_code, md_escape

st.title("Tagging quality")
report = data.eval_report()
if report is None:
    st.info(f"No evaluation has been run yet (looked for {md_code(data.eval_report_path())}). "
            "Run `make eval` to measure the tagger on the labelled set; this page then shows "
            "precision, recall and F1 per label, grouping and action accuracy.",
            title="Nothing measured yet", icon=":material/fact_check:")
    st.stop()

st.caption(md_escape(" · ".join(f"{k}: {v}" for k, v in evaluation.facts(report))))
with st.container(horizontal=True):
    for h in evaluation.headlines(report):
        delta = None if h.target is None else (
            f"{'meets' if h.met else 'misses'} target {h.target:g}")
        st.metric(h.label, f"{h.value:.3f}", delta=delta, border=True,
                  delta_color="normal" if h.met else "inverse", delta_arrow="off")
for title, frame in evaluation.tables(report):
    st.subheader(title)
    st.dataframe(frame, key=f"eval_{title}", placeholder="")
