"""A clerk's PIN checked against their window's accounts, before any app process starts.

The check is the window's own (:func:`window_app.clerks.sign_in`): a wrong PIN counts towards
the account's lock-out (``[clerks] lock_after_failures`` / ``lockout_minutes`` of that window's
settings) and is in its audit trail, as at the terminal. On top, :class:`SignInLimiter` refuses
more than a few failed sign-ins a minute from one address (whatever ids it tries), so the
server cannot be used to try PINs across accounts.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import window_app.clerks
from offline_cache.db import open_database
from window_app.domain.clerks import AccountError, Clerk
from window_app.domain.words import Words
from window_app.web.windows import WebWindow

FAILURES_PER_MINUTE = 5
"""Failed sign-ins one address may make in a minute before it waits."""

SLOW_DOWN = Words("登录失败次数过多：请 {s} 秒后再试", "Too many failed sign-ins: try again in {s} seconds")


@dataclass
class SignInLimiter:
    """Failed sign-ins per client address in a sliding window (the exchange's
    :mod:`window_app.exchange.rate_limit` idea, counting failures only: a clerk who signs in
    and out all day is never slowed down).

    Attributes:
        limit: Failures allowed per ``period`` seconds from one address.
        max_addresses: Addresses kept at most (memory stays bounded); beyond, the oldest go.
    """

    limit: int = FAILURES_PER_MINUTE
    period: float = 60.0
    max_addresses: int = 10_000
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict, repr=False)

    def wait_seconds(self, address: str) -> int | None:
        """``None`` if ``address`` may try now, else the seconds it waits."""
        now = self.clock()
        failures = self._failures.get(address)
        if failures is None:
            return None
        while failures and failures[0] <= now - self.period:
            failures.popleft()
        if len(failures) < self.limit:
            return None
        return max(1, math.ceil(failures[0] + self.period - now))

    def failed(self, address: str) -> None:
        """Count a failed sign-in from ``address``."""
        if address not in self._failures and len(self._failures) >= self.max_addresses:
            for oldest in sorted(self._failures, key=lambda a: self._failures[a][-1] if self._failures[a] else 0.0)[
                : self.max_addresses // 2
            ]:
                del self._failures[oldest]
        self._failures.setdefault(address, deque()).append(self.clock())


def check_clerk(window: WebWindow, clerk_id: str, pin: str, *, now: dt.datetime | None = None) -> Clerk:
    """Sign ``clerk_id`` in on ``window``'s database (the PIN's argon2id runs: call in a thread).

    Raises:
        AccountError: Unknown id, wrong PIN (the tries left), locked (until when), disabled.
        ConfigError: The window's settings are broken.
        StorageError: Its database cannot be opened.
    """
    if not clerk_id.strip() or not pin:
        raise AccountError(Words("请填写工号和 PIN", "Enter your clerk id and PIN"), "invalid")
    settings = window.settings()
    clerks = settings.clerks
    db = open_database(settings.database_path)
    try:
        session = window_app.clerks.sign_in(
            db,
            clerk_id,
            pin,
            now=now or dt.datetime.now(dt.UTC),
            lock_after=clerks.lock_after_failures,
            lockout=dt.timedelta(minutes=clerks.lockout_minutes),
        )
    finally:
        db.close()
    return session.clerk
