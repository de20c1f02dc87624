"""The safety net: an exception no screen expected never ends the clerk's session with a traceback.

The failures here are real, not monkeypatched raises: the SQLite file holds a record this
version cannot read, as happens when a newer window-app ran on the same data directory (an
upgrade rolled back at the window): its intake JSON has a field this version does not know,
and reading it raises ``TypeError`` deep in ``Intake.from_json``. The rows are written with the
standard ``sqlite3`` module, as that other program would write them.

When the pump that ran the failing handler goes on (every screen of the window, the app's key
bindings), the clerk gets a box in words and carries on. When Textual has stopped the pump (a
widget's own, here a card that reads the application when mounted), the app saves the draft,
logs, and exits with the same words on stderr and exit code 1.

Under ``run_test`` the first such exception is re-raised when the test's app ends (so a caught
failure never lets another test pass unnoticed): each test expects it with ``pytest.raises``.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from textual.widgets import DataTable, Input, Static

from screens.applicant import ApplicantScreen
from screens.application_detail import ApplicationDetailScreen
from screens.applications import ApplicationsScreen
from screens.situation import SituationScreen
from screens.widgets.dialog import Dialog
from tests.conftest import FIXED_NOW
from tests.functional_tests.end_steps import house_transfer
from tests.functional_tests.shell_helpers import (
    SIZE,
    VALID_ID,
    VALID_PHONE,
    anyio_backend,  # noqa: F401  (fixture)
    make_app,
    paste,
    type_text,
)
from tests.window_template import template_data_key
from window_app.incidents import log_path
from window_app.trust.field_cipher import field_cipher

pytestmark = pytest.mark.anyio

HEADLINE = "程序出错，本次操作未完成；已受理的办件和草稿均已保存。"
NEWER_VERSION_ERROR = "unexpected keyword argument 'email'"


def rewrite_as_a_newer_version(settings, table: str, column: str, key: str, value: str) -> None:
    """Store a row's intake JSON as a newer window-app writes it: the applicant has an e-mail
    address, a field this version does not know."""
    db = sqlite3.connect(settings.database_path)
    try:
        with db:
            (stored,) = db.execute(f"SELECT {column} FROM {table} WHERE {key} = ?", [value]).fetchone()
            # Sealed under the test window's data key (a signed-in clerk's): opened and sealed again.
            cipher = field_cipher(template_data_key())
            data = json.loads(cipher.open(stored, table=table, column=column, row=value))
            data["applicant"]["person"]["email"] = "wang@example.cn"
            text = json.dumps(data, ensure_ascii=False)
            sealed = cipher.seal(text, table=table, column=column, row=value)
            db.execute(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", [sealed, value])
    finally:
        db.close()


def draft_name(draft_id: str, stored: bytes) -> str:
    """A draft's applicant name as a signed-in clerk reads it (sealed under the test key)."""
    return field_cipher(template_data_key()).open(stored, table="drafts", column="applicant_name", row=draft_id)


def dialog_text(app) -> str:
    return str(app.screen.query_one("#dialog-body").render())


async def type_a_name_then_open_the_lists(pilot, name: str) -> None:
    """The clerk starts 新生儿出生 by its initials, types the applicant's name (not yet saved as a
    draft), and opens applications and drafts (F3)."""
    await type_text(pilot, "xsecs")
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ApplicantScreen)
    await paste(pilot, name)
    await pilot.press("f3")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ApplicationsScreen)


async def test_a_draft_this_version_cannot_read_is_told_in_words_and_the_session_goes_on(window, settings):
    broken = house_transfer(window, materials=True)
    broken.step = "checklist"
    rewrite_as_a_newer_version(settings, "drafts", "data", "id", window.save_draft(broken))

    app = make_app(window)
    with pytest.raises(TypeError, match=NEWER_VERSION_ERROR):
        async with app.run_test(size=SIZE) as pilot:
            await type_a_name_then_open_the_lists(pilot, "韦小宝")
            await pilot.press("f6")  # the drafts tab; the broken draft is the only one
            await pilot.pause()
            await pilot.press("enter")  # continue it
            await pilot.pause()

            assert isinstance(app.screen, Dialog), "the failure is shown in a box, the app runs on"
            text = dialog_text(app)
            assert HEADLINE in text
            assert "TypeError" in text and NEWER_VERSION_ERROR in text  # the one-line summary
            assert "正在办理的申请已存为草稿" in text
            assert str(log_path(settings.data_dir)) in text
            assert "Traceback" not in text

            # The application being typed was saved as a draft, read by an outside observer.
            with sqlite3.connect(settings.database_path) as db:
                drafts = [
                (draft_id, offering, draft_name(draft_id, name))
                for draft_id, offering, name in db.execute("SELECT id, offering_id, applicant_name FROM drafts ORDER BY id")
            ]
            db.close()
            assert sorted((offering, name) for _, offering, name in drafts) == [
                ("house_transfer", "王建国"),
                ("newborn", "韦小宝"),
            ]
            assert app.intake is not None and app.intake.draft_id in {draft_id for draft_id, _, _ in drafts}

            # Support staff find the whole traceback, and where the clerk was.
            log = log_path(settings.data_dir).read_text(encoding="utf-8")
            assert "Traceback (most recent call last)" in log and NEWER_VERSION_ERROR in log
            assert "screen: ApplicationsScreen" in log and "offering: newborn" in log
            assert FIXED_NOW.isoformat(timespec="seconds") in log

            # The clerk closes the box and carries on with the application in progress.
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ApplicationsScreen)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ApplicantScreen)
            assert app.screen.query_one("#person-name", Input).value == "韦小宝"
            await pilot.press("enter")  # to the ID field
            await paste(pilot, VALID_ID)  # typing key by key is test_applicant_screen's subject
            await pilot.press("enter")
            await paste(pilot, VALID_PHONE)
            await pilot.press("ctrl+n")
            await pilot.pause()
            assert isinstance(app.screen, SituationScreen)
    assert app.return_code in (None, 0)  # the session was never ended by the failure


async def test_an_application_this_version_cannot_read_is_told_in_words_on_its_detail(window, settings):
    """The application detail screen reads the application in ``on_mount``: a guarded screen
    like every other, so the clerk gets the box and goes back to the list."""
    accepted = window.accept(house_transfer(window, materials=True, fields=True))
    rewrite_as_a_newer_version(settings, "applications", "intake", "receipt_no", accepted.receipt_no)

    app = make_app(window)
    with pytest.raises(TypeError, match=NEWER_VERSION_ERROR):
        async with app.run_test(size=SIZE) as pilot:
            await type_a_name_then_open_the_lists(pilot, "韦小宝")
            await pilot.press("down")  # into today's applications
            assert isinstance(app.focused, DataTable)
            await pilot.press("enter")  # open the damaged one
            await pilot.pause()

            assert isinstance(app.screen, Dialog), "the failure is shown in a box, the app runs on"
            text = dialog_text(app)
            assert HEADLINE in text and NEWER_VERSION_ERROR in text
            assert str(log_path(settings.data_dir)) in text
            log = log_path(settings.data_dir).read_text(encoding="utf-8")
            assert "Traceback (most recent call last)" in log and "screen: ApplicationDetailScreen" in log

            await pilot.press("enter")  # close the box
            await pilot.pause()
            assert isinstance(app.screen, ApplicationDetailScreen)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ApplicationsScreen)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ApplicantScreen)
            assert app.screen.query_one("#person-name", Input).value == "韦小宝"
    assert app.return_code in (None, 0)  # the session was never ended by the failure


class ApplicationCard(Static):
    """A widget that reads an application when mounted: its own message pump, which Textual
    stops for good when one of its handlers raises (no screen's guard covers it)."""

    def __init__(self, receipt_no: str) -> None:
        super().__init__()
        self.receipt_no = receipt_no

    def on_mount(self) -> None:
        self.update(self.app.window.application(self.receipt_no).summary.applicant_name)


async def test_when_textual_cannot_go_on_the_app_saves_the_draft_logs_and_stops_with_words(window, settings, capsys):
    """A widget's handler fails on the damaged application: Textual stops that widget's pump,
    so the app cannot go on and must stop cleanly."""
    accepted = window.accept(house_transfer(window, materials=True, fields=True))
    rewrite_as_a_newer_version(settings, "applications", "intake", "receipt_no", accepted.receipt_no)

    app = make_app(window)
    with pytest.raises(TypeError, match=NEWER_VERSION_ERROR):
        async with app.run_test(size=SIZE) as pilot:
            await type_a_name_then_open_the_lists(pilot, "韦小宝")
            app.screen.mount(ApplicationCard(accepted.receipt_no))
            await pilot.pause()
            await pilot.pause()
    assert app.return_code == 1

    err = capsys.readouterr().err
    assert "程序出错" in err and "程序无法继续运行，已退出" in err
    assert NEWER_VERSION_ERROR in err
    assert str(log_path(settings.data_dir)) in err
    assert "Traceback" not in err and 'File "' not in err

    with sqlite3.connect(settings.database_path) as db:
        drafts = [
            (offering, draft_name(draft_id, name), step)
            for draft_id, offering, name, step in db.execute("SELECT id, offering_id, applicant_name, step FROM drafts")
        ]
        applications = db.execute("SELECT count(*) FROM applications").fetchone()[0]
    db.close()
    assert drafts == [("newborn", "韦小宝", "applicant")]
    assert applications == 1
    log = log_path(settings.data_dir).read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log and "screen: ApplicationsScreen" in log
