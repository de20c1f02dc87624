"""The catalog while it is being read: the entries so far, where each came from, the problems."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from window_app.catalog.problems import CatalogProblem
from window_app.domain.catalog import (
    Bundle,
    Condition,
    Department,
    FieldRule,
    FormField,
    Item,
    Material,
    Office,
    Region,
)

Shared = TypeVar("Shared")


class _Shared(dict):
    """Each value its own key: ``shared[value]`` is the first equal value looked up."""

    def __missing__(self, key: object) -> object:
        self[key] = key
        return key


@dataclass
class Origin:
    """Where an entry was defined, so later checks can name it."""

    file: str
    entry: str


@dataclass
class ConditionUse:
    """A ``when`` on an item's material or field, checked once bundles are known."""

    origin: Origin
    item: str
    condition: Condition


@dataclass
class RuleUse:
    """A cross-field rule, checked against the fields once everything is read.

    Attributes:
        bundle: The id of the bundle declaring it; empty for a field's own rule.
    """

    origin: Origin
    rule: FieldRule
    bundle: str = ""


@dataclass
class PartialCatalog:
    """Everything read so far, plus where each entry came from."""

    problems: list[CatalogProblem] = field(default_factory=list)
    version: str = ""
    name: str = ""
    regions: dict[str, Region] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    offices: dict[str, Office] = field(default_factory=dict)
    materials: dict[str, Material] = field(default_factory=dict)
    fields: dict[str, FormField] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    bundles: dict[str, Bundle] = field(default_factory=dict)
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)
    conditions: list[ConditionUse] = field(default_factory=list)
    rule_uses: list[RuleUse] = field(default_factory=list)
    # Kinds with a file that could not be parsed: references to them are not reported as
    # unknown, or one missing quote would bury the real problem under hundreds of echoes.
    unreadable: set[str] = field(default_factory=set)
    # One object for every equal text, tuple and part read (memory, snapshot size): a large
    # catalog repeats the same department ids, region lists, materials and questions thousands
    # of times, and each TOML value is a new object.
    shared: dict = field(default_factory=lambda: _Shared())
    # An item's ``materials`` / ``fields`` list of bare ids, read once per distinct list.
    requirement_lists: dict[tuple, tuple] = field(default_factory=dict)
    # A bundle's questions, read once per distinct TOML text and item lists (bundles.py).
    question_lists: dict[tuple, tuple] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # ``share(value)``: the first object read that equals ``value`` (strings, tuples of
        # strings, frozen parts). Only for values whose equal ones are interchangeable: never
        # mix types that compare equal across kinds (``1 == True == 1.0``) in what is shared.
        # The dictionary's own look-up: called ~500,000 times for a 10,000-offering catalog.
        self.share: Callable[[Shared], Shared] = self.shared.__getitem__

    def knows(self, kind: str, known: dict, wanted: str) -> bool:
        """Whether a reference may stand (it exists, or its kind could not be read at all)."""
        return wanted in known or kind in self.unreadable

    def problem(self, file: str, entry: str, reason: str) -> None:
        self.problems.append(CatalogProblem(file, entry, reason))

    def origin(self, kind: str, key: str) -> Origin:
        return self.origins[(kind, key)]

    def register(self, space: str, key: str, kind: str, origin: Origin) -> bool:
        """Record where an id is defined; False (and a problem) if it already is."""
        if not key:
            return False
        first = self.origins.get((space, key))
        if first is not None:
            what = first.entry.split(" ", 1)[0]
            shared = " (bundle and item ids share one space)" if what != kind else ""
            reason = f"duplicate id '{key}': already defined as {what} in {first.file}{shared}"
            self.problem(origin.file, origin.entry, reason)
            return False
        self.origins[(space, key)] = origin
        return True
