"""The command line end to end, as cron and scripts call it (subprocesses, temp databases)."""
from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def tracker(*args: str, stdin: str | None = None, env: dict | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tracker", *args], cwd=REPO, input=stdin,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def test_unknown_option_is_one_line_and_exit_2():
    proc = tracker("scrape", "--bogus")
    assert proc.returncode == 2
    assert "unrecognized arguments: --bogus" in one_error_line(proc)


def test_unknown_command_is_one_line_and_exit_2():
    proc = tracker("frobnicate")
    assert proc.returncode == 2
    one_error_line(proc)


def test_help_lists_every_command():
    out = tracker("--help").stdout
    for name in ("scrape", "tag", "export", "classify", "demo", "sources", "backup", "digest",
                 "feed"):
        assert name in out


@pytest.mark.parametrize("content, message", [
    (None, "sources file not found"),
    ("[[source]]\nname = 'x'\n", "'url' is required"),
    ("not = [toml", "invalid TOML"),
])
def test_bad_sources_file(tmp_path, content, message):
    sources = tmp_path / "sources.toml"
    if content is not None:
        sources.write_text(content)
    proc = tracker("scrape", "--db", str(tmp_path / "t.db"), "--sources", str(sources))
    assert proc.returncode == 2
    assert message in one_error_line(proc)
    assert not (tmp_path / "t.db").exists()


def test_scrape_into_missing_directory_is_a_clear_error(tmp_path):
    sources = tmp_path / "s.toml"
    sources.write_text("[[source]]\nname = 'x'\nurl = 'https://example.invalid/feed'\n")
    proc = tracker("scrape", "--db", str(tmp_path / "nope" / "t.db"), "--sources", str(sources))
    assert proc.returncode == 2
    assert "directory does not exist" in one_error_line(proc)


def test_only_with_an_unknown_source_name(tmp_path):
    sources = tmp_path / "s.toml"
    sources.write_text("[[source]]\nname = 'x'\nurl = 'https://example.invalid/feed'\n")
    proc = tracker("scrape", "--db", str(tmp_path / "t.db"), "--sources", str(sources),
                   "--only", "y")
    assert proc.returncode == 2
    assert "no source named 'y'" in one_error_line(proc)


def test_export_without_a_database_does_not_create_one(tmp_path):
    proc = tracker("export", "--db", str(tmp_path / "t.db"), "--out", "-")
    assert proc.returncode == 2
    assert "no database" in one_error_line(proc)
    assert not (tmp_path / "t.db").exists()


def test_export_rejects_unknown_violation_ids(demo_db):
    proc = tracker("export", "--db", str(demo_db), "--out", "-", "--violation", "piracy")
    assert proc.returncode == 2
    assert "unknown violation type 'piracy'" in one_error_line(proc)


def test_classify_needs_no_database_and_keeps_order(tmp_path):
    lines = [{"id": "a", "title": "OpenAI suspends ByteDance account over use of its API to "
              "train a rival model", "published": "2023-12-15", "source": "The Verge"},
             {"id": "b", "title": "Mistral winds batter the south of France",
              "published": "2024-01-03"}]
    proc = tracker("classify", stdin="".join(json.dumps(x) + "\n" for x in lines),
                   env={"TRACKER_DB": str(tmp_path / "none.db")})
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b"]
    assert {"ByteDance", "OpenAI"} <= set(out[0]["companies"])
    assert out[0]["violations"] == ["tos_violation"] and out[0]["incident"]
    assert out[1]["companies"] == [] and out[1]["violations"] == [] and out[1]["incident"] is None
    assert not (tmp_path / "none.db").exists()


# -- on the demo database ---------------------------------------------------------

@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    proc = tracker("demo", "--db", str(path), timeout=600)
    assert proc.returncode == 0, proc.stderr
    return path


def export_rows(db: Path, *args: str) -> list[dict]:
    proc = tracker("export", "--db", str(db), "--out", "-", *args)
    assert proc.returncode == 0, proc.stderr
    return list(csv.DictReader(io.StringIO(proc.stdout)))


def test_demo_export_has_the_contract_header_and_every_type(demo_db):
    proc = tracker("export", "--db", str(demo_db), "--out", "-")
    header = proc.stdout.splitlines()[0]
    assert header.startswith("published,title,url,source,companies,violations,action,incident")
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert len(rows) >= 200
    from tracker.models import VIOLATIONS
    seen = {v for r in rows for v in r["violations"].split("; ") if v}
    assert seen == set(VIOLATIONS)
    years = {r["published"][:4] for r in rows}
    assert {"2022", "2026"} <= years


def test_project_seed_reports_share_one_incident(demo_db):
    rows = export_rows(demo_db, "--company", "ByteDance", "--violation", "tos_violation")
    seed = [r for r in rows if "OpenAI" in r["companies"]]
    assert len({r["source"] for r in seed}) >= 3
    assert len({r["incident"] for r in seed}) == 1 and seed[0]["incident"]


def test_export_filters_and_file_output(demo_db, tmp_path):
    out = tmp_path / "x.csv"
    proc = tracker("export", "--db", str(demo_db), "--out", str(out), "--since", "2024-01-01",
                   "--until", "2024-12-31", "--violation", "copyright")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows and all(r["published"].startswith("2024") for r in rows)
    assert all("copyright" in r["violations"] for r in rows)


def test_incident_export_has_one_row_per_incident(demo_db):
    rows = export_rows(demo_db, "--incidents")
    conn = sqlite3.connect(demo_db)
    assert len(rows) == conn.execute("SELECT count(*) FROM incidents").fetchone()[0]


def test_sources_table_and_backup(demo_db, tmp_path):
    proc = tracker("sources", "--db", str(demo_db))
    assert proc.returncode == 0 and "status" in proc.stdout
    copy = tmp_path / "b.db"
    assert tracker("backup", "--db", str(demo_db), str(copy)).returncode == 0
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM items").fetchone()[0] >= 200


def test_tag_all_keeps_counts_stable(demo_db, tmp_path):
    copy = tmp_path / "retag.db"
    tracker("backup", "--db", str(demo_db), str(copy))
    before = sqlite3.connect(copy).execute(
        "SELECT count(*), count(incident_id) FROM items").fetchone()
    proc = tracker("tag", "--all", "--db", str(copy))
    assert proc.returncode == 0, proc.stderr
    after = sqlite3.connect(copy).execute(
        "SELECT count(*), count(incident_id) FROM items").fetchone()
    assert before == after


def test_unwritable_log_file_is_one_line(tmp_path):
    sources = tmp_path / "s.toml"
    sources.write_text("[[source]]\nname = 'x'\nurl = 'https://example.invalid/feed'\n")
    proc = tracker("scrape", "--db", str(tmp_path / "t.db"), "--sources", str(sources),
                   "--log-file", str(tmp_path / "no" / "log.txt"))
    assert proc.returncode == 2
    assert "cannot open log file" in one_error_line(proc)


def test_demo_refuses_to_replace_a_database_holding_live_news(tmp_path, demo_db):
    live = tmp_path / "live.db"
    tracker("backup", "--db", str(demo_db), str(live))
    conn = sqlite3.connect(live)
    conn.execute("UPDATE items SET source = 'The Verge — AI' WHERE id = 1")
    conn.commit()
    conn.close()
    proc = tracker("demo", "--db", str(live))
    assert proc.returncode == 2
    assert "refusing to replace" in one_error_line(proc)
    conn = sqlite3.connect(live)
    assert conn.execute("SELECT source FROM items WHERE id = 1").fetchone()[0] == "The Verge — AI"


def test_demo_rebuilds_its_own_database_in_place(demo_db, tmp_path):
    copy = tmp_path / "again.db"
    tracker("backup", "--db", str(demo_db), str(copy))
    proc = tracker("demo", "--db", str(copy), timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert sqlite3.connect(copy).execute("SELECT count(*) FROM items").fetchone()[0] >= 400
