"""The bundled demo corpus keeps its promises, and its generated feeds are current and valid.

items.jsonl is the single source of truth (gold labels included); data/demo/build.py renders
it as feeds, listing pages and a sources file, which are committed. These tests check the
corpus's own promises (sizes, coverage of every violation type, multi-outlet events, cases
with later developments, canonical company names, honest links) and that the committed files
are exactly what the builder produces now and that the real parsers read every item back.
"""
from __future__ import annotations

import importlib.util
import json
import sys
import tomllib
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import ModuleType
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup

from tracker.models import ACTIONS, ROLES, VIOLATIONS

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"
TODAY = datetime(2026, 11, 26, 23, 59, 59, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"

# Canonical names of taxonomy.md's table, and spellings that must be rolled up to them.
CANONICAL = (
    "OpenAI", "Microsoft", "Google", "Meta", "Amazon", "Apple", "Nvidia", "AMD", "Intel", "TSMC",
    "Samsung", "Huawei", "IBM", "Anthropic", "xAI", "X", "ByteDance", "DeepSeek", "Alibaba",
    "Baidu", "Tencent", "Moonshot AI", "Zhipu AI", "SenseTime", "iFlytek", "Mistral AI",
    "Cohere", "Hugging Face", "Stability AI", "Midjourney", "Runway", "Perplexity",
    "Character.AI", "Inflection AI", "Scale AI", "Clearview AI", "ElevenLabs", "Suno", "Udio",
    "Adobe", "Salesforce", "Palantir", "Tesla", "Worldcoin", "Replika", "Cloudflare", "Reddit",
    "Getty Images", "The New York Times", "Universal Music Group", "Disney",
)
ROLLED_UP = {
    "ChatGPT": "OpenAI", "GPT-4": "OpenAI", "Sora": "OpenAI", "DALL-E": "OpenAI",
    "Azure": "Microsoft", "Bing": "Microsoft", "Copilot": "Microsoft", "GitHub": "Microsoft",
    "LinkedIn": "Microsoft", "Alphabet": "Google", "DeepMind": "Google", "Google DeepMind":
    "Google", "Gemini": "Google", "Bard": "Google", "YouTube": "Google", "Waymo": "Google",
    "Facebook": "Meta", "Instagram": "Meta", "WhatsApp": "Meta", "Meta Platforms": "Meta",
    "AWS": "Amazon", "Alexa": "Amazon", "Ring": "Amazon", "Claude": "Anthropic", "Grok": "xAI",
    "Twitter": "X", "TikTok": "ByteDance", "Doubao": "ByteDance", "Qwen": "Alibaba",
    "Kimi": "Moonshot AI", "Z.ai": "Zhipu AI", "Stable Diffusion": "Stability AI",
    "Outlier": "Scale AI", "Tools for Humanity": "Worldcoin", "World": "Worldcoin",
    "Luka Inc.": "Replika", "Luka": "Replika", "Slack": "Salesforce",
    "UMG": "Universal Music Group", "Universal Music": "Universal Music Group",
    "New York Times": "The New York Times",
    "Mistral": "Mistral AI", "Inflection": "Inflection AI", "Moonshot": "Moonshot AI",
    "Zhipu": "Zhipu AI", "Getty": "Getty Images", "Nvidia Corp": "Nvidia",
}
# How many items link to the outlet's real page (data/demo/README.md, "Links"). Changing a
# link from a search to an original, or back, must change this number on purpose.
ORIGINAL_URLS = 35
SEARCH_PREFIX = "https://duckduckgo.com/?q="
OPENING_ACTIONS = {"report", "lawsuit", "investigation", "restriction"}
CLOSING_ACTIONS = {"ruling", "penalty"}


@pytest.fixture(scope="module")
def items() -> list[dict]:
    lines = (DEMO / "items.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo_build", DEMO / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sources() -> list[dict]:
    return tomllib.loads((DEMO / "sources.toml").read_text(encoding="utf-8"))["source"]


def published(item: dict) -> datetime:
    return datetime.fromisoformat(item["published"].replace("Z", "+00:00"))


def incidents_of(items: list[dict]) -> dict[str, list[dict]]:
    grouped = defaultdict(list)
    for item in items:
        if item["gold"]["incident"]:
            grouped[item["gold"]["incident"]].append(item)
    return grouped


def is_later_development(reports: list[dict]) -> bool:
    """An opening report, then a ruling or penalty at least a month later."""
    opened = [published(r) for r in reports if r["gold"]["action"] in OPENING_ACTIONS]
    closed = [published(r) for r in reports if r["gold"]["action"] in CLOSING_ACTIONS]
    return bool(opened and closed) and (max(closed) - min(opened)).days >= 30


# --- the corpus's own promises -------------------------------------------------------------

def test_corpus_has_enough_incident_reports_and_ordinary_news(items):
    incidents = [i for i in items if i["gold"]["violations"]]
    ordinary = [i for i in items if not i["gold"]["violations"]]
    assert len(items) >= 230
    assert len(incidents) >= 130
    assert len(ordinary) >= 90


def test_every_item_has_the_documented_fields(items):
    for item in items:
        assert set(item) == {"id", "outlet", "outlet_url", "title", "summary", "published",
                             "url", "url_is_original", "gold"}, item["id"]
        assert isinstance(item["url_is_original"], bool), item["id"]
        assert set(item["gold"]) == {"companies", "violations", "action", "incident", "roles"}
        assert item["title"].strip() and item["summary"].strip(), item["id"]
        assert item["url"].startswith("https://"), item["id"]
        assert item["published"].endswith("Z"), item["id"]


def test_ids_and_urls_are_unique(items):
    assert len({i["id"] for i in items}) == len(items)
    assert len({i["url"] for i in items}) == len(items)


def site_of(item: dict) -> str:
    return (urlsplit(item["outlet_url"]).hostname or "").removeprefix("www.")


def is_search_for(url: str, item: dict) -> bool:
    """url is a web search, limited to the item's outlet, for the item's title, and no more."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}{parts.path}?" != SEARCH_PREFIX.removesuffix("q="):
        return False
    query = parse_qs(parts.query, strict_parsing=True)
    return query == {"q": [f"site:{site_of(item)} {item['title']}"]}


def test_search_link_check_rejects_article_paths_and_other_queries():
    item = {"outlet_url": "https://www.reuters.com", "title": "Chip & AI deal"}
    good = SEARCH_PREFIX + "site%3Areuters.com+Chip+%26+AI+deal"
    assert is_search_for(good, item)
    assert not is_search_for("https://www.reuters.com/technology/chip-ai-deal-2024-01-01/", item)
    assert not is_search_for(SEARCH_PREFIX + "site%3Aft.com+Chip+%26+AI+deal", item)
    assert not is_search_for(SEARCH_PREFIX + "Chip+%26+AI+deal", item)
    assert not is_search_for(good + "&ia=web", item)


def test_links_that_are_not_originals_are_searches_not_made_up_article_paths(items):
    searches = [i for i in items if not i["url_is_original"]]
    assert searches
    for item in searches:
        assert is_search_for(item["url"], item), item["id"]


def test_original_links_are_counted_and_point_into_the_outlets_own_site(items):
    originals = [i for i in items if i["url_is_original"]]
    assert len(originals) == ORIGINAL_URLS
    for item in originals:
        parts = urlsplit(item["url"])
        assert parts.scheme == "https" and not item["url"].startswith(SEARCH_PREFIX), item["id"]
        assert (parts.hostname or "").removeprefix("www.") == site_of(item), item["id"]
        assert parts.path.strip("/"), item["id"]  # an article, not the home page


def test_labels_use_only_the_taxonomy_ids(items):
    for item in items:
        gold = item["gold"]
        assert set(gold["violations"]) <= set(VIOLATIONS), item["id"]
        assert len(gold["violations"]) == len(set(gold["violations"])), item["id"]
        assert gold["action"] is None or gold["action"] in ACTIONS, item["id"]
        assert set(gold["roles"]) == set(gold["companies"]), item["id"]
        assert set(gold["roles"].values()) <= set(ROLES), item["id"]


def test_ordinary_news_carries_no_incident_labels(items):
    for item in items:
        gold = item["gold"]
        if not gold["violations"]:
            assert gold["action"] is None and gold["incident"] is None, item["id"]
        else:
            assert gold["action"] and gold["incident"], item["id"]


def test_each_violation_type_has_at_least_five_items(items):
    counts = Counter(v for item in items for v in item["gold"]["violations"])
    assert {v: counts[v] for v in VIOLATIONS if counts[v] < 5} == {}


def is_retold(reports: list[dict]) -> bool:
    """Two to four different outlets reported the event within a week of one another."""
    for first in reports:
        near = {r["outlet"] for r in reports if abs(published(r) - published(first)).days < 7}
        if 2 <= len(near) <= 4:
            return True
    return False


def test_at_least_twelve_events_are_retold_by_two_to_four_outlets(items):
    retold = [key for key, reports in incidents_of(items).items() if is_retold(reports)]
    assert len(retold) >= 12


def test_retold_check_ignores_one_outlet_and_far_apart_dates():
    def report(outlet: str, day: str) -> dict:
        return {"outlet": outlet, "published": f"{day}T12:00:00Z"}
    assert is_retold([report("A", "2024-01-01"), report("B", "2024-01-03")])
    assert not is_retold([report("A", "2024-01-01"), report("A", "2024-01-02")])
    assert not is_retold([report("A", "2024-01-01"), report("B", "2024-03-01")])


def test_at_least_six_cases_have_later_developments(items):
    developed = [key for key, reports in incidents_of(items).items()
                 if is_later_development(reports)]
    assert len(developed) >= 6


def test_later_development_check_needs_a_closing_step_a_month_on():
    def report(action: str, day: str) -> dict:
        return {"published": f"{day}T12:00:00Z", "gold": {"action": action}}
    assert is_later_development([report("lawsuit", "2023-01-01"), report("ruling", "2024-01-01")])
    assert not is_later_development([report("lawsuit", "2023-01-01"),
                                     report("ruling", "2023-01-10")])
    assert not is_later_development([report("report", "2023-01-01"),
                                     report("response", "2024-01-01")])


def test_dates_span_2022_to_2026_and_none_lies_in_the_future(items):
    years = {published(i).year for i in items}
    assert years == {2022, 2023, 2024, 2025, 2026}
    assert all(published(i) <= TODAY for i in items)


def test_outlets_are_consistent_and_plentiful(items):
    home_pages = defaultdict(set)
    for item in items:
        home_pages[item["outlet"]].add(item["outlet_url"])
    assert 12 <= len(home_pages) <= 18
    assert all(len(urls) == 1 for urls in home_pages.values()), home_pages


def test_table_companies_are_spelled_canonically(items):
    canonical_by_folded = {name.casefold(): name for name in CANONICAL}
    for item in items:
        for name in item["gold"]["companies"]:
            assert name not in ROLLED_UP, f"{item['id']}: {name} should be {ROLLED_UP[name]}"
            folded = canonical_by_folded.get(name.casefold())
            assert folded in (None, name), f"{item['id']}: {name} should be spelled {folded}"


def test_company_lists_have_no_duplicates(items):
    for item in items:
        assert len(item["gold"]["companies"]) == len(set(item["gold"]["companies"])), item["id"]


def test_project_seed_is_one_incident_reported_by_at_least_four_outlets(items):
    reports = incidents_of(items)["bytedance-openai-project-seed"]
    assert len({r["outlet"] for r in reports}) >= 4
    first = min(reports, key=published)
    assert first["outlet"] == "The Verge"
    assert first["published"].startswith("2023-12-15")
    assert {"ByteDance", "OpenAI", "Microsoft"} <= set(first["gold"]["companies"])
    assert first["gold"]["roles"]["ByteDance"] == "accused"
    actions = {r["gold"]["action"] for r in reports}
    assert {"report", "restriction", "response"} <= actions
    assert all(r["gold"]["violations"] == ["tos_violation"] for r in reports)


# --- the generated files --------------------------------------------------------------------

def generated_files(root: Path) -> dict[str, bytes]:
    paths = [*root.glob("feeds/*.xml"), *root.glob("pages/*.html"), root / "sources.toml"]
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in paths if p.exists()}


def test_committed_feeds_match_a_fresh_build(builder, tmp_path):
    builder.build(tmp_path, DEMO / "items.jsonl")
    fresh, committed = generated_files(tmp_path), generated_files(DEMO)
    assert sorted(fresh) == sorted(committed), "run: python data/demo/build.py"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert stale == [], "run: python data/demo/build.py"


def test_build_gives_the_same_bytes_every_time(builder, tmp_path):
    builder.build(tmp_path / "a", DEMO / "items.jsonl")
    builder.build(tmp_path / "b", DEMO / "items.jsonl")
    assert generated_files(tmp_path / "a") == generated_files(tmp_path / "b")


def test_build_removes_files_of_outlets_no_longer_in_the_corpus(builder, tmp_path):
    stale = tmp_path / "feeds" / "gone.xml"
    stale.parent.mkdir(parents=True)
    stale.write_text("<rss/>")
    builder.build(tmp_path, DEMO / "items.jsonl")
    assert not stale.exists()


def one_item_file(tmp_path: Path, **changes) -> Path:
    item = {"id": "x", "outlet": "O", "outlet_url": "https://o.test", "title": "t",
            "summary": "s", "url": "https://o.test/1", "url_is_original": True,
            "published": "2024-01-01T10:00:00Z"}
    item.update(changes)
    path = tmp_path / "items.jsonl"
    path.write_text(json.dumps({k: v for k, v in item.items() if v is not None}) + "\n")
    return path


def test_build_accepts_a_well_formed_item(builder, tmp_path):
    assert builder.build(tmp_path / "out", one_item_file(tmp_path))


def test_build_rejects_an_item_without_a_timezone(builder, tmp_path):
    with pytest.raises(builder.CorpusError, match="timezone"):
        builder.build(tmp_path / "out", one_item_file(tmp_path, published="2024-01-01T10:00:00"))


@pytest.mark.parametrize("flag", [None, "yes", 1])
def test_build_rejects_an_item_whose_link_flag_is_missing_or_not_boolean(builder, tmp_path, flag):
    with pytest.raises(builder.CorpusError, match="url_is_original"):
        builder.build(tmp_path / "out", one_item_file(tmp_path, url_is_original=flag))


def test_rss_calls_only_original_links_permalinks(items, sources):
    by_url = {i["url"]: i for i in items}
    checked = 0
    for source in sources:
        path = DEMO / source["url"]
        if path.suffix != ".xml" or ET.parse(path).getroot().tag != "rss":
            continue
        for guid in ET.parse(path).getroot().iter("guid"):
            expected = "true" if by_url[guid.text]["url_is_original"] else "false"
            assert guid.get("isPermaLink") == expected, guid.text
            checked += 1
    assert checked


def feed_entries(path: Path) -> list[dict]:
    """Title, link and date of each entry, read with xml.etree (which also proves it parses)."""
    root = ET.parse(path).getroot()
    if root.tag == "rss":
        return [{"title": e.findtext("title"), "link": e.findtext("link"),
                 "guid": e.findtext("guid"), "description": e.findtext("description"),
                 "date": parsedate_to_datetime(e.findtext("pubDate"))}
                for e in root.iter("item")]
    if root.tag == f"{ATOM}feed":
        return [{"title": e.findtext(f"{ATOM}title"), "link": e.find(f"{ATOM}link").get("href"),
                 "guid": e.findtext(f"{ATOM}id"), "description": e.findtext(f"{ATOM}summary"),
                 "date": datetime.fromisoformat(e.findtext(f"{ATOM}published"))}
                for e in root.iter(f"{ATOM}entry")]
    assert root.tag == f"{RDF}RDF", path
    dc = "{http://purl.org/dc/elements/1.1/}"
    return [{"title": e.findtext(f"{RSS1}title"), "link": e.findtext(f"{RSS1}link"),
             "guid": e.get(f"{RDF}about"), "description": e.findtext(f"{RSS1}description"),
             "date": datetime.fromisoformat(e.findtext(f"{dc}date"))}
            for e in root.iter(f"{RSS1}item")]


def page_entries(path: Path) -> list[dict]:
    root = ET.parse(path).getroot()  # the listing page is kept well-formed XML on purpose
    entries = []
    for article in root.iter("article"):
        anchor = article.find("h2/a")
        entries.append({"title": anchor.text, "link": anchor.get("href"),
                        "guid": anchor.get("href"), "description": article.findtext("p"),
                        "date": datetime.fromisoformat(article.find("time").get("datetime"))})
    return entries


def entries_of(path: Path) -> list[dict]:
    return page_entries(path) if path.suffix == ".html" else feed_entries(path)


def test_every_file_is_well_formed_and_lists_its_outlets_items_exactly(items, sources):
    by_url = {i["url"]: i for i in items}
    seen = []
    for source in sources:
        entries = entries_of(DEMO / source["url"])
        assert entries, source["name"]
        for entry in entries:
            item = by_url[entry["link"]]
            assert item["outlet"] == source["name"]
            assert entry["guid"] == item["url"]
            assert (entry["title"], entry["description"]) == (item["title"], item["summary"])
            assert entry["date"] == published(item)
        seen += [e["link"] for e in entries]
    assert sorted(seen) == sorted(by_url)


def test_feed_formats_are_mixed(sources):
    kinds = Counter()
    for source in sources:
        path = DEMO / source["url"]
        kinds["html" if path.suffix == ".html" else ET.parse(path).getroot().tag] += 1
    assert kinds["rss"] > len(sources) / 2
    assert kinds[f"{ATOM}feed"] >= 2
    assert kinds[f"{RDF}RDF"] >= 1
    assert kinds["html"] >= 1


def test_rss_dates_are_rfc822_in_gmt(sources):
    for source in sources:
        path = DEMO / source["url"]
        if path.suffix == ".xml" and ET.parse(path).getroot().tag == "rss":
            for date in ET.parse(path).getroot().iter("pubDate"):
                assert date.text.endswith(" GMT"), date.text
                assert parsedate_to_datetime(date.text).tzinfo is not None


def test_special_characters_survive_escaping(items, sources):
    tricky = [i for i in items if any(c in i["title"] + i["summary"] for c in "&'\"<")]
    assert tricky, "the corpus should exercise XML escaping"
    read_back = {e["link"]: e for s in sources for e in entries_of(DEMO / s["url"])}
    for item in tricky:
        entry = read_back[item["url"]]
        assert (entry["title"], entry["description"]) == (item["title"], item["summary"])


def test_sources_file_lists_each_generated_file_as_a_local_source(sources):
    assert sorted(DEMO / s["url"] for s in sources) == sorted(
        [*DEMO.glob("feeds/*.xml"), *DEMO.glob("pages/*.html")])
    for source in sources:
        assert not Path(source["url"]).is_absolute() and "://" not in source["url"]
        assert source["allow_file"] is True
        assert source["kind"] == ("html" if source["url"].endswith(".html") else "rss")
        if source["kind"] == "html":
            assert source["item_selector"]
    assert len({s["name"] for s in sources}) == len(sources)


def test_feedparser_reads_every_feed_without_complaint(items, sources):
    by_url = {i["url"]: i for i in items}
    for source in sources:
        if source["kind"] != "rss":
            continue
        parsed = feedparser.parse((DEMO / source["url"]).read_bytes())
        assert not parsed.bozo, (source["name"], parsed.get("bozo_exception"))
        assert parsed.entries
        for entry in parsed.entries:
            item = by_url[entry.link]
            stamp = entry.get("published_parsed") or entry.get("updated_parsed")
            assert datetime(*stamp[:6], tzinfo=UTC) == published(item)
            assert entry.title == item["title"]


def test_listing_pages_yield_their_items_with_the_configured_selectors(items, sources):
    by_url = {i["url"]: i for i in items}
    pages = [s for s in sources if s["kind"] == "html"]
    assert pages
    for source in pages:
        soup = BeautifulSoup((DEMO / source["url"]).read_bytes(), "html.parser")
        found = soup.select(source["item_selector"])
        assert found
        for element in found:
            link = element.select_one(source["link_selector"])["href"]
            title = element.select_one(source["title_selector"]).get_text(strip=True)
            date = element.select_one(source["date_selector"])["datetime"]
            assert title == by_url[link]["title"]
            assert date == by_url[link]["published"]
