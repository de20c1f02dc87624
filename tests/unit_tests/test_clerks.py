"""Clerk accounts through the Window: the first administrator, sign-in and its lock, roles
checked by the services, account changes in the audit chain. Real SQLite files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from offline_cache.audit import StoredEvent, stored_events
from tests.window_template import TEST_KDF
from window_app.config import SHIPPED_CONFIG, load_settings
from window_app.domain.clerks import AccountError, NotPermitted, Role
from window_app.domain.words import set_language
from window_app.intake.io import parse_intake
from window_app.window import Window

ROOT = Path(__file__).resolve().parents[2]
START = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


class Clock:
    """The window's clock, moved by the test (lock-outs run for minutes)."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def new_window(tmp_path: Path, clock: Clock):
    """A window on a fresh data dir: no account yet."""
    settings = load_settings(SHIPPED_CONFIG, environ={}, data_dir=str(tmp_path / "data"))
    window = Window.open(settings, clock=clock)
    yield window
    window.close()


@pytest.fixture
def staffed(new_window: Window) -> Window:
    """The first administrator A01 (PIN 246810) and an acceptor C02 (PIN 135792), nobody signed in."""
    new_window.create_first_administrator("A01", "王管理", "246810", kdf=TEST_KDF)
    new_window.add_clerk("C02", "李受理", (Role.ACCEPTOR,), "135792", kdf=TEST_KDF)
    new_window.lock()
    return new_window


def example_intake(name: str = "death_affairs"):
    intake, problems = parse_intake(json.loads((ROOT / "examples" / "applications" / f"{name}.json").read_text("utf-8")))
    assert not problems
    return intake


def test_a_new_window_has_no_account_and_its_first_one_is_signed_in_with_every_duty(new_window: Window) -> None:
    assert not new_window.has_clerks() and new_window.clerk is None
    clerk = new_window.create_first_administrator("A01", "王管理", "246810", kdf=TEST_KDF)
    assert new_window.has_clerks() and new_window.clerk == clerk
    assert set(clerk.roles) == {Role.ADMINISTRATOR, Role.SUPERVISOR, Role.ACCEPTOR}
    with pytest.raises(AccountError) as second:
        new_window.create_first_administrator("A02", "赵", "975310", kdf=TEST_KDF)
    assert second.value.kind == "exists"


def test_weak_pins_and_bad_ids_are_refused_in_words(new_window: Window) -> None:
    for clerk_id, pin, words in (
        ("A01", "1234", "PIN 至少 6 位"),
        ("A01", "123456", "顺序字符"),
        ("A01", "888888", "同一字符"),
        ("A 01", "246810", "工号须为"),
    ):
        with pytest.raises(AccountError) as refused:
            new_window.create_first_administrator(clerk_id, "王", pin, kdf=TEST_KDF)
        assert words in str(refused.value)
    assert not new_window.has_clerks()


def test_wrong_pins_count_down_then_lock_the_account_until_a_supervisor_or_time_lifts_it(
    staffed: Window, clock: Clock
) -> None:
    tries = []
    for _ in range(4):
        with pytest.raises(AccountError) as wrong:
            staffed.sign_in("C02", "000000")
        tries.append(str(wrong.value))
    assert tries == [f"PIN 不对，还可再试 {n} 次" for n in (4, 3, 2, 1)]
    with pytest.raises(AccountError) as locked:
        staffed.sign_in("C02", "000000")
    assert locked.value.kind == "locked" and "09:45 后可再试" in str(locked.value)
    with pytest.raises(AccountError) as still:
        staffed.sign_in("C02", "135792")  # the right PIN does not open a locked account
    assert still.value.kind == "locked"
    clock.now += dt.timedelta(minutes=16)
    assert staffed.sign_in("C02", "135792").id == "C02"

    staffed.lock()
    for _ in range(5):
        with pytest.raises(AccountError):
            staffed.sign_in("C02", "000000")
    staffed.sign_in("A01", "246810")
    staffed.unlock_clerk("C02")
    assert staffed.sign_in("C02", "135792").id == "C02"
    actions = [event.action for event in _account_events(staffed)]
    assert actions.count("clerk.locked_out") == 2 and "clerk.unlocked" in actions


def test_an_unknown_id_says_so(staffed: Window) -> None:
    set_language("en")
    try:
        with pytest.raises(AccountError) as unknown:
            staffed.sign_in("X99", "246810")
        assert str(unknown.value) == "No account has the clerk id “X99”"
    finally:
        set_language("zh")


def test_locking_forgets_the_data_key(staffed: Window) -> None:
    staffed.sign_in("C02", "135792")
    assert staffed.db.data_key is not None
    staffed.lock()
    assert staffed.db.data_key is None and staffed.clerk is None
    with pytest.raises(NotPermitted) as refused:
        staffed.accept(example_intake())
    assert str(refused.value).startswith("请先登录")


def test_roles_are_checked_by_the_services(staffed: Window) -> None:
    staffed.sign_in("A01", "246810")
    staffed.add_clerk("H03", "张帮办", (Role.HELPER,), "975310", kdf=TEST_KDF)
    staffed.sign_in("H03", "975310")
    draft = staffed.save_draft(example_intake())  # a helper fills in …
    with pytest.raises(NotPermitted) as refused:  # … and may not accept
        staffed.accept(staffed.load_draft(draft))
    assert "张帮办（H03） 无权受理" in str(refused.value)
    with pytest.raises(NotPermitted):
        staffed.add_clerk("X", "x", (Role.ACCEPTOR,), "975310", kdf=TEST_KDF)
    with pytest.raises(NotPermitted):
        staffed.quarantined()

    staffed.sign_in("C02", "135792")  # the acceptor accepts the helper's draft
    accepted = staffed.accept(staffed.load_draft(draft))
    assert staffed.application(accepted.receipt_no).clerk == "李受理（C02）"
    with pytest.raises(NotPermitted):
        staffed.add_clerk("X", "x", (Role.ACCEPTOR,), "975310", kdf=TEST_KDF)


def test_a_clerk_sees_their_own_applications_and_a_supervisor_sees_all(staffed: Window) -> None:
    staffed.sign_in("C02", "135792")
    mine = staffed.accept(example_intake()).receipt_no
    staffed.sign_in("A01", "246810")  # administrator, supervisor and acceptor
    theirs = staffed.accept(example_intake()).receipt_no
    assert {a.receipt_no for a in staffed.applications()} == {mine, theirs}
    staffed.sign_in("C02", "135792")
    assert [a.receipt_no for a in staffed.applications()] == [mine]
    with pytest.raises(NotPermitted):
        staffed.application(theirs)
    with pytest.raises(KeyError):
        staffed.application("no-such-receipt")


def test_disabling_removes_the_clerks_key_and_a_reset_pin_brings_them_back(staffed: Window) -> None:
    staffed.sign_in("A01", "246810")
    with pytest.raises(AccountError) as own:
        staffed.disable_clerk("A01")
    assert own.value.kind == "invalid"
    staffed.disable_clerk("C02")
    with pytest.raises(AccountError) as disabled:
        staffed.sign_in("C02", "135792")
    assert disabled.value.kind == "disabled"
    staffed.sign_in("A01", "246810")
    staffed.reset_pin("C02", "864209", kdf=TEST_KDF)
    with pytest.raises(AccountError):
        staffed.sign_in("C02", "135792")
    assert staffed.sign_in("C02", "864209").active


def test_the_last_administrator_keeps_the_role(staffed: Window) -> None:
    staffed.sign_in("A01", "246810")
    with pytest.raises(AccountError) as last:
        staffed.set_clerk_roles("A01", (Role.ACCEPTOR,))
    assert last.value.kind == "last_administrator"
    staffed.set_clerk_roles("C02", (Role.ACCEPTOR, Role.ADMINISTRATOR))
    assert staffed.set_clerk_roles("A01", (Role.SUPERVISOR,)).roles == (Role.SUPERVISOR,)
    assert staffed.clerk is not None and staffed.clerk.roles == (Role.SUPERVISOR,)  # the session follows


def test_a_rekey_keeps_every_active_clerk_able_to_sign_in(staffed: Window) -> None:
    staffed.sign_in("A01", "246810")
    old = staffed.db.data_key
    staffed.rekey()
    assert staffed.db.data_key is not None and staffed.db.data_key != old
    new = staffed.db.data_key
    assert staffed.sign_in("C02", "135792") and staffed.db.data_key == new


def test_account_changes_are_in_the_audit_chain_naming_who_made_them(staffed: Window) -> None:
    staffed.sign_in("A01", "246810")
    staffed.set_clerk_roles("C02", (Role.ACCEPTOR, Role.SOLE_APPROVER))
    events = _account_events(staffed)
    assert [(e.actor, e.action) for e in events[:2]] == [
        ("王管理（A01）", "clerk.first_administrator"),
        ("王管理（A01）", "clerk.added"),
    ]
    assert events[-1].actor == "王管理（A01）"
    assert json.loads(events[-1].data) == {"clerk": "C02", "roles": ["acceptor", "sole_approver"]}
    assert staffed.verify_audit(online=False).intact


def test_no_pin_is_stored(staffed: Window, tmp_path: Path) -> None:
    staffed.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    content = b"".join(path.read_bytes() for path in (tmp_path / "data").iterdir() if path.is_file())
    for pin in ("246810", "135792"):
        assert pin.encode() not in content


def test_settings_bound_the_lock(tmp_path: Path) -> None:
    from window_app.config import ConfigError

    with pytest.raises(ConfigError):
        load_settings(SHIPPED_CONFIG, environ={"WINDOW_APP_CLERKS_LOCK_AFTER_FAILURES": "0"}, data_dir=str(tmp_path))
    settings = load_settings(SHIPPED_CONFIG, environ={"WINDOW_APP_CLERKS_LOCK_AFTER_FAILURES": "2"}, data_dir=str(tmp_path))
    assert settings.clerks.lock_after_failures == 2


def _account_events(window: Window) -> list[StoredEvent]:
    """The audit rows about accounts (sign-ins left out), as stored."""
    return [
        event
        for event in stored_events(window.db)
        if event.action.startswith(("clerk.", "data_key.")) and event.action != "clerk.signed_in"
    ]
