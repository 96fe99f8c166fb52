"""`python -m tracker …`: a thin command line over the core.

Each command parses its arguments, makes one core call, and turns the core's
expected errors into one line on stderr. Exit status: 0 success, 1 partial
failure (some sources failed), 2 failure or bad usage.
"""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tracker import __version__
from tracker.config import DEFAULT_SOURCES, default_db_path
from tracker.errors import InputError, TrackerError

EXIT_OK, EXIT_PARTIAL, EXIT_FAILURE = 0, 1, 2
log = logging.getLogger("tracker")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line, not a usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_FAILURE, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tracker", description="AI-industry incident tracker.")
    parser.add_argument("--version", action="version", version=f"tracker {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=_Parser)
    from tracker import commands  # the handlers, one function per command
    for spec in commands.COMMANDS:
        cmd = sub.add_parser(spec.name, help=spec.help, description=spec.help)
        cmd.add_argument("--db", type=Path, default=None,
                         help="database file (default: $TRACKER_DB, else data/tracker.db)")
        spec.add_arguments(cmd)
        cmd.set_defaults(handler=spec.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.db = args.db or default_db_path()
    try:
        _setup_logging(getattr(args, "log_file", None), getattr(args, "verbose", False))
        return args.handler(args)
    except TrackerError as e:
        print(f"tracker: error: {e}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("tracker: interrupted; what was committed is kept", file=sys.stderr)
        return EXIT_FAILURE
    except BrokenPipeError:  # `… | head` closed the pipe; not an error worth a traceback
        sys.stderr.close()
        return EXIT_OK


def _setup_logging(log_file: Path | None, verbose: bool) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        try:
            handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
        except OSError as e:
            raise InputError(f"cannot open log file {log_file}: {e.strerror}") from e
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=handlers,
                        format="%(asctime)s %(levelname)s %(message)s", force=True)


# -- argument types shared by several commands --------------------------------

def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """'1d', '12h', '2w' or an ISO date → an aware UTC datetime."""
    now = now or datetime.now(UTC)
    units = {"h": "hours", "d": "days", "w": "weeks"}
    if text[-1:] in units and text[:-1].isdigit():
        return now - timedelta(**{units[text[-1]]: int(text[:-1])})
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a period (like 1d, 12h, 2w) or a date: {text!r}") from None


def default_sources() -> Path:
    return DEFAULT_SOURCES


def require_existing_db(path: Path) -> None:
    """Read-only commands must not create an empty database by accident."""
    if not path.exists():
        raise InputError(f"no database at {path}; run `python -m tracker demo` or `scrape` first")
