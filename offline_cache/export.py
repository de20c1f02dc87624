"""Accepted applications as flat rows, for a spreadsheet or another program (CSV or JSON).

The rows are those of the ``applications_export`` view (:mod:`offline_cache.schema`): one per
department part of each application, newest application first. sqlite-utils reads them as
dicts; the writers below stream them, so a large database is never held in memory as CSV.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from offline_cache.db import Database
from offline_cache.schema import APPLICATIONS_EXPORT
from offline_cache.vault import read_cipher, reveal, with_applicant
from window_app.domain.words import Words

EXPORT_FORMATS = ("csv", "json")


EXPORT_WORDS = Words("导出办件", "Exporting applications")
_PERSONAL = ("applicant_name", "applicant_number", "phone", "agent_name")


def application_rows(db: Database) -> Iterator[dict[str, Any]]:
    """Every row of the export view: newest application first, its parts by stage and department.

    The applicant's name, number, phone and agent are opened with the signed-in clerk's data
    key: the export is for a person who may read them (the file written is theirs to keep safe).

    Raises:
        DataLocked: They are sealed and no clerk is signed in (raised before any row is given).
    """
    cipher = read_cipher(db, EXPORT_WORDS)
    rows = db.utils[APPLICATIONS_EXPORT].rows_where(order_by="accepted_at DESC, receipt_no DESC, stage, department")
    return _opened(cipher, rows)


def _opened(cipher: Any, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for row in rows:
        receipt_no = row["receipt_no"]
        for column in _PERSONAL:
            row[column] = reveal(cipher, row[column], "applications", column, receipt_no, EXPORT_WORDS)
        row["conclusion"] = with_applicant(row["conclusion"], row["applicant_name"])
        yield row


def export_columns(db: Database) -> list[str]:
    """The export's column names, in order (the CSV header even when there are no rows)."""
    return [column.name for column in db.utils[APPLICATIONS_EXPORT].columns]


def write_rows(rows: Iterable[dict[str, Any]], columns: list[str], stream: TextIO, fmt: str) -> int:
    """Write ``rows`` to ``stream`` as CSV (a header line, then one line a row) or as a JSON
    array of objects; return how many rows were written.

    Raises:
        ValueError: ``fmt`` is not one of :data:`EXPORT_FORMATS`.
    """
    if fmt == "csv":
        writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        count = 0
        for row in rows:
            writer.writerow(row)
            count += 1
        return count
    if fmt == "json":
        count = 0
        stream.write("[")
        for row in rows:
            stream.write(",\n  " if count else "\n  ")
            stream.write(json.dumps(row, ensure_ascii=False))
            count += 1
        stream.write("\n]\n" if count else "]\n")
        return count
    raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
