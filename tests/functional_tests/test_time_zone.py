"""Every time is shown in the window's time zone (``[window] time_zone``), not the machine's.

The cases run on a machine set to UTC (``TZ=UTC``): an application accepted at 18:10 UTC on
12-06 was accepted at 02:10 on 12-07 China time, and the list, the receipt and the CLI say so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from collections.abc import Iterator

import pytest
from textual.widgets import DataTable

from tests.functional_tests.end_steps import house_transfer
from tests.functional_tests.shell_helpers import SIZE, anyio_backend, make_app  # noqa: F401  (fixture)
from tests.functional_tests.test_cli import run_module
from tests.window_template import TEST_CLERK, TEST_PIN
from window_app.config import Settings
from window_app.domain.errors import WindowAppError
from window_app.window import Window

MOMENT = dt.datetime(2026, 12, 6, 18, 10, tzinfo=dt.UTC)
"""When the application is accepted: 02:10 on 12-07 in China."""


@pytest.fixture
def utc_machine() -> Iterator[None]:
    """The process runs as on a machine set to UTC (restored afterwards)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def zoned(settings: Settings, zone: str) -> Settings:
    return dataclasses.replace(settings, window=dataclasses.replace(settings.window, time_zone=zone))


def open_window(settings: Settings, now: dt.datetime) -> Window:
    window = Window.open(settings, clock=lambda: now)
    window.sign_in(TEST_CLERK, TEST_PIN)
    return window


@pytest.fixture
def accepted_in_utc(settings: Settings, utc_machine) -> str:
    """A house transfer accepted at :data:`MOMENT`, stored as UTC (a window set to UTC wrote it)."""
    window = open_window(zoned(settings, "UTC"), MOMENT)
    try:
        accepted = window.accept(house_transfer(window, materials=True, fields=True))
        assert accepted.accepted_at == "2026-12-06T18:10:00+00:00"
        return accepted.receipt_no
    finally:
        window.close()


async def list_time(window: Window, receipt_no: str) -> str:
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        return str(app.screen.query_one("#apps-table", DataTable).get_row(receipt_no)[1])


@pytest.mark.anyio
async def test_the_list_shows_china_time_on_a_utc_machine(settings: Settings, accepted_in_utc: str) -> None:
    window = open_window(settings, MOMENT + dt.timedelta(minutes=20))  # the shipped window: Asia/Shanghai
    try:
        assert window.now().isoformat() == "2026-12-07T02:30:00+08:00"  # the window's calendar
        assert await list_time(window, accepted_in_utc) == "02:10"  # today in China
    finally:
        window.close()


@pytest.mark.anyio
async def test_the_list_follows_another_zone(settings: Settings, accepted_in_utc: str) -> None:
    window = open_window(zoned(settings, "Asia/Urumqi"), MOMENT + dt.timedelta(minutes=20))
    try:
        assert await list_time(window, accepted_in_utc) == "00:10"
    finally:
        window.close()
    window = open_window(zoned(settings, "UTC"), MOMENT + dt.timedelta(days=1))
    try:
        window_app = make_app(window)
        async with window_app.run_test(size=SIZE) as pilot:
            await pilot.press("f3")
            await pilot.pause()
            await pilot.press("ctrl+t")  # all dates: it was yesterday in UTC
            await pilot.pause()
            table = window_app.screen.query_one("#apps-table", DataTable)
            assert str(table.get_row(accepted_in_utc)[1]) == "2026-12-06 18:10"
    finally:
        window.close()


def test_the_receipt_and_handover_print_china_time(settings: Settings, accepted_in_utc: str) -> None:
    window = open_window(settings, MOMENT)
    try:
        receipt = window.receipt_text(accepted_in_utc)
        handover = window.handover_text(accepted_in_utc)
    finally:
        window.close()
    assert "2026年12月07日 02:10" in receipt
    assert "18:10" not in receipt
    assert "移交时间：2026年12月07日 02:10" in handover
    window = open_window(zoned(settings, "UTC"), MOMENT)
    try:
        assert "2026年12月06日 18:10" in window.receipt_text(accepted_in_utc)
    finally:
        window.close()


def test_the_cli_shows_china_time_on_a_utc_machine(settings: Settings, accepted_in_utc: str) -> None:
    data_dir = str(settings.data_dir)
    listed = run_module("--data-dir", data_dir, "applications", env={"TZ": "UTC"})
    assert listed.returncode == 0, listed.stderr
    assert "2026-12-07 02:10" in listed.stdout
    listed = run_module("--data-dir", data_dir, "applications", env={"TZ": "UTC", "WINDOW_APP_WINDOW_TIME_ZONE": "Asia/Urumqi"})
    assert listed.returncode == 0, listed.stderr
    assert "2026-12-07 00:10" in listed.stdout
    handovers = run_module("--data-dir", data_dir, "handover", "list", env={"TZ": "UTC"})
    assert handovers.returncode == 0, handovers.stderr
    assert "2026-12-07 02:10" in handovers.stdout and "18:10" not in handovers.stdout
    receipt = run_module("--data-dir", data_dir, "receipt", accepted_in_utc, env={"TZ": "UTC"})
    assert receipt.returncode == 0, receipt.stderr
    assert "2026年12月07日 02:10" in receipt.stdout


def test_an_unknown_zone_in_the_environment_is_refused_in_words(settings: Settings) -> None:
    result = run_module("--data-dir", str(settings.data_dir), "applications", env={"WINDOW_APP_WINDOW_TIME_ZONE": "Asia/Beijing"})
    assert result.returncode != 0
    assert "time_zone 'Asia/Beijing'：不是已知的时区" in result.stderr
    assert "Traceback" not in result.stderr


def test_lock_out_words_say_the_window_zone_time(settings: Settings, utc_machine) -> None:
    window = Window.open(zoned(settings, "Asia/Urumqi"), clock=lambda: MOMENT)
    try:
        words = ""
        for _ in range(settings.clerks.lock_after_failures):
            try:
                window.sign_in(TEST_CLERK, "wrong-pin")
            except WindowAppError as error:
                words = str(error)
        assert "00:25 后可再试" in words  # 18:10 UTC + 15 minutes, in Urumqi (UTC+6)
    finally:
        window.close()
