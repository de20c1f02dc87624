"""The report as rows with stable column names: one CSV file, or one JSON document.

Every row has :data:`COLUMNS`; a number that does not apply (or a hooked column not connected)
is empty in CSV and ``null`` in JSON. The JSON document also carries the period, whose report it
is and where the hooked columns come from.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from window_app.reporting.numbers import NUMBER_COLUMNS, Report, ReportRow

COLUMNS = ("section", "id", "name", "name_en", *NUMBER_COLUMNS)
"""The columns of every exported row, in order."""

REPORT_FORMAT = 1
"""The JSON document's ``format``: raised when a column changes meaning or goes away."""


def row_values(row: ReportRow) -> dict[str, Any]:
    """One row keyed by :data:`COLUMNS`."""
    values: dict[str, Any] = {"section": row.section, "id": row.id, "name": row.name.zh, "name_en": row.name.en}
    for column in NUMBER_COLUMNS:
        values[column] = getattr(row, column)
    return values


def report_json(report: Report) -> dict[str, Any]:
    """The report as one JSON-able document."""
    return {
        "format": REPORT_FORMAT,
        "period": {"name": report.period.name, "from": report.period.first.isoformat(), "to": report.period.last.isoformat()},
        "clerk_id": report.clerk_id,
        "made_at": report.made_at,
        "sources": {key: {"zh": words.zh, "en": words.en} for key, words in report.sources.items()},
        "columns": list(COLUMNS),
        "rows": [row_values(row) for row in report.rows],
    }


def report_csv(report: Report) -> str:
    """The report as CSV text: a header of :data:`COLUMNS`, one line per row."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in report.rows:
        writer.writerow({key: "" if value is None else value for key, value in row_values(row).items()})
    return buffer.getvalue()
