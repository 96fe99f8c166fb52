import io, feedparser, collections
from pathlib import Path
c=collections.Counter()
for p in Path("/work/shared/corpora/feedparser_tests").rglob("*.xml"):
    d=feedparser.parse(io.BytesIO(p.read_bytes()))
    if not d.entries and d.get("version") and d.bozo and type(d.bozo_exception).__name__ not in ("CharacterEncodingOverride","NonXMLContentType"):
        c[(p.parent.name, bool(d.feed), str(d.bozo_exception)[:40])]+=1
for k,v in c.most_common(): print(v,k)
