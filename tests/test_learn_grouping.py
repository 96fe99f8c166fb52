"""Learning the grouping weights: the fit, the weights file, and that grouping.toml holds a
weight for every feature the scorer computes (a new feature without re-learning fails)."""
from __future__ import annotations

import random

import pytest

from tracker.errors import TrackerError
from tracker.learn_grouping import (
    BEGIN,
    END,
    fit,
    learn,
    pair_f1,
    runs_of,
    with_weights,
    write_weights,
)
from tracker.tagging.features import distinctive_terms, stem
from tracker.tagging.similarity import DECISION, FEATURES
from tracker.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def test_fit_recovers_the_sign_and_order_of_a_known_rule():
    rng = random.Random(7)
    x, y = [], []
    for _ in range(600):
        a, b = rng.random(), rng.random()
        x.append((1.0, a, b))
        y.append(1.0 if 3 * a - 1 * b + rng.gauss(0, 0.3) > 1.0 else 0.0)
    w = fit(x, y, [1.0] * len(x), l2=0.1)
    assert w[1] > 0 > w[2] and w[1] > 2 * abs(w[2])
    assert w[0] < 0


def test_pair_weights_count_heavier_examples_more():
    x = [(1.0, 1.0)] * 2
    light = fit(x, [1.0, 0.0], [1.0, 1.0], l2=0.0)
    heavy = fit(x, [1.0, 0.0], [3.0, 1.0], l2=0.0)
    assert abs(light[0] + light[1]) < 1e-3 < heavy[0] + heavy[1]


def test_a_set_with_parts_is_replayed_whole_and_part_by_part():
    rows = [{"id": i} for i in ("dev-0001", "dev-b-001", "dev-0002", "dev-b-002", "dev-c-001")]
    runs = runs_of(rows)
    assert [[r["id"] for r in run] for run in runs] == [
        ["dev-0001", "dev-b-001", "dev-0002", "dev-b-002", "dev-c-001"],
        ["dev-0001", "dev-0002"], ["dev-b-001", "dev-b-002"], ["dev-c-001"]]


def test_a_set_of_one_part_is_replayed_once():
    rows = [{"id": "d001"}, {"id": "d002"}, {}]
    assert runs_of(rows) == [rows]


def test_grouping_toml_has_a_learnt_weight_for_every_feature(taxonomy):
    weights = taxonomy.grouping.weights
    missing = [n for n in FEATURES if f"model_{n}" not in weights]
    missing += [n for n in DECISION if f"join_{n}" not in weights]
    assert not missing, f"re-run python -m tracker.learn_grouping --write: {missing}"
    assert "join_threshold" in weights


def test_write_weights_replaces_only_the_learnt_block(tmp_path):
    path = tmp_path / "grouping.toml"
    path.write_text(f"a = 1\n[weights]\nkeep = 2\n{BEGIN}\nmodel_bias = 9\n{END}\n"
                    "[places]\nus = ['US']\n", encoding="utf-8")
    write_weights(path, {"model_bias": -1.5, "join_threshold": 0.25})
    text = path.read_text(encoding="utf-8")
    assert "model_bias = -1.5" in text and "model_bias = 9" not in text
    assert "keep = 2" in text and "us = ['US']" in text and text.count(END) == 1


def test_write_weights_without_markers_is_one_clear_error(tmp_path):
    path = tmp_path / "grouping.toml"
    path.write_text("[weights]\nx = 1\n", encoding="utf-8")
    with pytest.raises(TrackerError, match="no '# BEGIN learned'"):
        write_weights(path, {"model_bias": 1.0})
    assert path.read_text(encoding="utf-8") == "[weights]\nx = 1\n"


def test_learning_on_a_small_labelled_set_joins_its_multi_outlet_event(taxonomy):
    rows = [
        {"title": "Authors sue Nvidia over pirated books used for NeMo", "published": "2024-03-10",
         "summary": "Writers say the chip maker trained on a shadow library.",
         "gold": {"incident": "nemo"}},
        {"title": "Novelists take Nvidia to court over NeMo training data",
         "published": "2024-03-11",
         "summary": "The writers' complaint says pirated books were used.",
         "gold": {"incident": "nemo"}},
        {"title": "Italy fines OpenAI over ChatGPT privacy breaches", "published": "2024-12-20",
         "summary": "The Garante imposed a penalty over personal data processing.",
         "gold": {"incident": "garante"}},
        {"title": "Garante fines ChatGPT maker 15 million euros", "published": "2024-12-21",
         "summary": "Italy's privacy watchdog said OpenAI processed users' data unlawfully.",
         "gold": {"incident": "garante"}},
    ]
    weights = learn([rows], taxonomy, l2=1.0)
    assert set(weights) >= {f"model_{n}" for n in FEATURES} | {"join_threshold"}
    assert pair_f1([rows], with_weights(taxonomy, weights)) == 1.0


def test_stemming_and_concepts_let_different_wording_share_terms(taxonomy):
    assert stem("pirated") == stem("pirate") == "pirat"
    assert stem("books") == "book" and stem("libraries") == "library"
    assert stem("gpt-4") == "gpt-4" and stem("news") == "news"
    novelists = distinctive_terms("Novelists say their books were pirated", taxonomy)
    authors = distinctive_terms("A judge sided with the authors against Meta", taxonomy)
    assert "~writing" in novelists and "~writing" in authors


def test_a_companys_own_name_is_no_term_but_other_names_are(taxonomy):
    terms = distinctive_terms("The Authors Guild sues OpenAI over novels", taxonomy,
                              names=("OpenAI",))
    assert "openai" not in terms
    assert "~writing" in terms  # "authors" counts: it tells this case from others


def test_pair_features_line_up_with_their_names(taxonomy):
    from tracker.incidents import IncidentGrouper
    from tracker.models import Report
    from tracker.tagger import tag_item

    def report(item_id, day, title):
        return Report(item_id=item_id, title=title, summary="", published=day, source="X",
                      tags=tag_item(title, taxonomy=taxonomy))
    grouper = IncidentGrouper(taxonomy)
    grouper.assign(report("a", "2024-03-10", "Authors sue Nvidia over pirated books"))
    _, candidates = grouper.examine(report("b", "2024-03-11",
                                           "Novelists sue Nvidia over pirated books"))
    assert candidates and all(len(pair) == len(FEATURES) for _, pair in candidates)
