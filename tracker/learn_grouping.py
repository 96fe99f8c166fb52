"""Learn the grouping weights from labelled sets: python -m tracker.learn_grouping

The grouper scores each (report, candidate incident) pair with a logistic regression over
the pair features of tracker/tagging/similarity.py. This replays the labelled sets through
the grouper in date order, with every report put where its gold label says, records the
features of each candidate the grouper would have compared and whether it was the right
incident, fits the weights (L2-regularised, Newton's method), picks the join threshold
that gives the best pairwise F1 on the training sets, and with --write stores both in
data/taxonomy/grouping.toml between the "learned" markers.

Each set is replayed whole and, when it has parts (ids "dev-b-…"), each part on its own as
well. The grouper meets runs of both sizes: `tracker classify` gets batches of a couple of
hundred items (as the judged set is), the database thousands. A small run has fewer
incidents per company, so a candidate that shares a company is more often the same case;
weights fitted only to one long run join too little in a short one (leave-one-part-out over
dev's eleven parts, known cases from the other ten: pair F1 0.731 learnt from one long run,
0.765 from the parts alone, 0.770 from both).

Train on the development and demo sets only: the held-out sets are for scoring.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import numpy as np

from tracker.classify import group, report_for
from tracker.errors import TrackerError
from tracker.evaluate import load_rows, pairwise, resolve
from tracker.incidents import IncidentGrouper
from tracker.models import Report, Tags
from tracker.tagger import tag_for_grouping
from tracker.tagging.similarity import DECISION, FEATURES, decision_inputs
from tracker.taxonomy import DEFAULT_DIR, Taxonomy, load_taxonomy

BEGIN, END = "# BEGIN learned", "# END learned"
THRESHOLDS = tuple(round(t * 0.25, 2) for t in range(-8, 13))  # log-odds -2 .. 3
_PART = re.compile(r"([a-z]+-[a-z])-")  # "dev-b-017" is of part dev-b; "dev-0042" of none


def runs_of(rows: Sequence[dict]) -> list[list[dict]]:
    """The runs a labelled set is replayed as: the whole set, then each of its parts (ids
    "<set>-<letter>-…"; rows of no such part make one more), when it has more than one."""
    parts: dict[str, list[dict]] = {}
    for row in rows:
        m = _PART.match(str(row.get("id", "")))
        parts.setdefault(m.group(1) if m else "", []).append(row)
    return [list(rows)] + (list(parts.values()) if len(parts) > 1 else [])


def tag_rows(rows: Sequence[dict], taxonomy: Taxonomy) -> list[tuple[Report, Tags]]:
    """Each row tagged once: learning regroups the same reports many times, and grouping
    weights do not change the tags."""
    out = []
    for n, row in enumerate(rows):
        tags, step = tag_for_grouping(row.get("title") or "", row.get("summary") or "",
                                      taxonomy=taxonomy)
        out.append((report_for(n, row, tags, case_step=step), tags))
    return out


def replay(rows: Sequence[dict], tagged: Sequence[tuple[Report, Tags]],
           taxonomy: Taxonomy) -> list[list[tuple]]:
    """Per grouped report, its candidates as (features, right incident?, reports in the
    candidate), replaying the rows in date order with every report placed in its gold
    incident. A candidate weighs as many report pairs as it holds, as pair F1 counts it."""
    reports = [report for report, _ in tagged]
    order = sorted(range(len(rows)), key=lambda i: (reports[i].published or "9999", i))
    grouper = IncidentGrouper(taxonomy)
    gold_of: dict[str, str] = {}  # incident id → gold key
    placed: dict[str, str] = {}   # gold key → incident id
    events = []
    for i in order:
        report = reports[i]
        if not report.tags.violations:
            continue
        gold = rows[i]["gold"].get("incident")
        features, candidates = grouper.examine(report)
        events.append([(pair, 1.0 if gold and gold_of[incident_id] == gold else 0.0,
                        float(grouper.state(incident_id)["report_count"]))
                       for incident_id, pair in candidates])
        incident_id = grouper.place(report, features, placed.get(gold) if gold else None)
        gold_of.setdefault(incident_id, gold or f"none:{incident_id}")
        if gold:
            placed[gold] = incident_id
    return events


def decisions(events: list[list[tuple]], weights: np.ndarray) -> list[tuple]:
    """Per report, the decision inputs for its best-ranked candidate (as Scorer.best)."""
    out = []
    for candidates in events:
        if not candidates:
            continue
        scores = np.asarray([c[0] for c in candidates]) @ weights
        order = np.argsort(-scores, kind="stable")
        pair, right, size = candidates[order[0]]
        second = float(scores[order[1]]) if len(order) > 1 else None
        out.append((decision_inputs(pair, float(scores[order[0]]), second, len(candidates)),
                    right, size))
    return out


def fit(x: list, y: list, weight: list, l2: float, iterations: int = 30) -> np.ndarray:
    """Weighted logistic regression by Newton's method; the bias is not penalised."""
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    c = np.asarray(weight, dtype=float)
    w = np.zeros(a.shape[1])
    penalty = np.full(a.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(a @ w, -30, 30)))
        gradient = a.T @ (c * (p - b)) + penalty * w
        hessian = (a * (c * p * (1 - p))[:, None]).T @ a + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def with_weights(taxonomy: Taxonomy, weights: dict[str, float]) -> Taxonomy:
    """The taxonomy with grouping weights replaced (the rest shared, nothing reloaded)."""
    grouping = replace(taxonomy.grouping,
                       weights=MappingProxyType({**taxonomy.grouping.weights, **weights}))
    return replace(taxonomy, grouping=grouping)


def pair_f1(sets: Sequence[list[dict]], taxonomy: Taxonomy,
            tagged: Sequence[list[tuple[Report, Tags]]] | None = None) -> float:
    """Pairwise grouping F1 over the sets, each grouped on its own (`tagged`: the sets
    already tagged by tag_rows)."""
    if tagged is None:
        tagged = [tag_rows(rows, taxonomy) for rows in sets]
    tp = fp = fn = 0
    for rows, reports in zip(sets, tagged, strict=True):
        pred = group(reports, taxonomy)
        scores = pairwise([r["gold"].get("incident") for r in rows], pred)
        tp, fp, fn = tp + scores["tp"], fp + scores["fp"], fn + scores["fn"]
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def learn(sets: Sequence[list[dict]], taxonomy: Taxonomy, l2: float) -> dict[str, float]:
    """Ranking weights from every candidate pair, then decision weights from each report's
    best-ranked candidate, then the decision threshold with the best pair F1; each set
    replayed as its runs_of."""
    train = [run for rows in sets for run in runs_of(rows)]
    tagged = [tag_rows(rows, taxonomy) for rows in train]
    events = [e for rows, t in zip(train, tagged, strict=True) for e in replay(rows, t, taxonomy)]
    pairs = [c for candidates in events for c in candidates]
    rank = fit(*zip(*pairs, strict=True), l2=l2)
    chosen = decisions(events, rank)
    join = fit(*zip(*chosen, strict=True), l2=l2)
    weights = {f"model_{name}": round(float(v), 3) for name, v in zip(FEATURES, rank, strict=True)}
    weights |= {f"join_{name}": round(float(v), 3) for name, v in zip(DECISION, join, strict=True)}
    best = max(THRESHOLDS, key=lambda t: (pair_f1(train, with_weights(
        taxonomy, {**weights, "join_threshold": t}), tagged), -abs(t)))
    print(f"learn: {len(pairs)} pairs ({int(sum(p[1] for p in pairs))} right), "
          f"{len(chosen)} decisions, from {sum(map(len, sets))} items in {len(train)} runs; "
          f"threshold {best}",
          file=sys.stderr)
    return {**weights, "join_threshold": best}


def write_weights(path: Path, weights: dict[str, float]) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
    except ValueError:
        raise TrackerError(f"{path.name}: no '{BEGIN}' … '{END}' block to replace") from None
    body = "".join(f"{k} = {v}\n" for k, v in weights.items())
    path.write_text(f"{head}{BEGIN} (python -m tracker.learn_grouping --write)\n{body}{END}"
                    f"{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracker.learn_grouping",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", default="dev,demo", help="sets to learn from (comma list)")
    parser.add_argument("--check", default="", help="sets to report pair F1 on (comma list)")
    parser.add_argument("--l2", type=float, default=0.03,
                        help="regularisation strength (0.03: best mean pair F1 when learning "
                        "on all but one labelled part and scoring that part, 2026-11-27)")
    parser.add_argument("--write", action="store_true", help="store the weights in grouping.toml")
    args = parser.parse_args(argv)
    try:
        taxonomy = load_taxonomy()
        train = [load_rows(p) for name in args.train.split(",") for p in resolve(name)[1]]
        weights = learn(train, taxonomy, args.l2)
        learnt = with_weights(taxonomy, weights)
        for name in filter(None, args.check.split(",")):
            sets = [load_rows(p) for p in resolve(name)[1]]
            print(f"{name}: pair F1 {pair_f1(sets, learnt):.3f} "
                  f"(before {pair_f1(sets, taxonomy):.3f})")
        print(f"train: pair F1 {pair_f1(train, learnt):.3f}")
        if args.write:
            write_weights(DEFAULT_DIR / "grouping.toml", weights)
        else:
            print("\n".join(f"{k} = {v}" for k, v in weights.items()))
    except (TrackerError, OSError) as e:
        print(f"learn_grouping: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
