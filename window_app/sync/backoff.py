"""How long to wait before trying again: exponential backoff with jitter, and ``Retry-After``.

After the n-th consecutive failure (n ≥ 1) the ceiling of the wait is
``min(backoff_max, backoff_initial · 2^(n-1))``. *Full jitter* draws the wait uniformly from
``[0, ceiling]``; a county office full of windows that lost the line at the same moment then
does not come back in lockstep. A wait is never shorter than a small floor (a tight loop
against a dead server helps nobody) and never longer than ``backoff_max``.

*Decorrelated jitter* (``next = min(max, uniform(initial, previous · 3))``) is offered too; it
grows about as fast but remembers the previous wait instead of the failure count.

A server that says ``Retry-After`` is obeyed: the wait is at least what it asked for (up to a
sanity limit of one day, so a broken header cannot park the window for a year).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from dataclasses import dataclass, field

MIN_DELAY_SECONDS = 0.05
RETRY_AFTER_LIMIT_SECONDS = 24 * 3600.0


@dataclass
class Backoff:
    """Backoff policy of one window (``[sync] backoff_initial_seconds / backoff_max_seconds``).

    Attributes:
        initial: The ceiling after the first failure, seconds.
        maximum: The ceiling of every wait, seconds.
        jitter: ``full`` (default) or ``decorrelated``.
        rng: Random source (tests pass a seeded ``random.Random``).
    """

    initial: float = 1.0
    maximum: float = 300.0
    jitter: str = "full"
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if self.initial <= 0 or self.maximum < self.initial:
            raise ValueError(f"backoff bounds: need 0 < initial ({self.initial}) <= maximum ({self.maximum})")
        if self.jitter not in ("full", "decorrelated"):
            raise ValueError(f"jitter {self.jitter!r}: expected 'full' or 'decorrelated'")

    def ceiling(self, failures: int) -> float:
        """The largest wait after ``failures`` consecutive failures (≥ 1)."""
        exponent = max(0, failures - 1)
        if exponent >= 64:  # 2**64 · initial overflows nothing, but is far past any maximum
            return self.maximum
        return min(self.maximum, self.initial * (2.0**exponent))

    def delay(self, failures: int, previous: float | None = None, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``failures``-th consecutive failure.

        Args:
            failures: How many attempts in a row have failed (1 after the first failure).
            previous: The previous wait, for decorrelated jitter (ignored by full jitter).
            retry_after: What the server asked for in ``Retry-After``, if anything.
        """
        if self.jitter == "decorrelated":
            low = self.initial
            high = max(low, (previous if previous is not None else self.initial) * 3.0)
            wait = min(self.maximum, self.rng.uniform(low, high))
        else:
            wait = self.rng.uniform(0.0, self.ceiling(failures))
        wait = max(MIN_DELAY_SECONDS, min(wait, self.maximum))
        if retry_after is not None:
            wait = max(wait, min(max(retry_after, 0.0), RETRY_AFTER_LIMIT_SECONDS))
        return wait


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """``Retry-After`` in seconds: either delta-seconds (``"120"``) or an HTTP date.

    Returns ``None`` for a missing or unreadable header (the caller's own backoff applies).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if seconds != seconds or seconds < 0:  # NaN or negative: not a usable answer
            return None
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())
