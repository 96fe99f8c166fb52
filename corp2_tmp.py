import csv
from pathlib import Path
from datetime import datetime, timezone
from collections import Counter
from scrapers.rss import parse_feed
from scrapers.types import ParseError
now = datetime(2026, 11, 1, tzinfo=timezone.utc)
root = Path("/work/shared/corpora/real_feeds")
ds = Counter()
for row in csv.DictReader(open(root/"SOURCES.csv")):
    p = root/row["file"]
    if not p.exists(): print("missing", p); continue
    try: items = parse_feed(p.read_bytes(), url="http://example.com/feed", fetched_at=now)
    except ParseError as e: print("PE", row["file"], e.reason[:80]); continue
    for i in items: ds[i.date_source]+=1
    n = row["n_entries"]
    if n and n.isdigit() and int(n) != len(items):
        print(row["file"], row["format"], n, len(items))
print(ds)
