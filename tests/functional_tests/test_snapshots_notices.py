"""Snapshots of printing notices from the window at the smallest terminal (80×24), in Chinese and
English: the box offering an application's notices (P on its detail), and the offer to print the
补正材料收取凭证 once a supplement is saved. Update on purpose with
``pytest -n 0 --snapshot-update -k <test>`` and look at the SVGs.
"""

from __future__ import annotations

import pytest

from screens.supplement import SupplementScreen
from tests.functional_tests.shell_helpers import make_app
from tests.functional_tests.test_notices_in_app import tax_asks_for_the_contract
from tests.functional_tests.test_snapshots_tables import (  # noqa: F401  (fixtures)
    _pinned_installation_tag,
    accepted_day,
    at_detail,
    in_language,
    settings,
)

SMALLEST = (80, 24)


@pytest.mark.parametrize("wanted", ["zh", "en"])
def test_the_notices_of_an_application_offered(window, snap_compare, wanted):
    receipt_no = accepted_day(window)

    async def run_before(pilot) -> None:
        await at_detail(pilot, receipt_no, wanted)  # 公安's supplement request highlighted
        await pilot.press("p")
        await pilot.pause()

    assert snap_compare(make_app(window), terminal_size=SMALLEST, run_before=run_before)


@pytest.mark.parametrize("wanted", ["zh", "en"])
def test_the_supplement_slip_offered_once_saved(window, snap_compare, wanted):
    receipt_no = tax_asks_for_the_contract(window)

    async def run_before(pilot) -> None:
        await in_language(pilot, wanted)
        pilot.app.push_screen(SupplementScreen(receipt_no))
        await pilot.pause()
        await pilot.press("1", "ctrl+s")
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(make_app(window), terminal_size=SMALLEST, run_before=run_before)
