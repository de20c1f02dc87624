"""F12: the statistics screen, as a supervisor reads it at 80×24 in Chinese and in English.

A day with a concluded 二手房 (every part decided the same day) and a 企业开办 with parts in every
state. Pilot tests of what a supervisor checks (the counts, the period and table switches,
nothing cut sideways, Esc back); snapshots at 80×24 in both languages (update on purpose with
``--snapshot-update`` and look at the SVGs).
"""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable

from screens.report import ReportScreen
from tests.functional_tests.shell_helpers import anyio_backend, make_app  # noqa: F401  (fixture)
from tests.functional_tests.test_snapshots_tables import accepted_day, in_language, screen_lines
from tests.window_template import TEST_CLERK, TEST_KDF, TEST_PIN
from window_app.domain.clerks import Role

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def _pinned_installation_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("window_app.accepting.installation_tag", lambda db: "TEST")


async def at_report(pilot, wanted: str) -> None:
    await in_language(pilot, wanted)
    await pilot.press("f12")
    await pilot.pause()
    await pilot.pause()


async def test_a_supervisor_reads_the_day_switches_period_and_table_and_goes_back(window) -> None:
    accepted_day(window)
    app = make_app(window)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_report(pilot, "zh")
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        lines = screen_lines(app)
        text = "\n".join(lines)
        assert "统计" in text and "今日" in text and "全部工作人员" in text
        assert "受理 2" in text and "办结 1" in text
        assert "二手房" in text and "企业开办" in text
        assert "平均 0 / P90 0" in text  # the house transfer: concluded the day it was accepted
        assert "“—”" not in text and "超期" in text  # the borrowed columns are connected: no "—" to explain
        assert all(cell_len(line) <= 80 for line in lines)
        table = screen.query_one("#report-table", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width  # never a sideways scroll

        await pilot.press("2")
        await pilot.pause()
        assert "本周 2026-11-23 – 2026-11-27" in "\n".join(screen_lines(app))
        await pilot.press("f6")
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert "按部门" in text and "税务" in text
        await pilot.press("down")
        await pilot.pause()
        assert screen.query_one("#report-row").visual  # the highlighted row, whole, under the table

        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReportScreen)


async def test_a_clerk_sees_their_own_and_an_administrator_is_refused_in_words(window) -> None:
    accepted_day(window)
    window.add_clerk("A0108", "窗口受理员", (Role.ACCEPTOR,), "pin-2468", kdf=TEST_KDF)
    window.add_clerk("M0001", "管理员", (Role.ADMINISTRATOR,), "pin-2468", kdf=TEST_KDF)
    window.sign_in("A0108", "pin-2468")
    app = make_app(window)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_report(pilot, "en")
        text = "\n".join(screen_lines(app))
        assert "own (A0108)" in text and "0 accepted" in text
        await pilot.press("escape")
        await pilot.pause()

        window.sign_in("M0001", "pin-2468")
        app.signed_in(window.clerk)
        await pilot.pause()
        await pilot.press("f12")
        await pilot.pause()
        assert not isinstance(app.screen, ReportScreen)
        notices = [str(n.message) for n in app._notifications]
        assert any("may not" in message for message in notices), notices
    window.sign_in(TEST_CLERK, TEST_PIN)


@pytest.mark.parametrize("wanted", ["zh", "en"])
def test_report_80x24(window, snap_compare, wanted):
    accepted_day(window)

    async def run_before(pilot) -> None:
        await at_report(pilot, wanted)

    assert snap_compare(make_app(window), terminal_size=(80, 24), run_before=run_before)


async def test_the_pick_screen_s_hot_group_follows_the_window_s_own_use(window) -> None:
    """Offline, the window's own use of 90 days decides 热点: a bundle the catalog does not flag
    comes first there once it is accepted, the flagged ones after it."""
    from tests.functional_tests.test_accept import filled_intake

    window.accept(filled_intake(window, "retirement"))
    window.refresh_hot_list()
    app = make_app(window)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        results = app.screen.query_one("#results")
        ids = [results.get_option_at_index(i).id for i in range(results.option_count)]
        hot_at = ids.index("group:hot")
        assert ids[hot_at + 1] == "retirement"
        assert "group:personal" not in ids[: hot_at + 2]
        assert "退休" in "\n".join(screen_lines(app))
