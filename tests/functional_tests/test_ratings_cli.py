"""``window-app ratings``: the 好差评 summary and the open rectification cases, in-process and
once as a real process; it only reads (no command rates or changes a rating)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.functional_tests.test_cli import cli, run_module
from tests.window_template import open_signed_in, seed_window_database
from window_app.config import SHIPPED_CONFIG, load_settings
from window_app.intake.io import parse_intake

EXAMPLES = Path(__file__).parents[2] / "examples" / "applications"


@pytest.fixture
def rated_data_dir(tmp_path: Path) -> str:
    """A window with two ratings given at the rating step: 5 and a 差评 (1, 多次跑动)."""
    data_dir = str(tmp_path / "data")
    window = open_signed_in(seed_window_database(load_settings(SHIPPED_CONFIG, environ={}, data_dir=data_dir)))
    try:
        for name, level, reasons in (("house_transfer", 5, ()), ("newborn", 1, ("B03",))):
            intake, problems = parse_intake(json.loads((EXAMPLES / f"{name}.json").read_text("utf-8")))
            assert not problems
            window.rate_at_window(window.accept(intake).receipt_no, level, reasons)
    finally:
        window.close()
    return data_dir


def test_the_summary_per_clerk_and_bundle(capsys, rated_data_dir: str) -> None:
    code, out, _err = cli(capsys, "--data-dir", rated_data_dir, "ratings", "--by", "clerk", "--json")
    assert code == 0
    [count] = json.loads(out)["counts"]
    assert (count["key"], count["total"], count["bad"], count["open_cases"]) == ("T001", 2, 1, 1)
    assert count["by_level"] == {"5": 1, "4": 0, "3": 0, "2": 0, "1": 1}
    code, out, _err = cli(capsys, "--data-dir", rated_data_dir, "ratings")
    assert code == 0 and "非常满意" in out and "满意率" in out and len(out.strip().splitlines()) == 3
    code, out, _err = cli(capsys, "--data-dir", rated_data_dir, "ratings", "--since", "2099-01-01")
    assert code == 0 and "还没有评价" in out


def test_open_cases_and_bad_dates(capsys, rated_data_dir: str) -> None:
    code, out, _err = cli(capsys, "--data-dir", rated_data_dir, "ratings", "--cases")
    assert code == 0 and "1 件未办结" in out and "多次跑动" in out and "待分派" in out
    code, _out, err = cli(capsys, "--data-dir", rated_data_dir, "ratings", "--since", "昨天")
    assert code == 1 and "YYYY-MM-DD" in err


def test_as_a_real_process_it_only_reads(rated_data_dir: str) -> None:
    shown = run_module("--data-dir", rated_data_dir, "ratings", "--by", "department", "--json")
    assert shown.returncode == 0, shown.stderr
    assert {count["key"] for count in json.loads(shown.stdout)["counts"]}
    refused = run_module("--data-dir", rated_data_dir, "ratings", "--level", "5")
    assert refused.returncode != 0  # there is no way to enter a rating from the command line
