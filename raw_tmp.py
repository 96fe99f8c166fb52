import io, time, feedparser, resource, pyexpat
print(pyexpat.EXPAT_VERSION)
def quadratic(size, refs):
    return ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY big "' + "a"*size + '">\n]>\n<rss version="2.0"><channel><title>t</title><item><title>x</title><link>http://a/b</link><description>' + "&big;" * refs + '</description></item></channel></rss>').encode()
body = quadratic(10_000, 2_000)
t=time.perf_counter()
d = feedparser.parse(io.BytesIO(body))
print(len(body), "bozo", d.bozo, d.get("bozo_exception"), len(d.entries[0].get("summary","")) if d.entries else None)
print(time.perf_counter()-t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1e3, "MB")
from scrapers.rss import parse_feed
from datetime import datetime, timezone
t=time.perf_counter()
print([len(i.summary) for i in parse_feed(body, url="http://e/", fetched_at=datetime.now(timezone.utc))], time.perf_counter()-t)
