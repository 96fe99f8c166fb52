"""Facts about the taxonomy's regular expressions kept on disk between runs, keyed by
their exact text.

Working out which words a phrase needs (PhraseIndex's prefixes and anchors) and checking
that ~3,500 patterns compile takes a good part of loading the taxonomy, every run. The
store keeps those results keyed by the pattern's text and flags, so an edited taxonomy
file brings new keys, worked out (and checked) afresh like the first time: it can never
serve a stale fact. Patterns themselves are always compiled by `re.compile`: keeping
CPython's compiled form would need its private internals and trusting code read from
disk. A store that is missing, unreadable, from another Python or unwritable is ignored:
it only ever saves time.

Location: $TRACKER_CACHE_DIR (empty: no store), else $XDG_CACHE_HOME or ~/.cache, in
ai-incident-tracker/.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

_FORMAT = 3
_HEADER = {"format": _FORMAT, "python": sys.version}


def default_cache_path() -> Path | None:
    """The store's file for this Python, or None when $TRACKER_CACHE_DIR is empty."""
    where = os.environ.get("TRACKER_CACHE_DIR")
    if where is None:
        try:
            base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        except RuntimeError:  # no home directory: no store
            return None
        where = str(Path(base) / "ai-incident-tracker")
    if not where:
        return None
    return Path(where) / f"regexes-{sys.implementation.cache_tag}.json"


class RegexCache:
    """`compile` as re.compile, `fact` a memo of JSON-able facts, both kept by `save`."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._compiled: dict[str, re.Pattern] = {}  # this run's, by "flags:pattern"
        self._valid: set[str] = set()  # "flags:pattern" known to compile
        self._facts: dict[str, Any] = {}  # "kind:pattern" → fact
        self._used_valid: set[str] = set()
        self._used_facts: dict[str, Any] = {}
        self._changed = False
        if path is not None:
            self._read(path)

    @property
    def persistent(self) -> bool:
        """Whether what is compiled now is kept for later runs (there is a store)."""
        return self.path is not None

    def compile(self, pattern: str, flags: int = 0) -> re.Pattern:
        """re.compile(pattern, flags), once per run for a pattern used in several places."""
        key = f"{int(flags)}:{pattern}"
        rx = self._compiled.get(key)
        if rx is None:
            rx = self._compiled[key] = re.compile(pattern, flags)
        return rx

    def check(self, pattern: str, flags: int = 0) -> None:
        """Raise re.error as re.compile would; nothing to do for a pattern known to compile."""
        key = f"{int(flags)}:{pattern}"
        if key not in self._valid:
            re.compile(pattern, flags)
            self._valid.add(key)
            self._changed = True
        self._used_valid.add(key)

    def fact(self, kind: str, pattern: str, compute: Callable[[], Any]) -> Any:
        """compute(), a JSON-able fact about `pattern`, stored under `kind` (which should
        change whenever the code that computes it does)."""
        key = f"{kind}:{pattern}"
        if key in self._facts:
            value = self._facts[key]
        else:
            value = self._facts[key] = compute()
            self._changed = True
        self._used_facts[key] = value
        return value

    def save(self) -> None:
        """Write what this run used (so the store does not grow with every edit)."""
        if self.path is None or not self._changed:
            return
        data = {**_HEADER, "valid": sorted(self._used_valid), "facts": self._used_facts}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".regexes-", suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, self.path)  # readers see the old store or the new one, whole
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            return
        self._changed = False

    def release(self) -> None:
        """Save, then forget the store's contents (megabytes once everything is compiled);
        what is compiled later is compiled afresh and not kept."""
        self.save()
        self.path = None
        self._compiled, self._facts, self._used_facts = {}, {}, {}
        self._valid, self._used_valid = set(), set()

    def _read(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if not isinstance(data, dict) or any(data.get(k) != v for k, v in _HEADER.items()):
            return
        valid, facts = data.get("valid"), data.get("facts")
        if isinstance(valid, list) and isinstance(facts, dict):
            self._valid, self._facts = set(valid), facts
