"""An item's text prepared once for every rule: normalised, split into sentences."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# Article bodies can be long; the lead says who did what, the rest adds noise and cost.
TEXT_LIMIT = 1200
_TRANSLATE = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                            "\u2013": "-", "\u2014": " - ", "\u00a0": " ", "\u2011": "-",
                            "\u2032": "'", "\u00ad": ""})
# Opens with a character class, not an alternation: the search then skips in C to where a
# match may start, instead of trying every position ([.!?] before a capital, or "\n").
_SENTENCE_END = re.compile(r"[.!?\n](?:(?<=\n)|(?=[\"')\]]?\s+[\"'(\[]?[A-Z0-9]))")
_ABBREVIATIONS = frozenset({"u.s", "u.k", "mr", "mrs", "ms", "dr", "inc", "co", "corp", "ltd",
                            "st", "v", "vs", "no", "jr", "sr", "gen", "sen", "rep", "gov", "e.u",
                            "a.i", "u.n", "s.a", "n.v", "approx", "est", "dept", "jan", "feb",
                            "aug", "sept", "oct", "nov", "dec", "prof", "lt", "col"})
# Words of four letters or more, and those capitalised: a letter at a word start (no word
# character before it - tested after the letter, so that the search skips to letters).
_LONG_WORD = re.compile(r"[A-Za-z](?<!\w.)[A-Za-z'-]{3,}")
_LONG_CAPITAL = re.compile(r"[A-Z](?<!\w.)[A-Za-z'-]{3,}")


class Sentence:
    """A span of a Doc's text: the title, or one sentence of the summary or body."""

    __slots__ = ("start", "end", "in_title", "_text", "_title_case")

    def __init__(self, start: int, end: int, in_title: bool, title_case: bool | None = None,
                 *, text: str = "") -> None:
        """`title_case` may be left to be worked out from `text` (the Doc's) when asked."""
        self.start, self.end, self.in_title = start, end, in_title
        self._text, self._title_case = text, title_case

    @property
    def title_case(self) -> bool:
        """Most words capitalised, so capitals say nothing about names."""
        if self._title_case is None:
            self._title_case = is_title_case(self._text[self.start:self.end])
        return self._title_case

    def __repr__(self) -> str:
        return f"Sentence({self.start}, {self.end}, in_title={self.in_title})"


@dataclass(frozen=True, slots=True)
class Doc:
    text: str
    title_end: int  # offset where the title stops
    sentences: tuple[Sentence, ...]
    starts: tuple[int, ...]
    # The text lower-cased, offsets unchanged; None where lower-casing would move offsets
    # or fold letters apart from what IGNORECASE matches (Turkish dotless i, long s).
    lower: str | None = None

    def sentence_at(self, offset: int) -> Sentence:
        i = bisect_right(self.starts, offset)
        return self.sentences[i - 1] if i else self.sentences[0]

    def left(self, offset: int, width: int = 90) -> str:
        """The text before `offset`, within its sentence."""
        s = self.sentence_at(offset)
        return self.text[max(s.start, offset - width):offset]

    def right(self, offset: int, width: int = 90) -> str:
        """The text after `offset`, within its sentence."""
        i = bisect_right(self.starts, offset - 1 if offset else 0)
        end = self.sentences[i - 1 if i else 0].end
        return self.text[offset:min(end, offset + width)]


def normalise(text: str) -> str:
    if text.isascii():  # most text: nothing to translate (every key of _TRANSLATE is not)
        return " ".join(text.split())
    return " ".join(text.translate(_TRANSLATE).split())


def prepare(title: str, summary: str = "", text: str = "") -> Doc:
    """Title, summary and the lead of the body as one string with sentence spans."""
    title_part = normalise(title)
    body = normalise(summary)
    if text:
        lead = normalise(text[:TEXT_LIMIT])
        body = f"{body}\n{lead}" if body and lead else body or lead
    full = f"{title_part}\n{body}" if body else title_part
    sentences = [Sentence(0, len(title_part), True, text=full)] if title_part else []
    if body:
        sentences += _split(full, len(title_part) + 1)
    if not sentences:
        sentences = [Sentence(0, 0, False, False)]
    return Doc(full, len(title_part), tuple(sentences), tuple(s.start for s in sentences),
               _lowered(full))


def _lowered(text: str) -> str | None:
    lower = text.lower()
    if len(lower) != len(text) or not text.isascii() and ("\u0131" in text or "\u017f" in text):
        return None
    return lower


def _split(text: str, start: int) -> list[Sentence]:
    out, begin = [], start
    for m in _SENTENCE_END.finditer(text, start):
        if m.group(0) != "\n" and _is_abbreviation(text, m.start()):
            continue
        out.append(Sentence(begin, m.end(), False, text=text))
        begin = m.end()
        while begin < len(text) and text[begin] in " \n":
            begin += 1
    if begin < len(text):
        out.append(Sentence(begin, len(text), False, text=text))
    return [s for s in out if s.end > s.start]


def _is_abbreviation(text: str, dot: int) -> bool:
    word_start = dot
    while word_start > 0 and (text[word_start - 1].isalpha() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def is_title_case(sentence: str) -> bool:
    """Most words of four letters or more capitalised ("Startup Extends Its Runway")."""
    words = len(_LONG_WORD.findall(sentence))
    if words < 3:
        return False
    return len(_LONG_CAPITAL.findall(sentence)) / words >= 0.7
