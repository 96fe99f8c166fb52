import cProfile, pstats, gzip
from pathlib import Path
from scrapers.html import parse_article
files = sorted(Path("/work/shared/corpora/extraction_eval/postlight_parser_fixtures/html").glob("*.gz"))[:40]
bodies = [gzip.open(p).read() for p in files]
cProfile.run('for b in bodies: parse_article(b, url="https://x/")', '/tmp/prof2')
pstats.Stats('/tmp/prof2').sort_stats('cumtime').print_stats(25)
