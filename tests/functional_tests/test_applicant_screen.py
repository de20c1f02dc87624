"""The applicant step: checked as typed, the message at the field, Ctrl+N refuses until valid."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.widgets import Checkbox, Input, RadioButton

from screens.applicant import ApplicantScreen
from screens.situation import SituationScreen
from tests.functional_tests.shell_helpers import (
    OTHER_VALID_ID,
    SIZE,
    VALID_ID,
    VALID_PHONE,
    VALID_USCC,
    WRONG_CHECK_ID,
    anyio_backend,  # noqa: F401  (fixture)
    error_at,
    fill,
    make_app,
    offering_id,
    paste,
    start,
    type_text,
)

pytestmark = pytest.mark.anyio


async def test_invalid_id_is_shown_at_the_field_and_blocks_next(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "新生儿"))
        await fill(pilot, "#person-name", "王小明")
        await fill(pilot, "#person-phone", VALID_PHONE)
        await fill(pilot, "#person-id", WRONG_CHECK_ID, typed=True)
        # shown as soon as all 18 characters are there, before leaving the field
        assert error_at(app, "person-id") == "身份证号码校验码不正确"
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ApplicantScreen)
        assert app.focused is app.screen.query_one("#person-id", Input)
        # fixing it clears the message as typed
        await pilot.press("backspace")
        await type_text(pilot, VALID_ID[-1])
        assert error_at(app, "person-id") == ""


async def test_valid_applicant_advances(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "新生儿"))
        await fill(pilot, "#person-name", "王小明")
        await fill(pilot, "#person-id", VALID_ID)
        await fill(pilot, "#person-phone", VALID_PHONE)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, SituationScreen)
        person = app.intake.applicant.person
        assert (person.name, person.id_number, person.phone) == ("王小明", VALID_ID, VALID_PHONE)
        assert app.intake.step == "situation"
        # the draft was saved on the way
        assert window.load_draft(app.intake.draft_id).applicant.person.name == "王小明"


async def test_partial_values_are_not_judged_until_leaving_the_field(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "新生儿"))
        await fill(pilot, "#person-id", "5223", typed=True)
        assert error_at(app, "person-id") == ""  # still typing
        await pilot.press("tab")
        await pilot.pause()
        assert "18位" in error_at(app, "person-id")


async def test_required_fields_are_marked_on_next(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "新生儿"))
        assert error_at(app, "person-name") == ""
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ApplicantScreen)
        assert error_at(app, "person-name") == "请填写姓名"
        assert error_at(app, "person-id") == "请填写身份证号码"
        assert error_at(app, "person-phone") == "请填写联系电话"
        assert app.focused is app.screen.query_one("#person-name", Input)


async def test_messages_follow_the_language(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "新生儿"))
        await fill(pilot, "#person-id", WRONG_CHECK_ID)
        await pilot.press("f2")
        await pilot.pause()
        assert error_at(app, "person-id") == "The check digit of the resident ID number is wrong"
        await pilot.press("f2")
        await pilot.pause()
        assert error_at(app, "person-id") == "身份证号码校验码不正确"


async def test_enterprise_bundle_defaults_to_enterprise(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "企业开办"))
        screen = app.screen
        assert screen.query_one("#kind-enterprise", RadioButton).value
        assert screen.query_one("#enterprise-section").display
        assert app.focused is screen.query_one("#enterprise-name", Input)
        await start_person_bundle_kind(pilot, window)


async def start_person_bundle_kind(pilot, window):
    pilot.app.goto_step("pick")
    await pilot.pause()
    await start(pilot, offering_id(window, "新生儿"))
    assert pilot.app.screen.query_one("#kind-person", RadioButton).value
    assert not pilot.app.screen.query_one("#enterprise-section").display


async def test_enterprise_applicant_with_uscc_and_contact(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "企业注销"))
        await fill(pilot, "#enterprise-name", "贞丰县某某商贸有限公司")
        await fill(pilot, "#enterprise-uscc", VALID_USCC.lower(), typed=True)  # typed in lower case
        assert app.screen.query_one("#enterprise-uscc", Input).value == VALID_USCC
        assert error_at(app, "enterprise-uscc") == ""
        await fill(pilot, "#enterprise-uscc", VALID_USCC[:-1] + ("0" if VALID_USCC[-1] != "0" else "1"))
        assert "校验码" in error_at(app, "enterprise-uscc")
        await fill(pilot, "#enterprise-uscc", VALID_USCC)
        await fill(pilot, "#legal-name", "张三")
        await fill(pilot, "#legal-id", VALID_ID)
        await fill(pilot, "#person-name", "李四")
        await fill(pilot, "#person-phone", VALID_PHONE)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not isinstance(app.screen, ApplicantScreen)
        applicant = app.intake.applicant
        assert applicant.kind == "enterprise"
        assert applicant.enterprise.uscc == VALID_USCC
        assert applicant.enterprise.legal_representative.name == "张三"
        assert applicant.person.name == "李四"


async def test_agent_toggle_asks_for_the_agent(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "新生儿"))
        screen = app.screen
        assert not screen.query_one("#agent-section").display
        await fill(pilot, "#person-name", "王小明")
        await fill(pilot, "#person-id", VALID_ID)
        await fill(pilot, "#person-phone", VALID_PHONE)
        screen.query_one("#agent-toggle", Checkbox).value = True
        await pilot.pause()
        assert screen.query_one("#agent-section").display
        assert app.focused is screen.query_one("#agent-name", Input)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ApplicantScreen)
        assert error_at(app, "agent-name") == "请填写姓名"
        await fill(pilot, "#agent-name", "赵六")
        await fill(pilot, "#agent-id", VALID_ID)  # the applicant's own number
        await fill(pilot, "#agent-phone", VALID_PHONE)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert error_at(app, "agent-id") == "代办人不能是申请人本人"
        await fill(pilot, "#agent-id", OTHER_VALID_ID)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, SituationScreen)
        assert app.intake.applicant.agent.name == "赵六"


async def test_agent_switched_off_is_dropped(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "新生儿"))
        toggle = app.screen.query_one("#agent-toggle", Checkbox)
        toggle.value = True
        await pilot.pause()
        await fill(pilot, "#agent-name", "赵六")
        toggle.value = False
        await pilot.pause()
        app.screen.commit()
        assert app.intake.applicant.agent is None


async def test_full_width_punctuation_can_be_pasted(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "企业注销"))
        app.screen.query_one("#enterprise-name", Input).focus()
        await pilot.pause()
        await paste(pilot, "贵州（贞丰）某某有限公司")
        app.screen.commit()
        assert app.intake.applicant.enterprise.name == "贵州（贞丰）某某有限公司"


async def test_escape_goes_back_to_pick_keeping_what_was_typed(window):
    from screens.pick import PickScreen

    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "新生儿"))
        await fill(pilot, "#person-name", "王小明")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
    assert [d.applicant_name for d in window.drafts()] == ["王小明"]


async def test_enter_moves_to_the_next_field(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "新生儿"))
        await fill(pilot, "#person-name", "王小明")
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#person-id", Input)


async def test_f6_copies_the_legal_representative_into_the_contact(window):
    from tests.functional_tests.shell_helpers import footer_text

    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "企业开办"))
        assert "联系人同法定代表人" in footer_text(app)
        await fill(pilot, "#legal-name", "张三")
        await fill(pilot, "#legal-id", VALID_ID)
        await fill(pilot, "#legal-phone", VALID_PHONE)
        await pilot.press("f6")
        await pilot.pause()
        person = app.intake.applicant.person
        assert (person.name, person.id_number, person.phone) == ("张三", VALID_ID, VALID_PHONE)
        assert app.screen.query_one("#person-name", Input).value == "张三"
        await start_person_bundle_kind(pilot, window)
        assert "联系人同法定代表人" not in footer_text(app)


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("zh", "第 3 个字符是看不见的文字方向控制符 U+202E，请删除"),
        ("en", "Character 3 is an invisible direction mark (U+202E)"),
    ],
)
async def test_a_hidden_direction_mark_is_told_whole_at_the_field_at_80_columns(window, language, says):
    app = make_app(window)
    async with app.run_test(size=(80, 24)) as pilot:
        if language == "en":
            await pilot.press("f2")
        await start(pilot, offering_id(window, "新生儿"))
        app.screen.query_one("#person-name", Input).focus()
        await paste(pilot, "王小\u202e红")  # pasted: a keyboard does not type it
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ApplicantScreen)
        assert error_at(app, "person-name") == says
        label = app.screen.query_one("#person-name-row .field-error")
        # Shown whole: not cut at the terminal's right edge.
        assert label.region.right <= 80 and cell_len(says) <= label.region.width
