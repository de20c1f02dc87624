"""A clerk typing into the applicant step, in a process of its own, until it is killed.

Run by tests/functional_tests/test_draft_keeper.py: ``python -m tests.functional_tests.draft_typist
DATA_DIR OFFERING TEXT``. The real app (headless, driven by Pilot) on the window in ``DATA_DIR``,
the test clerk signed in: starts ``OFFERING``, makes the applicant an enterprise, types ``TEXT``
into 法定代表人 key by key, waits a little over a second, prints ``TYPED`` and waits to be killed.
Nothing is saved on the way out: the test kills it with SIGKILL.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from window_app.config import SHIPPED_CONFIG, load_settings

WAIT_AFTER_TYPING_SECONDS = 1.2


async def type_and_wait(data_dir: str, offering: str, text: str) -> None:
    from screens.app import WindowApp
    from tests.window_template import open_signed_in

    window = open_signed_in(load_settings(SHIPPED_CONFIG, environ={}, data_dir=data_dir))
    app = WindowApp(window, cursor_blink=False, sync=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.start_intake(offering)
        await pilot.pause()
        await pilot.pause()
        await pilot.click("#kind-enterprise")
        await pilot.pause()
        app.screen.query_one("#legal-name").focus()
        await pilot.pause()
        await pilot.press(*text)
        await pilot.pause(WAIT_AFTER_TYPING_SECONDS)
        print("TYPED", flush=True)
        await asyncio.sleep(120)  # killed long before


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    asyncio.run(type_and_wait(*sys.argv[1:4]))
