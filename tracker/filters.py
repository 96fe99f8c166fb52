"""Filters as data: one value feeds the charts, the tables, the CSV and the URL.

`Filters` round-trips through URL query parameters (`to_params` /
`from_params`) so a filtered view is a link an analyst can send; reading a
URL never fails, whatever junk it holds. `item_where` and `incident_where`
turn a value into a parameterised SQL condition; the analyst's free text
becomes a full-text MATCH expression in which every word is quoted, so no
character typed can reach FTS5 as syntax.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.models import ACTIONS, VIOLATIONS
from tracker.palette import ACTION_LABELS, VIOLATION_LABELS

# Query-parameter names; the dashboard's sidebar widgets use the same keys. In a URL,
# types and actions are written as their labels ("Copyright"), as the dashboard's
# widgets write them; ids ("copyright") are read too.
PARAM_NAMES = {
    "since": "since", "until": "until", "companies": "company", "violations": "type",
    "actions": "action", "sources": "source", "text": "q",
}
MAX_VALUES = 50  # per list parameter: a URL is not a bulk query
MAX_VALUE_CHARS = 200
MAX_TEXT_CHARS = 500
MAX_TERMS = 20


@dataclass(frozen=True)
class Filters:
    since: date | None = None
    until: date | None = None
    companies: tuple[str, ...] = ()
    violations: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    text: str = ""

    @classmethod
    def make(cls, *, since: date | None = None, until: date | None = None,
             companies: Iterable[str] = (), violations: Iterable[str] = (),
             actions: Iterable[str] = (), sources: Iterable[str] = (),
             text: str = "") -> Filters:
        """A normalised value: known ids only, sorted lists, dates in order.

        Normalising makes equal views equal values, so they share a cache entry.
        """
        if since and until and since > until:
            since, until = until, since
        return cls(
            since=since, until=until,
            companies=_clean_names(companies), sources=_clean_names(sources),
            violations=tuple(v for v in VIOLATIONS if v in set(violations)),
            actions=tuple(a for a in ACTIONS if a in set(actions)),
            text=" ".join((text or "").split())[:MAX_TEXT_CHARS],
        )

    def to_params(self) -> dict[str, str | list[str]]:
        """Query parameters for st.query_params (empty values are left out)."""
        out: dict[str, str | list[str]] = {}
        if self.since:
            out["since"] = self.since.isoformat()
        if self.until:
            out["until"] = self.until.isoformat()
        for attr, labels in (("companies", None), ("violations", VIOLATION_LABELS),
                             ("actions", ACTION_LABELS), ("sources", None)):
            values = getattr(self, attr)
            if values:
                out[PARAM_NAMES[attr]] = [labels[v] for v in values] if labels else list(values)
        if self.text:
            out["q"] = self.text
        return out

    @classmethod
    def from_params(cls, params: Mapping[str, str | list[str]]) -> Filters:
        """Read query parameters; anything unusable is dropped, never raised."""
        def values(name: str) -> list[str]:
            raw = params.get(name)
            if raw is None:
                return []
            items = [raw] if isinstance(raw, str) else list(raw)
            return [v for v in items if isinstance(v, str)][:MAX_VALUES]

        def first(name: str) -> str:
            found = values(name)
            return found[-1] if found else ""

        return cls.make(
            since=_parse_date(first("since")), until=_parse_date(first("until")),
            companies=values("company"), violations=_ids(values("type"), VIOLATION_LABELS),
            actions=_ids(values("action"), ACTION_LABELS), sources=values("source"),
            text=first("q"),
        )

    def without_companies(self) -> Filters:
        return Filters(self.since, self.until, (), self.violations, self.actions,
                       self.sources, self.text)

    @property
    def is_empty(self) -> bool:
        return self == Filters()


def _clean_names(names: Iterable[str]) -> tuple[str, ...]:
    cleaned = {" ".join(n.split())[:MAX_VALUE_CHARS] for n in names if isinstance(n, str)}
    return tuple(sorted(n for n in cleaned if n))[:MAX_VALUES]


def _ids(values: list[str], labels: Mapping[str, str]) -> list[str]:
    """Ids from ids or labels, any case; unknown values are dropped."""
    known = {k.lower(): k for k in labels} | {v.lower(): k for k, v in labels.items()}
    return [known[v.strip().lower()] for v in values if v.strip().lower() in known]


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


# -- full-text search ---------------------------------------------------------

_CHUNK = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


def fts_expression(text: str) -> str | None:
    """An FTS5 MATCH expression for what an analyst typed, or None if it has no words.

    Words are ANDed; "quoted words" are a phrase; `word*` is a prefix; an
    upper-case OR between two terms means either. Every term is emitted in
    double quotes, so operators, brackets, colons and stray quotes in the
    input are plain text to FTS5.
    """
    terms: list[str] = []
    pending_or = False
    for phrase, bare in _CHUNK.findall((text or "")[:MAX_TEXT_CHARS]):
        if bare == "OR":
            pending_or = bool(terms)
            continue
        new = _phrase_term(phrase) if phrase or not bare else _bare_terms(bare)
        for term in new:
            if terms:
                terms.append("OR" if pending_or else "AND")
            terms.append(term)
            pending_or = False
    terms = terms[: MAX_TERMS * 2 - 1]
    return " ".join(terms) if terms else None


def _phrase_term(phrase: str) -> list[str]:
    words = _WORD.findall(phrase)
    return ['"' + " ".join(words) + '"'] if words else []


def _bare_terms(token: str) -> list[str]:
    words = _WORD.findall(token)
    terms = [f'"{w}"' for w in words]
    if terms and len(words) == 1 and token.endswith("*"):
        terms[-1] += "*"
    return terms


def search_note(text: str) -> str | None:
    """A plain sentence when the text box holds nothing searchable."""
    if text and fts_expression(text) is None:
        return (f"“{text[:80]}” has no letters or digits to search for; "
                "showing everything else that matches the filters.")
    return None


# -- SQL conditions -----------------------------------------------------------

def _marks(values: tuple[str, ...]) -> str:
    return ",".join("?" * len(values))


def _date_clauses(f: Filters, column: str) -> tuple[list[str], list]:
    """The inclusive date range on an ISO-8601 text column (`until` covers its whole day)."""
    clauses, params = [], []
    if f.since:
        clauses.append(f"{column} >= ?")
        params.append(f.since.isoformat())
    if f.until:
        clauses.append(f"{column} < ?")
        params.append((f.until + timedelta(days=1)).isoformat())
    return clauses, params


def _member_clauses(id_column: str, link_column: str,
                    filters: tuple[tuple[tuple[str, ...], str, str], ...],
                    ) -> tuple[list[str], list]:
    """`id IN (SELECT link FROM table WHERE column IN (...))` for each non-empty filter."""
    clauses, params = [], []
    for values, table, column in filters:
        if values:
            clauses.append(f"{id_column} IN (SELECT {link_column} FROM {table} "
                           f"WHERE {column} IN ({_marks(values)}))")
            params += values
    return clauses, params


def item_where(f: Filters, alias: str = "i") -> tuple[str, list]:
    """A WHERE condition (and its parameters) selecting the items that match."""
    clauses, params = _date_clauses(f, f"{alias}.published")
    more, more_params = _member_clauses(f"{alias}.id", "item_id", (
        (f.companies, "item_companies", "company"),
        (f.violations, "item_violations", "violation")))
    clauses, params = _item_extra_clauses(f, alias, clauses + more, params + more_params)
    return " AND ".join(clauses) or "1", params


def _item_extra_clauses(f: Filters, a: str, clauses: list[str],
                        params: list) -> tuple[list[str], list]:
    """Conditions that exist only on items (an incident matches through its reports)."""
    if f.actions:
        clauses.append(f"{a}.action IN ({_marks(f.actions)})")
        params += f.actions
    if f.sources:
        clauses.append(f"{a}.source IN ({_marks(f.sources)})")
        params += f.sources
    match = fts_expression(f.text)
    if match:
        clauses.append(f"{a}.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)")
        params.append(match)
    return clauses, params


def incident_where(f: Filters, alias: str = "n") -> tuple[str, list]:
    """A WHERE condition on incidents: dates are the first report's date; companies
    and types are the incident's; actions, sources and text match any of its reports."""
    a = alias
    clauses, params = _date_clauses(f, f"{a}.first_date")
    more, more_params = _member_clauses(f"{a}.id", "incident_id", (
        (f.companies, "incident_companies", "company"),
        (f.violations, "incident_violations", "violation")))
    clauses, params = clauses + more, params + more_params
    extra, extra_params = _item_extra_clauses(f, "r", [], [])
    if extra:
        clauses.append(f"{a}.id IN (SELECT r.incident_id FROM items r "
                       f"WHERE r.incident_id IS NOT NULL AND {' AND '.join(extra)})")
        params += extra_params
    return " AND ".join(clauses) or "1", params
