"""The compiled tagging modules (tracker.native): the same labels as the Python ones, and
never a build older than its sources.

The checks that need a build skip when there is none (`make native` builds it; `make test`
and CI do so first)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tracker import native

REPO = Path(__file__).resolve().parent.parent
LABELLED = [REPO / "data" / "demo" / "items.jsonl",
            *sorted((REPO / "data" / "eval").glob("*.jsonl"))]
built = pytest.mark.skipif(native.status() != "compiled",
                           reason=f"not compiled here ({native.status()})")
# Where a module came from, and why, as a fresh process sees it.
PROBE = ("import tracker, tracker.tagging.phrases as p; "
         "print(tracker.native.status()); print(p.__file__)")


def _probe(root: Path, **env: str) -> tuple[str, str]:
    run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         cwd=root, env={**os.environ, "PYTHONPATH": str(root), **env},
                         timeout=60, check=True)
    status, source = run.stdout.splitlines()
    return status, source


def _copy_package(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "tracker", tmp_path / "tracker",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


@built
def test_compiled_and_python_label_every_labelled_item_alike(tmp_path):
    items = tmp_path / "items.jsonl"
    items.write_text("".join(p.read_text(encoding="utf-8") for p in LABELLED),
                     encoding="utf-8")
    outputs = []
    for pure in ("", "1"):
        with items.open(encoding="utf-8") as stdin:
            run = subprocess.run([sys.executable, "-m", "tracker", "classify"], stdin=stdin,
                                 capture_output=True, text=True, cwd=REPO, timeout=600,
                                 env={**os.environ, native.PURE_ENV: pure}, check=True)
        outputs.append(run.stdout)
    lines = items.read_text(encoding="utf-8").count("\n")
    assert outputs[0].count("\n") == lines > 4000
    assert outputs[0] == outputs[1]


@built
def test_a_build_of_these_sources_runs_compiled(tmp_path):
    status, source = _probe(_copy_package(tmp_path))
    assert status == "compiled"
    assert not source.endswith(".py")


@built
def test_a_source_edited_after_the_build_runs_all_modules_as_python(tmp_path):
    root = _copy_package(tmp_path)
    edited = root / "tracker" / "tagging" / "text.py"  # another module than the probe's
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    status, source = _probe(root)
    assert status == "python: the sources changed since the build (make native)"
    assert source == str(root / "tracker" / "tagging" / "phrases.py")


def test_tracker_pure_runs_the_sources():
    status, source = _probe(REPO, **{native.PURE_ENV: "1"})
    assert status.startswith("python: ")
    assert source == str(REPO / "tracker" / "tagging" / "phrases.py")


def test_without_a_build_the_sources_run(tmp_path):
    root = _copy_package(tmp_path)
    for path in native.extensions():
        (root / path.relative_to(REPO)).unlink()
    (root / "tracker" / "_native.json").unlink(missing_ok=True)
    assert _probe(root) == ("python: not built (make native)",
                            str(root / "tracker" / "tagging" / "phrases.py"))


def test_the_build_command_rejects_bad_usage_in_one_line():
    run = subprocess.run([sys.executable, "-m", "tracker.native_build", "bogus"],
                         capture_output=True, text=True, cwd=REPO, timeout=60, check=False)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "usage: python -m tracker.native_build build|status|clean"]
