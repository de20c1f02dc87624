"""``window-app report``: what a supervisor (everyone's) and a clerk (their own) read, and the
JSON and CSV exports round-tripping to the same rows. Real window database, real accepts."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from tests.functional_tests.test_cli import FIXED_NOW, cli, run_module
from tests.window_template import TEST_CLERK, TEST_KDF, TEST_PIN, open_signed_in
from window_app.config import Settings
from window_app.domain.clerks import Role
from window_app.domain.intake import AtWindowDecision
from window_app.intake.io import parse_intake
from window_app.reporting.export import COLUMNS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "applications"
HUKOU = "newborn_hukou_registration"
ACCEPTOR, ACCEPTOR_PIN = "A0108", "pin-2468"


def intake_of(name: str, **at_window: AtWindowDecision):
    intake, problems = parse_intake(json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8")))
    assert not problems
    intake.at_window = dict(at_window)
    return intake


@pytest.fixture
def accepted(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    """Three applications on 2026-11-27: the test clerk's newborn with its 出生登记 concluded at
    the window and a business start-up, and an acceptor's house transfer."""
    window = open_signed_in(settings, clock=lambda: FIXED_NOW)
    try:
        window.accept(intake_of("newborn", **{HUKOU: AtWindowDecision("approved", result="户口登记 0001")}))
        window.accept(intake_of("business_startup"))
        window.add_clerk(ACCEPTOR, "窗口受理员", (Role.ACCEPTOR,), ACCEPTOR_PIN, kdf=TEST_KDF)
        window.sign_in(ACCEPTOR, ACCEPTOR_PIN)
        window.accept(intake_of("house_transfer"))
    finally:
        window.close()
    from window_app.window import Window

    original = Window.open.__func__
    monkeypatch.setattr(Window, "open", classmethod(lambda cls, s, clock=None: original(cls, s, clock=clock or (lambda: FIXED_NOW))))
    return str(settings.data_dir)


def test_a_supervisor_reads_everyone_s_day_and_the_exports_agree(accepted: str, capsys, tmp_path: Path) -> None:
    code, out, err = cli(capsys, "--data-dir", accepted, "report")
    assert code == 0, err
    assert "受理 3 件" in out and "窗口直接办结" in out
    assert "新生儿出生一件事" in out and "企业开办一件事" in out

    json_path, csv_path = tmp_path / "report.json", tmp_path / "report.csv"
    assert cli(capsys, "--data-dir", accepted, "report", "--period", "week", "--json", str(json_path))[0] == 0
    assert cli(capsys, "--data-dir", accepted, "report", "--period", "week", "--csv", str(csv_path))[0] == 0
    document = json.loads(json_path.read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert document["columns"] == list(COLUMNS) == list(rows[0].keys())
    assert document["period"] == {"name": "week", "from": "2026-11-23", "to": "2026-11-27"}
    assert document["clerk_id"] == ""
    as_text = [{key: "" if value is None else str(value) for key, value in row.items()} for row in document["rows"]]
    assert rows == as_text

    total = document["rows"][0]
    assert (total["section"], total["applications"], total["concluded"]) == ("total", 3, 0)
    assert total["materials_separate"] > total["materials_merged"] > 0
    assert total["materials_saved"] == total["materials_separate"] - total["materials_merged"]
    assert total["fields_saved"] == total["fields_separate"] - total["fields_merged"] > 0
    assert total["overdue_parts"] == 0  # the clocks: nothing late on the day of acceptance
    assert total["ratings"] == 0 and total["rating_avg"] is None  # nobody has rated yet
    assert "not connected" not in json.dumps(document["sources"])  # both borrowed columns are connected
    hukou = next(row for row in document["rows"] if row["section"] == "item" and row["id"] == HUKOU)
    assert (hukou["applications"], hukou["at_window"], hukou["concluded"]) == (1, 1, 1)
    assert {row["id"]: row["applications"] for row in document["rows"] if row["section"] == "clerk"} == {TEST_CLERK: 2, ACCEPTOR: 1}

    # The counts were taken from the sealed guides once and kept (four numbers, nothing personal):
    # the next report reads them there and says the same.
    with sqlite3.connect(Path(accepted) / "window.sqlite") as conn:
        kept = conn.execute("SELECT sum(materials_separate - materials_merged) FROM application_counts").fetchone()[0]
    assert kept == total["materials_saved"]
    assert cli(capsys, "--data-dir", accepted, "report", "--period", "week", "--json", str(json_path))[0] == 0
    assert json.loads(json_path.read_text(encoding="utf-8"))["rows"] == document["rows"]


def test_a_clerk_reads_only_their_own(accepted: str, capsys, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WINDOW_APP_CLERK", ACCEPTOR)
    monkeypatch.setenv("WINDOW_APP_PIN", ACCEPTOR_PIN)
    code, out, err = cli(capsys, "--data-dir", accepted, "report", "--json", "-")
    assert code == 0, err
    document = json.loads(out)
    assert document["clerk_id"] == ACCEPTOR
    assert document["rows"][0]["applications"] == 1
    assert [row["id"] for row in document["rows"] if row["section"] == "bundle"] == ["house_transfer"]


def test_a_period_that_is_none_gets_words(accepted: str, capsys) -> None:
    code, _out, err = cli(capsys, "--data-dir", accepted, "report", "--from", "2026-11-30", "--to", "2026-11-01")
    assert code == 1
    assert "早于" in err and "Traceback" not in err
    code, _out, err = cli(capsys, "--data-dir", accepted, "report", "--from", "2026-11-01")
    assert code == 1 and "--to" in err


def test_the_console_command_writes_csv(accepted: str) -> None:
    done = run_module("--data-dir", accepted, "--lang", "en", "report", "--from", "2026-11-01", "--to", "2026-11-30", "--csv", "-")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout.lstrip("\ufeff"))))
    assert rows[0]["section"] == "total" and rows[0]["applications"] == "3"
    assert TEST_PIN not in done.stdout
