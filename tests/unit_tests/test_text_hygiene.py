"""What a clerk or a file may put into an application: printable text within its length.

Control characters, invisible direction marks and lone surrogates are refused at the field in
words, before any other judgement of that field; a typed ``x`` in a resident ID is kept as ``X``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from catalog_builders import TODAY, WINDOW_REGION, build_catalog, newborn_intake, offering_of

from tests.window_template import CLERK_ENVIRON, seed_data_dir
from window_app.catalog.loader import CatalogError, load_catalog, shipped_catalog_path
from window_app.domain.identifiers import resident_id_check_char
from window_app.domain.intake import Intake, MaterialStatus
from window_app.domain.text import MAX_NOTE_LENGTH, MAX_TEXT_LENGTH, text_problem
from window_app.intake.io import parse_intake
from window_app.intake.validate import validate_intake

ROOT = Path(__file__).resolve().parents[2]
CATALOG = build_catalog()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("王\x00小红", "第 2 个字符是控制字符 U+0000"),
        ("王小红\x1b[31m", "第 4 个字符是控制字符 U+001B"),
        ("王小红\t", "控制字符 U+0009"),
        ("invoice\u202etxt.exe", "文字方向控制符 U+202E"),
        ("a\u2066b", "U+2066"),
        ("王\ud800", "不成对的代理项 U+D800"),
        ("第一行\n第二行", "控制字符 U+000A"),  # one-line text
    ],
)
def test_what_may_not_be_kept_is_named_with_its_position(value: str, says: str) -> None:
    refused = text_problem(value)
    assert refused is not None and says in refused.zh
    assert refused.en.startswith("Character ")


def test_printable_text_within_its_length_is_kept() -> None:
    assert text_problem("贞丰县珉谷街道 3 号（A 栋）") is None
    assert text_problem("第一行\n第二行", multiline=True) is None
    assert text_problem("x" * MAX_TEXT_LENGTH) is None
    too_long = text_problem("x" * (MAX_TEXT_LENGTH + 1))
    assert too_long is not None and too_long.en == f"Too long: {MAX_TEXT_LENGTH + 1} characters, at most {MAX_TEXT_LENGTH}"


def problems(intake: Intake) -> dict[str, str]:
    found = validate_intake(CATALOG, offering_of(CATALOG, intake.offering), intake, today=TODAY, region=WINDOW_REGION)
    return {problem.path: problem.words.zh for problem in found}


def test_a_hidden_mark_in_a_name_is_told_at_the_name_and_nothing_else_changes() -> None:
    intake = newborn_intake()
    intake.applicant.person.name = "王小\u202e红"
    assert problems(intake) == {"applicant.person.name": "第 3 个字符是看不见的文字方向控制符 U+202E，请删除"}


def test_a_control_character_in_an_id_number_is_told_instead_of_the_check_digit() -> None:
    intake = newborn_intake()
    intake.applicant.person.id_number = intake.applicant.person.id_number[:17] + "\x07"
    found = problems(intake)
    assert found["applicant.person.id_number"] == "第 18 个字符是控制字符 U+0007，不能保存"


def test_material_notes_may_have_lines_but_not_ten_megabytes() -> None:
    intake = newborn_intake()
    intake.materials["birth_medical_certificate"] = MaterialStatus("original", note="第一页\n第二页")
    assert problems(intake) == {}
    intake.materials["birth_medical_certificate"] = MaterialStatus("original", note="注" * 10_000_000)
    assert problems(intake) == {
        "materials.birth_medical_certificate": f"过长：10000000 个字，最多 {MAX_NOTE_LENGTH} 个字",
    }


def test_a_form_field_without_a_declared_maximum_has_the_default_one() -> None:
    intake = newborn_intake()
    field_id = next(f for f in intake.fields if not CATALOG.fields[f].max_length)
    intake.fields[field_id] = "王" * (MAX_TEXT_LENGTH + 1)
    assert problems(intake)[f"fields.{field_id}"] == f"过长：{MAX_TEXT_LENGTH + 1} 个字，最多 {MAX_TEXT_LENGTH} 个字"


def with_check_x(id_number: str) -> str:
    """The same person's number with another sequence, one whose check character is ``X``."""
    for sequence in range(1000):
        body = f"{id_number[:14]}{sequence:03d}"
        if resident_id_check_char(body) == "X":
            return body + "X"
    raise AssertionError("no sequence gives X")


def test_a_typed_lowercase_x_is_kept_as_the_check_character_x(window) -> None:
    example = json.loads((ROOT / "examples" / "applications" / "death_affairs.json").read_text(encoding="utf-8"))
    intake, found = parse_intake(example)
    assert found == [] and intake is not None
    number = with_check_x(intake.applicant.person.id_number)
    intake.applicant.person.id_number = number.lower()
    accepted = window.accept(intake)
    stored = window.application(accepted.receipt_no).intake
    assert stored.applicant.person.id_number == number
    assert intake.applicant.person.id_number == number.lower()  # the clerk's own intake is left as it was


def test_a_lone_surrogate_in_a_file_is_refused_in_words_and_nothing_is_written(tmp_path: Path) -> None:
    example = json.loads((ROOT / "examples" / "applications" / "death_affairs.json").read_text(encoding="utf-8"))
    example["applicant"]["person"]["name"] = "王\ud800"
    bad = tmp_path / "surrogate.json"
    bad.write_text(json.dumps(example), encoding="ascii")  # "\ud800" as JSON writes it: an escape
    data = seed_data_dir(tmp_path / "data")
    command = [sys.executable, "-m", "window_app", "--data-dir", str(data)]
    env = {"PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", "PATH": "/usr/bin:/bin", **CLERK_ENVIRON}
    accepted = subprocess.run([*command, "accept", str(bad)], capture_output=True, text=True, env=env, timeout=120)
    assert accepted.returncode == 1, accepted.stderr
    assert "Traceback" not in accepted.stderr
    assert "applicant.person.name: 第 2 个字符无效（不成对的代理项 U+D800）" in accepted.stderr
    listed = subprocess.run([*command, "applications", "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []


def test_a_catalog_file_with_a_byte_order_mark_says_so(tmp_path: Path) -> None:
    copy = tmp_path / "catalog"
    shutil.copytree(shipped_catalog_path(), copy)
    fields = copy / "fields.toml"
    fields.write_bytes(b"\xef\xbb\xbf" + fields.read_bytes())
    with pytest.raises(CatalogError) as caught:
        load_catalog(copy)
    problems_found = [str(problem) for problem in caught.value.problems]
    assert problems_found == ["fields.toml: (file): starts with a byte order mark (BOM): save the file as UTF-8 without BOM"]

