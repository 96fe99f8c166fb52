"""robots.txt, read once per host per client and judged by protego.

Rules when the file cannot be read normally (after Google's documented
behaviour, which most sites expect):

* 2xx: the rules in the file apply (wildcards, `$`, longest match wins).
* 4xx (404, 410, even 401/403): there are no rules; everything is allowed.
* 5xx, a timeout or a connection error: the whole host is treated as
  disallowed for the life of this client (one scrape run), because a site
  in trouble is the one we should not add load to. The source fails with a
  plain reason and is tried again on the next run.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

ROBOTS_MAX_BYTES = 512 * 1024
MAX_CRAWL_DELAY_S = 30.0  # a site asking for more than this gets this


@dataclass(frozen=True)
class RobotsAnswer:
    """What fetching /robots.txt gave: a status and body, or a failure reason."""

    status: int | None
    body: bytes = b""
    failure: str | None = None


@dataclass(frozen=True)
class RobotsRules:
    """Rules of one host, ready to be asked."""

    parser: Protego | None  # None: allow everything
    blocked_reason: str | None = None  # set: refuse everything, and say why

    def allows(self, url: str, agent: str) -> bool:
        if self.blocked_reason is not None:
            return False
        return self.parser is None or bool(self.parser.can_fetch(url, agent))

    def crawl_delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        return None if delay is None else min(float(delay), MAX_CRAWL_DELAY_S)


def rules_from_answer(answer: RobotsAnswer) -> RobotsRules:
    """Apply the rules in the module docstring to one robots.txt answer."""
    if answer.failure is not None:
        return RobotsRules(None, f"robots.txt could not be read ({answer.failure})")
    status = answer.status or 0
    if 200 <= status < 300:
        return RobotsRules(Protego.parse(answer.body.decode("utf-8", errors="replace")))
    if 400 <= status < 500:
        return RobotsRules(None)
    return RobotsRules(None, f"robots.txt answered {status}")


def host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"


def agent_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched against ("ai-incident-tracker")."""
    return user_agent.split("/", 1)[0].split()[0] if user_agent.strip() else "*"


class RobotsCache:
    """Per-host robots rules, fetched at most once per host even from many threads."""

    def __init__(self, fetch: Callable[[str], RobotsAnswer], user_agent: str):
        self._fetch = fetch
        self._agent = agent_token(user_agent)
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def rules_for(self, url: str) -> RobotsRules:
        key = host_key(url)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._rules:
                self._rules[key] = rules_from_answer(self._fetch(key + "/robots.txt"))
            return self._rules[key]

    def refusal(self, url: str) -> str | None:
        """None when `url` may be fetched, else the reason in plain words."""
        rules = self.rules_for(url)
        if rules.blocked_reason is not None:
            return f"{rules.blocked_reason}; not fetching from this host for now"
        if not rules.allows(url, self._agent):
            return f"robots.txt of {host_key(url)} disallows this address for our crawler"
        return None

    def crawl_delay(self, url: str) -> float | None:
        return self.rules_for(url).crawl_delay(self._agent)
