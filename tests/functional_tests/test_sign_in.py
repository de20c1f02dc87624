"""Accounts at the window's screens: first run, sign-in, the lock (key and idle), who may accept.

Each test opens its own window on a fresh data dir (the shared fixture comes signed in); accounts
are made with cheap argon2id parameters, except the first-run test, which goes through the screen.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time

import pytest
from textual.widgets import Input, Label

from screens.app import WindowApp
from screens.applicant import ApplicantScreen
from screens.first_run import FirstRunScreen
from screens.pick import PickScreen
from screens.sign_in import SignInScreen
from tests.functional_tests.shell_helpers import (
    CHEAP_KDF,
    anyio_backend,  # noqa: F401  (fixture)
    footer_text,
    offering_id,
    start,
)
from window_app.config import SHIPPED_CONFIG, load_settings
from window_app.domain.clerks import NotPermitted, Permission, Role
from window_app.window import Window

pytestmark = pytest.mark.anyio

SIZE = (80, 24)
ADMIN = ("A001", "王芳", "246813")
ACCEPTOR = ("B002", "李强", "135792")
HELPER = ("H003", "赵敏", "975310")
ADMINISTRATOR_ONLY = ("C004", "周杰", "864209")


def fresh_window(tmp_path, **clerk_settings) -> Window:
    """A window on a new data dir (no accounts), ``[clerks]`` settings changed as given."""
    settings = load_settings(SHIPPED_CONFIG, environ={}, data_dir=str(tmp_path / "data"))
    if clerk_settings:
        settings = dataclasses.replace(settings, clerks=dataclasses.replace(settings.clerks, **clerk_settings))
    return Window.open(settings)


def with_accounts(window: Window, *others: tuple[tuple[str, str, str], tuple[Role, ...]]) -> Window:
    """The administrator and ``others`` made, then the window locked (as a fresh start finds it)."""
    window.create_first_administrator(*ADMIN, kdf=CHEAP_KDF)
    for (clerk_id, name, pin), roles in others:
        window.add_clerk(clerk_id, name, roles, pin, kdf=CHEAP_KDF)
    window.lock()
    return window


@pytest.fixture
def window(tmp_path):  # shadows the shared one: a window without accounts
    opened = fresh_window(tmp_path)
    yield opened
    opened.close()


def make(window: Window) -> WindowApp:
    return WindowApp(window, cursor_blink=False, sync=False)


async def settle(pilot, until=lambda: True, seconds: float = 10.0) -> None:
    """Let workers finish and messages flow until ``until()`` holds (or the deadline passes)."""
    deadline = time.monotonic() + seconds
    while True:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if until() or time.monotonic() > deadline:
            return
        await asyncio.sleep(0.02)


async def put(pilot, selector: str, text: str) -> None:
    """Focus an input, clear it and type ``text`` key by key."""
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.pause()
    await pilot.press(*text)


async def sign_in(pilot, clerk_id: str, pin: str, *, then=None) -> None:
    await put(pilot, "#sign-in-id", clerk_id)
    await put(pilot, "#sign-in-pin", pin)
    await pilot.press("enter")
    await settle(pilot, then or (lambda: not isinstance(pilot.app.screen, SignInScreen)))


def header_clerk(app: WindowApp) -> str:
    return str(app.screen.query_one("#clerk-status", Label).render())


def message(app: WindowApp) -> str:
    screen = app.screen
    assert isinstance(screen, SignInScreen | FirstRunScreen)
    return screen.message


# -- first run -----------------------------------------------------------------------------


async def test_fresh_data_dir_makes_the_first_administrator_then_pick(window):
    app = make(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, FirstRunScreen)
        assert "F3" not in footer_text(app) and "办件" not in footer_text(app)
        await put(pilot, "#first-id", "A001")
        await put(pilot, "#first-name", "王芳")
        await put(pilot, "#first-pin", "246813")
        await put(pilot, "#first-pin-again", "246812")
        await pilot.press("enter")
        await settle(pilot)
        assert "两次输入的 PIN 不一致" in message(app)
        assert not window.has_clerks()
        await put(pilot, "#first-pin", "246813")
        await put(pilot, "#first-pin-again", "246813")
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, PickScreen))
        assert isinstance(app.screen, PickScreen)
        assert window.clerk is not None and window.clerk.id == "A001"
        assert set(window.clerk.roles) == {Role.ADMINISTRATOR, Role.SUPERVISOR, Role.ACCEPTOR}
        assert "王芳 A001 管理员" in header_clerk(app)
        assert "锁屏" in footer_text(app)


async def test_first_run_says_what_the_window_refused(window):
    app = make(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await put(pilot, "#first-id", "A001")
        await put(pilot, "#first-name", "王芳")
        await put(pilot, "#first-pin", "123456")
        await put(pilot, "#first-pin-again", "123456")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FirstRunScreen)
        assert "顺序字符" in message(app)
        assert app.focused is app.screen.query_one("#first-pin", Input)
        assert not window.has_clerks()


# -- sign-in -------------------------------------------------------------------------------


async def test_wrong_pin_says_how_many_tries_are_left(window):
    app = make(with_accounts(window))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert "未登录" in header_clerk(app)
        await sign_in(pilot, "A001", "999999", then=lambda: bool(message(app)) and "正在" not in message(app))
        assert isinstance(app.screen, SignInScreen)
        assert "PIN 不对，还可再试 4 次" in message(app)
        assert app.screen.query_one("#sign-in-pin", Input).value == ""  # typed again, not kept
        await sign_in(pilot, "A001", "246813")
        assert isinstance(app.screen, PickScreen)
        assert "王芳 A001" in header_clerk(app)


async def test_unknown_id_and_locked_account_are_told_in_words(tmp_path):
    window = with_accounts(fresh_window(tmp_path, lock_after_failures=2))
    app = make(window)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            told = lambda: bool(message(app)) and "正在" not in message(app)  # noqa: E731
            await sign_in(pilot, "Z999", "246813", then=told)
            assert "没有工号为“Z999”的账号" in message(app)
            await sign_in(pilot, "A001", "999999", then=told)
            await sign_in(pilot, "A001", "999998", then=lambda: "锁定" in message(app))
            assert "已锁定" in message(app) and "值班长解锁" in message(app)
            await sign_in(pilot, "A001", "246813", then=lambda: "锁定" in message(app))
            assert isinstance(app.screen, SignInScreen)  # the right PIN waits for the lock too
            assert window.session is None
    finally:
        window.close()


async def test_f2_switches_the_sign_in_screen_and_keeps_the_id(window):
    app = make(with_accounts(window))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await put(pilot, "#sign-in-id", "A001")
        await pilot.press("f2")
        await pilot.pause()
        assert "Sign in" in footer_text(app) and "f2 中文" in footer_text(app)
        assert app.screen.query_one("#sign-in-id", Input).value == "A001"
        assert "Not signed in" in header_clerk(app)


# -- the lock ------------------------------------------------------------------------------


async def test_lock_key_then_the_same_clerk_is_back_where_they_were(window):
    app = make(with_accounts(window))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await sign_in(pilot, "A001", "246813")
        await start(pilot, offering_id(window, "新生儿"))
        await put(pilot, "#person-name", "王小明")  # typed, not yet committed by a step change
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert window.session is None
        assert app.screen.query_one("#sign-in-id", Input).value == "A001"
        assert app.focused is app.screen.query_one("#sign-in-pin", Input)
        footer = footer_text(app)
        assert "登录" in footer and "语言" in footer and "退出" in footer
        for hidden in ("办件", "新办件", "同步", "锁屏"):
            assert hidden not in footer
        for key in ("f3", "f4", "f5", "ctrl+l"):  # nothing behind the lock answers
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, SignInScreen)
        await put(pilot, "#sign-in-pin", "246813")
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ApplicantScreen))
        assert isinstance(app.screen, ApplicantScreen)
        assert app.screen.query_one("#person-name", Input).value == "王小明"
        assert [draft.applicant_name for draft in window.drafts()] == ["王小明"]  # saved at the lock


async def test_another_clerk_starts_at_pick_and_the_application_waits_in_drafts(window):
    app = make(with_accounts(window, (ACCEPTOR, (Role.ACCEPTOR,))))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await sign_in(pilot, "A001", "246813")
        await start(pilot, offering_id(window, "新生儿"))
        await put(pilot, "#person-name", "王小明")
        await pilot.press("ctrl+l")
        await pilot.pause()
        await sign_in(pilot, "B002", "135792", then=lambda: isinstance(app.screen, PickScreen))
        assert isinstance(app.screen, PickScreen)
        assert app.intake is None
        assert len(app.screen_stack) == 2  # Textual's default screen and pick: nothing left behind
        assert "李强 B002 受理员" in header_clerk(app)
        assert [draft.applicant_name for draft in window.drafts()] == ["王小明"]


async def test_the_window_locks_itself_when_idle(tmp_path):
    window = with_accounts(fresh_window(tmp_path, idle_lock_minutes=0.02))  # 1.2 s untouched
    app = make(window)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await sign_in(pilot, "A001", "246813")
            assert isinstance(app.screen, PickScreen)
            await settle(pilot, lambda: isinstance(app.screen, SignInScreen), seconds=30)
            assert isinstance(app.screen, SignInScreen)
            assert window.session is None
            assert app.screen.locked_by is not None and app.screen.locked_by.id == "A001"
            await sign_in(pilot, "A001", "246813")
            assert isinstance(app.screen, PickScreen)
    finally:
        window.close()


# -- what a clerk may not do ---------------------------------------------------------------


async def test_a_helper_cannot_accept_and_is_told_who_can(window):
    app = make(with_accounts(window, (HELPER, (Role.HELPER,))))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await sign_in(pilot, "H003", "975310")
        assert "赵敏 H003 帮办代办员" in header_clerk(app)
        await start(pilot, offering_id(window, "新生儿"))
        await put(pilot, "#person-name", "王小明")
        app.screen.commit()
        app.goto_step("review")
        await pilot.pause()
        await pilot.press("f10")
        await pilot.pause()
        assert any("帮办代办员不能受理：请受理员受理" in n.message for n in app._notifications)
        assert window.applications() == []
        # The application is not lost: it waits as a draft for an acceptor.
        assert [draft.applicant_name for draft in window.drafts()] == ["王小明"]


async def test_an_escaped_not_permitted_shows_its_words_not_a_program_error(window):
    app = make(with_accounts(window, (HELPER, (Role.HELPER,))))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await sign_in(pilot, "H003", "975310")
        with pytest.raises(NotPermitted) as refused:
            window.require(Permission.QUARANTINE)
        app.report_unexpected(refused.value)
        await pilot.pause()
        body = str(app.screen.query_one("#dialog-body").render())
        assert "无权处理被交换平台退回的件" in body and "值班长" in body
        assert "程序出错" not in body


async def test_an_administrator_only_sees_no_applications_key_and_takes_no_application(window):
    app = make(with_accounts(window, (ADMINISTRATOR_ONLY, (Role.ADMINISTRATOR,))))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await sign_in(pilot, "C004", "864209")
        assert isinstance(app.screen, PickScreen)
        assert "办件" not in footer_text(app).replace("新办件", "")
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        app.start_intake(offering_id(window, "新生儿"))
        await pilot.pause()
        assert app.intake is None and isinstance(app.screen, PickScreen)
        assert any("无权填写申请" in n.message for n in app._notifications)
