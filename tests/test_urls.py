from tracker.urls import canonical_url


def test_scheme_and_host_are_lower_cased_and_fragment_dropped():
    assert canonical_url("HTTPS://WWW.TheVerge.com/2023/12/15/Story#comments") == \
        "https://www.theverge.com/2023/12/15/Story"


def test_tracking_parameters_are_removed_and_others_kept_in_order():
    url = "https://example.com/a?utm_source=rss&id=7&fbclid=x&gclid=y&page=2&UTM_Medium=z"
    assert canonical_url(url) == "https://example.com/a?id=7&page=2"


def test_default_port_dropped_other_port_kept():
    assert canonical_url("http://example.com:80/x") == "http://example.com/x"
    assert canonical_url("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080/x"


def test_empty_path_becomes_slash_and_bogus_port_does_not_crash():
    assert canonical_url("https://example.com") == "https://example.com/"
    assert canonical_url("https://example.com:abc/x").startswith("https://example.com")


def test_file_urls_are_left_alone():
    assert canonical_url("file:///tmp/a.xml#x") == "file:///tmp/a.xml"
