"""A scrape run: sources → scrapers → store → tagger → incident grouping.

Fetching runs concurrently in the scrapers' threads; this module consumes the
results one by one on the calling thread, which is the database's only writer.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from scrapers.fetch import fetch_sources
from scrapers.http import HttpClient
from scrapers.types import SourceFetch, SourceSpec
from tracker.errors import InputError
from tracker.incidents import IncidentGrouper
from tracker.models import Report, Tags
from tracker.store import Store, TagRow, utc_now
from tracker.tagger import case_step_tagger, tag_for_grouping
from tracker.taxonomy import Taxonomy

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  # (done, total, label)
TAG_BATCH = 500


@dataclass
class RunSummary:
    """What one run did; `line()` is the summary a cron log keeps."""

    ok: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: int = 0
    new: int = 0
    updated: int = 0
    tagged: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def line(self) -> str:
        return (f"sources: {self.ok} ok, {self.unchanged} unchanged, {self.failed} failed, "
                f"{self.skipped} not due; items: {self.new} new, {self.updated} updated, "
                f"{self.tagged} tagged")

    @property
    def exit_code(self) -> int:
        """0 all good, 1 some sources failed, 2 every source tried failed."""
        if not self.failed:
            return 0
        return 2 if not (self.ok or self.unchanged) else 1


def run_scrape(store: Store, specs: Sequence[SourceSpec], client: HttpClient,
               taxonomy: Taxonomy | None, *, tag: bool = True, force: bool = False,
               now: datetime | None = None, progress: Progress | None = None,
               max_workers: int = 16, known: Mapping[str, dict] | None = None) -> RunSummary:
    """Fetch every enabled, due source; store what is new; tag and group it (`known`:
    the known cases grouping may continue, tracker.known_cases)."""
    now = now or utc_now()
    enabled = [s for s in specs if s.enabled]
    store.sync_sources(enabled)
    waiting = set() if force else store.not_due(now)
    due = [s for s in enabled if s.name not in waiting]
    summary = RunSummary(skipped=len(enabled) - len(due))
    by_name = {s.name: s for s in due}
    results = fetch_sources(due, client, store.validators(), now=now, max_workers=max_workers)
    for done, fetch in enumerate(results, 1):
        _store_fetch(store, fetch, by_name[fetch.source], now, summary)
        if progress:
            progress(done, len(due), fetch.source)
    if tag and taxonomy is not None:
        summary.tagged = tag_pending(store, taxonomy, now=now, known=known)
    return summary


def _store_fetch(store: Store, fetch: SourceFetch, spec: SourceSpec, now: datetime,
                 summary: RunSummary) -> None:
    saved = store.save_fetch(fetch, spec, now)
    summary.new += len(saved.new_ids)
    summary.updated += len(saved.updated_ids)
    if fetch.status == "failed":
        summary.failed += 1
        summary.failures.append((fetch.source, fetch.error or "unknown error"))
        log.warning("%s: %s", fetch.source, fetch.error)
    elif fetch.status == "unchanged":
        summary.unchanged += 1
    else:
        summary.ok += 1
        log.info("%s: %d items, %d new", fetch.source, len(fetch.items), len(saved.new_ids))


def tag_pending(store: Store, taxonomy: Taxonomy, *, now: datetime | None = None,
                progress: Progress | None = None,
                known: Mapping[str, dict] | None = None) -> int:
    """Tag every untagged item, oldest first, attaching reports to incidents incrementally
    (and to the `known` cases no stored incident has taken yet)."""
    now = now or utc_now()
    grouper = IncidentGrouper(taxonomy, store.incident_states(), new_id=_incident_id,
                              known=known)
    aliases = store.incident_aliases()
    count = 0
    while rows := store.untagged(TAG_BATCH):
        overrides = store.overrides_for([r.id for r in rows])
        tagged = [_tag_row(r, overrides.get(r.id, {}), taxonomy, grouper, aliases) for r in rows]
        store.save_tags(tagged, {i: grouper.state(i) for i in grouper.changed()}, now)
        count += len(rows)
        if progress:
            progress(count, count, "tagged")
    return count


def retag_all(store: Store, taxonomy: Taxonomy, *, progress: Progress | None = None,
              known: Mapping[str, dict] | None = None) -> int:
    """Re-apply the taxonomy to every item and regroup; analysts' overrides are kept."""
    store.mark_all_untagged()
    return tag_pending(store, taxonomy, progress=progress, known=known)


def _tag_row(row: TagRow, overrides: dict, taxonomy: Taxonomy, grouper: IncidentGrouper,
             aliases: dict[str, str]) -> tuple[int, Tags, str | None]:
    tags, case_step = tag_for_grouping(row.title, row.summary, row.body, taxonomy=taxonomy)
    tags = apply_overrides(tags, overrides)
    incident = overrides.get("incident")
    if incident is None:
        report = Report(item_id=row.url, title=row.title, summary=row.summary,
                        published=row.published, source=row.source, tags=tags,
                        case_step=case_step)
        if tags.violations:
            incident = grouper.assign(report)
        elif "violations" not in overrides and (continued := grouper.continue_case(
                report, case_step_tagger(taxonomy, row.body))):
            # A later step of a case that names no violation itself ("judge lets the
            # claims proceed"): labelled as a step of the case it continues, under the
            # analyst's corrections (one that set the types decides alone).
            incident, tags = continued[0], apply_overrides(continued[1], overrides)
    incident = _follow_aliases(incident, aliases)
    return row.id, tags, incident if tags.violations or "incident" in overrides else None


def _follow_aliases(incident: str | None, aliases: dict[str, str]) -> str | None:
    seen: set[str] = set()
    while incident in aliases and incident not in seen:  # merges can chain
        seen.add(incident)
        incident = aliases[incident]
    return incident


def _incident_id(report: Report) -> str:
    """Stable across rebuilds: derived from the founding report's canonical URL."""
    return "inc-" + hashlib.sha1(report.item_id.encode("utf-8")).hexdigest()[:12]


def apply_overrides(tags: Tags, overrides: dict) -> Tags:
    """The machine's labels with an analyst's corrections laid over them."""
    if not overrides:
        return tags
    companies = tuple(overrides.get("companies", tags.companies))
    evidence = dict(tags.evidence)
    for name in ("companies", "violations", "action"):
        if name in overrides:
            evidence[f"override:{name}"] = ("analyst correction",)
    return Tags(
        companies=companies,
        violations=tuple(overrides.get("violations", tags.violations)),
        action=overrides.get("action", tags.action),
        roles={c: tags.roles.get(c, "party") for c in companies},
        evidence=evidence,
    )


def select_sources(specs: Iterable[SourceSpec], only: Sequence[str]) -> list[SourceSpec]:
    """The sources named with --only (all when none named); unknown names are an error."""
    specs = list(specs)
    if not only:
        return specs
    known = {s.name for s in specs}
    missing = [n for n in only if n not in known]
    if missing:
        raise InputError(f"no source named {', '.join(map(repr, missing))} in the sources file")
    return [s for s in specs if s.name in set(only)]
