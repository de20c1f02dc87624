"""The notifier ``[notify]`` asks for, or words saying why it cannot be had."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from window_app.config import Settings
from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words
from window_app.notify.log_notifier import LOG_NAME, LogNotifier
from window_app.notify.notifier import Notifier


class NotifyConfigError(WindowAppError):
    """``[notify]`` names something that cannot be used (a token file missing, open to others …)."""


def log_path(settings: Settings) -> Path:
    """Where ``kind = "log"`` writes: ``<data dir>/notifications.log``."""
    return settings.data_dir / LOG_NAME


def notifier_from(settings: Settings) -> Notifier | None:
    """The notifier of ``settings``; ``None`` for ``kind = "off"`` (queued, counted, not sent).

    Raises:
        NotifyConfigError: The http gateway's token file is missing, unreadable, empty, or
            readable by others; the words say which file and what to do.
    """
    notify = settings.notify
    if notify.kind == "off":
        return None
    if notify.kind == "log":
        return LogNotifier(log_path(settings))
    # Imported here: httpx only when a gateway is configured (the log notifier is the demo's).
    from window_app.notify.http_notifier import HttpNotifier

    return HttpNotifier(
        notify.url, read_token(Path(notify.token_file).expanduser()), token_file=notify.token_file, timeout=notify.timeout_seconds
    )


def read_token(path: Path) -> str:
    """The gateway's token from its own file (mode 0600, like a key file).

    Raises:
        NotifyConfigError: Missing, unreadable, empty, or readable by group or others.
    """
    try:
        info = path.stat()
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise NotifyConfigError(
            Words(
                "短信网关令牌文件 {p} 不存在：请创建它（权限 0600），或改正 [notify] token_file",
                "The SMS gateway's token file {p} does not exist: create it (mode 0600) or correct [notify] token_file",
            ).format(p=str(path))
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise NotifyConfigError(
            Words("无法读取短信网关令牌文件 {p}：{e}", "Cannot read the SMS gateway's token file {p}: {e}").format(
                p=str(path), e=getattr(exc, "strerror", None) or str(exc)
            )
        ) from None
    if os.name == "posix" and stat.S_IMODE(info.st_mode) & 0o077:
        raise NotifyConfigError(
            Words(
                "短信网关令牌文件 {p} 其他用户可读：请运行 chmod 600 {p}，并考虑更换令牌",
                "The SMS gateway's token file {p} is readable by others: run chmod 600 {p} and consider replacing the token",
            ).format(p=str(path))
        )
    if not text:
        raise NotifyConfigError(
            Words("短信网关令牌文件 {p} 是空的", "The SMS gateway's token file {p} is empty").format(p=str(path))
        )
    return text
