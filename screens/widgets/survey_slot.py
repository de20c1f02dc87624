"""Ask the slot of a joint site survey (联合踏勘): day, start, place, contact and office phone.

Used to propose the appointment and to confirm one slot to all (the box starts with the slot
to confirm: the proposal when all agree, a department's other slot when one proposed it).
"""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from screens.widgets.key_footer import KeyFooter
from screens.widgets.localized import WordsBinding
from screens.window_screen import WindowScreen
from window_app.domain.survey import Slot, parse_slot
from window_app.domain.words import Words, tr

FIELDS = ("date", "time", "place", "contact", "phone")


class SurveySlotDialog(WindowScreen[Slot | None], ModalScreen[Slot | None]):
    """A survey slot, checked when submitted; dismisses with it, or ``None`` when cancelled.

    Args:
        title: The box's title (propose / confirm).
        question: One line above the fields.
        slot: The slot to start from.
        zone: The window's zone: the day and time are typed and shown in it.
    """

    CSS_PATH = "survey_slot.tcss"

    BINDINGS = [
        WordsBinding("escape", "cancel", words=Words("取消", "Cancel")),
    ]

    SHOW_APP_KEYS = True

    def __init__(self, title: str, question: str, slot: Slot, zone: dt.tzinfo) -> None:
        super().__init__()
        self._title = title
        self._question = question
        self._zone = zone
        local = slot.local(zone)
        self._values = {
            "date": local.date().isoformat(),
            "time": f"{local:%H:%M}",
            "place": slot.place,
            "contact": slot.contact_name,
            "phone": slot.contact_phone,
        }

    def compose(self) -> ComposeResult:
        labels = {
            "date": tr("日期（YYYY-MM-DD）", "Date (YYYY-MM-DD)"),
            "time": tr("开始时间（HH:MM）", "Start (HH:MM)"),
            "place": tr("地点", "Place"),
            "contact": tr("联系人", "Contact"),
            "phone": tr("联系电话（办公电话）", "Phone (office line)"),
        }
        with Vertical(id="survey-box") as box:
            box.border_title = self._title
            yield Static(self._question, id="survey-question", markup=False)
            for name in FIELDS:
                with Horizontal(classes="survey-row"):
                    yield Label(labels[name], classes="survey-label")
                    yield Input(self._values[name], id=f"survey-{name}", classes="survey-input")
            yield Static("", id="survey-error", markup=False)
            with Horizontal(id="survey-buttons"):
                yield Button(tr("确定", "OK"), id="survey-ok", variant="primary")
                yield Button(tr("取消", "Cancel"), id="survey-cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#survey-date", Input).focus()

    async def recompose(self) -> None:
        await super().recompose()  # rebuilt in the other language (F2): the values were kept
        self.on_mount()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id:
            self._values[event.input.id.removeprefix("survey-")] = event.value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "survey-ok":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _submit(self) -> None:
        v = self._values
        slot = parse_slot(v["date"], v["time"], self._zone, v["place"], v["contact"], v["phone"])
        error = self.query_one("#survey-error", Static)
        if isinstance(slot, Words):
            error.update(str(slot))
            error.set_class(True, "-shown")
            return
        self.dismiss(slot)
