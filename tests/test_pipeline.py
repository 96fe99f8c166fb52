"""A scrape run end to end against feeds on 127.0.0.1: idempotence, failures, lock, crashes."""
from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from scrapers.http import HttpClient, HttpConfig
from scrapers.types import SourceSpec
from tests.localserver import LocalServer, Reply, conditional_handler
from tracker.pipeline import run_scrape, select_sources
from tracker.store import connect, open_store
from tracker.taxonomy import load_taxonomy

REPO = Path(__file__).resolve().parent.parent
FAST = HttpConfig(min_host_delay=0, max_per_host=64, respect_robots=False, retries=0,
                  read_timeout=5, total_timeout=10)
START = datetime(2024, 3, 1, tzinfo=UTC)


def rss(feed: int, items: int = 20) -> bytes:
    entries = "".join(
        f"<item><title>{escape(f'Feed {feed} story {i}: OpenAI sued over training data')}</title>"
        f"<link>https://news{feed}.example/story/{i}?utm_source=rss</link>"
        f"<pubDate>{format_datetime(START + timedelta(hours=i))}</pubDate>"
        f"<description>Authors say the model copied their books.</description></item>"
        for i in range(items))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {feed}</title>'
            f"{entries}</channel></rss>").encode()


def serve_feeds(server: LocalServer, count: int, *, delay: float = 0.0) -> list[SourceSpec]:
    specs = []
    for n in range(count):
        body = rss(n)
        handler = conditional_handler(body, etag=f'"feed-{n}"')
        server.route(f"/feed/{n}", handler if not delay else
                     (lambda req, b=body: Reply(200, body=b, delay=delay)))
        specs.append(SourceSpec(name=f"Feed {n}", url=server.url(f"/feed/{n}")))
    return specs


def write_sources(path: Path, specs: list[SourceSpec]) -> Path:
    lines = ["[scraper]", "min_host_delay = 0.0", "max_per_host = 64", "respect_robots = false",
             "retries = 0"]
    for s in specs:
        lines += ["[[source]]", f'name = "{s.name}"', f'url = "{s.url}"']
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def test_second_run_adds_nothing_and_gets_304s(db_path, taxonomy):
    with LocalServer() as server, open_store(db_path) as store, HttpClient(FAST) as client:
        specs = serve_feeds(server, 3)
        first = run_scrape(store, specs, client, taxonomy)
        second = run_scrape(store, specs, client, taxonomy)
        assert (first.new, first.ok, first.exit_code) == (60, 3, 0)
        assert (second.new, second.updated, second.unchanged) == (0, 0, 3)
        assert store.db.execute("SELECT count(*) FROM items").fetchone()[0] == 60
        assert store.db.execute("SELECT count(*) FROM items WHERE tagged_at IS NULL"
                                ).fetchone()[0] == 0


def test_one_broken_source_does_not_stop_the_others(db_path, taxonomy):
    with LocalServer() as server, open_store(db_path) as store, HttpClient(FAST) as client:
        specs = serve_feeds(server, 2)
        server.route("/broken", Reply(200, body=b"<html><p>not a feed</p></html>"))
        server.route("/gone", Reply(404))
        specs += [SourceSpec(name="Broken", url=server.url("/broken")),
                  SourceSpec(name="Gone", url=server.url("/gone"))]
        summary = run_scrape(store, specs, client, taxonomy)
        assert (summary.ok, summary.failed, summary.new, summary.exit_code) == (2, 2, 40, 1)
        health = dict(store.db.execute("SELECT name, last_error FROM sources WHERE "
                                        "status = 'failed'").fetchall())
        assert set(health) == {"Broken", "Gone"} and all(health.values())


def test_every_source_failing_is_exit_2(db_path, taxonomy):
    with LocalServer() as server, open_store(db_path) as store, HttpClient(FAST) as client:
        server.route("/x", Reply(500))
        summary = run_scrape(store, [SourceSpec(name="X", url=server.url("/x"))], client,
                             taxonomy)
        assert summary.exit_code == 2 and summary.failures[0][0] == "X"


def test_select_sources_by_name():
    specs = [SourceSpec(name="a", url="https://a/"), SourceSpec(name="b", url="https://b/")]
    assert [s.name for s in select_sources(specs, ["b"])] == ["b"]
    assert select_sources(specs, []) == specs


# -- as cron runs it: subprocesses ---------------------------------------------------

def start_scrape(db: Path, sources: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tracker", "scrape", "--db", str(db),
                             "--sources", str(sources), "--no-progress", "--workers", "2"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_scrapes_at_once_one_runs_one_exits_with_a_message(tmp_path, db_path):
    with LocalServer() as server:
        sources = write_sources(tmp_path / "s.toml", serve_feeds(server, 4, delay=2.0))
        first = start_scrape(db_path, sources)
        wait_for_lock_holder(db_path, first.pid)
        second = subprocess.run([sys.executable, "-m", "tracker", "scrape", "--db", str(db_path),
                                 "--sources", str(sources)], cwd=REPO, capture_output=True,
                                text=True, timeout=60)
        out, err = first.communicate(timeout=120)
    assert second.returncode == 2
    assert "another scrape is already running" in second.stderr
    assert first.returncode == 0, err
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == 80


def wait_for_lock_holder(db: Path, pid: int, timeout: float = 60) -> None:
    """The lock file names its holder once the lock is taken."""
    lock = db.with_name(db.name + ".lock")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text().strip() == str(pid):
            return
        time.sleep(0.05)
    raise AssertionError("the first scrape never took the lock")


def test_kill_9_mid_run_loses_nothing_committed_and_the_next_run_completes(tmp_path, db_path):
    with LocalServer() as server:
        sources = write_sources(tmp_path / "s.toml", serve_feeds(server, 12, delay=0.3))
        for wait in (1.2, 2.0, 2.8):
            proc = start_scrape(db_path, sources)
            time.sleep(wait)
            committed = _count_items(db_path)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            conn = sqlite3.connect(db_path)
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert _count_items(db_path) >= committed
            conn.close()
        final = start_scrape(db_path, sources)
        _, err = final.communicate(timeout=120)
    assert final.returncode == 0, err
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*), count(DISTINCT url) FROM items").fetchone() == (240, 240)
    assert conn.execute("SELECT count(*) FROM items WHERE tagged_at IS NULL").fetchone()[0] == 0


def _count_items(db: Path) -> int:
    if not db.exists():
        return 0
    conn = connect(db, readonly=True)
    try:
        return conn.execute("SELECT count(*) FROM items").fetchone()[0]
    except sqlite3.OperationalError:  # schema not created yet
        return 0
    finally:
        conn.close()


def test_readers_never_see_database_is_locked_during_a_scrape(tmp_path, db_path):
    open_store(db_path).close()
    errors: list[Exception] = []
    reads = [0]
    stop = threading.Event()

    def read_loop():
        while not stop.is_set():
            conn = connect(db_path, readonly=True)
            try:
                conn.execute("SELECT count(*) FROM items JOIN item_companies "
                             "ON item_companies.item_id = items.id").fetchone()
                reads[0] += 1
            except sqlite3.Error as e:
                errors.append(e)
            finally:
                conn.close()

    with LocalServer() as server:
        sources = write_sources(tmp_path / "s.toml", serve_feeds(server, 8, delay=0.1))
        readers = [threading.Thread(target=read_loop) for _ in range(3)]
        for t in readers:
            t.start()
        proc = start_scrape(db_path, sources)
        _, err = proc.communicate(timeout=120)
        stop.set()
        for t in readers:
            t.join()
    assert proc.returncode == 0, err
    assert errors == [] and reads[0] > 10
