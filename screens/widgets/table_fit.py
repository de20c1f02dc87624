"""Tables that fit the terminal: columns chosen by the width there is, never a sideways scroll.

A county terminal may be 80 columns wide, and a clerk does not press → forty times to see a
material's state. Each column of a table is described by its *forms*, richest first (the full
department names, then a count; a full receipt number, then its tail; or nothing: the column is
left out). :func:`fit_columns` starts from every column's richest form and, following the
screen's own order of what to give up first, takes the next form of one column at a time until
the table fits; a column allowed to be cut (a material's name) is then cut with ``…``. What a
narrow table leaves out, the screen shows in full for the highlighted row in a line under it.

Widths are terminal cells (:func:`rich.cells.cell_len`: a hanzi is two).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget
from textual.widgets import DataTable

Cell = str | Text


@dataclass(frozen=True)
class Form:
    """One way to show a column: its heading and one cell per row."""

    label: str
    cells: Sequence[Cell]

    def width(self) -> int:
        """Cells the widest of heading and cells takes."""
        return max([cell_len(self.label), *(cell_width(cell) for cell in self.cells)])


@dataclass
class FitColumn:
    """A column and the forms it may take, richest first.

    Args:
        key: The column's key in the table.
        forms: Richest first; a column whose forms are used up is left out when ``optional``.
        optional: Whether the table may leave the column out (its words are under the table).
        min_width: Once every allowed form is taken, the last one's cells may be cut (with
            ``…``) down to this many cells; 0: never cut.
    """

    key: str
    forms: Sequence[Form]
    optional: bool = False
    min_width: int = 0
    chosen: int = field(default=0, init=False)
    width: int | None = field(default=None, init=False)  # set when the cells are cut

    @property
    def shown(self) -> bool:
        return self.chosen < len(self.forms)

    @property
    def form(self) -> Form:
        return self.forms[self.chosen]

    def natural(self) -> int:
        return self.form.width() if self.shown else 0

    def used(self, padding: int) -> int:
        if not self.shown:
            return 0
        return (self.width if self.width is not None else self.natural()) + 2 * padding

    def give_up(self) -> bool:
        """Take the next poorer form (or leave the column out): whether anything changed."""
        last = len(self.forms) - (0 if self.optional else 1)
        if self.chosen >= last:
            return False
        self.chosen += 1
        return True


def cell_width(cell: Cell) -> int:
    """Cells a table cell takes (its widest line)."""
    text = cell.plain if isinstance(cell, Text) else cell
    return max((cell_len(line) for line in text.splitlines() or [""]), default=0)


def fit_columns(columns: Sequence[FitColumn], width: int, give_up: Iterable[str], *, padding: int = 1) -> list[FitColumn]:
    """Choose each column's form so that the table is at most ``width`` cells wide.

    Args:
        columns: The table's columns, in order (changed in place: ``chosen``, ``width``).
        width: The cells the table has for its columns (scrollbar and row labels taken off).
        give_up: Column keys in the order their richness is given up, one form per mention;
            ``"key:cut"`` cuts that column (down to its minimum) at that point.
        padding: The table's ``cell_padding``.

    Returns:
        The columns shown, in order.
    """
    by_key = {column.key: column for column in columns}

    def total() -> int:
        return sum(column.used(padding) for column in columns)

    for step in give_up:
        if total() <= width:
            break
        key, _, how = step.partition(":")
        column = by_key[key]
        if how == "cut":  # cut now (down to its minimum), before what is given up next
            _cut_column(column, total() - width)
        else:
            column.give_up()
    # Still too wide: cut what may be cut, widest first, down to its minimum.
    for column in sorted((c for c in columns if c.min_width and c.shown), key=lambda c: -c.natural()):
        excess = total() - width
        if excess <= 0:
            break
        _cut_column(column, excess)
    return [column for column in columns if column.shown]


def _cut_column(column: FitColumn, excess: int) -> None:
    """Narrow a column that may be cut by ``excess`` cells, not below its minimum."""
    if not column.min_width or not column.shown or excess <= 0:
        return
    current = column.width if column.width is not None else column.natural()
    column.width = max(column.min_width, current - excess)
    if column.width >= column.natural():
        column.width = None


def cut(cell: Cell, width: int | None) -> Text:
    """A cell as Text, cut to ``width`` cells with ``…`` when it is longer."""
    text = cell.copy() if isinstance(cell, Text) else Text(cell)
    if width is not None and text.cell_len > width:
        text.truncate(width, overflow="ellipsis")
    return text


def table_width(table: DataTable, *, fallback: int, labels: int = 0) -> int:
    """The cells a table has for its columns: its width less the scrollbar and the row labels.

    The scrollbar's cells are always kept (give the table ``scrollbar-gutter: stable``): a
    list that grows by one row must not push the last column out of view.

    Args:
        table: The table (its size once laid out; ``fallback`` before).
        fallback: The width to assume before the first layout.
        labels: Cells of the row labels' column (0: none shown).
    """
    width = (table.size.width or fallback) - table.styles.scrollbar_size_vertical
    if labels:
        width -= labels + 2 * table.cell_padding
    return max(width, 0)


def fill_table(table: DataTable, columns: Sequence[FitColumn], keys: Sequence[str], *, labels: Sequence[Cell | None] | None = None) -> None:
    """Rebuild ``table`` with the columns chosen by :func:`fit_columns` (cursor row kept).

    Each column gets its width now: the table measures its cells only when idle, and what is
    drawn before must already fit. A fill that would change nothing (a resize to the same
    choice) leaves the table as it is.

    Args:
        table: The table to fill.
        columns: The columns shown (their chosen forms and widths).
        keys: One row key per row.
        labels: Row labels (``None`` for none), or ``None`` for no labels at all.
    """
    widths = [column.width if column.width is not None else column.natural() for column in columns]
    rows = [[cut(column.form.cells[index], width) for column, width in zip(columns, widths)] for index in range(len(keys))]
    row_labels = [Text(label) if isinstance(label, str) else label for label in (labels or [None] * len(keys))]
    signature = (
        tuple((column.key, column.form.label, width) for column, width in zip(columns, widths)),
        tuple(keys),
        tuple(tuple(cell.markup for cell in row) for row in rows),
        tuple(label.markup if label is not None else None for label in row_labels),
    )
    if getattr(table, "_fit_signature", None) == signature and table.row_count == len(keys):
        return
    table._fit_signature = signature  # type: ignore[attr-defined]
    row = table.cursor_row if table.row_count else 0
    table.clear(columns=True)
    for column, width in zip(columns, widths):
        table.add_column(cut(column.form.label, width), key=column.key, width=width)
    for key, cells, label in zip(keys, rows, row_labels):
        table.add_row(*cells, key=key, label=label)
    if table.row_count:
        table.move_cursor(row=min(row, table.row_count - 1), animate=False)


def fit_height(table: DataTable, container: Widget, *, min_height: int = 4) -> None:
    """Cap ``table``'s height so that what follows it in ``container`` stays in view.

    Textual resolves ``max-height: 1fr`` against the whole container, so a long table pushes
    the lines under it (the highlighted row, why a key was refused) off a 24-row terminal.
    Call after a layout: the cap follows the overflow of the container's last child, and is
    lifted again when there is room.
    """
    children = [child for child in container.children if child.display and child.region.height]
    if not children or not table.region.height:
        return
    last = children[-1]
    bottom = last.region.bottom + last.styles.margin.bottom
    overflow = bottom - container.content_region.bottom
    wanted = table.virtual_size.height + table.scrollbar_size_horizontal
    cap = max(min_height, min(wanted, table.region.height - overflow))
    if cap >= wanted:
        if table.styles.max_height is not None and overflow <= 0:
            table.styles.max_height = None
        return
    if table.styles.max_height is None or table.styles.max_height.value != cap:
        table.styles.max_height = cap
