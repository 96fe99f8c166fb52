import sys, time, collections, traceback
from pathlib import Path
from datetime import datetime, timezone
from scrapers.rss import parse_feed
from scrapers.types import ParseError
now = datetime(2026, 11, 1, tzinfo=timezone.utc)
root = Path("/work/shared/corpora")
reasons = collections.Counter(); n_items = 0; n_files = 0; crashes = []
slow = []
for d in ["feedparser_tests", "real_feeds"]:
    for p in sorted((root/d).rglob("*")):
        if not p.is_file() or p.suffix in (".csv", ".md"): continue
        if "expected_output" in p.parts: continue
        n_files += 1
        t = time.perf_counter()
        try:
            items = parse_feed(p.read_bytes(), url="http://example.com/feed", fetched_at=now)
            n_items += len(items)
        except ParseError as e:
            reasons[e.reason.split("(")[0][:70]] += 1
        except Exception as e:
            crashes.append((str(p), repr(e)))
        dt = time.perf_counter() - t
        if dt > 0.5: slow.append((dt, str(p)))
print(n_files, n_items); print(reasons.most_common()); print(len(crashes)); 
for c in crashes[:20]: print(c)
print(sorted(slow)[-5:])
print("----")
for d in ["feedparser_tests", "real_feeds"]:
    for p in sorted((root/d).rglob("*")):
        if not p.is_file() or p.suffix in (".csv", ".md") or "expected_output" in p.parts: continue
        try:
            items = parse_feed(p.read_bytes(), url="http://example.com/feed", fetched_at=now)
            if not items and d == "real_feeds": print("EMPTY", p)
        except ParseError as e:
            print(p, e.reason[:150])
