"""Drafts are saved as the clerk types (debounced), and survive the app being killed.

Writes are counted by a trigger the test adds to the window's real SQLite file: every INSERT or
UPDATE of a draft row adds a row to ``draft_writes``.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input

from screens.applicant import ApplicantScreen
from screens.draft_keeper import DRAFT_DEBOUNCE_SECONDS
from tests.functional_tests.shell_helpers import (
    SIZE,
    anyio_backend,  # noqa: F401  (fixture)
    make_app,
    offering_id,
    start,
)
from tests.window_template import open_signed_in
from window_app.config import SHIPPED_CONFIG, load_settings

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]


def count_draft_writes(database: str) -> None:
    """Add the counting table and triggers to the window's database file."""
    with sqlite3.connect(database) as conn:
        conn.executescript(
            """
            CREATE TABLE draft_writes (at INTEGER);
            CREATE TRIGGER count_draft_insert AFTER INSERT ON drafts BEGIN INSERT INTO draft_writes VALUES (1); END;
            CREATE TRIGGER count_draft_update AFTER UPDATE ON drafts BEGIN INSERT INTO draft_writes VALUES (1); END;
            """
        )
    conn.close()


def draft_writes(database: str) -> int:
    conn = sqlite3.connect(database)
    try:
        return conn.execute("SELECT count(*) FROM draft_writes").fetchone()[0]
    finally:
        conn.close()


async def quiet(pilot, seconds: float) -> None:
    """Let the app run (its timers fire) for ``seconds``."""
    await pilot.pause(seconds)
    await pilot.pause()


async def test_a_burst_of_typing_is_one_draft_write_once_the_typing_pauses(window):
    database = str(window.settings.database_path)
    count_draft_writes(database)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await start(pilot, offering_id(window, "企业开办"))
        assert isinstance(app.screen, ApplicantScreen)
        field = app.screen.query_one("#enterprise-name", Input)
        assert app.focused is field
        assert window.drafts() == []  # nothing typed: no draft
        for character in "贞丰县花江农旅有限公司":  # one burst, as fast as a typist
            app.post_message(events.Key(character, character))
        await quiet(pilot, DRAFT_DEBOUNCE_SECONDS * 3)
        assert draft_writes(database) == 1
        (draft,) = window.drafts()
        assert window.load_draft(draft.id).applicant.enterprise.name == "贞丰县花江农旅有限公司"
        # nothing changed since: no more writes, however long the clerk waits
        await quiet(pilot, DRAFT_DEBOUNCE_SECONDS * 2)
        assert draft_writes(database) == 1
        # a change after a pause is a second write, to the same draft
        await pilot.press("end", "A")
        await quiet(pilot, DRAFT_DEBOUNCE_SECONDS * 3)
        assert draft_writes(database) == 2
        (again,) = window.drafts()
        assert again.id == draft.id
        assert window.load_draft(draft.id).applicant.enterprise.name == "贞丰县花江农旅有限公司A"


async def test_moving_a_step_after_the_debounced_save_writes_no_second_copy(window):
    database = str(window.settings.database_path)
    count_draft_writes(database)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await start(pilot, offering_id(window, "企业开办"))
        await pilot.press(*"某某公司")
        await quiet(pilot, DRAFT_DEBOUNCE_SECONDS * 3)
        assert draft_writes(database) == 1
        app.goto_step("pick")  # the intake is parked: saved once more (nothing new), one draft
        await quiet(pilot, DRAFT_DEBOUNCE_SECONDS * 2)
        assert len(window.drafts()) == 1


async def test_a_killed_app_loses_nothing_typed_more_than_a_second_before(tmp_path):
    """The issue's case: 法定代表人 typed, the terminal closed (here: SIGKILL, no clean-up)."""
    data_dir = tmp_path / "data"
    settings = load_settings(SHIPPED_CONFIG, environ={}, data_dir=str(data_dir))
    window = open_signed_in(settings)
    offering = offering_id(window, "企业开办")
    window.close()
    typist = subprocess.Popen(
        [sys.executable, "-m", "tests.functional_tests.draft_typist", str(data_dir), offering, "岑国祥"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = typist.stdout.readline()  # blocks until it typed and waited
        assert line.strip() == "TYPED", typist.stderr.read() if typist.poll() is not None else line
        typist.send_signal(signal.SIGKILL)
        assert typist.wait(30) == -signal.SIGKILL
    finally:
        if typist.poll() is None:
            typist.kill()
            typist.wait(30)
        typist.stdout.close()
        typist.stderr.close()

    window = open_signed_in(settings)
    try:
        (draft,) = window.drafts()
        app = make_app(window)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            app.resume_draft(draft.id)
            await pilot.pause()
            await pilot.pause()
            assert isinstance(app.screen, ApplicantScreen)
            assert app.screen.query_one("#legal-name", Input).value == "岑国祥"
    finally:
        window.close()
