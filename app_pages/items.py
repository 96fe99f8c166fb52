"""Items: every stored item, searchable (full text), sortable, a page at a time; CSV."""
import math

import streamlit as st

from app_pages import data, tables, ui

st.title("Items")
view = ui.view()
ui.filter_caption(view.filters)
total = data.item_count(view)
if not total:
    ui.no_rows("items")
    st.stop()

sorts = {"newest": "Newest first", "oldest": "Oldest first", "title": "Title A–Z",
         "source": "Source"}
with st.container(horizontal=True, vertical_alignment="bottom"):
    sort = st.segmented_control("Sort by", list(sorts), format_func=sorts.get, key="sort",
                                default="newest", bind="query-params") or "newest"
    pages = max(1, math.ceil(total / data.PAGE_SIZE))
    page = min(st.number_input("Page", min_value=1, max_value=pages, step=1, key="page",
                               bind="query-params"), pages)
    st.caption(f"{total:,} items · page {page:,} of {pages:,} · {data.PAGE_SIZE} per page")

rows = data.items(view, sort, int(page))
st.dataframe(tables.item_frame(rows), hide_index=True, column_config=tables.ITEM_COLUMNS,
             key="items_table", height="content", placeholder="")
ui.export_buttons(view)
