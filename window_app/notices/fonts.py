"""Finding a font with Chinese glyphs on this computer, for the PDF notices.

PDF readers do not bring Chinese glyphs of their own: the font is embedded in the file, so it
must be found here first. ``[print] font`` in ``config.toml`` names one; otherwise the usual
places are searched: Windows' ``%WINDIR%\\Fonts`` (SimSun, Microsoft YaHei, SimHei), Linux's font
directories and fontconfig (Noto CJK, WenQuanYi, Droid Sans Fallback), macOS's system fonts
(PingFang, STHeiti, Hiragino Sans GB). None found: the notices are written as HTML instead
(:mod:`window_app.notices.render`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

FONT_FILES: tuple[str, ...] = (
    # Windows
    "simsun.ttc", "msyh.ttc", "msyh.ttf", "simhei.ttf", "simkai.ttf",
    # Linux
    "NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSerifCJK-Regular.ttc",
    "NotoSansSC-Regular.otf", "NotoSansSC-Regular.ttf",
    "wqy-microhei.ttc", "wqy-zenhei.ttc", "DroidSansFallbackFull.ttf",
    # macOS
    "PingFang.ttc", "STHeiti Light.ttc", "STHeiti Medium.ttc", "Hiragino Sans GB.ttc", "Songti.ttc",
)
"""Font files known to hold Simplified Chinese glyphs, the preferred first."""


def system_font_dirs() -> list[Path]:
    """Where this operating system keeps its fonts."""
    home = Path.home()
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
        return [windir / "Fonts", local / "Microsoft" / "Windows" / "Fonts"]
    if sys.platform == "darwin":
        return [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library" / "Fonts"]
    return [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), home / ".local" / "share" / "fonts", home / ".fonts"]


def find_chinese_font(configured: str = "", dirs: Sequence[Path] | None = None) -> Path | None:
    """A font file with Chinese glyphs, or ``None``.

    Args:
        configured: ``[print] font``: used when it exists.
        dirs: Directories to search (their subdirectories too); ``None``: the system's, and
            fontconfig's list of fonts covering Chinese where ``fc-list`` is installed.
    """
    if configured and Path(configured).expanduser().is_file():
        return Path(configured).expanduser()
    found: dict[str, Path] = {}
    for directory in system_font_dirs() if dirs is None else dirs:
        if not directory.is_dir():
            continue
        for path in directory.rglob("*"):
            if path.name in FONT_FILES or path.name.lower() in FONT_FILES:
                found.setdefault(path.name.lower(), path)
    for name in FONT_FILES:
        if name.lower() in found:
            return found[name.lower()]
    return _fontconfig_font() if dirs is None else None


def _fontconfig_font() -> Path | None:
    """The first .ttf/.ttc/.otf fontconfig lists as covering Simplified Chinese."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listed = subprocess.run(
            [fc_list, ":lang=zh-cn", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in sorted(listed.splitlines()):
        path = Path(line.split(":")[0].strip())
        if path.suffix.lower() in (".ttf", ".ttc", ".otf") and path.is_file():
            return path
    return None
