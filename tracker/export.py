"""Rows → CSV, shared by the CLI and the dashboard's download buttons.

Cells a spreadsheet would run as a formula get a leading apostrophe: the
text of a feed is written by strangers, and "=HYPERLINK(...)" in a title
must stay text when an analyst opens the export.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import TextIO

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """One cell's text, safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def write_csv(rows: Iterable[Mapping[str, object]], out: TextIO,
              columns: Sequence[str]) -> int:
    """Write a header and one line per row; return the number of rows written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([neutralise(row.get(c)) for c in columns])
        count += 1
    return count


def csv_bytes(rows: Iterable[Mapping[str, object]], columns: Sequence[str]) -> bytes:
    """The same CSV as bytes, for a download button."""
    buf = io.StringIO()
    write_csv(rows, buf, columns)
    return buf.getvalue().encode("utf-8")
