"""Cross-field rules refuse the same through ``window-app accept`` and on the form step.

The catalog declares them (the buyer is not the seller, a father's ID number is a man's, the
child's birth date is one fact); the clerk sees the refusal in words naming the fields, at the
fields, and nothing is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from screens.form import FormScreen
from screens.review import ReviewScreen
from tests.functional_tests.end_steps import BUYER, SELLER_ID, house_transfer
from tests.functional_tests.shell_helpers import (
    SIZE,
    anyio_backend,  # noqa: F401  (fixture)
    error_at,
    make_app,
    type_text,
)
from tests.functional_tests.test_cli import EXAMPLES, _pinned_clock, cli, data_dir, no_traceback  # noqa: F401  (fixtures)


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def refused(capsys, data_dir: str, tmp_path: Path, data: dict) -> list[str]:
    """Accept ``data`` through the CLI: it must be refused; returns the problem lines."""
    path = tmp_path / "application.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = cli(capsys, "--data-dir", data_dir, "accept", str(path))
    assert code == 1 and out == ""
    no_traceback(err)
    assert "未受理，未写入任何内容" in err
    code, out, _err = cli(capsys, "--data-dir", data_dir, "applications", "--json")
    assert code == 0 and json.loads(out) == []  # nothing was written
    return [line.strip() for line in err.splitlines() if line.startswith("  ")]


def test_accept_refuses_a_buyer_who_is_the_seller(capsys, tmp_path: Path, data_dir: str) -> None:
    data = example("house_transfer")
    data["fields"]["seller_id_number"] = data["applicant"]["person"]["id_number"]
    assert refused(capsys, data_dir, tmp_path, data) == [
        "fields.seller_id_number: “出卖人身份证号码”与“申请人身份证号码”不能相同"
    ]


def test_accept_refuses_a_child_born_after_the_delivery_date(capsys, tmp_path: Path, data_dir: str) -> None:
    data = example("newborn")
    data["fields"]["child_birth_date"] = "2026-11-21"
    data["fields"]["delivery_date"] = "2026-11-20"  # the old id of the same fact, as files wrote it
    [line] = refused(capsys, data_dir, tmp_path, data)
    assert line == "fields.child_birth_date: “子女出生日期”2026-11-21与旧字段“delivery_date”2026-11-20不一致（同一事实），请核对"


def test_accept_refuses_a_fathers_id_of_a_woman(capsys, tmp_path: Path, data_dir: str) -> None:
    data = example("newborn")
    data["fields"]["father_id_number"] = data["fields"]["mother_id_number"]
    lines = refused(capsys, data_dir, tmp_path, data)
    assert "fields.father_id_number: “父亲身份证号码”与“母亲身份证号码”不能相同" in lines
    assert "fields.father_id_number: “父亲身份证号码”应为男性号码（第17位现为偶数）" in lines


def test_accept_still_reads_a_file_with_the_merged_field_id(capsys, tmp_path: Path, data_dir: str) -> None:
    data = example("newborn")
    data["fields"]["delivery_date"] = data["fields"]["child_birth_date"]  # as written before the merge
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = cli(capsys, "--data-dir", data_dir, "accept", str(path))
    assert code == 0, err
    assert out.strip()


@pytest.mark.anyio
async def test_the_form_shows_a_rule_at_both_fields_and_blocks_next(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window, materials=True, fields=True)
        del intake.fields["seller_id_number"]
        pilot.app.intake = intake
        pilot.app.goto_step("form")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#field-seller_id_number").focus()
        await type_text(pilot, BUYER.id_number)  # the buyer's own number typed as the seller's
        said = "“出卖人身份证号码”与“申请人身份证号码”不能相同"
        assert error_at(app, "field-seller_id_number") == said
        assert error_at(app, "field-applicant_id_number") == said
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)  # refused like any other error
        assert error_at(app, "field-seller_id_number") == said
        assert app.focused is app.screen.query_one("#field-seller_id_number")  # the field the rule is about
        # corrected: both fields are clear, and the form lets the clerk on
        app.screen.query_one("#field-seller_id_number").value = ""
        await type_text(pilot, SELLER_ID)
        assert error_at(app, "field-seller_id_number") == ""
        assert error_at(app, "field-applicant_id_number") == ""
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)


def test_a_draft_saved_before_the_merge_opens_with_the_canonical_field(window) -> None:
    intake = window.new_intake("newborn")
    intake.fields.update(child_name="韦子睿", delivery_date="2026-11-20")  # as the form asked it then
    draft_id = window.save_draft(intake)

    opened = window.load_draft(draft_id)
    assert opened.fields == {"child_name": "韦子睿", "child_birth_date": "2026-11-20"}
    assert not [p for p in window.validate(opened, "form") if p.path == "fields.delivery_date"]
