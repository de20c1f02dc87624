"""Checking the window's audit trail (``window-app audit verify``): is it as it was written?

Four things are checked, each problem said in words with the first position (``seq``) at which
the trail is no longer what was written:

1. **The chain** (``offline_cache/audit.py``): every event's hash matches its content (an
   *edit*), the positions run 1, 2, 3 … without a gap (a *deletion*), and each event links to the
   one before it (an event linking to a later one: a *reordering*).
2. **The signed heads** (``audit_heads``): each head's signature holds with this window's key,
   and the chain still has the signed hash at the signed position. A head past the chain's end is
   a *truncation of the tail*; a head whose position now holds another hash is a *re-chained
   history* (edited, then every hash after it computed again).
3. **The rows that need their events**: every application has its ``accepted`` event and every
   ``accepted`` event its application; every part and outbox envelope is recorded in the chain
   (at acceptance, at a stage's release, or as a supplement), with the payload digest the outbox
   holds and the payload still hashing to it; the receipt numbers of each day run 1 … the day's
   counter without a gap. A missing one is an *erased application*.
4. **The exchange's head** (online): the exchange keeps the latest head this window sent; the
   chain here must still hold it. This catches what the first three cannot: a history re-chained
   *and re-signed* with the window's key (a stolen key, or a replaced one), an application erased
   with every trace of it, a tail cut off together with its heads.

Exit codes (the CLI): 0 intact; 1 tampering found; 2 cannot check (the key is missing or
unreadable, the exchange refused the token or does not keep heads); 3 intact here but the
exchange could not be reached (checked locally only; ``--offline`` checks locally on purpose and
exits 0 when intact).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from offline_cache import audit as audit_store
from offline_cache.audit import GENESIS_HASH, StoredEvent, StoredHead, event_hash
from offline_cache.db import installation_tag, storage_errors
from window_app.domain.audit_head import AuditHead, head_from_json
from window_app.domain.errors import WindowAppError
from window_app.domain.receipt_no import format_receipt_no
from window_app.domain.times import shown
from window_app.domain.words import NO_WORDS, Words, counted, language, set_language, tr
from window_app.identity import window_key_path, window_signing_key
from window_app.sync.client import Endpoint, ExchangeClient, TransportFailure, new_http_client
from window_app.trust.signing import Signature, verify

if TYPE_CHECKING:
    from offline_cache.db import Database
    from window_app.config import Settings
    from window_app.trust.keys import PublicSigningKey

EXIT_INTACT = 0
EXIT_TAMPERED = 1
EXIT_CANNOT_CHECK = 2
EXIT_OFFLINE = 3
MAX_LISTED = 200  # problems kept in the report; the count says how many there were

_RECEIPT_SEQUENCE = re.compile(r"-(\d{4,})-[0-9A-Z]{2}$")
_PAYLOAD_ACTIONS = ("part_released", "supplement_queued")


@dataclass(frozen=True)
class AuditProblem:
    """One way the trail is not what was written.

    Attributes:
        kind: ``edited``, ``deleted``, ``reordered``, ``broken_link``, ``head_forged``,
            ``truncated``, ``rechained``, ``erased``, ``unrecorded``, ``payload_changed``,
            ``counter_changed``, ``exchange_key``.
        seq: The first position at which the trail is not as written (``None``: no position,
            the words name the row).
        words: What is wrong, where, and what it means.
    """

    kind: str
    seq: int | None
    words: Words

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "seq": self.seq, "words": self.words.to_json()}


@dataclass
class ExchangeCheck:
    """The check against the exchange's head.

    Attributes:
        status: ``skipped`` (``--offline``), ``matched``, ``none`` (it holds no head of this
            window yet), ``mismatch`` (a problem was reported), ``unreachable`` (no line),
            ``failed`` (it answered, but not with a head: token refused, an older exchange …).
        head: The exchange's head, as it answered.
    """

    status: str = "skipped"
    head: dict[str, Any] | None = None
    words: Words = NO_WORDS

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "head": self.head, "words": self.words.to_json()}


@dataclass
class AuditReport:
    """What ``window-app audit verify`` found."""

    events: int = 0
    last_seq: int = 0
    heads: int = 0
    latest_head: int | None = None
    problems: list[AuditProblem] = field(default_factory=list)
    problem_count: int = 0
    exchange: ExchangeCheck = field(default_factory=ExchangeCheck)
    unchecked: list[Words] = field(default_factory=list)
    """What could not be checked (no key to check signatures with …), in words."""

    @property
    def intact(self) -> bool:
        return self.problem_count == 0

    @property
    def first_bad_seq(self) -> int | None:
        positions = [problem.seq for problem in self.problems if problem.seq is not None]
        return min(positions) if positions else None

    @property
    def exit_code(self) -> int:
        if not self.intact:
            return EXIT_TAMPERED
        if self.unchecked or self.exchange.status == "failed":
            return EXIT_CANNOT_CHECK
        if self.exchange.status == "unreachable":
            return EXIT_OFFLINE
        return EXIT_INTACT

    def add(self, problem: AuditProblem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_LISTED:
            self.problems.append(problem)

    def sorted_problems(self) -> list[AuditProblem]:
        return sorted(self.problems, key=lambda p: (p.seq is None, p.seq or 0))

    def summary(self) -> str:
        """One line in the current language."""
        if not self.intact:
            where = tr("，第一处在第 {s} 条事件", ", the first at event {s}", s=self.first_bad_seq) if self.first_bad_seq else ""
            return tr(
                "审计记录已被改动：发现 {n} 处问题{where}",
                "The audit trail was tampered with: {problems}{where}",
                problems=counted(self.problem_count, "problem"),
                n=self.problem_count,
                where=where,
            )
        latest = tr("（最新 #{s}）", " (latest #{s})", s=self.latest_head) if self.latest_head else ""
        line = tr(
            "审计记录完好：{e} 条事件，{h} 个签名链头{latest}",
            "Audit trail intact: {events}, {heads}{latest}",
            events=counted(self.events, "event"),
            heads=counted(self.heads, "signed head"),
            e=self.events,
            h=self.heads,
            latest=latest,
        )
        if self.exchange.status == "matched":
            line += tr("，与交换平台的链头 #{s} 相符", "; matches the exchange's head #{s}", s=self.exchange.head["seq"])  # type: ignore[index]
        elif self.exchange.status == "skipped":
            line += tr("（仅本机检查）", " (checked on this computer only)")
        elif self.exchange.status == "unreachable":
            line += tr("（交换平台无法连接：仅本机检查）", " (the exchange could not be reached: checked on this computer only)")
        elif self.exchange.status == "none":
            line += tr("（交换平台尚无本窗口的链头）", " (the exchange holds no head of this window yet)")
        return line

    def to_json(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "exit_code": self.exit_code,
            "summary": {"zh": _in("zh", self.summary), "en": _in("en", self.summary)},
            "events": self.events,
            "last_seq": self.last_seq,
            "heads": self.heads,
            "latest_head": self.latest_head,
            "first_bad_seq": self.first_bad_seq,
            "problem_count": self.problem_count,
            "problems": [problem.to_json() for problem in self.sorted_problems()],
            "exchange": self.exchange.to_json(),
            "unchecked": [words.to_json() for words in self.unchecked],
        }


def _in(wanted: str, render: Any) -> str:
    """``render()`` in the language ``wanted`` (the JSON output carries both)."""
    before = language()
    set_language(wanted)
    try:
        return render()
    finally:
        set_language(before)


# -- the check ----------------------------------------------------------------------------------


def latest_head(db: Database) -> AuditHead | None:
    """The latest signed head of the chain (:func:`offline_cache.audit.latest_head`)."""
    return audit_store.latest_head(db)


def verify_audit(db: Database, settings: Settings, *, online: bool = True) -> AuditReport:
    """Check the window's audit trail (module docstring); read-only.

    Args:
        online: Also ask the exchange for its head of this window (``GET /v1/audit/head``).

    Raises:
        window_app.domain.errors.StorageError: The database cannot be read.
    """
    report = AuditReport()
    with storage_errors(Words("读取审计记录", "Reading the audit trail")):
        tag = installation_tag(db)
    public_key, key_problem = _public_key(settings, tag)
    exchange_head = _exchange_head(settings, report) if online else None
    heads = audit_store.stored_heads(db)
    if key_problem is not None and (heads or exchange_head is not None):
        report.unchecked.append(key_problem)
    wanted = {head.seq for head in heads}
    if exchange_head is not None:
        wanted.add(exchange_head.seq)
    chain = _walk_chain(audit_store.stored_events(db), wanted, report, settings.zone)
    _check_heads(heads, chain, public_key, report, settings.zone)
    _check_rows(db, settings, chain, report)
    if exchange_head is not None:
        _check_exchange_head(exchange_head, chain, public_key, report, settings.zone)
    return report


def _public_key(settings: Settings, tag: str) -> tuple[PublicSigningKey | None, Words | None]:
    """This window's public key (from its key file, never made here), or why there is none."""
    path = window_key_path(settings, tag)
    if not path.exists():
        return None, Words(
            "未找到本窗口的签名密钥（{p}），无法核对链头签名",
            "This window's signing key ({p}) is not there: the heads' signatures cannot be checked",
        ).format(p=path)
    try:
        return window_signing_key(settings, tag, create=False).public, None
    except WindowAppError as exc:
        return None, Words("无法读取本窗口的签名密钥：{w}", "Cannot read this window's signing key: {w}").format(w=exc.words)


# -- 1. the chain --------------------------------------------------------------------------------


@dataclass
class _Chain:
    """What the walk keeps: the hashes at the positions asked for, each event's position by its
    hash (reorderings), and what the events recorded (for the rows' check)."""

    hash_at: dict[int, str] = field(default_factory=dict)
    seq_of_hash: dict[int, int] = field(default_factory=dict)
    accepted: dict[str, int] = field(default_factory=dict)
    """receipt number → seq of its ``accepted`` event."""
    envelopes: dict[str, tuple[int, str]] = field(default_factory=dict)
    """envelope id → (seq, payload_sha256) of the latest event that recorded its payload."""
    last_seq: int = 0
    present: set[int] = field(default_factory=set)


def _hash_key(digest: str) -> int:
    # 64 bits of the hash are plenty to find which event a link points at, at a quarter of the memory.
    try:
        return int(digest[:16], 16)
    except ValueError:
        return -1


def _walk_chain(events: Iterable[StoredEvent], wanted: set[int], report: AuditReport, zone: dt.tzinfo) -> _Chain:
    chain = _Chain()
    expected_seq, expected_prev, previous = 1, GENESIS_HASH, 0
    breaks: list[tuple[int, str, int]] = []
    for event in events:
        report.events += 1
        if event.seq != expected_seq:  # rows come in seq order: a jump is a gap
            report.add(_deleted(expected_seq, event.seq - 1))
        elif event.prev_hash != expected_prev:
            breaks.append((event.seq, event.prev_hash, previous))
        try:
            data = json.loads(event.data)
        except ValueError:
            data = None
        computed = None if data is None else event_hash(event.prev_hash, event.at, event.actor, event.action, event.receipt_no, data)
        if computed != event.hash:
            report.add(_edited(event, data is None, zone))
        chain.seq_of_hash.setdefault(_hash_key(event.hash), event.seq)
        if event.seq in wanted:
            chain.hash_at[event.seq] = event.hash
        chain.present.add(event.seq)
        if isinstance(data, dict):
            _note_records(chain, event, data)
        expected_seq, expected_prev, previous = event.seq + 1, event.hash, event.seq
    chain.last_seq = previous
    report.last_seq = previous
    for seq, prev_hash, before in breaks:
        target = chain.seq_of_hash.get(_hash_key(prev_hash))
        if target is not None and target != before:
            report.add(
                AuditProblem(
                    "reordered",
                    seq,
                    Words(
                        "第 {s} 条事件接在第 {t} 条之后，而不是第 {b} 条：事件的顺序被调换",
                        "Event {s} links to event {t}, not to event {b}: the events were reordered",
                    ).format(s=seq, t=target, b=before),
                )
            )
        else:
            report.add(
                AuditProblem(
                    "broken_link",
                    seq,
                    Words(
                        "第 {s} 条事件没有接上第 {b} 条（它指向的哈希不属于任何事件）：第 {b} 条被改写，或两者之间的事件被删除",
                        "Event {s} does not link to event {b} (it names a hash no event has): event {b} was "
                        "rewritten, or events between them were deleted",
                    ).format(s=seq, b=before),
                )
            )
    return chain


def _moment(at: str, zone: dt.tzinfo) -> str:
    """A stored moment (UTC) as the clerk reads it: the window's zone, to the second."""
    return shown(at, zone, "%Y-%m-%d %H:%M:%S")


def _events(first: int, last: int) -> Words:
    """``event 3 was`` / ``events 3–5 were`` (the verb goes with the number)."""
    if first == last:
        return Words("第 {f} 条事件", "event {f} was").format(f=first)
    return Words("第 {f}–{l} 条事件", "events {f}–{l} were").format(f=first, l=last)


def _deleted(first: int, last: int) -> AuditProblem:
    span = str(first) if first == last else f"{first}–{last}"
    if first == 1:
        jump = Words("审计链从第 {after} 条开始", "the chain starts at event {after}").format(after=last + 1)
    else:
        jump = Words("审计链从第 {before} 条跳到第 {after} 条", "the chain jumps from event {before} to event {after}").format(
            before=first - 1, after=last + 1
        )
    return AuditProblem(
        "deleted",
        first,
        Words("第 {span} 条事件缺失：{jump}，事件被删除", "Event {span} is missing: {jump}; events were deleted").format(
            span=span, jump=jump
        ),
    )


def _edited(event: StoredEvent, unreadable: bool, zone: dt.tzinfo) -> AuditProblem:
    what = Words("其内容不是 JSON", "its data is not JSON") if unreadable else Words("哈希与内容不符", "its hash does not match its content")
    return AuditProblem(
        "edited",
        event.seq,
        Words(
            "第 {s} 条事件（{action}，{at}）写入后被改动：{what}",
            "Event {s} ({action}, {at}) was changed after it was written: {what}",
        ).format(s=event.seq, action=event.action, at=_moment(event.at, zone), what=what),
    )


def _note_records(chain: _Chain, event: StoredEvent, data: dict[str, Any]) -> None:
    """Remember what an event recorded of applications and envelopes."""
    if event.action == "accepted" and event.receipt_no:
        chain.accepted.setdefault(event.receipt_no, event.seq)
        for entry in data.get("envelopes") or ():
            if isinstance(entry, dict) and isinstance(entry.get("envelope_id"), str):
                chain.envelopes[entry["envelope_id"]] = (event.seq, str(entry.get("payload_sha256", "")))
    elif event.action in _PAYLOAD_ACTIONS and isinstance(data.get("envelope_id"), str):
        chain.envelopes[data["envelope_id"]] = (event.seq, str(data.get("payload_sha256", "")))


# -- 2. the signed heads ----------------------------------------------------------------------------


def _check_heads(
    heads: list[StoredHead], chain: _Chain, key: PublicSigningKey | None, report: AuditReport, zone: dt.tzinfo
) -> None:
    report.heads = len(heads)
    report.latest_head = heads[-1].seq if heads else None
    # A head whose position the walk already found broken (edited, reordered …) says nothing new.
    broken_from = min((problem.seq for problem in report.problems if problem.seq is not None), default=None)
    trusted: list[StoredHead] = []
    for stored in heads:
        problem = _head_signature_problem(stored, key)
        if problem is not None:
            report.add(
                AuditProblem(
                    "head_forged",
                    stored.seq,
                    Words(
                        "第 {s} 条处的签名链头（{at} 签）不能以本窗口的密钥验证：链头被伪造或改动（{why}）",
                        "The signed head at event {s} (signed {at}) does not verify with this window's key: it was "
                        "forged or altered ({why})",
                    ).format(s=stored.seq, at=_moment(stored.at, zone), why=problem),
                )
            )
        else:
            trusted.append(stored)
    beyond = [head for head in trusted if head.seq > chain.last_seq]
    if beyond:
        last = beyond[-1]
        report.add(
            AuditProblem(
                "truncated",
                chain.last_seq + 1,
                Words(
                    "审计链止于第 {n} 条，但 {at} 签名的链头覆盖到第 {s} 条：{span}被截去",
                    "The chain ends at event {n}, but the head signed {at} covers event {s}: {span} cut off the end",
                ).format(n=chain.last_seq, at=_moment(last.at, zone), s=last.seq, span=_events(chain.last_seq + 1, last.seq)),
            )
        )
    matching = 0
    for stored in trusted:
        if stored.seq > chain.last_seq or stored.seq not in chain.present:
            continue  # past the end (above), or a deleted event (reported by the walk)
        if chain.hash_at.get(stored.seq) == stored.hash:
            matching = stored.seq
            continue
        if broken_from is not None and broken_from <= stored.seq:
            break
        first = matching + 1
        if first == stored.seq:
            what = Words("第 {s} 条被改写，其后的哈希全部重新计算", "event {s} was rewritten and every hash after it computed again").format(
                s=stored.seq
            )
        else:
            what = Words(
                "第 {first}–{s} 条之间的记录被改写，其后的哈希全部重新计算",
                "an event between events {first} and {s} was rewritten and every hash after it computed again",
            ).format(first=first, s=stored.seq)
        report.add(
            AuditProblem(
                "rechained",
                first,
                Words(
                    "第 {s} 条事件的哈希不是 {at} 签名链头中的哈希：{what}（第 {m} 条及之前仍与签名链头相符）",
                    "Event {s} no longer has the hash the head signed {at} holds: {what} (up to event {m} the chain "
                    "still matches a signed head)",
                ).format(s=stored.seq, at=_moment(stored.at, zone), what=what, m=matching),
            )
        )
        break  # the first is what matters; the later heads fail for the same reason


def _head_signature_problem(stored: StoredHead, key: PublicSigningKey | None) -> Words | None:
    if key is None:
        return None  # said once in report.unchecked
    parsed = stored.parsed_signature()
    signature = Signature.from_json(parsed) if parsed is not None else Words("签名不是 JSON", "the signature is not JSON")
    if isinstance(signature, Words):
        return signature
    head = AuditHead(stored.window_id, stored.seq, stored.hash, stored.at, parsed or {})
    return verify(key, head.message(), signature)


# -- 3. the rows that need their events -------------------------------------------------------------


def _check_rows(db: Database, settings: Settings, chain: _Chain, report: AuditReport) -> None:
    applications = audit_store.application_records(db)
    receipts = {application.receipt_no for application in applications}
    previous_seq = 0
    for application in applications:
        seq = chain.accepted.get(application.receipt_no)
        if seq is None:
            report.add(
                AuditProblem(
                    "erased",
                    previous_seq + 1,
                    Words(
                        "办件 {r}（{at} 受理）在审计链中没有“受理”事件：其记录被抹去",
                        "Application {r} (accepted {at}) has no 'accepted' event in the chain: its trail was erased",
                    ).format(r=application.receipt_no, at=_moment(application.accepted_at, settings.zone)),
                )
            )
        else:
            previous_seq = seq
    for receipt_no, seq in chain.accepted.items():
        if receipt_no not in receipts:
            report.add(
                AuditProblem(
                    "erased",
                    seq,
                    Words(
                        "第 {s} 条事件记录了办件 {r} 的受理，但数据库中已没有这件办件：办件被删除",
                        "Event {s} records the acceptance of {r}, but that application is not in the database: it was erased",
                    ).format(s=seq, r=receipt_no),
                )
            )
    accepted_receipts = set(chain.accepted)
    for part in audit_store.part_records(db):
        if part.receipt_no in accepted_receipts and part.envelope_id not in chain.envelopes:
            report.add(
                AuditProblem(
                    "unrecorded",
                    chain.accepted[part.receipt_no],
                    Words(
                        "办件 {r} 的 {d} 第 {stage} 阶段部分不在其“受理”事件（第 {s} 条）的记录中：它是后加的，或记录被抹去",
                        "The part of {r} for {d}, stage {stage}, is not recorded by its 'accepted' event (event {s}): "
                        "it was added later, or its record erased",
                    ).format(r=part.receipt_no, d=part.department, stage=part.stage, s=chain.accepted[part.receipt_no]),
                )
            )
    for row in audit_store.outbox_records(db):
        recorded = chain.envelopes.get(row.envelope_id)
        if recorded is None:
            if row.receipt_no in accepted_receipts:
                report.add(
                    AuditProblem(
                        "unrecorded",
                        chain.accepted[row.receipt_no],
                        Words(
                            "待发信封 {e}（{r}，{d}）在审计链中没有记录：它是后加的，或记录被抹去",
                            "Outbox envelope {e} ({r}, {d}) is recorded nowhere in the chain: it was added later, or its record erased",
                        ).format(e=row.envelope_id, r=row.receipt_no, d=row.department),
                    )
                )
            continue
        seq, sha256 = recorded
        if sha256 != row.payload_sha256 or not row.payload_matches:
            report.add(
                AuditProblem(
                    "payload_changed",
                    seq,
                    Words(
                        "待发信封 {e}（{r}，{d}）的载荷与第 {s} 条事件记录的摘要不符：载荷被改动",
                        "The payload of outbox envelope {e} ({r}, {d}) is not the one event {s} recorded: it was changed",
                    ).format(e=row.envelope_id, r=row.receipt_no, d=row.department, s=seq),
                )
            )
    _check_receipt_numbers(db, settings, applications, chain, report)


def _check_receipt_numbers(db: Database, settings: Settings, applications: list[Any], chain: _Chain, report: AuditReport) -> None:
    """Each day's receipt numbers of a window run 1 … the day's counter: a gap is an erased application."""
    numbers: dict[tuple[str, str], dict[int, str]] = {}
    for application in applications:
        match = _RECEIPT_SEQUENCE.search(application.receipt_no)
        if match is None:
            continue
        day = dt.datetime.fromisoformat(application.accepted_at).date().isoformat()
        numbers.setdefault((day, application.window_id), {})[int(match[1])] = application.receipt_no
    with storage_errors(Words("读取审计记录", "Reading the audit trail")):
        tag = installation_tag(db)
    for day, window_id, last in audit_store.receipt_counters(db):
        issued = numbers.get((day, window_id), {})
        for sequence in range(1, last + 1):
            if sequence in issued:
                continue
            before = [chain.accepted.get(issued[n], 0) for n in issued if n < sequence]
            position = max(before, default=0) + 1
            receipt_no = format_receipt_no(settings.window.region, dt.date.fromisoformat(day), window_id, tag, sequence)
            report.add(
                AuditProblem(
                    "erased",
                    position,
                    Words(
                        "受理编号 {r} 已发出（窗口 {w} 在 {day} 的计数为 {last}），但没有办件使用它：这件办件被抹去",
                        "Receipt number {r} was issued (window {w}'s counter for {day} is at {last}), but no "
                        "application has it: that application was erased",
                    ).format(r=receipt_no, w=window_id, day=day, last=last),
                )
            )
        beyond = sorted(n for n in issued if n > last)
        if beyond:
            report.add(
                AuditProblem(
                    "counter_changed",
                    chain.accepted.get(issued[beyond[0]]),
                    Words(
                        "窗口 {w} 在 {day} 的受理编号计数为 {last}，但已有编号 {n} 的办件：计数被改回，用以掩盖抹去的办件",
                        "Window {w}'s receipt counter for {day} is at {last}, but an application numbered {n} exists: "
                        "the counter was set back, to hide erased applications",
                    ).format(w=window_id, day=day, last=last, n=beyond[0]),
                )
            )


# -- 4. the exchange's head ---------------------------------------------------------------------------


def _exchange_head(settings: Settings, report: AuditReport) -> AuditHead | None:
    """The exchange's head of this window, or ``None`` (``report.exchange`` says why)."""
    endpoint = Endpoint(url=settings.exchange.url.rstrip("/"), token=settings.exchange.token)

    async def fetch() -> dict[str, Any]:
        async with new_http_client(settings.exchange.timeout_seconds) as http:
            return await ExchangeClient(http, endpoint, settings.exchange.timeout_seconds).fetch_audit_head()

    try:
        answer = asyncio.run(fetch())
    except TransportFailure as failure:
        report.exchange.status = "unreachable" if failure.transient else "failed"
        # The client's words promise a retry (right for the sync engine): not here, the check is done.
        why = Words(failure.words.zh.removesuffix("，稍后自动重试"), failure.words.en.removesuffix("; will retry"))
        report.exchange.words = Words(
            "无法与交换平台的链头核对：{why}", "Could not check against the exchange's head: {why}"
        ).format(why=why)
        return None
    if answer["head"] is None:
        report.exchange.status = "none"
        report.exchange.words = Words(
            "交换平台尚未保存本窗口的审计链头（同步一轮后即有）", "The exchange holds no audit head of this window yet (a sync round sends it)"
        )
        return None
    head = head_from_json(answer["head"])
    if isinstance(head, Words):
        report.exchange.status = "failed"
        report.exchange.words = Words("交换平台的链头无法识别：{why}", "The exchange's head cannot be read: {why}").format(why=head)
        return None
    report.exchange.head = head.to_json()
    return head


def _check_exchange_head(
    head: AuditHead, chain: _Chain, key: PublicSigningKey | None, report: AuditReport, zone: dt.tzinfo
) -> None:
    before = report.problem_count
    if key is not None:
        signature = Signature.from_json(head.signature)
        problem = signature if isinstance(signature, Words) else verify(key, head.message(), signature)
        if problem is not None:
            report.add(
                AuditProblem(
                    "exchange_key",
                    head.seq,
                    Words(
                        "交换平台保存的链头（第 {s} 条，{at} 签）不能以本机的窗口密钥验证：本窗口的密钥被替换过（{why}）",
                        "The exchange's head (event {s}, signed {at}) does not verify with the window key on this "
                        "computer: this window's key was replaced ({why})",
                    ).format(s=head.seq, at=_moment(head.at, zone), why=problem),
                )
            )
    if head.seq > chain.last_seq:
        report.add(
            AuditProblem(
                "truncated",
                chain.last_seq + 1,
                Words(
                    "交换平台保存的链头覆盖到第 {s} 条（{at} 签），但本机的审计链止于第 {n} 条：{span}被截去，或记录被改写",
                    "The exchange holds the head at event {s} (signed {at}), but the chain here ends at event {n}: "
                    "{span} cut off, or the history was rewritten",
                ).format(s=head.seq, at=_moment(head.at, zone), n=chain.last_seq, span=_events(chain.last_seq + 1, head.seq)),
            )
        )
    elif head.seq not in chain.present:
        pass  # that event was deleted: the walk said so
    elif chain.hash_at.get(head.seq) != head.hash:
        report.add(
            AuditProblem(
                "rechained",
                head.seq,
                Words(
                    "本机第 {s} 条事件的哈希与交换平台保存的链头（{at} 签）不同：第 {s} 条及之前的记录被改写并重新签名"
                    "（本机的签名链头不足为证）",
                    "Event {s} here has another hash than the head the exchange holds (signed {at}): the history up "
                    "to event {s} was rewritten and re-signed (the signed heads on this computer prove nothing)",
                ).format(s=head.seq, at=_moment(head.at, zone)),
            )
        )
    intact = report.problem_count == before and head.seq in chain.present
    report.exchange.status = "matched" if intact else "mismatch"
