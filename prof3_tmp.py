import cProfile, pstats
from pathlib import Path
from datetime import datetime, timezone
from scrapers.rss import parse_feed
from scrapers.types import ParseError
now = datetime(2026, 11, 1, tzinfo=timezone.utc)
bodies=[p.read_bytes() for p in sorted(Path("/work/shared/corpora/real_feeds").rglob("*.xml"))]
def run():
    for b in bodies:
        try: parse_feed(b, url="http://e.com/f", fetched_at=now)
        except ParseError: pass
cProfile.run('run()', '/tmp/prof3')
st=pstats.Stats('/tmp/prof3'); st.sort_stats('cumtime').print_stats('scrapers|api.py:152|feedparser/api', 20)
