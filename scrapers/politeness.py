"""Per-host politeness: how many requests at once, and how far apart they start."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class HostGate:
    """At most `per_host` requests at once to a host, starts spaced by a minimum delay."""

    def __init__(self, min_delay: float, per_host: int, clock: Callable[[], float],
                 sleep: Callable[[float], None]):
        self._min_delay = min_delay
        self._per_host = max(per_host, 1)
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._next_start: dict[str, float] = {}
        self._delays: dict[str, float] = {}
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    def set_delay(self, host: str, delay: float) -> None:
        with self._lock:
            self._delays[host] = max(delay, self._min_delay)

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._lock:
            semaphore = self._slots.setdefault(host, threading.BoundedSemaphore(self._per_host))
        with semaphore:
            wait = self._reserve(host)
            if wait > 0:
                self._sleep(wait)
            yield

    def _reserve(self, host: str) -> float:
        with self._lock:
            now = self._clock()
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + self._delays.get(host, self._min_delay)
            return start - now
