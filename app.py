"""The analyst's dashboard: `make run`, or `streamlit run app.py`.

This entry point sets up navigation and the shared sidebar filters (held in
the URL); each page in app_pages/ reads the filters, calls one cached query
and draws. The database is $TRACKER_DB, else data/tracker.db.
"""
import streamlit as st

from app_pages import data, ui

st.set_page_config(page_title="AI incident tracker", page_icon=":material/policy:",
                   layout="wide")


def page(file: str, title: str, icon: str, help: str, **kw) -> st.Page:
    return st.Page(f"app_pages/{file}.py", title=title, icon=f":material/{icon}:",
                   url_path=file, help=help, **kw)


navigation = st.navigation({
    "Incidents": [
        page("overview", "Overview", "dashboard", "Counts, incidents over time by type, "
             "companies × types, most involved companies.", default=True),
        page("timeline", "Timeline", "timeline", "Each incident's lifecycle on a row per "
             "company or type; click a marker to open the incident."),
        page("incident", "Incident", "gavel", "One incident: companies and roles, types "
             "with evidence, lifecycle, every report; corrections."),
        page("company", "Company", "domain", "One company's incidents over time, as "
             "accused and as accuser, and the companies it is linked with."),
    ],
    "Archive": [
        page("items", "Items", "article", "Full-text search over every item; sortable "
             "table with links; CSV download."),
        page("sources", "Sources", "rss_feed", "Health of each news source: status, last "
             "success, failures, last error, items."),
        page("quality", "Tagging quality", "fact_check", "Latest evaluation of the tagger: "
             "precision, recall and F1 per label."),
    ],
    "Analyst": [
        page("watches", "Watchlists", "notifications", "Save the current filters as a "
             "watch; digests and the Atom feed report new incidents per watch."),
        page("audit", "Audit log", "history", "Every correction: who, when, what."),
    ],
})

_path = data.db_path()
_token = data.db_token(_path)
ui.sidebar_filters(*data.filter_options(str(_path), _token))
navigation.run()
