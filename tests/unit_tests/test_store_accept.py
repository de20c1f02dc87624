"""Accepting: everything in one durable transaction, or nothing at all."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from catalog_builders import AGENT_ID, MOTHER_ID
from store_fixtures import (
    NOW,
    accept,
    newborn_intake,
    open_window_db,
    opening_intake,
    settings_for,
    table_counts,
    window_signature_holds,
)

from offline_cache.applications import (
    SequenceTaken,
    get_application,
    insert_accepted,
    next_receipt_sequence,
)
from offline_cache.drafts import list_drafts, save_draft
from offline_cache.outbox import count_unsent, list_envelopes
from tests.exchange_fixtures import opened
from window_app.domain.applications import ApplicationDetail
from window_app.domain.errors import StorageError
from window_app.domain.intake import MaterialStatus
from window_app.domain.wire import canonical_json
from window_app.trust.keys import SigningKey


@pytest.fixture
def settings(tmp_path):
    return settings_for(tmp_path / "data")


@pytest.fixture
def db(settings):
    opened = open_window_db(settings)
    yield opened
    opened.close()


def test_accepting_writes_the_application_its_parts_envelopes_and_audit_event(db, settings) -> None:
    accepted = accept(db, settings)

    assert table_counts(db) == {
        "applications": 1,
        "application_parts": 4,  # health / public security / medical insurance / social security
        "outbox": 4,
        "audit": 1,
        "receipt_sequence": 1,
        "drafts": 0,
    }
    detail = get_application(db, accepted.receipt_no)
    assert detail.summary.state == "accepted"
    assert detail.summary.applicant_name == "王小红"
    assert detail.summary.applicant_number == MOTHER_ID
    assert detail.clerk == "张敏（ZM01）" and detail.clerk_id == "ZM01" and detail.window_id == "ZF-01"
    assert detail.catalog_version == "test.1"
    assert detail.lead_department == "public_security"
    assert [event.action for event in detail.audit] == ["accepted"]
    assert detail.guide["stages"] == [
        ["birth_certificate"],
        ["hukou_registration"],
        ["medical_insurance_enrolment", "social_security_card"],
    ]
    # 1 + 1 + max(0, 10) working days from Friday 27 November
    assert (detail.promised_days, detail.promised_by) == (12, "2026-12-15")


def test_stage_one_parts_are_queued_and_later_ones_wait(db, settings) -> None:
    accepted = accept(db, settings)
    parts = {(p.department, p.stage): p.state for p in get_application(db, accepted.receipt_no).summary.parts}
    assert parts == {
        ("health", 1): "queued",
        ("public_security", 2): "waiting",
        ("medical_insurance", 3): "waiting",
        ("social_security", 3): "waiting",
    }
    outbox = {(e.envelope.department, e.envelope.stage): e.state for e in list_envelopes(db, accepted.receipt_no)}
    assert outbox == parts
    assert count_unsent(db) == 4


def test_each_department_receives_only_its_own_fields_and_materials(db, settings) -> None:
    accepted = accept(db, settings)
    documents = {(e.department, e.stage): opened(e) for e in accepted.envelopes}

    health = documents["health", 1]
    assert [item["id"] for item in health["items"]] == ["birth_certificate"]
    assert set(health["fields"]) == {
        "applicant_name",
        "applicant_id_number",
        "child_name",
        "child_birth_date",
        "child_sex",
    }
    assert health["fields"]["applicant_id_number"]["value"] == MOTHER_ID  # prefilled from the applicant
    assert set(health["materials"]) == {"id_card", "marriage_certificate"}

    police = documents["public_security", 2]
    assert set(police["fields"]) == {
        "applicant_name",
        "applicant_id_number",
        "child_name",
        "child_sex",
        "father_id_number",
    }
    assert set(police["materials"]) == {"birth_medical_certificate", "id_card", "hukou_booklet", "marriage_certificate"}
    assert police["materials"]["birth_medical_certificate"]["original_required"] is True
    assert police["depends_on"] == [
        {
            "item": "birth_certificate",
            "name": "出生医学证明办理",
            "department": "health",
            "department_name": "贞丰县卫生健康局",  # a department reads whose part it waits for
            "department_name_en": "Zhenfeng Health Commission",
            "result": "出生医学证明",
            "stage": 1,
        }
    ]

    insurance = documents["medical_insurance", 3]
    assert set(insurance["fields"]) == {"child_name", "applicant_phone"}
    # The father's ID goes to the police only.
    for envelope in accepted.envelopes:
        assert (AGENT_ID in json.dumps(opened(envelope), ensure_ascii=False)) == (envelope.department == "public_security")
        assert AGENT_ID not in envelope.payload.decode()  # and to nobody in the clear


def test_every_envelope_carries_the_applicant_and_the_pinned_catalog(db, settings) -> None:
    accepted = accept(db, settings)
    for envelope in accepted.envelopes:
        document = opened(envelope)
        assert document["receipt_no"] == accepted.receipt_no
        assert document["catalog_version"] == "test.1"
        assert document["offering"] == {"id": "newborn", "kind": "bundle", "name": "出生一件事", "name_en": "A child is born"}
        # These items declare no applicant_data: the default, the applicant's name and nothing more.
        assert document["applicant"] == {"kind": "person", "name": "王小红"}
        assert document["accepted_at"] == "2026-11-27T09:30:00+08:00"
        assert document["idempotency_key"] == f"{accepted.receipt_no}/{envelope.department}/{envelope.stage}"
        # Only the lead department learns which other parts exist.
        assert ("parts" in document) == (envelope.department == "public_security")


def test_shared_materials_are_marked_to_verify_online(db, settings) -> None:
    intake = opening_intake()
    del intake.materials["id_card"]  # shareable materials default to data sharing
    accepted = accept(db, settings, intake)

    detail = get_application(db, accepted.receipt_no)
    assert detail.intake.materials["id_card"] == MaterialStatus("shared", verify_online=True)
    assert detail.intake.materials["premises_proof"].verify_online is False
    licence = opened(next(e for e in accepted.envelopes if e.department == "market_regulation"))
    assert licence["materials"]["id_card"]["verify_online"] is True
    assert intake.materials.get("id_card") is None  # the caller's intake is left alone


def test_payloads_are_canonical_hashed_sealed_and_signed_with_the_window_key(db, settings) -> None:
    accepted = accept(db, settings)
    stored = {entry.envelope.envelope_id: entry.envelope for entry in list_envelopes(db, accepted.receipt_no)}
    for envelope in accepted.envelopes:
        assert stored[envelope.envelope_id] == envelope  # written byte for byte
        assert canonical_json(json.loads(envelope.payload)) == envelope.payload
        assert hashlib.sha256(envelope.payload).hexdigest() == envelope.payload_sha256
        assert window_signature_holds(db, settings, envelope.payload, envelope.signature)
        assert not window_signature_holds(db, settings, envelope.payload.replace(b"ZF-01", b"ZF-02"), envelope.signature)
        # Nothing of the applicant is in the clear: it opens only with the department's key.
        assert MOTHER_ID.encode() not in envelope.payload and "applicant" not in envelope.document()
        assert opened(envelope)["applicant"]
    # The database holds no key: the window's key is a file of its own, outside the data dir.
    assert db.execute("SELECT count(*) FROM meta WHERE key = 'signing_secret'").fetchone()[0] == 0


def test_a_department_with_items_in_two_stages_gets_two_envelopes(db, settings) -> None:
    intake = opening_intake()
    intake.answers["needs_invoice"] = "yes"  # 发票申领 needs the tax registration first
    intake.materials["invoice_form"] = MaterialStatus("original")
    accepted = accept(db, settings, intake)

    keys = sorted((e.department, e.stage) for e in accepted.envelopes)
    assert keys == [("market_regulation", 1), ("public_security", 2), ("tax", 2), ("tax", 3)]
    invoices = opened(next(e for e in accepted.envelopes if (e.department, e.stage) == ("tax", 3)))
    assert [item["id"] for item in invoices["items"]] == ["invoice_application"]
    assert [(d["item"], d["stage"]) for d in invoices["depends_on"]] == [("tax_registration", 2)]
    assert set(invoices["materials"]) == {"invoice_form", "id_card"}


def test_a_prerequisite_the_applicant_already_holds_is_external(db, settings) -> None:
    intake = opening_intake()
    intake.offering = "food_licence"
    intake.answers = {}
    intake.applicant.enterprise.uscc = "914403001922038216"
    intake.materials = {"food_safety_plan": MaterialStatus("original"), "premises_proof": MaterialStatus("copy")}
    intake.fields = {}
    accepted = accept(db, settings, intake)

    [envelope] = accepted.envelopes
    document = opened(envelope)
    assert document["offering"]["kind"] == "item"
    assert document["depends_on"][0]["item"] == "business_licence"
    assert document["depends_on"][0]["external"] is True
    assert [entry.state for entry in list_envelopes(db, accepted.receipt_no)] == ["queued"]
    assert get_application(db, accepted.receipt_no).summary.applicant_number == "914403001922038216"


def test_accepting_a_draft_removes_it_in_the_same_transaction(db, settings) -> None:
    intake = newborn_intake()
    save_draft(db, intake, NOW)
    other = save_draft(db, opening_intake(), NOW)
    accept(db, settings, intake)
    assert [draft.id for draft in list_drafts(db)] == [other]


def test_an_accept_cut_short_by_a_real_error_leaves_nothing_half_written(db, settings) -> None:
    intake = newborn_intake()
    save_draft(db, intake, NOW)
    before = table_counts(db)
    # The audit insert is the last write of the transaction: fail it the way a broken disk would.
    db.execute("CREATE TRIGGER disk_gone BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk gone'); END")

    with pytest.raises(StorageError) as caught:
        accept(db, settings, intake)

    assert "本次受理未写入" in caught.value.words.zh
    assert "disk gone" in caught.value.words.zh
    assert "was not written" in caught.value.words.en
    assert table_counts(db) == before  # no application, part, envelope, event; sequence not bumped
    assert [draft.id for draft in list_drafts(db)] == [intake.draft_id]
    assert not db.conn.in_transaction

    db.execute("DROP TRIGGER disk_gone")
    accepted = accept(db, settings, intake)
    assert accepted.receipt_no.endswith(f"-0001-{accepted.receipt_no[-2:]}")  # the number was not used up


def test_a_full_disk_mid_transaction_says_so_and_keeps_what_was_accepted(db, settings) -> None:
    first = accept(db, settings)
    before = table_counts(db)
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    # Not one more page may be allocated: SQLite answers SQLITE_FULL as on a full disk.
    db.execute(f"PRAGMA max_page_count = {pages}")

    with pytest.raises(StorageError) as caught:
        accept(db, settings, opening_intake())

    assert caught.value.kind == "full"
    assert caught.value.words.zh.startswith("磁盘空间已满：本次受理未写入，已受理的办件均完好")
    assert "The disk is full" in caught.value.words.en
    assert table_counts(db) == before
    assert get_application(db, first.receipt_no).summary.receipt_no == first.receipt_no


def test_a_database_locked_by_another_program_is_reported_in_words(settings) -> None:
    db = open_window_db(settings, busy_timeout_seconds=0.1)
    other = sqlite3.connect(settings.database_path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError) as caught:
            accept(db, settings)
        assert caught.value.kind == "locked"
        assert "数据库正被另一个程序占用，请关闭其他窗口程序后重试" in caught.value.words.zh
        assert "in use by another program" in caught.value.words.en
    finally:
        other.rollback()
        other.close()
    try:
        assert table_counts(db)["applications"] == 0
        accept(db, settings)  # the other program is gone: the window carries on
        assert table_counts(db)["applications"] == 1
    finally:
        db.close()


def test_the_accept_transaction_is_written_with_full_durability(db, settings) -> None:
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    accept(db, settings)
    db.conn.set_trace_callback(None)

    begin = statements.index("BEGIN IMMEDIATE")
    assert statements[begin - 1] == "PRAGMA synchronous = FULL"
    commit = statements.index("COMMIT", begin)
    assert statements[commit + 1] == "PRAGMA synchronous = NORMAL"
    writes = [s for s in statements[begin:commit] if s.lstrip().split()[0] in ("INSERT", "DELETE")]
    # sequence, application, parts, envelopes, audit, the notification's recipient and the notification,
    # the tracking record, signed head
    assert len(writes) == 1 + 1 + 4 + 4 + 1 + 2 + 1 + 1
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1


def test_a_sequence_taken_by_another_connection_is_not_reused(db, settings) -> None:
    proposed = next_receipt_sequence(db, NOW.date(), "ZF-01")
    other = open_window_db(settings)
    try:
        taken = accept(other, settings)  # the other process numbers its application first
    finally:
        other.close()
    detail = get_application(db, taken.receipt_no)
    stale = ApplicationDetail(**{**detail.__dict__, "audit": []})
    with pytest.raises(SequenceTaken):
        insert_accepted(db, stale, (), sequence=proposed, audit_data={}, head_key=SigningKey.generate())
    assert table_counts(db)["applications"] == 1

    # accept_intake itself proposes again and takes the next number.
    again = accept(db, settings)
    assert again.receipt_no.split("-")[-2] == "0002"


def test_a_number_another_connection_took_after_our_last_accept_is_not_reused(db, settings) -> None:
    # This connection proposes the number after the last one it wrote without reading the
    # counter; another process numbering in between is found in the transaction.
    first = accept(db, settings)
    other = open_window_db(settings)
    try:
        taken = accept(other, settings)
    finally:
        other.close()
    again = accept(db, settings)

    numbers = [receipt_no.split("-")[-2] for receipt_no in (first.receipt_no, taken.receipt_no, again.receipt_no)]
    assert numbers == ["0001", "0002", "0003"]
    assert table_counts(db)["applications"] == 3
    assert db.execute("SELECT last FROM receipt_sequence").fetchall() == [(3,)]


def test_the_accept_transaction_runs_only_its_writes_and_two_reads(db, settings) -> None:
    accept(db, settings)  # the first of the day inserts the counter row; this one bumps it
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    accept(db, settings)
    db.conn.set_trace_callback(None)

    begin = statements.index("BEGIN IMMEDIATE")
    commit = statements.index("COMMIT", begin)
    inside = [" ".join(s.split()) for s in statements[begin + 1 : commit]]
    assert [s for s in inside if s.startswith("SELECT")] == [
        "SELECT value FROM meta WHERE key = 'data_key_id'",  # the data key's mark, under the lock
        "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1",  # the chain's last hash, under the lock
    ]
    assert not [s for s in inside if s.startswith("PRAGMA")]
    assert inside[1].startswith("UPDATE receipt_sequence SET last = 2")
    assert not [s for s in statements if "FROM receipt_sequence" in s]  # no pre-read of the counter


def test_a_read_only_database_refuses_the_accept_in_words(db, settings) -> None:
    # What SQLite answers when the file or its directory cannot be written.
    db.execute("PRAGMA query_only = ON")
    with pytest.raises(StorageError) as caught:
        accept(db, settings)
    db.execute("PRAGMA query_only = OFF")

    assert caught.value.kind == "readonly"
    assert "只读或没有写入权限：本次受理未写入" in caught.value.words.zh
    assert "read-only" in caught.value.words.en
    assert table_counts(db)["applications"] == 0
