"""The base of the window's screens: the facade, bilingual keys, and the safety net.

Every screen of the app is a :class:`WindowScreen` (a modal one mixes in
:class:`~textual.screen.ModalScreen` after it). It gets:

- :attr:`WindowScreen.window`, the :class:`~window_app.window.Window` facade (every rule, read
  and write), and :attr:`WindowScreen.window_app`, the app typed as :class:`WindowAppProtocol`
  (what screens may ask of it), without importing the app's module: the app imports the
  screens, never the other way round;
- its ``BINDINGS`` in the current language (:func:`~screens.widgets.localized.localize_bindings`);
- the safety net (:class:`~screens.safety.GuardedDispatch`): an exception in one of its handlers
  becomes words in a box, the draft is saved, the session goes on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from textual.screen import Screen, ScreenResultType

from screens.safety import GuardedDispatch
from screens.widgets.localized import localize_bindings

if TYPE_CHECKING:
    from textual.app import App

    from window_app.domain.clerks import Clerk, Permission
    from window_app.domain.errors import WindowAppError
    from window_app.domain.intake import Intake
    from window_app.domain.words import Words
    from window_app.window import Window


class WindowAppProtocol(Protocol):
    """What the window's screens ask of the app (:class:`screens.app.WindowApp` is the one).

    Attributes:
        window: The facade every screen calls.
        intake: The application being taken, or ``None`` on the pick screen.
        sync_online: Whether the exchange answers (``None``: not known yet).
        sync_queued: Envelopes queued for the line (``None``: unknown).
        sync_quarantined: Envelopes the exchange refused for good.
        sync_reason: Why the window is offline (empty words when it is not).
        sync_running: The sync worker runs rounds on its own.
        sync_generation: Goes up whenever a sync round changed what screens show.
        sync_elsewhere: Words while another process syncs this database; empty otherwise.
        clerk_id: The signed-in clerk's 工号, ``""`` while nobody is.
    """

    window: Window
    intake: Intake | None
    sync_online: bool | None
    sync_queued: int | None
    sync_quarantined: int
    sync_reason: Words
    sync_running: bool
    sync_generation: int
    sync_elsewhere: Words
    clerk_id: str

    def report_storage_error(self, error: WindowAppError) -> None: ...
    def report_unexpected(self, error: Exception) -> None: ...
    def refresh_sync_counts(self) -> None: ...
    def goto_step(self, step: str) -> None: ...
    def next_step(self, current: str) -> None: ...
    def previous_step(self, current: str) -> None: ...
    def start_intake(self, offering_id: str) -> None: ...
    def resume_draft(self, draft_id: str) -> None: ...
    def save_draft(self) -> None: ...
    def finish_intake(self, receipt_no: str) -> None: ...
    def rebuild_step(self, screen: Screen) -> None: ...
    def may(self, permission: Permission) -> bool: ...
    def refuse_unless(self, permission: Permission) -> bool: ...
    def signed_in(self, clerk: Clerk) -> None: ...
    def lock_window(self) -> None: ...


class WindowScreen(GuardedDispatch, Screen[ScreenResultType]):
    """A screen of the window: the facade, its keys in the clerk's language, the safety net.

    Bind keys with :class:`~screens.widgets.localized.WordsBinding`; a modal screen is
    ``class Box(WindowScreen[T], ModalScreen[T])``.
    """

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        localize_bindings(self)

    @property
    def window_app(self) -> WindowAppProtocol:
        """The app, typed as what screens may ask of it."""
        app: App = self.app
        return app  # type: ignore[return-value]

    @property
    def window(self) -> Window:
        """The window facade: every rule and every read goes through it."""
        return self.window_app.window
