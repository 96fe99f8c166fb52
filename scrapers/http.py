"""The one network seam: every byte the project reads from the web comes through here.

Timeouts (connect, read, total), a size cap counted after decompression,
redirects followed by hand (so each hop is checked), robots.txt, politeness
per host, retries with backoff, conditional GET, and file:// for sources that
allow it. Failures are raised as FetchError with a reason in plain words.
"""
from __future__ import annotations

import random
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from scrapers.httputil import (
    BodyDecoder,
    BodyTooLarge,
    UnknownEncoding,
    parse_max_age,
    parse_retry_after,
    plain_headers,
)
from scrapers.localfile import read_file_url
from scrapers.politeness import HostGate
from scrapers.response import Response
from scrapers.robots import ROBOTS_MAX_BYTES, RobotsAnswer, RobotsCache, host_key
from scrapers.safety import Resolver, non_public_address, system_resolver
from scrapers.types import FetchError, Validators

__all__ = ["HttpClient", "HttpConfig", "HttpStatusError", "Response", "FetchError", "Validators"]

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9,"
    " application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 507, 508, 509, 520, 521, 522, 523, 524})


@dataclass(frozen=True)
class HttpConfig:
    user_agent: str = "ai-incident-tracker/0.1 (+https://github.com/ai-incident-tracker)"
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0  # per request, including retries' waiting
    max_bytes: int = 10 * 1024 * 1024  # enforced while streaming, on decompressed bytes
    max_redirects: int = 5
    retries: int = 3  # on connection errors, 5xx and 429
    backoff_base: float = 0.5
    min_host_delay: float = 1.0  # seconds between request starts to one host
    max_connections: int = 16
    max_per_host: int = 2
    respect_robots: bool = True
    allow_private_links: bool = False  # for URLs found inside feeds (article fetches)
    max_retry_after: float = 30.0  # a longer Retry-After ends the attempt instead


@dataclass(frozen=True)
class _Redirect:
    location: str


class HttpStatusError(FetchError):
    """The server answered with a status we do not retry (404, 403, 410, ...)."""

    def __init__(self, url: str, reason: str, status: int):
        super().__init__(url, reason)
        self.status = status


class _Retryable(Exception):
    """A failure worth another attempt; `wait` is the server's Retry-After if any."""

    def __init__(self, reason: str, wait: float | None = None, status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.wait = wait
        self.status = status


@dataclass
class _Deadline:
    """Total time allowed for one get(), started when the first attempt may begin."""

    clock: Callable[[], float]
    budget: float
    started: float | None = field(default=None)

    def start(self) -> None:
        if self.started is None:
            self.started = self.clock()

    def remaining(self) -> float:
        if self.started is None:
            return self.budget
        return self.budget - (self.clock() - self.started)


class HttpClient:
    """Thread-safe client; one per scrape run, shared by all worker threads."""

    def __init__(self, config: HttpConfig = HttpConfig(), *, sleep=time.sleep,
                 clock=time.monotonic, resolver: Resolver = system_resolver,
                 rng: random.Random | None = None,
                 transport: httpx.BaseTransport | None = None):
        self.config = config
        self._sleep, self._clock, self._resolver = sleep, clock, resolver
        self._rng = rng or random.Random()
        self._gate = HostGate(config.min_host_delay, config.max_per_host, clock, sleep)
        self._robots = RobotsCache(self._fetch_robots, config.user_agent)
        limits = httpx.Limits(max_connections=config.max_connections,
                              max_keepalive_connections=config.max_connections)
        headers = {"User-Agent": config.user_agent, "Accept": ACCEPT,
                   "Accept-Encoding": "gzip, deflate"}
        # trust_env=False: no proxy or .netrc picked up from the environment by surprise.
        self._http = httpx.Client(limits=limits, headers=headers, follow_redirects=False,
                                  trust_env=False, transport=transport)

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def get(self, url: str, *, validators: Validators | None = None, allow_file: bool = False,
            from_feed: bool = False) -> Response:
        """Fetch `url`; raise FetchError (with a plain reason) when the bytes cannot be had."""
        scheme = urlsplit(url).scheme.lower()
        if scheme == "file":
            if not allow_file:
                raise FetchError(url, "file:// addresses are read only for sources that allow it")
            return read_file_url(url, max_bytes=self.config.max_bytes, validators=validators)
        _require_web_scheme(url, scheme)
        deadline = _Deadline(self._clock, self.config.total_timeout)
        return self._follow(url, self._conditional_headers(validators), validators,
                            deadline, from_feed)

    def _follow(self, url: str, headers: dict[str, str], validators: Validators | None,
                deadline: _Deadline, from_feed: bool) -> Response:
        current, visited = url, {url}
        for _ in range(self.config.max_redirects + 1):
            self._check_allowed(current, from_feed)
            outcome = self._with_retries(current, headers, deadline, self.config.max_bytes)
            if isinstance(outcome, Response):
                return _keep_old_validators(outcome, validators)
            current = outcome.location
            _require_web_scheme(current, urlsplit(current).scheme.lower())
            if current in visited:
                raise FetchError(url, f"redirect loop (back to {current})")
            visited.add(current)
        raise FetchError(url, f"more than {self.config.max_redirects} redirects")

    def _check_allowed(self, url: str, from_feed: bool) -> None:
        if from_feed and not self.config.allow_private_links:
            self._refuse_private(url)
        if self.config.respect_robots:
            refusal = self._robots.refusal(url)
            if refusal:
                raise FetchError(url, refusal)
            delay = self._robots.crawl_delay(url)
            if delay is not None:
                self._gate.set_delay(host_key(url), delay)

    def _refuse_private(self, url: str) -> None:
        host = urlsplit(url).hostname or ""
        try:
            address = non_public_address(host, self._resolver)
        except OSError as error:
            raise FetchError(url, f"the host name {host} could not be resolved") from error
        if address is not None:
            raise FetchError(url, f"link points to a private or local address ({address}); "
                                  "not fetched")

    @staticmethod
    def _conditional_headers(validators: Validators | None) -> dict[str, str]:
        headers = {}
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        return headers

    def _with_retries(self, url: str, headers: dict[str, str], deadline: _Deadline,
                      max_bytes: int) -> Response | _Redirect:
        allowed, attempt = self.config.retries, 0
        while True:
            try:
                return self._attempt(url, headers, deadline, max_bytes)
            except _Retryable as problem:
                wait = self._retry_wait(problem, attempt)
                self._give_up_if_needed(url, problem, wait, attempt, allowed, deadline)
                self._sleep(wait)
                attempt += 1

    def _retry_wait(self, problem: _Retryable, attempt: int) -> float:
        if problem.wait is not None:
            return problem.wait
        step = self.config.backoff_base * (2 ** attempt)
        return step + self._rng.uniform(0, step)  # jitter spreads retries of many workers

    def _give_up_if_needed(self, url: str, problem: _Retryable, wait: float, attempt: int,
                           allowed: int, deadline: _Deadline) -> None:
        tries = f"after {attempt + 1} attempt{'s' if attempt else ''}"
        if attempt >= allowed:
            raise FetchError(url, f"{problem.reason} ({tries})")
        if problem.wait is not None and wait > self.config.max_retry_after:
            raise FetchError(url, f"{problem.reason}; the server asked us to wait {wait:.0f} s, "
                                  f"longer than the {self.config.max_retry_after:.0f} s we wait")
        if wait >= deadline.remaining():
            raise FetchError(url, f"{problem.reason} ({tries}; no time left to retry within "
                                  f"{self.config.total_timeout:.0f} s)")

    def _attempt(self, url: str, headers: dict[str, str], deadline: _Deadline,
                 max_bytes: int) -> Response | _Redirect:
        with self._gate.slot(host_key(url)):
            deadline.start()
            try:
                with self._http.stream("GET", url, headers=headers,
                                       timeout=self._timeouts(deadline)) as reply:
                    return self._judge(url, reply, deadline, max_bytes)
            except httpx.TimeoutException as error:
                raise _Retryable(_timeout_reason(error, self.config)) from error
            except httpx.TransportError as error:
                raise _Retryable(f"could not reach {urlsplit(url).hostname}: "
                                 f"{_detail(error)}") from error

    def _timeouts(self, deadline: _Deadline) -> httpx.Timeout:
        left = max(deadline.remaining(), 0.001)
        return httpx.Timeout(connect=min(self.config.connect_timeout, left),
                             read=min(self.config.read_timeout, left),
                             write=min(self.config.read_timeout, left), pool=left)

    def _judge(self, url: str, reply: httpx.Response, deadline: _Deadline,
               max_bytes: int) -> Response | _Redirect:
        status = reply.status_code
        if status in RETRY_STATUSES:
            wait = parse_retry_after(reply.headers.get("retry-after"), now=_utcnow())
            raise _Retryable(_status_reason(reply), wait, status)
        if status in REDIRECT_STATUSES and reply.headers.get("location"):
            return _Redirect(urljoin(url, reply.headers["location"].strip()))
        if status == 304:
            return self._response(url, reply, b"", not_modified=True)
        if status >= 300:
            raise HttpStatusError(url, f"the server answered {_status_reason(reply)}", status)
        body = _read_capped(url, reply, deadline, max_bytes, self.config.total_timeout)
        return self._response(url, reply, body, not_modified=False)

    @staticmethod
    def _response(url: str, reply: httpx.Response, body: bytes, *,
                  not_modified: bool) -> Response:
        headers = plain_headers(reply.headers)
        return Response(url=url, status=reply.status_code, headers=headers, body=body,
                        not_modified=not_modified, etag=headers.get("etag"),
                        last_modified=headers.get("last-modified"),
                        max_age_s=parse_max_age(headers), fetched_at=_utcnow())

    def _fetch_robots(self, robots_url: str) -> RobotsAnswer:
        """GET /robots.txt: redirects followed, no retries, small cap, no robots check."""
        deadline = _Deadline(self._clock, min(self.config.total_timeout, 30.0))
        current = robots_url
        try:
            for _ in range(self.config.max_redirects + 1):
                outcome = self._attempt(current, {}, deadline, ROBOTS_MAX_BYTES)
                if isinstance(outcome, Response):
                    return RobotsAnswer(outcome.status, outcome.body)
                current = outcome.location
            return RobotsAnswer(None, failure="too many redirects")
        except _Retryable as problem:  # 5xx, 429, timeouts, connection errors
            return RobotsAnswer(problem.status, failure=None if problem.status else problem.reason)
        except HttpStatusError as error:  # 4xx: no rules
            return RobotsAnswer(error.status)
        except FetchError as error:
            return RobotsAnswer(None, failure=error.reason)


def _read_capped(url: str, reply: httpx.Response, deadline: _Deadline, max_bytes: int,
                 total_timeout: float) -> bytes:
    declared = reply.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(url, f"the response is {int(declared):,} bytes, over the "
                              f"{max_bytes:,}-byte limit")
    try:
        decoder = BodyDecoder(reply.headers.get("content-encoding"), max_bytes)
    except UnknownEncoding as error:
        raise FetchError(url, f"the response is compressed with '{error}', which we did not "
                              "ask for and cannot read") from error
    parts: list[bytes] = []
    try:
        for raw in reply.iter_raw():  # no chunk_size: it would buffer up to that size
            parts.append(decoder.feed(raw))
            if deadline.remaining() <= 0:
                raise FetchError(url, f"took longer than {total_timeout:g} s in total")
    except BodyTooLarge as error:
        raise FetchError(url, f"the response grew past the {max_bytes:,}-byte limit "
                              "(after decompression)") from error
    except zlib.error as error:
        raise FetchError(url, f"the response could not be decompressed: {error}") from error
    return b"".join(parts)


def _require_web_scheme(url: str, scheme: str) -> None:
    if scheme not in ("http", "https"):
        shown = f"'{scheme}'" if scheme else "no scheme"
        raise FetchError(url, f"only http and https addresses are fetched, not {shown}")


def _keep_old_validators(response: Response, validators: Validators | None) -> Response:
    # A 304 may omit the validators; the ones we sent remain valid.
    if not response.not_modified or validators is None:
        return response
    return replace(response, etag=response.etag or validators.etag,
                   last_modified=response.last_modified or validators.last_modified)


def _status_reason(reply: httpx.Response) -> str:
    phrase = reply.reason_phrase or ""
    return f"{reply.status_code} {phrase}".strip()


def _timeout_reason(error: httpx.TimeoutException, config: HttpConfig) -> str:
    if isinstance(error, httpx.ConnectTimeout):
        return f"no connection within {config.connect_timeout:g} s (timeout)"
    if isinstance(error, httpx.PoolTimeout):
        return "waited too long for a free connection"
    return f"the server sent nothing for {config.read_timeout:g} s (read timeout)"


def _detail(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text.split("] ", 1)[-1] if text.startswith("[Errno") else text


def _utcnow() -> datetime:
    return datetime.now(UTC)
