"""Every feed file of the public corpora through a real scrape run (file:// sources):
no unhandled error, and each unusable file reported as a failed source with a reason."""
from __future__ import annotations

import sqlite3

import pytest

from scrapers.http import HttpClient, HttpConfig
from scrapers.types import SourceSpec
from tests.test_corpora import ROOT
from tracker.pipeline import run_scrape
from tracker.store import open_store
from tracker.taxonomy import load_taxonomy

pytestmark = pytest.mark.skipif(ROOT is None, reason="shared/corpora not found")


def corpus_sources() -> list[SourceSpec]:
    files = sorted(p for folder in ("feedparser_tests", "real_feeds")
                   for p in (ROOT / folder).rglob("*")
                   if p.is_file() and p.suffix in (".xml", ".json", ".rss", ".atom", ".csv"))
    return [SourceSpec(name=str(p.relative_to(ROOT)), url=p.as_uri(), allow_file=True)
            for p in files]


def test_a_scrape_over_all_corpora_feeds_reports_bad_ones_as_failed(db_path):
    specs = corpus_sources()
    assert len(specs) > 2000
    with open_store(db_path) as store, HttpClient(HttpConfig(min_host_delay=0)) as client:
        summary = run_scrape(store, specs, client, load_taxonomy(), max_workers=4)
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    failed = conn.execute("SELECT name, last_error FROM sources WHERE status = 'failed'"
                          ).fetchall()
    assert summary.ok + summary.failed == len(specs)
    assert len(failed) == summary.failed > 0
    assert all(error and len(error) < 300 and "Traceback" not in error for _, error in failed)
    # the unusable files are the non-feeds (index CSVs, other parsers' expected outputs),
    # empty or broken documents; real feeds all go through
    assert not [name for name, _ in failed if name.startswith("real_feeds/ai-news-direct")]
    items = conn.execute("SELECT count(*), count(tagged_at) FROM items").fetchone()
    assert items[0] > 4000 and items[0] == items[1]  # fewer than parsed: same URLs dedupe
    print(f"\n[corpora pipeline] {len(specs)} sources: {summary.line()}")
