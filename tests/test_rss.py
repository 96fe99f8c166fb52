"""scrapers.rss / jsonfeed / safety: feed bytes → raw items, hostile input included."""
from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scrapers.rss import parse_feed
from scrapers.safety import is_public_ip, neutralise_declarations, non_public_address
from scrapers.types import ParseError

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
FEED_URL = "https://news.example.com/ai/feed.xml"
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def parse(name: str, **kwargs):
    kwargs.setdefault("url", FEED_URL)
    kwargs.setdefault("fetched_at", NOW)
    return parse_feed((FEEDS / name).read_bytes(), **kwargs)


def by_title(items):
    return {item.title: item for item in items}


# -- RSS 2.0 ---------------------------------------------------------------------------------

def test_rss_titles_are_plain_text_and_summaries_clean():
    first = parse("rss20_basic.xml")[0]
    assert first.title == "OpenAI suspends a developer account"
    assert first.summary == "The company said the developer broke its terms of use."
    assert "alert" not in first.summary and "<" not in first.summary


def test_long_summaries_are_capped_at_a_word_and_titles_too():
    words = " ".join(f"word{n}" for n in range(2000))
    body = (f'<rss version="2.0"><channel><title>c</title><item><title>{words}</title>'
            f"<link>https://a.example/1</link><description>{words}</description></item>"
            "</channel></rss>").encode()
    (item,) = parse_feed(body, url=FEED_URL, fetched_at=NOW)
    assert len(item.summary) <= 2000 and item.summary.endswith("…")
    assert item.summary[:-1].split()[-1].startswith("word")  # cut between words
    assert len(item.title) <= 500


def test_rss_relative_link_resolved_against_feed_url():
    first = parse("rss20_basic.xml")[0]
    assert first.url == "https://news.example.com/ai/2024/openai-suspends-account"


def test_rss_guid_stands_in_for_a_missing_link_only_when_it_is_a_url():
    items = by_title(parse("rss20_basic.xml"))
    assert items["A GUID that is a web address"].url == (
        "https://news.example.com/ai/2024/guid-link")
    assert "No link and no usable GUID" not in items


def test_rss_repeated_guids_and_links_are_dropped():
    titles = [item.title for item in parse("rss20_basic.xml")]
    assert "Same GUID again" not in titles and "Same link again" not in titles
    assert len(titles) == len(set(titles)) == 4


def test_rss_dates_are_aware_utc_from_the_feed():
    first = parse("rss20_basic.xml")[0]
    assert first.published == datetime(2024, 3, 5, 9, 30, tzinfo=UTC)  # 10:30 +0100
    assert first.date_source == "feed"


@pytest.mark.parametrize("title", ["Dated 1970", "Dated 2099"])
def test_rss_impossible_dates_fall_back_to_the_channel_date(title):
    item = by_title(parse("rss20_basic.xml"))[title]
    assert item.published == datetime(2024, 3, 6, 8, 0, tzinfo=UTC)  # lastBuildDate
    assert item.date_source == "page"


def test_dates_do_not_depend_on_the_local_time_zone(monkeypatch):
    # time.mktime would shift the date by the local offset; calendar.timegm does not.
    if not hasattr(time, "tzset"):
        pytest.skip("needs time.tzset")
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        first = parse("rss20_basic.xml")[0]
    finally:
        monkeypatch.undo()
        time.tzset()
    assert first.published == datetime(2024, 3, 5, 9, 30, tzinfo=UTC)


# -- Atom, RDF, RSS 0.91 ---------------------------------------------------------------------

def test_atom_xml_base_html_title_content_and_author():
    lab7, note = parse("atom10_xmlbase.xml")
    assert lab7.url == "https://lab.example.org/blog/posts/lab-7"  # alternate, not enclosure
    assert lab7.title == "Model card for Lab-7"
    assert lab7.text == "Long text about the model. Second paragraph."
    assert lab7.summary == "A new model and its evaluations."
    assert lab7.author == "Research Team"
    assert lab7.published == datetime(2024, 2, 1, 14, 0, tzinfo=UTC)
    assert note.url == "https://lab.example.org/notes/1"


def test_undated_entry_without_feed_date_gets_the_fetch_time():
    note = parse("atom10_xmlbase.xml")[1]
    assert (note.published, note.date_source) == (NOW, "fetched")


def test_rdf_with_dublin_core_date():
    (paper,) = parse("rdf10.xml")
    assert paper.url == "https://journal.example.net/papers/42"
    assert paper.published == datetime(2023, 11, 20, 14, 0, tzinfo=UTC)


def test_rss091_with_doctype_and_a_short_entity():
    (item,) = parse("rss091_netscape.xml")
    assert item.title == "News from Example Org"
    assert item.summary == "Café opening"


def test_feed_with_no_items_is_an_empty_list_not_an_error():
    assert parse("empty_channel.xml") == []


def test_broken_feed_keeps_its_entries():
    items = parse("bozo_with_entries.xml")
    assert [item.url for item in items] == ["https://broken.example.com/1",
                                             "https://broken.example.com/2"]
    assert items[0].title == "First … item"


# -- encodings -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["cp1252_declared.xml", "utf16le_bom.xml",
                                  "utf16be_nobom.xml", "utf32le_bom.xml"])
def test_declared_and_wide_encodings(name):
    (item,) = parse(name)
    assert item.title == "“Café” déjà vu — über"


def test_encoding_declared_wrongly_still_reads():
    (item,) = parse("latin1_mislabelled_utf8.xml")
    assert item.title == "Café crème"


def test_charset_from_http_header_when_the_document_has_none():
    (item,) = parse("no_declaration.xml", headers={"Content-Type": "text/xml; charset=iso-8859-1"})
    assert item.title == "Grüße"


# -- not feeds -------------------------------------------------------------------------------

@pytest.mark.parametrize("body,reason", [
    (b"", "empty"),
    (b"   \n", "empty"),
    (b"<!DOCTYPE html><html><body><p>Hello</p></body></html>", "HTML page"),
    (b"Just some text, no markup", "neither XML nor JSON"),
    (b"<?xml version='1.0'?><rss><channel><title>cut off", "XML is broken"),
    (b"<?xml version='1.0'?><urlset><url><loc>https://a.example/</loc></url></urlset>",
     "no RSS, Atom"),
    (b'{"hello": "world"}', "JSON Feed"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "broken JSON"),
])
def test_non_feeds_raise_parse_error_saying_why(body, reason):
    with pytest.raises(ParseError) as caught:
        parse_feed(body, url=FEED_URL, fetched_at=NOW)
    assert reason in caught.value.reason
    assert caught.value.url == FEED_URL


def test_a_body_that_names_a_local_file_is_not_opened(tmp_path):
    # feedparser opens a file when handed a path; we hand it a stream of bytes instead.
    secret = tmp_path / "secret.xml"
    secret.write_bytes((FEEDS / "rdf10.xml").read_bytes())
    with pytest.raises(ParseError):
        parse_feed(str(secret).encode(), url=FEED_URL, fetched_at=NOW)


# -- JSON Feed -------------------------------------------------------------------------------

def test_json_feed_11_items():
    first, second = parse("jsonfeed_11.json")
    assert first.url == "https://json.example.com/posts/first"
    assert first.title == "Regulator opens an inquiry into chatbot data"
    assert first.summary == "The regulator asked for documents. More to come."
    assert first.published == datetime(2024, 5, 2, 8, 0, tzinfo=UTC)
    assert first.author == "A. Writer, B. Editor"
    assert second.url == "https://json.example.com/posts/second"  # the id is the URL
    assert second.title.startswith("An item with no title")
    assert second.published == datetime(2024, 5, 3, 8, 0, tzinfo=UTC)  # date_modified


def test_json_feed_11_drops_linkless_and_repeated_items():
    titles = [item.title for item in parse("jsonfeed_11.json")]
    assert "No link at all" not in titles and "Repeated id" not in titles


def test_json_feed_10_numeric_id_and_single_author():
    (item,) = parse("jsonfeed_10.json")
    assert (item.guid, item.author) == ("17", "Single Author")
    assert item.published == datetime(2019, 7, 1, 19, 0, tzinfo=UTC)


def test_xml_served_as_json_is_still_read_as_xml():
    body = (FEEDS / "rdf10.xml").read_bytes()
    items = parse_feed(body, url=FEED_URL, headers={"content-type": "application/json"},
                       fetched_at=NOW)
    assert len(items) == 1


def test_json_feed_detected_by_content_type_even_with_leading_space():
    body = b"\n  " + (FEEDS / "jsonfeed_10.json").read_bytes()
    items = parse_feed(body, url=FEED_URL, headers={"content-type": "application/feed+json"},
                       fetched_at=NOW)
    assert len(items) == 1


# -- entity expansion attacks ----------------------------------------------------------------

def quadratic_blowup(entity_chars: int, references: int) -> bytes:
    """One big entity referenced many times; feedparser's own filter lets it through."""
    return ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY big "' + "a" * entity_chars
            + '">\n]>\n<rss version="2.0"><channel><title>q</title><item><title>boom</title>'
            '<link>https://q.example.com/1</link><description>' + "&big;" * references
            + "</description></item></channel></rss>").encode()


def test_billion_laughs_is_not_expanded():
    started = time.monotonic()
    (item,) = parse("billion_laughs.xml")
    assert time.monotonic() - started < 2
    assert len(item.title) < 100 and "lollollol" not in item.title
    assert "root:" not in item.summary  # the external entity was not read


def test_quadratic_blowup_runs_in_bounded_time_and_memory():
    body = quadratic_blowup(20_000, 2_000)  # 50 KB that would expand to 40 MB
    tracemalloc.start()
    started = time.monotonic()
    try:
        (item,) = parse_feed(body, url=FEED_URL, fetched_at=NOW)
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 2 and peak < 10_000_000
    assert "aaaaaaaaaa" not in item.summary


def test_the_115_kb_feed_that_would_grow_to_500_mb_is_defused():
    body = quadratic_blowup(100_000, 5_000)  # 100 KB × 5,000 references = 500 MB
    assert 100_000 < len(body) < 130_000
    safe = neutralise_declarations(body)
    assert b"aaaaaaaaaa" not in safe and b"<!ENTITY big" not in safe
    started = time.monotonic()
    (item,) = parse_feed(body, url=FEED_URL, fetched_at=NOW)
    assert time.monotonic() - started < 2 and item.title == "boom"


def test_neutraliser_keeps_short_plain_entities_and_drops_the_rest():
    body = (b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY ok "fine">\n'
            b'<!ENTITY nested "&ok;&ok;">\n<!ENTITY % param "x">\n'
            b'<!ENTITY ext SYSTEM "file:///etc/passwd">\n]>\n<rss/>')
    safe = neutralise_declarations(body)
    assert b'<!ENTITY ok "fine">' in safe
    for gone in (b"nested", b"param", b"SYSTEM", b"passwd"):
        assert gone not in safe
    assert safe.endswith(b"<rss/>")


def test_neutraliser_finds_a_doctype_behind_a_comment_that_looks_like_a_tag():
    body = b'<!-- <a> --><!DOCTYPE rss [<!ENTITY big "' + b"a" * 1000 + b'">]><rss/>'
    assert b"aaaa" not in neutralise_declarations(body)


def test_neutraliser_drops_entities_even_outside_a_doctype_before_the_root():
    body = b'junk <!ENTITY big "' + b"a" * 1000 + b'"> <rss>&big;</rss>'
    assert b"aaaa" not in neutralise_declarations(body)


def test_neutraliser_works_in_utf16():
    text = '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE rss [<!ENTITY big "' + "a" * 500
    body = b"\xff\xfe" + (text + '">]><rss>&big;</rss>').encode("utf-16-le")
    safe = neutralise_declarations(body)
    assert safe.startswith(b"\xff\xfe")
    decoded = safe[2:].decode("utf-16-le")
    assert "aaaa" not in decoded and decoded.endswith("<rss>&big;</rss>")


def test_neutraliser_leaves_ordinary_feeds_untouched():
    body = (FEEDS / "rss20_basic.xml").read_bytes()
    assert neutralise_declarations(body) is body


# -- address checks --------------------------------------------------------------------------

@pytest.mark.parametrize("address,public", [
    ("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True),
    ("127.0.0.1", False), ("10.0.0.8", False), ("192.168.1.1", False), ("172.16.0.1", False),
    ("169.254.169.254", False), ("::1", False), ("fe80::1", False), ("fc00::1", False),
    ("::ffff:127.0.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False), ("nonsense", False),
])
def test_public_ip_classification(address, public):
    assert is_public_ip(address) is public


def test_every_resolved_address_is_checked():
    resolver = {"two.example": ["93.184.216.34", "192.168.0.5"]}.__getitem__
    assert non_public_address("two.example", resolver) == "192.168.0.5"
    assert non_public_address("[::1]", resolver) == "::1"
