"""Bench (not a test): accept against raw sqlite3 writing the same rows, in one run.

    python bench/accept_vs_sqlite.py [--count 60] [--rounds 3] [--quick] [--profile]

Each round is a fresh window (a temporary data dir and keys dir on the file system of
``--dir``, default the system's temp dir), the shipped catalog, a first administrator signed in
(so personal columns are sealed, as at a clerk's window), then COUNT accepts of the examples of
``examples/applications/`` in turn, each one timed twice:

- (a) ``Window.accept(intake)`` end to end: validation, the guide, the receipt number, the
  envelopes (sealed to each department, signed), the personal columns sealed, the one durable
  transaction (``synchronous = FULL``), the audit event and the signed head. The intake is parsed
  before the clock starts.
- (b) raw ``sqlite3`` writing the rows (a) wrote, into a second database of the same schema
  (every table, index and trigger of (a)'s file) in the same directory: one ``BEGIN IMMEDIATE …
  COMMIT`` per accept, WAL, ``synchronous = FULL``, one cached ``INSERT`` per table
  (``executemany``; ``INSERT OR REPLACE`` for the receipt counter, the row an accept changes in
  place), nothing else. The rows are read from (a)'s database after (a) returned, not
  timed: every row added by the accept (``rowid`` above what the table held before), and the
  receipt counter row it bumped, exactly as stored (sealed columns as their bytes, envelopes as
  their payload text, hashes and signatures as computed by (a)).

So (b) is the floor any program pays to put those rows durably on disk on this file system; the
ratio a/b is what window-app adds on top: the Python that builds the rows (validation, guide,
JSON, sealing and signing, field encryption, blind indexes) and the SQL it runs beyond plain
inserts (the sequence check, reads of the audit chain's last hash and head, the blind indexes'
update). (a) and (b) alternate accept by accept, so both see the same load. The figure is the
ratio of the medians, per round; the line reports the median round (min and max printed).

``--profile`` adds a cProfile of (a)'s accepts of the last round (cumulative, top 35).
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import json
import os
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(os.environ.get("PYTHONPATH", "").split(os.pathsep)[0] or Path(__file__).resolve().parents[1])
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from figures import median, percentile, report  # noqa: E402

from window_app.config import SHIPPED_CONFIG, load_settings  # noqa: E402
from window_app.intake.io import parse_intake  # noqa: E402
from window_app.trust.field_cipher import field_cipher  # noqa: E402
from window_app.trust.keys import PublicSealingKey, SigningKey  # noqa: E402
from window_app.trust.pins import KdfParams  # noqa: E402
from window_app.trust.sealing import seal  # noqa: E402
from window_app.trust.signing import sign  # noqa: E402
from window_app.window import IntakeInvalid, Window  # noqa: E402

GOAL = 1.5
_BENCH_KDF = KdfParams(time_cost=1, memory_kib=8, parallelism=1)  # sign-in is not what is measured


class RowTap:
    """Reads back, after each accept, the rows it added to the window's database (not timed)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        tables = [
            (name, sql)
            for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        ]
        self.rowid_tables = [name for name, sql in tables if "WITHOUT ROWID" not in (sql or "").upper()]
        # Rows an accept updates in place rather than adds (and tables without a rowid): read whole.
        self.whole_tables = ["receipt_sequence"] + [name for name, sql in tables if name not in self.rowid_tables]
        self.columns = {name: [row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')] for name, _ in tables}
        self._marks: dict[str, int] = {}
        self._whole: dict[str, set[tuple[Any, ...]]] = {}

    def mark(self) -> None:
        """Remember where every table stands."""
        for name in self.rowid_tables:
            self._marks[name] = self.conn.execute(f'SELECT coalesce(max(rowid), 0) FROM "{name}"').fetchone()[0]
        for name in self.whole_tables:
            self._whole[name] = set(self.conn.execute(f'SELECT * FROM "{name}"'))

    def rows_since_mark(self) -> dict[str, list[tuple[Any, ...]]]:
        """Table → the rows added (or changed, for the whole-read tables) since :meth:`mark`."""
        found: dict[str, list[tuple[Any, ...]]] = {}
        for name in self.rowid_tables:
            if name in self.whole_tables:
                continue
            rows = self.conn.execute(f'SELECT * FROM "{name}" WHERE rowid > ? ORDER BY rowid', [self._marks[name]]).fetchall()
            if rows:
                found[name] = rows
        for name in self.whole_tables:
            rows = [row for row in self.conn.execute(f'SELECT * FROM "{name}"') if row not in self._whole[name]]
            if rows:
                found[name] = rows
        return found


def raw_database(path: Path, schema_from: sqlite3.Connection) -> sqlite3.Connection:
    """A new database with every table, index and trigger of ``schema_from``: WAL, FULL."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    statements = schema_from.execute(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
        "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 ELSE 3 END, rowid"
    ).fetchall()
    conn.execute("BEGIN")
    for (sql,) in statements:
        conn.execute(sql)
    conn.execute("COMMIT")
    return conn


def raw_write(
    conn: sqlite3.Connection, rows: dict[str, list[tuple[Any, ...]]], columns: dict[str, list[str]], replaced: set[str]
) -> None:
    """(b): the rows of one accept in one durable transaction, one prepared statement per table:
    ``INSERT``, or ``INSERT OR REPLACE`` for the tables whose rows an accept changes in place
    (the receipt counter)."""
    conn.execute("BEGIN IMMEDIATE")
    for table, table_rows in rows.items():
        names = columns[table]
        verb = "INSERT OR REPLACE" if table in replaced else "INSERT"
        conn.executemany(f'{verb} INTO "{table}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})', table_rows)
    conn.execute("COMMIT")


def _accepts(window: Window, example: dict) -> bool:
    try:
        window.accept(parse_intake(example)[0])
    except IntakeInvalid as exc:
        print(f"  left out {example.get('offering')}: {exc}")
        return False
    return True


def crypto_work(window: Window, rows: dict[str, list[tuple[Any, ...]]], columns: dict[str, list[str]], key: SigningKey):
    """(c), a floor inside (a): the public-key work one accept cannot skip, on the rows it wrote —
    each envelope's part sealed (HPKE, same size, same department key) and its payload signed
    (Ed25519), the audit head signed, the sealed personal columns (AES-GCM, same sizes) and the
    blind indexes. Returns a function that does it again (timed by the caller)."""
    cipher = field_cipher(window.db.data_key) if window.db.data_key is not None else None
    jobs: list[tuple[PublicSealingKey, bytes, bytes]] = []
    outbox = [dict(zip(columns["outbox"], row, strict=True)) for row in rows.get("outbox", [])]
    for envelope in outbox:
        document = json.loads(envelope["payload"])
        sealed = base64.b64decode(document["sealed"]["data"])
        department = window.catalog.body(envelope["department"])  # the office the part was sealed to
        jobs.append((PublicSealingKey.from_text(department.sealing_key), os.urandom(len(sealed) - 48), envelope["payload"].encode()))
    fields = []
    for row in rows.get("applications", []):
        application = dict(zip(columns["applications"], row, strict=True))
        fields = [
            (name, "x" * max(0, len(application[name]) - 37) if isinstance(application[name], bytes) else application[name])
            for name in ("applicant_name", "applicant_number", "phone", "agent_name", "intake", "guide")
        ]
    tokens = len(rows.get("application_name_index", []))

    def run() -> None:
        for public, plaintext, payload in jobs:
            seal(public, plaintext, b"window-app/envelope/2\0bench")
            sign(key, payload)
        sign(key, b"head")
        if cipher is not None:
            for name, value in fields:
                cipher.seal(value, table="applications", column=name, row="bench")
            cipher.id_number_index("110101199003074258")
            cipher.phone_index("13900000000")
            for _ in range(tokens):
                cipher.name_prefix_token("张三")

    return run


def one_round(
    count: int, examples: list[dict], directory: Path, profiler: cProfile.Profile | None
) -> tuple[list[float], list[float], list[float], dict[str, int], int, str]:
    """COUNT accepts, (a), (b) and (c) in turn; their times, the rows (b) wrote per table, and
    the row changes (a) made (``total_changes``)."""
    with tempfile.TemporaryDirectory(prefix="accept-vs-sqlite-", dir=directory) as tmp:
        environ = {"WINDOW_APP_TRUST_KEYS_DIR": str(Path(tmp) / "keys")}
        settings = load_settings(SHIPPED_CONFIG, environ=environ, data_dir=str(Path(tmp) / "data"))
        window = Window.open(settings)
        try:
            window.create_first_administrator("B001", "基准", "bench-pin-1357", kdf=_BENCH_KDF)
            # Each example once, not timed: the first accept makes the window key; an example this
            # day's date makes invalid (a promised date in the past …) is left out.
            examples = [example for example in examples if _accepts(window, example)]
            tap = RowTap(window.db.conn)
            raw = raw_database(Path(tmp) / "raw.sqlite", window.db.conn)
            app_times, raw_times, crypto_times = [], [], []
            app_cpu, raw_cpu = [], []
            signing_key = SigningKey.generate()
            written: dict[str, int] = {}
            changes = 0
            try:
                for n in range(count):
                    intake, _ = parse_intake(examples[n % len(examples)])
                    tap.mark()
                    before = window.db.conn.total_changes
                    if profiler:
                        profiler.enable()
                    started, cpu = time.perf_counter(), time.process_time()
                    window.accept(intake)
                    app_times.append(time.perf_counter() - started)
                    app_cpu.append(time.process_time() - cpu)
                    if profiler:
                        profiler.disable()
                    changes += window.db.conn.total_changes - before
                    rows = tap.rows_since_mark()
                    for table, table_rows in rows.items():
                        written[table] = written.get(table, 0) + len(table_rows)
                    started, cpu = time.perf_counter(), time.process_time()
                    raw_write(raw, rows, tap.columns, set(tap.whole_tables))
                    raw_times.append(time.perf_counter() - started)
                    raw_cpu.append(time.process_time() - cpu)
                    crypto = crypto_work(window, rows, tap.columns, signing_key)
                    started = time.perf_counter()
                    crypto()
                    crypto_times.append(time.perf_counter() - started)
            finally:
                raw.close()
            cpu_line = f"CPU (a) {median(app_cpu) * 1000:.2f} ms, (b) {median(raw_cpu) * 1000:.2f} ms"
            return app_times, raw_times, crypto_times, written, changes, cpu_line
        finally:
            window.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=60, help="accepts per round (default 60)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a short run: 2 rounds of 30")
    parser.add_argument("--profile", action="store_true", help="cProfile of (a) in the last round")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()), help="where the databases go")
    args = parser.parse_args()
    if args.quick:
        args.count, args.rounds = 30, 2
    examples = [json.loads(path.read_text("utf-8")) for path in sorted((ROOT / "examples" / "applications").glob("*.json"))]
    print(f"{ROOT.name}: {args.rounds} rounds of {args.count} accepts of {len(examples)} examples, in {args.dir}; "
          f"load {os.getloadavg()[0]:.2f}")
    ratios: list[float] = []
    floors: list[float] = []
    profiler = None
    for number in range(args.rounds):
        profiler = cProfile.Profile() if args.profile and number == args.rounds - 1 else None
        app_times, raw_times, crypto_times, written, changes, cpu_line = one_round(args.count, examples, args.dir, profiler)
        ratio = median(app_times) / median(raw_times)
        paired = median([a / b for a, b in zip(app_times, raw_times, strict=True)])
        floor = (median(raw_times) + median(crypto_times)) / median(raw_times)
        ratios.append(ratio)
        floors.append(floor)
        print(
            f"round {number + 1}: (a) accept median {median(app_times) * 1000:.2f} ms, p90 {percentile(app_times, 0.9) * 1000:.2f}"
            f" | (b) raw sqlite3 median {median(raw_times) * 1000:.2f} ms, p90 {percentile(raw_times, 0.9) * 1000:.2f}"
            f" | (c) crypto median {median(crypto_times) * 1000:.2f} ms"
            f" | a/b {ratio:.2f}× (paired median {paired:.2f}×), (b+c)/b {floor:.2f}×,"
            f" a−b−c {(median(app_times) - median(raw_times) - median(crypto_times)) * 1000:.2f} ms; {cpu_line}"
        )
        if number == 0:
            per_accept = ", ".join(f"{table} {rows / args.count:.1f}" for table, rows in sorted(written.items()))
            print(f"  rows per accept written by (b): {per_accept}; row changes by (a): {changes / args.count:.1f}")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    value = statistics.median(ratios)
    print(f"a/b per round: min {min(ratios):.2f}×, median {value:.2f}×, max {max(ratios):.2f}×; load {os.getloadavg()[0]:.2f}")
    print(f"(b+c)/b per round, the floor with the crypto an accept must do: min {min(floors):.2f}×, "
          f"median {statistics.median(floors):.2f}×, max {max(floors):.2f}×")
    report("accept / raw sqlite3", f"{value:.2f}×", f"≤ {GOAL}×", value <= GOAL)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
