"""The scriptable twin of the window: ``window-app`` sub-commands, end to end.

A few cases drive the real console entry (``python -m window_app``) in a subprocess; the many
small ones call :func:`window_app.cli.main` in-process with captured output. Every case runs on
the shipped catalog and a fresh SQLite file in ``tmp_path``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.window_template import CLERK_ENVIRON, seed_window_database
from window_app.catalog.loader import load_catalog, shipped_catalog_path
from window_app.cli import main
from window_app.config import SHIPPED_CONFIG, load_settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "applications"
HOME_REGION = "522325"  # 贞丰县, the shipped window
XINGYI = "522301"  # 兴义市: 企业开办 is not offered at its county-level window
FIXED_NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # as in conftest


# -- helpers ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_user_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own WINDOW_APP_* variables must not leak into the cases; the test clerk
    of the template is who acts (as a script names its clerk)."""
    for key in list(os.environ):
        if key.startswith("WINDOW_APP_"):
            monkeypatch.delenv(key)
    for key, value in CLERK_ENVIRON.items():
        monkeypatch.setenv(key, value)


@pytest.fixture(autouse=True)
def user_config_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The developer's own ``~/.config/window-app/config.toml`` must not leak in either; a case
    that writes one (``config init``) writes it under ``tmp_path``."""
    home = tmp_path / "xdg-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process cases run at the suite's fixed moment (examples carry dates near it)."""
    from window_app.window import Window

    original = Window.open.__func__

    def open_pinned(cls, settings, clock=None):
        return original(cls, settings, clock=clock or (lambda: FIXED_NOW))

    monkeypatch.setattr(Window, "open", classmethod(open_pinned))


@pytest.fixture
def data_dir(tmp_path: Path) -> str:
    """A data dir whose database is a copy of the session's template (tests/window_template.py)."""
    data_dir = str(tmp_path / "data")
    seed_window_database(load_settings(SHIPPED_CONFIG, environ={}, data_dir=data_dir))
    return data_dir


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(shipped_catalog_path())


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``main(args)`` in-process: exit code, stdout, stderr."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_module(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """``python -m window_app ARGS`` as a clerk's shell would run it (in ``cwd``)."""
    child_env = {key: value for key, value in os.environ.items() if not key.startswith("WINDOW_APP_")}
    child_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), child_env.get("PYTHONPATH", "")]))
    child_env["PYTHONIOENCODING"] = "utf-8"
    child_env.update(CLERK_ENVIRON)  # the template's test clerk acts, as a script names its clerk
    child_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "window_app", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=child_env,
        input=stdin,
        timeout=120,
    )


def bundle_named(catalog, name: str):
    """The bundle whose Chinese name is ``name`` or starts with it (企业开办 → 企业开办一件事)."""
    return next(bundle for bundle in catalog.bundles.values() if bundle.name.zh.startswith(name))


def example_for(catalog, offering_id: str) -> Path:
    """An example application file for an offering (written by the catalog-data work)."""
    for path in sorted(EXAMPLES.glob("*.json")):
        if json.loads(path.read_text(encoding="utf-8")).get("offering") == offering_id:
            return path
    pytest.fail(f"no example in examples/applications/ for {offering_id}")


def home_example(catalog) -> Path:
    """An example application accepted at the shipped window (贞丰县).

    Preferred: one without deficiency acceptance (its promised date is checked against today,
    and the subprocess cases run on the real clock), and 企业开办's.
    """
    from window_app.catalog.search import offerings_for_region

    offered = {offering.id for offering in offerings_for_region(catalog, HOME_REGION)}
    business_start = bundle_named(catalog, "企业开办").id

    def preference(path: Path) -> tuple[bool, bool]:
        text = path.read_text(encoding="utf-8")
        return ('"deficient"' in text, f'"{business_start}"' not in text)

    for path in sorted(sorted(EXAMPLES.glob("*.json")), key=preference):
        if json.loads(path.read_text(encoding="utf-8")).get("offering") in offered:
            return path
    pytest.fail("no example in examples/applications/ is offered at 522325")


def no_traceback(text: str) -> None:
    assert "Traceback" not in text, text


# -- the real console entry (subprocess) ----------------------------------------------------------


def test_version_and_help_through_python_m() -> None:
    version = run_module("--version")
    assert version.returncode == 0
    assert version.stdout.startswith("window-app ")
    usage = run_module("--help")
    assert usage.returncode == 0
    for command in ("catalog", "guide", "accept", "applications", "receipt"):
        assert command in usage.stdout


def test_list_json_offers_business_start_here_but_not_in_xingyi(data_dir: str, catalog) -> None:
    business_start = bundle_named(catalog, "企业开办")
    here = run_module("--data-dir", data_dir, "catalog", "list", "--json")
    assert here.returncode == 0, here.stderr
    rows = json.loads(here.stdout)
    by_id = {row["id"]: row for row in rows}
    assert by_id[business_start.id]["kind"] == "bundle"
    assert by_id[business_start.id]["name"].startswith("企业开办")
    assert any(row["kind"] == "item" for row in rows), "standalone items are offered as kind 'item'"
    for row in rows:
        assert {"id", "name", "name_en", "kind", "group", "departments", "hot"} <= set(row)
        assert row["kind"] in ("bundle", "item")
    assert by_id[business_start.id]["departments"], "a bundle names the departments it reaches"

    xingyi = run_module("--data-dir", data_dir, "catalog", "list", "--region", XINGYI, "--json")
    assert xingyi.returncode == 0, xingyi.stderr
    assert business_start.id not in {row["id"] for row in json.loads(xingyi.stdout)}


def test_accept_then_applications_end_to_end(data_dir: str, catalog) -> None:
    example = home_example(catalog)
    accepted = run_module("--data-dir", data_dir, "accept", str(example))
    assert accepted.returncode == 0, accepted.stderr
    receipt_no = accepted.stdout.strip().splitlines()[-1]
    assert receipt_no and " " not in receipt_no

    listed = run_module("--data-dir", data_dir, "applications", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [row["receipt_no"] for row in rows] == [receipt_no]
    row = rows[0]
    assert row["offering_id"] == json.loads(example.read_text(encoding="utf-8"))["offering"]
    assert {"receipt_no", "offering_id", "offering_name", "state", "accepted_at", "parts"} <= set(row)
    assert row["parts"], "every department's part is listed"
    for part in row["parts"]:
        assert {"department", "stage", "state"} <= set(part)
        assert catalog.receives(part["department"])  # an office


def test_accept_reads_stdin_through_python_m(data_dir: str, catalog) -> None:
    example = home_example(catalog)
    accepted = run_module("--data-dir", data_dir, "accept", "-", stdin=example.read_text(encoding="utf-8"))
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.strip()


def test_region_override_from_environment_changes_the_offer(data_dir: str, catalog) -> None:
    business_start = bundle_named(catalog, "企业开办")
    moved = run_module("--data-dir", data_dir, "catalog", "list", "--json", env={"WINDOW_APP_WINDOW_REGION": XINGYI})
    assert moved.returncode == 0, moved.stderr
    assert business_start.id not in {row["id"] for row in json.loads(moved.stdout)}


def test_bad_config_file_gives_words_not_a_traceback(tmp_path: Path, data_dir: str) -> None:
    config = tmp_path / "broken.toml"
    config.write_text('[window]\nregion = "52232"\n', encoding="utf-8")
    result = run_module("--config", str(config), "--data-dir", data_dir, "catalog", "list")
    assert result.returncode == 2
    assert "broken.toml" in result.stderr and "region" in result.stderr
    no_traceback(result.stderr)


def test_cli_start_imports_neither_textual_nor_httpx_nor_pypinyin() -> None:
    script = (
        "import sys\n"
        "from window_app.cli import main\n"
        "code = main(['catalog', 'list', '--json'])\n"
        "heavy = sorted(m for m in ('textual', 'httpx', 'pypinyin') if m in sys.modules)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
        "raise SystemExit(code or (1 if heavy else 0))\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("WINDOW_APP_")}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stderr


# -- catalog list / coverage -----------------------------------------------------------------------


def test_list_text_is_grouped(capsys, data_dir: str) -> None:
    code, out, _err = cli(capsys, "--data-dir", data_dir, "catalog", "list")
    assert code == 0
    assert "贞丰县" in out
    assert "企业开办" in out
    assert "单项事项" in out
    assert re.search(r"^热点$", out, re.M), out  # the hot bundles first, under their heading …
    assert re.search(r"^个人$", out, re.M) and re.search(r"^企业$", out, re.M), out  # … then by applicant


def test_list_in_english_with_options_after_the_command(capsys, data_dir: str) -> None:
    code, out, _err = cli(capsys, "catalog", "list", "--data-dir", data_dir, "--lang", "en")
    assert code == 0
    assert "offers" in out and "Single items" in out


def test_list_unknown_region_lists_known_ones(capsys, data_dir: str) -> None:
    code, _out, err = cli(capsys, "--data-dir", data_dir, "catalog", "list", "--region", "999999")
    assert code == 1
    assert "999999" in err and "522325" in err


def test_region_override_in_process(capsys, monkeypatch, data_dir: str, catalog) -> None:
    business_start = bundle_named(catalog, "企业开办")
    _code, here, _err = cli(capsys, "--data-dir", data_dir, "catalog", "list", "--json")
    monkeypatch.setenv("WINDOW_APP_WINDOW_REGION", XINGYI)
    code, moved, _err = cli(capsys, "--data-dir", data_dir, "catalog", "list", "--json")
    assert code == 0
    assert business_start.id in {row["id"] for row in json.loads(here)}
    assert business_start.id not in {row["id"] for row in json.loads(moved)}


def test_coverage_of_business_start_is_uneven(capsys, data_dir: str, catalog) -> None:
    business_start = bundle_named(catalog, "企业开办")
    code, out, _err = cli(capsys, "--data-dir", data_dir, "catalog", "coverage", business_start.id, "--json")
    assert code == 0
    [entry] = json.loads(out)
    levels = entry["levels"]
    codes = {level: {region["code"] for region in levels[level]["offered"]} for level in levels}
    assert codes["province"] == {"520000"}  # 贵州省
    assert codes["city"] == {"522300", "520900"}  # 黔西南州, 贵安新区
    assert levels["city"]["total"] == 10
    assert codes["county"] == {"522325", "522323"}  # 贞丰县, 普安县
    assert levels["county"]["total"] == sum(1 for region in catalog.regions.values() if region.level == "county")

    code, text, _err = cli(capsys, "--data-dir", data_dir, "catalog", "coverage", business_start.id)
    assert code == 0
    assert "黔西南" in text and "贵安新区" in text and "贞丰县" in text and "(2/10)" in text


def test_coverage_of_every_bundle_and_of_an_unknown_one(capsys, data_dir: str, catalog) -> None:
    code, out, _err = cli(capsys, "--data-dir", data_dir, "catalog", "coverage", "--json")
    assert code == 0
    assert {entry["id"] for entry in json.loads(out)} == set(catalog.bundles)
    code, _out, err = cli(capsys, "--data-dir", data_dir, "catalog", "coverage", "no_such_bundle")
    assert code == 1
    assert "no_such_bundle" in err and bundle_named(catalog, "企业开办").id in err


# -- catalog validate -----------------------------------------------------------------------------


def test_validate_shipped_catalog_is_clean(capsys, data_dir: str, catalog) -> None:
    code, out, _err = cli(capsys, "--data-dir", data_dir, "catalog", "validate", str(shipped_catalog_path()))
    assert code == 0
    assert catalog.version in out
    assert str(len(catalog.bundles)) in out


def broken_copy(tmp_path: Path) -> tuple[Path, str, str]:
    """The shipped catalog copied, with one item's department changed to an unknown one.

    Returns:
        The copy, the broken file (relative) and the broken item's id.
    """
    copy = tmp_path / "catalog"
    shutil.copytree(shipped_catalog_path(), copy)
    for path in sorted((copy / "items").glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        match = re.search(r'^id = "([a-z0-9_]+)"(?:.|\n)*?^department = "[a-z0-9_]+"', text, re.M)
        if match:
            start, end = match.span()
            broken = re.sub(r'^department = "[a-z0-9_]+"', 'department = "no_such_department"', match.group(0), flags=re.M)
            path.write_text(text[:start] + broken + text[end:], encoding="utf-8")
            return copy, path.relative_to(copy).as_posix(), match.group(1)
    pytest.fail("no item with a department in the shipped catalog")


def test_validate_broken_copy_names_file_entry_and_reason(capsys, tmp_path: Path, data_dir: str) -> None:
    copy, file, item_id = broken_copy(tmp_path)
    code, out, _err = cli(capsys, "--data-dir", data_dir, "catalog", "validate", str(copy))
    assert code == 1
    problem = next(line for line in out.splitlines() if "no_such_department" in line)
    assert problem.startswith(f"{file}: ")
    assert item_id in problem.split(": ")[1]
    assert re.search(r"共 \d+ 个问题", out)


def test_validate_missing_directory(capsys, tmp_path: Path, data_dir: str) -> None:
    code, out, err = cli(capsys, "--data-dir", data_dir, "catalog", "validate", str(tmp_path / "nowhere"))
    assert code == 1
    assert str(tmp_path / "nowhere") in out, out + err  # the directory it was given, by name
    no_traceback(err)


def test_broken_catalog_in_config_is_an_environment_error(capsys, tmp_path: Path, data_dir: str) -> None:
    copy, file, _item = broken_copy(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text(f'[catalog]\npath = "{copy.as_posix()}"\n', encoding="utf-8")
    code, _out, err = cli(capsys, "--config", str(config), "--data-dir", data_dir, "catalog", "list")
    assert code == 2
    assert file in err and "no_such_department" in err
    no_traceback(err)


# -- guide ------------------------------------------------------------------------------------------


def test_guide_json_has_the_contract_keys_and_stages_respect_prerequisites(capsys, data_dir: str, catalog) -> None:
    business_start = bundle_named(catalog, "企业开办")
    code, out, _err = cli(capsys, "--data-dir", data_dir, "guide", business_start.id, "--json")
    assert code == 0
    guide = json.loads(out)
    assert {"bundle", "items", "materials", "fields", "stages"} <= set(guide)
    assert guide["bundle"]["id"] == business_start.id
    for material in guide["materials"]:
        assert {"id", "name", "needed_by", "shareable"} <= set(material)
        assert material["needed_by"]
    stage_of = {item_id: number for number, stage in enumerate(guide["stages"]) for item_id in stage}
    assert set(stage_of) == set(guide["items"])
    for item_id in guide["items"]:
        for prerequisite in catalog.items[item_id].prerequisites:
            if prerequisite in stage_of:
                assert stage_of[prerequisite] < stage_of[item_id], (prerequisite, item_id)
    licence = [i for i in guide["items"] if catalog.items[i].department == "market_regulation"]
    tax = [i for i in guide["items"] if catalog.items[i].department == "tax"]
    assert licence and tax
    assert min(stage_of[i] for i in licence) < min(stage_of[i] for i in tax), "the licence comes before tax"


def test_guide_merges_a_material_needed_by_several_items(capsys, data_dir: str, catalog) -> None:
    business_start = bundle_named(catalog, "企业开办")
    code, out, _err = cli(capsys, "--data-dir", data_dir, "guide", business_start.id, "--json")
    assert code == 0
    materials = json.loads(out)["materials"]
    ids = [material["id"] for material in materials]
    assert len(ids) == len(set(ids)), "each material is asked once"


def test_guide_text_shows_items_materials_form_and_stages(capsys, data_dir: str, catalog) -> None:
    business_start = bundle_named(catalog, "企业开办")
    code, out, _err = cli(capsys, "--data-dir", data_dir, "guide", business_start.id)
    assert code == 0
    for heading in ("事项", "材料清单", "一表申请", "办理阶段", "第 1 阶段"):
        assert heading in out
    code, out, _err = cli(capsys, "--data-dir", data_dir, "--lang", "en", "guide", business_start.id)
    assert code == 0
    assert "Stage 1" in out and "Materials" in out


def bundle_with_question(catalog):
    """A bundle offered here whose questions switch an optional item on."""
    from window_app.catalog.search import offerings_for_region

    for offering in offerings_for_region(catalog, HOME_REGION):
        for question in offering.bundle.questions:
            for option in question.options:
                if option.enables and option.value != question.default:
                    return offering.bundle, question, option
    pytest.fail(
        "the shipped catalog changed: no bundle offered at 522325 has a question whose answer enables an "
        "optional item any more; point this test at a catalog that has one (tests/unit_tests/catalogs)"
    )


def test_guide_answer_switches_an_optional_item_on(capsys, data_dir: str, catalog) -> None:
    bundle, question, option = bundle_with_question(catalog)
    code, before, _err = cli(capsys, "--data-dir", data_dir, "guide", bundle.id, "--json")
    assert code == 0
    code, after, _err = cli(
        capsys, "--data-dir", data_dir, "guide", bundle.id, "--answer", f"{question.id}={option.value}", "--json"
    )
    assert code == 0
    assert json.loads(after)["answers"][question.id] == option.value
    assert set(option.enables) <= set(json.loads(after)["items"])
    assert not set(option.enables) <= set(json.loads(before)["items"])


def test_guide_choose_adds_an_optional_item(capsys, data_dir: str, catalog) -> None:
    from window_app.catalog.search import offerings_for_region

    bundle = next(
        (o.bundle for o in offerings_for_region(catalog, HOME_REGION) if o.kind == "bundle" and o.bundle.optional), None
    )
    assert bundle is not None, "the shipped catalog changed: no bundle offered at 522325 has optional items any more"
    item_id = bundle.optional[0]
    code, out, _err = cli(capsys, "--data-dir", data_dir, "guide", bundle.id, "--choose", item_id, "--json")
    assert code == 0
    assert item_id in json.loads(out)["items"]


def test_guide_unknown_bundle_lists_what_is_offered(capsys, data_dir: str, catalog) -> None:
    code, out, err = cli(capsys, "--data-dir", data_dir, "guide", "no_such_bundle")
    assert code == 1
    assert out == ""
    assert "no_such_bundle" in err and bundle_named(catalog, "企业开办").id in err
    no_traceback(err)


def test_guide_bundle_not_offered_in_this_region(capsys, monkeypatch, data_dir: str, catalog) -> None:
    monkeypatch.setenv("WINDOW_APP_WINDOW_REGION", XINGYI)
    code, _out, err = cli(capsys, "--data-dir", data_dir, "guide", bundle_named(catalog, "企业开办").id)
    assert code == 1
    assert "不受理" in err and XINGYI in err


def test_guide_unknown_question_and_value_list_the_valid_ones(capsys, data_dir: str, catalog) -> None:
    bundle, question, option = bundle_with_question(catalog)
    code, _out, err = cli(capsys, "--data-dir", data_dir, "guide", bundle.id, "--answer", "no_such_question=yes")
    assert code == 1
    assert "no_such_question" in err and question.id in err
    code, _out, err = cli(capsys, "--data-dir", data_dir, "guide", bundle.id, "--answer", f"{question.id}=no_such_value")
    assert code == 1
    assert "no_such_value" in err and f"{question.id}={option.value}" in err


def test_guide_choose_a_non_optional_item(capsys, data_dir: str, catalog) -> None:
    business_start = bundle_named(catalog, "企业开办")
    code, _out, err = cli(capsys, "--data-dir", data_dir, "guide", business_start.id, "--choose", "no_such_item")
    assert code == 1
    assert "no_such_item" in err


# -- accept / applications / receipt ------------------------------------------------------------------


def test_accept_prints_receipt_number_and_receipt_text(capsys, data_dir: str, catalog) -> None:
    code, out, err = cli(capsys, "--data-dir", data_dir, "accept", str(home_example(catalog)), "--print")
    assert code == 0, err
    receipt_no = out.splitlines()[0]
    assert receipt_no in out.split("\n", 1)[1], "the receipt text carries the receipt number"
    code, text, _err = cli(capsys, "--data-dir", data_dir, "receipt", receipt_no)
    assert code == 0
    assert receipt_no in text


def test_applications_text_and_query(capsys, data_dir: str, catalog) -> None:
    example = home_example(catalog)
    _code, out, _err = cli(capsys, "--data-dir", data_dir, "accept", str(example))
    receipt_no = out.strip()
    code, text, _err = cli(capsys, "--data-dir", data_dir, "applications")
    assert code == 0
    assert receipt_no in text
    code, out, _err = cli(capsys, "--data-dir", data_dir, "applications", "--json", "--query", receipt_no)
    assert code == 0
    assert [row["receipt_no"] for row in json.loads(out)] == [receipt_no]
    code, out, _err = cli(capsys, "--data-dir", data_dir, "applications", "--json", "--query", "没有这个人")
    assert code == 0
    assert json.loads(out) == []


def test_applications_empty(capsys, data_dir: str) -> None:
    code, out, _err = cli(capsys, "--data-dir", data_dir, "applications")
    assert code == 0
    assert "没有办件" in out


def broken_application(catalog) -> dict:
    """The home example with a wrong resident ID, a bad phone and an unknown material state."""
    data = json.loads(home_example(catalog).read_text(encoding="utf-8"))
    person = data["applicant"]["person"]
    person["id_number"] = "522325199003070021"  # wrong check digit
    person["phone"] = "12345"
    data.setdefault("fields", {})["no_such_field"] = "x"
    return data


def test_accept_broken_file_lists_each_problem_and_writes_nothing(capsys, tmp_path: Path, data_dir: str, catalog) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(broken_application(catalog), ensure_ascii=False), encoding="utf-8")
    code, out, err = cli(capsys, "--data-dir", data_dir, "accept", str(broken))
    assert code == 1
    assert out == ""
    problems = [line.strip() for line in err.splitlines() if line.startswith("  ")]
    assert any(line.startswith("applicant.person.id_number: ") for line in problems), err
    assert any(line.startswith("applicant.person.phone: ") for line in problems), err
    assert any(line.startswith("fields.no_such_field: ") for line in problems), err
    no_traceback(err)
    code, out, _err = cli(capsys, "--data-dir", data_dir, "applications", "--json")
    assert code == 0
    assert json.loads(out) == []


def test_accept_wrong_shape_lists_paths(capsys, tmp_path: Path, data_dir: str) -> None:
    bad = tmp_path / "shape.json"
    bad.write_text(json.dumps({"offering": 7, "applicant": {"kind": "robot"}, "materials": []}), encoding="utf-8")
    code, _out, err = cli(capsys, "--data-dir", data_dir, "accept", str(bad))
    assert code == 1
    for path in ("offering: ", "applicant.kind: ", "materials: "):
        assert f"  {path}" in err, err


def test_accept_invalid_json(capsys, tmp_path: Path, data_dir: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"offering": "newborn",', encoding="utf-8")
    code, out, err = cli(capsys, "--data-dir", data_dir, "accept", str(bad))
    assert code == 1
    assert out == ""
    assert "bad.json" in err and "JSON" in err
    no_traceback(err)


def test_accept_missing_file(capsys, tmp_path: Path, data_dir: str) -> None:
    code, _out, err = cli(capsys, "--data-dir", data_dir, "accept", str(tmp_path / "absent.json"))
    assert code == 1
    assert "absent.json" in err


def test_accept_unknown_offering_lists_valid_ones(capsys, tmp_path: Path, data_dir: str, catalog) -> None:
    data = json.loads(home_example(catalog).read_text(encoding="utf-8"))
    data["offering"] = "no_such_bundle"
    path = tmp_path / "unknown.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, _out, err = cli(capsys, "--data-dir", data_dir, "accept", str(path))
    assert code == 1
    assert "no_such_bundle" in err and bundle_named(catalog, "企业开办").id in err
    no_traceback(err)


def test_accept_from_stdin(capsys, monkeypatch, data_dir: str, catalog) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(home_example(catalog).read_text(encoding="utf-8")))
    code, out, err = cli(capsys, "--data-dir", data_dir, "accept", "-")
    assert code == 0, err
    assert out.strip()


def test_receipt_unknown_number(capsys, data_dir: str) -> None:
    code, out, err = cli(capsys, "--data-dir", data_dir, "receipt", "NO-SUCH-1")
    assert code == 1
    assert out == ""
    assert "NO-SUCH-1" in err


# -- environment and usage errors -------------------------------------------------------------------


def test_config_not_valid_toml(capsys, tmp_path: Path, data_dir: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[window\nid = ", encoding="utf-8")
    code, _out, err = cli(capsys, "--config", str(config), "--data-dir", data_dir, "applications")
    assert code == 2
    assert "config.toml" in err and "TOML" in err
    no_traceback(err)


def test_config_file_missing(capsys, tmp_path: Path, data_dir: str) -> None:
    code, _out, err = cli(capsys, "--config", str(tmp_path / "nope.toml"), "--data-dir", data_dir, "catalog", "list")
    assert code == 2
    assert "nope.toml" in err


def test_config_language_english(capsys, tmp_path: Path, data_dir: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[window]\nlanguage = "en"\n', encoding="utf-8")
    code, out, _err = cli(capsys, "--config", str(config), "--data-dir", data_dir, "applications")
    assert code == 0
    assert "No applications" in out


def test_data_dir_that_is_a_file_is_a_storage_error(capsys, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    code, _out, err = cli(capsys, "--data-dir", str(blocker), "applications")
    assert code == 2
    assert err.strip()
    no_traceback(err)


def test_usage_errors_exit_1_with_usage(capsys) -> None:
    code, _out, err = cli(capsys, "no-such-command")
    assert code == 1
    assert "usage:" in err
    code, _out, err = cli(capsys, "catalog")
    assert code == 1
    assert "usage:" in err


def test_help_exits_0(capsys) -> None:
    code, out, _err = cli(capsys, "--help")
    assert code == 0
    assert "window-app" in out


# -- no sub-command: the TUI ------------------------------------------------------------------------


def test_no_command_starts_the_tui_on_the_window_and_closes_the_database(monkeypatch, data_dir: str) -> None:
    """``window-app`` alone opens the window, runs WindowApp until it exits, closes the DB."""
    from textual.widgets import OptionList

    import screens.app
    from window_app.window import Window

    seen: dict[str, object] = {}
    closed: list[bool] = []
    real_close = Window.close
    monkeypatch.setattr(Window, "close", lambda self: (closed.append(True), real_close(self))[1])

    class HeadlessApp(screens.app.WindowApp):
        CSS_PATH = str(Path(screens.app.__file__).parent / "app.tcss")

        def on_mount(self) -> None:
            self.set_interval(0.01, self._check)

        def _check(self) -> None:
            # The first screen: first run (a window without accounts), sign-in, or pick when
            # the window comes signed in.
            first = type(self.screen).__name__
            if first in ("FirstRunScreen", "SignInScreen") and self.focused is not None:  # mounted
                seen.update(first=first, region=self.window.settings.window.region)
                seen["language"] = self.window.settings.window.language
                self.exit()
            if first == "PickScreen":
                options = self.screen.query(OptionList)
                if options and options.first().option_count:
                    seen.update(first=first, region=self.window.settings.window.region)
                    seen["language"] = self.window.settings.window.language
                    self.exit()

        def run(self, *args, **kwargs):
            return super().run(*args, **{**kwargs, "headless": True})

    monkeypatch.setattr(screens.app, "WindowApp", HeadlessApp)
    assert main(["--data-dir", data_dir, "--lang", "en"]) == 0
    assert {key: seen.get(key) for key in ("region", "language")} == {"region": HOME_REGION, "language": "en"}
    assert seen["first"] in ("FirstRunScreen", "SignInScreen", "PickScreen")
    assert closed == [True]
    assert (Path(data_dir) / "window.sqlite").is_file()


def test_usage_error_and_help_speak_the_configured_language(capsys, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[window]\nlanguage = "en"\n', encoding="utf-8")
    code, out, _err = cli(capsys, "--config", str(config), "--help")
    assert code == 0
    assert "sub-commands" in out
    code, _out, err = cli(capsys, "--config", str(config), "catalog", "frobnicate")
    assert code == 1
    assert "usage:" in err and "frobnicate" in err
    code, out, _err = cli(capsys, "--help")
    assert code == 0
    assert "子命令" in out


def test_main_leaves_the_process_language_as_it_found_it(capsys, data_dir: str) -> None:
    from window_app.domain.words import language

    before = language()
    code, out, _err = cli(capsys, "--data-dir", data_dir, "--lang", "en" if before == "zh" else "zh", "applications")
    assert code == 0 and out
    assert language() == before


# -- config init | path ----------------------------------------------------------------------


def test_config_init_writes_the_commented_default_and_never_overwrites_without_force(
    capsys, monkeypatch, tmp_path: Path, user_config_home: Path
) -> None:
    from window_app.config import SHIPPED_CONFIG

    monkeypatch.chdir(tmp_path)  # no ./config.toml here
    written = user_config_home / "window-app" / "config.toml"
    code, out, err = cli(capsys, "config", "init")
    assert code == 0, err
    assert out.strip() == str(written)
    assert "已写入默认设置" in err
    assert written.read_text(encoding="utf-8") == SHIPPED_CONFIG.read_text(encoding="utf-8")
    assert "# " in written.read_text(encoding="utf-8")  # commented, for the person who edits it

    written.write_text("[window]\nregion = '522323'\n", encoding="utf-8")
    code, out, err = cli(capsys, "config", "init", "--lang", "en")
    assert code == 1
    assert out == ""
    assert str(written) in err and "--force" in err
    assert "region = '522323'" in written.read_text(encoding="utf-8"), "the clerk's edits survive"

    code, out, err = cli(capsys, "config", "init", "--force")
    assert code == 0, err
    assert written.read_text(encoding="utf-8") == SHIPPED_CONFIG.read_text(encoding="utf-8")


def test_config_path_follows_the_search_order(capsys, monkeypatch, tmp_path: Path, user_config_home: Path) -> None:
    from window_app.config import SHIPPED_CONFIG

    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "config", "path", "--lang", "en")
    assert code == 0, err
    assert out.strip() == str(SHIPPED_CONFIG)
    assert "package default" in err and "← in use" in err

    user_file = user_config_home / "window-app" / "config.toml"
    assert cli(capsys, "config", "init")[0] == 0
    code, out, err = cli(capsys, "config", "path")
    assert (code, out.strip()) == (0, str(user_file))
    assert f"{user_file} ← 使用中" in err

    (tmp_path / "config.toml").write_text("[window]\nlanguage = 'en'\n", encoding="utf-8")
    code, out, err = cli(capsys, "config", "path")
    assert (code, out.strip()) == (0, str(tmp_path / "config.toml"))
    assert "Search order" in err  # the configured language

    code, out, err = cli(capsys, "config", "path", "--config", str(tmp_path / "missing.toml"))
    assert code == 2 and out == ""
    assert "missing.toml" in err


def test_an_installed_app_runs_on_the_package_default_outside_the_source_tree(tmp_path: Path, user_config_home: Path) -> None:
    """Run from a directory without config.toml (as after ``pipx install``): the window is the
    shipped one, not the built-in defaults without exchange settings."""
    result = run_module("config", "path", env={"XDG_CONFIG_HOME": str(user_config_home)}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(str(Path("window_app") / "data" / "config.toml"))
    result = run_module("--data-dir", str(tmp_path / "data"), "catalog", "list", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)


# -- export applications ---------------------------------------------------------------------


def test_export_applications_as_csv_and_json_one_row_per_department_part(capsys, data_dir: str, catalog) -> None:
    import csv

    _code, out, _err = cli(capsys, "--data-dir", data_dir, "accept", str(home_example(catalog)))
    receipt_no = out.strip()
    _code, out, _err = cli(capsys, "--data-dir", data_dir, "applications", "--json")
    [application] = json.loads(out)
    parts = sorted((part["stage"], part["department"]) for part in application["parts"])

    code, out, err = cli(capsys, "--data-dir", data_dir, "export", "applications")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {row["receipt_no"] for row in rows} == {receipt_no}
    assert [(int(row["stage"]), row["department"]) for row in rows] == parts
    assert {row["applicant_name"] for row in rows} == {application["applicant_name"]}
    assert "intake" not in rows[0] and "guide" not in rows[0]

    code, out, err = cli(capsys, "--data-dir", data_dir, "export", "applications", "--format", "json")
    assert code == 0, err
    as_text = [{key: "" if value is None else str(value) for key, value in row.items()} for row in json.loads(out)]
    assert as_text == rows


def test_export_applications_to_a_file_spreadsheets_open(capsys, tmp_path: Path, data_dir: str, catalog) -> None:
    cli(capsys, "--data-dir", data_dir, "accept", str(home_example(catalog)))
    target = tmp_path / "办件.csv"
    code, out, err = cli(capsys, "--data-dir", data_dir, "export", "applications", "-o", str(target), "--lang", "en")
    assert code == 0, err
    assert out == ""
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfreceipt_no,")  # a BOM: Excel and WPS read UTF-8
    lines = data.decode("utf-8-sig").splitlines()
    assert f"Exported {len(lines) - 1} rows to {target}." in err


def test_export_of_an_empty_window_is_a_header_or_an_empty_array(capsys, data_dir: str) -> None:
    code, out, _err = cli(capsys, "--data-dir", data_dir, "export", "applications")
    assert code == 0
    assert out.startswith("receipt_no,accepted_at,") and len(out.splitlines()) == 1
    code, out, _err = cli(capsys, "--data-dir", data_dir, "export", "applications", "--format", "json")
    assert (code, json.loads(out)) == (0, [])

