"""A sliding-window rate limit, in memory, for the public tracking page.

Per process: with ``serve --workers N`` each worker counts on its own, so a client may make up
to N times the limit (``docs/tracking.md`` says why that is enough: the tracking code's ~40
bits and its scrypt check, not the limit, are what keep it from being guessed; the limit keeps
one client from using the exchange's CPU for nothing).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class RateLimit:
    """At most ``limit`` hits per key in any ``period`` seconds.

    Attributes:
        limit: Hits allowed in a period (0: no limit).
        period: The window's length in seconds.
        max_keys: Keys kept at most; beyond, the quietest are forgotten (memory stays bounded
            whatever addresses or receipt numbers are sent).
    """

    limit: int
    period: float = 60.0
    max_keys: int = 100_000
    clock: Callable[[], float] = time.monotonic
    _hits: dict[str, deque[float]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def hit(self, key: str) -> int | None:
        """Count a hit for ``key``; ``None`` if allowed, else the seconds to wait (≥ 1)."""
        if self.limit <= 0:
            return None
        now = self.clock()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= self.max_keys:
                    self._forget(now)
                hits = self._hits[key] = deque()
            while hits and hits[0] <= now - self.period:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(1, math.ceil(hits[0] + self.period - now))
            hits.append(now)
            return None

    def _forget(self, now: float) -> None:
        """Drop keys with no hit in the window; if still full, the oldest half."""
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.period]:
            del self._hits[key]
        if len(self._hits) >= self.max_keys:
            for key in sorted(self._hits, key=lambda k: self._hits[k][-1])[: len(self._hits) // 2]:
                del self._hits[key]
