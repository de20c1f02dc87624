"""What is wrong with a catalog: each problem names the file, the entry and the reason."""

from __future__ import annotations

from dataclasses import dataclass

from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words, counted


@dataclass(frozen=True)
class CatalogProblem:
    """One thing wrong with a catalog.

    Attributes:
        file: Path relative to the catalog directory, e.g. ``items/tax.toml``.
        entry: What inside the file, e.g. ``item tax_registration`` or
            ``bundle newborn / question has_car``; ``(file)`` for the file as a whole.
        reason: What is wrong, in words a data author acts on: English, or :class:`Words`
            (Chinese and English, shown in the interface language) where a region's
            administrator reads it too (an item no office serves).
    """

    file: str
    entry: str
    reason: str | Words

    def __str__(self) -> str:
        return f"{self.file}: {self.entry}: {self.reason}"


class CatalogError(WindowAppError):
    """The catalog cannot be used; ``problems`` lists everything wrong with it.

    The heading is in both languages; each problem's reason is written for the catalog's data
    author, who works in the catalog's files (English, as the format's documentation).
    """

    def __init__(self, problems: list[CatalogProblem]):
        self.problems = list(problems)
        heading = Words(
            "目录有误（{n} 个问题），无法使用：",
            "The catalog has {problems} and cannot be used:",
        ).format(n=len(self.problems), problems=counted(len(self.problems), "problem"))
        super().__init__(heading, [str(problem) for problem in self.problems])
