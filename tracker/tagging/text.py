"""An item's text prepared once for every rule: normalised, split into sentences."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# Article bodies can be long; the lead says who did what, the rest adds noise and cost.
TEXT_LIMIT = 1200
_TRANSLATE = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                            "\u2013": "-", "\u2014": " - ", "\u00a0": " ", "\u2011": "-",
                            "\u2032": "'", "\u00ad": ""})
_SENTENCE_END = re.compile(r"[.!?](?=[\"')\]]?\s+[\"'(\[]?[A-Z0-9])|\n")
_ABBREVIATIONS = frozenset({"u.s", "u.k", "mr", "mrs", "ms", "dr", "inc", "co", "corp", "ltd",
                            "st", "v", "vs", "no", "jr", "sr", "gen", "sen", "rep", "gov", "e.u",
                            "a.i", "u.n", "s.a", "n.v", "approx", "est", "dept", "jan", "feb",
                            "aug", "sept", "oct", "nov", "dec", "prof", "lt", "col"})
_LONG_WORD = re.compile(r"\b[A-Za-z][A-Za-z'-]{3,}")
_LONG_CAPITAL = re.compile(r"\b[A-Z][A-Za-z'-]{3,}")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    in_title: bool
    title_case: bool  # most words capitalised, so capitals say nothing about names


@dataclass(frozen=True)
class Doc:
    text: str
    title_end: int  # offset where the title stops
    sentences: tuple[Sentence, ...]
    starts: tuple[int, ...]

    def sentence_at(self, offset: int) -> Sentence:
        return self.sentences[max(0, bisect.bisect_right(self.starts, offset) - 1)]

    def left(self, offset: int, width: int = 90) -> str:
        """The text before `offset`, within its sentence."""
        s = self.sentence_at(offset)
        return self.text[max(s.start, offset - width):offset]

    def right(self, offset: int, width: int = 90) -> str:
        """The text after `offset`, within its sentence."""
        s = self.sentence_at(max(0, offset - 1))
        return self.text[offset:min(s.end, offset + width)]


def normalise(text: str) -> str:
    return " ".join((text or "").translate(_TRANSLATE).split())


def prepare(title: str, summary: str = "", text: str = "") -> Doc:
    """Title, summary and the lead of the body as one string with sentence spans."""
    parts = [normalise(title), normalise(summary), normalise((text or "")[:TEXT_LIMIT])]
    title_part = parts[0]
    body = "\n".join(p for p in parts[1:] if p)
    full = title_part + ("\n" + body if body else "")
    sentences = [_sentence(full, 0, len(title_part), True)] if title_part else []
    if body:
        sentences += _split(full, len(title_part) + 1)
    if not sentences:
        sentences = [Sentence(0, 0, False, False)]
    return Doc(full, len(title_part), tuple(sentences), tuple(s.start for s in sentences))


def _split(text: str, start: int) -> list[Sentence]:
    out, begin = [], start
    for m in _SENTENCE_END.finditer(text, start):
        if m.group(0) != "\n" and _is_abbreviation(text, m.start()):
            continue
        out.append(_sentence(text, begin, m.end(), False))
        begin = m.end()
        while begin < len(text) and text[begin] in " \n":
            begin += 1
    if begin < len(text):
        out.append(_sentence(text, begin, len(text), False))
    return [s for s in out if s.end > s.start]


def _is_abbreviation(text: str, dot: int) -> bool:
    word_start = dot
    while word_start > 0 and (text[word_start - 1].isalpha() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _sentence(text: str, start: int, end: int, in_title: bool) -> Sentence:
    return Sentence(start, end, in_title, is_title_case(text[start:end]))


def is_title_case(sentence: str) -> bool:
    """Most words of four letters or more capitalised ("Startup Extends Its Runway")."""
    words = len(_LONG_WORD.findall(sentence))
    if words < 3:
        return False
    return len(_LONG_CAPITAL.findall(sentence)) / words >= 0.7
