"""The public corpora in shared/corpora through our parsers: nothing but ParseError may
come out, and article metadata is measured against the gold values that ship with them.

Skipped when the corpora are absent. Located through $TRACKER_CORPORA, else
shared/corpora beside the project or beside its parent (CI's layout). The figures are
printed and written to tests/artifacts/corpora_report.json. Article pages are sampled
(every other gold case) to keep the suite fast; TRACKER_CORPORA_FULL=1 reads them all.
"""
from __future__ import annotations

import csv
import gzip
import html
import io
import json
import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from scrapers.html import parse_article
from scrapers.rss import parse_feed
from scrapers.types import ParseError

NOW = datetime(2026, 11, 1, tzinfo=UTC)
ARTIFACTS = Path(__file__).parent / "artifacts"
FULL = os.environ.get("TRACKER_CORPORA_FULL") == "1"


def corpora_root() -> Path | None:
    candidates = [Path(os.environ["TRACKER_CORPORA"])] if "TRACKER_CORPORA" in os.environ else []
    project = Path(__file__).resolve().parents[1]
    candidates += [folder / "shared" / "corpora" for folder in project.parents[:2]]
    return next((c for c in candidates if c.is_dir()), None)


ROOT = corpora_root()
pytestmark = pytest.mark.skipif(ROOT is None, reason="shared/corpora not found")


def report(section: str, figures: dict) -> None:
    """Print the figures and merge them into the artifacts report."""
    print(f"\n[corpora] {section}: {json.dumps(figures, ensure_ascii=False)}")
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "corpora_report.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[section] = figures
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False))


# -- feeds -----------------------------------------------------------------------------------

@dataclass
class FeedRun:
    files: int = 0
    items: int = 0
    items_by_file: dict[str, int] = field(default_factory=dict)
    parse_errors: Counter = field(default_factory=Counter)
    refused: dict[str, str] = field(default_factory=dict)
    crashes: list[str] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")


def feed_files() -> list[Path]:
    folders = (ROOT / "feedparser_tests", ROOT / "real_feeds")
    return sorted(p for folder in folders for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def feed_run() -> FeedRun:
    run = FeedRun()
    for path in feed_files():
        name = str(path.relative_to(ROOT))
        run.files += 1
        started = time.perf_counter()
        try:
            items = parse_feed(path.read_bytes(), url="https://feeds.example.com/feed",
                               fetched_at=NOW)
            run.items += len(items)
            run.items_by_file[name] = len(items)
        except ParseError as error:
            run.parse_errors[error.reason.split(" (")[0]] += 1
            run.refused[name] = error.reason
        except Exception as error:  # noqa: BLE001 - collected so the test lists them all
            run.crashes.append(f"{name}: {type(error).__name__}: {error}")
        run.slowest = max(run.slowest, (time.perf_counter() - started, name))
    report("feeds", {"files": run.files, "items": run.items,
                     "parse_errors": dict(run.parse_errors.most_common()),
                     "crashes": len(run.crashes), "slowest_s": round(run.slowest[0], 2),
                     "slowest_file": run.slowest[1]})
    return run


def test_every_feed_file_parses_or_raises_parse_error(feed_run):
    assert feed_run.files > 2000
    assert feed_run.crashes == []


def test_no_feed_file_takes_long(feed_run):
    assert feed_run.slowest[0] < 3, feed_run.slowest


def test_real_feeds_keep_their_entries(feed_run):
    """Every real feed listed with entries gives items; at least 95% of entries survive
    (the rest are repeats within a feed)."""
    expected = got = 0
    with (ROOT / "real_feeds" / "SOURCES.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            entries = int(row["n_entries"]) if row["n_entries"].isdigit() else 0
            name = f"real_feeds/{row['file']}"
            if entries == 0 or "expected_output" in name:
                continue
            assert name not in feed_run.refused, feed_run.refused.get(name)
            assert feed_run.items_by_file[name] > 0, name
            expected += entries
            got += feed_run.items_by_file[name]
    report("real_feeds_entries", {"entries_listed": expected, "items_kept": got})
    assert got >= 0.95 * expected


def test_well_formed_feeds_are_refused_only_when_feedparser_finds_nothing(feed_run):
    for name in feed_run.refused:
        if name.startswith("feedparser_tests/wellformed/"):
            parsed = feedparser.parse(io.BytesIO((ROOT / name).read_bytes()))
            assert not parsed.entries, name


# -- article pages ---------------------------------------------------------------------------

def normalise(text: str | None) -> str:
    text = html.unescape(text or "").translate(str.maketrans("‘’“”", "''\"\""))
    return re.sub(r"\s+", " ", text).strip().lower()


def same_title(found: str, gold: str) -> bool:
    found, gold = normalise(found), normalise(gold)
    return bool(found) and (found == gold or gold in found or found in gold)


def same_day(found: datetime | None, gold: str) -> bool:
    if found is None:
        return False
    moment = datetime.fromisoformat(gold.replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return abs(found - moment) <= timedelta(days=1)


def sample(cases: list) -> list:
    return cases if FULL else cases[::2]


def test_real_pages_give_a_title_and_mostly_a_date():
    pages = sorted((ROOT / "real_pages").rglob("*.html"))
    with_title = with_date = 0
    for page in pages:
        article = parse_article(page.read_bytes(), url="https://pages.example.com/article")
        with_title += bool(article.title)
        with_date += article.published is not None
    report("real_pages", {"pages": len(pages), "with_title": with_title,
                          "with_date": with_date})
    assert with_title >= 0.9 * len(pages) and with_date >= 0.6 * len(pages)


def test_article_title_and_date_against_postlight_gold():
    folder = ROOT / "extraction_eval" / "postlight_parser_fixtures"
    cases = json.loads((folder / "expected_values.json").read_text())["cases"]
    titles = dates = title_hits = date_hits = 0
    for case in sample(cases):
        path = folder / "html" / case["fixture"]
        expected = case["expected"]
        if not path.exists() or not (expected.get("title") or expected.get("date_published")):
            continue
        article = parse_article(gzip.decompress(path.read_bytes()), url=case["url"])
        if expected.get("title"):
            titles += 1
            title_hits += same_title(article.title, expected["title"])
        if expected.get("date_published"):
            dates += 1
            date_hits += same_day(article.published, expected["date_published"])
    report("postlight_gold", {"sampled": not FULL, "titles": titles, "title_match": title_hits,
                              "dates": dates, "date_match": date_hits})
    assert title_hits >= 0.75 * titles and date_hits >= 0.7 * dates


def test_article_dates_against_readability_gold():
    folder = ROOT / "extraction_eval" / "mozilla_readability_test_pages"
    dates = hits = 0
    for page in sorted(p for p in folder.iterdir() if p.is_dir()):
        gold = json.loads((page / "expected-metadata.json").read_text()).get("publishedTime")
        if not gold:
            continue
        source = gzip.decompress((page / "source.html.gz").read_bytes())
        dates += 1
        hits += same_day(parse_article(source, url="http://fakehost/test/page.html").published,
                         gold)
    report("readability_gold_dates", {"dates": dates, "date_match": hits})
    assert dates > 20 and hits >= 0.7 * dates
