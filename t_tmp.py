from pathlib import Path
from datetime import datetime, timezone
from scrapers.rss import parse_feed
from scrapers.types import ParseError
now = datetime(2024, 3, 10, tzinfo=timezone.utc)
for p in sorted(Path("tests/fixtures/feeds").glob("*")):
    try:
        items = parse_feed(p.read_bytes(), url="https://feeds.example.com/x/feed.xml", fetched_at=now)
        print("==", p.name)
        for i in items: print("  ", i)
    except ParseError as e: print("==", p.name, "PE", e.reason)
print(parse_feed(Path("tests/fixtures/feeds/no_declaration.xml").read_bytes(), url="https://f.example/", headers={"Content-Type": "text/xml; charset=iso-8859-1"}, fetched_at=now))
