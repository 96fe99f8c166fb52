import gzip, json, time, html, re
from pathlib import Path
from datetime import datetime, timezone, timedelta
from scrapers.html import parse_article
root = Path("/work/shared/corpora")
def norm(s): return re.sub(r"\s+", " ", html.unescape(s or "")).strip().lower()
def title_ok(got, want):
    g, w = norm(got), norm(want)
    return bool(g) and (g == w or w in g or g in w)
def date_ok(got, want):
    if got is None or not want: return False
    w = datetime.fromisoformat(want.replace("Z", "+00:00"))
    if w.tzinfo is None: w = w.replace(tzinfo=timezone.utc)
    return abs(got - w) <= timedelta(days=1)
t=time.perf_counter()
pl = json.load(open(root/"extraction_eval/postlight_parser_fixtures/expected_values.json"))["cases"]
tt=tn=dt=dn=0; bad=[]
for case in pl:
    p = root/"extraction_eval/postlight_parser_fixtures/html"/case["fixture"]
    if not p.exists(): continue
    a = parse_article(gzip.open(p).read(), url=case["url"])
    e = case["expected"]
    if e.get("title"): tn+=1; ok=title_ok(a.title, e["title"]); tt+=ok; 
    if e.get("title") and not ok: bad.append(("T", a.title[:60], e["title"][:60]))
    if e.get("date_published"): dn+=1; ok=date_ok(a.published, e["date_published"]); dt+=ok
    if e.get("date_published") and not ok: bad.append(("D", case["fixture"], a.published, e["date_published"]))
print("postlight title", tt, tn, "date", dt, dn, time.perf_counter()-t)
for b in bad[:40]: print(b)
t=time.perf_counter()
rt=rn=rd=rdn=0
for d in sorted((root/"extraction_eval/mozilla_readability_test_pages").iterdir()):
    if not d.is_dir(): continue
    meta = json.load(open(d/"expected-metadata.json"))
    a = parse_article(gzip.open(d/"source.html.gz").read(), url="http://fakehost/test/page.html")
    if meta.get("title"): rn+=1; rt+=title_ok(a.title, meta["title"])
    if meta.get("publishedTime"):
        rdn+=1; ok=date_ok(a.published, meta["publishedTime"]); rd+=ok
        if not ok: print("RD", d.name, a.published, meta["publishedTime"])
print("readability title", rt, rn, "date", rd, rdn, time.perf_counter()-t)
t=time.perf_counter(); n=ti=da=0
for p in sorted((root/"real_pages").rglob("*.html")):
    a = parse_article(p.read_bytes(), url="https://x/"); n+=1; ti+=bool(a.title); da+=a.published is not None
print("real_pages", n, ti, da, time.perf_counter()-t)
