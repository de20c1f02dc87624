"""The start defers the garbage collector and gives it back (window_app/start_up.py)."""

from __future__ import annotations

import gc

from window_app.cli import main
from window_app.start_up import defer_collection, start_finished


def test_the_collector_is_back_once_the_start_is_over() -> None:
    assert gc.isenabled()
    defer_collection()
    try:
        assert not gc.isenabled()
    finally:
        start_finished()
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_caller_stays_off() -> None:
    gc.disable()
    try:
        defer_collection()
        start_finished()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_start_finished_alone_changes_nothing() -> None:
    start_finished()
    assert gc.isenabled()


def test_a_command_runs_with_the_collector(capsys) -> None:  # noqa: ANN001 - pytest fixture
    assert main(["--version"]) == 0
    assert "window-app" in capsys.readouterr().out
    assert gc.isenabled()
