"""``window-app backup`` / ``restore``: a failing county PC's data onto a USB stick and onto a new
PC, encrypted, consistent, refused in words when it is another window's, damaged, or opened
with the wrong PIN. Real files, the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.functional_tests.test_examples import FIXED_NOW
from tests.window_template import TEST_CLERK, TEST_KDF, TEST_PIN, open_signed_in
from window_app.backup import BackupError, read_header, restore_backup
from window_app.cli import main
from window_app.config import SHIPPED_CONFIG, load_settings
from window_app.domain.clerks import AccountError, NotPermitted, Role
from window_app.intake.io import parse_intake
from window_app.trust.backup_cipher import BackupUnreadable

ROOT = Path(__file__).resolve().parents[2]


def settings_at(data_dir: Path, window_id: str = "ZF-01"):
    return load_settings(SHIPPED_CONFIG, environ={"WINDOW_APP_WINDOW_ID": window_id}, data_dir=str(data_dir))


def accept_example(window, name: str = "death_affairs") -> tuple[str, dict]:
    data = json.loads((ROOT / "examples" / "applications" / f"{name}.json").read_text(encoding="utf-8"))
    intake, problems = parse_intake(data)
    assert not problems
    return window.accept(intake).receipt_no, data


@pytest.fixture
def backed_up(tmp_path: Path):
    """A window with one application and one printed receipt, backed up to a stick."""
    window = open_signed_in(settings_at(tmp_path / "old-pc"), clock=lambda: FIXED_NOW)
    try:
        receipt_no, data = accept_example(window)
        window.save_receipt(receipt_no)
        stick = tmp_path / "usb" / "zf-01.backup"
        stick.parent.mkdir()
        header = window.backup(stick)
        detail = window.application(receipt_no)
    finally:
        window.close()
    return stick, header, receipt_no, data, detail


def test_a_backup_restored_on_a_new_pc_reads_as_it_was(backed_up, tmp_path: Path) -> None:
    stick, header, receipt_no, data, before = backed_up
    assert header.window_id == "ZF-01" and header.files == ["window.sqlite", "receipts/"]
    new_pc = settings_at(tmp_path / "new-pc")
    restore_backup(new_pc, stick, TEST_CLERK, TEST_PIN, now=FIXED_NOW)
    assert (new_pc.data_dir / "receipts" / f"{receipt_no}.txt").is_file()
    window = open_signed_in(new_pc, clock=lambda: FIXED_NOW)
    try:
        after = window.application(receipt_no)
        assert after.intake == before.intake and after.summary.applicant_name == data["applicant"]["person"]["name"]
        assert window.verify_audit(online=False).intact  # the chain, backup and restore events included
    finally:
        window.close()


def test_the_file_shows_nothing_without_a_pin(backed_up) -> None:
    stick, _header, _receipt, data, _detail = backed_up
    content = stick.read_bytes()
    person = data["applicant"]["person"]
    for secret in (person["name"], person["id_number"], "SQLite format 3", "受理回执"):
        assert secret.encode("utf-8") not in content
    assert stick.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_another_windows_backup_and_an_occupied_data_dir_are_refused_unless_told(backed_up, tmp_path: Path) -> None:
    stick, _header, receipt_no, _data, _detail = backed_up
    other = settings_at(tmp_path / "xy-pc", window_id="XY-02")
    with pytest.raises(BackupError) as refused:
        restore_backup(other, stick, TEST_CLERK, TEST_PIN, now=FIXED_NOW)
    assert "--other-window" in str(refused.value) and not other.database_path.exists()
    restore_backup(other, stick, TEST_CLERK, TEST_PIN, other_window=True, now=FIXED_NOW)

    occupied = settings_at(tmp_path / "old-pc")  # the PC the backup came from, still holding its database
    with pytest.raises(BackupError) as there:
        restore_backup(occupied, stick, TEST_CLERK, TEST_PIN, now=FIXED_NOW)
    assert "--replace" in str(there.value)
    restore_backup(occupied, stick, TEST_CLERK, TEST_PIN, replace=True, now=FIXED_NOW)
    kept = [path.name for path in occupied.data_dir.iterdir() if ".before-restore-" in path.name]
    assert kept and all(name.startswith("window.sqlite.before-restore-") for name in kept)


def test_wrong_pins_unknown_clerks_damage_and_strangers_are_told_in_words(backed_up, tmp_path: Path) -> None:
    stick, _header, _receipt, _data, _detail = backed_up
    target = settings_at(tmp_path / "new-pc")
    with pytest.raises(AccountError) as wrong:
        restore_backup(target, stick, TEST_CLERK, "not-the-pin", now=FIXED_NOW)
    assert "PIN 不对" in str(wrong.value)
    with pytest.raises(AccountError) as unknown:
        restore_backup(target, stick, "X99", TEST_PIN, now=FIXED_NOW)
    assert TEST_CLERK in str(unknown.value)  # says who can

    content = bytearray(stick.read_bytes())
    content[-100] ^= 0x01
    altered = tmp_path / "altered.backup"
    altered.write_bytes(bytes(content))
    with pytest.raises(BackupUnreadable):
        restore_backup(target, altered, TEST_CLERK, TEST_PIN, now=FIXED_NOW)
    cut = tmp_path / "cut.backup"
    cut.write_bytes(stick.read_bytes()[:-(1 << 16)])
    with pytest.raises(BackupUnreadable) as short:
        restore_backup(target, cut, TEST_CLERK, TEST_PIN, now=FIXED_NOW)
    assert "截断" in str(short.value)
    stranger = tmp_path / "notes.txt"
    stranger.write_text("hello", encoding="utf-8")
    with pytest.raises(BackupError):
        read_header(stranger)
    assert not target.database_path.exists()  # nothing half-restored
    assert not [path for path in target.data_dir.iterdir() if path.name.startswith(".restore-")]


def test_only_supervisors_and_administrators_take_backups(tmp_path: Path) -> None:
    window = open_signed_in(settings_at(tmp_path / "pc"), clock=lambda: FIXED_NOW)
    try:
        window.add_clerk("C02", "李受理", (Role.ACCEPTOR,), "135792", kdf=TEST_KDF)
        window.sign_in("C02", "135792")
        with pytest.raises(NotPermitted):
            window.backup(tmp_path / "x.backup")
        assert not (tmp_path / "x.backup").exists()
    finally:
        window.close()


def test_the_cli_backs_up_and_restores(tmp_path: Path, capsys) -> None:
    old = open_signed_in(settings_at(tmp_path / "old-pc"), clock=lambda: FIXED_NOW)
    try:
        receipt_no, _data = accept_example(old)
    finally:
        old.close()
    stick = tmp_path / "zf.backup"
    assert main(["--data-dir", str(tmp_path / "old-pc"), "backup", str(stick)]) == 0
    assert main(["--data-dir", str(tmp_path / "old-pc"), "backup", str(stick)]) == 2  # exists: words, not overwritten
    assert "已存在" in capsys.readouterr().err
    assert main(["--data-dir", str(tmp_path / "new-pc"), "restore", str(stick)]) == 0
    assert main(["--data-dir", str(tmp_path / "new-pc"), "--lang", "en", "applications", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [row["receipt_no"] for row in listed] == [receipt_no]
    assert main(["--data-dir", str(tmp_path / "new-pc"), "restore", str(stick)]) == 2  # occupied
    assert "--replace" in capsys.readouterr().err

