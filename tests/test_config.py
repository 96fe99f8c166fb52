from pathlib import Path

import pytest

from tracker.config import DEFAULT_SOURCES, load_config
from tracker.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bundled_sources_file_is_valid_and_large_enough():
    config = load_config(DEFAULT_SOURCES)
    assert len(config.sources) >= 25
    assert all(s.url.startswith("https://") for s in config.sources)
    assert "ai-incident-tracker" in config.http.user_agent


def test_relative_file_paths_resolve_against_the_file_when_allowed(tmp_path):
    path = write(tmp_path, '[[source]]\nname = "a"\nurl = "feeds/a.xml"\nallow_file = true\n')
    (spec,) = load_config(path).sources
    assert spec.url == (tmp_path / "feeds" / "a.xml").as_uri()
    assert spec.allow_file and spec.enabled and spec.kind == "rss"


def test_options_and_intervals_are_kept(tmp_path):
    path = write(tmp_path, '[[source]]\nname = "n"\nurl = "https://x.org/"\nkind = "html"\n'
                 'item_selector = "article"\nfetch_article = true\nmin_interval_hours = 2\n')
    (spec,) = load_config(path).sources
    assert spec.options == {"item_selector": "article", "fetch_article": True}
    assert spec.min_interval_s == 7200


@pytest.mark.parametrize("text, message", [
    ("", "no [[source]]"),
    ("[[source]]\nurl = 'https://x.org'\n", "'name' is required"),
    ("[[source]]\nname = 'a'\n", "'url' is required"),
    ("[[source]]\nname = 'a'\nurl = 'ftp://x.org/f'\n", "only http, https and file"),
    ("[[source]]\nname = 'a'\nurl = 'feeds/a.xml'\n", "allow_file"),
    ("[[source]]\nname = 'a'\nurl = 'https://x.org'\nkind = 'atom'\n", "kind must be"),
    ("[[source]]\nname = 'a'\nurl = 'https://x.org'\nkind = 'html'\n", "item_selector"),
    ("[[source]]\nname = 'a'\nurl = 'https://x.org'\n[[source]]\nname = 'a'\nurl = 'https://y.org'\n",
     "duplicate source name"),
    ("[scraper]\nspeed = 3\n[[source]]\nname = 'a'\nurl = 'https://x.org'\n", "unknown [scraper]"),
    ("[[source]\nname = ", "invalid TOML"),
])
def test_bad_files_raise_one_plain_error_naming_the_file(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")
