"""Analysts' writes: label corrections, moves, merges, splits, watches, and their audit log.

A correction is stored twice over: as an override row (item, field, value),
which the re-tag step lays over the machine's labels forever after, and as
labels applied at once through `Store.save_tags`, which also refreshes every
incident the item leaves or joins. Overrides and the audit row are committed
first: if the process dies between the two transactions the override still
wins at the next re-tag, so nothing an analyst said is lost.

Override values (JSON): companies → list of names, violations → list of ids,
action → id or null, incident → incident id.
"""
from __future__ import annotations

import getpass
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from tracker.errors import InputError
from tracker.filters import Filters
from tracker.models import ACTIONS, VIOLATIONS, Tags
from tracker.queries import resolve_incident
from tracker.store import Store, iso, utc_now

MAX_NAME_CHARS = 100
KEEP = object()  # "leave this field as it is"


class CorrectionError(InputError):
    """A correction that cannot be applied: unknown item or incident, bad label, bad name."""


@dataclass(frozen=True)
class ItemLabels:
    item_id: int
    url: str
    tags: Tags
    incident: str | None


def default_who() -> str:
    """The OS user, for corrections made by someone who gave no name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def item_labels(conn: sqlite3.Connection, item_id: int) -> ItemLabels:
    row = conn.execute("SELECT id, url, companies, violations, action, roles, evidence, "
                       "incident_id FROM items WHERE id = ?", [item_id]).fetchone()
    if row is None:
        raise CorrectionError(f"no item with id {item_id}")
    evidence = {k: tuple(v) for k, v in json.loads(row[6] or "{}").items()}
    tags = Tags(tuple(json.loads(row[2] or "[]")), tuple(json.loads(row[3] or "[]")), row[4],
                json.loads(row[5] or "{}"), evidence)
    return ItemLabels(row[0], row[1], tags, row[7])


# -- one item's labels --------------------------------------------------------------

def correct_item(store: Store, item_id: int, who: str, *, companies: Iterable[str] | None = None,
                 violations: Iterable[str] | None = None, action: object = KEEP,
                 now: datetime | None = None) -> ItemLabels:
    """Change an item's companies, types and/or action; unchanged fields are not recorded."""
    who, now = _who(who), now or utc_now()
    current = item_labels(store.db.conn, item_id)
    changes = _changed_fields(current.tags, companies, violations, action)
    if not changes:
        return current
    tags = _with_changes(current.tags, changes)
    incident = _incident_after(store.db.conn, current, tags)
    with store.write() as conn:
        for field, value in changes.items():
            _set_override(conn, item_id, field, value, who, now)
            _audit(conn, who, now, f"set_{field}", f"item:{item_id}",
                   {"before": _field_value(current.tags, field), "after": value})
    store.save_tags([(item_id, tags, incident)], {}, now)
    return ItemLabels(item_id, current.url, tags, incident)


def _changed_fields(tags: Tags, companies, violations, action) -> dict[str, object]:
    wanted: dict[str, object] = {}
    if companies is not None:
        wanted["companies"] = _clean_companies(companies)
    if violations is not None:
        wanted["violations"] = _clean_violations(violations)
    if action is not KEEP:
        if action is not None and action not in ACTIONS:
            raise CorrectionError(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")
        wanted["action"] = action
    return {k: v for k, v in wanted.items() if v != _field_value(tags, k)}


def _field_value(tags: Tags, field: str) -> object:
    value = getattr(tags, field)
    return list(value) if isinstance(value, tuple) else value


def _clean_companies(names: Iterable[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        name = " ".join(str(name).split())[:MAX_NAME_CHARS]
        if name and name not in out:
            out.append(name)
    return out


def _clean_violations(ids: Iterable[str]) -> list[str]:
    ids = list(ids)
    unknown = [v for v in ids if v not in VIOLATIONS]
    if unknown:
        raise CorrectionError(f"unknown violation type {unknown[0]!r}")
    return [v for v in VIOLATIONS if v in ids]


def _with_changes(tags: Tags, changes: dict[str, object]) -> Tags:
    """The labels with the analyst's values laid over them (as the re-tag step does)."""
    companies = tuple(changes.get("companies", tags.companies))  # type: ignore[arg-type]
    evidence = dict(tags.evidence)
    for field in changes:
        evidence[f"override:{field}"] = ("analyst correction",)
    return Tags(companies=companies,
                violations=tuple(changes.get("violations", tags.violations)),  # type: ignore
                action=changes.get("action", tags.action),  # type: ignore[arg-type]
                roles={c: tags.roles.get(c, "party") for c in companies},
                evidence=evidence)


def _incident_after(conn: sqlite3.Connection, current: ItemLabels, tags: Tags) -> str | None:
    """An item with no type leaves its incident (unless pinned); one that gains a type
    and has none starts its own, under the id the grouper would give it."""
    pinned = conn.execute("SELECT 1 FROM overrides WHERE item_id = ? AND field = 'incident'",
                          [current.item_id]).fetchone()
    if current.incident and (tags.violations or pinned):
        return current.incident
    if not tags.violations:
        return None
    return "inc-" + hashlib.sha1(current.url.encode()).hexdigest()[:12]


# -- incidents ------------------------------------------------------------------------

def move_item(store: Store, item_id: int, incident_id: str, who: str, *,
              now: datetime | None = None) -> str:
    """Pin an item to another (existing) incident; returns that incident's id."""
    who, now = _who(who), now or utc_now()
    current = item_labels(store.db.conn, item_id)
    target = _existing_incident(store.db.conn, incident_id)
    with store.write() as conn:
        _set_override(conn, item_id, "incident", target, who, now)
        _audit(conn, who, now, "move_item", f"item:{item_id}",
               {"from": current.incident, "to": target})
    store.save_tags([(item_id, current.tags, target)], {}, now)
    return target


def merge_incidents(store: Store, source_id: str, target_id: str, who: str, *,
                    now: datetime | None = None) -> str:
    """Fold one incident into another: its reports move, old links and the grouper follow."""
    who, now = _who(who), now or utc_now()
    source = _existing_incident(store.db.conn, source_id)
    target = _existing_incident(store.db.conn, target_id)
    if source == target:
        raise CorrectionError(f"{source_id} and {target_id} are already one incident")
    moving = _incident_items(store.db.conn, source)
    staying = _incident_items(store.db.conn, target)
    with store.write() as conn:
        for item in moving + staying:  # pin both sides, so a re-group cannot undo the merge
            _set_override(conn, item.item_id, "incident", target, who, now)
        conn.execute("UPDATE incident_aliases SET new_id = ? WHERE new_id = ?", [target, source])
        conn.execute("INSERT OR REPLACE INTO incident_aliases(old_id, new_id) VALUES (?, ?)",
                     [source, target])
        _audit(conn, who, now, "merge_incidents", f"incident:{target}",
               {"merged": source, "into": target, "items": [i.item_id for i in moving]})
    store.save_tags([(i.item_id, i.tags, target) for i in moving], {}, now)
    return target


def split_incident(store: Store, incident_id: str, item_ids: Sequence[int], who: str, *,
                   now: datetime | None = None) -> str:
    """Move some reports of an incident into a new incident; returns the new id."""
    who, now = _who(who), now or utc_now()
    source = _existing_incident(store.db.conn, incident_id)
    items = _incident_items(store.db.conn, source)
    wanted = {int(i) for i in item_ids}
    chosen = [i for i in items if i.item_id in wanted]
    if not chosen or len(chosen) != len(wanted):
        raise CorrectionError(f"choose one or more reports of {source} to split off")
    if len(chosen) == len(items):
        raise CorrectionError("a split must leave at least one report behind")
    new_id = _fresh_incident_id(store.db.conn, chosen[0].url)
    with store.write() as conn:
        for item in items:
            _set_override(conn, item.item_id, "incident",
                          new_id if item.item_id in wanted else source, who, now)
        _audit(conn, who, now, "split_incident", f"incident:{source}",
               {"from": source, "new": new_id, "items": [i.item_id for i in chosen]})
    store.save_tags([(i.item_id, i.tags, new_id) for i in chosen], {}, now)
    return new_id


def _existing_incident(conn: sqlite3.Connection, incident_id: str) -> str:
    resolved = resolve_incident(conn, str(incident_id).strip())
    if conn.execute("SELECT 1 FROM incidents WHERE id = ?", [resolved]).fetchone() is None:
        raise CorrectionError(f"no incident with id {incident_id!r}")
    return resolved


def _incident_items(conn: sqlite3.Connection, incident_id: str) -> list[ItemLabels]:
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM items WHERE incident_id = ? ORDER BY published, id", [incident_id])]
    return [item_labels(conn, i) for i in ids]


def _fresh_incident_id(conn: sqlite3.Connection, seed: str) -> str:
    for attempt in range(100):
        digest = hashlib.sha1(f"split:{attempt}:{seed}".encode()).hexdigest()[:12]
        candidate = f"inc-{digest}"
        taken = conn.execute(
            "SELECT 1 FROM incidents WHERE id = ? UNION SELECT 1 FROM incident_aliases "
            "WHERE old_id = ?", [candidate, candidate]).fetchone()
        if not taken:
            return candidate
    raise CorrectionError("could not find a free incident id")


# -- watches --------------------------------------------------------------------------

def save_watch(store: Store, name: str, filters: Filters, who: str, *,
               now: datetime | None = None) -> str:
    """Save (or replace) a named filter; digests and feeds report new incidents per watch."""
    who, now = _who(who), now or utc_now()
    name = " ".join((name or "").split())[:MAX_NAME_CHARS]
    if not name:
        raise CorrectionError("a watch needs a name")
    params = json.dumps(filters.to_params(), sort_keys=True)
    with store.write() as conn:
        conn.execute("INSERT INTO watches(name, filters, who, created_at) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT(name) DO UPDATE SET filters = excluded.filters, "
                     "who = excluded.who, created_at = excluded.created_at",
                     [name, params, who, iso(now)])
        _audit(conn, who, now, "save_watch", f"watch:{name}", {"filters": json.loads(params)})
    return name


def delete_watch(store: Store, name: str, who: str, *, now: datetime | None = None) -> None:
    who, now = _who(who), now or utc_now()
    with store.write() as conn:
        gone = conn.execute("DELETE FROM watches WHERE name = ?", [name]).rowcount
        if not gone:
            raise CorrectionError(f"no watch named {name!r}")
        _audit(conn, who, now, "delete_watch", f"watch:{name}", {})


# -- shared -----------------------------------------------------------------------------

def _who(who: str) -> str:
    who = " ".join((who or "").split())[:MAX_NAME_CHARS]
    return who or default_who()


def _set_override(conn: sqlite3.Connection, item_id: int, field: str, value: object,
                  who: str, now: datetime) -> None:
    conn.execute("INSERT INTO overrides(item_id, field, value, who, at) VALUES (?, ?, ?, ?, ?) "
                 "ON CONFLICT(item_id, field) DO UPDATE SET value = excluded.value, "
                 "who = excluded.who, at = excluded.at",
                 [item_id, field, json.dumps(value), who, iso(now)])


def _audit(conn: sqlite3.Connection, who: str, now: datetime, action: str, target: str,
           detail: dict) -> None:
    conn.execute("INSERT INTO audit_log(at, who, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                 [iso(now), who, action, target, json.dumps(detail, sort_keys=True)])
