"""``window-app overdue``: what is late, for a supervisor every clerk's; in-process on a pinned
Monday and once as a real process (on the real clock: applications accepted long ago)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.conftest import FIXED_NOW
from tests.functional_tests.test_applications_screen import accept
from tests.functional_tests.test_cli import run_module
from tests.window_template import TEST_CLERK
from window_app.cli import main
from window_app.domain.calendar import calendar_warning
from window_app.window import Window

MONDAY = FIXED_NOW + dt.timedelta(days=3)  # Monday 30 November 2026


@pytest.fixture
def late(window, settings) -> tuple[str, str]:
    """An overdue and a due-soon house transfer (its tax part: one working day)."""
    return accept(window, "王建国", days_ago=1), accept(window, "李秀英", days_ago=0)


def run(monkeypatch, capsys, settings, *args: str) -> tuple[int, str, str]:
    original = Window.open.__func__
    monkeypatch.setattr(Window, "open", classmethod(lambda cls, s, clock=None: original(cls, s, clock=lambda: MONDAY)))
    code = main(["--data-dir", str(settings.data_dir), "--lang", "zh", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_overdue_lists_overdue_first_with_the_clerk(late, window, settings, monkeypatch, capsys):
    overdue, due_soon = late
    window.close()
    code, out, err = run(monkeypatch, capsys, settings, "overdue")
    assert code == 0
    assert "超期 1 件，即将超期 1 件（2026-11-30）" in out
    assert out.index(overdue) < out.index(due_soon)
    assert f"{overdue}  已超期  受理人 {TEST_CLERK}" in out
    assert f"{due_soon}  即将超期" in out
    assert "已用2/1个工作日，2026-11-27到期" in out
    if calendar_warning(MONDAY.date()) is not None:
        assert "chinesecalendar" in err


def test_overdue_as_json(late, window, settings, monkeypatch, capsys):
    overdue, due_soon = late
    window.close()
    code, out, _err = run(monkeypatch, capsys, settings, "overdue", "--json")
    rows = json.loads(out)["clocks"]
    assert [(row["receipt_no"], row["warning"]) for row in rows] == [(overdue, "overdue"), (due_soon, "due_soon")]
    tax = next(part for part in rows[0]["parts"] if part["department"].endswith("tax") or part["stage"] == 1)
    assert (tax["limit_days"], tax["used_days"], tax["due_on"]) == (1, 2, "2026-11-27")


def test_overdue_lists_a_deficiency_promise_past_its_day(window, settings, monkeypatch, capsys):
    from tests.unit_tests.test_waived import accept_with_a_promise

    receipt = accept_with_a_promise(window)  # the utility bill by Wednesday 2 December
    window.close()
    original = Window.open.__func__
    thursday = FIXED_NOW + dt.timedelta(days=6)
    monkeypatch.setattr(Window, "open", classmethod(lambda cls, s, clock=None: original(cls, s, clock=lambda: thursday)))
    assert main(["--data-dir", str(settings.data_dir), "--lang", "zh", "overdue"]) == 0
    out = capsys.readouterr().out
    assert f"{receipt}  容缺 " in out and "逾期未补交（承诺2026-12-02前补交）" in out
    assert main(["--data-dir", str(settings.data_dir), "overdue", "--json"]) == 0
    waived = json.loads(capsys.readouterr().out)["waived"]
    assert [(w["receipt_no"], w["material"], w["state"]) for w in waived] == [(receipt, "utility_bill", "overdue")]


def test_overdue_as_a_process(late, window, settings):
    window.close()
    result = run_module("--data-dir", str(settings.data_dir), "--lang", "en", "overdue")
    assert result.returncode == 0, result.stderr
    # On the real clock (after November 2026) both are long overdue.
    assert "2 overdue, 0 due soon" in result.stdout
    assert "overdue  clerk T001" in result.stdout


def test_the_report_counts_the_parts_past_their_limit(late, window, settings, monkeypatch, capsys):
    overdue, _due_soon = late
    window.close()
    code, out, _err = run(monkeypatch, capsys, settings, "report", "--from", "2026-11-23", "--to", "2026-11-30", "--json")
    assert code == 0
    report = json.loads(out)
    total = next(row for row in report["rows"] if row["section"] == "total")
    assert total["applications"] == 2 and total["overdue_parts"] == 1  # the late house transfer's tax part
    assert "not connected" not in json.dumps(report["sources"])
