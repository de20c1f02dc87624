"""Many accepted applications, quickly, for the benches (never for a real window).

A few real applications are accepted through :meth:`Window.accept` (the shipped examples in
``examples/applications/``); :func:`grow` then copies their rows with SQL until the window holds
``total``: new receipt numbers (sequence 1000 and up, so they never meet the window's own),
spread over ``days`` days back from today (today's are a day's share, like the days before),
states ``accepted`` (recent) and ``in_progress`` (older), each with its department parts, their
envelopes and the name's blind-index tokens.

What the copies do not have (bench only): their intake and guide are ``{}`` (a copy's detail does
not open; the list never reads them), their envelopes' payload is ``{}``, their phone and agent
name are the original's sealed bytes (sealed for another row: never read by the list), and no
audit event. The applicant's name and ID number are sealed again for the new row, so the list
opens them as it opens a real one.

    from synth_applications import accepted_window
    window = accepted_window(data_dir, total=100_000)
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from offline_cache.vault import read_cipher, reveal, seal  # noqa: E402
from window_app.config import SHIPPED_CONFIG, load_settings  # noqa: E402
from window_app.domain.receipt_no import format_receipt_no, receipt_owner  # noqa: E402
from window_app.domain.words import Words  # noqa: E402
from window_app.intake.io import parse_intake  # noqa: E402
from window_app.trust.pins import KdfParams  # noqa: E402
from window_app.window import Window  # noqa: E402

EXAMPLES = sorted((ROOT / "examples" / "applications").glob("*.json"))
FAST_KDF = KdfParams(time_cost=1, memory_kib=8, parallelism=1)
_WORDS = Words("基准数据", "Bench data")


def accepted_window(data_dir: str | Path, total: int, *, accepts: int = 4, days: int = 365) -> Window:
    """A new window in ``data_dir`` (its signing key in ``<data_dir>-keys`` beside it) with a
    clerk signed in (``B001``, every role) holding ``total`` applications: ``min(accepts,
    total)`` accepted for real, the rest copies."""
    data_dir = Path(data_dir)
    keys = data_dir.parent / f"{data_dir.name}-keys"  # beside the data, never the user's own keys dir
    settings = load_settings(SHIPPED_CONFIG, environ={"WINDOW_APP_TRUST_KEYS_DIR": str(keys)}, data_dir=str(data_dir))
    window = Window.open(settings)
    window.create_first_administrator("B001", "基准", "bench-pin-1357", kdf=FAST_KDF)
    for path in EXAMPLES[: min(accepts, total)]:
        intake, problems = parse_intake(json.loads(path.read_text(encoding="utf-8")))
        assert intake is not None, problems
        window.accept(intake)
    grow(window, total, days=days)
    return window


def grow(window: Window, total: int, *, days: int = 365) -> int:
    """Copy the window's applications until it holds ``total``; how many were added."""
    db = window.db
    have = db.execute("SELECT count(*) FROM applications").fetchone()[0]
    wanted = total - have
    if wanted <= 0:
        return 0
    cipher = read_cipher(db, _WORDS)
    originals = db.execute(
        "SELECT receipt_no, applicant_name, applicant_number FROM applications ORDER BY receipt_no"
    ).fetchall()
    opened = [
        (no, reveal(cipher, name, "applications", "applicant_name", no, _WORDS),
         reveal(cipher, number, "applications", "applicant_number", no, _WORDS))
        for no, name, number in originals
    ]
    owner = receipt_owner(originals[0][0])
    assert owner is not None
    region, window_id, tag = owner
    today = window.now()
    per_day = max(1, -(-wanted // days))  # ceil
    applications, copies = [], []
    for index in range(wanted):
        original, name, number = opened[index % len(opened)]
        back, nth = divmod(index, per_day)
        day = today.date() - dt.timedelta(days=back)
        receipt_no = format_receipt_no(region, day, window_id, tag, 1000 + nth)
        # Newest first within a day: 08:30 onwards, evenly over nine hours.
        minute = 30 + (per_day - 1 - nth) * 540 // per_day
        at = dt.datetime.combine(day, dt.time(8 + minute // 60, minute % 60), tzinfo=today.tzinfo)
        stamp = at.isoformat(timespec="seconds")
        state = "accepted" if back < 7 else "in_progress"
        applications.append((
            receipt_no,
            seal(cipher, name, "applications", "applicant_name", receipt_no),
            seal(cipher, number, "applications", "applicant_number", receipt_no),
            state, stamp, stamp, original,
        ))
        copies.append((receipt_no, original))
    db.execute("BEGIN")
    db.conn.executemany(
        "INSERT INTO applications (receipt_no, offering_id, offering_kind, offering_name, offering_name_en, "
        "applicant_kind, applicant_name, applicant_number, phone, agent_name, state, catalog_version, "
        "lead_department, intake, guide, window_id, centre, clerk, accepted_at, updated_at, promised_days, "
        "promised_by, clerk_id, number_index, phone_index, verify_online) "
        "SELECT ?1, offering_id, offering_kind, offering_name, offering_name_en, applicant_kind, ?2, ?3, phone, "
        "agent_name, ?4, catalog_version, lead_department, '{}', '{}', window_id, centre, clerk, ?5, ?6, "
        "promised_days, promised_by, clerk_id, number_index, phone_index, verify_online "
        "FROM applications WHERE receipt_no = ?7",
        applications,
    )
    # The rest in one statement each, through a list of (copy, original).
    db.execute("CREATE TEMP TABLE bench_copies (receipt_no TEXT PRIMARY KEY, original TEXT NOT NULL)")
    db.conn.executemany("INSERT INTO bench_copies VALUES (?, ?)", copies)
    db.execute(
        "INSERT INTO application_parts (receipt_no, department, stage, items, state, envelope_id, updated_at) "
        "SELECT c.receipt_no, p.department, p.stage, p.items, p.state, c.receipt_no || ':' || p.envelope_id, p.updated_at "
        "FROM bench_copies c JOIN application_parts p ON p.receipt_no = c.original"
    )
    db.execute(
        "INSERT INTO outbox (envelope_id, idempotency_key, receipt_no, department, stage, payload, payload_sha256, "
        "signature, state, attempts, next_attempt_at, created_at, kind) "
        "SELECT c.receipt_no || ':' || o.envelope_id, c.receipt_no || ':' || o.idempotency_key, c.receipt_no, "
        "o.department, o.stage, '{}', o.payload_sha256, o.signature, o.state, o.attempts, o.next_attempt_at, "
        "o.created_at, o.kind FROM bench_copies c JOIN outbox o ON o.receipt_no = c.original"
    )
    db.execute(
        "INSERT OR IGNORE INTO application_name_index (token, receipt_no) "
        "SELECT n.token, c.receipt_no FROM bench_copies c JOIN application_name_index n ON n.receipt_no = c.original"
    )
    db.execute("COMMIT")
    db.execute("DROP TABLE temp.bench_copies")
    return wanted


if __name__ == "__main__":
    import tempfile
    import time

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        made = accepted_window(Path(directory) / "data", int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
        count = made.db.execute("SELECT count(*) FROM applications").fetchone()[0]
        print(f"{count} applications in {time.perf_counter() - started:.1f} s")
        made.close()
