"""Words a clerk reads: English counts agree with their number, no jargon on the screens.

The scans read the source (every ``Words(zh, en)`` and ``tr(zh, en)`` call), so a new message
is held to the same rules without a test of its own.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from window_app.domain.words import Words, counted

ROOT = Path(__file__).resolve().parents[2]

# What a clerk reads: the screens, the states they show, the sync's messages (shown in toasts
# and on the detail screen). The CLI and the exchange's tools speak to administrators and may
# keep the technical terms (envelope, quarantine).
CLERK_SOURCES = ("screens", "window_app/domain/states.py", "window_app/sync")
JARGON = ("信封", "隔离")  # what a clerk reads instead: 件 / 办件, 被交换平台退回
JARGON_EN = ("envelope", "quarantin")  # instead: part, returned by the exchange


@pytest.mark.parametrize(
    ("count", "singular", "plural", "said"),
    [
        (0, "field", "", "0 fields"),
        (1, "field", "", "1 field"),
        (2, "field", "", "2 fields"),
        (1, "entry", "", "1 entry"),
        (3, "entry", "", "3 entries"),
        (2, "day", "", "2 days"),  # a vowel before the y
        (2, "box", "", "2 boxes"),
        (2, "department event", "", "2 department events"),
        (1, "more try", "more tries", "1 more try"),
        (4, "more try", "more tries", "4 more tries"),
    ],
)
def test_counted_agrees_with_its_number(count: int, singular: str, plural: str, said: str) -> None:
    assert counted(count, singular, plural) == said


def test_a_message_with_a_count_reads_right_in_both_languages() -> None:
    message = Words("有 {n} 处需要更正", "{fields} to correct")
    assert message.format(n=1, fields=counted(1, "field")) == Words("有 1 处需要更正", "1 field to correct")
    assert message.format(n=2, fields=counted(2, "field")) == Words("有 2 处需要更正", "2 fields to correct")


def calls(paths: tuple[str, ...]):
    """(file, line, zh, en) of every Words/tr call with literal texts under ``paths``."""
    files: list[Path] = []
    for name in paths:
        path = ROOT / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    for file in files:
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            called = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if called not in ("Words", "tr") or len(node.args) < 2:
                continue
            zh, en = (_literal(arg) for arg in node.args[:2])
            yield file.relative_to(ROOT), node.lineno, zh, en


def _literal(node: ast.expr) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return ""


def test_no_english_message_counts_with_a_bracketed_plural() -> None:
    # "1 field(s)" reads as a shrug: counted() says "1 field" and "2 fields". http(s):// is a scheme.
    found = [
        f"{file}:{line}: {en}"
        for file, line, _zh, en in calls(("screens", "window_app"))
        if re.search(r"\w\((?:e?s)\)", en.replace("http(s)", ""))
    ]
    assert found == []


def test_no_envelope_or_quarantine_in_what_a_clerk_reads() -> None:
    found = [
        f"{file}:{line}: {zh} / {en}"
        for file, line, zh, en in calls(CLERK_SOURCES)
        if any(word in zh for word in JARGON) or any(word in en.lower() for word in JARGON_EN)
    ]
    assert found == []
