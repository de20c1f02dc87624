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

In a browser (``window-app serve``, :attr:`textual.app.App.is_web`) the server's printer is not
the clerk's: the notice is written the same way, then delivered to the clerk's browser with
Textual's ``deliver_binary`` as a download named ``<file stem>.pdf`` (ASCII:
``<receipt no>-receipt.pdf``, ``one-time-<bundle>-<day>.pdf`` …, safe in every browser's and
OS's file names), which the clerk opens and prints there; the words say so.

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
DELIVERING = Words("正在生成{title}，完成后在浏览器中下载……", "Making the {title} for your browser to download …")
DELIVERED = Words(
    "{title}已发送到浏览器下载：{name}（在浏览器中打开即可打印）",
    "The {title} was sent to your browser as the download {name} (open it there to print)",
)
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
    if app.is_web:  # the clerk's browser, not the server's printer
        app.notify(str(DELIVERING.format(title=notice.title)), timeout=3, markup=False)
        work = _deliver(app, screen.window_app, screen.window, notice, on_done)
    else:
        app.notify(str(MAKING.format(title=notice.title)), timeout=3, markup=False)
        work = _print(app, screen.window_app, screen.window, notice, on_done)
    return app.run_worker(work, group=group, exit_on_error=False)


async def _print(app: App, window_app: WindowAppProtocol, window: Window, notice: Notice, on_done: Done | None) -> None:
    """Write and print ``notice`` in a thread; tell the clerk (runs on the app's event loop, so
    the screen it was started from may be gone by then)."""
    try:
        rendered, outcome = await asyncio.to_thread(window.print_notice, notice)
    except Exception as error:
        words = _not_made(app, window_app, notice, error)
    else:
        words = outcome.words if not rendered.note else rendered.note + "\n" + outcome.words
        app.notify(str(words), severity="information" if outcome.printed else "warning", timeout=10, markup=False)
    if on_done is not None:
        on_done(words)


async def _deliver(app: App, window_app: WindowAppProtocol, window: Window, notice: Notice, on_done: Done | None) -> None:
    """Write ``notice`` in a thread and deliver it to the clerk's browser as a download."""
    try:
        rendered = await asyncio.to_thread(window.write_notice, notice)
        name = f"{notice.file_stem}{rendered.path.suffix}"
        app.deliver_binary(
            rendered.path,
            save_filename=name,
            mime_type="application/pdf" if rendered.is_pdf else "text/html",
            open_method="download",
        )
    except Exception as error:
        words = _not_made(app, window_app, notice, error)
    else:
        words = DELIVERED.format(title=notice.title, name=name)
        if rendered.note:
            words = rendered.note + "\n" + words
        app.notify(str(words), severity="information" if rendered.is_pdf else "warning", timeout=10, markup=False)
    if on_done is not None:
        on_done(words)


def _not_made(app: App, window_app: WindowAppProtocol, notice: Notice, error: Exception) -> Words:
    """Why ``notice`` was not made, told to the clerk: the disk or the window in words, a bug in
    the safety net's box."""
    if isinstance(error, (OSError, WindowAppError)):
        reason = error.words if isinstance(error, WindowAppError) else (error.strerror or str(error))
        words = NOT_MADE.format(title=notice.title, reason=reason)
        app.notify(str(words), severity="error", timeout=10, markup=False)
        return words
    window_app.report_unexpected(error)
    return NOT_MADE.format(title=notice.title, reason=type(error).__name__)


def print_one_time_notice(screen: StepScreen) -> Worker | None:
    """The 一次性告知书 of the application as the step's widgets stand (answers, chosen items,
    materials marked so far: those not received yet are listed first), printed.

    For an applicant who lacks something: everything to bring, on paper, at once.
    """
    screen.commit()
    return print_notice(screen, lambda: screen.window.one_time_notice(screen.intake))
