import time, tracemalloc, sys
from datetime import datetime, timezone
from scrapers.rss import parse_feed
from scrapers.safety import neutralise_declarations
from scrapers.types import ParseError
now = datetime(2026, 11, 1, tzinfo=timezone.utc)
def laughs():
    ents = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol%d;" % (i-1))*10}">' for i in range(1, 10)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(ents) + ']>\n<rss version="2.0"><channel><title>t</title><item><title>&lol9;</title><link>http://a/b</link></item></channel></rss>').encode()
def quadratic(size=40_000, refs=4_000):
    big = "a" * size
    return ('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY big "' + big + '">]>\n<rss version="2.0"><channel><title>t</title><item><title>x</title><link>http://a/b</link><description>' + "&big;" * refs + '</description></item></channel></rss>').encode()
for name, body in [("laughs", laughs()), ("quadratic", quadratic()), ("quad-utf16", quadratic().decode().replace('version="1.0"?', 'version="1.0" encoding="utf-16"?').encode("utf-16")), ("comment-trick", b"<!-- <a -->" + quadratic())]:
    tracemalloc.start(); t=time.perf_counter()
    try: items = parse_feed(body, url="http://e.com/", fetched_at=now); r = [(i.title[:30], len(i.summary)) for i in items]
    except ParseError as e: r = e.reason
    dt=time.perf_counter()-t; peak=tracemalloc.get_traced_memory()[1]; tracemalloc.stop()
    print(name, len(body), r, f"{dt:.2f}s", f"{peak/1e6:.1f}MB")
print(neutralise_declarations(quadratic(10,1))[:200])
