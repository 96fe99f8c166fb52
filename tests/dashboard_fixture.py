"""A small archive written for the dashboard's tests, built through tracker.store.

Five incidents and a few ordinary items, with facts from real cases (dates,
outlets, parties) in our own words, plus one hostile item: a title holding
markup and a formula, and (with hostile=True) a `javascript:` link.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scrapers.types import RawItem, SourceFetch, SourceSpec
from tracker.models import Tags
from tracker.store import open_store

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
HOSTILE_TITLE = ('<script>window.__xss = 1</script><b>bold</b> =HYPERLINK("http://x") '
                 "[x](javascript:alert(1))")
HOSTILE_LINK = "javascript:window.__xss=2"


@dataclass(frozen=True)
class Row:
    url: str
    title: str
    published: str
    source: str
    companies: tuple[str, ...] = ()
    violations: tuple[str, ...] = ()
    action: str | None = None
    roles: tuple[tuple[str, str], ...] = ()
    evidence: tuple[tuple[str, tuple[str, ...]], ...] = ()
    incident: str | None = None
    summary: str = ""
    seen: datetime | None = None  # first_seen; NOW if not given


def _day(text: str) -> datetime:
    return datetime.fromisoformat(text + "T10:00:00+00:00")


BYTEDANCE = (
    Row("https://www.theverge.com/2023/12/15/bytedance-openai", "ByteDance is secretly using "
        "OpenAI's tech to build a competitor", "2023-12-15", "The Verge",
        ("ByteDance", "OpenAI", "Microsoft"), ("tos_violation",), "report",
        (("ByteDance", "accused"), ("OpenAI", "affected"), ("Microsoft", "affected")),
        (("violation:tos_violation", ("used OpenAI's API to build", "against the terms")),
         ("company:ByteDance", ("ByteDance",))), "inc-bytedance",
        "Project Seed relied on the OpenAI API reached through Azure."),
    Row("https://www.reuters.com/technology/openai-suspends-bytedance", "OpenAI suspends "
        "ByteDance account over use of its models", "2023-12-16", "Reuters",
        ("ByteDance", "OpenAI"), ("tos_violation",), "restriction",
        (("ByteDance", "accused"), ("OpenAI", "accuser")),
        (("violation:tos_violation", ("suspended the account",)),), "inc-bytedance"),
    Row("https://www.axios.com/2023/12/16/bytedance-openai-seed", "ByteDance says it had a "
        "licence to use OpenAI models", "2023-12-16", "Axios",
        ("ByteDance", "OpenAI"), ("tos_violation",), "response",
        (("ByteDance", "accused"), ("OpenAI", "affected")), (), "inc-bytedance"),
)
NYT = (
    Row("https://www.nytimes.com/2023/12/27/business/media/nyt-sues-openai", "The Times sues "
        "OpenAI and Microsoft over use of its articles", "2023-12-27", "The New York Times",
        ("The New York Times", "OpenAI", "Microsoft"), ("copyright",), "lawsuit",
        (("The New York Times", "accuser"), ("OpenAI", "accused"), ("Microsoft", "accused")),
        (("violation:copyright", ("use of its articles",)),), "inc-nyt"),
    Row("https://www.reuters.com/legal/nyt-openai-ruling", "Judge lets the Times' copyright "
        "case against OpenAI proceed", "2025-04-04", "Reuters",
        ("The New York Times", "OpenAI"), ("copyright",), "ruling",
        (("The New York Times", "accuser"), ("OpenAI", "accused")), (), "inc-nyt"),
)
OTHERS = (
    Row("https://www.theguardian.com/technology/2022/may/23/clearview-fine", "UK regulator "
        "fines Clearview AI over facial images", "2022-05-23", "The Guardian",
        ("Clearview AI",), ("privacy",), "penalty", (("Clearview AI", "accused"),),
        (("violation:privacy", ("facial images", "without consent")),), "inc-clearview"),
    Row("https://www.theverge.com/2023/3/14/gpt-4", "OpenAI announces GPT-4", "2023-03-14",
        "The Verge", ("OpenAI",)),
    Row("https://www.reuters.com/technology/anthropic-funding", "Anthropic raises new funding",
        "2024-03-01", "Reuters", ("Anthropic",)),
    Row("https://www.reuters.com/technology/deepfake-cfo", "Deepfaked finance chief tricks "
        "staff into paying out $25 million", "2024-02-04", "Reuters", (),
        ("deepfake_impersonation", "deception_fraud"), "report", (), (), "inc-deepfake",
        seen=datetime(2026, 1, 10, 6, 0, tzinfo=UTC)),
)
HOSTILE = Row("https://evil.example.org/post", HOSTILE_TITLE, "2025-06-01", "Evil Feed",
              ("Meta",), ("privacy",), "report", (("Meta", "accused"),),
              (("violation:privacy", ("<img src=x onerror=alert(1)>",)),), "inc-hostile",
              "<i>summary</i> with `code` and $math$")
ROWS = BYTEDANCE + NYT + OTHERS + (HOSTILE,)


def build_archive(path: Path, *, hostile: bool = False) -> Path:
    """Store ROWS through the store (one fetch per source), label them, record health."""
    with open_store(path) as store:
        specs = {r.source: SourceSpec(name=r.source, url=f"https://feeds.example.org/{i}")
                 for i, r in enumerate(ROWS)}
        store.sync_sources(list(specs.values()))
        ids = {}
        for row in ROWS:
            raw = RawItem(url=row.url, title=row.title, summary=row.summary,
                          published=_day(row.published))
            saved = store.save_fetch(SourceFetch(row.source, "new", (raw,)), specs[row.source],
                                     row.seen or NOW)
            ids[row.url] = saved.new_ids[0]
        store.save_tags([(ids[r.url], _tags(r), r.incident) for r in ROWS], {}, NOW)
        store.save_fetch(SourceFetch("Axios", "failed", error="HTTP 503 from the server"),
                         specs["Axios"], NOW)
    if hostile:
        _make_link_hostile(path, ids[HOSTILE.url])
    return path


def _tags(row: Row) -> Tags:
    return Tags(companies=row.companies, violations=row.violations, action=row.action,
                roles=dict(row.roles), evidence=dict(row.evidence))


def _make_link_hostile(path: Path, item_id: int) -> None:
    """The scrapers and the store refuse non-web links, so no feed can put one in the
    database; a row written by another tool could. Simulate that row directly."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE items SET link = ? WHERE id = ?", [HOSTILE_LINK, item_id])
    conn.close()


def item_id(path: Path, url: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id FROM items WHERE url = ?", [url]).fetchone()[0]
    finally:
        conn.close()
