"""Accepted applications, their department parts, and the accept transaction."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from offline_cache.audit import append_event, events_for, sign_head, utc_at
from offline_cache.db import Database, durable_transaction, storage_errors
from offline_cache.notifications import queue_acceptance
from offline_cache.outbox import utc_stamp
from offline_cache.stored_words import words_from_column
from offline_cache.tracking_outbox import queue as queue_tracking
from offline_cache.vault import (
    application_indexes,
    insert_name_tokens,
    read_cipher,
    reveal,
    seal,
    with_applicant,
    write_cipher,
)
from window_app.domain.applications import (
    ACCEPT_WORDS,
    ApplicationDetail,
    ApplicationSummary,
    DepartmentPart,
)
from window_app.domain.identifiers import check_resident_id, check_uscc
from window_app.domain.intake import Intake
from window_app.domain.receipt_no import check_receipt_no, normalize_receipt_no
from window_app.domain.wire import Envelope
from window_app.domain.words import Words
from window_app.trust.field_cipher import (
    NAME_PREFIX_LENGTH,
    FieldCipher,
    name_matches,
    normalise_id_number,
    normalise_name,
    normalise_phone,
)
from window_app.trust.keys import SigningKey
from window_app.trust.recipient_key import recipient_cipher

_READ_WORDS = Words("读取办件", "Reading applications")

_SUMMARY_COLUMNS = (
    "receipt_no, offering_id, offering_name, offering_name_en, offering_kind, "
    "applicant_name, applicant_number, state, accepted_at"
)
_TABLE = "applications"
_PHONE_DIGITS = 7  # a query with fewer digits is no phone number (a receipt's sequence, a year)


class SequenceTaken(Exception):
    """The receipt sequence number was taken by another writer since it was read; take the next."""


_last_sequences: weakref.WeakKeyDictionary[Database, dict[tuple[str, str], int]] = weakref.WeakKeyDictionary()
"""Per connection, (day, window) → the last receipt sequence it committed: the next proposal
needs no read while this connection is the one accepting (another writer shows as
:class:`SequenceTaken` in the transaction, and the number is read again)."""


def next_receipt_sequence(db: Database, day: dt.date, window_id: str) -> int:
    """The sequence number the next application of this window on this day would get.

    Only a proposal: :func:`insert_accepted` claims it inside its transaction and raises
    :class:`SequenceTaken` if someone else did first.
    """
    known = _last_sequences.get(db, {}).get((day.isoformat(), window_id))
    if known is not None:
        return known + 1
    with storage_errors(ACCEPT_WORDS):
        row = db.execute(
            "SELECT last FROM receipt_sequence WHERE day = ? AND window_id = ?", [day.isoformat(), window_id]
        ).fetchone()
    return (row[0] if row else 0) + 1


def insert_accepted(
    db: Database,
    detail: ApplicationDetail,
    envelopes: Sequence[Envelope],
    *,
    sequence: int,
    audit_data: dict[str, Any],
    head_key: SigningKey,
    draft_id: str = "",
    also: Callable[[Database], None] | None = None,
    tracking: dict[str, Any] | None = None,
    intake_json: dict[str, Any] | None = None,
) -> None:
    """Write an accepted application in ONE durable transaction: the receipt sequence bump, the
    application row, its parts, the outbox envelopes, the ``accepted`` audit event, the chain's
    head signed after it, and the deletion of the draft it came from. Either all of it is on
    disk, or none of it.

    The transaction runs only what it writes, plus two reads it must make under the write lock
    (the data key's mark, the chain's last hash): the sequence is claimed by a conditional
    update (it fails when another writer took the number), the blind indexes go in with the row,
    parts and envelopes are one prepared statement each.

    Args:
        detail: The application as accepted (``audit`` is ignored: the event is appended here).
        envelopes: One per part; the part with the same ``envelope_id`` gives its outbox state.
        sequence: The receipt sequence number ``detail`` was numbered with.
        audit_data: The ``accepted`` event's data.
        head_key: The window's signing key: the head after the ``accepted`` event is signed
            with it (:func:`offline_cache.audit.sign_head`).
        draft_id: The draft to delete, if the intake came from one.
        also: Further writes of the same acceptance, run in this transaction after the
            ``accepted`` event and before the head is signed (decisions made at the window,
            handover lists: :mod:`window_app.handling`).
        tracking: The application's tracking record for the exchange's public page
            (:mod:`offline_cache.tracking_outbox`), queued with it.
        intake_json: ``detail.intake.to_json()`` when the caller has it already.

    Raises:
        SequenceTaken: Another writer used ``sequence`` first; nothing was written.
        StorageError: Nothing was written; the message says why in words.
    """
    summary = detail.summary
    day = dt.datetime.fromisoformat(summary.accepted_at).date().isoformat()
    state_of = {part.envelope_id: part.state for part in summary.parts}
    receipt_no = summary.receipt_no
    agent = detail.intake.applicant.agent
    phone = _phone(detail.intake)
    personal = {
        "applicant_name": summary.applicant_name,
        "applicant_number": summary.applicant_number,
        "phone": phone,
        "agent_name": agent.name if agent else "",
        "intake": _dumps(detail.intake.to_json() if intake_json is None else intake_json),
        "guide": _dumps(detail.guide),
    }
    verify_online = sorted(m for m, status in detail.intake.materials.items() if status.verify_online)
    accepted_at = summary.accepted_at
    parts = [
        (receipt_no, part.department, part.stage, _dumps(list(part.items)), part.state, part.envelope_id, part.updated_at)
        for part in summary.parts
    ]
    due = utc_stamp(accepted_at)  # due at once (UTC: compared as text)
    outbox = [
        (
            envelope.envelope_id,
            envelope.idempotency_key,
            envelope.receipt_no,
            envelope.department,
            envelope.stage,
            envelope.payload.decode("utf-8"),
            envelope.payload_sha256,
            envelope.signature,
            state_of.get(envelope.envelope_id, "queued"),
            due,
            accepted_at,
            envelope.kind,
        )
        for envelope in envelopes
    ]
    head_at = utc_at(dt.datetime.fromisoformat(accepted_at))
    with storage_errors(ACCEPT_WORDS), durable_transaction(db):
        cipher = write_cipher(db, ACCEPT_WORDS)  # sealed under the signed-in clerk's data key
        stored = {column: seal(cipher, value, _TABLE, column, receipt_no) for column, value in personal.items()}
        number_index, phone_index = (
            application_indexes(cipher, summary.applicant_number, phone) if cipher is not None else (None, None)
        )
        _claim_sequence(db, day, detail.window_id, sequence, receipt_no)
        db.execute(
            """
            INSERT INTO applications (
                receipt_no, offering_id, offering_kind, offering_name, offering_name_en,
                applicant_kind, applicant_name, applicant_number, phone, agent_name,
                state, catalog_version, lead_department, intake, guide, window_id, centre, clerk,
                accepted_at, updated_at, promised_days, promised_by, verify_online, clerk_id,
                number_index, phone_index, tracking_code
            ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                receipt_no,
                summary.offering_id,
                summary.offering_kind,
                summary.offering_name.zh,  # the Words in two columns: the English one is searched too
                summary.offering_name.en,
                detail.intake.applicant.kind,
                stored["applicant_name"],
                stored["applicant_number"],
                stored["phone"],
                stored["agent_name"],
                summary.state,
                detail.catalog_version,
                detail.lead_department,
                stored["intake"],
                stored["guide"],
                detail.window_id,
                detail.centre,
                detail.clerk,
                accepted_at,
                detail.updated_at or accepted_at,
                detail.promised_days,
                detail.promised_by,
                _dumps(verify_online),
                detail.clerk_id,
                number_index,
                phone_index,
                detail.tracking_code,
            ],
        )
        if cipher is not None:
            insert_name_tokens(db, cipher, receipt_no, summary.applicant_name)
        db.conn.executemany(
            "INSERT INTO application_parts (receipt_no, department, stage, items, state, envelope_id, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            parts,
        )
        db.conn.executemany(
            "INSERT INTO outbox (envelope_id, idempotency_key, receipt_no, department, stage, payload, "
            "payload_sha256, signature, state, attempts, next_attempt_at, created_at, kind) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
            outbox,
        )
        event = append_event(db, detail.clerk, "accepted", receipt_no, audit_data, accepted_at)
        queue_acceptance(db, recipient_cipher(head_key), detail, phone)  # the applicant's SMS, with the acceptance
        if tracking is not None:
            queue_tracking(db, receipt_no, tracking, accepted_at)  # the public tracking page's record
        if also is not None:
            also(db)
        # Without further writes the accepted event is the chain's last: signed without a read.
        sign_head(db, head_key, detail.window_id.upper(), head_at, cause="accept", last=None if also else event)
        if draft_id:
            db.execute("DELETE FROM drafts WHERE id = ?", [draft_id])
    _last_sequences.setdefault(db, {})[(day, detail.window_id)] = sequence


def _claim_sequence(db: Database, day: str, window_id: str, sequence: int, receipt_no: str) -> None:
    """Bump the receipt counter from ``sequence - 1`` to ``sequence``, or raise
    :class:`SequenceTaken` (another writer got there first; the proposal is forgotten)."""
    if sequence > 1:
        claimed = db.execute(
            "UPDATE receipt_sequence SET last = ? WHERE day = ? AND window_id = ? AND last = ?",
            [sequence, day, window_id, sequence - 1],
        ).rowcount
    else:
        claimed = db.execute(
            "INSERT INTO receipt_sequence (day, window_id, last) VALUES (?, ?, ?) ON CONFLICT (day, window_id) DO NOTHING",
            [day, window_id, sequence],
        ).rowcount
    if claimed != 1:
        _last_sequences.get(db, {}).pop((day, window_id), None)
        raise SequenceTaken(receipt_no)


def list_applications(
    db: Database,
    query: str = "",
    limit: int = 500,
    *,
    clerk_id: str | None = None,
    offset: int = 0,
    accepted_between: tuple[dt.datetime, dt.datetime] | None = None,
    first: Sequence[str] = (),
    only: Sequence[str] | None = None,
) -> list[ApplicationSummary]:
    """One page of the applications: ``first`` in their order, then the rest newest first.

    Filtering and paging are SQL through an index (``applications_accepted_at``, or
    ``applications_clerk_accepted`` for one clerk's): a page of a list of 100,000 reads the
    page, not the list.

    Args:
        clerk_id: Only those this clerk accepted (``None``: everyone's).
        query: Text found anywhere in the receipt number or the offering name (Chinese or
            English; case-insensitive for Latin letters), or the applicant's exact ID number
            (resident ID / USCC) or phone, or the start of the applicant's name or of the name
            after its first character (the given name: ``建国`` finds 王建国). Once the
            window's personal data is sealed, the ID number, phone and name are found through
            their blind indexes (:mod:`offline_cache.vault`), never by decrypting every row.
            Empty: all.
        limit: At most this many.
        offset: How many of the whole list (``first`` included) come before the page.
        accepted_between: Only those accepted at or after the first moment and before the
            second (aware datetimes: a day of the window's calendar); ``None``: any time.
            ``first`` is listed whatever its date.
        first: Receipt numbers listed before the rest, in this order (what needs the clerk),
            those that match ``query`` and ``clerk_id``.
        only: Only these receipt numbers, in this order (the clocks' warnings); ``first`` and
            ``accepted_between`` are then not used.

    Raises:
        DataLocked: The window's personal data is sealed and no clerk is signed in.
    """
    text = _query_text(query)
    if only is not None:
        first, accepted_between = only, None
    with storage_errors(_READ_WORDS):
        cipher = read_cipher(db, _READ_WORDS)
        rows: list[Any] = []
        if first:
            order = {receipt_no: index for index, receipt_no in enumerate(first)}
            ahead = sorted(_matching(db, cipher, text, _Scope(clerk_id, among=first)), key=lambda row: order[row[0]])
            rows = ahead[offset : offset + limit]
            offset = max(0, offset - len(ahead))
        if len(rows) < limit and only is None:
            rest = _Scope(clerk_id, accepted_between, excluding=first)
            rows += _matching(db, cipher, text, rest, offset, limit - len(rows))
        parts = _parts_of(db, [row[0] for row in rows])
        return [_summary(_revealed(cipher, row), parts.get(row[0], ())) for row in rows]


def count_applications(
    db: Database,
    query: str = "",
    *,
    clerk_id: str | None = None,
    accepted_between: tuple[dt.datetime, dt.datetime] | None = None,
    first: Sequence[str] = (),
    only: Sequence[str] | None = None,
) -> int:
    """How many applications :func:`list_applications` lists with the same arguments, all pages.

    Raises:
        DataLocked: The window's personal data is sealed and no clerk is signed in.
    """
    text = _query_text(query)
    with storage_errors(_READ_WORDS):
        cipher = read_cipher(db, _READ_WORDS)
        if only is not None:
            return _count(db, cipher, text, _Scope(clerk_id, among=only)) if only else 0
        ahead = _count(db, cipher, text, _Scope(clerk_id, among=first)) if first else 0
        return ahead + _count(db, cipher, text, _Scope(clerk_id, accepted_between, excluding=first))


def _query_text(query: str) -> str:
    text = unicodedata.normalize("NFKC", query).strip()  # full-width IME input matches too
    if check_receipt_no(text):
        text = normalize_receipt_no(text)  # read off a slip: O for 0 and the like
    return text


class _Scope:
    """Which applications a list or count looks at (besides the search text): whose, when
    accepted, among which receipt numbers or without which; as SQL and its parameters."""

    def __init__(
        self,
        clerk_id: str | None,
        accepted_between: tuple[dt.datetime, dt.datetime] | None = None,
        *,
        among: Sequence[str] | None = None,
        excluding: Sequence[str] = (),
    ) -> None:
        # One clerk's: an equality, so that applications_clerk_accepted serves it.
        clauses = ["clerk_id = :clerk" if clerk_id is not None else "1"]
        self.params: dict[str, Any] = {"clerk": clerk_id}
        if accepted_between is not None:
            start, end = accepted_between
            # The stored text carries the offset it was written with: the index narrows to the
            # days around (text order, a day either side for any offset), datetime() decides
            # in UTC, exactly as the moment is (a naive text is UTC, as in_zone reads it).
            clauses.append(
                "accepted_at >= :text_from AND accepted_at < :text_before"
                " AND datetime(accepted_at) >= :utc_from AND datetime(accepted_at) < :utc_before"
            )
            self.params |= {
                "text_from": (start.date() - dt.timedelta(days=2)).isoformat(),
                "text_before": (end.date() + dt.timedelta(days=2)).isoformat(),
                "utc_from": _utc_text(start),
                "utc_before": _utc_text(end),
            }
        if among is not None:
            clauses.append("receipt_no IN (SELECT value FROM json_each(:among))")
            self.params["among"] = json.dumps(list(among))
        if excluding:
            clauses.append("receipt_no NOT IN (SELECT value FROM json_each(:excluding))")
            self.params["excluding"] = json.dumps(list(excluding))
        self.sql = " AND ".join(clauses)


def _utc_text(moment: dt.datetime) -> str:
    """A moment as SQLite's datetime() writes it (UTC, ``YYYY-MM-DD HH:MM:SS``)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


_NEWEST_FIRST = " ORDER BY accepted_at DESC, receipt_no DESC"


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _search(cipher: FieldCipher | None, text: str) -> tuple[str, dict[str, Any], bool]:
    """The search text as SQL: (condition, parameters, whether each row found must still be
    checked against the applicant's whole name in Python)."""
    if not text:
        return "1", {}, False
    if cipher is None:
        # An installation without a data key yet: plain text, matched anywhere.
        return (
            "(receipt_no LIKE :like ESCAPE '\\' OR applicant_name LIKE :like ESCAPE '\\'"
            " OR applicant_number LIKE :like ESCAPE '\\' OR offering_name LIKE :like ESCAPE '\\'"
            " OR offering_name_en LIKE :like ESCAPE '\\')",
            {"like": _like(text)},
            False,
        )
    number = normalise_id_number(text)
    if check_resident_id(number) is None or check_uscc(number) is None:
        # A whole, valid ID number is no receipt-number fragment and no offering name: the
        # blind index alone answers, without walking the list.
        return "number_index = :number", {"number": cipher.id_number_index(number)}, False
    # Exact matches, or the name's first NAME_PREFIX_LENGTH characters (checked against the
    # whole query in Python when it is longer).
    params = {
        "like": _like(text),
        "number": cipher.id_number_index(text),
        "phone": cipher.phone_index(text) if len(normalise_phone(text)) >= _PHONE_DIGITS else None,
        "token": cipher.name_prefix_token(text),
    }
    condition = (
        "(receipt_no LIKE :like ESCAPE '\\' OR offering_name LIKE :like ESCAPE '\\'"
        " OR offering_name_en LIKE :like ESCAPE '\\' OR number_index = :number OR phone_index = :phone"
        " OR receipt_no IN (SELECT receipt_no FROM application_name_index WHERE token = :token))"
    )
    return condition, params, len(normalise_name(text)) > NAME_PREFIX_LENGTH


_DIRECT = (
    "coalesce(receipt_no LIKE :like ESCAPE '\\' OR offering_name LIKE :like ESCAPE '\\'"
    " OR offering_name_en LIKE :like ESCAPE '\\' OR number_index = :number OR phone_index = :phone, 0)"
)
"""Whether a row found by a sealed search matched by something exact (else by its name's prefix)."""


def _matching(
    db: Database, cipher: FieldCipher | None, text: str, scope: _Scope, offset: int = 0, limit: int | None = None
) -> list[Any]:
    """The summary rows of one page (``limit`` ``None``: all), newest first."""
    condition, params, check = _search(cipher, text)
    where = f" FROM applications WHERE {scope.sql} AND {condition}"
    params |= scope.params
    if not check:
        sql = f"SELECT {_SUMMARY_COLUMNS}{where}{_NEWEST_FIRST} LIMIT :limit OFFSET :offset"
        return db.execute(sql, {**params, "limit": -1 if limit is None else limit, "offset": offset}).fetchall()
    found = []
    for row in _checked(db, cipher, text, f"SELECT {_SUMMARY_COLUMNS}, {_DIRECT}{where}{_NEWEST_FIRST}", params):
        if offset:
            offset -= 1
            continue
        found.append(row)
        if limit is not None and len(found) >= limit:
            break  # stops reading
    return found


def _count(db: Database, cipher: FieldCipher | None, text: str, scope: _Scope) -> int:
    condition, params, check = _search(cipher, text)
    where = f" FROM applications WHERE {scope.sql} AND {condition}"
    params |= scope.params
    if not check:
        return db.execute(f"SELECT count(*){where}", params).fetchone()[0]
    sql = f"SELECT {_SUMMARY_COLUMNS}, {_DIRECT}{where}"
    return sum(1 for _row in _checked(db, cipher, text, sql, params))


def _checked(db: Database, cipher: FieldCipher | None, text: str, sql: str, params: dict[str, Any]) -> Iterator[Any]:
    """The rows of a sealed search whose match is exact, or whose applicant's whole name matches."""
    for row in db.execute(sql, params):
        if row[-1] or name_matches(reveal(cipher, row[5], _TABLE, "applicant_name", row[0], _READ_WORDS), text):
            yield row


def _revealed(cipher: FieldCipher | None, row: Sequence[Any]) -> tuple[Any, ...]:
    """A summary row with its applicant's name and number opened."""
    receipt_no = row[0]
    name = reveal(cipher, row[5], _TABLE, "applicant_name", receipt_no, _READ_WORDS)
    number = reveal(cipher, row[6], _TABLE, "applicant_number", receipt_no, _READ_WORDS)
    return (*row[:5], name, number, *row[7:9])


def accepted_by(db: Database, receipt_no: str) -> str | None:
    """The 工号 of the clerk who accepted an application (``""`` before accounts), ``None`` if
    there is no such application."""
    with storage_errors(_READ_WORDS):
        row = db.execute("SELECT clerk_id FROM applications WHERE receipt_no = ?", [receipt_no]).fetchone()
    return row[0] if row else None


def get_application(db: Database, receipt_no: str) -> ApplicationDetail:
    """One application with its parts and audit trail.

    Raises:
        KeyError: No application has this receipt number.
        DataLocked: Its personal data is sealed and no clerk is signed in.
    """
    with storage_errors(_READ_WORDS):
        cipher = read_cipher(db, _READ_WORDS)
        row = db.execute(
            f"SELECT {_SUMMARY_COLUMNS}, intake, guide, clerk, window_id, catalog_version, lead_department, "
            "centre, promised_days, promised_by, updated_at, concluded_at, conclusion, clerk_id, tracking_code "
            "FROM applications WHERE receipt_no = ?",
            [receipt_no],
        ).fetchone()
        if row is None:
            raise KeyError(receipt_no)
        parts = _parts_of(db, [receipt_no]).get(receipt_no, ())
        audit = events_for(db, receipt_no)
    summary_row = _revealed(cipher, row[:9])
    (
        intake,
        guide,
        clerk,
        window_id,
        catalog_version,
        lead_department,
        centre,
        promised_days,
        promised_by,
        updated_at,
        concluded_at,
        conclusion,
        clerk_id,
        tracking_code,
    ) = row[9:]
    intake = reveal(cipher, intake, _TABLE, "intake", receipt_no, _READ_WORDS)
    guide = reveal(cipher, guide, _TABLE, "guide", receipt_no, _READ_WORDS)
    return ApplicationDetail(
        summary=_summary(summary_row, parts),
        intake=Intake.from_json(json.loads(intake)),
        guide=json.loads(guide),
        audit=audit,
        clerk=clerk,
        window_id=window_id,
        catalog_version=catalog_version,
        lead_department=lead_department,
        centre=centre,
        promised_days=promised_days,
        promised_by=promised_by,
        updated_at=updated_at,
        concluded_at=concluded_at,
        conclusion=with_applicant(conclusion, summary_row[5]),
        clerk_id=clerk_id,
        tracking_code=tracking_code,
    )


def _parts_of(db: Database, receipt_nos: list[str]) -> dict[str, tuple[DepartmentPart, ...]]:
    """Each application's parts with their times, their envelope's delivery state and the
    latest supplement recorded for them (one query per 500 applications, through the indexes
    on ``application_parts.receipt_no``, ``outbox.envelope_id`` and ``outbox.receipt_no``)."""
    found: dict[str, list[DepartmentPart]] = {}
    for start in range(0, len(receipt_nos), 500):  # stay far below SQLite's variable limit
        chunk = receipt_nos[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        cursor = db.execute(
            "SELECT p.receipt_no, p.department, p.stage, p.items, p.state, p.updated_at, p.envelope_id, "
            "p.sent_at, p.received_at, p.decided_at, p.reason, "
            "coalesce(o.state, ''), coalesce(o.last_error, ''), coalesce(o.attempts, 0), "
            "coalesce((SELECT s.state FROM outbox s WHERE s.receipt_no = p.receipt_no AND s.kind = 'supplement' "
            "AND s.original_envelope_id = p.envelope_id ORDER BY s.created_at DESC, s.rowid DESC LIMIT 1), '') "
            "FROM application_parts p LEFT JOIN outbox o ON o.envelope_id = p.envelope_id "
            f"WHERE p.receipt_no IN ({marks}) ORDER BY p.receipt_no, p.stage, p.department",
            chunk,
        )
        for (
            receipt_no, department, stage, items, state, updated_at, envelope_id,
            sent_at, received_at, decided_at, reason, envelope_state, envelope_error, attempts, supplement,
        ) in cursor:
            found.setdefault(receipt_no, []).append(
                DepartmentPart(
                    department=department,
                    stage=stage,
                    items=tuple(json.loads(items)),
                    state=state,
                    updated_at=updated_at,
                    envelope_id=envelope_id,
                    sent_at=sent_at,
                    received_at=received_at,
                    decided_at=decided_at,
                    reason=words_from_column(reason),
                    envelope_state=envelope_state,
                    envelope_error=words_from_column(envelope_error),
                    attempts=attempts,
                    supplement=supplement,
                )
            )
    return {receipt_no: tuple(parts) for receipt_no, parts in found.items()}


def _summary(row: Sequence[Any], parts: tuple[DepartmentPart, ...]) -> ApplicationSummary:
    receipt_no, offering_id, offering_name, offering_name_en, offering_kind, name, number, state, accepted_at = row
    return ApplicationSummary(
        receipt_no=receipt_no,
        offering_id=offering_id,
        offering_name=Words(offering_name, offering_name_en),
        offering_kind=offering_kind,
        applicant_name=name,
        applicant_number=number,
        state=state,
        accepted_at=accepted_at,
        parts=parts,
    )


def _phone(intake: Intake) -> str:
    applicant = intake.applicant
    return applicant.person.phone or (
        applicant.enterprise.legal_representative.phone if applicant.kind == "enterprise" else ""
    )


_ENCODER = json.JSONEncoder(ensure_ascii=False)  # made once: json.dumps makes one per call


def _dumps(value: Any) -> str:
    # Key order kept: the intake's materials and fields are in checklist / form order.
    return _ENCODER.encode(value)
