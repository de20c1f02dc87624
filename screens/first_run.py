"""First run (首次使用): a window without accounts makes its first administrator, nothing more.

A fresh data dir starts here (``window-app`` with no preparation): 工号, 姓名, PIN twice. The
account is administrator, supervisor and acceptor (a county window often starts with one
person, :data:`~window_app.domain.clerks.FIRST_ADMINISTRATOR_ROLES`), signed in at once, and the
pick screen follows. The screen says what the account is and what the PIN protects, and that
the last administrator's forgotten PIN cannot be recovered.
"""

from __future__ import annotations

from functools import partial

from textual.app import ComposeResult
from textual.widgets import Input, Static

from screens.widgets.pin_form import PinFormScreen, field_line
from window_app.domain.clerks import clerk_id_problem
from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words

# The Chinese lines are broken by hand: a line of hanzi would otherwise break anywhere, before
# a comma or inside "PIN" (the box is 74 columns wide inside, whatever the terminal).
INTRO = Words(
    "本窗口还没有账号，请先开设您自己的账号：管理员、值班长兼受理员，\n可以受理办件，也可以为其他工作人员开设账号。",
    "This window has no accounts yet. Make the first one, yours: administrator, supervisor and "
    "acceptor; it accepts applications and makes the other clerks' accounts.",
)
PIN_NOTE = Words(
    "PIN 保护本机保存的申请人信息。忘记 PIN 时，由另一位管理员重置；\n唯一的管理员忘记 PIN 则无法找回：请尽早再设一位管理员。",
    "The PIN protects the applicants' data on this computer. A forgotten PIN is reset by another "
    "administrator; the only administrator's forgotten PIN cannot be recovered: make a second one soon.",
)


class FirstRunScreen(PinFormScreen):
    """工号, 姓名, PIN, PIN again → the first administrator, signed in."""

    CSS_PATH = "first_run.tcss"
    TITLE_WORDS = Words("首次使用：开设管理员账号", "First run: your administrator account")
    PROGRESS_WORDS = Words("正在开设账号…", "Making the account…")

    ENTER_WORDS = Words("开设账号", "Make the account")

    def compose_form(self) -> ComposeResult:
        yield Static(str(INTRO), classes="pin-text", markup=False)
        yield field_line(Words("工号", "Clerk id"), self.form_input(id="first-id", max_length=20))
        yield field_line(Words("姓名", "Name"), self.form_input(id="first-name", max_length=40))
        yield field_line(Words("PIN", "PIN"), self.form_input(id="first-pin", password=True, max_length=64))
        yield field_line(Words("再输一次 PIN", "PIN again"), self.form_input(id="first-pin-again", password=True, max_length=64))

    def compose_notes(self) -> ComposeResult:
        yield Static(str(PIN_NOTE), classes="pin-note", id="first-pin-note", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#first-id", Input).focus()

    def action_submit(self) -> None:
        # Enter in a field goes on to the next empty one; once all are filled, makes the account.
        fields = list(self.query(Input))
        empty = [field for field in fields if not field.value]
        focused = self.focused
        if empty and focused in fields and focused is not fields[-1]:
            later = [field for field in empty if fields.index(field) > fields.index(focused)]
            (later or empty)[0].focus()
            return
        super().action_submit()

    def submit(self) -> None:
        value = {field.id: field.value for field in self.query(Input)}
        if value["first-pin"] != value["first-pin-again"]:
            self.say(Words("两次输入的 PIN 不一致，请重新输入", "The two PINs differ: type them again"))
            self.query_one("#first-pin-again", Input).value = ""
            self.query_one("#first-pin", Input).value = ""
            self.query_one("#first-pin", Input).focus()
            return
        self.run_pin_work(
            partial(self.window.create_first_administrator, value["first-id"], value["first-name"], value["first-pin"])
        )

    def refused(self, error: WindowAppError) -> None:
        # The cursor goes to the field the words are about (the window checks id, PIN, name).
        if clerk_id_problem(self.query_one("#first-id", Input).value.strip()) is not None:
            target = "#first-id"
        elif self.query_one("#first-name", Input).value.strip() and getattr(error, "kind", "") == "invalid":
            target = "#first-pin"
        else:
            target = "#first-name"
        self.query_one(target, Input).focus()
