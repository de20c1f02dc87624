"""Unexpected failures: the clerk is told in words, support staff get the traceback in a file.

Nothing here knows about Textual. The app (``screens/app.py``) catches what no screen expected,
calls :func:`record_incident` to append the full traceback to ``<data dir>/logs/window-app.log``,
and shows :func:`incident_message` (a modal while it can go on, stderr when it has to stop).
"""

from __future__ import annotations

import datetime as dt
import os
import traceback
from pathlib import Path

from window_app.domain.words import tr

LOG_DIR = "logs"
LOG_NAME = "window-app.log"
MAX_LOG_BYTES = 2_000_000
"""Past this size the log is renamed to ``window-app.log.1`` (one old file is kept)."""

SUMMARY_LENGTH = 200


def log_path(data_dir: Path) -> Path:
    """Where incidents are written: ``<data dir>/logs/window-app.log``."""
    return Path(data_dir) / LOG_DIR / LOG_NAME


def summary(error: BaseException) -> str:
    """The exception in one line: its type and the first line of its message, shortened."""
    lines = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…"


def record_incident(
    data_dir: Path,
    error: BaseException,
    *,
    now: dt.datetime,
    context: dict[str, str] | None = None,
) -> Path | None:
    """Append the incident (time, context, full traceback) to the log; ``None`` if it could not be written.

    Never raises: a full disk or a read-only data dir must not turn one failure into two.
    """
    path = log_path(data_dir)
    lines = [f"==== {now.isoformat(timespec='seconds')} unexpected error: {summary(error)}"]
    lines += [f"{key}: {value}" for key, value in (context or {}).items()]
    lines.append("".join(traceback.format_exception(type(error), error, error.__traceback__)).rstrip())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > MAX_LOG_BYTES:
            os.replace(path, path.with_name(LOG_NAME + ".1"))
        # 0600 whatever the umask: a traceback's message may quote what a clerk typed.
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        if os.name == "posix":
            os.fchmod(descriptor, 0o600)  # a log written before this version: tightened too
        with os.fdopen(descriptor, "a", encoding="utf-8") as log:
            log.write("\n".join(lines) + "\n\n")
    except OSError:
        return None
    return path


def incident_message(error: BaseException, *, draft: str, log: Path | None, stopping: bool = False) -> str:
    """What the clerk reads, in the current language.

    Args:
        error: The exception (only its one-line summary is shown).
        draft: ``"saved"`` (the open application was stored as a draft), ``"none"`` (none was
            open, or nothing typed), or the reason it could not be saved.
        log: Where the traceback was written, ``None`` if the log could not be written.
        stopping: The program has to stop (said, with how to go on).
    """
    if draft in ("saved", "none"):
        head = tr(
            "程序出错，本次操作未完成；已受理的办件和草稿均已保存。",
            "Something went wrong in the program: this operation was not completed. "
            "Accepted applications and drafts are all saved.",
        )
    else:
        head = tr(
            "程序出错，本次操作未完成；已受理的办件均完好，但当前申请未能存为草稿：{reason}",
            "Something went wrong in the program: this operation was not completed. Accepted "
            "applications are intact, but the application in progress could not be saved as a draft: {reason}",
            reason=draft,
        )
    lines = [head, "", tr("错误：{e}", "Error: {e}", e=summary(error))]
    if draft == "saved":
        lines.append(tr("正在办理的申请已存为草稿。", "The application in progress was saved as a draft."))
    if log is not None:
        lines.append(tr("详细记录已写入 {path}，请告知技术支持人员。", "Details for technical support: {path}", path=log))
    else:
        lines.append(tr("详细记录未能写入日志文件。", "The details could not be written to the log file."))
    if stopping:
        lines += [
            "",
            tr(
                "程序无法继续运行，已退出。重新启动 window-app 即可继续办理（草稿在 F3 办件与草稿中）。",
                "The program could not go on and has stopped. Start window-app again to carry on "
                "(drafts are under F3, applications and drafts).",
            ),
        ]
    else:
        lines += ["", tr("按 Enter 关闭本提示后可继续办理。", "Press Enter to close this message and carry on.")]
    return "\n".join(lines)
