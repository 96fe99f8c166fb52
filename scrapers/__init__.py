"""Fetch and parse: bytes from the web in, raw items out.

Nothing here knows about the database, the tagger or Streamlit; `tracker`
imports this package, never the other way round.

    http.py        HttpClient / HttpConfig: the one network seam (timeouts, size cap,
                   redirects, retries, conditional GET, file:// where allowed)
    robots.py      robots.txt per host (protego) and the rule for unreadable ones
    politeness.py  per-host concurrency and minimum delay between requests
    safety.py      XML declaration neutralising; private-address checks
    rss.py         feed bytes → RawItems (feedparser); jsonfeed.py for JSON Feed
    html.py        listing pages by CSS selectors; article pages (metadata.py)
    fetch.py       fetch_source / fetch_sources: one SourceFetch per source, never raises
"""
