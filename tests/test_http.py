"""scrapers.http against a scripted server on 127.0.0.1: limits, politeness, retries."""
from __future__ import annotations

import gzip
import threading
import time
import tracemalloc
import zlib
from email.utils import formatdate

import pytest

from scrapers.http import HttpClient, HttpConfig
from scrapers.httputil import BodyDecoder, BodyTooLarge, parse_max_age, parse_retry_after
from scrapers.types import FetchError, Validators
from tests.localserver import LocalServer, Reply

FAST = HttpConfig(connect_timeout=2, read_timeout=2, total_timeout=5, retries=3,
                  backoff_base=0.01, min_host_delay=0, max_per_host=8)


class FakeTime:
    """A clock that only moves when the client sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def server():
    with LocalServer() as running:
        running.route("/robots.txt", Reply(404))
        yield running


_OPEN_CLIENTS: list[HttpClient] = []


@pytest.fixture(autouse=True)
def _close_clients():
    yield
    while _OPEN_CLIENTS:
        _OPEN_CLIENTS.pop().close()


def make_client(config: HttpConfig = FAST, **kwargs) -> HttpClient:
    client = HttpClient(config, **kwargs)
    _OPEN_CLIENTS.append(client)
    return client


def config(**changes) -> HttpConfig:
    values = {**FAST.__dict__, **changes}
    return HttpConfig(**values)


# -- plain fetches --------------------------------------------------------------------------

def test_get_returns_body_validators_and_max_age(server):
    server.route("/feed", Reply(200, b"<rss/>", headers={
        "ETag": '"abc"', "Last-Modified": "Tue, 05 Mar 2024 10:00:00 GMT",
        "Cache-Control": "public, max-age=1800"}))
    with make_client() as client:
        response = client.get(server.url("/feed"))
    assert (response.status, response.body, response.etag) == (200, b"<rss/>", '"abc"')
    assert response.last_modified == "Tue, 05 Mar 2024 10:00:00 GMT"
    assert response.max_age_s == 1800
    assert response.fetched_at.tzinfo is not None
    sent = server.requests[-1].headers
    assert sent["user-agent"].startswith("ai-incident-tracker/")
    assert "gzip" in sent["accept-encoding"]


def test_error_status_is_a_plain_fetch_error(server):
    with make_client() as client, pytest.raises(FetchError) as caught:
        client.get(server.url("/missing"))
    assert caught.value.reason == "the server answered 404 Not Found"
    assert server.hits("/missing") == 1  # a 404 is not retried


def test_gzip_body_is_decompressed(server):
    server.route("/feed", Reply(200, b"<rss>hello</rss>" * 100, gzip=True))
    with make_client() as client:
        assert client.get(server.url("/feed")).body == b"<rss>hello</rss>" * 100


def test_unrequested_content_encoding_is_refused(server):
    server.route("/feed", Reply(200, b"xx", headers={"Content-Encoding": "br"}))
    with make_client() as client, pytest.raises(FetchError, match="compressed with 'br'"):
        client.get(server.url("/feed"))


# -- conditional GET ------------------------------------------------------------------------

def test_etag_sent_back_gives_not_modified_without_body(server):
    server.static("/feed", b"<rss>" + b"x" * 5000 + b"</rss>", etag='"v1"')
    with make_client() as client:
        first = client.get(server.url("/feed"))
        second = client.get(server.url("/feed"), validators=Validators(etag=first.etag))
    assert first.status == 200 and not first.not_modified
    assert second.not_modified and second.status == 304 and second.body == b""
    assert second.etag == '"v1"'
    assert server.requests[-1].headers["if-none-match"] == '"v1"'


def test_last_modified_sent_back_as_if_modified_since(server):
    stamp = formatdate(1_700_000_000, usegmt=True)
    server.static("/feed", b"<rss/>", last_modified=stamp)
    with make_client() as client:
        response = client.get(server.url("/feed"), validators=Validators(last_modified=stamp))
    assert response.not_modified
    assert server.requests[-1].headers["if-modified-since"] == stamp


def test_304_without_validators_keeps_the_ones_we_sent(server):
    server.route("/feed", Reply(304))
    with make_client() as client:
        response = client.get(server.url("/feed"), validators=Validators('"old"', "Mon, 01 Jan"))
    assert (response.etag, response.last_modified) == ('"old"', "Mon, 01 Jan")


# -- timeouts -------------------------------------------------------------------------------

def test_slow_response_within_limits_succeeds(server):
    server.route("/slow", Reply(200, b"<rss/>", delay=0.3))
    with make_client() as client:
        assert client.get(server.url("/slow")).body == b"<rss/>"


def test_hanging_server_hits_the_read_timeout(server):
    server.route("/hang", Reply(200, b"<rss/>", stall=30))
    started = time.monotonic()
    client = make_client(config(read_timeout=0.3, retries=0))
    with pytest.raises(FetchError, match="sent nothing for 0.3 s"):
        client.get(server.url("/hang"))
    assert time.monotonic() - started < 3


def test_dripping_body_is_cut_by_the_total_timeout(server):
    server.route("/drip", Reply(200, b"x" * 4000, chunk=100, drip=0.1))
    started = time.monotonic()
    client = make_client(config(read_timeout=1, total_timeout=0.6, retries=0))
    with pytest.raises(FetchError, match="longer than 0.6 s in total"):
        client.get(server.url("/drip"))
    assert time.monotonic() - started < 2


# -- retries --------------------------------------------------------------------------------

def test_500_then_success_is_retried_with_backoff(server):
    server.route("/feed", Reply(500), Reply(200, b"<rss/>"))
    fake = FakeTime()
    with make_client(config(backoff_base=0.5), sleep=fake.sleep) as client:
        assert client.get(server.url("/feed")).body == b"<rss/>"
    assert server.hits("/feed") == 2
    assert len(fake.sleeps) == 1 and 0.5 <= fake.sleeps[0] <= 1.0


def test_backoff_grows_exponentially_then_gives_up(server):
    server.route("/feed", Reply(503))
    fake = FakeTime()
    client = make_client(config(backoff_base=0.5, total_timeout=60), sleep=fake.sleep)
    with pytest.raises(FetchError, match=r"503 Service Unavailable \(after 4 attempts\)"):
        client.get(server.url("/feed"))
    assert server.hits("/feed") == 4
    assert len(fake.sleeps) == 3
    for n, slept in enumerate(fake.sleeps):  # base·2^n plus a jitter of up to as much again
        assert 0.5 * 2**n <= slept <= 2 * 0.5 * 2**n


def test_429_retry_after_seconds_is_honoured(server):
    server.route("/feed", Reply(429, headers={"Retry-After": "7"}), Reply(200, b"ok"))
    fake = FakeTime()
    with make_client(config(total_timeout=60), sleep=fake.sleep) as client:
        assert client.get(server.url("/feed")).body == b"ok"
    assert fake.sleeps == [7.0]


def test_429_retry_after_http_date_is_honoured(server):
    later = formatdate(time.time() + 12, usegmt=True)
    server.route("/feed", Reply(429, headers={"Retry-After": later}), Reply(200, b"ok"))
    fake = FakeTime()
    with make_client(config(total_timeout=60), sleep=fake.sleep) as client:
        client.get(server.url("/feed"))
    assert 9 <= fake.sleeps[0] <= 12.5


def test_retry_after_longer_than_we_wait_fails_at_once(server):
    server.route("/feed", Reply(429, headers={"Retry-After": "3600"}))
    fake = FakeTime()
    client = make_client(config(total_timeout=60), sleep=fake.sleep)
    with pytest.raises(FetchError, match="asked us to wait 3600 s"):
        client.get(server.url("/feed"))
    assert server.hits("/feed") == 1 and fake.sleeps == []


def test_retries_stop_when_the_total_time_is_used_up(server):
    server.route("/feed", Reply(503, headers={"Retry-After": "20"}))
    fake = FakeTime()
    client = make_client(config(total_timeout=30, retries=5), sleep=fake.sleep,
                     clock=fake.clock)
    with pytest.raises(FetchError, match="no time left"):
        client.get(server.url("/feed"))
    assert fake.sleeps == [20.0]  # a second 20 s wait would pass the 30 s budget


def test_connection_refused_is_retried_then_reported(server):
    port = server._httpd.server_address[1]
    server.stop()
    fake = FakeTime()
    client = make_client(config(retries=2, respect_robots=False), sleep=fake.sleep)
    with pytest.raises(FetchError, match=r"could not reach 127.0.0.1.*after 3 attempts"):
        client.get(f"http://127.0.0.1:{port}/feed")
    assert len(fake.sleeps) == 2


# -- redirects and schemes ------------------------------------------------------------------

def test_redirect_is_followed_and_final_url_reported(server):
    server.route("/old", Reply(301, headers={"Location": "/new"}))
    server.route("/new", Reply(200, b"here"))
    with make_client() as client:
        response = client.get(server.url("/old"))
    assert response.body == b"here" and response.url == server.url("/new")


def test_redirect_loop_is_stopped(server):
    server.route("/a", Reply(302, headers={"Location": "/b"}))
    server.route("/b", Reply(302, headers={"Location": "/a"}))
    with make_client() as client, pytest.raises(FetchError, match="redirect loop"):
        client.get(server.url("/a"))
    assert server.hits("/a") == 1 and server.hits("/b") == 1


def test_redirect_limit(server):
    for hop in range(8):
        server.route(f"/r{hop}", Reply(302, headers={"Location": f"/r{hop + 1}"}))
    client = make_client(config(max_redirects=5))
    with pytest.raises(FetchError, match="more than 5 redirects"):
        client.get(server.url("/r0"))
    assert server.hits("/r6") == 0


def test_redirect_to_another_scheme_is_refused(server):
    server.route("/a", Reply(302, headers={"Location": "file:///etc/passwd"}))
    with make_client() as client, pytest.raises(FetchError, match="not 'file'"):
        client.get(server.url("/a"), allow_file=True)


@pytest.mark.parametrize("url", ["ftp://example.com/feed", "gopher://x/", "/relative/feed"])
def test_only_http_and_https(url):
    with make_client() as client, pytest.raises(FetchError, match="only http and https"):
        client.get(url)


def test_file_urls_need_permission(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(b"<rss/>")
    client = make_client()
    with pytest.raises(FetchError, match="only for sources that allow it"):
        client.get(feed.as_uri())
    response = client.get(feed.as_uri(), allow_file=True)
    again = client.get(feed.as_uri(), allow_file=True, validators=Validators(etag=response.etag))
    assert response.body == b"<rss/>" and response.status == 200
    assert again.not_modified and again.body == b""


def test_file_over_the_cap_is_refused(tmp_path):
    big = tmp_path / "big.xml"
    big.write_bytes(b"x" * 2000)
    client = make_client(config(max_bytes=1000))
    with pytest.raises(FetchError, match="over the 1,000-byte limit"):
        client.get(big.as_uri(), allow_file=True)


# -- size limits ----------------------------------------------------------------------------

def test_declared_oversized_body_is_refused_before_reading(server):
    server.route("/big", Reply(200, b"x" * 50_000))
    client = make_client(config(max_bytes=10_000))
    with pytest.raises(FetchError, match="50,000 bytes, over the 10,000-byte limit"):
        client.get(server.url("/big"))


def test_undeclared_oversized_body_is_cut_while_streaming(server):
    server.route("/big", Reply(200, b"x" * 300_000, send_length=False, chunk=8192))
    client = make_client(config(max_bytes=100_000))
    with pytest.raises(FetchError, match="grew past the 100,000-byte limit"):
        client.get(server.url("/big"))


def test_gzip_bomb_is_stopped_in_bounded_memory(server):
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # 64 MB → ~64 KB
    assert len(bomb) < 200_000
    server.route("/bomb", Reply(200, raw_body=bomb, headers={"Content-Encoding": "gzip"}))
    with make_client(config(max_bytes=1_000_000)) as client:
        tracemalloc.start()
        try:
            with pytest.raises(FetchError, match="after decompression"):
                client.get(server.url("/bomb"))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 8_000_000


@pytest.mark.parametrize("encoding,compress", [
    ("gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send
    ("gzip, gzip", lambda data: gzip.compress(gzip.compress(data))),
])
def test_body_decoder_undoes_each_encoding(encoding, compress):
    data = b"feed text " * 10_000
    packed = compress(data)
    decoder = BodyDecoder(encoding, max_bytes=len(data))
    out = b"".join(decoder.feed(packed[i:i + 1000]) for i in range(0, len(packed), 1000))
    assert out == data


def test_body_decoder_counts_decompressed_bytes():
    decoder = BodyDecoder("gzip", max_bytes=1000)
    with pytest.raises(BodyTooLarge):
        decoder.feed(gzip.compress(b"a" * 5000))


def test_concatenated_gzip_members_are_all_read():
    decoder = BodyDecoder("gzip", max_bytes=100)
    assert decoder.feed(gzip.compress(b"one ") + gzip.compress(b"two")) == b"one two"


# -- header parsing -------------------------------------------------------------------------

def test_retry_after_forms():
    from datetime import UTC, datetime
    now = datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
    assert parse_retry_after("120", now=now) == 120
    assert parse_retry_after("Tue, 05 Mar 2024 10:01:30 GMT", now=now) == 90
    assert parse_retry_after("Tue, 05 Mar 2024 09:00:00 GMT", now=now) == 0
    assert parse_retry_after("soon", now=now) is None


def test_max_age_forms():
    assert parse_max_age({"cache-control": "public, s-maxage=5, max-age=600"}) == 600
    assert parse_max_age({"cache-control": "no-cache"}) == 0
    assert parse_max_age({"expires": "Tue, 05 Mar 2024 11:00:00 GMT",
                          "date": "Tue, 05 Mar 2024 10:00:00 GMT"}) == 3600
    assert parse_max_age({}) is None


# -- robots.txt -----------------------------------------------------------------------------

ROBOTS = b"""User-agent: *
Disallow: /private/
Disallow: /*.json$
Allow: /private/feeds/
"""


def robots_server(server, text: bytes) -> None:
    server.route("/robots.txt", Reply(200, text))
    for path in ("/private/page", "/private/feeds/ai.xml", "/data.json", "/data.json?x=1",
                 "/public/feed.xml"):
        server.route(path.split("?")[0], Reply(200, b"<rss/>"))


@pytest.mark.parametrize("path,allowed", [
    ("/private/page", False),
    ("/private/feeds/ai.xml", True),  # the longer Allow wins over the shorter Disallow
    ("/data.json", False),  # wildcard with end anchor
    ("/data.json?x=1", True),  # "$" anchors the end, so a query string escapes it
    ("/public/feed.xml", True),
])
def test_robots_wildcards_and_overlapping_rules(server, path, allowed):
    robots_server(server, ROBOTS)
    with make_client() as client:
        if allowed:
            assert client.get(server.url(path)).status == 200
        else:
            with pytest.raises(FetchError, match="robots.txt .* disallows"):
                client.get(server.url(path))
            assert server.hits(path) == 0  # never requested


def test_robots_group_for_our_agent_wins_over_star(server):
    robots_server(server, b"User-agent: *\nAllow: /\n\nUser-agent: ai-incident-tracker\n"
                          b"Disallow: /public/\n")
    with make_client() as client, pytest.raises(FetchError, match="disallows"):
        client.get(server.url("/public/feed.xml"))


def test_robots_is_fetched_once_per_host(server):
    robots_server(server, ROBOTS)
    with make_client() as client:
        for _ in range(3):
            client.get(server.url("/public/feed.xml"))
    assert server.hits("/robots.txt") == 1


def test_robots_404_allows_everything(server):
    server.route("/feed", Reply(200, b"<rss/>"))
    with make_client() as client:
        assert client.get(server.url("/feed")).status == 200


def test_robots_server_error_blocks_the_host_for_the_run(server):
    server.route("/robots.txt", Reply(503))
    server.route("/feed", Reply(200, b"<rss/>"))
    with make_client() as client, pytest.raises(FetchError, match="robots.txt answered 503"):
        client.get(server.url("/feed"))
    assert server.hits("/feed") == 0


def test_robots_unreachable_blocks_with_a_plain_reason(server):
    port = server._httpd.server_address[1]
    server.stop()
    with make_client() as client, pytest.raises(FetchError) as caught:
        client.get(f"http://127.0.0.1:{port}/feed")
    assert caught.value.reason == ("robots.txt could not be read (could not reach 127.0.0.1: "
                                   "Connection refused); not fetching from this host for now")


def test_robots_can_be_switched_off(server):
    robots_server(server, b"User-agent: *\nDisallow: /\n")
    with make_client(config(respect_robots=False)) as client:
        assert client.get(server.url("/public/feed.xml")).status == 200
    assert server.hits("/robots.txt") == 0


# -- politeness -----------------------------------------------------------------------------

def test_min_delay_between_requests_to_one_host(server):
    server.route("/a", Reply(200, b"a"))
    fake = FakeTime()
    with make_client(config(min_host_delay=1.5), sleep=fake.sleep, clock=fake.clock) as client:
        client.get(server.url("/a"))  # robots.txt first, then /a 1.5 s later
        client.get(server.url("/a"))
    assert fake.sleeps == [1.5, 1.5]


def test_robots_crawl_delay_raises_the_host_delay(server):
    server.route("/robots.txt", Reply(200, b"User-agent: *\nCrawl-delay: 4\n"))
    server.route("/a", Reply(200, b"a"))
    fake = FakeTime()
    with make_client(config(min_host_delay=1), sleep=fake.sleep, clock=fake.clock) as client:
        for _ in range(3):
            client.get(server.url("/a"))
    assert fake.sleeps[-2:] == [4.0, 4.0]


def test_concurrent_requests_per_host_are_limited(server):
    active, peak, lock = [0], [0], threading.Lock()

    def slow(request):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.25)
        with lock:
            active[0] -= 1
        return Reply(200, b"ok")

    server.route("/slow", slow)
    with make_client(config(max_per_host=2)) as client:
        threads = [threading.Thread(target=client.get, args=(server.url("/slow"),))
                   for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert server.hits("/slow") == 6 and peak[0] == 2


def test_overall_connection_limit_holds_across_hosts(server):
    active, peak, lock = [0], [0], threading.Lock()

    def slow(request):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.25)
        with lock:
            active[0] -= 1
        return Reply(200, b"ok")

    server.route("/slow", slow)
    client = make_client(config(max_connections=3, max_per_host=10))
    # Two host names for the one server, so only the overall limit can hold them back.
    port = server._httpd.server_address[1]
    urls = [f"http://{host}:{port}/slow" for host in ("127.0.0.1", "localhost") * 4]
    threads = [threading.Thread(target=client.get, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert server.hits("/slow") == 8 and peak[0] == 3


# -- links found inside feeds ---------------------------------------------------------------

def test_feed_links_to_loopback_are_refused(server):
    server.route("/article", Reply(200, b"<html/>"))
    with make_client() as client, pytest.raises(FetchError, match=r"private or local .*127\.0"):
        client.get(server.url("/article"), from_feed=True)
    assert server.hits("/article") == 0


def test_feed_links_are_refused_if_any_address_is_private():
    resolver = {"mixed.example": ["93.184.216.34", "10.1.2.3"]}.__getitem__
    client = make_client(resolver=resolver)
    with pytest.raises(FetchError, match=r"10\.1\.2\.3"):
        client.get("http://mixed.example/a", from_feed=True)


def test_redirect_from_public_host_to_private_address_is_refused(server):
    # "localhost" is made to look public, so only the redirect target can trip the check.
    public_looking = {"localhost": ["93.184.216.34"]}.__getitem__
    port = server._httpd.server_address[1]
    server.route("/go", Reply(302, headers={"Location": server.url("/inside")}))
    server.route("/inside", Reply(200, b"secret"))
    client = make_client(resolver=public_looking)
    with pytest.raises(FetchError, match="private or local"):
        client.get(f"http://localhost:{port}/go", from_feed=True)
    assert server.hits("/go") == 1 and server.hits("/inside") == 0


def test_private_links_allowed_when_configured(server):
    server.route("/article", Reply(200, b"<html/>"))
    with make_client(config(allow_private_links=True)) as client:
        assert client.get(server.url("/article"), from_feed=True).body == b"<html/>"
