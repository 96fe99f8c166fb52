"""A one-line progress bar on stderr, drawn only when stderr is a terminal (not under cron)."""
from __future__ import annotations

import sys
from typing import TextIO


class ProgressBar:
    def __init__(self, label: str, stream: TextIO = sys.stderr, width: int = 30):
        self.label = label
        self.stream = stream
        self.width = width
        self.active = stream.isatty()

    def __call__(self, done: int, total: int, what: str) -> None:
        if not self.active or total <= 0:
            return
        filled = int(self.width * done / total)
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total} {what[:40]:<40}")
        self.stream.flush()

    def close(self) -> None:
        if self.active:
            self.stream.write("\n")
            self.stream.flush()
