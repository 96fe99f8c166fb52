"""What the incident grouper compares: a report's companies, types, distinctive terms,
places, authorities, amounts and date."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tracker.models import Report
from tracker.tagging.text import is_title_case, normalise
from tracker.taxonomy import Taxonomy

# Weights of a term by how it is written: names and numbers tell cases apart best.
NAME, PHRASE, WORD = 1.0, 1.5, 0.6
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9&'.-]*[A-Za-z0-9]|[A-Za-z]")
_AMOUNT = re.compile(
    r"(?:[$€£¥]|\b(?:US|HK|A|C)\$)\s?(\d+(?:[.,]\d+)*)\s?(k|m|mn|million|bn|b|billion|tn|trillion)?\b"
    r"|\b(\d+(?:[.,]\d+)*)\s?(million|billion|m|bn)?\s?(?:euros?|dollars?|pounds?|yuan|won|yen|rupees?)\b",
    re.I)
_SCALE = {"k": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9,
          "tn": 1e12, "trillion": 1e12}


@dataclass(frozen=True)
class Features:
    companies: frozenset[str]
    accusers: frozenset[str]
    accused: frozenset[str]
    types: frozenset[str]
    terms: dict[str, float]
    places: frozenset[str]
    authorities: frozenset[str]
    amounts: frozenset[str]
    day: date | None
    penalty: bool  # the report is about a fine or settlement (its amounts identify it)
    action: str | None = None


def extract_features(report: Report, tax: Taxonomy) -> Features:
    title, summary = normalise(report.title), normalise(report.summary)
    text = title + "\n" + summary
    cfg = tax.grouping
    places = {k: rx for k, rx in cfg.places.items() if rx.search(text)}
    authorities = {k: rx for k, rx in cfg.authorities.items() if rx.search(text)}
    # Places and authorities are compared on their own; as terms they would count twice.
    blank = [rx for rx in (*places.values(), *authorities.values())]
    title_words, summary_words = _blank(title, blank), _blank(summary, blank)
    terms = distinctive_terms(summary_words, tax)
    for term, weight in distinctive_terms(title_words, tax,
                                          names_unsure=is_title_case(title)).items():
        terms[term] = max(weight, terms.get(term, 0.0))
    # Where and before whom count as names too: "ICO" and "UK" tie a tribunal ruling to the
    # fine it overturned.
    terms.update({f"@{k}": NAME for k in (*places, *authorities)})
    terms.update({f"${a}": NAME for a in amounts(text)})
    roles = report.tags.roles
    return Features(
        companies=frozenset(report.tags.companies),
        accusers=frozenset(c for c in report.tags.companies if roles.get(c) == "accuser"),
        accused=frozenset(c for c in report.tags.companies if roles.get(c) == "accused"),
        types=frozenset(report.tags.violations), terms=terms, day=parse_day(report.published),
        places=frozenset(places), authorities=frozenset(authorities),
        amounts=frozenset(amounts(text)), penalty=report.tags.action == "penalty",
        action=report.tags.action)


def _blank(text: str, patterns: list) -> str:
    for rx in patterns:
        text = rx.sub(lambda m: " " * len(m.group(0)), text)
    return text


def distinctive_terms(text: str, tax: Taxonomy, *, names_unsure: bool = False) -> dict[str, float]:
    """Lower-cased term → weight: capitalised names, runs of names, other content words.

    `names_unsure`: the text is in title case, so capitals do not mark names.
    """
    stop, names = tax.grouping.stopwords, tax.alias_words
    terms: dict[str, float] = {}
    run: list[str] = []
    for m in _TOKEN.finditer(text):
        word = m.group(0).removesuffix("'s").rstrip(".")
        low = word.lower()
        capital = (word[:1].isupper() and not names_unsure
                   and not _sentence_start(text, m.start()))
        if low in stop or low in names or len(low) < 3:
            _close_run(run, terms)
            continue
        terms[low] = max(terms.get(low, 0.0), NAME if capital else WORD)
        if capital:
            run.append(low)
        else:
            _close_run(run, terms)
    _close_run(run, terms)
    return terms


def _sentence_start(text: str, offset: int) -> bool:
    before = text[max(0, offset - 3):offset].rstrip(" \"'(")
    return not before or before[-1] in ".!?:\n"


def _close_run(run: list[str], terms: dict[str, float]) -> None:
    if len(run) >= 2:
        terms[" ".join(run)] = PHRASE
    run.clear()


def amounts(text: str) -> set[str]:
    """Money amounts, normalised to a rounded number ("1.2e9"), so €1.2bn = 1.2 billion euros."""
    out = set()
    for m in _AMOUNT.finditer(text):
        number, scale = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        try:
            value = float(number.replace(",", "")) * _SCALE.get((scale or "").lower(), 1.0)
        except ValueError:
            continue
        if value >= 1000:
            out.add(f"{value:.2g}")
    return out


def parse_day(published: str | None) -> date | None:
    try:
        return date.fromisoformat((published or "")[:10])
    except ValueError:
        return None
