"""Screenshots of every dashboard page, for the README, in Debian's Chromium.

    python -m bench.screenshots --db data/tracker.db --out docs/screenshots

Starts `streamlit run app.py` on a free local port against --db, opens each
page, waits until it has finished drawing, and saves <page>.png.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
QUIET = """
window.__lastChange = Date.now();
new MutationObserver(() => { window.__lastChange = Date.now(); })
    .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, proc: subprocess.Popen | None = None,
                 timeout: float = 60) -> None:
    """Until Streamlit's health endpoint answers ok (fails early if `proc` exits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the dashboard did not start")


def shoot(base: str, pages: dict[str, str], out: Path) -> None:
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1800})
        context.add_init_script(QUIET)
        page = context.new_page()
        for name, path in pages.items():
            page.goto(base + path)
            page.wait_for_selector('[data-testid="stMain"] h1', timeout=90_000)
            page.wait_for_function(
                """() => !document.querySelector('[data-testid="stSkeleton"]')
                         && Date.now() - window.__lastChange > 1500""",
                timeout=90_000, polling=250)
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            print(out / f"{name}.png")
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="tracker database to show")
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNG files")
    parser.add_argument("--incident", default="", help="incident id for the Incident page "
                        "(default: the one with most reports)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    incident = args.incident or _busiest_incident(args.db)
    pages = {"overview": "/", "timeline": "/timeline", "incident": f"/incident?incident="
             f"{incident}", "company": "/company?profile=OpenAI", "items": "/items",
             "sources": "/sources", "quality": "/quality", "watches": "/watches",
             "audit": "/audit"}
    port = free_port()
    env = {**os.environ, "TRACKER_DB": str(args.db.resolve())}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"], cwd=REPO, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base)
        shoot(base, pages, args.out)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


def _busiest_incident(db: Path) -> str:
    from tracker.store import connect
    conn = connect(db, readonly=True)
    try:
        row = conn.execute("SELECT id FROM incidents ORDER BY report_count DESC, first_date "
                           "LIMIT 1").fetchone()
    finally:
        conn.close()
    return row[0] if row else ""


if __name__ == "__main__":
    sys.exit(main())
