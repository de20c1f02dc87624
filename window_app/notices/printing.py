"""Sending a written notice to the OS's default printer, or saying where it was saved.

Windows: the shell's ``print`` verb (``os.startfile(path, "print")``: the program registered for
PDF files prints it on the default printer). Linux and macOS: ``lp`` (CUPS). Printing is not
tried where it cannot reach the clerk's printer: over SSH, in browser mode (``textual serve``),
without ``lp``, or for an HTML file outside Windows (a browser prints that): the file stays where
it was saved and the clerk is told its path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from window_app.domain.words import Words


@dataclass(frozen=True)
class PrintOutcome:
    """What became of a print request.

    Attributes:
        printed: Handed to the printer (spooled; whether paper came out is the printer's business).
        path: The file, saved either way.
        words: What to tell the clerk (printed, or why not and where the file is).
    """

    printed: bool
    path: Path
    words: Words


def why_not_printable(path: Path) -> Words | None:
    """Why ``path`` cannot be printed from here, or ``None`` when it can be tried."""
    if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_CLIENT"):
        return Words("通过远程连接（SSH）使用，无法连接本地打印机", "working over SSH: no local printer is reachable")
    if "web" in os.environ.get("TEXTUAL_DRIVER", "").lower():
        return Words("浏览器模式下无法直接打印", "in browser mode the app cannot print directly")
    if sys.platform == "win32":
        return None
    if path.suffix != ".pdf":
        return Words("HTML 文件请用浏览器打开后打印", "open the HTML file in a browser to print it")
    if shutil.which("lp") is None:
        return Words("本机没有打印命令 lp（CUPS）", "this computer has no print command (lp, CUPS)")
    return None


def print_file(path: Path) -> PrintOutcome:
    """Send ``path`` to the default printer where possible; never raises for a printer's failure."""
    reason = why_not_printable(path)
    if reason is None:
        try:
            if sys.platform == "win32":
                os.startfile(path, "print")  # type: ignore[attr-defined]  # noqa: S606 - the shell's print verb
            else:
                done = subprocess.run(
                    [shutil.which("lp") or "lp", str(path)], capture_output=True, text=True, timeout=30, check=False
                )
                if done.returncode != 0:
                    raise OSError(done.stderr.strip() or f"lp exited with {done.returncode}")
        except (OSError, subprocess.SubprocessError) as error:
            reason = Words("打印机未接受：{e}", "the printer did not take it: {e}").format(e=error)
        else:
            return PrintOutcome(True, path, Words("已发送到默认打印机：{p}", "Sent to the default printer: {p}").format(p=path))
    words = Words("未打印（{why}）；文件已保存：{p}", "Not printed ({why}); the file is saved at {p}").format(why=reason, p=path)
    return PrintOutcome(False, path, words)
