"""The sources file (TOML) → frozen values, parsed once.

Format: interfaces.md ("Sources file"). An optional `[scraper]` table tunes
the HTTP client (user_agent, timeouts, delays); unknown keys are errors so a
typo never passes silently.
"""
from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from scrapers.http import HttpConfig
from scrapers.types import SourceSpec
from tracker.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = REPO_ROOT / "data" / "sources.toml"
DEFAULT_DB = REPO_ROOT / "data" / "tracker.db"
DEMO_DIR = REPO_ROOT / "data" / "demo"

_SOURCE_KEYS = {"name", "url", "kind", "enabled", "allow_file", "min_interval_hours"}
_KINDS = ("rss", "html")


@dataclass(frozen=True)
class Config:
    sources: tuple[SourceSpec, ...]
    http: HttpConfig
    path: Path


def default_db_path() -> Path:
    return Path(os.environ.get("TRACKER_DB") or DEFAULT_DB)


def load_config(path: Path) -> Config:
    """Read and validate a sources file; raise ConfigError with the file named."""
    data = _read_toml(path)
    unknown = set(data) - {"source", "scraper"}
    if unknown:
        raise ConfigError(f"{path}: unknown top-level key(s): {', '.join(sorted(unknown))}")
    entries = data.get("source", [])
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: no [[source]] entries")
    sources = tuple(_parse_source(e, i, path) for i, e in enumerate(entries, 1))
    _check_unique_names(sources, path)
    return Config(sources=sources, http=_parse_http(data.get("scraper", {}), path), path=path)


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"sources file not found: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"sources file is a directory: {path}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from e
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror}") from e


def _parse_source(entry: object, index: int, path: Path) -> SourceSpec:
    where = f"{path}: source #{index}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: must be a table")
    name, url = entry.get("name"), entry.get("url")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: 'name' is required")
    where = f"{path}: source {name!r}"
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(f"{where}: 'url' is required")
    kind = entry.get("kind", "rss")
    if kind not in _KINDS:
        raise ConfigError(f"{where}: kind must be one of {', '.join(_KINDS)}, not {kind!r}")
    if kind == "html" and not isinstance(entry.get("item_selector"), str):
        raise ConfigError(f"{where}: html sources need an 'item_selector'")
    allow_file = bool(entry.get("allow_file", False))
    return SourceSpec(
        name=name.strip(),
        url=_resolve_url(url.strip(), path.parent, allow_file, where),
        kind=kind,
        enabled=bool(entry.get("enabled", True)),
        allow_file=allow_file,
        min_interval_s=float(entry.get("min_interval_hours", 0)) * 3600,
        options={k: v for k, v in entry.items() if k not in _SOURCE_KEYS},
    )


def _resolve_url(url: str, base_dir: Path, allow_file: bool, where: str) -> str:
    """Bare paths are relative to the sources file, for bundled local feeds."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("http", "https"):
        return url
    if scheme == "file" or not scheme:
        if not allow_file:
            raise ConfigError(f"{where}: local files need 'allow_file = true'")
        return url if scheme else (base_dir / url).resolve().as_uri()
    raise ConfigError(f"{where}: only http, https and file URLs are supported, not {scheme!r}")


def _check_unique_names(sources: tuple[SourceSpec, ...], path: Path) -> None:
    seen: set[str] = set()
    for s in sources:
        if s.name in seen:
            raise ConfigError(f"{path}: duplicate source name {s.name!r}")
        seen.add(s.name)


def _parse_http(table: object, path: Path) -> HttpConfig:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [scraper] must be a table")
    fields = {f.name: f for f in dataclasses.fields(HttpConfig)}
    unknown = set(table) - set(fields)
    if unknown:
        raise ConfigError(f"{path}: unknown [scraper] key(s): {', '.join(sorted(unknown))}")
    return dataclasses.replace(HttpConfig(), **table)
