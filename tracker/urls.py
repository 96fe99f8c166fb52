"""Canonical URLs: the identity of an item across feeds, re-runs and outlets' tracking links."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Parameters that only say how a reader arrived; they never change the article.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_", "_hs")
_TRACKING_NAMES = frozenset({
    "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "igshid", "mkt_tok",
    "ref_src", "cmpid", "ocid", "taid", "smid", "sr_share", "__twitter_impression",
    "guccounter", "guce_referrer", "guce_referrer_sig", "ncid",
})
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop default port, tracking params and fragment."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return urlunsplit((scheme, parts.netloc, parts.path, parts.query, ""))
    host = (parts.hostname or "").lower()
    port = parts.port if _has_valid_port(parts) else None
    netloc = host if port is None or str(port) == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _is_tracking(k)])
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def _has_valid_port(parts) -> bool:
    try:
        return parts.port is not None
    except ValueError:  # "host:abc" — keep the URL usable, drop the bogus port
        return False


def _is_tracking(name: str) -> bool:
    low = name.lower()
    return low in _TRACKING_NAMES or low.startswith(_TRACKING_PREFIXES)
