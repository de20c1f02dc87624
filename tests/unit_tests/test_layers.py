"""The layers hold: import-linter's contracts, and the domain imports without Textual at run time."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import window_app

ROOT = Path(__file__).resolve().parents[2]


def domain_modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.walk_packages(window_app.__path__, prefix="window_app.")
        if info.name not in {"window_app.__main__"}
    )


def test_domain_imports_without_textual() -> None:
    """Every window_app module imports in a process where importing Textual fails."""
    modules = domain_modules() + ["offline_cache.db"]
    script = (
        "import importlib, sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'textual' or name.startswith('textual.'):\n"
        "            raise ImportError('textual is blocked in this test')\n"
        "sys.meta_path.insert(0, Block())\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "assert not any(m == 'textual' or m.startswith('textual.') for m in sys.modules)\n"
        "print('ok', len(sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")


def test_the_import_contracts_hold() -> None:
    """import-linter checks the layers of docs/architecture.md (contracts in pyproject.toml)."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_window_app_module_has_its_place_in_the_layers() -> None:
    """A new module of window_app must be named in the layers contract: otherwise nothing
    would check what it imports, or what imports it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(contract["layers"] for contract in contracts if contract["id"] == "layers")
    placed = {name.strip() for layer in layers for name in re.split(r"[|:]", layer)}
    children = {f"window_app.{info.name}" for info in pkgutil.iter_modules(window_app.__path__)}
    assert children - placed == set()
