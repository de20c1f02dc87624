"""Bench (not a test): what sealing personal data at rest costs, on 100,000 applications.

    python bench/at_rest.py [ROWS] [--baseline REF] [--accepts N]

Side by side, in one run, each case in its own process on its own fresh data dir:

- *plain*: the program as it was before encryption at rest — a checkout of ``REF`` (default:
  the merge base of this branch and ``main``) made with ``git worktree add`` in a temp dir and
  removed after, run with this interpreter;
- *sealed*: this checkout, the database's personal data sealed under a data key
  (``offline_cache.vault.encrypt_plaintext_rows``, timed: it is what an older installation
  pays once, when its first clerk account is made).

Both fill ROWS applications the way ``bench/store.py`` does (one accepted on the small test
catalog, copied with SQL in one transaction), then time:

- accept: the median of N accepts through the real accept path (``accept_intake``: receipt
  number, envelopes signed and sealed, one durable transaction);
- the applications screen as it opens: ``list_applications(db)``, the query ``Window.applications()``
  runs for the F3 screen (newest 500 with their parts), median of 7;
- search by ID number: ``list_applications(db, <an exact resident ID>)``, median of 7 (plain: a
  substring match walking the list's covering index; sealed: the blind index).

A name prefix (王) and a query that matches nothing are timed too. Figures in ms; the ratio is
sealed / plain.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]


def child(case: str, root: Path, rows: int, accepts: int) -> None:
    sys.path[:0] = [str(root), str(root / "tests" / "unit_tests"), str(root / "bench")]
    from store import fill
    from store_fixtures import NOW, accept, open_window_db, settings_for

    from offline_cache.applications import list_applications

    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(Path(tmp) / "data")
        db = open_window_db(settings)
        start = time.perf_counter()
        fill(db, rows)
        figures["fill_s"] = time.perf_counter() - start
        # The row searched for gets a real resident ID (a valid check character), as typed at
        # the window; the filled numbers are only unique strings.
        from window_app.domain.identifiers import resident_id_check_char

        first17 = "52232519900101123"
        number = first17 + resident_id_check_char(first17)
        db.execute(
            "UPDATE applications SET applicant_number = ? WHERE receipt_no = "
            "(SELECT receipt_no FROM applications ORDER BY accepted_at LIMIT 1 OFFSET ?)",
            [number, rows // 3],
        )
        if case == "sealed":
            from offline_cache import vault
            from window_app.trust.data_key import DataKey

            start = time.perf_counter()
            vault.encrypt_plaintext_rows(db, DataKey.generate())
            figures["encrypt_existing_s"] = time.perf_counter() - start
            db.execute("ANALYZE")
        figures["file_mb"] = os.path.getsize(settings.database_path) / 1e6

        def median_ms(action, repeat: int = 7) -> float:
            action()  # warm the page cache
            times = []
            for _ in range(repeat):
                begin = time.perf_counter()
                action()
                times.append(time.perf_counter() - begin)
            return statistics.median(times) * 1000

        figures["first_page_ms"] = median_ms(lambda: list_applications(db))
        assert len(list_applications(db, number)) == 1, "the ID number is found"
        figures["search_id_ms"] = median_ms(lambda: list_applications(db, number))
        figures["search_name_prefix_ms"] = median_ms(lambda: list_applications(db, "王"))
        figures["search_nothing_ms"] = median_ms(lambda: list_applications(db, "不存在的人"))
        times = []
        for n in range(accepts):
            begin = time.perf_counter()
            accept(db, settings, now=NOW + dt.timedelta(minutes=n))
            times.append(time.perf_counter() - begin)
        figures["accept_ms"] = statistics.median(times) * 1000
        db.close()
    print(json.dumps(figures))


LABELS = (
    ("accept_ms", "accept (median)"),
    ("first_page_ms", "applications screen opens (newest 500)"),
    ("search_id_ms", "search by exact ID number"),
    ("search_name_prefix_ms", "search by name prefix 王"),
    ("search_nothing_ms", "search that matches nothing"),
    ("file_mb", "database file, MB"),
    ("fill_s", "fill (s)"),
    ("encrypt_existing_s", "seal the existing rows once (s)"),
)


def run_case(case: str, root: Path, rows: int, accepts: int) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, str(HERE), "--child", case, "--root", str(root), str(rows), "--accepts", str(accepts)],
        check=True,
        capture_output=True,
        text=True,
        cwd=root,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


PLAIN_BASELINE = "fcac220"
"""The last commit before personal data was sealed at rest (and before clerk accounts): the
plain side of the comparison, unless ``--baseline`` names another."""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--accepts", type=int, default=25)
    parser.add_argument("--baseline", default="")
    parser.add_argument("--child", choices=("plain", "sealed"))
    parser.add_argument("--root", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.root, args.rows, args.accepts)
        return
    ref = args.baseline or PLAIN_BASELINE
    with tempfile.TemporaryDirectory() as tmp:
        baseline = Path(tmp) / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", str(baseline), ref], cwd=ROOT, check=True, capture_output=True)
        try:
            # The baseline has no bench/store.py changes to need; it gets this run's helpers.
            plain = run_case("plain", baseline, args.rows, args.accepts)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=ROOT, check=False)
    sealed = run_case("sealed", ROOT, args.rows, args.accepts)
    print(f"{args.rows:,} applications; plain = {ref[:12]}, sealed = this checkout")
    print(f"{'':<42} {'plain':>10} {'sealed':>10} {'sealed/plain':>13}")
    for key, label in LABELS:
        a, b = plain.get(key), sealed.get(key)
        ratio = f"{b / a:12.2f}x" if a and b else ""
        print(f"{label:<42} {_fmt(a):>10} {_fmt(b):>10} {ratio:>13}")


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


if __name__ == "__main__":
    main()
