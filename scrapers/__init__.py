"""Fetch and parse: bytes from the web in, raw items out.

Nothing here knows about the database, the tagger or Streamlit; `tracker`
imports this package, never the other way round.
"""
