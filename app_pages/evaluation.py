"""The tagger's evaluation report (data/eval/latest.json) → headline figures and tables.

The report is written by tracker/evaluate.py; its known parts (micro and
per-label scores, confusion, targets) get a reading of their own, and any
other part is still shown, as numbers or as a table, so a new field never
breaks the page.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tracker.palette import violation_label


@dataclass(frozen=True)
class Headline:
    label: str
    value: float
    target: float | None
    higher_is_better: bool = True

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target


def _get(report: dict, *path: str) -> object:
    node: object = report
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def headlines(report: dict) -> list[Headline]:
    """The figures the tagging issue sets targets for, where the report has them."""
    per_type = _get(report, "violations", "per_label") or {}
    type_f1 = [_number(v.get("f1")) for v in per_type.values() if isinstance(v, dict)]
    weakest = min((f for f in type_f1 if f is not None), default=None)
    wanted = [
        ("Companies F1", _get(report, "companies", "micro", "f1"), "companies_f1", True),
        ("Violation types F1", _get(report, "violations", "micro", "f1"), "violations_f1",
         True),
        ("Weakest type F1", weakest, "type_f1_min", True),
        ("Ordinary news given a type", _get(report, "ordinary", "rate"),
         "ordinary_fp_rate_max", False),
        ("Grouping pair F1", _get(report, "grouping", "f1"), "grouping_f1", True),
        ("Action accuracy", _get(report, "action", "accuracy"), "action_accuracy", True),
    ]
    return [Headline(label, _number(value), _number(_get(report, "targets", target)), better)
            for label, value, target, better in wanted if _number(value) is not None]


def tables(report: dict) -> list[tuple[str, pd.DataFrame]]:
    """Per-label scores, confusion, traps, errors; then any other table-like part."""
    out: list[tuple[str, pd.DataFrame]] = []
    for key, value in report.items():
        title = str(key).replace("_", " ").capitalize()
        if isinstance(value, dict) and isinstance(value.get("per_label"), dict):
            frame = pd.DataFrame.from_dict(value["per_label"], orient="index")
            if key == "violations":
                frame.index = [violation_label(i) for i in frame.index]
            sort = "f1" if "f1" in frame.columns else frame.columns[0]
            out.append((f"{title}: per label", frame.sort_values(sort)))
        elif isinstance(value, dict) and value and all(isinstance(v, dict)
                                                       for v in value.values()):
            out.append((title, pd.DataFrame.from_dict(value, orient="index").fillna(0)))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            out.append((title, _flat(pd.DataFrame(value))))
    return out


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists and mappings in cells become short text (the grid shows text as text)."""
    def cell(v: object) -> object:
        if isinstance(v, dict):
            return "; ".join(f"{k}: {', '.join(map(str, x)) if isinstance(x, list) else x}"
                             for k, x in v.items())
        if isinstance(v, list):
            return ", ".join("—" if x is None else str(x) for x in v)
        return v
    return frame.apply(lambda column: column.map(cell))


def facts(report: dict) -> list[tuple[str, object]]:
    """Top-level plain values (set, date, counts, speed)."""
    return [(str(k).replace("_", " "), v) for k, v in report.items()
            if isinstance(v, (str, int, float)) and not isinstance(v, bool)]
