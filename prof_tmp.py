import cProfile, pstats
from ent_tmp import quadratic, now
from scrapers.rss import parse_feed
body = quadratic(100_000, 5_000)
print(len(body))
cProfile.run('parse_feed(body, url="http://e.com/", fetched_at=now)', '/tmp/prof')
pstats.Stats('/tmp/prof').sort_stats('cumtime').print_stats(15)
