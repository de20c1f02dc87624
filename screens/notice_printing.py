"""Printing a notice from any screen: one key, the work off the UI thread, the outcome in words.

Every screen that prints (the receipt, the one-time notice on the situation and checklist steps,
the notices of an accepted application, the supplement's receipt) calls :func:`print_notice`:

1. the notice is built on the UI thread (it reads the database, whose connection is this
   thread's); what cannot be built (:class:`~window_app.notices.model.NoticeUnavailable`, an
   unknown receipt number, a storage failure) is said in words and nothing is started;
2. :meth:`window_app.window.Window.print_notice` writes the PDF (reading a Chinese font is
   megabytes) and hands it to the printer in a thread, as an app worker, so the notice is still
   printed when the clerk leaves the screen meanwhile;
3. the clerk is told, in words, that it went to the printer, or why not and where the file was
   saved (and, without a Chinese font, that it is an HTML file); ``on_done`` gets the same words
   (the receipt shows them under the receipt).

The same notice is not started twice while it is being made (a second press rings the bell).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.worker import WorkerState

from window_app.domain.errors import StorageError, WindowAppError
from window_app.domain.words import Words

if TYPE_CHECKING:
    from textual.app import App
    from textual.worker import Worker

    from screens.step import StepScreen
    from screens.window_screen import WindowAppProtocol, WindowScreen
    from window_app.notices.model import Notice
    from window_app.window import Window

PRINT_WORDS = Words("打印", "Print")
"""The print key's words where the screen shows one thing to print (the receipt)."""

ONE_TIME_WORDS = Words("告知书", "Notice")
"""The print key's words on the steps that print the 一次性告知书 (situation, checklist): short,
for the checklist's full footer; the F1 help says which notice."""

GROUP_PREFIX = "print-notice:"
"""Workers printing a notice are in the group ``print-notice:<file stem>``."""

MAKING = Words("正在生成并打印{title}……", "Making and printing the {title} …")
NOT_MADE = Words("{title}未能生成：{reason}", "The {title} could not be made: {reason}")
NO_APPLICATION = Words("没有受理编号为 {no} 的办件", "No application has receipt number {no}")

Done = Callable[[Words], None]
"""Told what became of the print, in words (on the UI thread)."""


def print_notice(screen: WindowScreen, notice_of: Callable[[], Notice], *, on_done: Done | None = None) -> Worker | None:
    """Build a notice and print it off the UI thread; the clerk is told the outcome.

    Args:
        screen: The screen the key was pressed on (its window, app and notifications).
        notice_of: Builds the notice (``lambda: window.notice("receipt", no)`` …); called here.
        on_done: Also given the outcome's words once it is known.

    Returns:
        The worker printing it, or ``None`` when nothing was started (the clerk was told why,
        or the same notice is still being made).
    """
    app = screen.app
    try:
        notice = notice_of()
    except KeyError as missing:
        screen.notify(str(NO_APPLICATION.format(no=missing.args[0] if missing.args else "")), severity="error", markup=False)
        return None
    except StorageError as error:
        screen.window_app.report_storage_error(error)
        return None
    except WindowAppError as error:  # NoticeUnavailable: nothing of this kind (the words say which)
        screen.notify(str(error.words), severity="warning", timeout=8, markup=False)
        return None
    group = GROUP_PREFIX + notice.file_stem
    if any(worker.group == group and worker.state in (WorkerState.PENDING, WorkerState.RUNNING) for worker in app.workers):
        app.bell()  # already being made: the outcome follows
        return None
    app.notify(str(MAKING.format(title=notice.title)), timeout=3, markup=False)
    return app.run_worker(_print(app, screen.window_app, screen.window, notice, on_done), group=group, exit_on_error=False)


async def _print(app: App, window_app: WindowAppProtocol, window: Window, notice: Notice, on_done: Done | None) -> None:
    """Write and print ``notice`` in a thread; tell the clerk (runs on the app's event loop, so
    the screen it was started from may be gone by then)."""
    try:
        rendered, outcome = await asyncio.to_thread(window.print_notice, notice)
    except (OSError, WindowAppError) as error:
        reason = error.words if isinstance(error, WindowAppError) else (error.strerror or str(error))
        words = NOT_MADE.format(title=notice.title, reason=reason)
        app.notify(str(words), severity="error", timeout=10, markup=False)
    except Exception as error:  # a bug: the safety net's box says so
        window_app.report_unexpected(error)
        words = NOT_MADE.format(title=notice.title, reason=type(error).__name__)
    else:
        words = outcome.words if not rendered.note else rendered.note + "\n" + outcome.words
        app.notify(str(words), severity="information" if outcome.printed else "warning", timeout=10, markup=False)
    if on_done is not None:
        on_done(words)


def print_one_time_notice(screen: StepScreen) -> Worker | None:
    """The 一次性告知书 of the application as the step's widgets stand (answers, chosen items,
    materials marked so far: those not received yet are listed first), printed.

    For an applicant who lacks something: everything to bring, on paper, at once.
    """
    screen.commit()
    return print_notice(screen, lambda: screen.window.one_time_notice(screen.intake))
