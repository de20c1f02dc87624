"""A clerk's morning at the window, for tests/functional_tests/test_clerks_morning.py.

What the clerk does, by keys through Textual's Pilot: sign in on the sign-in screen, take a
bundle through every step (search by pinyin initials, applicant, answers, materials, the form
field by field with Tab, F10), F5, F3, F7. What the clerk reads: the header's line state and
its 需处理 count, the toasts, the rows of F3. What the department sees: its inbox at the real
exchange (``DepartmentClient`` over HTTP, with its demo token).

Run as a program (``python -m tests.functional_tests.morning_helpers DATA_DIR URL STOP``) it is
the window killed mid-form: the real app, driven by the same keys, prints ``READY`` once the
clerk has got as far as ``STOP`` says and then waits to be killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, RadioButton, RadioSet, Select, Static, Switch

from screens.app import WindowApp
from screens.applications import ApplicationsScreen
from screens.checklist import ChecklistScreen
from screens.form import FormScreen, widget_id
from screens.pick import PickScreen
from screens.sign_in import SignInScreen
from screens.situation import SituationScreen
from tests.functional_tests.end_steps import resident_id
from tests.functional_tests.shell_helpers import paste
from tests.functional_tests.shell_helpers import until as shell_until
from tests.functional_tests.test_full_flow import (
    accept_at_review,
    answer,
    choose,
    next_step,
    record_materials,
    search_and_start,
    type_fields,
)
from tests.window_template import TEST_CLERK, TEST_PIN, seed_window_database
from window_app.config import SHIPPED_CONFIG, Settings, load_settings
from window_app.exchange.client import DepartmentClient
from window_app.exchange.department_keys import DepartmentKeys
from window_app.window import Window

ROOT = Path(__file__).resolve().parents[2]
NARROW = (80, 24)
"""The county terminal."""
DEADLINE = 30.0
"""How long a condition may take on a loaded 2-core CI machine (waited for, never asserted)."""

# Realistic, valid and distinct people (check characters computed; the 17th digit says the sex).
LEGAL_REP_ID = resident_id("52232519850412031")  # man
MOTHER_ID = resident_id("52232519940316028")  # woman
FATHER_ID = resident_id("52232519920708057")  # man
BUYER_ID = resident_id("52232519890517035")  # man
SELLER_ID = resident_id("52232519700208024")  # woman, not the buyer


# -- the window and its settings ------------------------------------------------------------


def settings_at(data_dir: Path, url: str) -> Settings:
    """The shipped window on ``data_dir``, its exchange at ``url`` (``WINDOW_APP_EXCHANGE_URL``,
    as support sets it when the exchange moves), the demo token, quick retries."""
    environ = {
        "WINDOW_APP_EXCHANGE_URL": url,
        "WINDOW_APP_EXCHANGE_TOKEN": "demo-window-ZF-01",
        "WINDOW_APP_EXCHANGE_TIMEOUT_SECONDS": "5",
        "WINDOW_APP_SYNC_BACKOFF_INITIAL_SECONDS": "0.2",
        "WINDOW_APP_SYNC_BACKOFF_MAX_SECONDS": "1",
    }
    return seed_window_database(load_settings(SHIPPED_CONFIG, environ=environ, data_dir=str(data_dir)))


def start_window(
    data_dir: Path, url: str, clock: Callable[[], Any] | None = None, *, sync: bool = False
) -> tuple[Window, WindowApp]:
    """The app as ``window-app`` starts it: nobody signed in, the sign-in screen first. Its own
    sync rounds off unless ``sync`` (as shipped): every round is the clerk's F5, so the test
    knows when one happened."""
    window = Window.open(settings_at(data_dir, url), clock=clock)
    return window, WindowApp(window, cursor_blink=False, sync=sync)


# -- waiting ----------------------------------------------------------------------------------


async def until(pilot, check: Callable[[], bool], what: str, timeout: float = DEADLINE) -> None:
    """:func:`shell_helpers.until` with the morning's longer deadline."""
    await shell_until(pilot, check, what, timeout)


# -- what the clerk reads -------------------------------------------------------------------


def line_state(app: WindowApp) -> str:
    """The header's line state (在线 / 离线：… / 待发送 N 件 …)."""
    return str(app.screen.query_one("#sync-status", Static).render())


def to_act_on(app: WindowApp) -> str:
    """The header's 需处理 count ("" when nothing needs the clerk)."""
    badge = app.screen.query_one("#action-status", Label)
    return str(badge.render()) if badge.display else ""


def clerk_shown(app: WindowApp) -> str:
    return str(app.screen.query_one("#clerk-status", Label).render())


def toasts(app: WindowApp) -> list[str]:
    return [notification.message for notification in app._notifications]


def listed(app: WindowApp) -> list[str]:
    """F3's rows, top to bottom (receipt numbers)."""
    table = app.screen.query_one("#apps-table", DataTable)
    return [row.key.value for row in table.ordered_rows]


def row_of(app: WindowApp, receipt_no: str) -> str:
    """One F3 row as the clerk reads it, cells joined (state and parts among them)."""
    table = app.screen.query_one("#apps-table", DataTable)
    return " ".join(str(cell) for cell in table.get_row(receipt_no))


def marks(app: WindowApp) -> list[str]:
    """The mark at the start of each F3 row ("!" for what needs the clerk)."""
    table = app.screen.query_one("#apps-table", DataTable)
    return [str(row.label or "") for row in table.ordered_rows]


# -- what the clerk does ----------------------------------------------------------------------


async def sign_in(pilot, clerk_id: str = TEST_CLERK, pin: str = TEST_PIN) -> None:
    """工号, PIN, Enter on the sign-in screen; until the pick screen shows."""
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, SignInScreen), "the sign-in screen")
    for selector, text in (("#sign-in-id", clerk_id), ("#sign-in-pin", pin)):
        app.screen.query_one(selector, Input).focus()
        await pilot.pause()
        await paste(pilot, text)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, PickScreen), "signed in: the pick screen")


async def f5(pilot) -> None:
    """The clerk's F5, and the round it asked for shown in the header."""
    app = pilot.app
    shown = app.sync_link.rounds_shown
    await pilot.press("f5")
    await until(pilot, lambda: app.sync_link.rounds_shown > shown, "the F5 round")
    await pilot.pause()


async def f3(pilot) -> ApplicationsScreen:
    await pilot.press("f3")
    await until(pilot, lambda: isinstance(pilot.app.screen, ApplicationsScreen), "F3: the applications")
    return pilot.app.screen


async def highlight(pilot, receipt_no: str) -> None:
    """In F3, move the cursor to the row of ``receipt_no`` with the arrow keys, as the clerk
    does reading the list (Down first takes the cursor from the search into the list)."""
    app = pilot.app
    table = app.screen.query_one("#apps-table", DataTable)
    if app.focused is not table:
        await pilot.press("down")
        await pilot.pause()
    assert app.focused is table
    target = listed(app).index(receipt_no)
    for _ in range(table.row_count + 1):
        if table.cursor_row == target:
            return
        await pilot.press("down" if table.cursor_row < target else "up")
        await pilot.pause()
    raise AssertionError(f"the cursor never reached {receipt_no}")


async def resume_the_draft(pilot) -> None:
    """F3, F6 to the drafts, Down into the list, Enter on the one draft: back where it was left."""
    app = pilot.app
    screen = await f3(pilot)
    await pilot.press("f6")
    await until(pilot, lambda: screen.tab == "apps-tab-drafts", "F6: the drafts")
    drafts = screen.query_one("#apps-drafts", DataTable)
    assert drafts.row_count == 1, drafts.row_count
    await pilot.press("down")
    await until(pilot, lambda: app.focused is drafts, "the drafts list")
    await pilot.press("enter")
    await until(pilot, lambda: not isinstance(app.screen, ApplicationsScreen), "the draft resumed")


async def quit_app(pilot) -> None:
    """Ctrl+Q, as the clerk ends the app."""
    await pilot.press("ctrl+q")
    await pilot.pause()


async def fill_form(pilot, values: dict[str, str], limit: int = 120) -> None:
    """Tab through the form once, giving each field in ``values`` its value as the clerk does:
    typed (pasted, as an IME commits), chosen from a drop-down by the label read, switched.

    A field the form does not ask (the catalog made it one with another, say) is skipped; a
    field already holding its value is left alone.
    """
    app = pilot.app
    assert isinstance(app.screen, FormScreen)
    wanted = {widget_id(field_id): value for field_id, value in values.items()}
    done: set[str] = set()
    first: str | None = None
    for _ in range(limit):
        control = app.focused
        control_id = getattr(control, "id", None) or ""
        if control_id and control_id == first and done:
            break  # once round the form
        first = first or control_id
        if control_id in wanted and control_id not in done:
            await give(pilot, control, wanted[control_id])
            done.add(control_id)
        if done == set(wanted):
            break
        await pilot.press("tab")
        await pilot.pause()


async def give(pilot, control: Widget, value: str) -> None:
    """One value into the focused control."""
    if isinstance(control, Select):
        await choose(pilot, control, value)
    elif isinstance(control, Switch):
        if control.value != (value == "true"):
            await pilot.press("space")
    elif isinstance(control, RadioSet):
        for _ in range(len(control.query(RadioButton)) + 1):
            highlighted = control.query(".-selected")
            if highlighted and str(highlighted.first().label) == value:
                break
            await pilot.press("down")
        await pilot.press("enter")
    else:
        assert isinstance(control, Input), control
        if control.value != value:
            control.value = ""  # what a draft or a prefill put there is retyped
            await paste(pilot, value)
    await pilot.pause()


def form_value(app: WindowApp, field_id: str) -> Any:
    return app.screen.query_one(f"#{widget_id(field_id)}").value


# -- three bundles, every step by keys ---------------------------------------------------------

BUSINESS_FORM = {
    "entity_type": "有限责任公司",
    "registered_capital": "100",
    "business_scope": "乡村旅游开发；农产品种植与销售",
    "business_address": "贞丰县珉谷街道三合社区环城东路18号",
    "employee_count": "8",
    "taxpayer_type": "小规模纳税人",
    "invoice_type": "数电普通发票",
    "seal_count": "4",
}

NEWBORN_FORM = {
    "child_name": "韦子睿",
    "child_gender": "男",
    "child_birth_date": "2026-11-20",
    "child_ethnicity": "布依族",
    "birth_hospital": "贞丰县人民医院",
    "mother_name": "岑春燕",
    "mother_id_number": MOTHER_ID,
    "father_name": "韦振华",
    "father_id_number": FATHER_ID,
    "hukou_address": "贞丰县珉谷街道双峰社区解放路12号",
}

HOUSE_FORM = {
    "seller_name": "黄秀英",
    "seller_id_number": SELLER_ID,
    "house_location": "贞丰县珉谷街道龙井社区文庙路56号2栋1单元702号",
    "house_area": "112.36",
    "house_use": "住宅",
    "transaction_price": "48.5",
    "first_home": "true",
    "property_certificate_number": "黔（2021）贞丰县不动产权第0003587号",
    "electricity_account": "0612345678",
    "water_account": "ZF0023561",
}


async def accept_business_startup(pilot) -> str:
    """企业开办一件事 for a company not yet registered; the receipt number shown."""
    await search_and_start(pilot, "qykb")
    await type_fields(pilot, ["贞丰县花江峡谷农旅开发有限公司", "", "岑国祥", LEGAL_REP_ID, "13985961024"])
    await pilot.press("f6")  # the contact person is the legal representative
    await pilot.pause()
    await next_step(pilot, SituationScreen)
    await answer(pilot, "housing_fund", "no")
    await next_step(pilot, ChecklistScreen)
    await record_materials(
        pilot,
        {
            "registration_application": "1",
            "articles_of_association": "1",
            "id_card": "3",
            "premises_proof": "2",
            "appointment_docs": "1",
            "business_licence": "3",
            "bank_account_application": "1",
        },
    )
    await fill_form(pilot, BUSINESS_FORM)
    return await accept_at_review(pilot)


async def accept_house_transfer(pilot) -> str:
    """二手房转移登记及水电气联动过户: the buyer at the window; no gas."""
    await search_and_start(pilot, "esf")
    await type_fields(pilot, ["罗明", BUYER_ID, "13885962471"])
    await next_step(pilot, SituationScreen)
    await answer(pilot, "buyer_marital", "married")
    await answer(pilot, "has_gas", "no")
    await next_step(pilot, ChecklistScreen)
    await record_materials(
        pilot,
        {
            "id_card": "3",
            "seller_id_card": "3",
            "house_sale_contract": "1",
            "property_certificate": "1",
            "marriage_certificate": "3",
            "utility_bill": "2",
        },
    )
    await fill_form(pilot, HOUSE_FORM)
    return await accept_at_review(pilot)


async def newborn_up_to_the_form(pilot) -> None:
    """新生儿出生一件事: the mother at the window, answers and materials; the form is next."""
    await search_and_start(pilot, "xsecs")
    await type_fields(pilot, ["岑春燕", MOTHER_ID, "15085963317"])
    await next_step(pilot, SituationScreen)
    await answer(pilot, "parents_married", "yes")  # a question of fact: no default
    await answer(pilot, "mother_employee_insured", "no")
    await next_step(pilot, ChecklistScreen)
    await record_materials(
        pilot,
        {
            "birth_medical_certificate": "3",
            "household_register": "1",
            "id_card": "3",
            "marriage_certificate": "3",
            "photo": "1",
        },
    )


async def accept_newborn(pilot) -> str:
    await newborn_up_to_the_form(pilot)
    await fill_form(pilot, NEWBORN_FORM)
    return await accept_at_review(pilot)


# -- the department, at the real exchange ------------------------------------------------------


def inbox(url: str, department: str) -> list[dict[str, Any]]:
    """What the department's inbox at the exchange lists (every envelope, any state)."""
    with DepartmentClient(url, f"demo-{department}") as client:
        return client.inbox("all")


def department_decides(url: str, department: str, receipt_no: str, decision: str = "approved", **extra: str) -> list[str]:
    """The department decides every item of its open envelope of ``receipt_no``; the items."""
    decided = []
    with DepartmentClient(url, f"demo-{department}") as client:
        for envelope in client.inbox("open"):
            if envelope["receipt_no"] != receipt_no or envelope["kind"] != "application":
                continue
            for item in envelope["payload"]["items"]:
                options = dict(extra)
                if decision == "approved":
                    options.setdefault("result", f"{item['result']} 522325-2026-000123")
                client.decide(
                    envelope["envelope_id"], item["id"], decision, decided_by="审批员", keys=DepartmentKeys.demo(department), **options
                )
                decided.append(item["id"])
    return decided


# -- the window as a process, to be killed ------------------------------------------------------


class KilledWindow:
    """``python -m tests.functional_tests.morning_helpers DATA_DIR URL STOP``: the real app in its
    own process, driven by keys until ``STOP``; then killed with SIGKILL."""

    def __init__(self, data_dir: Path, url: str, stop: str) -> None:
        env = {key: value for key, value in os.environ.items() if not key.startswith("WINDOW_APP_")}
        self.log = data_dir.parent / f"killed-{stop}.log"
        self._out = open(self.log, "w", encoding="utf-8")  # noqa: SIM115 (closed in kill)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.functional_tests.morning_helpers", str(data_dir), url, stop],
            cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT,
        )

    def wait_until_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while "READY" not in self.log.read_text(encoding="utf-8"):
            assert self.process.poll() is None, f"the window ended: {self.log.read_text(encoding='utf-8')}"
            assert time.monotonic() < deadline, f"never ready: {self.log.read_text(encoding='utf-8')}"
            time.sleep(0.05)

    def kill(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        code = self.process.wait(30)
        self._out.close()
        return code


async def drive(data_dir: Path, url: str, stop: str) -> None:
    """The clerk's keys in the process that will be killed."""
    window, app = start_window(data_dir, url)
    async with app.run_test(size=NARROW) as pilot:
        await sign_in(pilot)
        await newborn_up_to_the_form(pilot)
        await fill_form(pilot, {k: v for k, v in NEWBORN_FORM.items() if k not in ("father_name", "father_id_number")})
        if stop == "after-step-change":
            # The clerk looks back at the checklist (Esc) and returns (Ctrl+N): two step
            # changes, each saving the draft with the form so far.
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, ChecklistScreen), "back on the checklist")
            await next_step(pilot, FormScreen)
            await fill_form(pilot, {"father_name": "韦振"})  # half typed when the power goes
        elif stop == "typed-in-a-field":
            await fill_form(pilot, {"father_name": "韦振华"})
            typed = time.monotonic()
            while time.monotonic() - typed < 2.0:  # the clerk looks up for two seconds
                await pilot.pause()
                await asyncio.sleep(0.05)
        print("READY", flush=True)
        # The app runs on (timers, workers) as it would at the window, until it is killed.
        started = time.monotonic()
        while time.monotonic() - started < 300:
            await pilot.pause()
            await asyncio.sleep(0.1)


if __name__ == "__main__":
    asyncio.run(drive(Path(sys.argv[1]), sys.argv[2], sys.argv[3]))
