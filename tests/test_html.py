"""scrapers.html: listing pages by CSS selectors, and article metadata and text."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from scrapers.html import parse_article, parse_listing
from scrapers.items import parse_date_text
from scrapers.types import ParseError

PAGES = Path(__file__).parent / "fixtures" / "pages"
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
LISTING_URL = "https://corp.example.com/newsroom"
OPTIONS = {"item_selector": "article.card", "summary_selector": "p.teaser",
           "date_selector": "time, .date"}


def listing(options=OPTIONS, body: bytes | None = None):
    body = body if body is not None else (PAGES / "listing.html").read_bytes()
    return parse_listing(body, url=LISTING_URL, options=options, fetched_at=NOW)


def article(name: str):
    return parse_article((PAGES / name).read_bytes(), url="https://news.example.com/a")


# -- listings --------------------------------------------------------------------------------

def test_listing_items_in_page_order_with_links_resolved_against_base_href():
    assert [item.url for item in listing()] == [
        "https://corp.example.com/newsroom/2024/policy-update",
        "https://corp.example.com/newsroom/2024/funding",
        "https://other.example.org/story",
    ]


def test_listing_titles_and_summaries_are_plain_text():
    first = listing()[0]
    assert first.title == "Updated usage policy for developers"
    assert first.summary == "We clarified what building competing models means."


def test_listing_dates_from_datetime_attribute_and_from_words():
    policy, funding, elsewhere = listing()
    assert (policy.published, policy.date_source) == (
        datetime(2024, 3, 5, 16, 0, tzinfo=UTC), "feed")
    assert funding.published == datetime(2024, 2, 20, tzinfo=UTC)
    assert (elsewhere.published, elsewhere.date_source) == (NOW, "fetched")


def test_listing_title_and_link_selectors():
    options = {"item_selector": "article.card", "title_selector": "h2",
               "link_selector": "h2 a"}
    assert listing(options)[1].title == "Series C funding"


def test_listing_where_the_item_is_the_link_itself():
    body = b'<ul><li><a class="n" href="/n/1">One</a></li><li><a class="n" href="/n/2">Two</a>'
    items = listing({"item_selector": "a.n"}, body)
    assert [(i.title, i.url) for i in items] == [("One", "https://corp.example.com/n/1"),
                                                 ("Two", "https://corp.example.com/n/2")]


def test_listing_skips_javascript_links():
    body = (b'<div class="c"><a href="javascript:alert(1)">Bad</a></div>'
            b'<div class="c"><a href="/ok">Good</a></div>')
    assert [item.title for item in listing({"item_selector": "div.c"}, body)] == ["Good"]


def test_listing_whose_items_have_no_usable_link_is_an_error():
    body = b'<div class="c"><a href="javascript:void(0)">Bad</a></div><div class="c">x</div>'
    with pytest.raises(ParseError, match="matched 2 elements but none has a usable link"):
        listing({"item_selector": "div.c"}, body)


@pytest.mark.parametrize("options,reason", [
    ({}, "no item_selector"),
    ({"item_selector": "  "}, "no item_selector"),
    ({"item_selector": "div..broken["}, "invalid CSS selector"),
    ({"item_selector": "article.nothing-here"}, "matched nothing"),
])
def test_listing_problems_raise_parse_error(options, reason):
    with pytest.raises(ParseError, match=reason):
        listing(options)


# -- articles --------------------------------------------------------------------------------

def test_article_json_ld_graph_beats_open_graph():
    page = article("article_jsonld_graph.html")
    assert page.title == "Provider cuts off rival's API access"
    assert page.published == datetime(2023, 12, 15, 23, 20, tzinfo=UTC)
    assert page.summary == "A model provider suspended an account it says broke its terms."


def test_article_text_keeps_paragraphs_and_drops_boilerplate():
    text = article("article_jsonld_graph.html").text
    assert text.startswith("A model provider said on Friday")
    assert text.endswith("and that it would stop.")
    for noise in ("Related:", "Copyright notice", "Home", "Short caption"):
        assert noise not in text


def test_article_meta_tags():
    page = article("article_meta.html")
    assert page.title == "Regulator fines chatbot maker over data handling"
    assert page.published == datetime(2024, 1, 30, 6, 45, tzinfo=UTC)
    assert page.summary == "The fine follows a year-long inquiry."
    assert page.text.startswith("The data protection authority announced")


def test_article_time_element_h1_and_declared_charset():
    page = article("article_time.html")
    assert page.title == "Café owners sue image generator"
    assert page.published == datetime(2022, 11, 3, tzinfo=UTC)
    assert "café owners filed a suit" in page.text


def test_article_json_ld_top_level_list():
    page = article("article_jsonld_list.html")
    assert page.title == "Introducing a safety framework"
    assert page.published == datetime(2025, 6, 10, tzinfo=UTC)


def test_article_with_nothing_gives_empty_fields_not_an_error():
    page = parse_article(b"", url="https://news.example.com/empty")
    assert (page.title, page.published, page.text) == ("", None, "")


# -- date words ------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC)),
    ("2024-03-05T10:00:00+02:00", datetime(2024, 3, 5, 8, tzinfo=UTC)),
    ("2024-03-05 10:00:00Z", datetime(2024, 3, 5, 10, tzinfo=UTC)),
    ("Tue, 05 Mar 2024 10:00:00 GMT", datetime(2024, 3, 5, 10, tzinfo=UTC)),
    ("March 5, 2024", datetime(2024, 3, 5, tzinfo=UTC)),
    ("Mar. 5, 2024", datetime(2024, 3, 5, tzinfo=UTC)),
    ("5th March 2024", datetime(2024, 3, 5, tzinfo=UTC)),
    ("Published March 5, 2024", datetime(2024, 3, 5, tzinfo=UTC)),
    ("Updated: Dec 15, 2016 2:57 PM UTC", datetime(2016, 12, 15, tzinfo=UTC)),
    ("Marvel 12 2020", None),
    ("yesterday", None),
    ("", None),
])
def test_parse_date_text(text, expected):
    assert parse_date_text(text) == expected
