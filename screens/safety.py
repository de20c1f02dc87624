"""The safety net under the screens' handlers: an unexpected exception becomes words, not a crash.

Textual 8.2 runs a screen's handlers (``on_…`` methods, ``@on`` handlers, ``on_mount``, key
events) inside that screen's ``MessagePump._dispatch_message``. When an exception leaves it,
the pump's loop calls ``App._handle_exception`` and then *stops for good*
(``_process_messages_loop`` breaks): the screen would never process another message. That is
why Textual's default ends the app with a traceback, and why merely overriding
``App._handle_exception`` leaves a frozen app (Textualize/textual#2818).

:class:`GuardedDispatch` catches the exception one level earlier, inside ``_dispatch_message``,
so the pump goes on, and hands it to :meth:`screens.app.WindowApp.report_unexpected` (a box in
words, the draft saved, the traceback logged). ``WindowApp`` guards its own pump the same way:
key bindings (Ctrl+N, Esc, F10 …) run their actions there.

Some failures Textual catches itself and passes straight to ``App._handle_exception`` while the
pump goes on (callbacks queued with ``call_next``, such as a dialog's result callback; a
``compose`` that raised; timer callbacks). ``WindowApp._handle_exception`` tells them apart by
the pump that was running: the app's own or a guarded screen's goes on, so the clerk gets the
box; any other (a widget's own pump, an unguarded screen) has stopped, so the app saves the
draft, logs, and exits with the same words on stderr.

Textual is pinned to 8.2.x (pyproject): ``_dispatch_message`` and ``_handle_exception`` are
private API; ``tests/functional_tests/test_safety_net.py`` fails if they stop working this way.
"""

from __future__ import annotations

from typing import Any

from textual import events


class GuardedDispatch:
    """Mix into a :class:`~textual.screen.Screen` (before it) so its handlers cannot end the session."""

    discarded = False
    """Set on a screen the app is closing for good (another clerk signed in): it no longer
    reacts to being shown again on its way off the stack."""

    async def _dispatch_message(self, message: Any) -> None:
        if self.discarded and isinstance(message, events.ScreenResume):
            return
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except Exception as error:
            report = getattr(self.app, "report_unexpected", None)  # type: ignore[attr-defined]
            if report is None:
                raise
            report(error)
