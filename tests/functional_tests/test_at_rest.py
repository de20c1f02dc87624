"""Personal data at rest, as someone who copies the window's database file would find it.

Every shipped example (``examples/applications/``) is accepted at a window whose clerk is
signed in (the window data key on its database), one draft is kept; then the database file and
its WAL are read as bytes: none of the examples' names, ID numbers, phones or addresses is in
them, in UTF-8 or as JSON escapes them. A locked window refuses to show them, in words; signed
in again, it shows them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from offline_cache import applications as application_store
from offline_cache import drafts as draft_store
from offline_cache import vault
from tests.functional_tests.test_examples import EXAMPLE_FILES, FIXED_NOW, offering_of, region_offering
from tests.window_template import TEST_CLERK, TEST_PIN, open_signed_in
from window_app.config import SHIPPED_CONFIG, load_settings
from window_app.domain.clerks import NotPermitted
from window_app.intake.io import parse_intake
from window_app.window import Window

PERSONAL_KEYS = ("name", "id_number", "phone", "address", "uscc")


def personal_values(data: Any) -> set[str]:
    """Every string under a key that names a person's datum (``name``, ``father_id_number``,
    ``contact_phone``, ``business_address`` …), anywhere in an example."""
    found: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str) and any(word in key for word in PERSONAL_KEYS) and len(value) >= 2:
                found.add(value)
            else:
                found |= personal_values(value)
    elif isinstance(data, list):
        for value in data:
            found |= personal_values(value)
    return found


def forms(value: str) -> list[bytes]:
    """How a value can sit in a file: UTF-8, and inside JSON with non-ASCII escaped."""
    return [value.encode("utf-8"), json.dumps(value).strip('"').encode("ascii")]


@pytest.fixture
def accepted_examples(tmp_path: Path) -> Iterator[tuple[Path, dict[str, set[str]]]]:
    """Every example accepted in one data dir (each at a region that offers it), signed in;
    gives the data dir and each receipt number's personal values while one more window is
    open on it (its WAL is there to read too)."""
    data_dir = tmp_path / "data"
    receipts: dict[str, set[str]] = {}
    for example in EXAMPLE_FILES:
        data = json.loads(example.read_text(encoding="utf-8"))
        environ = {"WINDOW_APP_WINDOW_REGION": region_offering(offering_of(example))}
        settings = load_settings(SHIPPED_CONFIG, environ=environ, data_dir=str(data_dir))
        window = open_signed_in(settings, clock=lambda: FIXED_NOW)
        try:
            intake, problems = parse_intake(data)
            assert not problems and intake is not None
            receipts[window.accept(intake).receipt_no] = personal_values(data)
            if example == EXAMPLE_FILES[0]:
                draft, _ = parse_intake(data)
                window.save_draft(draft)  # a draft left for later holds the same data
        finally:
            window.close()
    settings = load_settings(SHIPPED_CONFIG, environ={}, data_dir=str(data_dir))
    window = open_signed_in(settings, clock=lambda: FIXED_NOW)
    try:
        window.save_draft(parse_intake(json.loads(EXAMPLE_FILES[-1].read_text(encoding="utf-8")))[0])
        yield data_dir, receipts
    finally:
        window.close()


def test_the_database_file_holds_no_name_id_number_or_phone_of_any_example(accepted_examples) -> None:
    data_dir, receipts = accepted_examples
    values = set().union(*receipts.values())
    assert len(values) > 3 * len(receipts)  # names, ID numbers and phones of every example
    files = [path for path in data_dir.rglob("*") if path.is_file()]  # the database, its WAL, key files
    assert {path.name for path in files} >= {"window.sqlite", "window.sqlite-wal"}, files
    for path in files:
        content = path.read_bytes()
        leaked = sorted(value for value in values for form in forms(value) if form in content)
        assert leaked == [], f"{path.name} holds {leaked}"


def test_a_locked_window_cannot_read_them_and_a_signed_in_one_can(accepted_examples) -> None:
    data_dir, receipts = accepted_examples
    settings = load_settings(SHIPPED_CONFIG, environ={}, data_dir=str(data_dir))
    window = Window.open(settings, clock=lambda: FIXED_NOW)
    try:
        receipt_no, values = next(iter(receipts.items()))
        for read in (window.applications, lambda: window.application(receipt_no), window.drafts):
            with pytest.raises(NotPermitted) as refused:  # the services: nobody signed in
                read()
            assert "请先登录" in refused.value.words.zh
        # Below them, the store itself cannot open a sealed value without the key.
        for read in (
            lambda: application_store.list_applications(window.db),
            lambda: application_store.get_application(window.db, receipt_no),
            lambda: draft_store.list_drafts(window.db),
        ):
            with pytest.raises(vault.DataLocked) as locked:
                read()
            assert "请先登录" in locked.value.words.zh
        window.sign_in(TEST_CLERK, TEST_PIN)
        assert {summary.receipt_no for summary in window.applications()} == set(receipts)
        detail = window.application(receipt_no)
        shown = {detail.summary.applicant_name, detail.summary.applicant_number} | personal_values(detail.intake.to_json())
        assert values <= shown
        assert all(draft.applicant_name for draft in window.drafts())
    finally:
        window.close()
