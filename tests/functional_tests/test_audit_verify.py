"""``window-app audit verify`` finds each of the six tamperings of issue 7 on a real window.

A real window database (applications accepted from ``examples/applications/`` through
``Window.accept``), synced once with the real exchange on 127.0.0.1 (which then holds the
window's latest signed head). Each test tampers with the file directly through ``sqlite3``, as
someone with the PC in hand would, then runs the command in-process (``main``) and once as a
real process, and checks the words, the first bad position and the exit code.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from offline_cache.audit import GENESIS_HASH, event_hash
from tests.exchange_fixtures import ExchangeServer, exchange_server, exchange_server_factory  # noqa: F401
from tests.window_template import open_signed_in, seed_window_database
from window_app.cli import main
from window_app.config import SHIPPED_CONFIG, Settings, load_settings
from window_app.domain.audit_head import AuditHead
from window_app.domain.words import set_language
from window_app.identity import window_key_path
from window_app.intake.io import parse_intake
from window_app.sync.engine import SyncEngine
from window_app.trust.key_files import read_signing_key, write_private_key
from window_app.trust.keys import SigningKey
from window_app.trust.signing import sign
from window_app.window import Window

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "applications"
FIXED_NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
ACCEPTED = ("newborn", "business_startup", "retirement")


@dataclass
class Trail:
    """A window with three accepted applications, synced once; the exchange holds its head."""

    settings: Settings
    env: dict[str, str]
    server: ExchangeServer
    receipts: list[str]
    last_seq: int
    first: int = 1
    """The seq of the first application's ``accepted`` event (the account events of the
    template's test clerk come before it)."""

    @property
    def db_path(self) -> Path:
        return self.settings.database_path

    @property
    def key_path(self) -> Path:
        """The window's key file (named after its installation tag)."""
        (tag,) = self.sql("SELECT value FROM meta WHERE key = 'installation_tag'")[0]
        return window_key_path(self.settings, tag)

    def sql(self, statement: str, parameters: Any = ()) -> list[tuple]:
        conn = sqlite3.connect(self.db_path, isolation_level=None)
        try:
            return conn.execute(statement, parameters).fetchall()
        finally:
            conn.close()


@pytest.fixture
def trail(tmp_path: Path, exchange_server: ExchangeServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Trail]:
    env = {
        "WINDOW_APP_EXCHANGE_URL": exchange_server.url,
        "WINDOW_APP_EXCHANGE_TOKEN": exchange_server.window_token(),
        "WINDOW_APP_EXCHANGE_TIMEOUT_SECONDS": "5",
        "WINDOW_APP_TRUST_KEYS_DIR": str(tmp_path / "keys"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)  # the in-process CLI reads its settings from the environment too
    settings = seed_window_database(load_settings(SHIPPED_CONFIG, environ=env, data_dir=str(tmp_path / "window")))
    window = open_signed_in(settings, clock=lambda: FIXED_NOW)
    try:
        receipts = [window.accept(_intake(name)).receipt_no for name in ACCEPTED]
        engine = SyncEngine(
            window.db, settings, catalog_etag=window.catalog.digest, refresh_catalog=False, clock=lambda: FIXED_NOW
        )
        try:
            report = asyncio.run(engine.run_once())
        finally:
            engine.release_lock()
        assert report.ok and report.delivered > 0, report.summary()
    finally:
        window.close()
    built = Trail(settings, env, exchange_server, receipts, 0)
    built.last_seq = built.sql("SELECT max(seq) FROM audit")[0][0]
    built.first = built.sql("SELECT min(seq) FROM audit WHERE action = 'accepted'")[0][0]
    yield built


def _intake(name: str) -> Any:
    intake, problems = parse_intake(json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8")))
    assert not problems
    return intake


def verify(trail: Trail, *options: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    """``window-app audit verify --json`` in-process: (exit code, the report)."""
    capsys.readouterr()
    code = main(["audit", "verify", "--json", *options, "--config", str(SHIPPED_CONFIG), "--data-dir", str(trail.settings.data_dir)])
    report = json.loads(capsys.readouterr().out)
    assert report["exit_code"] == code
    return code, report


def verify_text(trail: Trail, *options: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """The same in English words, as the clerk reads it."""
    capsys.readouterr()
    code = main(["audit", "verify", *options, "--lang", "en", "--config", str(SHIPPED_CONFIG), "--data-dir", str(trail.settings.data_dir)])
    return code, capsys.readouterr().out


def kinds(report: dict[str, Any]) -> list[str]:
    return [problem["kind"] for problem in report["problems"]]


def first(report: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(problem for problem in report["problems"] if problem["kind"] == kind)


# -- the attacker's tools: plain sqlite3 and, where said, the window's stolen key --------------


def rechain(trail: Trail, *, renumber: bool = False) -> None:
    """Compute every hash again from the first event (after an edit or a deletion), so that the
    chain links up; ``renumber`` closes the gaps deleted events left (seq 1, 2, 3 … again)."""
    conn = sqlite3.connect(trail.db_path, isolation_level=None)
    try:
        rows = conn.execute("SELECT seq, at, actor, action, receipt_no, data FROM audit ORDER BY seq").fetchall()
        conn.execute("BEGIN")
        conn.execute("DELETE FROM audit")
        previous = GENESIS_HASH
        for position, (seq, at, actor, action, receipt_no, data) in enumerate(rows, start=1):
            digest = event_hash(previous, at, actor, action, receipt_no, json.loads(data))
            conn.execute(
                "INSERT INTO audit (seq, at, actor, action, receipt_no, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [position if renumber else seq, at, actor, action, receipt_no, data, previous, digest],
            )
            previous = digest
        if renumber:
            conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit'", [len(rows)])
        conn.execute("COMMIT")
    finally:
        conn.close()


def resign_heads(trail: Trail) -> None:
    """With the window's key (stolen): sign a head again at every position the chain still has."""
    key = read_signing_key(trail.key_path)
    conn = sqlite3.connect(trail.db_path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        old = [row[0] for row in conn.execute("SELECT seq FROM audit_heads ORDER BY seq")]
        conn.execute("DELETE FROM audit_heads")
        last = conn.execute("SELECT max(seq) FROM audit").fetchone()[0]
        for seq in sorted({s for s in old if s <= last} | {last}):
            (digest,) = conn.execute("SELECT hash FROM audit WHERE seq = ?", [seq]).fetchone()
            head = AuditHead("ZF-01", seq, digest, "2026-11-27T01:31:00Z", {})
            signature = sign(key, head.message()).to_json()
            conn.execute(
                "INSERT INTO audit_heads (seq, hash, at, window_id, key_id, signature, cause) VALUES (?, ?, ?, ?, ?, ?, 'sync')",
                [seq, digest, head.at, "ZF-01", signature["key_id"], json.dumps(signature)],
            )
        conn.execute("COMMIT")
    finally:
        conn.close()


def edit_event(trail: Trail, seq: int) -> None:
    (data,) = trail.sql("SELECT data FROM audit WHERE seq = ?", [seq])[0]
    changed = {**json.loads(data), "window_id": "ZF-99"}
    trail.sql("UPDATE audit SET data = ? WHERE seq = ?", [json.dumps(changed, ensure_ascii=False), seq])


def erase_application(trail: Trail, receipt_no: str) -> None:
    """Every row of one application, its events included, and its receipt number given back."""
    day = trail.sql("SELECT accepted_at FROM applications WHERE receipt_no = ?", [receipt_no])[0][0][:10]
    for table in ("outbox", "application_parts", "item_decisions", "exchange_events", "audit"):
        trail.sql(f"DELETE FROM {table} WHERE receipt_no = ?", [receipt_no])
    trail.sql("DELETE FROM applications WHERE receipt_no = ?", [receipt_no])
    trail.sql("UPDATE receipt_sequence SET last = last - 1 WHERE day = ?", [day])


# -- untouched ------------------------------------------------------------------------------------


def test_an_untouched_trail_verifies_online_and_offline(trail: Trail, capsys) -> None:
    code, report = verify(trail, capsys=capsys)
    assert code == 0, report
    assert report["intact"] and report["problems"] == [] and report["first_bad_seq"] is None
    assert report["events"] == trail.last_seq > len(ACCEPTED)  # accepted + delivered events
    assert report["latest_head"] == trail.last_seq  # the round signed what it appended
    assert report["exchange"]["status"] == "matched" and report["exchange"]["head"]["seq"] == trail.last_seq
    code, text = verify_text(trail, capsys=capsys)
    assert code == 0
    assert text.strip() == (
        f"Audit trail intact: {trail.last_seq} events, {report['heads']} signed heads (latest #{trail.last_seq}); "
        f"matches the exchange's head #{trail.last_seq}"
    )
    code, report = verify(trail, "--offline", capsys=capsys)
    assert code == 0 and report["exchange"]["status"] == "skipped"


# -- the six tamperings ---------------------------------------------------------------------------


def test_an_edited_event_is_found(trail: Trail, capsys) -> None:
    second = trail.first + 1  # the second application's acceptance
    edit_event(trail, second)
    code, report = verify(trail, "--offline", capsys=capsys)
    assert code == 1
    assert report["first_bad_seq"] == second and kinds(report) == ["edited"]
    assert first(report, "edited")["words"]["en"].startswith(f"Event {second} (accepted, ")
    code, text = verify_text(trail, "--offline", capsys=capsys)
    assert code == 1
    assert f"The audit trail was tampered with: 1 problem, the first at event {second}" in text
    assert f"#{second}  Event {second} (accepted" in text and "was changed after it was written: its hash does not match its content" in text


def test_a_deleted_event_is_found(trail: Trail, capsys) -> None:
    third = trail.first + 2
    trail.sql("DELETE FROM audit WHERE seq = ?", [third])
    code, report = verify(trail, "--offline", capsys=capsys)
    assert code == 1 and report["first_bad_seq"] == third
    deleted = first(report, "deleted")
    assert deleted["seq"] == third
    assert deleted["words"]["en"] == (
        f"Event {third} is missing: the chain jumps from event {third - 1} to event {third + 1}; events were deleted"
    )
    # the accepted event of the third application went with it: its application has no trail now
    assert any(p["kind"] == "erased" and trail.receipts[2] in p["words"]["en"] for p in report["problems"])


def test_reordered_events_are_found(trail: Trail, capsys) -> None:
    trail.sql("UPDATE audit SET seq = -1 WHERE seq = 2")
    trail.sql("UPDATE audit SET seq = 2 WHERE seq = 3")
    trail.sql("UPDATE audit SET seq = 3 WHERE seq = -1")
    code, report = verify(trail, "--offline", capsys=capsys)
    assert code == 1 and report["first_bad_seq"] == 2
    reordered = first(report, "reordered")
    assert reordered["seq"] == 2
    assert reordered["words"]["en"] == "Event 2 links to event 3, not to event 1: the events were reordered"
    assert set(kinds(report)) == {"reordered"}


def test_a_truncated_tail_is_found_by_the_heads_and_by_the_exchange(trail: Trail, capsys) -> None:
    cut = trail.last_seq - 2
    trail.sql("DELETE FROM audit WHERE seq > ?", [cut])
    code, report = verify(trail, "--offline", capsys=capsys)
    assert code == 1 and report["first_bad_seq"] == cut + 1
    assert first(report, "truncated")["words"]["en"].startswith(
        f"The chain ends at event {cut}, but the head signed 2026-11-27 09:30:00 covers event {trail.last_seq}: "
        f"events {cut + 1}–{trail.last_seq} were cut off the end"
    )
    # The heads go too: nothing here remembers the tail any more, but the exchange does.
    trail.sql("DELETE FROM audit_heads WHERE seq > ?", [cut])
    code, report = verify(trail, "--offline", capsys=capsys)
    assert code == 0, report
    code, report = verify(trail, capsys=capsys)
    assert code == 1 and report["first_bad_seq"] == cut + 1 and report["exchange"]["status"] == "mismatch"
    assert first(report, "truncated")["words"]["en"].startswith(
        f"The exchange holds the head at event {trail.last_seq} (signed 2026-11-27 09:30:00), but the chain here ends at event {cut}"
    )


def test_a_rechained_history_is_found_by_the_signed_heads(trail: Trail, capsys) -> None:
    second = trail.first + 1
    edit_event(trail, second)
    rechain(trail)
    code, report = verify(trail, "--offline", capsys=capsys)
    assert code == 1 and report["first_bad_seq"] == second
    assert kinds(report) == ["rechained"]
    assert first(report, "rechained")["words"]["en"] == (
        f"Event {second} no longer has the hash the head signed 2026-11-27 09:30:00 holds: event {second} was rewritten and "
        f"every hash after it computed again (up to event {trail.first} the chain still matches a signed head)"
    )


def test_a_history_rechained_and_resigned_with_the_stolen_key_is_found_by_the_exchange(trail: Trail, capsys) -> None:
    edit_event(trail, trail.first + 1)
    rechain(trail)
    resign_heads(trail)
    code, report = verify(trail, "--offline", capsys=capsys)
    assert code == 0, report  # everything on this computer agrees: the key signed the forgery
    code, report = verify(trail, capsys=capsys)
    assert code == 1 and report["exchange"]["status"] == "mismatch"
    assert kinds(report) == ["rechained"] and report["first_bad_seq"] == trail.last_seq
    assert first(report, "rechained")["words"]["en"] == (
        f"Event {trail.last_seq} here has another hash than the head the exchange holds (signed 2026-11-27 09:30:00): "
        f"the history up to event {trail.last_seq} was rewritten and re-signed (the signed heads on this computer prove nothing)"
    )


def test_a_history_resigned_with_a_new_key_is_found_by_the_exchange(trail: Trail, capsys) -> None:
    """Without the window's key, the forger makes a key of his own and puts it in the key's place."""
    edit_event(trail, trail.first + 1)
    rechain(trail)
    trail.key_path.unlink()
    write_private_key(trail.key_path, SigningKey.generate())
    resign_heads(trail)
    code, report = verify(trail, "--offline", capsys=capsys)
    assert code == 0, report
    code, report = verify(trail, capsys=capsys)
    assert code == 1 and set(kinds(report)) == {"exchange_key", "rechained"}
    assert first(report, "exchange_key")["words"]["en"].startswith(
        f"The exchange's head (event {trail.last_seq}, signed 2026-11-27 09:30:00) does not verify with the window "
        "key on this computer: this window's key was replaced"
    )


def test_an_erased_application_is_found_by_its_rows(trail: Trail, capsys) -> None:
    """The application's rows go, its events stay: the chain names what is missing."""
    middle = trail.receipts[1]
    (accepted_seq,) = trail.sql("SELECT seq FROM audit WHERE receipt_no = ? AND action = 'accepted'", [middle])[0]
    for table in ("outbox", "application_parts", "applications"):
        trail.sql(f"DELETE FROM {table} WHERE receipt_no = ?", [middle])
    code, report = verify(trail, "--offline", capsys=capsys)
    assert code == 1 and report["first_bad_seq"] == accepted_seq
    words = [p["words"]["en"] for p in report["problems"] if p["kind"] == "erased"]
    assert f"Event {accepted_seq} records the acceptance of {middle}, but that application is not in the database: it was erased" in words
    assert any(w.startswith(f"Receipt number {middle} was issued") for w in words)


def test_an_application_erased_with_its_events_leaves_a_gap_in_the_receipt_numbers(trail: Trail, capsys) -> None:
    middle = trail.receipts[1]
    erase_application(trail, middle)
    trail.sql("UPDATE receipt_sequence SET last = last + 1")  # the erased one was not the last: keep the counter
    rechain(trail, renumber=True)
    resign_heads(trail)
    code, report = verify(trail, "--offline", capsys=capsys)
    assert code == 1
    (erased,) = report["problems"]
    (before,) = trail.sql("SELECT seq FROM audit WHERE receipt_no = ? AND action = 'accepted'", [trail.receipts[0]])[0]
    assert erased["kind"] == "erased" and erased["seq"] == before + 1 == report["first_bad_seq"]
    assert erased["words"]["en"] == (
        f"Receipt number {middle} was issued (window ZF-01's counter for 2026-11-27 is at 3), but no application "
        "has it: that application was erased"
    )


def test_an_application_erased_without_a_trace_is_found_by_the_exchange(trail: Trail, capsys) -> None:
    """Its rows, its events, its receipt number, the chain re-chained and re-signed with the key:
    nothing on this computer shows it. The exchange's head still covers it."""
    erase_application(trail, trail.receipts[-1])
    rechain(trail, renumber=True)
    resign_heads(trail)
    code, report = verify(trail, "--offline", capsys=capsys)
    assert code == 0, report
    remaining = trail.sql("SELECT max(seq) FROM audit")[0][0]
    assert remaining < trail.last_seq
    code, report = verify(trail, capsys=capsys)
    assert code == 1 and report["first_bad_seq"] == remaining + 1
    assert kinds(report) == ["truncated"]
    assert f"the chain here ends at event {remaining}" in report["problems"][0]["words"]["en"]


# -- what else the check says ----------------------------------------------------------------------


def test_a_changed_outbox_payload_is_found(trail: Trail, capsys) -> None:
    envelope_id, payload = trail.sql("SELECT envelope_id, payload FROM outbox ORDER BY rowid LIMIT 1")[0]
    trail.sql("UPDATE outbox SET payload = ? WHERE envelope_id = ?", [payload + " ", envelope_id])
    code, report = verify(trail, "--offline", capsys=capsys)
    assert code == 1 and kinds(report) == ["payload_changed"]
    assert envelope_id in report["problems"][0]["words"]["en"]


def test_a_forged_head_is_found(trail: Trail, capsys) -> None:
    second = trail.first + 1  # a head is signed at every acceptance
    trail.sql("UPDATE audit_heads SET at = '2030-01-01T00:00:00Z' WHERE seq = ?", [second])
    code, report = verify(trail, "--offline", capsys=capsys)
    assert code == 1 and kinds(report) == ["head_forged"] and report["first_bad_seq"] == second


def test_without_a_line_it_checks_locally_and_says_so(trail: Trail, capsys) -> None:
    trail.server.stop()
    code, report = verify(trail, capsys=capsys)
    assert code == 3 and report["intact"] and report["exchange"]["status"] == "unreachable"
    code, text = verify_text(trail, capsys=capsys)
    assert code == 3 and "(the exchange could not be reached: checked on this computer only)" in text
    assert verify(trail, "--offline", capsys=capsys)[0] == 0


def test_without_the_key_the_heads_cannot_be_checked(trail: Trail, capsys) -> None:
    trail.key_path.unlink()
    code, report = verify(trail, "--offline", capsys=capsys)
    assert code == 2 and report["intact"]
    assert report["unchecked"][0]["en"].startswith("This window's signing key (")


def test_a_rewritten_history_is_refused_by_the_exchange_at_the_next_round(trail: Trail) -> None:
    """The window syncs after its tail was cut: the exchange refuses the head that goes back
    (409, recorded) and the round says so in words."""
    cut = trail.first + 1
    trail.sql("DELETE FROM audit WHERE seq > ?", [cut])
    trail.sql("DELETE FROM audit_heads WHERE seq > ?", [cut])
    window = Window.open(trail.settings, clock=lambda: FIXED_NOW)  # the sync needs nobody signed in
    try:
        engine = SyncEngine(
            window.db, trail.settings, catalog_etag=window.catalog.digest, refresh_catalog=False, clock=lambda: FIXED_NOW
        )
        try:
            report = asyncio.run(engine.run_once())
        finally:
            engine.release_lock()
    finally:
        window.close()
    assert not report.ok
    assert "The exchange holds a later audit head of this window and refused the current one" in report.error.en
    conn = sqlite3.connect(trail.server.db_path)
    try:
        held, refusals = conn.execute("SELECT seq FROM audit_heads").fetchone()[0], conn.execute(
            "SELECT seq, reason, count FROM audit_head_refusals"
        ).fetchall()
    finally:
        conn.close()
    assert held == trail.last_seq and refusals == [(cut, "behind", 1)]


def test_audit_verify_as_a_real_process(trail: Trail) -> None:
    edit_event(trail, 1)
    done = subprocess.run(
        [sys.executable, "-m", "window_app", "audit", "verify", "--lang", "en", "--config", str(SHIPPED_CONFIG),
         "--data-dir", str(trail.settings.data_dir)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={**_environ(), **trail.env},
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[0] == "The audit trail was tampered with: 1 problem, the first at event 1"
    assert "Traceback" not in done.stderr


def _environ() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("WINDOW_APP_")}


@pytest.fixture(autouse=True)
def _chinese_by_default() -> Iterator[None]:
    set_language("zh")
    yield
    set_language("zh")
