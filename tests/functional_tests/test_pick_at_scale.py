"""The pick screen on a 10,000-offering catalog (bench/synth_catalog.py): found by hanzi,
initials and English, the best 100 listed with how many more, picked like any other.

Speed figures are in ``bench/pick_keys.py``; this checks what a clerk sees at that scale.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, Label, OptionList

from screens.applicant import ApplicantScreen
from screens.pick import MORE_ID, SHOWN_LIMIT, PickScreen
from tests.conftest import FIXED_NOW
from tests.functional_tests.shell_helpers import (
    SIZE,
    anyio_backend,  # noqa: F401  (fixture)
    make_app,
    paste,
    type_text,
)
from tests.window_template import TEST_CLERK, TEST_PIN, seed_window_database
from window_app.config import SHIPPED_CONFIG, load_settings
from window_app.window import Window

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from synth_catalog import write_catalog  # noqa: E402

pytestmark = pytest.mark.anyio

LIQUOR = "酒类经营许可证核发"
"""A synthetic standalone item (bench/synth_catalog.py: subject 酒类经营, action 许可证核发)."""


@pytest.fixture(scope="module")
def big_window(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Window]:
    """A window on 10,000 offerings at 522325, made once (the catalog and its pinyin take a while)."""
    base = tmp_path_factory.mktemp("pick-at-scale")
    catalog = write_catalog(base / "catalog")
    settings = load_settings(
        SHIPPED_CONFIG, environ={"WINDOW_APP_CATALOG_PATH": str(catalog)}, data_dir=str(base / "data")
    )
    opened = Window.open(seed_window_database(settings), clock=lambda: FIXED_NOW)
    opened.sign_in(TEST_CLERK, TEST_PIN)
    try:
        yield opened
    finally:
        opened.close()


def listed(app) -> list[str]:
    """The ids of the offerings the list shows (no headings, no drafts, no "more" line)."""
    results = app.screen.query_one("#results", OptionList)
    options = [results.get_option_at_index(i) for i in range(results.option_count)]
    return [o.id for o in options if not o.disabled and not o.id.startswith("draft:")]


def more_line(app) -> str:
    results = app.screen.query_one("#results", OptionList)
    last = results.get_option_at_index(results.option_count - 1)
    return str(last.prompt) if last.id == MORE_ID else ""


def highlighted_name(app) -> str:
    results = app.screen.query_one("#results", OptionList)
    option_id = results.get_option_at_index(results.highlighted).id
    return app.window.offering(option_id).bundle.name.zh


async def test_ten_thousand_offerings_are_searched_listed_and_picked(big_window: Window) -> None:
    assert len(big_window.offerings()) == 10_000
    app = make_app(big_window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        count = app.screen.query_one("#result-count", Label)
        # Everything offered, the best 100 listed, the rest counted.
        assert "10000" in str(count.render())
        assert len(listed(app)) == SHOWN_LIMIT
        assert "还有 9900 项" in more_line(app)

        # Pinyin initials: the exact ones first.
        await type_text(pilot, "jljyxkzhf")
        assert highlighted_name(app) == LIQUOR
        assert "还有" not in more_line(app)  # a handful: all listed

        # One letter: thousands; the list stays at 100 and says how many more.
        await pilot.press("escape")
        await type_text(pilot, "j")
        hits = len(big_window.search("j"))
        assert hits > SHOWN_LIMIT
        assert f"找到 {hits} 项" in str(count.render())
        assert len(listed(app)) == SHOWN_LIMIT
        assert f"还有 {hits - SHOWN_LIMIT} 项" in more_line(app)

        # Hanzi, as an input method commits them.
        await pilot.press("escape")
        await paste(pilot, LIQUOR)
        assert highlighted_name(app) == LIQUOR

        # English, with spaces.
        await pilot.press("escape")
        await type_text(pilot, "liquor trading licence issue")
        assert highlighted_name(app) == LIQUOR
        chosen = app.screen.query_one("#results", OptionList)
        chosen_id = chosen.get_option_at_index(chosen.highlighted).id

        # Enter takes it like a shipped offering: the next step, for this offering.
        assert app.screen.query_one("#search", Input).value == "liquor trading licence issue"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ApplicantScreen)
        assert not isinstance(app.screen, PickScreen)
        assert app.intake is not None and app.intake.offering == chosen_id
