"""Bench (not a test): what signing the audit head costs an accept, and how long a check takes.

    python bench/audit_verify.py [--accepts 200] [--copies 20000]

1. Accepts ``--accepts`` applications from ``examples/applications/`` through ``Window.accept``,
   alternating with and without the head signature in the accept transaction (the signature
   patched out for the "without" half), and prints the median accept time of each.
2. Grows the chain to ``--copies`` accepted applications more with SQL (copies of the accepted
   ones: rows, envelopes, events re-chained, a signed head per accept, as the window writes
   them) and times ``verify_audit(online=False)`` on it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import offline_cache.applications as application_store  # noqa: E402
from offline_cache.audit import GENESIS_HASH, event_hash, sign_head  # noqa: E402
from window_app.audit_check import verify_audit  # noqa: E402
from window_app.config import SHIPPED_CONFIG, load_settings  # noqa: E402
from window_app.identity import window_signing_key  # noqa: E402
from window_app.intake.io import parse_intake  # noqa: E402
from window_app.window import Window  # noqa: E402

EXAMPLES = sorted((ROOT / "examples" / "applications").glob("*.json"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accepts", type=int, default=200)
    parser.add_argument("--copies", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        environ = {"WINDOW_APP_TRUST_KEYS_DIR": f"{tmp}/keys"}
        settings = load_settings(SHIPPED_CONFIG, environ=environ, data_dir=f"{tmp}/data")
        window = Window.open(settings)
        intakes = [parse_intake(json.loads(path.read_text(encoding="utf-8")))[0] for path in EXAMPLES]
        signed, unsigned = [], []
        real_sign = application_store.sign_head
        for n in range(args.accepts):
            with_head = n % 2 == 0
            application_store.sign_head = real_sign if with_head else (lambda *a, **k: None)
            started = time.perf_counter()
            window.accept(intakes[n % len(intakes)])
            (signed if with_head else unsigned).append(time.perf_counter() - started)
        application_store.sign_head = real_sign
        print(f"accept, median of {len(signed)}: with the signed head {statistics.median(signed) * 1000:.2f} ms, "
              f"without {statistics.median(unsigned) * 1000:.2f} ms")
        grow(window, settings, args.copies)
        events = window.db.execute("SELECT count(*) FROM audit").fetchone()[0]
        heads = window.db.execute("SELECT count(*) FROM audit_heads").fetchone()[0]
        envelopes = window.db.execute("SELECT count(*) FROM outbox").fetchone()[0]
        started = time.perf_counter()
        report = verify_audit(window.db, settings, online=False)
        took = time.perf_counter() - started
        print(f"verify --offline: {events} events, {heads} heads, {envelopes} envelopes: {took:.2f} s, "
              f"exit {report.exit_code}, {report.problem_count} problems")
        window.close()
    return 0


def grow(window: Window, settings, copies: int) -> None:
    """``copies`` more accepted applications, copied from the first one with SQL, chained and signed."""
    db = window.db
    key = window_signing_key(settings)
    receipt, = db.execute("SELECT receipt_no FROM applications ORDER BY receipt_no LIMIT 1").fetchone()
    event, = db.execute("SELECT data FROM audit WHERE receipt_no = ? AND action = 'accepted'", [receipt]).fetchall()
    data = json.loads(event[0])
    db.execute("BEGIN")
    last_hash, = db.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone() or (GENESIS_HASH,)
    for n in range(copies):
        new = f"{receipt[:-8]}X{n:06d}"  # off the day's numbering: the check leaves it alone
        db.execute(
            "INSERT INTO applications SELECT ?, offering_id, offering_kind, offering_name, offering_name_en, applicant_kind, "
            "applicant_name, applicant_number, phone, agent_name, state, catalog_version, lead_department, intake, guide, "
            "window_id, centre, clerk, accepted_at, updated_at, promised_days, promised_by, concluded_at, conclusion "
            "FROM applications WHERE receipt_no = ?",
            [new, receipt],
        )
        envelopes = []
        for envelope_id, in db.execute("SELECT envelope_id FROM outbox WHERE receipt_no = ?", [receipt]).fetchall():
            copy_id = f"{envelope_id[:20]}{n:012d}"
            db.execute(
                "INSERT INTO outbox (envelope_id, idempotency_key, receipt_no, department, stage, payload, payload_sha256, "
                "signature, state, created_at) SELECT ?, ? || idempotency_key, ?, department, stage, payload, payload_sha256, "
                "signature, state, created_at FROM outbox WHERE envelope_id = ?",
                [copy_id, new, new, envelope_id],
            )
            db.execute(
                "INSERT INTO application_parts (receipt_no, department, stage, items, state, envelope_id, updated_at) "
                "SELECT ?, department, stage, items, state, ?, updated_at FROM application_parts WHERE envelope_id = ?",
                [new, copy_id, envelope_id],
            )
            sha, = db.execute("SELECT payload_sha256 FROM outbox WHERE envelope_id = ?", [copy_id]).fetchone()
            envelopes.append({"envelope_id": copy_id, "payload_sha256": sha})
        copied = {**data, "envelopes": envelopes}
        at = "2026-11-27T09:30:00+08:00"
        digest = event_hash(last_hash, at, "bench", "accepted", new, copied)
        db.execute(
            "INSERT INTO audit (at, actor, action, receipt_no, data, prev_hash, hash) VALUES (?, 'bench', 'accepted', ?, ?, ?, ?)",
            [at, new, json.dumps(copied, sort_keys=True, ensure_ascii=False, separators=(",", ":")), last_hash, digest],
        )
        sign_head(db, key, settings.window.id.upper(), "2026-11-27T01:30:00Z", cause="accept")
        last_hash = digest
    db.execute("COMMIT")


if __name__ == "__main__":
    raise SystemExit(main())
