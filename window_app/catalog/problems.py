"""What is wrong with a catalog: each problem names the file, the entry and the reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogProblem:
    """One thing wrong with a catalog.

    Attributes:
        file: Path relative to the catalog directory, e.g. ``items/tax.toml``.
        entry: What inside the file, e.g. ``item tax_registration`` or
            ``bundle newborn / question has_car``; ``(file)`` for the file as a whole.
        reason: What is wrong, in words a data author acts on.
    """

    file: str
    entry: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.entry}: {self.reason}"


class CatalogError(Exception):
    """The catalog cannot be used; ``problems`` lists everything wrong with it."""

    def __init__(self, problems: list[CatalogProblem]):
        self.problems = list(problems)
        count = len(self.problems)
        heading = f"the catalog has {count} problem{'s' if count != 1 else ''}"
        super().__init__("\n".join([heading + ":", *(f"  {p}" for p in self.problems)]))
