"""Measure the tagger and the grouper against labelled data (data/eval/*.jsonl).

    python -m tracker.evaluate [--set dev|heldout|all|PATH] [--json FILE] [--no-errors]

Prints per-label precision/recall/F1 for companies (taxonomy.md's names only) and
violation types, the confusion between types, the rate of ordinary news given a
violation, pairwise grouping F1, action accuracy and the list of errors; writes a JSON
summary (default data/eval/latest.json) for the dashboard's "Tagging quality" page.
Items go through exactly what `tracker classify` runs.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

from tracker import known_cases
from tracker.classify import Classified, classify_items
from tracker.errors import TrackerError
from tracker.models import VIOLATIONS
from tracker.taxonomy import Taxonomy, load_taxonomy

EVAL_DIR = Path(__file__).resolve().parent.parent / "data" / "eval"
SETS = {"dev": ("dev.jsonl",), "heldout": ("heldout.jsonl",), "heldout_b": ("heldout_b.jsonl",),
        "heldout_c": ("heldout_c.jsonl",), "heldout_d": ("heldout_d.jsonl",),
        "heldout_all": ("heldout.jsonl", "heldout_b.jsonl", "heldout_c.jsonl", "heldout_d.jsonl"),
        "demo": ("../demo/items.jsonl",),
        "all": ("dev.jsonl", "heldout.jsonl", "heldout_b.jsonl", "heldout_c.jsonl",
                "heldout_d.jsonl")}
TARGETS = {"companies_f1": 0.95, "violations_f1": 0.85, "type_f1_min": 0.6,
           "ordinary_fp_rate_max": 0.05, "grouping_f1": 0.75, "action_accuracy": 0.7}


def load_rows(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise TrackerError(f"cannot read evaluation set {path}: {e.strerror}") from e
    rows = []
    for n, line in enumerate(lines, 1):
        if line.strip():
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise TrackerError(f"{path.name} line {n}: not valid JSON ({e.msg})") from e
            if not isinstance(row, dict) or not isinstance(row.get("gold"), dict):
                raise TrackerError(f"{path.name} line {n}: no \"gold\" labels")
            rows.append(row)
    return rows


def run(paths: list[Path], taxonomy: Taxonomy, known: dict[str, dict] | None = None
        ) -> tuple[list[dict], list[Classified], float]:
    """Rows of every file (incident keys made file-specific) and their classify results,
    each file grouped on its own (`known`: the known cases grouping may continue)."""
    rows, results, elapsed = [], [], 0.0
    for path in paths:
        file_rows = load_rows(path)
        start = time.perf_counter()
        file_results = classify_items(file_rows, taxonomy, known)
        elapsed += time.perf_counter() - start
        for row, result in zip(file_rows, file_results, strict=True):
            gold = dict(row["gold"])
            if gold.get("incident"):
                gold["incident"] = f"{path.name}:{gold['incident']}"
            rows.append({**row, "gold": gold})
            results.append(Classified(result.id, result.tags,
                                      f"{path.name}:{result.incident}" if result.incident else None,
                                      result.listed))
    return rows, results, elapsed


# -- metrics ---------------------------------------------------------------------------

def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "tp": tp, "fp": fp, "fn": fn, "support": tp + fn}


def label_scores(pairs: list[tuple[set, set]]) -> dict:
    """Micro scores and per-label scores over (gold set, predicted set) pairs."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for gold, pred in pairs:
        for label in gold & pred:
            counts[label]["tp"] += 1
        for label in pred - gold:
            counts[label]["fp"] += 1
        for label in gold - pred:
            counts[label]["fn"] += 1
    total = sum((c for c in counts.values()), Counter())
    return {"micro": prf(total["tp"], total["fp"], total["fn"]),
            "per_label": {k: prf(c["tp"], c["fp"], c["fn"]) for k, c in sorted(counts.items())}}


def confusion(pairs: list[tuple[set, set]]) -> dict[str, dict[str, int]]:
    """gold type → predicted type → count; "none" stands for a missing or extra label."""
    table: dict[str, Counter] = defaultdict(Counter)
    for gold, pred in pairs:
        for label in gold & pred:
            table[label][label] += 1
        missed, extra = sorted(gold - pred), sorted(pred - gold)
        for g in missed:
            for p in extra or ["none"]:
                table[g][p] += 1
        if not missed:
            for p in extra:
                table["none"][p] += 1
    return {g: dict(sorted(c.items())) for g, c in sorted(table.items())}


def pairwise(gold: list[str | None], pred: list[str | None]) -> dict:
    """Precision/recall/F1 over pairs of items placed in the same incident."""
    def pairs(keys: list[str | None]) -> set[tuple[int, int]]:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(keys):
            if key:
                groups[key].append(i)
        return {p for members in groups.values() for p in combinations(members, 2)}
    g, p = pairs(gold), pairs(pred)
    return prf(len(g & p), len(p - g), len(g - p))


def evaluate(rows: list[dict], results: list[Classified], listed: frozenset[str]) -> dict:
    pairs = list(zip(rows, results, strict=True))
    company_pairs = [({c for c in r["gold"].get("companies", []) if c in listed},
                      set(res.listed)) for r, res in pairs]
    type_pairs = [(set(r["gold"].get("violations", [])), set(res.tags.violations))
                  for r, res in pairs]
    ordinary = [res for r, res in pairs if not r["gold"].get("violations")]
    incident_items = [(r, res) for r, res in pairs if r["gold"].get("action")]
    violations = label_scores(type_pairs)
    for vid in VIOLATIONS:
        violations["per_label"].setdefault(vid, prf(0, 0, 0))
    return {
        "companies": label_scores(company_pairs),
        "violations": violations,
        "confusion": confusion(type_pairs),
        "ordinary": {"items": len(ordinary),
                     "false_positives": sum(1 for res in ordinary if res.tags.violations),
                     "rate": round(sum(1 for res in ordinary if res.tags.violations)
                                   / len(ordinary), 4) if ordinary else 0.0},
        "missed_incidents": sum(1 for gold, pred in type_pairs if gold and not pred),
        "grouping": pairwise([r["gold"].get("incident") for r in rows],
                             [res.incident for res in results]),
        "action": {"items": len(incident_items),
                   "correct": sum(1 for r, res in incident_items
                                  if res.tags.action == r["gold"]["action"]),
                   "accuracy": round(sum(1 for r, res in incident_items
                                         if res.tags.action == r["gold"]["action"])
                                     / len(incident_items), 4) if incident_items else 1.0,
                   "confusion": _action_confusion(incident_items)},
        "by_trap": _by_trap(rows, company_pairs, type_pairs),
        "errors": errors(rows, results, company_pairs, type_pairs),
    }


def _action_confusion(items: list[tuple[dict, Classified]]) -> dict[str, dict[str, int]]:
    table: dict[str, Counter] = defaultdict(Counter)
    for r, res in items:
        table[r["gold"]["action"]][res.tags.action or "none"] += 1
    return {g: dict(c) for g, c in sorted(table.items())}


def _by_trap(rows: list[dict], company_pairs: list, type_pairs: list) -> dict:
    out: dict[str, Counter] = defaultdict(Counter)
    for row, (gc, pc), (gv, pv) in zip(rows, company_pairs, type_pairs, strict=True):
        for trap in row.get("traps", []):
            out[trap]["items"] += 1
            out[trap]["companies_exact"] += gc == pc
            out[trap]["violations_exact"] += gv == pv
    return {t: dict(c) for t, c in sorted(out.items())}


def errors(rows: list[dict], results: list[Classified], company_pairs: list,
           type_pairs: list) -> list[dict]:
    """One entry per item with any wrong label, and per gold incident split or merged."""
    out = []
    for row, res, (gc, pc), (gv, pv) in zip(rows, results, company_pairs, type_pairs, strict=True):
        gold_action, action = row["gold"].get("action"), res.tags.action
        if gc == pc and gv == pv and gold_action == action:
            continue
        out.append({"id": row.get("id"), "title": row.get("title", ""),
                    "companies_missing": sorted(gc - pc), "companies_extra": sorted(pc - gc),
                    "violations_missing": sorted(gv - pv), "violations_extra": sorted(pv - gv),
                    "action": [gold_action, action], "traps": row.get("traps", []),
                    "evidence": {k: list(v) for k, v in res.tags.evidence.items()
                                 if not k.startswith("company:")}})
    return out + grouping_errors(rows, results)


def grouping_errors(rows: list[dict], results: list[Classified]) -> list[dict]:
    gold_groups: dict[str, list[int]] = defaultdict(list)
    pred_groups: dict[str, list[int]] = defaultdict(list)
    for i, (row, res) in enumerate(zip(rows, results, strict=True)):
        if row["gold"].get("incident"):
            gold_groups[row["gold"]["incident"]].append(i)
        if res.incident:
            pred_groups[res.incident].append(i)
    out = []
    for key, members in gold_groups.items():
        predicted = {results[i].incident for i in members}
        if len(predicted) > 1:
            out.append({"incident_split": key, "ids": [rows[i].get("id") for i in members],
                        "predicted": [results[i].incident for i in members]})
    for key, members in pred_groups.items():
        golds = {rows[i]["gold"].get("incident") for i in members}
        if len(golds) > 1:
            out.append({"incident_merged": key, "ids": [rows[i].get("id") for i in members],
                        "gold": [rows[i]["gold"].get("incident") for i in members]})
    return out


# -- printing --------------------------------------------------------------------------

def render(summary: dict, show_errors: bool = True) -> str:
    lines = [f"Evaluation on {summary['set']}: {summary['items']} items "
             f"({summary['incident_items']} incident reports in {summary['incidents']} incidents, "
             f"{summary['ordinary_items']} ordinary news) at {summary['items_per_second']} items/s",
             ""]
    for title, key in (("Companies (taxonomy.md names)", "companies"),
                       ("Violation types", "violations")):
        lines += _label_table(title, summary[key])
    lines += _confusion_lines(summary["confusion"])
    o, g, a = summary["ordinary"], summary["grouping"], summary["action"]
    lines += ["", f"Ordinary news given a violation: {o['false_positives']}/{o['items']} "
              f"= {o['rate']:.1%}   (incident reports given none: {summary['missed_incidents']})",
              f"Grouping, pairs of reports of one incident: P {g['precision']:.3f}  "
              f"R {g['recall']:.3f}  F1 {g['f1']:.3f}  ({g['tp']} right, {g['fp']} wrong, "
              f"{g['fn']} missed)" + _known_note(summary),
              f"Action accuracy on incident reports: {a['correct']}/{a['items']} "
              f"= {a['accuracy']:.3f}", ""]
    lines += _target_lines(summary)
    if show_errors:
        lines += ["", f"Errors ({len(summary['errors'])}):"]
        lines += [_error_line(e) for e in summary["errors"]]
    return "\n".join(lines)


def _known_note(summary: dict) -> str:
    if not summary.get("known_cases"):
        return "; no known cases"
    return f"; {summary['known_cases']} known cases from {summary['known_cases_from']}"


def _label_table(title: str, scores: dict) -> list[str]:
    m = scores["micro"]
    lines = [f"{title}: micro P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}",
             f"  {'label':26s} {'P':>6s} {'R':>6s} {'F1':>6s} {'n':>5s}"]
    for label, s in scores["per_label"].items():
        lines.append(f"  {label:26s} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f} "
                     f"{s['support']:5d}")
    return lines + [""]


def _confusion_lines(table: dict) -> list[str]:
    lines = ["Confusion (gold → predicted, off-diagonal only):"]
    for gold, row in table.items():
        off = {p: n for p, n in row.items() if p != gold}
        if off:
            lines.append(f"  {gold:24s} → " + ", ".join(f"{p} {n}" for p, n in
                                                        sorted(off.items(), key=lambda x: -x[1])))
    return lines


def _target_lines(summary: dict) -> list[str]:
    t = summary["targets"]
    per_type = [s["f1"] for s in summary["violations"]["per_label"].values() if s["support"]]
    checks = [("companies micro-F1", summary["companies"]["micro"]["f1"], t["companies_f1"], ">="),
              ("violations micro-F1", summary["violations"]["micro"]["f1"], t["violations_f1"],
               ">="),
              ("lowest type F1", min(per_type, default=1.0), t["type_f1_min"], ">="),
              ("ordinary news FP rate", summary["ordinary"]["rate"], t["ordinary_fp_rate_max"],
               "<="),
              ("grouping pairwise F1", summary["grouping"]["f1"], t["grouping_f1"], ">="),
              ("action accuracy", summary["action"]["accuracy"], t["action_accuracy"], ">=")]
    lines = ["Targets:"]
    for name, value, target, op in checks:
        ok = value >= target if op == ">=" else value <= target
        lines.append(f"  {'ok  ' if ok else 'MISS'} {name:24s} {value:.3f} (target {op} {target})")
    return lines


def _error_line(e: dict) -> str:
    if "incident_split" in e:
        return f"  split  {e['incident_split']}: {' '.join(map(str, e['ids']))} → {e['predicted']}"
    if "incident_merged" in e:
        return f"  merged {e['incident_merged']}: {' '.join(map(str, e['ids']))} ← {e['gold']}"
    parts = []
    for key, sign in (("companies_missing", "-"), ("companies_extra", "+"),
                      ("violations_missing", "-"), ("violations_extra", "+")):
        parts += [f"{sign}{v}" for v in e[key]]
    if e["action"][0] != e["action"][1]:
        parts.append(f"action {e['action'][0]}→{e['action'][1]}")
    return f"  {e['id']}: {' '.join(parts)} | {e['title'][:90]}"


# -- command line ------------------------------------------------------------------------

def summary_json(name: str, rows: list[dict], scores: dict, elapsed: float) -> dict:
    return {"set": name, "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "items": len(rows),
            "incident_items": sum(1 for r in rows if r["gold"].get("violations")),
            "ordinary_items": sum(1 for r in rows if not r["gold"].get("violations")),
            "incidents": len({r["gold"]["incident"] for r in rows if r["gold"].get("incident")}),
            "items_per_second": round(len(rows) / elapsed, 1) if elapsed else None,
            "targets": TARGETS, **scores}


def resolve(name: str) -> tuple[str, list[Path]]:
    if name in SETS:
        return name, [EVAL_DIR / f for f in SETS[name]]
    path = Path(name)
    if not path.is_file():
        raise TrackerError(f"no evaluation set {name!r}: use {', '.join(SETS)} or a JSONL file")
    return path.name, [path]


def known_cases_for(paths: list[Path], taxonomy: Taxonomy) -> tuple[dict[str, dict], list[str]]:
    """Known cases as classify has them (tracker.known_cases), built from the labelled
    sets they come from less the ones being scored, so no set is scored against cases
    made of its own reports; and the names of the sets used."""
    scored = {p.resolve() for p in paths}
    used = [name for name in known_cases.DEFAULT_SETS
            if not scored & {p.resolve() for p in resolve(name)[1]}]
    rows = [row for name in used for path in resolve(name)[1] for row in load_rows(path)]
    return known_cases.build(rows, taxonomy), used


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracker.evaluate", description=__doc__
                                     .split("\n\n")[0])
    parser.add_argument("--set", default="dev", help=f"{', '.join(SETS)}, or a JSONL file path")
    parser.add_argument("--json", type=Path, default=EVAL_DIR / "latest.json",
                        help="where to write the JSON summary (default data/eval/latest.json)")
    parser.add_argument("--no-json", action="store_true", help="do not write the JSON summary")
    parser.add_argument("--no-errors", action="store_true", help="print figures only")
    parser.add_argument("--no-known", action="store_true",
                        help="group without known cases (tracker.known_cases)")
    args = parser.parse_args(argv)
    try:
        name, paths = resolve(args.set)
        taxonomy = load_taxonomy()
        known, used = ({}, []) if args.no_known else known_cases_for(paths, taxonomy)
        rows, results, elapsed = run(paths, taxonomy, known)
        summary = summary_json(name, rows, evaluate(rows, results, taxonomy.listed), elapsed)
        # Plain values: the Tagging quality page lists them with the set and its size.
        summary["known_cases"] = len(known)
        summary["known_cases_from"] = " + ".join(used) or "none"
        if not args.no_json:
            args.json.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n",
                                 encoding="utf-8")
    except (TrackerError, OSError) as e:
        print(f"evaluate: error: {e}", file=sys.stderr)
        return 2
    print(render(summary, show_errors=not args.no_errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
