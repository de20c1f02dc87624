"""Backoff: exponential ceilings, jitter inside them, the cap, Retry-After."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from window_app.sync.backoff import MIN_DELAY_SECONDS, RETRY_AFTER_LIMIT_SECONDS, Backoff, parse_retry_after


def test_ceiling_doubles_from_initial_and_stops_at_the_maximum() -> None:
    backoff = Backoff(initial=1.0, maximum=300.0)
    assert [backoff.ceiling(n) for n in range(1, 11)] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300]
    assert backoff.ceiling(10_000) == 300.0  # no overflow after days offline


@pytest.mark.parametrize("failures", [1, 2, 3, 5, 8, 12, 40])
def test_full_jitter_stays_within_floor_and_ceiling(failures: int) -> None:
    backoff = Backoff(initial=0.5, maximum=60.0, rng=random.Random(failures))
    delays = [backoff.delay(failures) for _ in range(2000)]
    assert min(delays) >= MIN_DELAY_SECONDS
    assert max(delays) <= max(MIN_DELAY_SECONDS, backoff.ceiling(failures))


def test_full_jitter_spreads_windows_apart() -> None:
    """Windows that lost the line together must not come back in lockstep."""
    backoff = Backoff(initial=1.0, maximum=300.0, rng=random.Random(7))
    delays = [backoff.delay(6) for _ in range(1000)]  # ceiling 32 s
    assert len({round(d, 3) for d in delays}) > 900
    assert 12 < sum(delays) / len(delays) < 20  # uniform on [0, 32]: mean 16
    assert min(delays) < 3 and max(delays) > 29


def test_decorrelated_jitter_grows_from_the_previous_wait_and_is_capped() -> None:
    backoff = Backoff(initial=1.0, maximum=30.0, jitter="decorrelated", rng=random.Random(3))
    previous = None
    seen = []
    for n in range(1, 40):
        wait = backoff.delay(n, previous=previous)
        assert 1.0 <= wait <= 30.0
        if previous is not None:
            assert wait <= max(1.0, previous * 3)
        seen.append(wait)
        previous = wait
    assert max(seen) > 15  # it does climb towards the cap


def test_retry_after_is_honoured_even_above_the_maximum() -> None:
    backoff = Backoff(initial=1.0, maximum=10.0, rng=random.Random(1))
    assert backoff.delay(1, retry_after=120) == 120
    assert backoff.delay(9, retry_after=0) <= 10
    assert backoff.delay(1, retry_after=10**9) == RETRY_AFTER_LIMIT_SECONDS  # a broken header


def test_retry_after_never_shortens_the_backoff() -> None:
    backoff = Backoff(initial=100.0, maximum=100.0, rng=random.Random(2))
    waits = [backoff.delay(1, retry_after=1) for _ in range(200)]
    assert min(waits) >= 1 and max(waits) > 50


def test_parse_retry_after_seconds_and_http_dates() -> None:
    now = dt.datetime(2026, 11, 27, 1, 30, tzinfo=dt.UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after(" 3 ") == 3
    assert parse_retry_after("Fri, 27 Nov 2026 01:31:00 GMT", now=now) == 60
    assert parse_retry_after("Fri, 27 Nov 2026 01:00:00 GMT", now=now) == 0  # in the past: now
    for bad in (None, "", "soon", "-5", "nan"):
        assert parse_retry_after(bad) is None


def test_bounds_are_checked() -> None:
    with pytest.raises(ValueError):
        Backoff(initial=0, maximum=1)
    with pytest.raises(ValueError):
        Backoff(initial=5, maximum=1)
    with pytest.raises(ValueError):
        Backoff(jitter="none")
