"""The dashboard in a real Chromium (Debian's, driven by playwright) against `streamlit run`.

Skipped when /usr/bin/chromium is absent. Screenshots go to tests/artifacts/.
The archive is tests/dashboard_fixture.py's, with a hostile item; the test
that writes (a correction, then a re-tag) runs last.
"""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.screenshots import free_port, wait_healthy
from tests.dashboard_fixture import build_archive

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGES = ("overview", "timeline", "incident", "company", "items", "sources", "quality",
         "watches", "audit")

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium"),
              pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    return build_archive(tmp_path_factory.mktemp("browser") / "b.db", hostile=True)


@pytest.fixture(scope="module")
def server(archive, tmp_path_factory):
    port = free_port()
    env = {**os.environ, "TRACKER_DB": str(archive),
           "TRACKER_EVAL_REPORT": str(tmp_path_factory.mktemp("eval") / "latest.json")}
    base = f"http://127.0.0.1:{port}"
    with open(archive.with_suffix(".log"), "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_healthy(base, proc)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2000},
                                  accept_downloads=True)
    context.add_init_script(WATCH_MUTATIONS)
    p = context.new_page()
    p.dialogs = []  # any alert() would mean script ran
    p.on("dialog", lambda d: (p.dialogs.append(d.message), d.dismiss()))
    yield p
    context.close()


# -- helpers ------------------------------------------------------------------------------

# Installed in every document: the time of the last change to the page.
WATCH_MUTATIONS = """
window.__lastChange = Date.now();
new MutationObserver(() => { window.__lastChange = Date.now(); })
    .observe(document, {subtree: true, childList: true, attributes: true,
                        characterData: true});
"""


def settle(page, timeout: float = 60_000, quiet_ms: int = 1200) -> None:
    """Wait until the run has drawn everything: a title, no placeholder, and a page
    that has not changed for a moment (Streamlit streams elements as the script runs)."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout)
    page.wait_for_function(
        f"""() => !document.querySelector('[data-testid="stSkeleton"]')
                 && Date.now() - window.__lastChange > {quiet_ms}""",
        timeout=timeout, polling=200)
    assert page.locator('[data-testid="stException"]').count() == 0


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"browser-{name}.png"), full_page=True)


def table_rows(page, index: int = 0) -> list[str]:
    grid = page.locator('[data-testid="stDataFrame"]').nth(index)
    rows = grid.locator('[role="row"]')
    return [rows.nth(i).inner_text() for i in range(1, rows.count())]  # row 0: header


def chart_points(page, index: int = 0) -> int:
    return page.evaluate(
        """(i) => document.querySelectorAll('.js-plotly-plot')[i].data
                   .reduce((n, t) => n + (t.mode === 'markers' || t.type === 'bar'
                        ? (t.x || []).filter(x => x !== null).length : 0), 0)""", index)


def pick(page, label: str, option: str) -> None:
    """Choose an option in a sidebar multiselect, as an analyst would."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has_text=label)
    box.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    settle(page)


# -- the tests -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", PAGES)
def test_every_page_loads(server, page, name):
    suffix = "?incident=inc-bytedance" if name == "incident" else ""
    page.goto(f"{server}/{name}{suffix}")
    settle(page)
    assert page.locator("h1").count() >= 1
    shot(page, name)


def test_a_filter_changes_chart_and_table_and_the_url_keeps_it(server, page):
    page.goto(f"{server}/timeline")
    settle(page)
    before_points, before_rows = chart_points(page), table_rows(page)
    assert len(before_rows) == 5
    pick(page, "Companies", "ByteDance")
    after_rows = table_rows(page)
    assert len(after_rows) == 1 and "ByteDance" in after_rows[0]
    assert 0 < chart_points(page) < before_points
    assert "company=ByteDance" in page.url
    shot(page, "timeline-filtered")
    other = page.context.new_page()
    other.goto(page.url)  # a bookmarked or shared link
    settle(other)
    assert table_rows(other) == after_rows
    assert chart_points(other) == chart_points(page)
    other.close()


def test_reset_returns_to_everything(server, page):
    page.goto(f"{server}/items?company=OpenAI")
    settle(page)
    assert len(table_rows(page)) == 6
    page.get_by_role("button", name="Reset filters").click()
    settle(page)
    assert len(table_rows(page)) == 10
    assert "company=" not in page.url


def test_csv_download_holds_the_filtered_rows(server, page, tmp_path):
    page.goto(f"{server}/items?type=Terms+of+service+%2F+API+misuse")
    settle(page)
    assert len(table_rows(page)) == 3
    with page.expect_download() as download:
        page.get_by_role("button", name="Items CSV").click()
    target = tmp_path / "items.csv"
    download.value.save_as(target)
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert len(rows) == 3
    assert {r["violations"] for r in rows} == {"tos_violation"}
    assert {r["source"] for r in rows} == {"The Verge", "Reuters", "Axios"}


def test_clicking_a_timeline_marker_opens_its_incident(server, page):
    page.goto(f"{server}/timeline?company=ByteDance")
    settle(page)
    box = page.locator(".js-plotly-plot .scatterlayer .point").first.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)  # Plotly picks the point under the pointer, as for a person
    page.mouse.click(x, y)
    page.wait_for_function("() => location.pathname.endsWith('/incident')", timeout=30_000)
    settle(page)
    assert "incident=inc-bytedance" in page.url
    assert "ByteDance is secretly using" in page.locator("h1").first.inner_text()
    assert "company=ByteDance" in page.url  # the filters travel with the click
    shot(page, "incident-from-timeline")


def test_two_sessions_at_once(server, page):
    pages = [page, page.context.new_page()]
    urls = [f"{server}/items?company=ByteDance", f"{server}/items?source=Reuters"]
    for p, url in zip(pages, urls, strict=True):
        p.goto(url, wait_until="commit")  # both sessions run on the server together
    for p in pages:
        settle(p)
    assert len(table_rows(pages[0])) == 3 and len(table_rows(pages[1])) == 4


def test_hostile_title_and_link_are_inert(server, page):
    page.goto(f"{server}/incident?incident=inc-hostile")
    settle(page)
    heading = page.locator("h1").first.inner_text()
    assert "<script>window.__xss = 1</script>" in heading  # shown as text
    state = page.evaluate("""() => ({
        xss: window.__xss === undefined ? null : window.__xss,
        js_links: [...document.querySelectorAll('a')]
            .filter(a => a.href.trim().toLowerCase().startsWith('javascript')).length,
        bold: [...document.querySelectorAll('h1 b')].length})""")
    assert state == {"xss": None, "js_links": 0, "bold": 0}
    page.goto(f"{server}/items?source=Evil+Feed")
    settle(page)
    assert page.evaluate("() => window.__xss === undefined")
    assert page.dialogs == []
    shot(page, "hostile")


def test_a_correction_survives_a_retag(server, page, archive):
    page.goto(f"{server}/incident?incident=inc-nyt")
    settle(page)
    page.get_by_label("Your name (kept in the audit log)").fill("Ana Analyst")
    page.keyboard.press("Enter")
    settle(page)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Report").click()
    page.get_by_role("option", name="Judge lets", exact=False).click()
    settle(page)
    form = page.locator('[data-testid="stForm"]').first
    form.locator('[data-testid="stSelectbox"]').filter(has_text="Action").click()
    page.get_by_role("option", name="Penalty", exact=True).click()
    form.get_by_role("button", name="Apply correction").click()
    settle(page)
    assert page.get_by_text("Labels of the report corrected").count() == 1
    shot(page, "correction")
    retag = subprocess.run([sys.executable, "-m", "tracker", "tag", "--all", "--db",
                            str(archive)], cwd=REPO, capture_output=True, text=True)
    if retag.returncode != 0 and ("No module named" in retag.stderr or ".toml" in retag.stderr):
        pytest.skip(f"re-tag not usable yet: {retag.stderr.strip().splitlines()[-1]}")
    assert retag.returncode == 0, retag.stderr
    page.goto(f"{server}/items?q=judge+lets")
    settle(page)
    rows = table_rows(page)
    assert len(rows) == 1 and "Penalty" in rows[0]
    page.goto(f"{server}/audit")
    settle(page)
    assert "Ana Analyst" in " ".join(table_rows(page))
