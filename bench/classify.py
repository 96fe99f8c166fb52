"""Throughput and memory of `tracker classify` on generated items.

    .venv/bin/python bench/classify.py [--items 10000] [--seed 1] [--rounds 3] [--no-subprocess]

Items are built from the labelled sets (data/eval/dev.jsonl, data/demo/items.jsonl) with
their dates shifted, numbers changed, company names swapped for others and ids
renumbered, so the run sees realistic text and a realistic spread of incidents rather than
ten copies of each story; when no labelled file exists, from a few synthetic templates.
Prints the time to load the taxonomy, a floor (the least per-item work: parse, split
words, write) as this machine's speed in the same run, items per second in-process (one
core: tagging, grouping and JSON; the best of --rounds runs, each with the taxonomy loaded
afresh, and every round's figure; then tagging alone, on a second pass; then a run of 200,
the size of the judged set, which pays for every first meeting) and whether the
tagging modules ran compiled (tracker.native; TRACKER_PURE=1 runs the Python), then the peak
resident memory of a `python -m tracker classify` child process fed the same items on
stdin. Facts about the patterns are kept between runs (tracker.regex_cache): the first run
after a taxonomy edit loads slower.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCES = (REPO / "data" / "eval" / "dev.jsonl", REPO / "data" / "demo" / "items.jsonl")
TEMPLATES = (
    ("{a} sues {b} over use of its articles to train chatbots",
     "The publisher says {b} copied millions of stories without permission."),
    ("{a} fined {n} million euros by privacy watchdog",
     "The regulator said {a} processed users' personal data without a legal basis."),
    ("{a} launches new model to rival {b}", "The company says the model is faster and cheaper."),
)
COMPANIES = ("OpenAI", "Meta", "Google", "Anthropic", "Microsoft", "Perplexity", "Nvidia",
             "Amazon", "Apple", "xAI", "ByteDance", "DeepSeek", "Alibaba", "Baidu", "Tencent",
             "Mistral AI", "Cohere", "Stability AI", "Midjourney", "Samsung", "Intel", "IBM",
             "Tesla", "Salesforce", "Adobe", "Clearview AI", "Character.AI", "Reddit")
TARGET = 2_000  # items/s, issue 3
SHORT = 200  # items in a short run, the size of the judged set: what its first meetings cost
_NAME = re.compile(r"\b(" + "|".join(re.escape(c) for c in COMPANIES) + r")\b")


def seed_items() -> list[dict]:
    rows = []
    for path in SOURCES:
        if path.is_file():
            rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip()]
    return [{"title": r.get("title", ""), "summary": r.get("summary", ""),
             "published": str(r.get("published", ""))[:10],
             "source": r.get("source") or r.get("outlet", "")} for r in rows]


def synthetic(rng: random.Random) -> dict:
    title, summary = rng.choice(TEMPLATES)
    a, b = rng.sample(COMPANIES, 2)
    n = rng.randint(2, 900)
    return {"title": title.format(a=a, b=b, n=n), "summary": summary.format(a=a, b=b, n=n),
            "published": "2024-06-01", "source": "Synthetic"}


def generate(count: int, rng: random.Random) -> list[str]:
    seeds = seed_items()
    lines = []
    for i in range(count):
        item = dict(rng.choice(seeds)) if seeds else synthetic(rng)
        item["id"] = f"bench-{i}"
        item["published"] = _shift(item.get("published", ""), rng)
        item["summary"] = re.sub(r"\d+", lambda m: str(int(m.group(0)) + rng.randint(0, 9)),
                                 item.get("summary", ""))
        swap = dict(zip(COMPANIES, rng.sample(COMPANIES, len(COMPANIES)), strict=True))
        for key in ("title", "summary"):
            item[key] = _NAME.sub(lambda m, swap=swap: swap[m.group(0)], item.get(key, ""))
        lines.append(json.dumps(item))
    return lines


def _shift(published: str, rng: random.Random) -> str:
    try:
        day = date.fromisoformat(published[:10])
    except ValueError:
        day = date(2024, 1, 1)
    return (day + timedelta(days=rng.randint(-400, 400))).isoformat()


def in_process(lines: list[str], rounds: int) -> tuple[float, list[float], object]:
    """(seconds to load the taxonomy and known cases, classify items/s per round, the last
    taxonomy loaded). Each round loads the taxonomy afresh, so that every round pays what a
    run pays the first time it meets a word."""
    sys.path.insert(0, str(REPO))  # bench scripts run from a checkout, not an install
    from tracker import known_cases
    from tracker.classify import classify_stream
    from tracker.taxonomy import load_taxonomy

    rates, loads = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        taxonomy = load_taxonomy()
        known = known_cases.load()  # as `tracker classify` has them
        loaded = time.perf_counter()
        count = sum(1 for _ in classify_stream(lines, taxonomy, known))
        rates.append(count / (time.perf_counter() - loaded))
        loads.append(loaded - start)
    return min(loads), rates, taxonomy


def tagging_rate(lines: list[str], taxonomy) -> float:
    """Items/s of tagging alone, with a taxonomy that has met these items once."""
    from tracker.classify import read_items
    from tracker.tagger import tag_item

    items = list(read_items(lines))
    tagging = time.perf_counter()
    for item in items:
        tag_item(item.get("title") or "", item.get("summary") or "", item.get("text") or "",
                 taxonomy=taxonomy)
    return len(items) / (time.perf_counter() - tagging)


def floor_rate(lines: list[str], rounds: int) -> float:
    """Items/s of the least any classifier must do per item - parse the JSON line, split
    the lower-cased text into words, write a JSON line - as the speed of this machine
    right now: classify's rate divided by it compares across noisy runs and machines.
    The best of `rounds`, as classify's."""
    words = re.compile(r"\w+")
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for line in lines:
            item = json.loads(line)
            found = words.findall(f"{item.get('title', '')} {item.get('summary', '')}".lower())
            json.dumps({"id": item.get("id"), "words": len(found)})
        best = max(best, len(lines) / (time.perf_counter() - start))
    return best


def child_peak_rss_mb(lines: list[str]) -> float:
    subprocess.run([sys.executable, "-m", "tracker", "classify"], cwd=REPO, check=True,
                   input="\n".join(lines) + "\n", text=True, stdout=subprocess.DEVNULL)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000, help="how many items (10000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--no-subprocess", action="store_true", help="skip the memory run")
    parser.add_argument("--rounds", type=int, default=3,
                        help="classify runs, each with the taxonomy loaded afresh; the best "
                             "counts, as this machine's speed varies from run to run (3)")
    args = parser.parse_args()
    if args.items < 1 or args.rounds < 1:
        parser.error("--items and --rounds must be at least 1")
    lines = generate(args.items, random.Random(args.seed))
    floor = floor_rate(lines, args.rounds)
    load, rates, taxonomy = in_process(lines, args.rounds)
    rate = max(rates)
    tag_rate = tagging_rate(lines, taxonomy)
    _, short_rates, _ = in_process(lines[:SHORT], args.rounds)
    from tracker import native  # imported by in_process, from this checkout
    print(f"classify: tagging modules {native.status()} (tracker/native.py)")
    print(f"classify: taxonomy and known cases loaded in {load:.2f} s")
    print(f"classify: {args.items} items, {rate:,.0f} items/s in-process, best of "
          f"{args.rounds} (one core; target {TARGET:,}); each round: "
          + ", ".join(f"{r:,.0f}" for r in rates))
    print(f"classify: floor (parse JSON, split words, write JSON) {floor:,.0f} items/s; "
          f"classify runs at 1/{floor / rate:.0f} of it")
    print(f"classify: tagging alone (second pass): {tag_rate:,.0f} items/s")
    print(f"classify: a run of {min(SHORT, len(lines))} items (a judged batch; every word new "
          f"to the run): {max(short_rates):,.0f} items/s, best of {args.rounds}")
    if not args.no_subprocess:
        print(f"classify: peak memory of `python -m tracker classify` on {args.items} items: "
              f"{child_peak_rss_mb(lines):.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
