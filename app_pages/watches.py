"""Watchlists: save the current filters as a watch; digests and the feed report on each."""
import pandas as pd
import streamlit as st

from app_pages import data, forms, ui
from tracker.safe_text import md_escape

st.title("Watchlists")
view = ui.view()
forms.show_flash()
who = ui.analyst_name()
st.caption("Each morning `python -m tracker digest --since 1d` writes a Markdown and HTML "
           "digest of the incidents new to each watch; `python -m tracker feed --out "
           "incidents.atom` writes an Atom feed for your reader.")
forms.save_watch_form(view, who)

saved = data.watches(view.db, view.token)
if not saved:
    st.info("No watch saved yet: set the sidebar filters, name the watch above and save it.",
            icon=":material/notifications:")
    st.stop()

st.subheader("Saved watches")
st.dataframe(pd.DataFrame({"name": [w["name"] for w in saved],
                           "filters": [ui.describe(w["filters"]) for w in saved],
                           "who": [w["who"] for w in saved],
                           "created": [w["created_at"] for w in saved]}),
             hide_index=True, key="watches_table")
for watch in saved:
    st.button(f"Show “{md_escape(watch['name'])}”", key=f"apply_{watch['name']}",
              on_click=forms.apply_watch, args=(watch["filters"],),
              icon=":material/filter_alt:")
forms.delete_watch_form(view, [w["name"] for w in saved], who)
