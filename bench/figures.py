"""The one line every bench ends a figure with, so ``bench/all.py`` (and a reader) sees what holds.

    FIGURE: VALUE (goal GOAL) met
    FIGURE: VALUE (goal GOAL) missed

A bench prints its details as it likes, then calls :func:`report` once per figure of
``bench/README.md``'s table. ``bench/all.py`` collects the lines that end in ``met`` or
``missed``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def report(figure: str, value: str, goal: str, met: bool) -> bool:
    """Print one figure line and return ``met``."""
    print(f"{figure}: {value} (goal {goal}) {'met' if met else 'missed'}", flush=True)
    return met


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The ``fraction`` (0–1) percentile of ``samples``, nearest rank (p99 of 100 samples is the 99th)."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))
    return ordered[rank]


def median(samples: Sequence[float]) -> float:
    """The median of ``samples``."""
    return statistics.median(samples)
