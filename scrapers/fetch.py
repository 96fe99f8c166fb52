"""One source in, one SourceFetch out: fetch, parse, optionally read each article.

Nothing here raises for a source's problems; a bad source becomes a "failed"
result carrying one plain sentence, and the run goes on.
"""
from __future__ import annotations

import logging
import time
from collections import defaultdict, deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlsplit

from scrapers.html import Article, parse_article, parse_listing
from scrapers.http import HttpClient, HttpStatusError, Response
from scrapers.items import is_plausible
from scrapers.rss import parse_feed
from scrapers.types import FetchError, ParseError, RawItem, SourceFetch, SourceSpec, Validators

log = logging.getLogger(__name__)

DEFAULT_MAX_ARTICLES = 30  # article pages read per source and run, at most
DEFAULT_ARTICLE_BUDGET_S = 120.0  # time per source for article pages; the rest stay as listed


def fetch_source(spec: SourceSpec, client: HttpClient, validators: Validators, *,
                 now: datetime) -> SourceFetch:
    """Fetch and parse one source; status "new", "unchanged", "failed" or "skipped"."""
    started = time.monotonic()
    if not spec.enabled:
        return SourceFetch(spec.name, "skipped", validators=validators)
    try:
        response = client.get(spec.url, validators=validators, allow_file=spec.allow_file)
    except FetchError as error:
        status = error.status if isinstance(error, HttpStatusError) else None
        return _failed(spec, error.reason, validators, started, status)
    if response.not_modified:
        return SourceFetch(spec.name, "unchanged", validators=_validators_of(response),
                           http_status=response.status, max_age_s=response.max_age_s,
                           elapsed_s=time.monotonic() - started)
    try:
        items = _parse(spec, response, now)
    except ParseError as error:
        # Keep the old validators: a new ETag would make the next run skip this broken body.
        return _failed(spec, error.reason, validators, started, response.status)
    if _wants_articles(spec):
        items = _with_articles(items, spec, client, now)
    return SourceFetch(spec.name, "new", tuple(items), validators=_validators_of(response),
                       http_status=response.status, max_age_s=response.max_age_s,
                       elapsed_s=time.monotonic() - started)


def _parse(spec: SourceSpec, response: Response, now: datetime) -> list[RawItem]:
    try:
        if spec.kind == "html":
            return parse_listing(response.body, url=response.url, options=spec.options,
                                 fetched_at=now)
        return parse_feed(response.body, url=response.url, headers=response.headers,
                          fetched_at=now)
    except ParseError:
        raise
    except Exception as error:  # noqa: BLE001 - third-party parsers meet hostile bytes
        log.exception("parser crashed on %s", response.url)
        raise ParseError(response.url, f"the parser failed unexpectedly "
                                       f"({type(error).__name__}: {error})") from error


def _failed(spec: SourceSpec, reason: str, validators: Validators, started: float,
            status: int | None = None) -> SourceFetch:
    return SourceFetch(spec.name, "failed", validators=validators, error=_sentence(reason),
                       http_status=status, elapsed_s=time.monotonic() - started)


def _sentence(reason: str) -> str:
    reason = reason.strip() or "unknown problem"
    reason = reason[0].upper() + reason[1:]
    return reason if reason.endswith((".", "!", "?")) else reason + "."


def _validators_of(response: Response) -> Validators:
    return Validators(etag=response.etag, last_modified=response.last_modified)


def _wants_articles(spec: SourceSpec) -> bool:
    return bool(spec.options.get("fetch_article"))


def _with_articles(items: list[RawItem], spec: SourceSpec, client: HttpClient,
                   now: datetime) -> list[RawItem]:
    """Enrich the first `max_articles` items, within the source's time budget."""
    limit = _number_option(spec.options, "max_articles", DEFAULT_MAX_ARTICLES)
    budget = _number_option(spec.options, "article_budget_s", DEFAULT_ARTICLE_BUDGET_S)
    stop_at = time.monotonic() + budget
    return [_enrich(item, client, now) if index < limit and time.monotonic() < stop_at
            else item for index, item in enumerate(items)]


def _number_option(options: Mapping[str, object], key: str, default: float) -> float:
    value = options.get(key, default)
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return value if is_number and value >= 0 else default


def _enrich(item: RawItem, client: HttpClient, now: datetime) -> RawItem:
    """Fill date, text and missing title/summary from the article page; keep the item
    as it was when the page cannot be had."""
    try:
        response = client.get(item.url, from_feed=True)
        article = parse_article(response.body, url=response.url)
    except (FetchError, ParseError) as error:
        log.info("article not read: %s", error)
        return item
    except Exception:  # noqa: BLE001 - one odd page must not cost the source its items
        log.exception("article parser crashed on %s", item.url)
        return item
    return merge_article(item, article, now)


def merge_article(item: RawItem, article: Article, now: datetime) -> RawItem:
    """The listing's own values win; the article fills what the listing lacked."""
    changes: dict[str, object] = {"text": article.text or item.text}
    if item.date_source != "feed" and is_plausible(article.published, fetched_at=now):
        changes.update(published=article.published, date_source="page")
    if article.title and (not item.title or item.title == item.url):
        changes["title"] = article.title
    if not item.summary and article.summary:
        changes["summary"] = article.summary
    return replace(item, **changes)


def fetch_sources(specs: Sequence[SourceSpec], client: HttpClient,
                  validators: Mapping[str, Validators], *, now: datetime,
                  max_workers: int = 16) -> Iterator[SourceFetch]:
    """Fetch many sources on threads; yield each result as soon as it is ready."""
    ordered = interleave_by_host(specs)
    if not ordered:
        return
    pool = ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(ordered))),
                              thread_name_prefix="fetch")
    try:
        pending: set[Future[SourceFetch]] = {
            pool.submit(_fetch_source_guarded, spec, client,
                        validators.get(spec.name, Validators()), now)
            for spec in ordered
        }
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    finally:
        # If the caller stops early, do not start the sources still queued.
        pool.shutdown(wait=True, cancel_futures=True)


def _fetch_source_guarded(spec: SourceSpec, client: HttpClient, validators: Validators,
                          now: datetime) -> SourceFetch:
    """fetch_source, with a bug in it turned into one failed source instead of a dead run."""
    try:
        return fetch_source(spec, client, validators, now=now)
    except Exception as error:  # noqa: BLE001 - the run must go on; the traceback is logged
        log.exception("fetching %s crashed", spec.name)
        return SourceFetch(spec.name, "failed", validators=validators,
                           error=f"Internal error while fetching ({type(error).__name__}: "
                                 f"{error}).")


def interleave_by_host(specs: Sequence[SourceSpec]) -> list[SourceSpec]:
    """Round-robin over hosts, so workers are not all queued behind one slow host."""
    queues: dict[str, deque[SourceSpec]] = defaultdict(deque)
    for spec in specs:
        queues[(urlsplit(spec.url).hostname or "").lower()].append(spec)
    ordered: list[SourceSpec] = []
    while queues:
        for host in list(queues):
            ordered.append(queues[host].popleft())
            if not queues[host]:
                del queues[host]
    return ordered
