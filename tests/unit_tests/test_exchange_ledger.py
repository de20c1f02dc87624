"""The exchange's ledger: a hash chain over ingest and decisions, signed checkpoints outside the
database, and ``window-app exchange audit verify`` finding each of six tamperings.

Each tampering is done the way someone with write access to the database would: plain SQL on
the real SQLite file or PostgreSQL schema (dropping the append-only triggers first), with the
ledger's own formulas to recompute what they can. The untouched database verifies clean. Every
test runs on both backends.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import re
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.exchange_fixtures import exchange_db, is_postgresql, make_envelope, register_test_window  # noqa: F401 - a fixture
from tests.exchange_fixtures import on_both_backends as exchange_backend  # noqa: F401 - a fixture
from window_app.catalog.loader import load_catalog, shipped_catalog_path
from window_app.exchange import ledger
from window_app.exchange.cli import main
from window_app.exchange.ledger import CheckpointLog, LedgerError
from window_app.exchange.schema import MIGRATIONS
from window_app.exchange.store import ExchangeStore
from window_app.trust.demo import demo_signing_key
from window_app.trust.keys import SigningKey

CST = dt.timezone(dt.timedelta(hours=8))
DEPARTMENT = "market_regulation-522325"
ITEM = "company_registration"
EVERY = 4
RECEIPTS = {name: f"522325-261127-ZF-01-TEST-000{n}-4P" for n, name in enumerate("ABCD", start=1)}
_LOGS: dict[str, Path] = {}  # a PostgreSQL database's checkpoint log (a file has its own beside it)


def checkpoints_of(db: str | Path) -> Path:
    return _LOGS.get(str(db)) or ledger.default_checkpoints_path(db)


@pytest.fixture
def fresh(exchange_backend: str, exchange_db: str | Path, tmp_path: Path) -> str | Path:
    """A fresh exchange database of the test's backend (its checkpoint log in ``tmp_path``)."""
    if is_postgresql(exchange_db):
        _LOGS[str(exchange_db)] = tmp_path / "checkpoints.jsonl"
    return exchange_db


class Plain:
    """A plain connection to the database, as a tamperer has one: ``?`` and ``:name`` parameters
    on either backend, one transaction committed at the end."""

    def __init__(self, db: str | Path):
        self.postgresql = is_postgresql(db)
        if self.postgresql:
            import psycopg

            self.conn = psycopg.connect(str(db))
        else:
            self.conn = sqlite3.connect(db, isolation_level=None)
            self.conn.execute("BEGIN")

    def execute(self, sql: str, params=()):
        if self.postgresql:
            sql = re.sub(r":([a-z]+)", r"%(\1)s", sql.replace("?", "%s"))
        return self.conn.execute(sql, params or None) if self.postgresql else self.conn.execute(sql, params)

    def commit(self) -> None:
        self.conn.execute("COMMIT") if not self.postgresql else self.conn.commit()

    def close(self) -> None:
        self.conn.close()


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(shipped_catalog_path())


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 27, 9, 31, 2, tzinfo=CST)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=7)
        return self.now


def open_store(db: str | Path, every: int = EVERY) -> ExchangeStore:
    signed = CheckpointLog(checkpoints_of(db), demo_signing_key(ledger.DEMO_KEY_NAME), every=every)
    store = ExchangeStore.open(db, clock=Clock(), checkpoints=signed)
    register_test_window(store)  # its envelopes verify against the key registered for it
    return store


@pytest.fixture
def db(fresh: str | Path, catalog) -> str | Path:
    """An exchange's history, closed cleanly: applications A–D stored (entries 1–4), received
    (5–8) and decided (9 A approved, 10 B rejected, 11 C supplement needed, 12 D approved);
    checkpoints signed at entries 4, 8 and 12."""
    path = fresh
    store = open_store(path)
    ids = {}
    for name, receipt in RECEIPTS.items():
        (result,) = store.ingest("ZF-01", [make_envelope(receipt_no=receipt)], catalog)
        assert result["status"] == "created"
        ids[name] = result["envelope_id"]
    assert len(store.inbox(DEPARTMENT)) == 4
    store.decide(DEPARTMENT, ids["A"], ITEM, "approved", result="营业执照 91522325MA6DXXXX1X", decided_by="张三")
    store.decide(DEPARTMENT, ids["B"], ITEM, "rejected", reason="名称与已登记企业重复")
    store.decide(DEPARTMENT, ids["C"], ITEM, "supplement_needed", material="id_card", reason="复印件不清")
    store.decide(DEPARTMENT, ids["D"], ITEM, "approved", result="营业执照 91522325MA6DYYYY2Y")
    store.close()
    return path


def verify(capsys, db: str | Path, *extra: str, lang: str = "en") -> tuple[int, str, str]:
    extra = extra or ("--demo",)
    if str(db) in _LOGS and "--chain-only" not in extra and "--checkpoints" not in extra:
        extra = (*extra, "--checkpoints", str(_LOGS[str(db)]))
    code = main(["audit", "verify", "--db", str(db), "--lang", lang, *extra])
    out, err = capsys.readouterr()
    return code, out, err


@contextlib.contextmanager
def tampering(db: str | Path) -> Iterator[Plain]:
    """A plain connection to the database, append-only triggers dropped, committed at the end."""
    conn = Plain(db)
    try:
        on = " ON ledger" if conn.postgresql else ""
        conn.execute(f"DROP TRIGGER ledger_no_update{on}")
        conn.execute(f"DROP TRIGGER ledger_no_delete{on}")
        yield conn
        conn.commit()
    finally:
        conn.close()


def entry_of(conn: Plain, kind: str, receipt: str) -> tuple[int, int | None]:
    """(ledger seq, event seq) of the entry of ``kind`` for an application."""
    return conn.execute("SELECT seq, event_seq FROM ledger WHERE kind = ? AND receipt_no = ?", [kind, receipt]).fetchone()


def rechain(conn: Plain) -> None:
    """What a forger does after an edit: renumber the entries 1, 2, 3 …, recompute every row's
    digest and every hash — the chain is consistent again."""
    rows = conn.execute(f"{ledger._ENTRY_SELECT} ORDER BY seq").fetchall()
    conn.execute("DELETE FROM ledger")
    prev = ledger.GENESIS_HASH
    for seq, row in enumerate(rows, start=1):
        entry = ledger.Entry(*row)
        if entry.kind == "created":
            digest = ledger.envelope_record(conn, entry.envelope_id)[0]
        else:
            digest = ledger.event_record(conn, entry.event_seq)[0]
        entry = dataclasses.replace(entry, seq=seq, digest=digest, prev_hash=prev)
        entry = dataclasses.replace(entry, hash=ledger.entry_hash(prev, entry))
        conn.execute("INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", list(dataclasses.astuple(entry)))
        prev = entry.hash


# -- the untouched history -------------------------------------------------------------------


def test_an_untouched_exchange_verifies_clean(db: str | Path, capsys) -> None:
    code, out, err = verify(capsys, db)
    assert code == 0, out + err
    assert out.strip() == (
        "The exchange's ledger is intact: 12 entries, 3 signed checkpoints checked (covering entries up to 12)."
    )
    conn = Plain(db)
    kinds = [row[0] for row in conn.execute("SELECT kind FROM ledger ORDER BY seq")]
    assert kinds == ["created"] * 4 + ["received"] * 4 + ["approved", "rejected", "supplement_needed", "approved"]
    assert all(at.endswith("Z") for (at,) in conn.execute("SELECT at FROM ledger"))  # UTC
    conn.close()
    lines = checkpoints_of(db).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [4, 8, 12]
    assert [json.loads(line)["first"] for line in lines] == [1, 5, 9]


def test_the_program_cannot_rewrite_its_ledger(db: str | Path) -> None:
    for sql in ("UPDATE ledger SET at = 'x' WHERE seq = 1", "DELETE FROM ledger WHERE seq = 12"):
        conn = Plain(db)
        with pytest.raises(Exception, match="append-only"):  # sqlite3.IntegrityError, psycopg's RaiseException
            conn.execute(sql)
        conn.close()


# -- the six tamperings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "sql", "kind", "receipt"),
    [
        ("events", "UPDATE events SET result = '营业执照 91522325MA6DFORGED' WHERE seq = :event", "approved", "A"),
        ("events", "UPDATE events SET kind = 'approved', reason = '' WHERE seq = :event", "rejected", "B"),
        ("envelopes", "UPDATE envelopes SET payload = replace(payload, '企业设立登记', '企业注销登记') WHERE receipt_no = :receipt", "created", "C"),
        ("items", "UPDATE items SET name = '食品经营许可' WHERE envelope_id = "
                  "(SELECT envelope_id FROM envelopes WHERE receipt_no = :receipt)", "created", "D"),
    ],
)
def test_an_edit_is_found_at_its_entry(db: str | Path, capsys, table: str, sql: str, kind: str, receipt: str) -> None:
    with tampering(db) as conn:
        seq, event = entry_of(conn, kind, RECEIPTS[receipt])
        assert conn.execute(sql, {"event": event, "receipt": RECEIPTS[receipt]}).rowcount == 1
    code, out, _ = verify(capsys, db)
    assert code == 1
    assert f"tampered with: 1 problem, the first at entry {seq}." in out
    assert f"entry {seq} records" in out and "which was changed after it was recorded" in out
    assert RECEIPTS[receipt] in out


def test_a_deletion_is_found_where_the_entry_was(db: str | Path, capsys) -> None:
    """B's rejection erased: its event row and its ledger entry."""
    with tampering(db) as conn:
        seq, event = entry_of(conn, "rejected", RECEIPTS["B"])
        conn.execute("UPDATE items SET decision = NULL, event_seq = NULL WHERE event_seq = ?", [event])
        conn.execute("DELETE FROM events WHERE seq = ?", [event])
        conn.execute("DELETE FROM ledger WHERE seq = ?", [seq])
    code, out, _ = verify(capsys, db)
    assert code == 1
    assert f"the first at entry {seq}." in out and f"entry {seq} is missing (deleted)" in out


def test_a_deleted_row_is_found_even_when_its_entry_stays(db: str | Path, capsys) -> None:
    with tampering(db) as conn:
        seq, event = entry_of(conn, "approved", RECEIPTS["D"])
        conn.execute("DELETE FROM events WHERE seq = ?", [event])
    code, out, _ = verify(capsys, db)
    assert code == 1
    assert f"the first at entry {seq}." in out and "which is no longer in the database (deleted)" in out


def test_a_reordering_is_found_at_the_first_entry_moved(db: str | Path, capsys) -> None:
    """Entries 5 and 7 swap places (every field but the position)."""
    with tampering(db) as conn:
        five, seven = (conn.execute(f"{ledger._ENTRY_SELECT} WHERE seq = ?", [s]).fetchone() for s in (5, 7))
        conn.execute("DELETE FROM ledger WHERE seq IN (5, 7)")
        conn.execute("INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [5, *seven[1:]])
        conn.execute("INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [7, *five[1:]])
    code, out, _ = verify(capsys, db)
    assert code == 1
    assert "the first at entry 5." in out and "entry 5 does not link to the entry before it" in out
    assert "rewritten" not in out  # the chain itself shows it: no need to blame a re-chaining


def test_a_truncated_tail_is_found_by_the_signed_checkpoint(db: str | Path, capsys) -> None:
    """The last two decisions cut off with their entries: the chain alone is consistent."""
    with tampering(db) as conn:
        conn.execute("UPDATE items SET decision = NULL, event_seq = NULL WHERE event_seq IN "
                     "(SELECT event_seq FROM ledger WHERE seq > 10)")
        conn.execute("DELETE FROM events WHERE seq IN (SELECT event_seq FROM ledger WHERE seq > 10)")
        conn.execute("DELETE FROM ledger WHERE seq > 10")
    assert verify(capsys, db, "--chain-only")[0] == 0  # invisible without the checkpoints
    code, out, _ = verify(capsys, db)
    assert code == 1
    assert "the first at entry 11." in out
    assert "the exchange signed entry 12 at" in out and "the chain ends at entry 10: entries 11 to 12 were cut off" in out


def test_a_rechained_history_is_found_at_the_first_rewritten_entry(db: str | Path, capsys) -> None:
    """B's rejection reason edited, then every digest and hash recomputed."""
    with tampering(db) as conn:
        seq, event = entry_of(conn, "rejected", RECEIPTS["B"])
        conn.execute("UPDATE events SET reason = '申请人主动撤回' WHERE seq = ?", [event])
        rechain(conn)
    assert verify(capsys, db, "--chain-only")[0] == 0  # the chain alone holds together
    code, out, _ = verify(capsys, db)
    assert code == 1
    assert f"1 problem, the first at entry {seq}." in out
    assert f"entry {seq} is not the entry the exchange signed at" in out and "(the checkpoint of entry 12)" in out
    assert f"the history from entry {seq} on was rewritten and its hashes computed again" in out


def test_an_erased_application_is_found_where_it_was(db: str | Path, capsys) -> None:
    """Application B gone: its envelope, items, events and entries; the rest renumbered and re-chained."""
    with tampering(db) as conn:
        first = conn.execute("SELECT min(seq) FROM ledger WHERE receipt_no = ?", [RECEIPTS["B"]]).fetchone()[0]
        envelope = "(SELECT envelope_id FROM envelopes WHERE receipt_no = :r)"
        for sql in (f"DELETE FROM events WHERE envelope_id = {envelope}", f"DELETE FROM items WHERE envelope_id = {envelope}",
                    "DELETE FROM envelopes WHERE receipt_no = :r", "DELETE FROM ledger WHERE receipt_no = :r"):
            conn.execute(sql, {"r": RECEIPTS["B"]})
        rechain(conn)
        assert conn.execute("SELECT count(*) FROM ledger").fetchone()[0] == 9
    assert verify(capsys, db, "--chain-only")[0] == 0
    code, out, _ = verify(capsys, db)
    assert code == 1
    assert first == 2 and "the first at entry 2." in out
    assert "entry 2 is not the entry the exchange signed" in out
    assert "the chain ends at entry 9: entries 10 to 12 were cut off" in out


def test_the_report_is_in_chinese_too(db: str | Path, capsys) -> None:
    with tampering(db) as conn:
        conn.execute("DELETE FROM ledger WHERE seq = 6")
    code, out, _ = verify(capsys, db, lang="zh")
    assert code == 1
    assert "交换平台账本被篡改：2 处问题，第一处在第 6 条记录。" in out and "第 6 条记录缺失（被删除）" in out
    assert "在数据库中，却不在账本中" in out  # its row stays, now unrecorded


# -- what else an auditor is told ------------------------------------------------------------


def test_a_row_written_around_the_exchange_is_found(db: str | Path, capsys) -> None:
    with tampering(db) as conn:
        conn.execute(
            "INSERT INTO events (window_id, envelope_id, kind, item, result, at) SELECT window_id, envelope_id, "
            "'approved', ?, '营业执照 forged', '2026-11-27T10:00:00+08:00' FROM envelopes WHERE receipt_no = ?",
            [ITEM, RECEIPTS["C"]],
        )
    code, out, _ = verify(capsys, db)
    assert code == 1
    assert "(outside the chain)" in out and "is in the database but not in the ledger" in out


def test_a_forged_or_altered_checkpoint_is_not_trusted(db: str | Path, capsys) -> None:
    log = checkpoints_of(db)
    lines = log.read_text(encoding="utf-8").splitlines()
    altered = json.loads(lines[1])
    altered["at"] = "2027-01-01T00:00:00Z"
    conn = Plain(db)
    forged = ledger.make_checkpoint(conn, SigningKey.generate(), 0, "2026-11-27T01:00:00Z")
    conn.close()
    log.write_text("\n".join([lines[0], json.dumps(altered), lines[2], json.dumps(forged.to_json()), "not json"]) + "\n")
    code, out, _ = verify(capsys, db)
    assert code == 1
    assert "line 2 of the checkpoint log (the checkpoint of entry 8) cannot be trusted: the signature does not match" in out
    assert "line 4 of the checkpoint log (the checkpoint of entry 12) cannot be trusted: it is signed with key" in out
    assert "line 5 of the checkpoint log is not a checkpoint: not JSON" in out


def test_entries_after_the_last_checkpoint_are_reported_unsigned(fresh: str | Path, catalog, capsys) -> None:
    path = fresh
    store = open_store(path, every=2)
    for n in range(3):
        store.ingest("ZF-01", [make_envelope(receipt_no=f"522325-261127-ZF-01-TEST-010{n}-4P")], catalog)
    store.backend.close()  # a crash: no last checkpoint
    code, out, _ = verify(capsys, path)
    assert code == 0
    assert "3 entries, 1 signed checkpoint checked (covering entries up to 2); entries 3 to 3 are not signed yet." in out


def test_a_torn_last_checkpoint_line_is_ignored_and_repaired(db: str | Path, catalog, capsys) -> None:
    log = checkpoints_of(db)
    whole = log.read_bytes()
    with open(log, "ab") as handle:
        handle.write(b'{"type": "window-app exchange ledger checkpoint", "seq": 1')  # a crash mid-write
    code, out, _ = verify(capsys, db)
    assert code == 0 and "incomplete (cut short while written); not counted" in out
    store = open_store(db, every=1)
    assert log.read_bytes() == whole  # the torn line is dropped on open
    store.ingest("ZF-01", [make_envelope(receipt_no="522325-261127-ZF-01-TEST-0200-4P")], catalog)
    store.close()
    code, out, _ = verify(capsys, db)
    assert code == 0 and "13 entries, 4 signed checkpoints" in out


def test_the_exchange_will_not_start_on_a_database_cut_short(db: Path) -> None:
    with tampering(db) as conn:
        conn.execute("DELETE FROM events WHERE seq IN (SELECT event_seq FROM ledger WHERE seq > 10)")
        conn.execute("DELETE FROM ledger WHERE seq > 10")
    with pytest.raises(LedgerError) as refused:
        open_store(db)
    assert "signs ledger entry 12, but the database holds only 10 entries" in refused.value.words.en
    assert "move the checkpoint log aside" in refused.value.words.en


def test_verify_says_when_it_cannot_check(db: str | Path, tmp_path: Path, capsys) -> None:
    if is_postgresql(db):
        pytest.skip("about files")
    code, _, err = verify(capsys, tmp_path / "absent.db")
    assert code == 2 and "No exchange database" in err
    code, _, err = verify(capsys, db, "--demo", "--checkpoints", str(tmp_path / "absent.jsonl"))
    assert code == 2 and "Cannot read the checkpoint log" in err and "--chain-only" in err
    with pytest.raises(LedgerError) as unusable:  # the exchange would not start with it
        CheckpointLog(tmp_path / "no-such-dir" / "log.jsonl", demo_signing_key(ledger.DEMO_KEY_NAME))
    assert "cannot use the checkpoint log" in unusable.value.words.en
    code, _, err = verify(capsys, db, "--key-public", "ed25519:short")
    assert code == 2 and "wrong length or encoding" in err
    code, _, err = main(["audit", "verify", "--db", str(db), "--lang", "en"]), *capsys.readouterr()
    assert code == 2 and "public key is needed" in err
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    code, _, err = verify(capsys, other, "--chain-only")
    assert code == 2 and "not an exchange database with a ledger" in err


def test_a_database_from_before_the_ledger_is_recorded_when_opened(db: str | Path, capsys) -> None:
    """Drop the ledger and go back to the schema version before it: opening adds and fills it."""
    version = next(n for n, migration in enumerate(MIGRATIONS) if any("CREATE TABLE ledger" in str(s) for s in migration))
    with tampering(db) as conn:
        conn.execute("DROP TABLE ledger")
        if conn.postgresql:
            conn.execute("UPDATE exchange_schema_version SET version = ?", [version])
        else:
            conn.execute(f"PRAGMA user_version = {version}")
    checkpoints_of(db).unlink()
    ExchangeStore.open(db).close()
    code, out, _ = verify(capsys, db, "--chain-only")
    assert code == 0 and "intact: 12 entries" in out
    conn = Plain(db)
    kinds = [row[0] for row in conn.execute("SELECT kind FROM ledger ORDER BY seq")]
    conn.close()
    assert kinds[:4] == ["created"] * 4 and len(kinds) == 12


def test_audit_init_makes_a_private_key_file_and_verify_takes_its_public_half(
    fresh: str | Path, tmp_path: Path, catalog, capsys
) -> None:
    key_file = tmp_path / "keys" / "exchange.pem"
    assert main(["audit", "init", "--key", str(key_file), "--lang", "en"]) == 0
    public = capsys.readouterr().out.strip()
    assert public.startswith("ed25519:") and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert main(["audit", "init", "--key", str(key_file), "--lang", "en"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["audit", "public-key", "--key", str(key_file)]) == 0
    assert capsys.readouterr().out.strip() == public

    from window_app.trust.key_files import read_signing_key

    path = fresh
    signed = CheckpointLog(checkpoints_of(path), read_signing_key(key_file), every=1)
    store = ExchangeStore.open(path, checkpoints=signed)
    register_test_window(store)
    store.ingest("ZF-01", [make_envelope()], catalog)
    store.close()
    code, out, _ = verify(capsys, path, "--key-public", public)
    assert code == 0 and "1 entry, 1 signed checkpoint" in out
    code, out, _ = verify(capsys, path, "--demo")  # the demo key did not sign this exchange's checkpoints
    assert code == 1 and "not with a public key given for the exchange" in out


def test_a_row_digest_leaves_out_columns_added_later_with_empty_defaults() -> None:
    before = ledger.row_digest("events", ["seq", "kind"], [1, "approved"])
    assert ledger.row_digest("events", ["seq", "kind", "signature"], [1, "approved", ""]) == before
    assert ledger.row_digest("events", ["seq", "kind", "sealed"], [1, "approved", None]) == before
    assert ledger.row_digest("events", ["seq", "kind", "signature"], [1, "approved", "x"]) != before
    assert ledger.row_digest("envelopes", ["id", "state"], [1, "new"]) == ledger.row_digest("envelopes", ["id", "state"], [1, "decided"])
