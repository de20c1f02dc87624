"""``window-app courier import PATH``: the exchange's answer, applied as a sync round would.

Checked first, before anything is written (a refused file changes nothing):

- the shape and every entry's SHA-256 (damaged, cut off);
- the exchange's signature, against the key pinned in ``[exchange] public_key`` (with
  ``[trust] demo`` and none pinned: the demo exchange's key);
- that it answers a file **this** window exported (the window id, and the file id it replies
  to, in ``courier_files``): another window's answer is refused;
- the order: an answer older than the one applied last (a lower file number, or the same
  file's earlier answer) is refused as reordered or replayed; the same answer again is
  "carried twice" and changes nothing.

Then, in one transaction, the sync's own functions do what a round does with the same
answers (:mod:`window_app.sync.decisions`): ``record_results`` for the envelopes' answers
(delivered, duplicate, returned), ``apply_event`` for each event after the window's cursor
(decisions checked against their department's key, supplement requests, acknowledgements,
later stages released into the outbox — they go on the next courier file or over the line —,
conclusions), the tracking records' and ratings' answers (``TrackingSender.record_answers``,
``RatingSender.record_answer`` / ``record_pulled``), the survey appointments taken and the
departments' answers (``window_app.surveys.sending``), the cursors moved, and the audit head
signed over what it added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from offline_cache import audit as audit_store
from offline_cache import courier as courier_store
from offline_cache import ratings as rating_store
from offline_cache import survey as survey_store
from offline_cache import sync_state
from offline_cache.tracking_outbox import PendingRecord
from window_app.courier.export import MAX_RATINGS, MAX_SURVEYS, CourierRefused
from window_app.domain.wire import event_problem, result_from_json
from window_app.domain.words import Words, counted
from window_app.ratings.sending import RatingSender, RatingsReport, cursor_key
from window_app.surveys import sending as survey_sending
from window_app.sync.decisions import Effect, apply_event, record_results
from window_app.sync.endpoints import endpoints_of
from window_app.sync.tracking import TrackingSender
from window_app.trust import courier_file
from window_app.trust.demo import demo_signing_key
from window_app.trust.keys import PublicSigningKey, SigningKey

if TYPE_CHECKING:
    from offline_cache.db import Database
    from window_app.config import Settings
    from window_app.dispatch import WindowSigner

DEMO_EXCHANGE_KEY = "exchange"
"""The demo exchange signs with ``demo_signing_key("exchange")`` (window_app/exchange/ledger.py)."""


@dataclass
class ApplyResult:
    """What applying an answer did (``status``: ``applied``, or ``already``: nothing changed)."""

    status: str
    sequence: int
    delivered: int = 0
    duplicate: int = 0
    returned: int = 0
    effect: Effect = field(default_factory=Effect)
    tracking: int = 0
    ratings: RatingsReport = field(default_factory=RatingsReport)
    surveys: int = 0
    """Survey appointments (联合踏勘) the exchange took."""
    survey_answers: int = 0
    """Departments' answers to them, new here."""
    head_refused: Words | None = None
    """The exchange refused the window's audit head (it holds a later one): for a person to look at."""

    def words(self) -> Words:
        """What happened, in plain words (a decision whose signature did not hold is said too)."""
        words = self._summary()
        if self.effect.unverified:
            words = words + Words("　", " ") + self.effect.unverified[-1]
        if self.survey_answers:
            words = words + Words("　", " ") + Words("联合踏勘：部门答复 {n} 条。", "Joint site survey: {n} department answers.").format(n=self.survey_answers)
        if self.head_refused is not None:
            words = words + Words("　", " ") + Words(
                "交换平台已保存本窗口更晚的审计链头，拒收当前链头：请运行 window-app audit verify 并报告（{why}）",
                "The exchange holds a later audit head of this window and refused the current one: run "
                "window-app audit verify and report it ({why})",
            ).format(why=self.head_refused)
        return words

    def _summary(self) -> Words:
        if self.status == "already":
            return Words(
                "第 {n} 号U盘文件的回执此前已导入，本次未作任何改动。",
                "The answer to courier file {n} was imported before: nothing changed.",
            ).format(n=self.sequence)
        return Words(
            "已导入第 {n} 号U盘文件的回执：送达 {d} 件（其中此前已送达 {dup} 件），被退回 {q} 件；"
            "部门意见 {e} 条，办结 {c} 件，放行后续环节 {r} 件（随下一次同步或U盘发出）。",
            "Imported the answer to courier file {n}: {d} delivered ({dup} of them already there), {q} returned; "
            "{es}, {c} concluded, {rs} released (they go with the next sync or courier file).",
        ).format(
            n=self.sequence,
            d=self.delivered + self.duplicate,
            dup=self.duplicate,
            q=self.returned,
            e=self.effect.applied,
            es=counted(self.effect.applied, "department event"),
            c=len(self.effect.concluded),
            r=len(self.effect.released),
            rs=counted(len(self.effect.released), "later stage"),
        )


def exchange_key(settings: Settings) -> PublicSigningKey:
    """The exchange's pinned public key (see the module).

    Raises:
        CourierRefused: None is pinned (and no demo), or the pinned text is not a key.
    """
    text = settings.exchange.public_key.strip()
    if not text:
        if settings.trust.demo:
            return demo_signing_key(DEMO_EXCHANGE_KEY).public
        raise CourierRefused(
            Words(
                "未设置交换平台公钥 [exchange] public_key，无法核验回执（向交换平台运维索取：window-app exchange audit public-key）",
                "No exchange key is pinned in [exchange] public_key, so the answer cannot be checked (ask the exchange's "
                "operator for it: window-app exchange audit public-key)",
            )
        )
    key = PublicSigningKey.from_text(text)
    if isinstance(key, Words):
        raise CourierRefused(Words("[exchange] public_key 有误：{why}", "[exchange] public_key is wrong: {why}").format(why=key))
    return key


def apply_answer(
    db: Database,
    settings: Settings,
    data: bytes,
    *,
    window_id: str,
    signer: WindowSigner,
    key: SigningKey,
    clock: Callable[[], dt.datetime],
) -> ApplyResult:
    """Check and apply an answer file's bytes (see the module).

    Raises:
        CourierRefused: Damaged, not the exchange's, another window's, reordered or replayed;
            nothing changed.
    """
    file = _checked(db, settings, data, window_id)
    manifest = file.manifest
    sequence = int(manifest["sequence"])
    record = courier_store.file_record(db, str(manifest["in_reply_to"]))
    assert record is not None  # _checked made sure
    if record.answer_id == manifest["answer_id"]:
        return ApplyResult("already", sequence)
    result = ApplyResult("applied", sequence)
    shared = endpoints_of(settings)[0]
    now = clock()
    stamp = now.isoformat(timespec="milliseconds")
    acks = file.of_type("acks")[0]
    with sync_state.write_transaction(db):
        _apply_results(db, acks.get("results") or [], result, stamp, signer)
        for entry in file.of_type("events"):
            _apply_events(db, shared.key, entry, result, stamp, signer)
        head = acks.get("audit_head")
        if isinstance(head, dict) and head.get("status") == "refused":
            result.head_refused = Words(str(head.get("reason_zh") or head.get("reason") or ""), str(head.get("reason") or ""))
        tracking_answers = acks.get("tracking") or []
        if tracking_answers:
            pending = [PendingRecord(str(answer.get("receipt_no") or ""), {}, "", 0) for answer in tracking_answers]
            result.tracking = TrackingSender().record_answers(db, pending, tracking_answers, now)
        ratings = RatingSender(db, clock=clock, zone=settings.zone, timeout_seconds=settings.exchange.timeout_seconds)
        if isinstance(acks.get("ratings"), dict) and isinstance(acks["ratings"].get("ratings"), list):
            unsent, cases = rating_store.unsent(db, MAX_RATINGS)
            ratings.record_answer(unsent, cases, {"ratings": acks["ratings"]["ratings"], "cases": acks["ratings"].get("cases") or []}, result.ratings)
        _apply_surveys(db, shared.key, acks, file, result, stamp)
        for entry in file.of_type("tracking_ratings"):
            key_name = cursor_key(shared.key)
            cursor = int(sync_state.read_value(db, key_name) or 0)
            ratings.record_pulled(key_name, cursor, {"ratings": entry.get("ratings") or [], "cursor": _int(entry.get("cursor"))}, result.ratings)
        if audit_store.unsigned_tail(db):
            audit_store.sign_head(db, key, window_id, audit_store.utc_at(now), cause="courier")
        courier_store.record_answer(db, record.file_id, str(manifest["answer_id"]), str(manifest["created_at"]))
    return result


def read_answer(path: Any) -> bytes:
    """The answer file's bytes.

    Raises:
        CourierRefused: It cannot be read.
    """
    data = courier_file.read_bytes(path)
    if isinstance(data, Words):
        raise CourierRefused(Words("回执未导入：{why}", "The answer was not imported: {why}").format(why=data))
    return data


def _checked(db: Database, settings: Settings, data: bytes, window_id: str) -> courier_file.CourierFile:
    def refused(why: Words) -> CourierRefused:
        return CourierRefused(Words("回执被拒收，未作任何改动：{why}", "The answer was refused; nothing changed: {why}").format(why=why))

    file = courier_file.decode(data, courier_file.ANSWER)
    if isinstance(file, Words):
        raise refused(file)
    problem = courier_file.verify_manifest(file, exchange_key(settings))
    if problem:
        raise refused(Words("不是交换平台签发的回执（{why}）", "it is not signed by the exchange ({why})").format(why=problem))
    manifest = file.manifest
    if str(manifest.get("window_id") or "").upper() != window_id:
        raise refused(
            Words("这是窗口 {w} 的回执，本窗口是 {me}", "it is window {w}'s answer; this window is {me}").format(
                w=manifest.get("window_id"), me=window_id
            )
        )
    record = courier_store.file_record(db, str(manifest.get("in_reply_to") or ""))
    if record is None or record.sequence != manifest.get("sequence"):
        raise refused(Words("它答复的不是本窗口导出的文件", "it answers no file this window exported"))
    if not isinstance(manifest.get("answer_id"), str) or not isinstance(manifest.get("created_at"), str):
        raise refused(Words("清单缺少回执编号或时间", "the manifest lacks the answer's id or time"))
    if len(file.of_type("acks")) != 1:
        raise refused(Words("回执中没有确认条目", "the answer holds no acknowledgements"))
    last = courier_store.last_answered(db)
    if last is not None and record.answer_id != manifest["answer_id"]:
        if (record.sequence, manifest["created_at"]) < (last.sequence, last.answered_at or ""):
            raise refused(
                Words(
                    "它早于已导入的第 {m} 号文件的回执（顺序颠倒或重放）：较新的回执已带来其中的一切",
                    "it is older than the answer to file {m}, imported already (out of order, or replayed): the newer answer brought all it holds",
                ).format(m=last.sequence)
            )
    for entry in file.of_type("events"):
        events = entry.get("events")
        if not isinstance(events, list) or any(event_problem(event) for event in events):
            raise refused(Words("回执中的事件格式有误", "the answer's events are malformed"))
    return file


def _apply_results(db: Database, results: list[Any], result: ApplyResult, now: str, signer: WindowSigner) -> None:
    """The envelopes' answers, as ``POST /v1/envelopes`` gave them (one per envelope carried)."""
    answers = [answer for answer in results if isinstance(answer, dict)]
    rows_by_key = courier_store.undelivered_by_keys(db, [str(answer.get("idempotency_key") or "") for answer in answers])
    rows, parsed = [], []
    for answer in answers:
        key_text = str(answer.get("idempotency_key") or "")
        row = rows_by_key.get(key_text)
        envelope_result = result_from_json(answer, key_text)
        if row is None or isinstance(envelope_result, Words):
            continue  # delivered before (the line, an earlier answer), not ours, or no answer: nothing to mark
        rows.append(row)
        parsed.append(envelope_result)
    created, duplicate, returned = record_results(db, rows, parsed, now=now, signer=signer)
    result.delivered += created
    result.duplicate += duplicate
    result.returned += returned


def _apply_events(db: Database, endpoint: str, entry: dict[str, Any], result: ApplyResult, now: str, signer: WindowSigner) -> None:
    """The window's events after its cursor, each as a round's pull applies it, and the cursor."""
    cursor = sync_state.endpoint_state(db, endpoint).cursor
    for event in sorted(entry["events"], key=lambda e: e["seq"]):
        if event["seq"] <= cursor:
            continue
        result.effect.add(apply_event(db, endpoint, event, now=now, signer=signer))
        sync_state.set_cursor(db, endpoint, event["seq"])
        cursor = event["seq"]
    final = _int(entry.get("cursor"))
    if final > cursor:
        sync_state.set_cursor(db, endpoint, final)


def _apply_surveys(db: Database, endpoint: str, acks: dict[str, Any], file: courier_file.CourierFile, result: ApplyResult, now: str) -> None:
    """联合踏勘: the appointments the exchange took, and the departments' answers it held."""
    taken = acks.get("surveys")
    if isinstance(taken, list) and taken:
        held = {(a.receipt_no, a.revision): a for a in survey_store.unsent(db, len(taken) + MAX_SURVEYS)}
        appointments, answers = [], []
        for answer in taken:
            if isinstance(answer, dict) and (answer.get("receipt_no"), answer.get("revision")) in held:
                appointments.append(held[answer["receipt_no"], answer["revision"]])
                answers.append(answer)
        result.surveys += survey_sending.record_sent(db, appointments, answers)
    name = survey_sending.cursor_key(endpoint)
    for entry in file.of_type("survey_answers"):
        cursor = int(sync_state.read_value(db, name) or 0)
        result.survey_answers += survey_sending.record_answers(db, name, cursor, entry, now)


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
