"""The evaluation harness: its metrics on hand-computed cases, and the command on a small
labelled file written here (the real sets are data/eval/*.jsonl)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.evaluate import confusion, label_scores, main, pairwise, prf

ROWS = [
    {"id": "e1", "title": "Italy fines OpenAI €15 million over ChatGPT privacy breaches",
     "summary": "The Garante said OpenAI processed personal data without a legal basis.",
     "published": "2024-12-20", "source": "Reuters",
     "gold": {"companies": ["OpenAI"], "violations": ["privacy"], "action": "penalty",
              "incident": "garante-openai", "roles": {"OpenAI": "accused"}},
     "traps": ["product_alias"]},
    {"id": "e2", "title": "OpenAI says it will appeal Italy's €15 million privacy fine",
     "summary": "The company called the Garante's penalty disproportionate.",
     "published": "2024-12-21", "source": "AP",
     "gold": {"companies": ["OpenAI"], "violations": ["privacy"], "action": "response",
              "incident": "garante-openai", "roles": {"OpenAI": "accused"}}, "traps": []},
    {"id": "e3", "title": "Anthropic launches Claude 3.5 Sonnet", "summary": "",
     "published": "2024-06-20", "source": "The Verge",
     "gold": {"companies": ["Anthropic"], "violations": [], "action": None, "incident": None,
              "roles": {"Anthropic": "party"}}, "traps": []},
]


def test_prf_on_counts():
    s = prf(tp=3, fp=1, fn=2)
    assert (s["precision"], s["recall"], s["f1"]) == (0.75, 0.6, 0.6667)
    assert prf(0, 0, 0)["f1"] == 1.0  # nothing to find, nothing found


def test_label_scores_are_micro_and_per_label():
    scores = label_scores([({"a", "b"}, {"a"}), ({"b"}, {"b", "c"})])
    assert scores["micro"]["tp"] == 2 and scores["micro"]["fp"] == 1 and scores["micro"]["fn"] == 1
    assert scores["per_label"]["c"]["precision"] == 0.0


def test_confusion_pairs_missed_with_extra_labels():
    table = confusion([({"privacy"}, {"security_breach"}), (set(), {"copyright"})])
    assert table["privacy"] == {"security_breach": 1}
    assert table["none"] == {"copyright": 1}


def test_pairwise_grouping_f1():
    gold = ["x", "x", "x", None]
    pred = ["1", "1", "2", "2"]
    s = pairwise(gold, pred)
    assert (s["tp"], s["fp"], s["fn"]) == (1, 1, 2)


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    path = tmp_path / "mini.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n", encoding="utf-8")
    return path


def test_the_command_prints_figures_and_writes_the_summary(labelled, tmp_path, capsys):
    out = tmp_path / "latest.json"
    assert main(["--set", str(labelled), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    for heading in ("Companies", "Violation types", "Confusion", "Ordinary news", "Grouping",
                    "Action accuracy", "Targets", "Errors"):
        assert heading in printed
    summary = json.loads(out.read_text(encoding="utf-8"))
    assert summary["items"] == 3 and summary["ordinary_items"] == 1
    assert summary["companies"]["micro"]["f1"] == 1.0
    assert summary["violations"]["per_label"]["privacy"]["support"] == 2
    assert summary["grouping"]["tp"] == 1
    assert {"date", "set", "targets", "errors", "by_trap", "action"} <= set(summary)


def test_no_errors_and_no_json_flags(labelled, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["--set", str(labelled), "--no-json", "--no-errors"]) == 0
    assert "Errors" not in capsys.readouterr().out
    assert not list(tmp_path.glob("*.json"))


def test_an_unknown_set_is_one_line_and_exit_2(capsys):
    assert main(["--set", "no/such/file.jsonl"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("evaluate: error:") and "\n" not in err
