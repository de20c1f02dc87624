"""Sub-commands from other packages plug in through ``register(commands)``; missing ones are skipped."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from window_app.cli import main, registry


def write_package(root: Path, name: str, files: dict[str, str]) -> None:
    package = root / name
    package.mkdir(parents=True)
    for filename, text in {"__init__.py": "", **files}.items():
        (package / filename).write_text(text, encoding="utf-8")


PLUGIN = '''
from window_app.cli import EXIT_OK, InvalidInput, add_command, settings_from
from window_app.cli.output import out
from window_app.domain.words import Words


def register(commands):
    hello = add_command(commands, "hello", Words("问好", "say hello"))
    hello.add_argument("--fail", action="store_true")
    hello.set_defaults(func=cmd_hello)


def cmd_hello(args):
    settings = settings_from(args)
    if args.fail:
        raise InvalidInput(Words("不行", "no"), ["reason"])
    out(f"hello {settings.window.region} {settings.window.language}")
    return EXIT_OK
'''


@pytest.fixture(autouse=True)
def _no_user_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own WINDOW_APP_* variables must not leak into the cases."""
    for key in [key for key in os.environ if key.startswith("WINDOW_APP_")]:
        monkeypatch.delenv(key)


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on ``sys.path`` for throw-away packages; they are forgotten afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if name.startswith(("cli_plug", "cli_broken")):
            del sys.modules[name]


def test_the_exchange_and_the_sync_commands_are_listed() -> None:
    assert "window_app.exchange.cli" in registry.COMMAND_MODULES
    assert "window_app.cli.sync_command" in registry.COMMAND_MODULES


@pytest.mark.parametrize("name", ["cli_plug_absent.cli", "window_app.absent.cli", "window_app.cli.absent"])
def test_a_module_that_does_not_exist_is_skipped(name: str) -> None:
    assert registry.import_if_present(name) is None


def test_a_module_that_fails_to_import_is_not_hidden(plugins: Path) -> None:
    write_package(plugins, "cli_broken_dep", {"cli.py": "import cli_no_such_dependency\n"})
    with pytest.raises(ModuleNotFoundError, match="cli_no_such_dependency"):
        registry.import_if_present("cli_broken_dep.cli")


def test_a_package_that_fails_to_import_is_not_hidden(plugins: Path) -> None:
    write_package(plugins, "cli_broken_init", {"__init__.py": "import cli_no_such_dependency\n", "cli.py": ""})
    with pytest.raises(ModuleNotFoundError, match="cli_no_such_dependency"):
        registry.import_if_present("cli_broken_init.cli")


def test_a_registered_command_runs_with_global_options_either_side(
    plugins: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write_package(plugins, "cli_plug", {"cli.py": PLUGIN})
    monkeypatch.setattr(registry, "COMMAND_MODULES", (*registry.COMMAND_MODULES, "cli_plug.cli", "cli_plug_absent.cli"))
    data = str(tmp_path / "data")

    assert main(["--data-dir", data, "hello", "--lang", "en"]) == 0
    assert capsys.readouterr().out == "hello 522325 en\n"

    assert main(["hello", "--fail", "--data-dir", data]) == 1
    assert capsys.readouterr().err == "不行\n  reason\n"  # the configured language: Chinese

    assert main(["--help"]) == 0
    assert "say hello" not in capsys.readouterr().out  # help is Chinese by default
    assert main(["--lang", "en", "--help"]) == 0
    assert "say hello" in capsys.readouterr().out
