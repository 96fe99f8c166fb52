"""The editable taxonomy: it loads, keeps taxonomy.md's names and ids, and a broken file
fails with one plain line naming the file and the key."""
from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest

from tracker.errors import ConfigError
from tracker.models import ACTIONS, VIOLATIONS
from tracker.taxonomy import DEFAULT_DIR, TaxonomyError, load_taxonomy

# taxonomy.md's table: the names scores count, spelled exactly.
CANONICAL = {
    "OpenAI", "Microsoft", "Google", "Meta", "Amazon", "Apple", "Nvidia", "AMD", "Intel", "TSMC",
    "Samsung", "Huawei", "IBM", "Anthropic", "xAI", "X", "ByteDance", "DeepSeek", "Alibaba",
    "Baidu", "Tencent", "Moonshot AI", "Zhipu AI", "SenseTime", "iFlytek", "Mistral AI", "Cohere",
    "Hugging Face", "Stability AI", "Midjourney", "Runway", "Perplexity", "Character.AI",
    "Inflection AI", "Scale AI", "Clearview AI", "ElevenLabs", "Suno", "Udio", "Adobe",
    "Salesforce", "Palantir", "Tesla", "Worldcoin", "Replika", "Cloudflare", "Reddit",
    "Getty Images", "The New York Times", "Universal Music Group", "Disney",
}


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


@pytest.fixture
def taxonomy_copy(tmp_path: Path) -> Path:
    target = tmp_path / "taxonomy"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def test_listed_companies_are_exactly_the_canonical_table(taxonomy):
    assert taxonomy.listed == CANONICAL


def test_every_violation_type_and_action_has_phrases(taxonomy):
    assert set(taxonomy.action_priority) == set(ACTIONS)
    names = {name for specs in taxonomy.index._specs.values() for _, sets, _ in specs
             for name in (sets or {})}
    assert {f"strong:{v}" for v in VIOLATIONS} <= names
    assert {f"act:{a}" for a in ACTIONS} <= names


def test_taxonomy_is_immutable(taxonomy):
    with pytest.raises(dataclasses.FrozenInstanceError):
        taxonomy.default_action = "ruling"
    with pytest.raises(TypeError):
        taxonomy.companies["Acme"] = None


def test_taxonomy_error_is_a_config_error_so_the_cli_prints_one_line():
    assert issubclass(TaxonomyError, ConfigError)


def test_missing_file_names_the_file(taxonomy_copy):
    (taxonomy_copy / "cues.toml").unlink()
    with pytest.raises(TaxonomyError, match="cues.toml"):
        load_taxonomy(taxonomy_copy)


def test_invalid_toml_names_the_file(taxonomy_copy):
    (taxonomy_copy / "actions.toml").write_text("priority = [", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="actions.toml: not valid TOML"):
        load_taxonomy(taxonomy_copy)


def test_bad_regex_names_the_file_type_and_pattern(taxonomy_copy):
    path = taxonomy_copy / "violations.toml"
    text = path.read_text(encoding="utf-8")
    broken = text.replace("[types.labor]\nstrong = [", "[types.labor]\nstrong = ['(unclosed',")
    path.write_text(broken,
                    encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"violations.toml \[types.labor\] strong.*unclosed"):
        load_taxonomy(taxonomy_copy)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("stopwords = [", "stopwords = [1, ", r"grouping.toml stopwords: expected a list of strings"),
    ("recent_days = 7", "recent_days = 'a week'", r"grouping.toml: invalid literal"),
])
def test_bad_grouping_settings_name_the_file(taxonomy_copy, old, new, message):
    path = taxonomy_copy / "grouping.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(taxonomy_copy)
    assert re.match(message, str(caught.value)), str(caught.value)


def test_unknown_violation_type_is_refused(taxonomy_copy):
    path = taxonomy_copy / "violations.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[types.tax_evasion]\nstrong = ['x']\n",
                    encoding="utf-8")
    with pytest.raises(TaxonomyError, match="unknown violation type 'tax_evasion'"):
        load_taxonomy(taxonomy_copy)


def test_unknown_company_key_is_refused(taxonomy_copy):
    path = taxonomy_copy / "companies.toml"
    path.write_text(path.read_text(encoding="utf-8")
                    + '\n[[company]]\nname = "Acme"\nalias = ["Acme"]\n', encoding="utf-8")
    with pytest.raises(TaxonomyError, match="Acme.*unknown key 'alias'"):
        load_taxonomy(taxonomy_copy)


def test_company_defined_twice_is_refused(taxonomy_copy):
    path = taxonomy_copy / "companies.toml"
    path.write_text(path.read_text(encoding="utf-8") + '\n[[company]]\nname = "Reddit"\n',
                    encoding="utf-8")
    with pytest.raises(TaxonomyError, match="'Reddit' defined twice"):
        load_taxonomy(taxonomy_copy)


def test_an_analyst_can_add_a_company_and_an_alias(taxonomy_copy):
    from tracker.tagger import tag_item

    path = taxonomy_copy / "companies.toml"
    path.write_text(path.read_text(encoding="utf-8")
                    + '\n[[company]]\nname = "Acme Robotics"\n'
                    + 'aliases = ["Acme Robotics", "AcmeBot"]\n',
                    encoding="utf-8")
    taxonomy = load_taxonomy(taxonomy_copy)
    tags = tag_item("AcmeBot maker raises $20 million", taxonomy=taxonomy)
    assert tags.companies == ("Acme Robotics",)


def test_an_analyst_can_add_a_violation_phrase(taxonomy_copy):
    from tracker.tagger import tag_item

    title = "Regulator says the chatbot engaged in zorbling of users"
    assert not tag_item(title, taxonomy=load_taxonomy(taxonomy_copy)).violations
    path = taxonomy_copy / "violations.toml"
    text = path.read_text(encoding="utf-8")
    edited = text.replace("[types.privacy]\nstrong = [", "[types.privacy]\nstrong = ['zorbling',")
    path.write_text(edited,
                    encoding="utf-8")
    assert tag_item(title, taxonomy=load_taxonomy(taxonomy_copy)).violations == ("privacy",)
