"""Step 6, review and accept: the plan, the problems with their steps, F10, the receipt."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, OptionList, Static

from screens.form import FormScreen
from screens.pick import PickScreen
from screens.receipt import ReceiptScreen
from screens.review import ReviewScreen
from screens.widgets.dialog import Dialog
from tests.functional_tests.end_steps import BUYER, house_transfer
from tests.functional_tests.rating_steps import skip_rating
from tests.functional_tests.shell_helpers import (
    SIZE,
    anyio_backend,  # noqa: F401  (fixture)
    footer_text,
    make_app,
)
from window_app.domain.errors import StorageError
from window_app.domain.intake import MaterialStatus
from window_app.domain.words import Words
from window_app.trust.key_files import write_private_key
from window_app.trust.keys import SigningKey

pytestmark = pytest.mark.anyio


async def open_review(pilot, intake) -> ReviewScreen:
    pilot.app.intake = intake
    pilot.app.goto_step("review")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


def shown(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_review_shows_stages_materials_and_applicant(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window, materials=True, fields=True)
        intake.materials["utility_bill"] = MaterialStatus(state="deficient", promised_date="2026-12-02")
        await open_review(pilot, intake)
        plan = shown(app, "#review-plan")
        for words in ("第 1 阶段", "第 2 阶段", "第 3 阶段", "国家税务总局贞丰县税务局", "贞丰县不动产登记中心"):
            assert words in plan, words
        materials = shown(app, "#review-materials")
        assert "联网后核验 3" in materials
        assert "承诺 2026-12-02 前补交" in materials
        applicant = shown(app, "#review-applicant")
        assert BUYER.name in applicant and BUYER.id_number in applicant
        assert shown(app, "#review-verdict") == "✓ 检查通过，可以受理"
        assert not app.screen.query_one("#review-accept", Button).disabled
        footer = footer_text(app)
        assert "受理" in footer and "下一步" not in footer


async def test_f10_accepts_writes_application_and_outbox_and_shows_the_receipt(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window, materials=True, fields=True)
        await open_review(pilot, intake)
        await pilot.press("f10")
        await pilot.pause()
        receipt = app.screen
        assert isinstance(receipt, ReceiptScreen)
        receipt_no = receipt.receipt_no
        assert receipt_no in str(receipt.query_one("#receipt-text", Static).render())
        assert app.intake is None
        # in SQLite, through the facade: the application and one part (envelope) per department
        applications = window.applications()
        assert [a.receipt_no for a in applications] == [receipt_no]
        assert applications[0].applicant_name == BUYER.name
        detail = window.application(receipt_no)
        departments = {part.department for part in detail.summary.parts}
        assert departments == {"tax-522325", "real_estate_registry-522325", "power_grid-522325", "water_supply-522325"}
        assert all(part.envelope_id for part in detail.summary.parts)
        assert window.drafts() == []  # the draft went with the accept
        await pilot.press("escape")
        await skip_rating(pilot)  # the rating step (好差评) the applicant may skip
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)


async def test_p_prints_the_receipt_or_shows_where_it_was_saved(window, monkeypatch):
    # Over SSH no local printer is reachable: the PDF stays in the documents folder, path shown.
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.9 52000 10.0.0.5 22")
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window, materials=True, fields=True)
        await open_review(pilot, intake)
        await pilot.click("#review-accept")
        await pilot.pause()
        receipt = app.screen
        assert isinstance(receipt, ReceiptScreen)
        code = window.application(receipt.receipt_no).tracking_code
        assert f"{code[:4]}-{code[4:]}" in str(receipt.query_one("#receipt-text", Static).render())
        await pilot.press("p")
        await app.workers.wait_for_complete()
        await pilot.pause()
        path = Path(window.settings.data_dir) / "documents" / f"{receipt.receipt_no}-receipt.pdf"
        assert path.is_file() and path.read_bytes().startswith(b"%PDF")
        shown = str(receipt.query_one("#receipt-saved", Static).render())
        assert "SSH" in shown and str(path) in shown


async def test_problems_of_every_step_are_listed_and_lead_to_their_step(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window, materials=True, fields=True)
        del intake.fields["water_account"]
        del intake.materials["utility_bill"]
        await open_review(pilot, intake)
        options = app.screen.query_one("#review-problems", OptionList)
        texts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert texts == ["[材料清单] 请确认该材料的收取情况", "[一表申请] 请填写“用水户号”"]
        assert app.screen.query_one("#review-accept", Button).disabled
        await pilot.press("f10")  # refused: nothing written
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert window.applications() == []
        assert app.focused is options
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)


async def test_storage_error_is_told_in_words_and_the_application_stays(window, monkeypatch):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window, materials=True, fields=True)
        await open_review(pilot, intake)
        draft_id = intake.draft_id
        assert draft_id  # moving to the step saved it

        def disk_full(_intake):
            raise StorageError(Words("磁盘已满，受理未写入。", "The disk is full; nothing was written."), "full")

        monkeypatch.setattr(window, "accept", disk_full)
        await pilot.press("f10")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, Dialog)
        words = str(dialog.query_one("#dialog-body", Static).render())
        assert "磁盘已满，受理未写入。" in words and "草稿未删除" in words
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.intake is intake
        assert [draft.id for draft in window.drafts()] == [draft_id]


async def test_stages_say_what_waits_and_what_the_applicant_must_already_hold(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot, house_transfer(window, materials=True, fields=True))
        plan = shown(app, "#review-plan")
        assert "第 1 阶段（受理后即发送）" in plan
        assert "第 3 阶段（第 2 阶段办结后发送，2 个部门并联办理）" in plan
        assert "需先办结：" in plan
        # a single item whose prerequisite is not part of this application
        await open_review(pilot, window.new_intake("employer_social_insurance_registration"))
        licence = window.catalog.items["company_registration"]
        assert f"申请人须已取得：{licence.name.zh}" in shown(app, "#review-plan")


async def test_a_key_file_others_can_read_stops_accepting_in_words(window):
    """The window's signing key readable by other users is refused (real files, no patch)."""
    path = window.key_path()
    write_private_key(path, SigningKey.generate(), replace=True)
    path.chmod(0o644)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window, materials=True, fields=True)
        await open_review(pilot, intake)
        await pilot.press("f10")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, Dialog)
        words = str(dialog.query_one("#dialog-body", Static).render())
        assert "对其他用户可读" in words and "chmod 600" in words and words.count(".ed25519.pem") == 1 and "草稿未删除" in words
        assert window.applications() == []
    path.chmod(0o600)
