"""Defences against hostile input: XML declarations and private addresses.

`neutralise_declarations` rewrites the prolog of an XML document so that no
parser can be made to expand entities into gigabytes: it drops the DOCTYPE's
internal subset and keeps only short, plain entity values (which cannot grow a
document by more than a small constant factor). Both classic attacks are
covered: nested entities ("billion laughs") and one large entity referenced
many times (quadratic blow-up), which feedparser's own filter lets through.

`check_public_host` refuses hosts that resolve to loopback, private,
link-local or otherwise non-public addresses, for links found inside feeds.
"""
from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable

# A kept entity's value may be at most this long and plain (no markup, no
# references), so that expansion grows a document by a bounded factor.
MAX_KEPT_ENTITY_CHARS = 64
MAX_KEPT_ENTITIES = 32
MAX_DOCTYPE_HEAD_CHARS = 300

# Byte patterns that announce a wide encoding (XML 1.0, appendix F), in the
# order they must be tested: the longer BOMs first.
_WIDE_PREFIXES: tuple[tuple[bytes, str, int], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le", 4),
    (b"\x00\x00\xfe\xff", "utf-32-be", 4),
    (b"\x00\x00\x00<", "utf-32-be", 0),
    (b"<\x00\x00\x00", "utf-32-le", 0),
    (b"\xff\xfe", "utf-16-le", 2),
    (b"\xfe\xff", "utf-16-be", 2),
    (b"\x00<\x00?", "utf-16-be", 0),
    (b"<\x00?\x00", "utf-16-le", 0),
)

_PLAIN_ENTITY = re.compile(r'<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(["\'])([^"\'&<%]*)\2\s*>')
_DOCTYPE_NAME = re.compile(r"<!DOCTYPE\s+([^\s\[>]+)", re.IGNORECASE)

Resolver = Callable[[str], Iterable[str]]


def neutralise_declarations(body: bytes) -> bytes:
    """Return `body` with its DOCTYPE reduced to something harmless.

    Documents without a DOCTYPE come back unchanged (the same object), so the
    common case costs one short scan of the prolog.
    """
    codec, skip = _wide_codec(body)
    if codec is None:
        return _neutralise_text_bytes(body)
    text = body[skip:].decode(codec, errors="surrogatepass")
    cleaned = _neutralise_str(text)
    if cleaned is text:
        return body
    return body[:skip] + cleaned.encode(codec, errors="surrogatepass")


def _wide_codec(body: bytes) -> tuple[str | None, int]:
    for prefix, codec, skip in _WIDE_PREFIXES:
        if body.startswith(prefix):
            return codec, skip
    return None, 0


def _neutralise_text_bytes(body: bytes) -> bytes:
    # ASCII-compatible encodings: the markup we look at is plain ASCII, so a
    # latin-1 round trip is exact and keeps every other byte as it was.
    text = body.decode("latin-1")
    cleaned = _neutralise_str(text)
    return body if cleaned is text else cleaned.encode("latin-1")


def _neutralise_str(text: str) -> str:
    """Rewrite every DOCTYPE and drop every stray ENTITY before the first element."""
    pieces: list[str] = []
    done = pos = 0
    n = len(text)
    while pos < n:
        pos = text.find("<", pos)
        if pos < 0:
            break
        if text.startswith("<?", pos):
            pos = _after(text, "?>", pos + 2)
        elif text.startswith("<!--", pos):
            pos = _after(text, "-->", pos + 4)
        elif text[pos : pos + 9].upper() == "<!DOCTYPE":
            end = _declaration_end(text, pos + 9)
            pieces += [text[done:pos], _safe_doctype(text[pos:end])]
            done = pos = end
        elif text[pos : pos + 8].upper() == "<!ENTITY":
            end = _declaration_end(text, pos + 8)
            pieces.append(text[done:pos])
            done = pos = end
        elif _starts_element(text, pos):
            break
        else:
            pos += 1
    if not pieces:
        return text
    return "".join(pieces) + text[done:]


def _starts_element(text: str, pos: int) -> bool:
    following = text[pos + 1 : pos + 2]
    return following.isalpha() or following in ("_", ":") or text.startswith("<![CDATA[", pos)


def _after(text: str, marker: str, start: int) -> int:
    found = text.find(marker, start)
    return len(text) if found < 0 else found + len(marker)


def _declaration_end(text: str, pos: int) -> int:
    """Index just past a declaration, honouring quotes, comments and a [...] subset."""
    depth, quote, n = 0, "", len(text)
    while pos < n:
        char = text[pos]
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif text.startswith("<!--", pos):
            pos = _after(text, "-->", pos + 4)
            continue
        elif char == "[":
            depth += 1
        elif char == "]":
            depth = max(depth - 1, 0)
        elif char == ">" and depth == 0:
            return pos + 1
        pos += 1
    return n


def _safe_doctype(declaration: str) -> str:
    """A DOCTYPE with the same head and only short plain entities."""
    head = declaration.split("[", 1)[0].rstrip(" \t\r\n>")
    if len(head) > MAX_DOCTYPE_HEAD_CHARS or "<!ENTITY" in head.upper():
        match = _DOCTYPE_NAME.match(declaration)
        head = f"<!DOCTYPE {match.group(1)}" if match else "<!DOCTYPE rss"
    kept = _plain_entities(declaration)
    if not kept:
        return head + ">"
    return head + " [\n" + "\n".join(kept) + "\n]>"


def _plain_entities(declaration: str) -> list[str]:
    kept = []
    for match in _PLAIN_ENTITY.finditer(declaration):
        name, value = match.group(1), match.group(3)
        if len(value) <= MAX_KEPT_ENTITY_CHARS:
            kept.append(f'<!ENTITY {name} "{value}">')
        if len(kept) >= MAX_KEPT_ENTITIES:
            break
    return kept


def system_resolver(host: str) -> list[str]:
    """Every address `host` resolves to (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def non_public_address(host: str, resolver: Resolver = system_resolver) -> str | None:
    """The first address of `host` that is not public, or None when all are public.

    Raises OSError when the name does not resolve.
    """
    literal = _ip_literal(host)
    addresses = [literal] if literal else list(resolver(host))
    for address in addresses:
        if not is_public_ip(address):
            return address
    return None


def _ip_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def is_public_ip(address: str) -> bool:
    """True for globally routable unicast addresses only."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast
