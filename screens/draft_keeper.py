"""Saving the application in progress as the clerk types: debounced, off the keystroke path.

The app saves a draft at every step change; between step changes :class:`DraftKeeper` saves it
:data:`DRAFT_DEBOUNCE_SECONDS` after the last key, paste or click on a step screen. A burst of
typing is one write, made once the clerk pauses, never while a key is being handled. The write
is one small row (the intake, sealed) in autocommit mode on a WAL database: once it returns it
survives the process being killed. A SIGKILL loses at most what was typed in the last
:data:`DRAFT_DEBOUNCE_SECONDS` (plus the few milliseconds of the write).

Nothing is written when nothing changed since the last save (the intake's JSON is compared),
nor for an application nobody has typed anything into yet, nor while the window is locked or
the clerk may not keep drafts.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from textual import events

from window_app.domain.clerks import Permission
from window_app.domain.errors import StorageError

if TYPE_CHECKING:
    from textual.timer import Timer

    from screens.app import WindowApp
    from window_app.domain.intake import Intake

DRAFT_DEBOUNCE_SECONDS = 0.5
"""Quiet time after the last change before the draft is written."""

EDITING_EVENTS = (events.Key, events.Paste, events.MouseUp)
"""What may change a field: keys, pastes, clicks (a click toggles a checkbox, picks an option)."""


def intake_state(intake: Intake) -> str:
    """What a draft of ``intake`` stores, as comparable text."""
    return json.dumps(intake.to_json(), ensure_ascii=False, sort_keys=True)


class DraftKeeper:
    """Writes the draft a moment after the clerk stops changing fields.

    Args:
        app: The app whose intake is kept.
    """

    def __init__(self, app: WindowApp) -> None:
        self._app = app
        self._due = 0.0
        self._timer: Timer | None = None
        self._saved: tuple[str, str] | None = None  # (draft id, intake state) last written
        self._failed = False

    def touched(self, event: events.Event) -> None:
        """An event reached the app: if it may change a field of a step, (re)start the wait."""
        if not isinstance(event, EDITING_EVENTS) or self._app.intake is None:
            return
        self._due = time.monotonic() + DRAFT_DEBOUNCE_SECONDS
        if self._timer is None:
            self._timer = self._app.set_timer(DRAFT_DEBOUNCE_SECONDS, self._elapsed)

    def saved(self, intake: Intake) -> None:
        """The app wrote ``intake`` as a draft itself (a step change): nothing to write again."""
        self._saved = (intake.draft_id, intake_state(intake))

    def _elapsed(self) -> None:
        self._timer = None
        left = self._due - time.monotonic()
        if left > 0.01:  # typed again meanwhile: wait for the quiet after the last key
            self._timer = self._app.set_timer(left, self._elapsed)
            return
        self.save_now()

    def save_now(self) -> bool:
        """Write the intake as it stands as the draft, if anything changed since the last write.

        The step screens copy every change into the intake as it is made (a typed value, an
        answer, a material's state, a decision), so the screen's ``commit()`` is not called:
        it also tidies (the checklist writes every material's default state), which belongs to
        leaving a step, not to a pause in typing.

        Returns:
            Whether a draft was written.
        """
        app = self._app
        intake = app.intake
        if intake is None or not app.is_running or not app.screen_stack:  # quitting: Ctrl+Q saved it
            return False
        if app.clerk_session.locked or not app.may(Permission.DRAFT):
            return False
        state = intake_state(intake)
        if self._saved == (intake.draft_id, state) or (not intake.draft_id and app.is_untouched(intake)):
            return False
        try:
            intake.draft_id = app.window.save_draft(intake)
        except StorageError as error:
            if not self._failed:  # said once, not after every pause in typing
                app.report_storage_error(error)
            self._failed = True
            return False
        self._failed = False
        self._saved = (intake.draft_id, state)
        return True
