"""scrapers.fetch: one source → one SourceFetch, many sources concurrently."""
from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

import scrapers.fetch as fetch_module
from bench.scrape import _counting, bench_specs, generate_feed, measure_floor, run_scrapers_only
from scrapers.fetch import fetch_source, fetch_sources, interleave_by_host
from scrapers.http import HttpClient, HttpConfig
from scrapers.rss import parse_feed
from scrapers.types import SourceSpec, Validators
from tests.localserver import LocalServer, Reply, conditional_handler

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
PAGES = Path(__file__).parent / "fixtures" / "pages"
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
QUICK = HttpConfig(connect_timeout=2, read_timeout=2, total_timeout=5, retries=0,
                   min_host_delay=0, max_per_host=16, allow_private_links=True)

LISTING = b"""<html><body>
<div class="post"><a href="/articles/1">First post</a></div>
<div class="post"><a href="/articles/2">Second post</a></div>
<div class="post"><a href="/articles/3">Third post</a>
  <time datetime="2024-04-01">1 April</time></div>
</body></html>"""

ARTICLE = b"""<html><head><script type="application/ld+json">
{"@type": "NewsArticle", "headline": "First post, full title",
 "datePublished": "2024-05-20T08:00:00Z"}
</script><meta name="description" content="What the first post says."></head>
<body><article><p>The full text of the first post, long enough to be a paragraph.</p></article>
</body></html>"""


@pytest.fixture
def server():
    with LocalServer() as running:
        running.route("/robots.txt", Reply(404))
        yield running


@pytest.fixture
def client():
    with HttpClient(QUICK) as made:
        yield made


def rss_spec(server, path="/feed", **changes) -> SourceSpec:
    return SourceSpec(**{"name": f"Feed {path}", "url": server.url(path), **changes})


def test_new_then_unchanged_with_validators(server, client):
    server.static("/feed", (FEEDS / "atom10_xmlbase.xml").read_bytes(), etag='"r1"',
                  headers={"Cache-Control": "max-age=900"})
    first = fetch_source(rss_spec(server), client, Validators(), now=NOW)
    assert first.status == "new" and len(first.items) == 2
    assert first.validators.etag == '"r1"' and first.max_age_s == 900
    second = fetch_source(rss_spec(server), client, first.validators, now=NOW)
    assert second.status == "unchanged" and second.items == () and second.http_status == 304
    assert second.validators.etag == '"r1"'


def test_http_error_is_a_failed_result_with_a_sentence(server, client):
    old = Validators(etag='"old"')
    result = fetch_source(rss_spec(server, "/gone"), client, old, now=NOW)
    assert result.status == "failed" and result.http_status == 404
    assert result.error == "The server answered 404 Not Found."
    assert result.validators == old


def test_parse_failure_keeps_the_old_validators(server, client):
    server.route("/feed", Reply(200, b"<html><body>Not a feed</body></html>",
                                headers={"ETag": '"new"', "Content-Type": "text/html"}))
    old = Validators(etag='"old"')
    result = fetch_source(rss_spec(server), client, old, now=NOW)
    assert result.status == "failed" and "HTML page" in result.error
    assert result.validators == old  # so the next run parses again instead of getting a 304


def test_unexpected_parser_crash_fails_only_that_source(server, client, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(fetch_module, "parse_feed", explode)
    server.route("/feed", Reply(200, b"<rss/>"))
    result = fetch_source(rss_spec(server), client, Validators(), now=NOW)
    assert result.status == "failed"
    assert result.error == "The parser failed unexpectedly (RuntimeError: kaboom)."


def test_a_crash_outside_the_parsers_still_yields_a_failed_result(server, client, monkeypatch):
    def explode(*args, **kwargs):
        raise KeyError("bug")

    monkeypatch.setattr(client, "get", explode)
    (result,) = fetch_sources([rss_spec(server)], client, {}, now=NOW)
    assert result.status == "failed" and "Internal error" in result.error


def test_html_listing_with_article_pages(server, client):
    server.route("/news", Reply(200, LISTING))
    server.route("/articles/1", Reply(200, ARTICLE))
    server.route("/articles/3", Reply(200, ARTICLE))
    spec = SourceSpec(name="Newsroom", url=server.url("/news"), kind="html",
                      options={"item_selector": "div.post", "fetch_article": True})
    result = fetch_source(spec, client, Validators(), now=NOW)
    first, second, third = result.items
    assert result.status == "new"
    assert first.title == "First post"  # the listing's own title is kept
    assert (first.published, first.date_source) == (datetime(2024, 5, 20, 8, tzinfo=UTC), "page")
    assert first.text.startswith("The full text of the first post")
    assert first.summary == "What the first post says."
    assert (second.date_source, second.text) == ("fetched", "")  # its article page is a 404
    assert (third.published, third.date_source) == (datetime(2024, 4, 1, tzinfo=UTC), "feed")


def test_article_limit(server, client):
    server.route("/news", Reply(200, LISTING))
    server.route("/articles/1", Reply(200, ARTICLE))
    spec = SourceSpec(name="Newsroom", url=server.url("/news"), kind="html",
                      options={"item_selector": "div.post", "fetch_article": True,
                               "max_articles": 1})
    fetch_source(spec, client, Validators(), now=NOW)
    assert server.hits("/articles/1") == 1
    assert server.hits("/articles/2") == server.hits("/articles/3") == 0


def test_article_time_budget(server, client):
    server.route("/news", Reply(200, LISTING))
    server.route("/articles/1", Reply(200, ARTICLE))
    spec = SourceSpec(name="Newsroom", url=server.url("/news"), kind="html",
                      options={"item_selector": "div.post", "fetch_article": True,
                               "article_budget_s": 0})
    result = fetch_source(spec, client, Validators(), now=NOW)
    assert len(result.items) == 3 and server.hits("/articles/1") == 0


def test_article_links_to_private_addresses_are_not_followed(server):
    server.route("/news", Reply(200, LISTING))
    spec = SourceSpec(name="Newsroom", url=server.url("/news"), kind="html",
                      options={"item_selector": "div.post", "fetch_article": True})
    strict = HttpConfig(**{**QUICK.__dict__, "allow_private_links": False})
    with HttpClient(strict) as client:
        result = fetch_source(spec, client, Validators(), now=NOW)
    assert result.status == "new" and len(result.items) == 3
    assert all(server.hits(f"/articles/{n}") == 0 for n in (1, 2, 3))


def test_file_source_needs_allow_file(client):
    url = (FEEDS / "rdf10.xml").resolve().as_uri()
    allowed = fetch_source(SourceSpec("Local", url, allow_file=True), client, Validators(),
                           now=NOW)
    refused = fetch_source(SourceSpec("Local", url), client, Validators(), now=NOW)
    assert allowed.status == "new" and len(allowed.items) == 1
    assert refused.status == "failed" and "allow" in refused.error


def test_disabled_source_is_skipped(client):
    spec = SourceSpec("Off", "http://127.0.0.1:9/feed", enabled=False)
    assert fetch_source(spec, client, Validators(), now=NOW).status == "skipped"


def test_sources_are_fetched_concurrently(server, client):
    body = (FEEDS / "rdf10.xml").read_bytes()
    specs = []
    for n in range(8):
        server.route(f"/slow{n}", Reply(200, body, delay=0.5))
        specs.append(rss_spec(server, f"/slow{n}"))
    started = time.monotonic()
    results = list(fetch_sources(specs, client, {}, now=NOW, max_workers=8))
    elapsed = time.monotonic() - started
    assert sorted(r.source for r in results) == sorted(s.name for s in specs)
    assert all(r.status == "new" for r in results)
    assert elapsed < 2.5  # one after another would take 4 s


def test_one_bad_source_does_not_stop_the_others(server, client):
    server.route("/good", Reply(200, (FEEDS / "rdf10.xml").read_bytes()))
    server.route("/bad", Reply(200, b"garbage"))
    results = {r.source: r for r in fetch_sources(
        [rss_spec(server, "/bad"), rss_spec(server, "/good")], client,
        {"Feed /good": Validators(etag='"x"')}, now=NOW)}
    assert results["Feed /bad"].status == "failed"
    assert results["Feed /good"].status == "new"


def test_validators_are_looked_up_by_source_name(server, client):
    server.static("/feed", b"<rss/>", etag='"e"')
    (result,) = fetch_sources([rss_spec(server)], client, {"Feed /feed": Validators('"e"')},
                              now=NOW)
    assert result.status == "unchanged"


def test_interleave_by_host_spreads_hosts():
    specs = [SourceSpec(f"{host}{n}", f"https://{host}.example/{n}")
             for host in ("a", "b") for n in range(3)] + [SourceSpec("c0", "https://c.example/")]
    assert [s.name for s in interleave_by_host(specs)] == ["a0", "b0", "c0", "a1", "b1", "a2",
                                                           "b2"]


# -- the benchmark's harness (bench/scrape.py), on a few small feeds ------------------------

def test_bench_feeds_are_deterministic_and_parse_fully():
    body = generate_feed(7, 20)
    assert body == generate_feed(7, 20) and body != generate_feed(8, 20)
    items = parse_feed(body, url="http://127.0.0.1/feeds/7.xml",
                       fetched_at=datetime(2027, 1, 1, tzinfo=UTC))  # after every generated date
    assert len(items) == 20 and all(item.date_source == "feed" for item in items)


def test_bench_floor_and_scrapers_only_runs(server, tmp_path):
    counts = {}
    for index in range(3):
        server.route(f"/feeds/{index}.xml", _counting(
            conditional_handler(generate_feed(index, 10), etag=f'"b{index}"'), counts, 0.0))
    urls = [server.url(f"/feeds/{index}.xml") for index in range(3)]
    assert measure_floor(urls, tmp_path / "floor.db", workers=2).items == 30
    first = run_scrapers_only(tmp_path / "ours.db", bench_specs(urls), workers=2)
    before = dict(counts)
    rerun = run_scrapers_only(tmp_path / "ours.db", bench_specs(urls), workers=2)
    assert first.items == 30 and rerun.items == 0
    assert counts["200"] == before["200"] and counts["304"] == 3  # no body downloaded again
