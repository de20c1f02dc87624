"""The layers hold: the domain imports without Textual, screens never run SQL."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
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


def test_screens_run_no_sql() -> None:
    """Screens talk to the Window facade; SQL lives in offline_cache only."""
    offenders = []
    for path in sorted((ROOT / "screens").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bimport sqlite3\b|\bsqlite_utils\b|\.execute\(|\bfrom offline_cache\b|\bimport offline_cache\b", text):
            # StorageError is the one name screens may take from offline_cache: to tell the clerk.
            lines = [
                line
                for line in text.splitlines()
                if re.search(r"sqlite|\.execute\(|offline_cache", line) and "StorageError" not in line
            ]
            if lines:
                offenders.append(f"{path.relative_to(ROOT)}: {lines}")
    assert offenders == []
