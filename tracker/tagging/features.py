"""What the incident grouper compares: a report's companies, types, distinctive terms,
places, authorities, amounts and date."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from tracker.models import Report
from tracker.tagging.text import is_title_case, normalise
from tracker.taxonomy import Taxonomy

# Weights of a term by how it is written: names and numbers tell cases apart best.
NAME, PHRASE, WORD = 1.0, 1.5, 0.6
_WORDS = re.compile(r"[a-z][a-z0-9&-]*[a-z0-9]")
# Capitalised words not opening a sentence: after a lower-case letter, digit, comma...
_NAME_RUN = re.compile(r"(?<=[a-z0-9,;)'\"] )[A-Z][\w&'-]*(?: [A-Z][\w&'-]*)*")
_AMOUNT = re.compile(
    r"(?:[$€£¥]|\b(?:US|HK|A|C)\$)\s?(\d+(?:[.,]\d+)*)\s?(k|m|mn|million|bn|b|billion|tn|trillion)?\b"
    r"|\b(\d+(?:[.,]\d+)*)\s?(million|billion|m|bn)?\s?(?:euros?|dollars?|pounds?|yuan|won|yen|rupees?)\b",
    re.I)
_MONEY_SIGNS = ("$", "€", "£", "¥")
_MONEY_WORDS = ("euro", "dollar", "pound", "yuan", " won", " yen", "rupee")
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
    places, authorities, spans = set(), set(), []
    for name, hits in cfg.where.scan(text).items():
        kind, key = name.split("_", 1)
        (places if kind == "p" else authorities).add(key)
        spans += [(h.start, h.end) for h in hits]
    # Places and authorities are compared on their own; as terms they would count twice.
    terms = distinctive_terms(_blank(text, spans), tax,
                              title_end=len(title) if is_title_case(title) else 0,
                              names=report.tags.companies)
    # Where and before whom count as names too: "ICO" and "UK" tie a tribunal ruling to the
    # fine it overturned.
    terms.update({f"@{k}": NAME for k in (*places, *authorities)})
    money = amounts(text)
    terms.update({f"${a}": NAME for a in money})
    roles = report.tags.roles
    return Features(
        companies=frozenset(report.tags.companies),
        accusers=frozenset(c for c in report.tags.companies if roles.get(c) == "accuser"),
        accused=frozenset(c for c in report.tags.companies if roles.get(c) == "accused"),
        types=frozenset(report.tags.violations), terms=terms, day=parse_day(report.published),
        places=frozenset(places), authorities=frozenset(authorities),
        amounts=frozenset(money), penalty=report.tags.action == "penalty",
        action=report.tags.action)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def distinctive_terms(text: str, tax: Taxonomy, *, title_end: int = 0,
                      names: Iterable[str] = ()) -> dict[str, float]:
    """Stemmed term → weight: names (capitalised mid-sentence), runs of names, other
    content words; stop words and the words of the report's own companies never count
    (other companies' words do: "authors" and "music" tell cases apart).

    `title_end`: the text up to there is a title in title case, where capitals do not
    mark names.
    """
    stopwords = tax.grouping.stopwords
    own = {w for n in names for w in n.lower().split()}
    concepts = tax.grouping.concepts
    terms = {}
    for w in _WORDS.findall(text.lower()):
        if len(w) > 2 and w not in stopwords and w not in own:
            w = stem(w)
            terms[concepts.get(w, w)] = WORD
    names_text = text[title_end:] if title_end else text
    for run in _NAME_RUN.findall(names_text):
        words = [w.lower() for w in run.replace("'s", "").split()]
        words = [stem(w) for w in words
                 if len(w) > 2 and w not in stopwords and w not in own]
        terms.update({w: NAME for w in words})
        if len(words) >= 2:
            terms[" ".join(words)] = PHRASE
    return terms


@lru_cache(maxsize=1 << 16)  # news reuses a small vocabulary; the cache is a pure speed-up
def stem(word: str) -> str:
    """A light English suffix stripper, so "pirated", "pirate" and "pirates", or "books"
    and "book", are one term across outlets' wording."""
    if len(word) <= 4 or not word.isalpha():
        return word
    if word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
    elif len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def amounts(text: str) -> set[str]:
    """Money amounts, normalised to a rounded number ("1.2e9"), so €1.2bn = 1.2 billion euros."""
    if not any(sign in text for sign in _MONEY_SIGNS):
        low = text.lower()
        if not any(word in low for word in _MONEY_WORDS):
            return set()
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
