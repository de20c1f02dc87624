"""Which windows a server offers: each its own data dir and settings, never one shared by every tab.

Either a windows file (TOML)::

    [[window]]
    id = "w1"                       # letters, digits, - and _
    name = "综合窗口 1"              # shown on the sign-in page (optional: the id)
    data_dir = "/srv/window-app/w1" # relative paths are relative to the file
    config = "/srv/window-app/w1/config.toml"   # optional: that window's settings

or a directory whose sub-directories are the windows' data dirs (the id and name are the
sub-directory's name, the settings the shipped ones or ``<data dir>/config.toml`` when present).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from window_app.config import ConfigError, Settings, load_settings
from window_app.domain.words import Words

WINDOW_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
CONFIG_IN_DATA_DIR = "config.toml"


@dataclass(frozen=True)
class WebWindow:
    """One window the server offers.

    Attributes:
        id: Its id in the sign-in form and the session.
        name: What the sign-in page shows.
        data_dir: Its own data dir (database, documents, logs).
        config: Its own settings file, or ``None`` (the shipped settings, or the data dir's).
    """

    id: str
    name: str
    data_dir: Path
    config: Path | None = None

    def settings(self) -> Settings:
        """This window's settings (its config file, ``WINDOW_APP_*``, its data dir).

        Raises:
            ConfigError: The config file is broken (file, key, reason).
        """
        return load_settings(self.config, data_dir=str(self.data_dir))


def windows_from_file(path: Path) -> list[WebWindow]:
    """The windows of a windows file.

    Raises:
        ConfigError: Unreadable, not TOML, no window, a bad or repeated id, a missing data dir.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(Words("{f}：无法读取：{e}", "{f}: cannot read: {e}").format(f=path, e=error.strerror)) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(Words("{f}：不是有效的 TOML：{e}", "{f}: not valid TOML: {e}").format(f=path, e=error)) from None
    entries = raw.get("window")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(Words("{f}：没有 [[window]] 条目", "{f}: no [[window]] entry").format(f=path))
    base = path.parent
    windows = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("data_dir"), str) or not entry["data_dir"].strip():
            raise ConfigError(
                Words("{f}：第 {n} 个窗口缺少 data_dir", "{f}: window {n} has no data_dir").format(f=path, n=number)
            )
        window_id = str(entry.get("id", ""))
        config = entry.get("config")
        windows.append(
            WebWindow(
                id=window_id,
                name=str(entry.get("name") or window_id),
                data_dir=(base / entry["data_dir"]).resolve(),
                config=(base / config).resolve() if isinstance(config, str) and config else None,
            )
        )
    return _checked(windows, path)


def windows_in_directory(directory: Path) -> list[WebWindow]:
    """One window per sub-directory of ``directory`` (sorted by name).

    Raises:
        ConfigError: Not a directory, or no sub-directory.
    """
    if not directory.is_dir():
        raise ConfigError(Words("{d}：不是目录", "{d}: not a directory").format(d=directory))
    windows = []
    for child in sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith(".")):
        config = child / CONFIG_IN_DATA_DIR
        windows.append(WebWindow(child.name, child.name, child.resolve(), config if config.is_file() else None))
    if not windows:
        raise ConfigError(
            Words("{d}：没有子目录（每个窗口一个数据目录）", "{d}: no sub-directory (one data dir per window)").format(d=directory)
        )
    return _checked(windows, directory)


def _checked(windows: list[WebWindow], source: Path) -> list[WebWindow]:
    seen: set[str] = set()
    dirs: set[Path] = set()
    for window in windows:
        if not WINDOW_ID.match(window.id):
            raise ConfigError(
                Words("{f}：窗口编号“{id}”只能用字母、数字、- 和 _", "{f}: the window id “{id}” may hold letters, digits, - and _ only").format(
                    f=source, id=window.id
                )
            )
        if window.id in seen:
            raise ConfigError(Words("{f}：窗口编号“{id}”重复", "{f}: the window id “{id}” is repeated").format(f=source, id=window.id))
        if window.data_dir in dirs:
            raise ConfigError(
                Words("{f}：两个窗口共用数据目录 {d}", "{f}: two windows share the data dir {d}").format(f=source, d=window.data_dir)
            )
        seen.add(window.id)
        dirs.add(window.data_dir)
    return windows
