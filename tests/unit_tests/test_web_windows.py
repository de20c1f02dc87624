"""Which windows ``window-app serve`` offers: each its own data dir, refused in words when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from window_app.config import ConfigError
from window_app.web.windows import windows_from_file, windows_in_directory


def test_a_windows_file_gives_each_window_its_own_data_dir_and_settings(tmp_path: Path):
    (tmp_path / "w1.toml").write_text("", encoding="utf-8")
    path = tmp_path / "windows.toml"
    path.write_text(
        '[[window]]\nid = "w1"\nname = "综合窗口 1"\ndata_dir = "data/w1"\nconfig = "w1.toml"\n\n'
        '[[window]]\nid = "w2"\ndata_dir = "/srv/window-app/w2"\n',
        encoding="utf-8",
    )
    first, second = windows_from_file(path)
    assert (first.id, first.name, first.data_dir, first.config) == ("w1", "综合窗口 1", tmp_path / "data/w1", tmp_path / "w1.toml")
    assert (second.name, second.data_dir, second.config) == ("w2", Path("/srv/window-app/w2"), None)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "没有 [[window]] 条目"),
        ('[[window]]\nid = "w1"\n', "缺少 data_dir"),
        ('[[window]]\nid = "w 1"\ndata_dir = "a"\n', "只能用字母、数字、- 和 _"),
        ('[[window]]\nid = "w1"\ndata_dir = "a"\n[[window]]\nid = "w1"\ndata_dir = "b"\n', "重复"),
        ('[[window]]\nid = "w1"\ndata_dir = "a"\n[[window]]\nid = "w2"\ndata_dir = "a"\n', "共用数据目录"),
        ("[[window]\n", "不是有效的 TOML"),
    ],
)
def test_a_wrong_windows_file_is_refused_in_words(tmp_path: Path, text: str, words: str):
    path = tmp_path / "windows.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        windows_from_file(path)
    assert words in str(refused.value.words)


def test_a_directory_of_data_dirs_is_one_window_each(tmp_path: Path):
    for name in ("b", "a", ".hidden"):
        (tmp_path / name).mkdir()
    (tmp_path / "b" / "config.toml").write_text("", encoding="utf-8")
    windows = windows_in_directory(tmp_path)
    assert [(w.id, w.data_dir.name, w.config is not None) for w in windows] == [("a", "a", False), ("b", "b", True)]
    with pytest.raises(ConfigError):
        windows_in_directory(tmp_path / "a")  # no sub-directory
