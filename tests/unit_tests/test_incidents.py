"""The support log of unexpected errors, and the words the clerk reads about them."""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest

from window_app import incidents
from window_app.domain.words import set_language
from window_app.incidents import incident_message, log_path, record_incident, summary

NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def raised(error: Exception) -> Exception:
    try:
        raise error
    except Exception as caught:
        return caught


@pytest.fixture(autouse=True)
def chinese():
    set_language("zh")
    yield
    set_language("zh")


def test_summary_is_one_short_line():
    assert summary(ValueError("bad value\nsecond line")) == "ValueError: bad value"
    assert summary(KeyError()) == "KeyError"
    long = summary(RuntimeError("x" * 500))
    assert len(long) == incidents.SUMMARY_LENGTH and long.endswith("…")


def test_the_traceback_and_where_the_clerk_was_are_appended(tmp_path):
    first = record_incident(tmp_path, raised(ZeroDivisionError("division by zero")), now=NOW, context={"screen": "FormScreen"})
    second = record_incident(tmp_path, raised(TypeError("second")), now=NOW)
    assert first == second == log_path(tmp_path) == tmp_path / "logs" / "window-app.log"
    text = first.read_text(encoding="utf-8")
    assert text.count("Traceback (most recent call last)") == 2
    assert "==== 2026-11-27T09:30:00+08:00 unexpected error: ZeroDivisionError: division by zero" in text
    assert "screen: FormScreen" in text
    assert text.index("ZeroDivisionError") < text.index("TypeError: second")


def test_a_data_dir_that_cannot_be_written_gives_none_not_a_second_error(tmp_path):
    occupied = tmp_path / "data"
    occupied.write_text("a file where the data dir should be", encoding="utf-8")
    assert record_incident(occupied, raised(ValueError("x")), now=NOW) is None


def test_a_large_log_is_set_aside_once(tmp_path, monkeypatch):
    monkeypatch.setattr(incidents, "MAX_LOG_BYTES", 100)
    path = log_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("old\n" * 50, encoding="utf-8")
    record_incident(tmp_path, raised(ValueError("new")), now=NOW)
    assert path.with_name("window-app.log.1").read_text(encoding="utf-8") == "old\n" * 50
    fresh = path.read_text(encoding="utf-8")
    # No line of the old log (a bare "old" would also match a checkout path in the traceback).
    assert "ValueError: new" in fresh and "old" not in fresh.splitlines(), fresh


def test_the_words_say_what_is_safe_and_where_the_details_are(tmp_path):
    error = TypeError("Person.__init__() got an unexpected keyword argument 'email'")
    text = incident_message(error, draft="saved", log=tmp_path / "window-app.log")
    assert text.startswith("程序出错，本次操作未完成；已受理的办件和草稿均已保存。")
    assert "错误：TypeError: Person.__init__() got an unexpected keyword argument 'email'" in text
    assert "正在办理的申请已存为草稿" in text and str(tmp_path / "window-app.log") in text
    assert "按 Enter 关闭" in text

    nothing_open = incident_message(error, draft="none", log=None)
    assert "存为草稿" not in nothing_open.split("\n", 1)[1] and "未能写入日志" in nothing_open

    stopping = incident_message(error, draft="saved", log=None, stopping=True)
    assert "程序无法继续运行，已退出" in stopping and "按 Enter" not in stopping


def test_a_draft_that_could_not_be_saved_is_not_called_saved():
    text = incident_message(ValueError("x"), draft="磁盘空间已满", log=None)
    assert "草稿均已保存" not in text
    assert "当前申请未能存为草稿：磁盘空间已满" in text


def test_english_twin():
    set_language("en")
    text = incident_message(ValueError("x"), draft="saved", log=None)
    assert text.startswith("Something went wrong in the program: this operation was not completed.")
    assert "Accepted applications and drafts are all saved." in text and "Error: ValueError: x" in text


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX; Windows keeps the profile's ACL")
def test_the_log_is_readable_by_its_owner_only_whatever_the_umask(tmp_path):
    """A traceback's message may quote what a clerk typed (a name, an ID number)."""
    previous = os.umask(0o022)
    try:
        path = record_incident(tmp_path, raised(ValueError("王建国")), now=NOW)
        assert path is not None and stat.S_IMODE(path.stat().st_mode) == 0o600
        path.chmod(0o644)  # a log an older version wrote
        record_incident(tmp_path, raised(ValueError("again")), now=NOW)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(previous)
