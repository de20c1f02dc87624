"""U盘传递 in the app: F11 opens the supervisor's courier box; F7 exports to the folder shown,
the header then says how many envelopes are on a courier; F8 imports the answer found there.
Snapshots at 80×24 in Chinese and English."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from screens.courier import CourierScreen
from tests.functional_tests.end_steps import house_transfer
from tests.functional_tests.shell_helpers import SIZE, anyio_backend, make_app  # noqa: F401  (fixture)
from tests.window_template import TEST_KDF, seed_window_database
from window_app.config import SHIPPED_CONFIG, Settings, load_settings
from window_app.domain.clerks import Role

LANGUAGES = pytest.mark.parametrize("english", [False, True], ids=["zh", "en"])


@pytest.fixture
def settings(tmp_path) -> Settings:
    shipped = load_settings(SHIPPED_CONFIG, environ={}, data_dir=str(tmp_path / "data"))
    return seed_window_database(shipped)


@pytest.fixture(autouse=True)
def _pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("window_app.accepting.installation_tag", lambda db: "TEST")
    monkeypatch.setattr("window_app.accepting.new_tracking_code", lambda: "K7QM3XH9")


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


@pytest.mark.anyio
async def test_f11_exports_to_the_folder_and_the_header_counts_the_envelopes_on_a_courier(window, tmp_path: Path) -> None:
    window.accept(house_transfer(window, materials=True, fields=True))
    waiting = window.courier_waiting()
    stick = tmp_path / "stick"
    stick.mkdir()
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f11")
        await pilot.pause()
        assert isinstance(app.screen, CourierScreen)
        assert f"待发送 {waiting} 件，其中在途U盘 0 件" in text_of(app, "#courier-counts")
        app.screen.query_one("#courier-path", Input).value = str(stick)
        await pilot.press("f7")
        await pilot.pause()
        assert f"已导出第 1 号U盘文件：{waiting} 件" in text_of(app, "#courier-result")
        [written] = stick.iterdir()
        assert written.suffix == ".courier"
        assert app.sync_on_courier == waiting
        # No answer on the stick yet: F8 says so in words.
        await pilot.press("f8")
        await pilot.pause()
        assert "中没有回执文件" in text_of(app, "#courier-result")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CourierScreen)
        assert f"在途U盘 {waiting} 件" in text_of(app, "#sync-status")  # the header


@pytest.mark.anyio
async def test_only_supervisors_and_administrators_open_the_courier(window) -> None:
    window.add_clerk("A0102", "窗口员", (Role.ACCEPTOR,), "2468-1357", kdf=TEST_KDF)
    window.lock()
    window.sign_in("A0102", "2468-1357")
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f11")
        await pilot.pause()
        assert not isinstance(app.screen, CourierScreen)


@LANGUAGES
def test_courier_box_snapshot(window, snap_compare, english, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    window.accept(house_transfer(window, materials=True, fields=True))
    monkeypatch.chdir(tmp_path)
    Path("stick").mkdir()

    async def export(pilot) -> None:
        if english:
            await pilot.press("f2")
            await pilot.pause()
        pilot.app.push_screen(CourierScreen(Path("stick")))
        await pilot.pause()
        await pilot.press("f7")
        await pilot.pause()

    assert snap_compare(make_app(window), terminal_size=(80, 24), run_before=export)
