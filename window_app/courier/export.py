"""``window-app courier export PATH``: what waits for the exchange, in one signed file.

The file (:mod:`window_app.trust.courier_file`) carries exactly what a sync round would send
to the shared exchange: every queued envelope as stored (sealed per department and signed at
acceptance: the very bytes ``POST /v1/envelopes`` carries), the latest signed audit head, the
tracking records due (signed by the window), the ratings and rectification cases not yet sent, the survey appointments (联合踏勘) not yet taken;
and, in the manifest, the cursors the answer continues from (the window's events, the tracking
page's ratings, the departments' survey answers). Departments with an endpoint of their own are not carried (they are not at
the exchange). The applicant's SMS notifications are not carried: the window sends them
through its own gateway, which a cut exchange line does not make unreachable.

The envelopes stay ``queued``, marked with the file's id (the header's "on a courier"): the
network sends them too if the line comes back first, and the exchange answers the second
copy ``duplicate``. A later file carries them again (a lost stick loses nothing).

The file and the record of it are one step: the row (with the file's number: numbers only go
up) and the marks are written in a transaction that commits only after the file is renamed
into place, and the file is removed if the commit fails.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from offline_cache import audit as audit_store
from offline_cache import courier as courier_store
from offline_cache import ratings as rating_store
from offline_cache import survey as survey_store
from offline_cache import sync_state, tracking_outbox
from offline_cache.db import Database
from window_app.domain.audit_head import head_from_json
from window_app.domain.errors import WindowAppError
from window_app.domain.ratings import case_to_json, rating_to_json
from window_app.domain.words import Words
from window_app.ratings.sending import cursor_key
from window_app.surveys import sending as survey_sending
from window_app.sync.endpoints import endpoints_of
from window_app.sync.tracking import TrackingSender
from window_app.trust import courier_file
from window_app.trust.keys import SigningKey

if TYPE_CHECKING:
    from window_app.config import Settings

MAX_TRACKING = 2000
MAX_RATINGS = 2000
MAX_SURVEYS = 200  # as POST /v1/surveys takes at most
SUFFIX = ".courier"


class CourierRefused(WindowAppError):
    """A courier file was not written or not applied; the words say why. Nothing changed."""


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_courier` wrote."""

    path: Path
    file_id: str
    sequence: int
    envelopes: int
    tracking: int
    ratings: int
    audit_head: bool


def target_path(path: Path, window_id: str, sequence: int, now: dt.datetime, zone: dt.tzinfo) -> Path:
    """``path`` itself, or inside a directory ``<window>-<date>-<number>.courier`` (the date the
    clerk sees: the window's own)."""
    if path.is_dir():
        return path / f"{window_id}-{now.astimezone(zone):%Y%m%d}-{sequence:05d}{SUFFIX}"
    return path


def export_courier(
    db: Database, settings: Settings, path: Path, *, key: SigningKey, now: dt.datetime, window_id: str
) -> ExportResult:
    """Write the courier file to ``path`` (a new file, or a directory to put it in).

    Args:
        settings: The window's settings (its endpoints: what the shared exchange receives).
        key: The window's signing key (signs the manifest, the audit head, the tracking records).
        window_id: This window's id (upper case).

    Raises:
        CourierRefused: ``path`` exists already, or cannot be written; nothing was marked.
    """
    endpoints = endpoints_of(settings)
    shared = endpoints[0]
    own = tuple(code for endpoint in endpoints for code in endpoint.departments)
    at = audit_store.utc_at(now)
    # The tracking records' digests (scrypt, tens of ms each) before the write transaction.
    tracking = TrackingSender()
    pending = tracking_outbox.due(db, now.isoformat(), MAX_TRACKING, ignore_schedule=True)
    tracking.make_digests(pending)
    written: Path | None = None
    try:
        with sync_state.write_transaction(db):
            if audit_store.unsigned_tail(db):  # as a round's end: the head covers every event so far
                audit_store.sign_head(db, key, window_id, at, cause="courier")
            head = audit_store.latest_head(db)
            wire_head = head.to_json() if head is not None and not isinstance(head_from_json(head.to_json()), Words) else None
            rows = courier_store.waiting_envelopes(db, exclude=own)
            ratings, cases = rating_store.unsent(db, MAX_RATINGS)
            sequence = courier_store.next_sequence(db)
            file_id = secrets.token_hex(16)
            entries: list[dict[str, object]] = [{"type": "envelope", "envelope": row.to_json()} for row in rows]
            if wire_head is not None:
                entries.append({"type": "audit_head", "head": wire_head})
            entries += [{"type": "tracking", "record": record} for record in tracking.wire(key, pending)]
            appointments = survey_store.unsent(db, MAX_SURVEYS)
            if appointments:  # 联合踏勘: the appointments not yet taken, signed as a round sends them
                entries.append({"type": "surveys", "surveys": survey_sending.wire_appointments(appointments, window_id, key)})
            if ratings or cases:
                entries.append(
                    {"type": "ratings", "ratings": [rating_to_json(r) for r in ratings], "cases": [case_to_json(c) for c in cases]}
                )
            fields = {
                "purpose": courier_file.OUTBOUND,
                "window_id": window_id,
                "file_id": file_id,
                "sequence": sequence,
                "created_at": at,
                "events_since": sync_state.endpoint_state(db, shared.key).cursor,
                "ratings_since": int(sync_state.read_value(db, cursor_key(shared.key)) or 0),
                "surveys_since": int(sync_state.read_value(db, survey_sending.cursor_key(shared.key)) or 0),
            }
            data = courier_file.encode(fields, entries, key)
            target = target_path(Path(path).expanduser(), window_id, sequence, now, settings.zone)
            if target.exists():
                raise CourierRefused(
                    Words("{p} 已存在：请另选文件名或目录（不覆盖）", "{p} exists already: choose another name or a directory (nothing is overwritten)").format(p=target)
                )
            courier_store.record_export(db, file_id, sequence, at, [row.envelope_id for row in rows], hashlib.sha256(data).hexdigest())
            try:
                courier_file.write_whole(target, data)
                written = target
            except OSError as exc:
                raise CourierRefused(
                    Words("无法写入 {p}：{e}（U盘是否已插好、未写保护？）", "Cannot write {p}: {e} (is the stick in, and not write-protected?)").format(
                        p=target, e=exc.strerror or exc
                    )
                ) from exc
    except BaseException:
        if written is not None:  # the commit failed: no file without its record
            remove_quietly(written)
        raise
    return ExportResult(
        path=target,
        file_id=file_id,
        sequence=sequence,
        envelopes=len(rows),
        tracking=len(pending),
        ratings=len(ratings) + len(cases),
        audit_head=wire_head is not None,
    )


def remove_quietly(path: Path) -> None:
    """Remove a file written for a transaction that did not commit."""
    with contextlib.suppress(OSError):
        path.unlink()
