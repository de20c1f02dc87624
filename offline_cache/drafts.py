"""Drafts: intakes being taken, kept across quitting and resumed from the drafts list."""

from __future__ import annotations

import datetime as dt
import json
import uuid  # only when a draft is first saved: the first screen lists drafts

from offline_cache.db import Database, storage_errors
from offline_cache.vault import read_cipher, reveal, seal, write_cipher
from window_app.domain.applications import DraftSummary, applicant_name
from window_app.domain.intake import Intake
from window_app.domain.words import Words

_SAVE_WORDS = Words("保存草稿", "Saving the draft")
_READ_WORDS = Words("读取草稿", "Reading drafts")


def save_draft(db: Database, intake: Intake, now: dt.datetime, *, offering_name: str = "") -> str:
    """Store the intake as a draft (insert or update); return its id.

    An intake without ``draft_id`` gets a new one (set on ``intake``, so saving again updates
    the same draft).

    Args:
        offering_name: The offering's name for the drafts list (the intake holds only its id).

    Raises:
        DataLocked: The window's personal data is sealed and no clerk is signed in.
        StorageError: The draft was not saved; the message says why.
    """
    if not intake.draft_id:

        intake.draft_id = uuid.uuid4().hex
    at = now.isoformat(timespec="seconds")
    draft_id = intake.draft_id
    with storage_errors(_SAVE_WORDS):
        cipher = write_cipher(db, _SAVE_WORDS)  # the applicant's name and the whole intake are sealed
        db.execute(
            """
            INSERT INTO drafts (id, offering_id, offering_name, applicant_name, step, data, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                offering_id = excluded.offering_id,
                offering_name = CASE WHEN excluded.offering_name != '' THEN excluded.offering_name
                                     ELSE drafts.offering_name END,
                applicant_name = excluded.applicant_name,
                step = excluded.step,
                data = excluded.data,
                updated_at = excluded.updated_at
            """,
            [
                draft_id,
                intake.offering,
                offering_name,
                seal(cipher, applicant_name(intake), "drafts", "applicant_name", draft_id),
                intake.step,
                seal(cipher, json.dumps(intake.to_json(), ensure_ascii=False), "drafts", "data", draft_id),
                at,
                at,
            ],
        )
    return intake.draft_id


def list_drafts(db: Database) -> list[DraftSummary]:
    """All drafts, most recently saved first.

    Raises:
        DataLocked: The applicants' names are sealed and no clerk is signed in (a locked window
            shows no drafts: the list names applicants).
    """
    with storage_errors(_READ_WORDS):
        cipher = read_cipher(db, _READ_WORDS)
        rows = db.execute(
            "SELECT id, offering_id, offering_name, applicant_name, step, updated_at FROM drafts "
            "ORDER BY updated_at DESC, id"
        ).fetchall()
    return [
        DraftSummary(
            draft_id, offering_id, offering_name,
            reveal(cipher, name, "drafts", "applicant_name", draft_id, _READ_WORDS), step, updated_at,
        )
        for draft_id, offering_id, offering_name, name, step, updated_at in rows
    ]


def load_draft(db: Database, draft_id: str) -> Intake:
    """The intake stored under ``draft_id``.

    Raises:
        KeyError: No such draft (deleted, or accepted meanwhile).
        DataLocked: The draft is sealed and no clerk is signed in.
    """
    with storage_errors(_READ_WORDS):
        cipher = read_cipher(db, _READ_WORDS)
        row = db.execute("SELECT data FROM drafts WHERE id = ?", [draft_id]).fetchone()
    if row is None:
        raise KeyError(draft_id)
    intake = Intake.from_json(json.loads(reveal(cipher, row[0], "drafts", "data", draft_id, _READ_WORDS)))
    intake.draft_id = draft_id
    return intake


def delete_draft(db: Database, draft_id: str) -> None:
    """Forget a draft; deleting one that does not exist is not an error."""
    with storage_errors(Words("删除草稿", "Deleting the draft")):
        db.execute("DELETE FROM drafts WHERE id = ?", [draft_id])
