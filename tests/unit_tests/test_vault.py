"""Personal data at rest (offline_cache/vault.py, window_app/trust/field_cipher.py): sealed
fields, blind-index search, locked reads refused in words, re-key, and an older installation's
plain rows sealed the first time a key exists. Real SQLite files, the real accept path."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_fixtures import NOW, accept, open_window_db, opening_intake, settings_for

from offline_cache import drafts, export, vault
from offline_cache.applications import get_application, list_applications
from offline_cache.audit import verify_chain
from offline_cache.db import Database
from window_app.domain.errors import WindowAppError
from window_app.trust.data_key import DataKey
from window_app.trust.field_cipher import FieldUnreadable, field_cipher, is_sealed

KEY = DataKey(bytes(range(32)))


def sealed_db(tmp_path: Path) -> tuple[Database, object]:
    settings = settings_for(tmp_path / "data")
    db = open_window_db(settings)
    vault.encrypt_plaintext_rows(db, KEY)
    return db, settings


def raw_rows(db: Database, sql: str) -> list[tuple]:
    return db.execute(sql).fetchall()


def test_accepted_personal_columns_are_sealed_and_open_with_the_key(tmp_path: Path) -> None:
    db, settings = sealed_db(tmp_path)
    accepted = accept(db, settings)
    (row,) = raw_rows(db, "SELECT applicant_name, applicant_number, phone, agent_name, intake, guide FROM applications")
    assert all(is_sealed(value) for value in row)
    detail = get_application(db, accepted.receipt_no)
    assert detail.summary.applicant_name == accepted.summary.applicant_name
    assert detail.summary.applicant_number == accepted.summary.applicant_number
    assert detail.intake.applicant.person.name == accepted.summary.applicant_name
    # The audit chain never held personal data: it still verifies, and says nothing of the name.
    assert verify_chain(db) is None
    audit_text = "".join(data for (data,) in raw_rows(db, "SELECT data FROM audit"))
    assert accepted.summary.applicant_name not in audit_text
    assert accepted.summary.applicant_number not in audit_text


def test_a_locked_database_refuses_personal_reads_in_words_and_a_keyed_one_reads(tmp_path: Path) -> None:
    db, settings = sealed_db(tmp_path)
    accepted = accept(db, settings)
    draft = opening_intake()
    drafts.save_draft(db, draft, NOW)
    db.data_key = None  # locked: the clerk signed out
    for read in (
        lambda: list_applications(db),
        lambda: list_applications(db, accepted.summary.applicant_number),
        lambda: get_application(db, accepted.receipt_no),
        lambda: drafts.list_drafts(db),
        lambda: drafts.load_draft(db, draft.draft_id),
        lambda: list(export.application_rows(db)),
        lambda: drafts.save_draft(db, opening_intake(), NOW),
        lambda: accept(db, settings),
    ):
        with pytest.raises(vault.DataLocked) as refused:
            read()
        words = refused.value.words
        assert "窗口已锁定" in words.zh and "登录" in words.zh
        assert "locked: sign in" in words.in_language("en")
    assert isinstance(refused.value, WindowAppError)
    db.data_key = KEY  # signed in again
    assert [s.applicant_name for s in list_applications(db)] == [accepted.summary.applicant_name]
    assert drafts.load_draft(db, draft.draft_id).applicant.enterprise.name == draft.applicant.enterprise.name


def test_search_by_exact_id_number_phone_and_name_prefix_goes_through_blind_indexes(tmp_path: Path) -> None:
    db, settings = sealed_db(tmp_path)
    newborn = accept(db, settings)
    name, number = newborn.summary.applicant_name, newborn.summary.applicant_number
    phone = get_application(db, newborn.receipt_no).intake.applicant.person.phone

    def found(query: str) -> list[str]:
        return [s.receipt_no for s in list_applications(db, query)]

    assert found(number) == [newborn.receipt_no]
    assert found(number.lower()) == [newborn.receipt_no]  # a typed x finds the X
    assert found(f" {number} ") == [newborn.receipt_no]
    assert found(number[:-1]) == []  # exact only: a fragment of an ID number finds nothing
    assert found(phone) == [newborn.receipt_no]
    for prefix in (name[:1], name[:2], name, name[1:]):
        assert found(prefix) == [newborn.receipt_no], prefix
    assert found(name + "x") == []
    assert found(newborn.receipt_no[-6:]) == [newborn.receipt_no]  # receipt numbers as text
    # The search uses the indexes, not the sealed values: the plan names them.
    plan = " ".join(
        row[-1]
        for row in db.execute(
            "EXPLAIN QUERY PLAN SELECT receipt_no FROM application_name_index WHERE token = ?", [b"x"]
        )
    )
    assert "USING PRIMARY KEY" in plan or "USING COVERING INDEX" in plan


def test_a_long_name_query_is_checked_against_the_whole_name(tmp_path: Path) -> None:
    db, settings = sealed_db(tmp_path)
    startup = accept(db, settings, opening_intake())
    name = startup.summary.applicant_name
    assert len(name) > 4
    assert [s.receipt_no for s in list_applications(db, name)] == [startup.receipt_no]
    assert list_applications(db, name[:4] + "不是") == []


def test_a_ciphertext_moved_to_another_row_does_not_open(tmp_path: Path) -> None:
    db, settings = sealed_db(tmp_path)
    first = accept(db, settings)
    second = accept(db, settings, opening_intake())
    # Someone with the file copies the first application's ID number into the second row.
    db.execute(
        "UPDATE applications SET applicant_number = (SELECT applicant_number FROM applications WHERE receipt_no = ?) "
        "WHERE receipt_no = ?",
        [first.receipt_no, second.receipt_no],
    )
    with pytest.raises(FieldUnreadable) as refused:
        get_application(db, second.receipt_no)
    assert "moved here from another place" in refused.value.words.in_language("en")
    # … and into another column of the same row.
    cipher = field_cipher(KEY)
    (number,) = db.execute("SELECT applicant_number FROM applications WHERE receipt_no = ?", [first.receipt_no]).fetchone()
    with pytest.raises(FieldUnreadable):
        cipher.open(number, table="applications", column="phone", row=first.receipt_no)
    assert cipher.open(number, table="applications", column="applicant_number", row=first.receipt_no) == (
        first.summary.applicant_number
    )


def test_rekey_reads_everything_under_the_new_key_and_nothing_under_the_old(tmp_path: Path) -> None:
    db, settings = sealed_db(tmp_path)
    newborn = accept(db, settings)
    draft = opening_intake()
    drafts.save_draft(db, draft, NOW)
    new_key = DataKey.generate()

    assert vault.rekey(db, KEY, new_key) == 2
    assert vault.keys_in_use(db) == {new_key.key_id: 6 + 2}
    assert vault.stored_key_id(db) == new_key.key_id
    assert db.data_key == new_key
    assert [s.receipt_no for s in list_applications(db, newborn.summary.applicant_number)] == [newborn.receipt_no]
    assert [s.receipt_no for s in list_applications(db, newborn.summary.applicant_name[:1])] == [newborn.receipt_no]
    assert drafts.load_draft(db, draft.draft_id).applicant.enterprise.name == draft.applicant.enterprise.name

    db.data_key = KEY  # a clerk still holding the old key
    with pytest.raises(vault.DataKeyMismatch):
        drafts.save_draft(db, opening_intake(), NOW)
    with pytest.raises(FieldUnreadable) as refused:
        get_application(db, newborn.receipt_no)
    assert refused.value.key_id == new_key.key_id
    # The old key's blind indexes find nothing any more either.
    assert list_applications(db, newborn.summary.applicant_number) == []
    with pytest.raises(vault.DataKeyMismatch):
        vault.rekey(db, KEY, DataKey.generate())


def test_an_older_installations_plain_rows_are_sealed_once_and_leave_no_plain_copy(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data")
    db = open_window_db(settings)  # no key yet: an installation from before clerk accounts
    newborn = accept(db, settings)
    draft = opening_intake()
    drafts.save_draft(db, draft, NOW)
    name, number = newborn.summary.applicant_name, newborn.summary.applicant_number
    assert list_applications(db, number[3:9])  # plain text: found anywhere, as before
    # The sync engine concluded it while plain: the conclusion named the applicant.
    db.execute(
        "UPDATE applications SET conclusion = ? WHERE receipt_no = ?",
        [f"结论\n申请人：{name}\n共 1 项", newborn.receipt_no],
    )

    assert vault.encrypt_plaintext_rows(db, KEY) == 2
    assert vault.encrypt_plaintext_rows(db, KEY) == 0  # idempotent
    assert vault.keys_in_use(db) == {KEY.key_id: 8}
    db.close()
    for suffix in ("", "-wal"):
        path = Path(f"{settings.database_path}{suffix}")
        if path.exists():
            data = path.read_bytes()
            for secret in (name, number, draft.applicant.enterprise.name):
                assert secret.encode("utf-8") not in data, (suffix, secret)

    db = open_window_db(settings)
    db.data_key = KEY
    detail = get_application(db, newborn.receipt_no)
    assert detail.summary.applicant_name == name
    assert f"申请人：{name}" in (detail.conclusion or "")
    assert [s.receipt_no for s in list_applications(db, number)] == [newborn.receipt_no]
    assert drafts.load_draft(db, draft.draft_id).applicant.enterprise.name == draft.applicant.enterprise.name
    rows = list(export.application_rows(db))
    assert {row["applicant_number"] for row in rows} == {number}
    db.close()


def test_the_migration_keeps_the_materials_verified_by_data_sharing_readable_locked(tmp_path: Path) -> None:
    db, settings = sealed_db(tmp_path)
    accepted = accept(db, settings)
    from offline_cache import progress

    intake = get_application(db, accepted.receipt_no).intake
    expected = {m for m, status in intake.materials.items() if status.verify_online}
    db.data_key = None
    assert progress.verify_online_materials(db, accepted.receipt_no) == expected
    with pytest.raises(vault.DataLocked):
        progress.intake_json(db, accepted.receipt_no)


def test_the_database_file_is_opened_with_secure_delete(tmp_path: Path) -> None:
    db, _ = sealed_db(tmp_path)
    assert db.execute("PRAGMA secure_delete").fetchone()[0] == 1
