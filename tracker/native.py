"""The per-item work of `classify` compiled to C by mypyc, when built; plain Python otherwise.

Built by `make native` (tracker.native_build): an extension module beside each source of
MODULES, one library they share (tracker/_native__mypyc*.so) and a record of the sources
they were built from (tracker/_native.json). The code is the same - mypyc compiles our
typed Python - so the labels are too (tests/test_native.py compares both on every
labelled item); it runs about a fifth to a third faster, the interpreter no longer
dispatching each step.

Python prefers an extension module to a source of the same name, so a build older than
its sources would silently run old code. `guard()`, called when the tracker package is
imported, therefore loads the sources instead - of all MODULES, since compiled modules call
each other directly rather than through imports - unless every source is as built and
TRACKER_PURE is unset. Edit a source and the next run is plain Python until `make native`.
"""
from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
REPO = PACKAGE.parent
RECORD = PACKAGE / "_native.json"
SHARED = "tracker._native"  # the library the compiled modules share: tracker/_native__mypyc.*
# The modules classify spends its time in (bench/classify.py), and nothing that the
# dashboard, the scrapers or the store need: those stay Python.
MODULES = (
    "tracker.tagger",
    "tracker.incidents",
    "tracker.tagging.actions",
    "tracker.tagging.companies",
    "tracker.tagging.features",
    "tracker.tagging.phrase_plans",
    "tracker.tagging.phrases",
    "tracker.tagging.roles",
    "tracker.tagging.similarity",
    "tracker.tagging.text",
    "tracker.tagging.violations",
)
PURE_ENV = "TRACKER_PURE"  # set (to anything but "" or "0"): always run the sources

_status = "python: not checked"


def source_of(module: str) -> Path:
    return REPO.joinpath(*module.split(".")).with_suffix(".py")


def extensions() -> list[Path]:
    """The compiled files present: one per module, and the shared library."""
    found = []
    for module in (*MODULES, f"{SHARED}__mypyc"):
        stem = REPO.joinpath(*module.split("."))
        found += [stem.with_name(stem.name + suffix)
                  for suffix in importlib.machinery.EXTENSION_SUFFIXES
                  if stem.with_name(stem.name + suffix).exists()]
    return found


def digest() -> str:
    """One hash over the sources of MODULES, as they are now."""
    h = hashlib.sha256()
    for module in MODULES:
        h.update(module.encode() + b"\0" + source_of(module).read_bytes() + b"\0")
    return h.hexdigest()


def guard() -> str:
    """Decide, before any of MODULES is imported, whether they run compiled; if not, make
    their imports load the sources. Returns (and keeps, for `status`) the reason."""
    global _status
    if not extensions():
        _status = "python: not built (make native)"
        return _status
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        _status = f"python: {PURE_ENV} is set"
    elif not _built_from_these_sources():
        _status = "python: the sources changed since the build (make native)"
    else:
        _status = "compiled"
        return _status
    if not any(isinstance(f, _SourcesFirst) for f in sys.meta_path):
        sys.meta_path.insert(0, _SourcesFirst(frozenset(MODULES)))
    return _status


def status() -> str:
    """Which code this process runs: "compiled", or "python: <why>"."""
    return _status


def _built_from_these_sources() -> bool:
    try:
        record = json.loads(RECORD.read_text(encoding="utf-8"))
        return record.get("sources") == digest() and record.get("python") == sys.version
    except (OSError, ValueError, AttributeError):
        return False


class _SourcesFirst(importlib.abc.MetaPathFinder):
    """Finds MODULES as their .py sources, ahead of the extension modules beside them."""

    def __init__(self, names: frozenset[str]) -> None:
        self._names = names

    def find_spec(self, fullname, path=None, target=None):  # noqa: ANN001 (importlib's API)
        if fullname not in self._names:
            return None
        return importlib.util.spec_from_file_location(fullname, source_of(fullname))
