"""Build a realistic synthetic tracker database, through tracker.store, for benchmarks and tests.

    python -m bench.generate --items 100000 --db /tmp/bench.db

About 60% of the items are reports of incidents (10 items per incident on
average overall, so 10,000 incidents at 100,000 items): several outlets
retell each event within days, and some cases develop over months
(investigation or lawsuit, ruling, penalty). The rest is ordinary industry
news. Dates run from 2022 to today; companies follow a skewed popularity,
as real coverage does. Items go in through `Store.save_fetch` (one
transaction per source and week, as a scrape would) and labels through
`Store.save_tags`, so the file is exactly what the pipeline would build.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scrapers.types import RawItem, SourceFetch, SourceSpec
from tracker.errors import TrackerError
from tracker.models import ACTIONS, VIOLATIONS, Tags
from tracker.store import Store, open_store

START = datetime(2022, 1, 1, tzinfo=UTC)
INCIDENT_SHARE = 0.6
REPORTS_PER_INCIDENT = 6.0  # among incident reports: 0.6 * N / 6 = N / 10 incidents

COMPANIES = (
    "OpenAI", "Google", "Meta", "Microsoft", "Amazon", "Apple", "Nvidia", "ByteDance",
    "Anthropic", "xAI", "X", "DeepSeek", "Alibaba", "Baidu", "Tencent", "Huawei", "TSMC",
    "Samsung", "Intel", "AMD", "IBM", "Mistral AI", "Stability AI", "Midjourney",
    "Clearview AI", "Perplexity", "Character.AI", "Scale AI", "Tesla", "Worldcoin",
    "Replika", "Getty Images", "The New York Times", "Universal Music Group", "Suno", "Udio",
    "Reddit", "Cloudflare", "Adobe", "Salesforce", "Palantir", "Hugging Face", "Cohere",
    "ElevenLabs", "Runway", "Disney", "Moonshot AI", "Zhipu AI", "SenseTime", "iFlytek",
)
SOURCES = (
    "The Verge — AI", "Reuters — Technology", "TechCrunch — AI", "Ars Technica",
    "Wired — AI", "Bloomberg Technology", "Financial Times — Tech", "The Guardian — Tech",
    "CNBC — Tech", "Axios — AI", "MIT Technology Review", "VentureBeat — AI",
    "Politico — Tech", "European Commission — Press", "FTC — Press releases",
)
ACCUSATIONS = {
    "tos_violation": ("breached the API terms of", "used outputs of {other}'s models against"),
    "copyright": ("is sued over training on works owned by", "copied protected material from"),
    "privacy": ("processed personal data without consent, says", "exposed user data, says"),
    "data_scraping": ("scraped content in defiance of robots.txt, says",
                      "evaded crawler blocks set by"),
    "antitrust": ("faces a competition probe after complaints from",
                  "is accused of locking out rivals such as"),
    "export_control": ("shipped restricted chips around export rules, says",
                       "is added to a trade blacklist after a review prompted by"),
    "security_breach": ("suffered a breach that exposed data shared with",
                        "left a database open that held records of"),
    "trade_secret": ("is accused of taking confidential designs from",
                     "hired staff who took trade secrets from"),
    "safety_harm": ("chatbot gave dangerous advice, says", "system harmed users, says"),
    "bias_discrimination": ("hiring model discriminated against applicants, says",
                            "image tool produced biased results, says"),
    "misinformation": ("model fabricated claims about", "assistant made up quotes from"),
    "deception_fraud": ("misled investors about its AI, says", "overstated what its AI can do, "
                        "says"),
    "deepfake_impersonation": ("tool was used to clone the voice of executives at",
                               "generated non-consensual images, says"),
    "labor": ("data workers protest pay and conditions, backed by",
              "fired staff who raised concerns, says"),
}
EVIDENCE = {v: (v.replace("_", " "),) for v in VIOLATIONS}
NEWS = ("launches a new model", "raises funding at a higher valuation", "hires a new chief "
        "scientist", "opens an office in Paris", "reports quarterly earnings",
        "signs a cloud deal", "releases an open-weights model", "updates its usage policy")
STEP_WORDS = {
    "report": "more details emerge", "response": "the company responds",
    "investigation": "regulators open a probe", "lawsuit": "a suit is filed",
    "ruling": "a court rules", "penalty": "a fine is announced",
    "restriction": "access is cut off",
}
LATER = ("investigation", "lawsuit", "ruling", "penalty", "response", "restriction")


@dataclass(frozen=True)
class Planned:
    raw: RawItem
    source: str
    tags: Tags
    incident: str | None


def plan_items(n_items: int, rng: random.Random, now: datetime) -> list[Planned]:
    """Every item to store, with its labels, in no particular order."""
    span_days = max(30, (now - START).days - 1)
    n_reports = int(n_items * INCIDENT_SHARE)
    plans: list[Planned] = []
    incident_no = 0
    while len(plans) < n_reports:
        incident_no += 1
        size = min(n_reports - len(plans), 1 + int(rng.expovariate(1 / (REPORTS_PER_INCIDENT - 1))))
        plans += _incident_reports(incident_no, size, rng, span_days, now)
    while len(plans) < n_items:
        plans.append(_news_item(len(plans), rng, span_days))
    return plans


# Popularity falls off with rank (Zipf-like), as real coverage does.
_WEIGHTS = tuple(1 / (rank + 2) ** 0.9 for rank in range(len(COMPANIES)))


def _company(rng: random.Random, exclude: tuple[str, ...] = ()) -> str:
    while True:
        name = rng.choices(COMPANIES, weights=_WEIGHTS)[0]
        if name not in exclude:
            return name


def _incident_reports(no: int, size: int, rng: random.Random, span_days: int,
                      now: datetime) -> list[Planned]:
    accused = _company(rng)
    others = tuple(dict.fromkeys(_company(rng, (accused,))
                                 for _ in range(rng.choice((1, 1, 1, 2)))))
    types = tuple(sorted(set(rng.choices(VIOLATIONS, k=rng.choice((1, 1, 1, 2, 3)))),
                         key=VIOLATIONS.index))
    roles = {accused: "accused", **{o: rng.choice(("accuser", "affected")) for o in others}}
    start = START + timedelta(days=rng.uniform(0, span_days))
    phrase = rng.choice(ACCUSATIONS[types[0]]).format(other=others[0])
    headline = f"{accused} {phrase} {others[0]}"
    out = []
    for k in range(size):
        late = k >= 3 and rng.random() < 0.5
        when = start + timedelta(days=rng.uniform(30, 500) if late else rng.uniform(0, 4) * k)
        if when >= now:  # a development not yet happened: a same-day retelling instead
            when = min(start + timedelta(hours=k), now - timedelta(hours=1))
            late = False
        action = rng.choice(LATER) if late else ("report" if k < 2 else rng.choice(ACTIONS))
        title = headline if k == 0 else f"{headline} — {STEP_WORDS[action]}"
        tags = Tags(companies=(accused, *others), violations=types, action=action,
                    roles=roles, evidence={f"violation:{t}": EVIDENCE[t] for t in types})
        raw = RawItem(url=f"https://news.example.org/{no}/{k}", title=title,
                      summary=f"Report {k + 1} on the case of {accused} and {others[0]}.",
                      text=f"{headline}. The filing names {', '.join(others)}.", published=when)
        out.append(Planned(raw, rng.choice(SOURCES), tags, f"inc-{no:06d}"))
    return out


def _news_item(n: int, rng: random.Random, span_days: int) -> Planned:
    company = _company(rng)
    when = START + timedelta(days=rng.uniform(0, span_days))
    raw = RawItem(url=f"https://news.example.org/news/{n}", title=f"{company} {rng.choice(NEWS)}",
                  summary=f"{company} announced the move on Tuesday.", text="", published=when)
    return Planned(raw, rng.choice(SOURCES), Tags(companies=(company,)), None)


def _week(moment: datetime) -> int:
    return (moment - START).days // 7


def store_plans(store: Store, plans: list[Planned], now: datetime) -> None:
    """Items per (source, week) batch as a daily scrape would see them; then the labels."""
    specs = {s: SourceSpec(name=s, url=f"https://feeds.example.org/{i}.xml")
             for i, s in enumerate(SOURCES)}
    store.sync_sources(list(specs.values()))
    batches: dict[tuple[str, int], list[Planned]] = {}
    for plan in sorted(plans, key=lambda p: p.raw.published):
        batches.setdefault((plan.source, _week(plan.raw.published)), []).append(plan)
    ids: dict[str, int] = {}
    for (source, _), batch in sorted(batches.items(), key=lambda kv: kv[0][1]):
        seen_at = min(now, batch[-1].raw.published + timedelta(hours=2))
        fetch = SourceFetch(source=source, status="new", items=tuple(p.raw for p in batch))
        saved = store.save_fetch(fetch, specs[source], seen_at)
        ids.update(zip((p.raw.url for p in batch), saved.new_ids, strict=True))
    store.save_tags([(ids[p.raw.url], p.tags, p.incident) for p in plans], {}, now)
    _last_run(store, specs, now)


def _last_run(store: Store, specs: dict[str, SourceSpec], now: datetime) -> None:
    """A final run in which most sources are unchanged and two keep failing."""
    failing = {SOURCES[3]: "HTTP 503 Service Unavailable", SOURCES[7]: "not a feed: got HTML"}
    for name, spec in specs.items():
        for _ in range(4 if name in failing else 1):
            status = "failed" if name in failing else "unchanged"
            store.save_fetch(SourceFetch(source=name, status=status, error=failing.get(name)),
                             spec, now)


def generate(db: Path, n_items: int, *, seed: int = 7, now: datetime | None = None) -> int:
    """Build a database of `n_items` items at `db` (which must not exist); return the count."""
    if db.exists():
        raise FileExistsError(f"{db} exists; remove it or choose another path")
    now = now or datetime.now(UTC)
    plans = plan_items(n_items, random.Random(seed), now)
    with open_store(db) as store:
        store_plans(store, plans, now)
    return len(plans)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, required=True, help="number of items to generate")
    parser.add_argument("--db", type=Path, required=True, help="database file to create")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    args = parser.parse_args(argv)
    if args.force:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    try:
        count = generate(args.db, args.items, seed=args.seed)
    except (FileExistsError, OSError, TrackerError) as e:
        print(f"generate: error: {e}", file=sys.stderr)
        return 2
    print(f"{count} items in {args.db} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
