"""Sign in (登录): 工号 and PIN; the first screen of a window that has accounts, and the lock.

The same screen serves two moments (the app decides what follows, :meth:`screens.app.WindowApp.signed_in`):

- **at start**, over nothing: whoever signs in starts at the pick screen;
- **locked** (Ctrl+L or the idle time of ``[clerks] idle_lock_minutes``), pushed over whatever
  was shown, which it hides: the 工号 of the clerk who was working is filled in and the cursor
  waits in the PIN, so the same clerk is back in seconds, exactly where they were; another
  clerk types over the 工号 and starts at the pick screen (the application in progress waits
  in the drafts).

The PIN is checked in a thread (argon2id, ~0.1 s): the screen says so meanwhile. What the
window says when it refuses (unknown 工号, wrong PIN and the tries left, locked until when,
disabled) stays under the inputs. Only the 工号 is remembered, in memory, never the PIN.
"""

from __future__ import annotations

from functools import partial

from textual.app import ComposeResult
from textual.widgets import Input, Static

from screens.widgets.pin_form import PinFormScreen, field_line
from window_app.domain.clerks import Clerk
from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words


class SignInScreen(PinFormScreen):
    """工号 + PIN; Enter signs in.

    Args:
        locked_by: The clerk who was signed in when the window locked (``None`` at start).
        clerk_id: The 工号 to fill in (the last clerk's), so that only the PIN is typed.
    """

    CSS_PATH = "sign_in.tcss"
    TITLE_WORDS = Words("登录", "Sign in")

    ENTER_WORDS = Words("登录", "Sign in")

    def __init__(self, *, locked_by: Clerk | None = None, clerk_id: str = "") -> None:
        super().__init__()
        self.locked_by = locked_by
        self._clerk_id = clerk_id or (locked_by.id if locked_by else "")

    def compose_form(self) -> ComposeResult:
        yield Static(str(self._intro()), classes="pin-text", id="sign-in-intro", markup=False)
        yield field_line(Words("工号", "Clerk id"), self.form_input(self._clerk_id, id="sign-in-id", max_length=20))
        yield field_line(Words("PIN", "PIN"), self.form_input(id="sign-in-pin", password=True, max_length=64))

    def _intro(self) -> Words:
        if self.locked_by is None:
            return Words("请输入工号和 PIN 登录。", "Sign in with your clerk id and PIN.")
        return Words(
            "窗口已锁定。{c}本人登录即回到原处；\n换人登录从选择事项开始，正在办理的申请留在草稿中。",
            "The window is locked. {c} signs in to carry on where they were; another clerk starts "
            "at the offerings, and the application in progress waits in the drafts.",
        ).format(c=self.locked_by.label)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#sign-in-pin" if self._clerk_id else "#sign-in-id", Input).focus()

    def submit(self) -> None:
        clerk_id = self.query_one("#sign-in-id", Input).value.strip()
        pin = self.query_one("#sign-in-pin", Input).value
        if not clerk_id:
            self.say(Words("请输入工号", "Type your clerk id"))
            self.query_one("#sign-in-id", Input).focus()
            return
        if not pin:
            self.say(Words("请输入 PIN", "Type your PIN"))
            self.query_one("#sign-in-pin", Input).focus()
            return
        self.run_pin_work(partial(self.window.sign_in, clerk_id, pin))

    def refused(self, error: WindowAppError) -> None:
        pin = self.query_one("#sign-in-pin", Input)
        pin.value = ""
        kind = getattr(error, "kind", "")
        (self.query_one("#sign-in-id", Input) if kind in ("unknown", "disabled", "locked") else pin).focus()
