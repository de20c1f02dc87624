"""Bench (not a test): does the applications list stay fast with 100,000 applications?

    python bench/store.py [ROWS]

One real application is accepted on the small test catalog, then copied ROWS times with SQL
(one transaction; accepting 100k one by one would mostly measure fsync), with distinct receipt
numbers, names, ID numbers and times. Then the queries the applications screen runs are timed.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "unit_tests")]

from store_fixtures import accept, open_window_db, settings_for  # noqa: E402

from offline_cache.applications import get_application, list_applications  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def fill(db, rows: int) -> str:
    template = accept(db, settings_for(Path(db.conn.execute("PRAGMA database_list").fetchone()[2]).parent))
    columns = [row[1] for row in db.execute("PRAGMA table_info(applications)").fetchall()]
    select = ", ".join(
        {
            "receipt_no": "printf('522325-%s-ZF-01-BNCH-%04d-00', substr(strftime('%Y%m%d', '2026-01-01', '+' || (n / 300) || ' days'), 3), n % 300)",
            "applicant_name": "substr(:surnames, n % 20 + 1, 1) || '某' || n",
            "applicant_number": "printf('5223251990%08d', n)",
            "accepted_at": "strftime('%Y-%m-%dT%H:%M:%S+08:00', '2026-01-01 08:00:00', '+' || (n * 97) || ' seconds')",
        }.get(column, column)
        for column in columns
    )
    db.execute("BEGIN")
    db.execute(
        f"""
        WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < :rows)
        INSERT INTO applications ({", ".join(columns)})
        SELECT {select} FROM seq, applications AS t WHERE t.receipt_no = :template
        """,
        {"rows": rows, "template": template.receipt_no, "surnames": SURNAMES},
    )
    db.execute(
        """
        INSERT INTO application_parts (receipt_no, department, stage, items, state, envelope_id, updated_at)
        SELECT a.receipt_no, p.department, p.stage, p.items, p.state, p.envelope_id, p.updated_at
        FROM applications AS a, application_parts AS p
        WHERE p.receipt_no = :template AND a.receipt_no != :template
        """,
        {"template": template.receipt_no},
    )
    db.execute("COMMIT")
    db.execute("ANALYZE")
    return template.receipt_no


def timed(label: str, action, repeat: int = 5) -> None:
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    size = len(result) if isinstance(result, list) else 1
    print(f"{label:<48} {best * 1000:8.1f} ms  ({size} rows)")


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        db = open_window_db(settings_for(Path(tmp)))
        start = time.perf_counter()
        template = fill(db, rows)
        print(f"filled {rows} applications in {time.perf_counter() - start:.1f} s")
        timed("newest 500 (the list as it opens)", lambda: list_applications(db))
        timed("name that is common (王)", lambda: list_applications(db, "王"))
        timed("name that is rare (某99999)", lambda: list_applications(db, "某99999"))
        timed("resident ID prefix", lambda: list_applications(db, "5223251990000123"))
        timed("receipt number fragment", lambda: list_applications(db, "-261127-"))
        timed("no match at all (full scan)", lambda: list_applications(db, "不存在的人"))
        timed("one application by receipt number", lambda: get_application(db, template))
        db.close()


if __name__ == "__main__":
    main()
