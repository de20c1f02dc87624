"""The tracking code: made at accept, stored with the application, printed on the receipt; the
digest the exchange keeps instead of it."""

from __future__ import annotations

import json
from pathlib import Path

from window_app.domain.tracking_code import (
    ALPHABET,
    CODE_LENGTH,
    code_matches,
    grouped,
    new_tracking_code,
    tracking_digest,
)
from window_app.intake.io import parse_intake
from window_app.tracking import tracking_link
from window_app.window import Window

EXAMPLES = Path(__file__).parents[2] / "examples" / "applications"


def accepted(window: Window, name: str) -> str:
    intake, problems = parse_intake(json.loads((EXAMPLES / f"{name}.json").read_text("utf-8")))
    assert not problems
    return window.accept(intake).receipt_no


def test_codes_are_short_unambiguous_and_different_each_time() -> None:
    codes = {new_tracking_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET)
    assert not set("01OIL") & set(ALPHABET)


def test_the_digest_checks_the_code_as_typed_and_never_contains_it() -> None:
    digest = tracking_digest("5223252026112700001", "K7QM3XH9")
    assert "K7QM3XH9" not in digest and digest.startswith("scrypt$")
    assert code_matches("5223252026112700001", "k7qm-3xh9", digest)  # as read back from the slip
    assert not code_matches("5223252026112700001", "K7QM3XH8", digest)
    assert not code_matches("5223252026112700002", "K7QM3XH9", digest)  # salted by the receipt number
    assert not code_matches("5223252026112700001", "K7QM3XH9", "sha256$" + digest)


def test_accept_stores_a_code_that_the_receipt_prints_with_the_link(window: Window) -> None:
    receipt_no = accepted(window, "house_transfer")
    detail = window.application(receipt_no)
    code = detail.tracking_code
    assert len(code) == CODE_LENGTH and code not in detail.intake.applicant.person.id_number
    link = window.tracking_link(detail)
    assert link == f"http://127.0.0.1:8700/t/{receipt_no}?c={code}"
    assert link == tracking_link(window.settings, receipt_no, code)
    text = window.receipt_text(receipt_no)
    assert grouped(code) in text and "贞丰县珉谷街道龙井社区文庙路56号" in text
    assert accepted(window, "newborn") != receipt_no
