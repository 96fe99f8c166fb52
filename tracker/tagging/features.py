"""What the incident grouper compares: a report's companies, types, distinctive terms,
places, authorities, amounts and date."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from tracker.models import Report
from tracker.tagging.phrases import PhraseIndex
from tracker.tagging.text import is_title_case, normalise
from tracker.taxonomy import Grouping, Taxonomy

# Weights of a term by how it is written: names and numbers tell cases apart best.
NAME, PHRASE, WORD = 1.0, 1.5, 0.6
_WORDS = re.compile(r"[a-z][a-z0-9&-]*[a-z0-9]")
# Capitalised words not opening a sentence: after a lower-case letter, digit, comma...
# (The capital comes before the look-behind, so that the search skips to capitals.)
_NAME_RUN = re.compile(r"[A-Z](?<=[a-z0-9,;)'\"] [A-Z])[\w&'-]*(?: [A-Z][\w&'-]*)*")
# A sum after a currency sign ("$5m", "US$1.2bn": the sign alone gives the same number), or
# before a currency word ("1.2 billion euros"), its first digit at a word start. Every
# match opens with a sign or that digit, so the regex opens with the class of both: the
# search then skips in C to the next one (an opening alternative or `\b` would make it
# try every position). Group 3 is the number less its first digit, which opens the match.
_AMOUNT = re.compile(
    r"[$€£¥\d](?:(?<=[$€£¥])\s?(\d+(?:[.,]\d+)*)\s?(k|m|mn|million|bn|b|billion|tn|trillion)?\b"
    r"|(?<=\d)(?<!\w\d)(\d*(?:[.,]\d+)*)\s?(million|billion|m|bn)?\s?"
    r"(?:euros?|dollars?|pounds?|yuan|won|yen|rupees?)\b)",
    re.I)
# How the taxonomy writes a place or authority regex: (?<!\w)(?:...)(?!\w)
_WHOLE_WORD = ("(?<!\\w)(?:", ")(?!\\w)")
_WORD_START = re.compile(r"(?<!\w)")
_MEMO_LIMIT = 200_000  # chunks and runs of names remembered (a few tens of MB at most)
Where = tuple[set[str], set[str], list[tuple[int, int]]]  # places, authorities, spans
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
    """The report's features (one report; a grouper keeps a FeatureReader instead)."""
    return FeatureReader(tax).read(report)


def distinctive_terms(text: str, tax: Taxonomy, *, title_end: int = 0,
                      names: Iterable[str] = ()) -> dict[str, float]:
    """Stemmed term → weight (see FeatureReader.terms)."""
    return FeatureReader(tax).terms(text, title_end=title_end, names=names)


class FeatureReader:
    """Reads reports' features for one taxonomy, keeping what repeats from report to
    report: the finder of places and authorities, the terms of each chunk of text and the
    words of each run of names met so far."""

    def __init__(self, tax: Taxonomy) -> None:
        cfg = tax.grouping
        self._where = cfg.where
        self._where_finder = WhereFinder(cfg)
        self._stopwords = cfg.stopwords
        self._concepts = cfg.concepts
        # What `terms` works out once per chunk of text and per run of names.
        self._chunk_terms: dict[str, tuple[tuple[str, str], ...]] = {}
        self._run_words: dict[str, tuple[tuple[str, str], ...]] = {}

    def read(self, report: Report) -> Features:
        title, summary = _normalised(report.title), _normalised(report.summary)
        text = title + "\n" + summary
        places, authorities, spans = self._where_in(text)
        # Places and authorities are compared on their own; as terms they would count twice.
        terms = self.terms(_blank(text, spans),
                           title_end=len(title) if is_title_case(title) else 0,
                           names=report.tags.companies)
        # Where and before whom count as names too: "ICO" and "UK" tie a tribunal ruling to
        # the fine it overturned.
        terms.update({f"@{k}": NAME for k in (*places, *authorities)})
        money = amounts(text)
        terms.update({f"${a}": NAME for a in money})
        tags = report.tags
        roles = tags.roles
        return Features(
            companies=frozenset(tags.companies),
            accusers=frozenset(c for c in tags.companies if roles.get(c) == "accuser"),
            accused=frozenset(c for c in tags.companies if roles.get(c) == "accused"),
            types=frozenset(tags.violations), terms=terms, day=parse_day(report.published),
            places=frozenset(places), authorities=frozenset(authorities),
            amounts=frozenset(money), penalty=tags.action == "penalty", action=tags.action)

    def _where_in(self, text: str) -> Where:
        """Places and authorities named, and where: as the where index scans them, by the
        quicker WhereFinder unless it cannot be sure."""
        found = self._where_finder.find(text)
        return found if found is not None else scan_where(self._where, text)

    def terms(self, text: str, *, title_end: int = 0,
              names: Iterable[str] = ()) -> dict[str, float]:
        """Stemmed term → weight: names (capitalised mid-sentence), runs of names, other
        content words; stop words and the words of the report's own companies never count
        (other companies' words do: "authors" and "music" tell cases apart).

        `title_end`: the text up to there is a title in title case, where capitals do not
        mark names.
        """
        own = {w for n in names for w in n.lower().split()}
        chunk_terms = self._chunk_terms
        terms = {}
        # Words never span white space, so each space-separated chunk's words (most chunks
        # are one) and their terms are worked out once, when first met.
        for chunk in text.lower().split():
            words = chunk_terms.get(chunk)
            if words is None:
                words = chunk_terms[chunk] = self._chunk_words(chunk)
            for word, term in words:
                if term and word not in own:  # "" for a word that is no term
                    terms[term] = WORD
        run_words = self._run_words
        for run in _NAME_RUN.findall(text[title_end:] if title_end else text):
            pairs = run_words.get(run)
            if pairs is None:
                pairs = run_words[run] = self._name_words(run)
            names = [term for word, term in pairs if word not in own]
            terms.update(dict.fromkeys(names, NAME))
            if len(names) >= 2:
                terms[" ".join(names)] = PHRASE
        if len(chunk_terms) + len(run_words) > _MEMO_LIMIT:  # a long run of many reports
            chunk_terms.clear()
            run_words.clear()
        return terms

    def _name_words(self, run: str) -> tuple[tuple[str, str], ...]:
        """(word, its stem) for the words of a run of names that may be terms."""
        return tuple((w, stem(w)) for w in run.replace("'s", "").lower().split()
                     if len(w) > 2 and w not in self._stopwords)

    def _chunk_words(self, chunk: str) -> tuple[tuple[str, str], ...]:
        """(word, its term or "") for each word of a chunk of lower-case text."""
        return tuple((word, self._word_term(word)) for word in _WORDS.findall(chunk))

    def _word_term(self, word: str) -> str:
        if len(word) <= 2 or word in self._stopwords:
            return ""
        word = stem(word)
        return self._concepts.get(word, word)


def scan_where(where: PhraseIndex, text: str) -> Where:
    """(places, authorities, spans) as the where index reports them."""
    places: set[str] = set()
    authorities: set[str] = set()
    spans: list[tuple[int, int]] = []
    for name, hits in where.scan(text).items():  # sets in order of their first hit
        kind, key = name.split("_", 1)
        (places if kind == "p" else authorities).add(key)
        spans += [(h.start, h.end) for h in hits]
    return places, authorities, spans


class WhereFinder:
    """What `scan_where` finds, without the phrase index where it can be sure to agree.

    Each place and authority pattern (the alternatives of Grouping.places and .authorities,
    which the where index holds) is filed under the letter every match of it starts with
    (or under none, then it is tried everywhere). One search of them all without word
    boundaries finds each position where one may match; at the word starts among these,
    the patterns of that letter run as the index runs them. The index reports, for a set
    and a start, one of the set's patterns that match there, and its sets in the order
    of their first hits; where that choice matters - two of a set's patterns match with
    different lengths, or two places (or two authorities) start at one position - `find`
    gives None and leaves it to the index. Half the reports name no place at all: the
    search alone says so.
    """

    def __init__(self, cfg: Grouping) -> None:
        regexes = [(kind, key, rx) for kind, table in (("p", cfg.places), ("a", cfg.authorities))
                   for key, rx in table.items()]
        split = [(kind, key, rx, _alternatives(_inside_whole_word(rx.pattern)))
                 for kind, key, rx in regexes]
        # One alternation of them all (a pattern it cannot split, whole): the regex engine
        # then skips ahead to a possible first letter.
        self._search = re.compile(_by_first_letter(
            [piece for _, _, rx, pieces in split for piece in pieces or [f"(?:{rx.pattern})"]])
            or "(?!)").search
        self._sure = not cfg.where.wild and all(
            pieces and not rx.flags & re.IGNORECASE for _, _, rx, pieces in split)
        anywhere: list[tuple[str, str, re.Pattern]] = []
        by_letter: dict[str, list[tuple[str, str, re.Pattern]]] = {}
        for kind, key, rx, pieces in split:
            for piece in pieces or ():
                pattern = (kind, key, re.compile(piece + r"(?!\w)", rx.flags))
                letter = _first_letter(piece)
                (by_letter.setdefault(letter, []) if letter else anywhere).append(pattern)
        self._by_letter = {letter: ps + anywhere for letter, ps in by_letter.items()}
        self._anywhere = anywhere

    def find(self, text: str) -> Where | None:
        """(places, authorities, spans) as `scan_where` gives them, or None when the index
        must decide."""
        places: set[str] = set()
        authorities: set[str] = set()
        spans: list[tuple[int, int]] = []
        m = self._search(text)
        if m is not None and not self._sure:
            return None
        first: dict[tuple[int, str], tuple[str, int]] = {}  # (start, kind) → (key, end)
        while m is not None:
            start = m.start()
            if _WORD_START.match(text, start):
                for kind, key, rx in self._by_letter.get(text[start], self._anywhere):
                    hit = rx.match(text, start)
                    if hit is None:
                        continue
                    found = (key, hit.end())
                    if first.setdefault((start, kind), found) != found:
                        return None  # which one the index reports depends on its order
                    (places if kind == "p" else authorities).add(key)
                    spans.append((start, hit.end()))
            m = self._search(text, start + 1)
        return places, authorities, spans


def _inside_whole_word(pattern: str) -> str | None:
    """The alternation inside a pattern written (?<!\\w)(?:...)(?!\\w) (taxonomy's
    _alternation), else None."""
    head, tail = _WHOLE_WORD
    if pattern.startswith(head) and pattern.endswith(tail):
        return pattern[len(head):-len(tail)]
    return None


def _alternatives(body: str | None) -> list[str] | None:
    """A regex split at its top-level "|"; None if it is not one (unbalanced)."""
    if body is None:
        return None
    out, depth, start, i = [], 0, 0, 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            i += 1
        elif c == "[":  # a class: its brackets, bars and parentheses are literal
            i += 2 if body[i + 1:i + 2] == "^" else 1
            i += 1 if body[i:i + 1] == "]" else 0
            while i < len(body) and body[i] != "]":
                i += 2 if body[i] == "\\" else 1
        elif c in "()":
            depth += 1 if c == "(" else -1
            if depth < 0:
                return None
        elif c == "|" and depth == 0:
            out.append(body[start:i])
            start = i + 1
        i += 1
    return out + [body[start:]] if depth == 0 and i == len(body) else None


def _by_first_letter(pieces: list[str]) -> str:
    """An alternation that matches wherever one of the regexes `pieces` does, those with a
    plain first letter grouped under it: the engine tries a branch per letter rather than
    one per piece."""
    groups: dict[str, list[str]] = {}
    others: list[str] = []
    for piece in pieces:
        letter = _first_letter(piece)
        if letter:  # piece is (?:<letter><rest>)
            groups.setdefault(letter, []).append(f"(?:{piece[4:-1]})")
        else:
            others.append(piece)
    return "|".join([*(f"{letter}(?:{'|'.join(rests)})" for letter, rests in groups.items()),
                     *others])


def _first_letter(piece: str) -> str | None:
    """The letter or digit every match of `(?:...)` starts with, when it plainly has one."""
    inner = piece[3:-1] if piece.startswith("(?:") and piece.endswith(")") else ""
    if (inner[:1].isalnum() and inner[1:2] not in ("?", "*", "+", "{")
            and _alternatives(inner) == [inner]):
        return inner[0]
    return None


def _normalised(text: str) -> str:
    """tracker.tagging.text.normalise, quicker for ASCII text (most of it), which its table
    of characters to replace (all beyond ASCII: curly quotes, dashes...) leaves as it is."""
    return " ".join(text.split()) if text.isascii() else normalise(text)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


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
    if not any(map(text.__contains__, _MONEY_SIGNS)) and not any(
            map(text.lower().__contains__, _MONEY_WORDS)):
        return set()
    out = set()
    for number, scale in sums(text):
        try:
            value = float(number.replace(",", "")) * _SCALE.get((scale or "").lower(), 1.0)
        except ValueError:
            continue
        if value >= 1000:
            out.add(f"{value:.2g}")
    return out


def sums(text: str) -> list[tuple[str, str | None]]:
    """(number as written, scale word or None) of each sum in the text, in order."""
    return [(m.group(1), m.group(2)) if m.group(1) is not None
            else (text[m.start()] + m.group(3), m.group(4)) for m in _AMOUNT.finditer(text)]


def parse_day(published: str | None) -> date | None:
    try:
        return date.fromisoformat((published or "")[:10])
    except ValueError:
        return None
