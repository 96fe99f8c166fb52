"""`tracker classify`: JSON Lines items in → one JSON line of labels per item, same order.

Items are tagged as they are read; only the small per-item results are kept until the
end, when the reports are grouped into incidents in order of publication (so a later
development meets the case it continues) and written out in input order. Needs no
network and no database.
"""
from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from tracker.errors import InputError
from tracker.incidents import IncidentGrouper
from tracker.models import Report, Tags
from tracker.tagger import case_step_tagger, tag_for_grouping
from tracker.taxonomy import Taxonomy


@dataclass(frozen=True)
class Classified:
    """One input item with its labels and incident (the fields classify prints)."""

    id: object
    tags: Tags
    incident: str | None
    listed: tuple[str, ...]  # companies of taxonomy.md's table, the ones classify prints

    def to_json(self) -> dict:
        t = self.tags
        return {"id": self.id, "companies": list(self.listed), "violations": list(t.violations),
                "action": t.action, "incident": self.incident,
                "evidence": {k: list(v) for k, v in t.evidence.items()},
                "roles": {c: t.roles.get(c, "party") for c in self.listed}}


def classify_stream(lines: Iterable[str], taxonomy: Taxonomy,
                    known: Mapping[str, dict] | None = None) -> Iterator[str]:
    """JSON Lines in → JSON Lines out, one per non-blank input line, in the same order.
    `known`: the known cases grouping may continue (tracker.known_cases)."""
    encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(..., ensure_ascii=False)
    for result in classify_items(read_items(lines), taxonomy, known):
        yield encode(result.to_json())


def read_items(lines: Iterable[str]) -> Iterator[dict]:
    """Parse JSON Lines; a bad line is an InputError naming the line."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"line {number}: not valid JSON ({e.msg})") from e
        if not isinstance(item, dict):
            raise InputError(f"line {number}: expected a JSON object")
        if not isinstance(item.get("title", ""), str) or not isinstance(
                item.get("summary") or "", str):
            raise InputError(f"line {number}: title and summary must be strings")
        yield item


def classify_items(items: Iterable[dict], taxonomy: Taxonomy,
                   known: Mapping[str, dict] | None = None) -> list[Classified]:
    """Tag every item, then group the incident reports in date order (`known`: the known
    cases grouping may continue)."""
    listed = taxonomy.listed
    ids: list[object] = []
    texts: list[str] = []
    reports: list[tuple[Report, Tags]] = []
    with _cycle_collection_paused():
        for n, item in enumerate(items):
            text = item.get("text") or ""
            tags, step = tag_for_grouping(item.get("title") or "", item.get("summary") or "",
                                          text, taxonomy=taxonomy)
            ids.append(item.get("id"))
            texts.append(text)
            reports.append((report_for(n, item, tags, case_step=step), tags))
        incidents, steps = group_with_steps(reports, taxonomy, texts, known)
    labels = (steps.get(i, tags) for i, (_, tags) in enumerate(reports))
    return [Classified(item_id, tags, incident, tuple(c for c in tags.companies if c in listed))
            for item_id, tags, incident in zip(ids, labels, incidents, strict=True)]


def group(reports: list[tuple[Report, Tags]], taxonomy: Taxonomy) -> list[str | None]:
    """Incident id per report (None for ordinary news), grouping oldest first."""
    return group_with_steps(reports, taxonomy)[0]


def group_with_steps(reports: list[tuple[Report, Tags]], taxonomy: Taxonomy,
                     texts: list[str] | None = None, known: Mapping[str, dict] | None = None
                     ) -> tuple[list[str | None], dict[int, Tags]]:
    """Incident id per report, grouping oldest first, and by index the new tags of the
    reports with no violation of their own that continue a case
    (IncidentGrouper.continue_case). `texts`: each report's body, if any; `known`: known
    cases a report may continue."""
    grouper = IncidentGrouper(taxonomy, known=known)
    out: list[str | None] = [None] * len(reports)
    steps: dict[int, Tags] = {}
    order = sorted(range(len(reports)), key=lambda i: (reports[i][0].published or "9999", i))
    for i in order:
        report = reports[i][0]
        out[i] = grouper.assign(report)
        if out[i] is None and (step := grouper.continue_case(
                report, case_step_tagger(taxonomy, texts[i] if texts else ""))):
            out[i], steps[i] = step
    return out, steps


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector, then run it once over what the batch made.
    A batch keeps every item's labels until the end: the collector's full passes
    re-examine all of them (and the taxonomy) again and again, about 6 % of the time, to
    find almost nothing - tags, reports and incident states hold no reference cycles. The
    one pass at the end is of the youngest generation, which holds everything made since
    the pause began: the taxonomy and the known cases, older, are not walked again."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)


def report_for(n: int, item: dict, tags: Tags, *, case_step: str | None = None) -> Report:
    # The grouper needs a unique id per item; the input id may be missing or repeated.
    return Report(item_id=f"{n}:{item.get('id', '')}", title=item.get("title") or "",
                  summary=item.get("summary") or "", published=str(item.get("published") or ""),
                  source=str(item.get("source") or ""), tags=tags, case_step=case_step)
