"""Statutory clocks at the window: the header's count and the F3 list's F8 filter (Pilot, fixed clock),
and their snapshots at 80×24 in Chinese and English.

二手房转移登记: its tax part (stage 1) has a statutory limit of one working day. Accepted on
Thursday 26 November it is overdue on Monday 30 November; accepted on Friday 27 November it is
due that Monday (due soon: 80% used); accepted that Monday its clock has not moved.
"""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Static

from screens.applications import ApplicationsScreen
from screens.clock_watch import WORKER_GROUP
from tests.conftest import FIXED_NOW
from tests.functional_tests.shell_helpers import SIZE, anyio_backend, make_app  # noqa: F401  (fixture)
from tests.functional_tests.test_applications_screen import accept, open_applications, rows
from tests.functional_tests.test_snapshots_tables import _pinned_installation_tag, in_language, settings  # noqa: F401
from tests.window_template import seed_window_database  # noqa: F401

pytestmark = pytest.mark.anyio

MONDAY = FIXED_NOW + dt.timedelta(days=3)  # Monday 30 November 2026, 09:30


def three_clocks(window) -> tuple[str, str, str]:
    """Overdue, due soon and fresh house transfers, the window's clock then on Monday."""
    overdue = accept(window, "王建国", days_ago=1)
    due_soon = accept(window, "李秀英", days_ago=0)
    fresh = accept(window, "张伟", days_ago=-3)
    window.clock = lambda: MONDAY
    return overdue, due_soon, fresh


async def clocks_read(pilot) -> None:
    """Wait for the clocks' reads (a thread each: screens/clock_watch.py), then for what they show."""
    app = pilot.app
    await pilot.pause()
    await app.workers.wait_for_complete([worker for worker in app.workers if worker.group == WORKER_GROUP])
    await pilot.pause()


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_the_header_counts_overdue_and_due_soon(window):
    three_clocks(window)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await clocks_read(pilot)
        assert app.clock_warnings == (1, 1)
        assert text_of(app, "#clock-status") == "超期 1 · 将超期 1"
        assert app.screen.query_one("#clock-status").has_class("-overdue")
        await pilot.press("f2")  # English
        await pilot.pause()
        assert text_of(app, "#clock-status") == "1 overdue · 1 due soon"


async def test_no_count_while_nothing_is_late(window):
    accept(window)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await clocks_read(pilot)
        assert app.clock_warnings == (0, 0)
        assert not app.screen.query_one("#clock-status").display


async def test_f8_on_f3_lists_only_what_is_late_overdue_first(window):
    overdue, due_soon, fresh = three_clocks(window)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_applications(pilot)
        assert rows(app) == [fresh]  # today's, as before
        await pilot.press("f8")
        await clocks_read(pilot)
        assert isinstance(screen, ApplicationsScreen) and screen.clocks_only
        assert rows(app) == [overdue, due_soon]
        status = text_of(app, "#apps-status")
        assert "超期 1 件，将超期 1 件" in status
        missing = window.calendar_warning()
        if missing is not None:  # chinesecalendar without next year's holidays: said here
            assert str(missing) in status
        await pilot.press("down")
        await pilot.pause()
        pane = text_of(app, "#apps-progress")
        assert "已超期：已用2/1个工作日，2026-11-27到期" in pane
        await pilot.press("f8")
        await pilot.pause()
        assert rows(app) == [fresh]


async def test_a_supervisor_sees_every_clerks_clocks(window):
    three_clocks(window)
    assert len(window.clock_warnings().receipt_nos) == 2  # the test clerk may see every application
    assert window._applications_of() is None


# -- snapshots: the header and the F8 list at 80×24 ---------------------------------------


@pytest.mark.parametrize("wanted", ["zh", "en"])
def test_f8_list_snapshot_80x24(window, snap_compare, wanted):
    three_clocks(window)

    async def run_before(pilot) -> None:
        await in_language(pilot, wanted)
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("f8")
        await clocks_read(pilot)
        await pilot.press("down")
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(make_app(window), terminal_size=(80, 24), run_before=run_before)


async def test_a_start_in_a_year_the_calendar_lacks_says_so(window):
    # chinesecalendar knows the years announced so far: 2031 is not among them.
    window.clock = lambda: dt.datetime(2031, 3, 3, 9, 30, tzinfo=FIXED_NOW.tzinfo)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        said = [str(toast.message) for toast in app._notifications]
        assert any("节假日日历缺少2031、2032年" in text and "chinesecalendar" in text for text in said), said


async def test_a_start_in_a_known_year_says_nothing_of_the_calendar(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not [toast for toast in app._notifications if "chinesecalendar" in str(toast.message)]


async def test_the_count_is_read_in_a_thread_and_the_last_one_stays_meanwhile(window, monkeypatch):
    import threading

    three_clocks(window)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await clocks_read(pilot)
        assert text_of(app, "#clock-status") == "超期 1 · 将超期 1"
        # The real read, held at its start until the test lets it go (the only way to look at the
        # header while a read is under way); it records the thread it ran on.
        release, threads = threading.Event(), []
        read = type(window).clock_warnings_apart

        def held_read(self):
            threads.append(threading.get_ident())
            assert release.wait(30)
            return read(self)

        monkeypatch.setattr(type(window), "clock_warnings_apart", held_read)
        window.clock = lambda: MONDAY + dt.timedelta(days=1)  # Tuesday: the due-soon one is overdue too
        app.clock_watch.refresh()
        await pilot.press("f2")  # the app answers keys while the read waits
        await pilot.pause()
        assert text_of(app, "#clock-status") == "1 overdue · 1 due soon"  # the last count meanwhile
        release.set()
        await clocks_read(pilot)
        assert text_of(app, "#clock-status") == "2 overdue · 1 due soon"  # and Monday's is due soon
        assert threads and threads[0] != threading.get_ident()
