"""The layout's promises (architecture.md), checked on the source itself."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tracker.cli import build_parser

REPO = Path(__file__).resolve().parent.parent
WRITERS = {"tracker/store.py", "tracker/schema.py", "tracker/store_corrections.py"}
WRITE_SQL = re.compile(r"\b(INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
                       r"CREATE\s+(TABLE|INDEX|VIRTUAL|TRIGGER)|DROP\s+TABLE)\b", re.I)


def python_files(*folders: str) -> list[Path]:
    return [p for f in folders for p in sorted((REPO / f).rglob("*.py"))]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", python_files("scrapers"), ids=lambda p: p.name)
def test_scrapers_never_import_tracker_or_streamlit(path):
    assert not imported_modules(path) & {"tracker", "streamlit", "sqlite_utils", "sqlite3"}


@pytest.mark.parametrize("path", python_files("tracker"), ids=lambda p: p.name)
def test_core_never_imports_streamlit(path):
    assert "streamlit" not in imported_modules(path)


def string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
            and isinstance(n.value, str)]


@pytest.mark.parametrize("path",
                         python_files("tracker", "app_pages", "scrapers") + [REPO / "app.py"],
                         ids=lambda p: str(p.relative_to(REPO)))
def test_only_the_store_modules_write_sql(path):
    if str(path.relative_to(REPO)) in WRITERS or not path.exists():
        return
    offenders = [s for s in string_constants(path) if WRITE_SQL.search(s)]
    assert offenders == []


@pytest.mark.parametrize("path", python_files("app_pages") + [REPO / "app.py"],
                         ids=lambda p: p.name)
def test_page_scripts_hold_no_sql(path):
    if not path.exists():
        pytest.skip("no dashboard yet")
    assert not [s for s in string_constants(path) if re.search(r"\bSELECT\b.+\bFROM\b", s, re.I)]


def test_every_cli_command_and_option_has_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, cmd in sub.choices.items():
        assert cmd.description, name
        for action in cmd._actions:
            if action.dest not in ("help",):
                assert action.help, f"{name} {action.dest}"
