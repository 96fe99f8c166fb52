import csv
import io

from tracker.export import csv_bytes, neutralise, write_csv


def test_formula_cells_are_neutralised():
    for dangerous in ("=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx"):
        assert neutralise(dangerous).startswith("'")
    assert neutralise("OpenAI sued") == "OpenAI sued"


def test_lists_are_joined_with_semicolons_and_none_is_empty():
    assert neutralise(["ByteDance", "OpenAI"]) == "ByteDance; OpenAI"
    assert neutralise(None) == ""


def test_write_csv_header_rows_and_quoting_round_trip():
    rows = [{"title": 'He said "no", then =HYPERLINK("x")', "companies": ["A", "B"]},
            {"title": "line\nbreak"}]
    out = io.StringIO()
    assert write_csv(rows, out, ["title", "companies"]) == 2
    parsed = list(csv.reader(io.StringIO(out.getvalue())))
    assert parsed[0] == ["title", "companies"]
    assert parsed[1] == ['He said "no", then =HYPERLINK("x")', "A; B"]
    assert parsed[2] == ["line\nbreak", ""]


def test_csv_bytes_is_utf8():
    data = csv_bytes([{"t": "Zhipu AI — 智谱"}], ["t"])
    assert data.decode("utf-8").splitlines()[1] == "Zhipu AI — 智谱"
