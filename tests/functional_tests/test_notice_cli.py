"""``window-app receipt NO --pdf PATH`` and ``window-app notice KIND … --pdf PATH``: in-process
with captured output, and once as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.window_template import CLERK_ENVIRON, seed_window_database
from window_app.cli import main
from window_app.config import SHIPPED_CONFIG, load_settings

ROOT = Path(__file__).resolve().parents[2]
HOUSE = ROOT / "examples" / "applications" / "house_transfer.json"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    data_dir = str(tmp_path / "data")
    seed_window_database(load_settings(SHIPPED_CONFIG, environ={}, data_dir=data_dir))
    monkeypatch.setenv("WINDOW_APP_STORAGE_DATA_DIR", data_dir)
    return data_dir


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_receipt_and_one_time_notice_as_pdf_files(capsys, data_dir: str, tmp_path: Path) -> None:
    code, receipt_no, _ = cli(capsys, "accept", str(HOUSE))
    receipt_no = receipt_no.strip()
    assert code == 0
    target = tmp_path / "out" / "receipt.pdf"
    code, out, err = cli(capsys, "receipt", receipt_no, "--pdf", str(target))
    assert code == 0 and out.strip() == str(target) and "页" in err
    text = pdf_text(target)
    assert receipt_no in text and "受理回执" in text and "罗明" in text
    code, out, _ = cli(capsys, "notice", "one-time", str(HOUSE), "--pdf", str(tmp_path / "one-time.pdf"))
    assert code == 0 and "一次性告知书" in pdf_text(Path(out.strip()))
    # Without --pdf the notice goes to the documents folder in the data dir.
    code, out, _ = cli(capsys, "notice", "receipt", receipt_no)
    assert code == 0 and Path(out.strip()) == Path(data_dir) / "documents" / f"{receipt_no}-receipt.pdf"


def test_print_where_printing_is_not_possible_saves_and_says_where(capsys, data_dir: str, monkeypatch) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.9 52000 10.0.0.5 22")
    _, receipt_no, _ = cli(capsys, "accept", str(HOUSE))
    code, out, err = cli(capsys, "receipt", receipt_no.strip(), "--print")
    assert code == 0 and Path(out.strip()).is_file()
    assert "SSH" in err and out.strip() in err


def test_a_notice_the_application_does_not_have_is_refused_in_words(capsys, data_dir: str) -> None:
    _, receipt_no, _ = cli(capsys, "accept", str(HOUSE))
    code, out, err = cli(capsys, "notice", "refusal", receipt_no.strip(), "--pdf", "x.pdf")
    assert code == 1 and "没有被部门不予受理" in err and "Traceback" not in err and not out
    code, _, err = cli(capsys, "notice", "supplement", "522325-000000-XX-00-AAAA-0001-ZZ")
    assert code == 1 and "没有受理编号" in err


def test_notice_through_the_real_console_entry(data_dir: str, tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("WINDOW_APP_")}
    env.update(CLERK_ENVIRON, WINDOW_APP_STORAGE_DATA_DIR=data_dir, PYTHONIOENCODING="utf-8")
    env["PYTHONPATH"] = str(ROOT)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "window_app", *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
        )

    receipt_no = run("accept", str(HOUSE)).stdout.strip()
    done = run("notice", "receipt", receipt_no, "--pdf", "r.pdf")
    assert done.returncode == 0, done.stderr
    assert receipt_no in pdf_text(tmp_path / "r.pdf")
