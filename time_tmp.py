import time
from pathlib import Path
from datetime import datetime, timezone
from scrapers.rss import parse_feed
from scrapers.types import ParseError
now = datetime(2026, 11, 1, tzinfo=timezone.utc)
for d in ["feedparser_tests", "real_feeds"]:
    t=time.perf_counter(); n=0
    for p in sorted(Path("/work/shared/corpora", d).rglob("*")):
        if p.is_file():
            n+=1
            try: parse_feed(p.read_bytes(), url="http://e.com/f", fetched_at=now)
            except ParseError: pass
    print(d, n, time.perf_counter()-t)
