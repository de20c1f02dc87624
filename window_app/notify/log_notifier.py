"""``[notify] kind = "log"``: each message is one JSON line in a file of the data dir.

What the demo and the tests read: ``<data dir>/notifications.log``, mode 0600 (it holds phone
numbers), one ``{"at", "idempotency_key", "to", "text", "receipt_no", "kind"}`` per line,
written and fsynced before the message counts as sent. It honours the idempotency key as a
gateway should: a key already in the file is answered ``sent`` and not written again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from window_app.domain.words import Words
from window_app.notify.message import Message, Outcome

LOG_NAME = "notifications.log"


class LogNotifier:
    """Appends each message to ``path`` (created 0600; a file others may read is tightened)."""

    def __init__(self, path: Path):
        self.path = path
        self.label = Words("通知记录文件 {p}", "notification log {p}").format(p=str(path))
        self._keys: set[str] | None = None

    def _seen(self) -> set[str]:
        if self._keys is None:
            keys: set[str] = set()
            try:
                with self.path.open(encoding="utf-8") as lines:
                    for line in lines:
                        try:
                            keys.add(str(json.loads(line)["idempotency_key"]))
                        except (ValueError, KeyError, TypeError):
                            continue  # a line cut short by a crash: its message was not marked sent
            except FileNotFoundError:
                pass
            self._keys = keys
        return self._keys

    async def send(self, message: Message) -> Outcome:
        try:
            seen = self._seen()
            if message.key in seen:
                return Outcome.sent()  # sent before (a crash between the send and its mark)
            line = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **message.to_json()}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                if hasattr(os, "fchmod") and os.fstat(fd).st_mode & 0o077:
                    os.fchmod(fd, 0o600)
                os.write(fd, (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            return Outcome.retry(
                Words("无法写入通知记录文件 {p}：{e}", "Cannot write the notification log {p}: {e}").format(
                    p=str(self.path), e=exc.strerror or str(exc)
                )
            )
        seen.add(message.key)
        return Outcome.sent()

    async def aclose(self) -> None:
        return None


def read_log(path: Path) -> list[dict[str, str]]:
    """Every message in a log file (for a demo's look and the tests)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]
