"""The core's exception tree: one base class, each error a plain sentence."""
from __future__ import annotations


class TrackerError(Exception):
    """Base of every expected failure; the CLI prints it as one line (exit 2)."""


class ConfigError(TrackerError):
    """The sources file or a taxonomy file is missing or invalid."""


class StoreError(TrackerError):
    """The database cannot be opened or written."""


class LockedError(TrackerError):
    """Another scrape holds the lock on this database."""


class InputError(TrackerError):
    """Input given on the command line or stdin is not usable."""
