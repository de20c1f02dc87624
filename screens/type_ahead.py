"""Type-ahead: keys typed while a screen changes go to the screen that appears.

A step takes a moment to build. Without this, a key typed meanwhile goes to the screen being
built before any of its widgets has focus (lost), or, typed right after the Enter that moves on,
to the old screen's focused input (it is still there until the Enter has been handled).

:class:`TypeAhead` holds the keys back instead; the app's ``on_event`` passes every event
through :meth:`TypeAhead.dispatch`:

- after any key that may change the screen (a key that types no character: Enter, Esc,
  Ctrl+N, F-keys …; or an Alt key, which Textual calls printable: Alt+N), keys are held until that key has been handled: a callback follows the key
  up the same path (the focused widget, each of its ancestors, the screen, the app: where
  Textual runs the key's binding), one ``call_later`` per hop, so it runs after the key; then
  climbs once more from the focused widget, behind the message the binding posted there
  (``Input.Submitted``, ``Button.Pressed`` …) as it bubbles to where it is handled;
- when the app shows another screen (:meth:`TypeAhead.screen_changing`), keys are held too;
- then, if the screen changed, until the new screen is mounted and refreshed once (its
  ``on_mount`` has set the focus); else at once;
- then the held keys are posted to the app again, in the order typed, and take the ordinary
  path to whatever has focus now.

Only public Textual API: ``on_event``, ``post_message``, ``call_later``, ``call_after_refresh``,
``set_timer``, :class:`textual.events.Key`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from textual import events

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode
    from textual.screen import Screen
    from textual.timer import Timer

FOLLOW_ROUNDS = 2
"""Climbs from the focused widget to the app after a key: the key itself, then the message its
binding posted (a handler that posts yet another message to a widget is not waited for)."""

HOLD_LIMIT_SECONDS = 3.0
"""Held keys are let go after this long whatever happens: a screen that never refreshes must
not swallow the keyboard."""


class TypeAhead:
    """Holds keys typed while the screen may change, and replays them to the screen shown then.

    Args:
        app: The app whose key events this sees (its ``on_event`` calls :meth:`dispatch`).
    """

    def __init__(self, app: App) -> None:
        self._app = app
        self._held: list[events.Key] = []
        self._holding = 0  # reasons to hold: one per key being followed, one per screen change
        self._waiting_on: Screen | None = None
        self._limit: Timer | None = None

    @property
    def holding(self) -> bool:
        """Whether keys are being held right now."""
        return self._holding > 0 or self._waiting_on is not None

    async def dispatch(self, event: events.Event, handle: Callable[[events.Event], Awaitable[None]]) -> None:
        """Let ``handle`` (the app's own ``on_event``) have ``event``, unless it is a key typed
        while the screen may change: then it is held, and replayed later."""
        if not isinstance(event, events.Key) or event.is_forwarded:  # forwarded: bubbling back up
            await handle(event)
            return
        if self.holding:
            self._held.append(events.Key(event.key, event.character))
            return
        await handle(event)
        # Enter, Esc, Ctrl+N, F-keys … may change the screen; so may Alt+N, printable as it is.
        if not event.is_printable or event.key.startswith("alt+"):
            self._after_key()

    def _after_key(self) -> None:
        """Hold the next keys until the key just dispatched has been handled."""
        app = self._app
        self._hold()
        try:
            target: DOMNode = app.focused or app.screen
        except Exception:  # no screen (the app is ending): nothing to follow
            self._let_go()
            return
        self._follow(target, FOLLOW_ROUNDS)

    def screen_changing(self) -> None:
        """The app is about to show another screen: hold keys until it is ready."""
        self._hold()
        self._app.call_later(self._let_go)

    # -- holding ---------------------------------------------------------------------------

    def _hold(self) -> None:
        self._holding += 1
        if self._limit is None:
            self._limit = self._app.set_timer(HOLD_LIMIT_SECONDS, self._give_up)

    def _follow(self, node: DOMNode, rounds: int) -> None:
        """One hop up: run again in ``node``'s queue, after what is already there."""
        parent = node.parent
        if parent is None:  # at the app: one climb done
            if rounds > 1:
                try:
                    self._follow(self._app.focused or self._app.screen, rounds - 1)
                    return
                except Exception:
                    pass
            self._let_go()
            return
        if not node.call_later(self._follow, parent, rounds):  # closed meanwhile (switched away)
            self._app.call_later(self._let_go)

    def _let_go(self) -> None:
        """One reason to hold is gone; when none is left, wait for the screen, then replay."""
        self._holding = max(0, self._holding - 1)
        if self._holding == 0:
            self._await_screen()

    def _await_screen(self) -> None:
        try:
            screen = self._app.screen
        except Exception:
            self._replay()
            return
        if self._waiting_on is screen and screen.is_mounted:
            self._replay()
            return
        self._waiting_on = screen
        # Processed once the screen is composed and mounted; runs after its next refresh.
        if not screen.call_after_refresh(self._screen_refreshed, screen):
            self._replay()

    def _screen_refreshed(self, screen: Screen) -> None:
        if self._holding or screen is not self._waiting_on:
            return  # held again meanwhile: the last reason to go decides
        self._await_screen()

    def _give_up(self) -> None:
        self._holding = 0
        self._replay()

    def _replay(self) -> None:
        """Post the held keys to the app again, in the order typed."""
        self._waiting_on = None
        if self._limit is not None:
            self._limit.stop()
            self._limit = None
        held, self._held = self._held, []
        for key in held:
            self._app.post_message(key)
