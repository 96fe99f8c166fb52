"""Scrape benchmark on generated feeds served from 127.0.0.1 (issue 4, point 10).

    .venv/bin/python -m bench.scrape                      # 300 feeds × 50 items
    .venv/bin/python -m bench.scrape --latency 0.2        # each response 200 ms late
    .venv/bin/python -m bench.scrape --memory-items 100000 --check

Measures, in one run and on the same feeds:
  floor  bare concurrent fetch (httpx) + feedparser.parse + sqlite-utils insert_all;
  first  our scrape end to end (tracker.pipeline.run_scrape, no tagging) into a new db;
  rerun  the same scrape again: the server answers 304 to the validators stored.
and, with --memory-items, the peak memory (ru_maxrss) of a fresh process scraping that
many items. The feed server runs in its own process so it does not share our CPU time
accounting or memory. --check exits 1 when a target of issue 4 is missed.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import feedparser
import httpx
import sqlite_utils

from scrapers.fetch import fetch_sources
from scrapers.http import HttpClient, HttpConfig
from scrapers.types import SourceSpec, Validators
from tests.localserver import LocalServer, Reply, Request, conditional_handler

TARGET_FIRST_OVER_FLOOR = 1.5
TARGET_RERUN_OVER_FIRST = 0.10
TARGET_PEAK_MB = 500
COMPANIES = ("OpenAI", "Anthropic", "Google", "Meta", "Microsoft", "ByteDance", "Mistral",
             "xAI", "Nvidia", "Apple", "Amazon", "Cohere", "Stability AI", "Midjourney")
EVENTS = ("is sued over training data", "launches a new model", "settles a copyright case",
          "faces a privacy inquiry", "suspends a developer's API access", "raises funding",
          "is fined by a regulator", "signs a licensing deal", "hires a research chief")
WORDS = ("model", "court", "regulator", "data", "training", "license", "filing", "users",
         "policy", "terms", "statement", "lawsuit", "investors", "chips", "export", "report")


# -- generated feeds -------------------------------------------------------------------------

def generate_feed(index: int, items: int) -> bytes:
    """One RSS 2.0 feed with `items` unique items; the same bytes for the same index."""
    rng = random.Random(index)
    start = datetime(2022, 1, 1, tzinfo=UTC)
    entries = []
    for n in range(items):
        when = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 365 * 4))
        summary = " ".join(rng.choice(WORDS) for _ in range(40))
        entries.append(
            f"<item><title>{escape(rng.choice(COMPANIES))} {rng.choice(EVENTS)} ({index}-{n})"
            f"</title><link>https://outlet{index}.example.com/{when:%Y/%m}/story-{n}</link>"
            f"<guid isPermaLink=\"false\">bench-{index}-{n}</guid>"
            f"<pubDate>{format_datetime(when)}</pubDate>"
            f"<description>&lt;p&gt;{summary}&lt;/p&gt;</description></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Bench outlet {index}</title><link>https://outlet{index}.example.com/</link>"
            f"<description>generated</description>{''.join(entries)}</channel></rss>").encode()


def _serve(feeds: int, items: int, latency: float, port_queue, stop_event) -> None:
    """Child process: serve the feeds with ETag/Last-Modified and count 200s and 304s."""
    counts = {"200": 0, "304": 0}
    with LocalServer() as server:
        for index in range(feeds):
            server.route(f"/feeds/{index}.xml",
                         _counting(conditional_handler(generate_feed(index, items),
                                                       etag=f'"bench-{index}"'),
                                   counts, latency))
        server.route("/__stats", lambda request: Reply(200, json.dumps(counts).encode()))
        port_queue.put(server.base_url)
        stop_event.wait()


def _counting(handler, counts: dict, latency: float):
    def handle(request: Request) -> Reply:
        reply = handler(request)
        counts[str(reply.status)] = counts.get(str(reply.status), 0) + 1
        return Reply(reply.status, reply.body, reply.headers, delay=latency)
    return handle


class FeedServer:
    """The feed server in a separate process, for the length of a `with` block."""

    def __init__(self, feeds: int, items: int, latency: float = 0.0):
        context = multiprocessing.get_context("spawn")
        self._queue = context.Queue()
        self._stop = context.Event()
        self._process = context.Process(target=_serve, daemon=True,
                                        args=(feeds, items, latency, self._queue, self._stop))
        self.feeds = feeds
        self.base_url = ""

    def __enter__(self) -> FeedServer:
        self._process.start()
        self.base_url = self._queue.get(timeout=600)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.terminate()

    def urls(self) -> list[str]:
        return [f"{self.base_url}/feeds/{index}.xml" for index in range(self.feeds)]

    def stats(self) -> dict[str, int]:
        return httpx.get(f"{self.base_url}/__stats", timeout=10).json()


# -- the three measurements ------------------------------------------------------------------

@dataclass(frozen=True)
class Timing:
    items: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0


def measure_floor(urls: list[str], db_path: Path, workers: int) -> Timing:
    """The least any scraper must do: fetch concurrently, parse, insert."""
    started = time.perf_counter()
    with httpx.Client(limits=httpx.Limits(max_connections=workers)) as client:
        def fetch_and_parse(url: str) -> list[dict]:
            parsed = feedparser.parse(client.get(url, timeout=30).content)
            return [{"url": e.get("link"), "title": e.get("title"),
                     "summary": e.get("summary"), "published": e.get("published"),
                     "source": url} for e in parsed.entries]

        with ThreadPoolExecutor(max_workers=workers) as pool:
            rows = [row for batch in pool.map(fetch_and_parse, urls) for row in batch]
    sqlite_utils.Database(db_path)["items"].insert_all(rows, batch_size=1000)
    return Timing(len(rows), time.perf_counter() - started)


def bench_specs(urls: list[str]) -> list[SourceSpec]:
    return [SourceSpec(name=f"Bench feed {n}", url=url) for n, url in enumerate(urls)]


def bench_client(workers: int) -> HttpClient:
    # All feeds live on one 127.0.0.1 host: politeness would serialise them.
    return HttpClient(HttpConfig(respect_robots=False, min_host_delay=0.0, retries=0,
                                 max_per_host=workers, max_connections=workers))


def run_end_to_end(db_path: Path, specs: list[SourceSpec], workers: int) -> Timing:
    """Our scrape, as cron runs it, minus tagging: one call into tracker.pipeline."""
    from tracker.pipeline import run_scrape
    from tracker.store import open_store

    started = time.perf_counter()
    with open_store(db_path) as store, bench_client(workers) as client:
        summary = run_scrape(store, specs, client, None, tag=False, force=True,
                             max_workers=workers)
    return Timing(summary.new + summary.updated, time.perf_counter() - started)


def run_scrapers_only(db_path: Path, specs: list[SourceSpec], workers: int) -> Timing:
    """Stand-in while tracker.pipeline cannot be imported: our fetch and parse, items and
    validators written with sqlite-utils (no canonical URLs, FTS or tagging)."""
    db = sqlite_utils.Database(db_path)
    db.enable_wal()  # as tracker.store does: commits per source without an fsync each
    db.execute("PRAGMA synchronous = NORMAL")
    known = {row["name"]: Validators(row["etag"], row["last_modified"])
             for row in db["sources"].rows} if db["sources"].exists() else {}
    started = time.perf_counter()
    stored = 0
    with bench_client(workers) as client:
        for fetch in fetch_sources(specs, client, known, now=datetime.now(UTC),
                                   max_workers=workers):
            rows = [{"url": i.url, "title": i.title, "summary": i.summary, "source": fetch.source,
                     "published": i.published.isoformat() if i.published else None}
                    for i in fetch.items]
            db["items"].upsert_all(rows, pk="url")
            db["sources"].upsert({"name": fetch.source, "etag": fetch.validators.etag,
                                  "last_modified": fetch.validators.last_modified}, pk="name")
            stored += len(rows)
    return Timing(stored, time.perf_counter() - started)


def end_to_end_runner():
    """run_end_to_end, or the scrapers-only stand-in (and its label) when the tracker
    package is not complete yet."""
    try:
        import tracker.pipeline  # noqa: F401
        import tracker.store  # noqa: F401
    except ImportError as error:
        return run_scrapers_only, f"scrapers only: tracker.pipeline not importable ({error})"
    return run_end_to_end, "run_scrape, no tagging"


def _memory_child(urls: list[str], db_path: str, workers: int, queue) -> None:
    runner, _ = end_to_end_runner()
    runner(Path(db_path), bench_specs(urls), workers)
    queue.put(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # KiB → MiB


def measure_peak_memory(items_total: int, items: int, workers: int, folder: Path) -> float:
    """Peak resident memory (MiB) of a fresh process that scrapes `items_total` items."""
    feeds = max(1, items_total // items)
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    with FeedServer(feeds, items) as server:
        child = context.Process(target=_memory_child,
                                args=(server.urls(), str(folder / "memory.db"), workers, queue))
        child.start()
        peak = queue.get(timeout=1800)
        child.join()
    return peak


# -- report ----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    missed = []
    with tempfile.TemporaryDirectory(prefix="bench-scrape-") as tmp:
        folder = Path(tmp)
        with FeedServer(args.feeds, args.items, args.latency) as server:
            print(f"{args.feeds} feeds × {args.items} items = {args.feeds * args.items:,} items;"
                  f" {args.workers} workers; latency {args.latency * 1000:.0f} ms")
            floor = measure_floor(server.urls(), folder / "floor.db", args.workers)
            _line("floor (httpx + feedparser.parse + insert_all)", floor)
            specs = bench_specs(server.urls())
            runner, label = end_to_end_runner()
            first = runner(folder / "tracker.db", specs, args.workers)
            _line("first run", first)
            print(f"  ({label})")
            before = server.stats()
            rerun = runner(folder / "tracker.db", specs, args.workers)
            after = server.stats()
        bodies = after.get("200", 0) - before.get("200", 0)
        unchanged = after.get("304", 0) - before.get("304", 0)
        print(f"rerun (unchanged feeds)                          {rerun.seconds:7.2f} s   "
              f"bodies re-downloaded: {bodies} of {args.feeds} (304 answers: {unchanged})")
        ratio_first, ratio_rerun = first.seconds / floor.seconds, rerun.seconds / first.seconds
        print(f"ratio first/floor  = {ratio_first:.2f}  (target ≤ {TARGET_FIRST_OVER_FLOOR})")
        print(f"ratio rerun/first  = {ratio_rerun:.2f}  (target ≤ {TARGET_RERUN_OVER_FIRST})")
        missed += [m for m, bad in (("first/floor", ratio_first > TARGET_FIRST_OVER_FLOOR),
                                    ("rerun/first", ratio_rerun > TARGET_RERUN_OVER_FIRST),
                                    ("bodies re-downloaded", bodies > 0)) if bad]
        if args.memory_items:
            peak = measure_peak_memory(args.memory_items, args.items, args.workers, folder)
            print(f"peak memory, {args.memory_items:,} items: {peak:.0f} MiB "
                  f"(target < {TARGET_PEAK_MB} MB)")
            missed += ["peak memory"] if peak >= TARGET_PEAK_MB else []
    if missed:
        print("targets missed: " + ", ".join(missed))
    return 1 if (args.check and missed) else 0


def _line(label: str, timing: Timing) -> None:
    print(f"{label:<48} {timing.seconds:7.2f} s   {timing.rate:9,.0f} items/s"
          f"   ({timing.items:,} items)")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.scrape", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=300, help="number of feeds (300)")
    parser.add_argument("--items", type=int, default=50, help="items per feed (50)")
    parser.add_argument("--workers", type=int, default=16, help="concurrent fetches (16)")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds each response is held back (0)")
    parser.add_argument("--memory-items", type=int, default=0,
                        help="also measure peak memory of a scrape of this many items")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
