"""``window-app exchange courier import PATH [--answer OUT]``: a window's USB courier file at the
exchange, and the signed answer that goes back on the stick (docs/courier.md).

What is checked before anything is stored:

1. the file's shape and every entry's SHA-256 against the manifest (a damaged or cut-off file);
2. the manifest's signature against the window's **registered** key
   (``window-app exchange keys register``): a file from no registered key is refused, a
   revoked key too;
3. the window's sequence number against the last file imported from it: a number already
   seen with **another** file (or a lower one) is a replay or a reordering and is refused;
   the **same** file again (same id, same bytes) is "carried twice": nothing is stored again,
   and its answer is written anew (the acknowledgements given the first time, the events as
   they stand now). A refused older file loses nothing: every file carries all that still
   waits, so the newer one already held it.

Then it goes in through the same store functions the HTTP handlers call, each idempotent:
:meth:`ExchangeStore.ingest` (``POST /v1/envelopes``, in batches of the same size),
:meth:`ExchangeStore.record_audit_head` (``POST /v1/audit/head``),
:func:`~window_app.exchange.tracking_store.store_records` (``POST /v1/tracking``),
:func:`~window_app.exchange.ratings.store_batch` (``POST /v1/ratings``).

The answer holds the acknowledgements and everything a sync round would pull for the window:
:data:`PULLS` (one line per kind; a new kind of event for windows is one more line), signed with
the exchange's own key (the window checks it against ``[exchange] public_key``).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from window_app.domain.audit_head import head_from_json
from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words, counted
from window_app.exchange import ratings, surveys, tracking_store
from window_app.exchange.store import ExchangeStore
from window_app.trust import courier_file
from window_app.trust.keys import SigningKey

BATCH = 200  # as POST /v1/envelopes takes at most (server.MAX_BATCH)
PAGE = 500


class CourierImportRefused(WindowAppError):
    """The file was refused; the words say why. Nothing was stored.

    Attributes:
        kind: ``damaged`` (or malformed), ``key`` (not signed by the window's registered key),
            ``replayed`` (a number seen with another file, or older than one imported).
    """

    def __init__(self, words: Words, kind: str = "damaged"):
        super().__init__(words)
        self.kind = kind


def _events(store: ExchangeStore, window_id: str, manifest: dict[str, Any]) -> dict[str, Any]:
    """``GET /v1/events``: decisions, supplement requests, results, acknowledgements."""
    since = _cursor(manifest, "events_since")
    collected: list[dict[str, Any]] = []
    cursor, more = since, True
    while more:
        events, cursor, more = store.events(window_id, cursor, PAGE)
        collected += events
    return {"events": collected, "cursor": cursor}


def _all_pages(read: Callable[[int], dict[str, Any]], cursor: int, items: str) -> dict[str, Any]:
    """Every page a cursor-paged read gives after ``cursor``: ``{items: [...], "cursor": last}``."""
    collected: list[dict[str, Any]] = []
    while True:
        page = read(cursor)
        collected += page[items]
        cursor = page["cursor"]
        if not page["more"]:
            return {items: collected, "cursor": cursor}


def _tracking_ratings(store: ExchangeStore, window_id: str, manifest: dict[str, Any]) -> dict[str, Any]:
    """``GET /v1/ratings``: 好差评 given on the tracking page about the window's applications."""
    read = lambda cursor: ratings.tracking_ratings(store, window_id, cursor, PAGE)  # noqa: E731
    return _all_pages(read, _cursor(manifest, "ratings_since"), "ratings")


def _survey_answers(store: ExchangeStore, window_id: str, manifest: dict[str, Any]) -> dict[str, Any]:
    """``GET /v1/surveys``: the departments' answers to the window's survey appointments."""
    read = lambda cursor: surveys.window_answers(store, window_id, cursor, PAGE)  # noqa: E731
    return _all_pages(read, _cursor(manifest, "surveys_since"), "answers")


PULLS: dict[str, Callable[[ExchangeStore, str, dict[str, Any]], dict[str, Any]]] = {
    "events": _events,
    "tracking_ratings": _tracking_ratings,
    "survey_answers": _survey_answers,
}
"""What waits at the exchange for a window, by the answer entry's type: what a sync round pulls."""


def _cursor(manifest: dict[str, Any], name: str) -> int:
    value = manifest.get(name, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did.

    Attributes:
        status: ``imported`` or ``already`` (the same file carried twice: nothing stored).
        window_id, file_id, sequence: The file's.
        created / duplicate / rejected: The envelopes' answers (``already``: as first given).
        events: Events for the window in the answer.
        answer: The signed answer file's bytes.
    """

    status: str
    window_id: str
    file_id: str
    sequence: int
    created: int
    duplicate: int
    rejected: int
    events: int
    answer: bytes

    def words(self) -> Words:
        if self.status == "already":
            return Words(
                "窗口 {w} 的第 {n} 号U盘文件此前已导入，本次未作任何改动；已重新生成回执（信封 {e} 个，待取回事件 {v} 条）。",
                "Courier file {n} of window {w} was imported before: nothing changed this time; its answer was made again "
                "({es}, {vs} for the window).",
            ).format(
                w=self.window_id, n=self.sequence, e=self.created + self.duplicate + self.rejected, v=self.events,
                es=counted(self.created + self.duplicate + self.rejected, "envelope"), vs=counted(self.events, "event"),
            )
        return Words(
            "已导入窗口 {w} 的第 {n} 号U盘文件：新收信封 {c} 个，此前已收 {d} 个，退回 {r} 个；回执含待取回事件 {v} 条。",
            "Imported courier file {n} of window {w}: {cs}, {d} already here, {r} returned; "
            "the answer holds {vs} for the window.",
        ).format(
            w=self.window_id, n=self.sequence, c=self.created, d=self.duplicate, r=self.rejected, v=self.events,
            cs=counted(self.created, "new envelope"), vs=counted(self.events, "event"),
        )


def import_courier(store: ExchangeStore, catalog: Any, data: bytes, key: SigningKey, *, now: dt.datetime | None = None) -> ImportOutcome:
    """Check, ingest and answer one courier file (see the module).

    Raises:
        CourierImportRefused: Damaged, not signed by the window's registered key, replayed or
            reordered; nothing was stored.
    """
    file = courier_file.decode(data, courier_file.OUTBOUND)
    if isinstance(file, Words):
        raise CourierImportRefused(Words("U盘文件被拒收：{why}", "The courier file was refused: {why}").format(why=file))
    manifest = file.manifest
    window_id = str(manifest.get("window_id") or "").upper()
    file_id = str(manifest.get("file_id") or "")
    sequence = manifest.get("sequence")
    if not window_id or not file_id or not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
        raise _refused(Words("清单缺少窗口、文件编号或序号", "the manifest lacks the window, the file id or the sequence number"))
    _check_signature(store, file, window_id)
    earlier = _imported(store, window_id, sequence)
    if earlier is not None:
        if earlier["file_id"] == file_id and earlier["sha256"] == file.sha256:
            acks = json.loads(earlier["acks"])
            return _answered(store, file, key, window_id, acks, "already", now)
        raise _refused(_replay_words(window_id, sequence, earlier), "replayed")
    last = _last_sequence(store, window_id)
    if last is not None and sequence < last:
        raise _refused(
            Words(
                "窗口 {w} 的第 {n} 号文件早于已导入的第 {m} 号（顺序颠倒或重放）：较新的文件已带来它所带的一切，本文件不再导入",
                "File {n} of window {w} is older than file {m}, imported already (out of order, or replayed): the newer "
                "file brought everything this one holds; it is not imported",
            ).format(w=window_id, n=sequence, m=last),
            "replayed",
        )
    acks = _ingest(store, catalog, file, window_id)
    imported_at, _ = store._now()
    with store.backend.transaction() as conn:
        conn.execute(
            "INSERT INTO courier_imports (window_id, sequence, file_id, sha256, imported_at, acks) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (window_id, sequence) DO NOTHING",
            [window_id, sequence, file_id, file.sha256, imported_at, json.dumps(acks, ensure_ascii=False)],
        )
    return _answered(store, file, key, window_id, acks, "imported", now)


def _refused(why: Words, kind: str = "damaged") -> CourierImportRefused:
    return CourierImportRefused(Words("U盘文件被拒收：{why}", "The courier file was refused: {why}").format(why=why), kind)


def _replay_words(window_id: str, sequence: int, earlier: dict[str, Any]) -> Words:
    return Words(
        "窗口 {w} 的第 {n} 号文件已于 {t} 导入过另一份（文件编号不同）：这是重放或伪造的文件",
        "A different file numbered {n} of window {w} was imported at {t} (another file id): this one is replayed or forged",
    ).format(w=window_id, n=sequence, t=earlier["imported_at"])


def _check_signature(store: ExchangeStore, file: courier_file.CourierFile, window_id: str) -> None:
    signature = courier_file.signature_of(file)
    if isinstance(signature, Words):
        raise _refused(signature, "key")
    public = store.window_key(window_id, signature.key_id)
    if public is None:
        raise _refused(
            Words(
                "签名密钥 {k} 不是窗口 {w} 登记的有效密钥（请先用 window-app exchange keys register 登记该窗口）",
                "key {k} is not an active key registered for window {w} (register the window first: "
                "window-app exchange keys register)",
            ).format(k=signature.key_id, w=window_id),
            "key",
        )
    problem = courier_file.verify_manifest(file, public)
    if problem:
        raise _refused(Words("清单签名不成立：{why}", "the manifest's signature does not hold: {why}").format(why=problem), "key")


def _imported(store: ExchangeStore, window_id: str, sequence: int) -> dict[str, Any] | None:
    with store.backend.reading() as conn:
        row = conn.execute(
            "SELECT file_id, sha256, imported_at, acks FROM courier_imports WHERE window_id = ? AND sequence = ?",
            [window_id, sequence],
        ).fetchone()
    return dict(zip(("file_id", "sha256", "imported_at", "acks"), row)) if row else None


def _last_sequence(store: ExchangeStore, window_id: str) -> int | None:
    with store.backend.reading() as conn:
        row = conn.execute("SELECT max(sequence) FROM courier_imports WHERE window_id = ?", [window_id]).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def _ingest(store: ExchangeStore, catalog: Any, file: courier_file.CourierFile, window_id: str) -> dict[str, Any]:
    """Everything the file carries, through the HTTP handlers' store functions; the answers."""
    envelopes = [entry.get("envelope") for entry in file.of_type("envelope")]
    results: list[dict[str, Any]] = []
    for start in range(0, len(envelopes), BATCH):
        results += store.ingest(window_id, envelopes[start : start + BATCH], catalog)
    acks: dict[str, Any] = {"results": results}
    heads = file.of_type("audit_head")
    if heads:
        head = head_from_json(heads[-1].get("head"))
        if isinstance(head, Words) or head.window_id.upper() != window_id:
            why = head if isinstance(head, Words) else Words("审计链头属于另一窗口", "the audit head is another window's")
            acks["audit_head"] = {"status": "refused", "verified": False, "head": None, "reason": why.in_language("en"), "reason_zh": why.zh}
        else:
            acks["audit_head"] = store.record_audit_head(window_id, head).to_json()
    records = [entry.get("record") for entry in file.of_type("tracking")]
    if records:
        acks["tracking"] = tracking_store.store_records(store, window_id, records)
    appointments = [entry for batch in file.of_type("surveys") for entry in batch.get("surveys") or []]
    if appointments:  # as POST /v1/surveys, in its batches
        acks["surveys"] = []
        for start in range(0, len(appointments), surveys.MAX_SURVEYS_PER_REQUEST):
            chunk = appointments[start : start + surveys.MAX_SURVEYS_PER_REQUEST]
            acks["surveys"] += surveys.store_appointments(store, window_id, {"surveys": chunk})["surveys"]
    batches = file.of_type("ratings")
    if batches:
        body = {"ratings": batches[-1].get("ratings", []), "cases": batches[-1].get("cases", [])}
        try:
            acks["ratings"] = ratings.store_batch(store, window_id, body)
        except WindowAppError as error:
            acks["ratings"] = {"ratings": [], "cases": [], "error": error.words.to_json()}
    return acks


def _answered(
    store: ExchangeStore, file: courier_file.CourierFile, key: SigningKey, window_id: str, acks: dict[str, Any],
    status: str, now: dt.datetime | None,
) -> ImportOutcome:
    moment = (now or store.clock()).astimezone(dt.UTC)
    entries: list[dict[str, Any]] = [{"type": "acks", **acks}]
    pulled = {kind: pull(store, window_id, file.manifest) for kind, pull in PULLS.items()}
    entries += [{"type": kind, **content} for kind, content in pulled.items()]
    fields = {
        "purpose": courier_file.ANSWER,
        "window_id": window_id,
        "answer_id": secrets.token_hex(16),
        "in_reply_to": file.manifest["file_id"],
        "sequence": file.manifest["sequence"],
        "created_at": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "status": status,
    }
    answer = courier_file.encode(fields, entries, key)
    statuses = [result.get("status") for result in acks.get("results", []) if isinstance(result, dict)]
    return ImportOutcome(
        status=status,
        window_id=window_id,
        file_id=str(file.manifest["file_id"]),
        sequence=int(file.manifest["sequence"]),
        created=statuses.count("created"),
        duplicate=statuses.count("duplicate"),
        rejected=statuses.count("rejected"),
        events=len(pulled["events"]["events"]),
        answer=answer,
    )
