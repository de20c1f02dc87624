"""Bench (not a test): how long one search takes on the shipped catalog at 贞丰县.

    python bench/search.py

The pick screen searches on every key press, so a query must stay well under a millisecond.
Also prints the catalog load time (every start) and the one-off pinyin key computation.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from window_app.catalog.loader import load_catalog, shipped_catalog_path  # noqa: E402
from window_app.catalog.search import OfferingIndex, compute_search_keys, offerings_for_region  # noqa: E402

QUERIES = ["qykb", "qiye", "开办", "营业执照", "x", "zzzz", "出生", "gjj", "yibao", "退休"]


def timed(func, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    path = shipped_catalog_path()
    loads = timed(lambda: load_catalog(path), 20)
    catalog = load_catalog(path)
    start = time.perf_counter()
    keys = compute_search_keys(catalog)  # includes importing pypinyin, as on a first start
    key_seconds = time.perf_counter() - start
    index = OfferingIndex(offerings_for_region(catalog, "522325"), keys)
    per_query = [s / len(QUERIES) for s in timed(lambda: [index.search(q) for q in QUERIES], 200)]
    print(f"catalog load        median {statistics.median(loads) * 1e3:7.1f} ms  min {min(loads) * 1e3:7.1f} ms")
    print(f"pinyin keys (once)         {key_seconds * 1e3:7.1f} ms  for {len(keys)} offerings")
    print(f"search per query    median {statistics.median(per_query) * 1e6:7.1f} µs  min {min(per_query) * 1e6:7.1f} µs"
          f"  ({len(index.offerings)} offerings at 522325)")


if __name__ == "__main__":
    main()
