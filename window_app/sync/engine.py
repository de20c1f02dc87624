"""The sync engine: send due envelopes, pull decisions back, refresh the catalog.

One round (:meth:`SyncEngine.run_once`), for every endpoint concurrently (the shared exchange,
and each department that has an endpoint of its own in ``[departments.CODE] url``):

1. **send**: take due envelopes (``state = 'queued' AND next_attempt_at <= now``, indexed) in
   batches of ``[sync] batch_size``. Each batch's attempt is recorded BEFORE the request
   (attempts + 1, a provisional next attempt), so a crash mid-request only means a later
   resend of the same bytes under the same key. Answers per envelope: ``created`` /
   ``duplicate`` → delivered; ``rejected`` → quarantined with the reason. A whole-request
   failure: transient ones (no connection, timeout, 429/5xx, garbage) put the batch back with
   backoff (``Retry-After`` obeyed) and stop this endpoint for the round; ``413`` halves the
   batch; ``400`` splits it until the one envelope at fault is found and quarantined;
   ``401``/``403`` hold the endpoint until its token is changed in the settings (no blind
   retries, nothing quarantined for a configuration mistake).
2. **pull**: ``GET /v1/events?since=cursor``; each event is applied in ONE transaction with
   the new cursor (:mod:`window_app.sync.decisions`), which may release held stages
   (:mod:`window_app.sync.stages`) — those are sent in the same round.
3. **catalog** (shared exchange only): ``GET /v1/catalog`` with ``If-None-Match``
   (:mod:`window_app.sync.catalog_refresh`).
4. **audit head**, once every endpoint is done: if the audit chain has events no signed head
   covers yet (the round's own, or a supplement recorded since), the head is signed with the
   window's key and stored; the latest head is then posted to the shared exchange
   (``POST /v1/audit/head``) if it answered this round, even when nothing else was sent. Every
   ``POST /v1/envelopes`` body carries the latest head too (``"audit_head"``). A head the
   exchange refuses (``409``: it holds a later one) is the round's error, in words.

An endpoint that failed is not asked again before its own backoff has passed (its envelopes
wait; every other endpoint goes on). :class:`SyncReport` says, per endpoint and in total,
what happened, and the last error in words.

The engine runs on the caller's event loop; its database work is short synchronous SQLite
transactions between awaits (never across one). Give it its own :class:`Database` connection
(:meth:`SyncEngine.open`) when another thread uses the window's.

**One syncing process per database** (:mod:`window_app.sync.lock`): the first round takes
``<data dir>/sync.lock`` (an exclusive ``flock``, released by the kernel when the process dies)
and the engine keeps it until :meth:`SyncEngine.close` / :meth:`SyncEngine.release_lock`. While
another process holds it (or another engine of this process: the lock is the engine's),
:meth:`SyncEngine.run_once` raises :class:`~window_app.sync.lock.SyncBusy` (its words name the
holder) and sends nothing. The engine's own rounds never overlap: a second
:meth:`~SyncEngine.run_once` started while one runs waits for it to end.

For a caller that runs its own schedule (the app's worker, :mod:`window_app.sync.background`):
:meth:`SyncEngine.pause_after` says how long to wait after a round, and
:meth:`SyncEngine.failed_round` turns an exception a round raised into a report in words.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from offline_cache import audit as audit_store
from offline_cache import courier as courier_store
from offline_cache import outbox as outbox_store
from offline_cache import sync_state
from offline_cache.db import installation_tag, open_database
from window_app.catalog.cache import cached_catalog
from window_app.catalog.local_names import as_seen_from
from window_app.dispatch import WindowSigner
from window_app.domain.audit_head import head_from_json
from window_app.domain.errors import WindowAppError
from window_app.domain.outbox import HELD, QUARANTINED, QUEUED, OutgoingEnvelope
from window_app.domain.times import window_zone
from window_app.domain.words import NO_WORDS, Words, counted, tr
from window_app.identity import window_signing_key
from window_app.ratings.sending import RatingSender, RatingsReport
from window_app.surveys.sending import SurveySender, SurveysReport
from window_app.sync.backoff import Backoff
from window_app.sync.catalog_refresh import CatalogTrust, load_preferred_catalog, refresh_catalog
from window_app.sync.client import (
    MAX_ENVELOPES_PER_REQUEST,
    POOL_CONNECTIONS,
    Endpoint,
    ExchangeClient,
    TransportFailure,
    new_http_client,
)
from window_app.sync.decisions import Effect, apply_event, record_quarantine, record_rejected, record_results
from window_app.sync.endpoints import endpoints_of, token_fingerprint
from window_app.sync.hot_refresh import refresh_hot
from window_app.sync.lock import SyncBusy, SyncLock, lock_path
from window_app.sync.notifying import NotificationSender, NotifyReport
from window_app.sync.tracking import TrackingReport, TrackingSender
from window_app.waived import queue_reminders

if TYPE_CHECKING:
    import httpx

    from offline_cache.db import Database
    from window_app.config import Settings
    from window_app.notify.notifier import Notifier
    from window_app.sync.catalog_refresh import CatalogRefresh
    from window_app.trust.keys import SigningKey

MAX_ENVELOPES_PER_ROUND = 20_000  # per endpoint: a round also has events to pull
EVENTS_PAGE = 500
MAX_EVENT_PAGES_PER_ROUND = 200
SEND_PULL_PASSES = 3  # stages released by events go out in the same round
IN_FLIGHT_PER_ENDPOINT = 2  # batches on the wire at once per endpoint (the pool holds 4 connections)
MAX_SERVER_ERRORS = 8  # 5xx in a row for one envelope (hours, with backoff): then it is quarantined in words

log = logging.getLogger("window_app.sync")


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


@dataclass
class EndpointReport:
    """One endpoint's part of a round.

    Attributes:
        online: ``True`` it answered, ``False`` it did not (or answered only failures),
            ``None`` not tried this round (still backing off, or held).
        held: Its token was refused (401/403): nothing is sent until the token changes.
        retry_at: When it will be tried again after failures (ISO), if backing off.
        error: The last failure in words (empty if none).
    """

    url: str
    label: Words
    departments: tuple[str, ...] = ()
    online: bool | None = None
    held: bool = False
    sent: int = 0
    duplicate: int = 0
    quarantined: int = 0
    failed: int = 0
    events_applied: int = 0
    decisions: int = 0
    retry_at: str | None = None
    error: Words = NO_WORDS


@dataclass
class SyncReport:
    """What one round did, and where the window stands after it.

    Attributes:
        sent: Envelopes the exchange newly accepted (``created``).
        duplicate: Envelopes it already had (a resend after a lost answer): delivered too.
        quarantined: Envelopes refused for good this round (kept, with the reason).
        failed: Envelopes whose attempt failed transiently this round (they will be retried).
        events_applied: Department events applied this round.
        decisions: Of those, the departments' decisions (approved, refused, 补正).
        released / cancelled: Later-stage envelopes released or cancelled by those events.
        concluded: Receipt numbers concluded this round.
        unsent: Envelopes not yet delivered (queued + held) after the round.
        queued / held / quarantined_total: The outbox after the round (the words:
            :mod:`window_app.domain.outbox`); nothing is in flight once a round has ended.
        catalog: The catalog refresh's outcome, if one was made.
        error: The last error of the round in words (empty if none).
    """

    started_at: str
    finished_at: str = ""
    endpoints: list[EndpointReport] = field(default_factory=list)
    sent: int = 0
    duplicate: int = 0
    quarantined: int = 0
    failed: int = 0
    events_applied: int = 0
    decisions: int = 0
    released: int = 0
    cancelled: int = 0
    concluded: list[str] = field(default_factory=list)
    unsent: int = 0
    queued: int = 0
    held: int = 0
    quarantined_total: int = 0
    catalog: CatalogRefresh | None = None
    hot_stored: bool = False
    """A new hot list of the window's region was stored (window_app/sync/hot_refresh.py)."""
    on_courier: int = 0
    """Queued envelopes carried on a USB courier file after the round (docs/courier.md)."""
    error: Words = NO_WORDS
    notify: NotifyReport = field(default_factory=NotifyReport)
    """The applicant's notifications this round (sent after the envelopes; their failures
    are the notifications' own words and never make the round's exit code)."""
    tracking: TrackingReport = field(default_factory=TrackingReport)
    """Tracking records delivered to the exchange's public tracking page this round, and still
    queued (:mod:`window_app.sync.tracking`; a failure never makes the round's exit code)."""
    ratings: RatingsReport = field(default_factory=RatingsReport)
    """好差评 this round (window_app/ratings/sending.py; like the notifications, their failures
    never make the round's exit code)."""
    surveys: SurveysReport = field(default_factory=SurveysReport)
    """联合踏勘 this round (window_app/surveys/sending.py; never the round's exit code)."""

    @property
    def delivered(self) -> int:
        return self.sent + self.duplicate

    @property
    def online(self) -> bool:
        """Every endpoint tried this round answered (and at least one was tried)."""
        tried = [endpoint.online for endpoint in self.endpoints if endpoint.online is not None]
        return bool(tried) and all(tried) and not any(endpoint.held for endpoint in self.endpoints)

    @property
    def offline(self) -> bool:
        """No endpoint could be reached: each one failed on the network this round or is still
        backing off from such a failure (a refused token or a storage error is not "offline")."""
        return bool(self.endpoints) and all(
            endpoint.online is False or (endpoint.online is None and endpoint.retry_at is not None and not endpoint.held)
            for endpoint in self.endpoints
        )

    @property
    def ok(self) -> bool:
        """Nothing failed: no transient failure, no quarantine, no refused token."""
        return not self.error and self.failed == 0 and self.quarantined == 0

    def summary(self) -> str:
        """One line, in the current language, for the status bar or the headless log."""
        state = tr("在线", "online") if self.online else (tr("离线", "offline") if self.offline else tr("部分在线", "partly online"))
        line = tr(
            "{state}：送达 {d}（重复 {dup}），被退回 {q}，失败 {f}，意见 {e}，待发送 {w}，待前置结果 {h}",
            "{state}: delivered {d} (duplicates {dup}), returned {q}, failed {f}, events {e}, queued {w}, held {h}",
            state=state,
            d=self.delivered,
            dup=self.duplicate,
            q=self.quarantined,
            f=self.failed,
            e=self.events_applied,
            w=self.queued,
            h=self.held,
        )
        if self.concluded:
            line += tr("，办结 {n}", ", concluded {n}", n=len(self.concluded))
        if self.notify.sent or self.notify.pending or self.notify.refused:
            line += tr(
                "；短信通知 已发 {s}，待发 {p}", "; notifications sent {s}, pending {p}", s=self.notify.sent, p=self.notify.pending
            )
        if self.ratings.sent or self.ratings.pulled or self.ratings.pending:
            line += tr(
                "；评价 已同步 {s}，待同步 {p}", "; ratings synced {s}, pending {p}", s=self.ratings.sent, p=self.ratings.pending
            )
        if self.surveys.sent or self.surveys.answers or self.surveys.pending:
            line += tr("；踏勘预约 已同步 {s}，答复 {a}", "; survey appointments synced {s}, answers {a}", s=self.surveys.sent, a=self.surveys.answers)
        if self.error:
            line += " — " + str(self.error)
        if self.surveys.error:
            line += " — " + str(self.surveys.error)
        if self.ratings.error:
            line += " — " + str(self.ratings.error)
        if self.notify.error:
            line += " — " + str(self.notify.error)
        return line

    def to_json(self) -> dict[str, Any]:
        """The report as ``--json`` prints it; words are ``{"zh": …, "en": …}``."""
        data = asdict(self)
        data["delivered"] = self.delivered
        data["online"] = self.online
        data["offline"] = self.offline
        data["ok"] = self.ok
        return data


class SyncEngine:
    """Moves the outbox to the departments and their decisions back.

    Args:
        db: The window's database (an own connection is best: :meth:`open`).
        settings: ``[exchange]``, ``[sync]``, ``[departments.CODE]``, the data dir.
        catalog_etag: The digest of the catalog the window uses (first ``If-None-Match``).
        clock: Now, timezone-aware (tests pin or advance it).
        rng: Randomness for the backoff jitter (tests seed it).
        http: An ``httpx.AsyncClient`` to use (tests may pass one); default: one small pool
            per round.
        refresh_catalog: Whether rounds ask the exchange for a new catalog.
        program: What this process is (``window-app sync``, ``window-app``): written in the
            sync lock file, so that another process's words can name it.

    Attributes:
        lock: This engine's share of ``<data dir>/sync.lock`` (:class:`~window_app.sync.lock.SyncLock`).
    """

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        catalog_etag: str | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        rng: random.Random | None = None,
        http: httpx.AsyncClient | None = None,
        refresh_catalog: bool = True,
        program: str = "",
        signer: WindowSigner | None = None,
        notifier: Notifier | None = None,
    ):
        self.db = db
        self.settings = settings
        self.clock = clock or (lambda: dt.datetime.now().astimezone())
        self.backoff = Backoff(
            settings.sync.backoff_initial_seconds, settings.sync.backoff_max_seconds, rng=rng or random.Random()
        )
        self.http = http
        self.refresh_catalog = refresh_catalog
        self._catalog_etag = catalog_etag
        self._batch_size: dict[str, int] = {}
        self._wake: asyncio.Event | None = None
        self._signer: WindowSigner | None = signer
        self._window_key: SigningKey | None = None
        self.last_report: SyncReport | None = None
        self.lock = SyncLock(lock_path(settings.data_dir), program, zone=settings.zone)
        # No reference back to the engine (the window key is handed over per round): an engine
        # dropped without close() is collected at once, and its sync lock with it.
        self.notifications = NotificationSender(db, settings, backoff=self.backoff, clock=self.clock, notifier=notifier)
        self.tracking = TrackingSender()
        self.ratings = RatingSender(db, clock=self.clock, zone=settings.zone, timeout_seconds=settings.exchange.timeout_seconds)
        self.surveys = SurveySender(db, window_id=settings.window.id, clock=self.clock, zone=settings.zone, timeout_seconds=settings.exchange.timeout_seconds)

    @classmethod
    def open(cls, settings: Settings, **kwargs: Any) -> SyncEngine:
        """An engine on its own connection to the window's database (close with :meth:`close`)."""
        return cls(open_database(settings.database_path), settings, **kwargs)

    def close(self) -> None:
        """Let go of the sync lock and close the engine's connection."""
        self.release_lock()
        self.db.close()

    # -- the sync lock -----------------------------------------------------------------------

    def acquire_lock(self) -> None:
        """Take the database's sync lock now, if not held yet (the first round does it anyway).

        Raises:
            SyncBusy: Another process syncs this database (``exc.holder`` names it, its words say
                so). Nothing was sent.
        """
        self.lock.acquire()

    def release_lock(self) -> None:
        """Let another process sync this database (the next round takes the lock again)."""
        self.lock.release()

    @property
    def holds_lock(self) -> bool:
        return self.lock.held

    # -- endpoints ---------------------------------------------------------------------------

    def endpoints(self) -> list[Endpoint]:
        """The endpoints of this window's settings (:func:`window_app.sync.endpoints.endpoints_of`)."""
        return endpoints_of(self.settings)

    def own_departments(self, endpoints: list[Endpoint]) -> tuple[str, ...]:
        return tuple(code for endpoint in endpoints for code in endpoint.departments)

    # -- rounds --------------------------------------------------------------------------------

    def wake(self) -> None:
        """Start the next round now (e.g. an application was just accepted)."""
        if self._wake is not None:
            self._wake.set()

    async def run_forever(
        self,
        stop: asyncio.Event,
        on_report: Callable[[SyncReport], Any] | None = None,
    ) -> None:
        """Rounds until ``stop`` is set: every ``interval_seconds`` while all is well, sooner when
        something is due earlier (a backoff ends), at once after :meth:`wake`.

        A storage error in a round (locked, full disk) is reported and retried next round; so is
        :class:`SyncBusy` (another process syncs this database: the lock is tried again after
        ``interval_seconds``).
        """
        self._wake = asyncio.Event()
        while not stop.is_set():
            self._wake.clear()
            try:
                report = await self.run_once()
            except Exception as exc:  # noqa: BLE001 - the worker must survive a bad round
                report = self.failed_round(exc)
            if on_report is not None:
                result = on_report(report)
                if asyncio.iscoroutine(result):
                    await result
            pause = self.pause_after(report)
            stop_wait = asyncio.ensure_future(stop.wait())
            wake_wait = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait({stop_wait, wake_wait}, timeout=pause, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stop_wait.cancel()
                wake_wait.cancel()

    def failed_round(self, exc: Exception) -> SyncReport:
        """The report of a round that raised ``exc`` instead of returning one (a storage error,
        :class:`SyncBusy` …): no endpoint, the error in words; it becomes :attr:`last_report`.

        For a caller running rounds on its own schedule; :meth:`run_forever` uses it too.
        """
        now = _iso(self.clock())
        if isinstance(exc, SyncBusy):
            error = exc.words
        else:
            error = Words("本轮同步出错：{why}", "This sync round failed: {why}").format(why=failure_words(exc))
        report = SyncReport(started_at=now, finished_at=now, error=error)
        self.last_report = report
        return report

    def pause_after(self, report: SyncReport) -> float:
        """Seconds to wait after ``report``'s round before the next: ``interval_seconds``, or
        sooner when something falls due at an endpoint that may be asked (not before that
        endpoint's own backoff ends; never for one whose token was refused); at least 0.05.

        Reads the outbox (the earliest ``next_attempt_at``); a read that fails only means the
        interval. For a caller running rounds on its own schedule; :meth:`run_forever` uses it too.
        """
        interval = self.settings.sync.interval_seconds
        now = self.clock()
        candidates = [interval]
        endpoints = self.endpoints()
        own = self.own_departments(endpoints)
        reports = {endpoint.url: endpoint for endpoint in report.endpoints}
        for endpoint in endpoints:
            seen = reports.get(endpoint.key)
            if seen is not None and seen.held:
                continue
            try:
                due = outbox_store.next_due_at(
                    self.db,
                    departments=endpoint.departments if endpoint.departments else None,
                    exclude=() if endpoint.departments else own,
                )
            except Exception:  # noqa: BLE001 - a pause is only a hint
                due = None
            if not due:
                continue
            moment = dt.datetime.fromisoformat(due)
            if seen is not None and seen.retry_at:
                moment = max(moment, dt.datetime.fromisoformat(seen.retry_at))
            candidates.append((moment - now).total_seconds())
        return max(0.05, min(candidates))

    async def run_once(self, *, retry_now: bool = False) -> SyncReport:
        """One round at every endpoint (concurrently, a few at a time).

        Takes the database's sync lock first (kept until :meth:`close`), and waits for this
        engine's running round, if any, to end (rounds never overlap).

        Args:
            retry_now: Ignore backoff: send every queued envelope and try every endpoint now
                (the clerk's "retry now"; ``window-app sync --once --retry-now``).

        Raises:
            SyncBusy: Another process syncs this database; nothing was done.
        """
        self.acquire_lock()
        async with self.lock.round():
            return await self._round(retry_now)

    async def _round(self, retry_now: bool) -> SyncReport:
        report = SyncReport(started_at=_iso(self.clock()))
        endpoints = self.endpoints()
        own = self.own_departments(endpoints)
        own_client = self.http is None
        http = self.http or new_http_client(self.settings.exchange.timeout_seconds)
        limit = asyncio.Semaphore(POOL_CONNECTIONS)
        tracking = self._start_tracking(retry_now)  # its scrypt runs while the round waits on the network
        try:

            async def one(endpoint: Endpoint) -> EndpointReport:
                async with limit:
                    try:
                        return await self._endpoint_round(http, endpoint, own, report, retry_now)
                    except Exception as exc:  # noqa: BLE001 - e.g. the database is locked: say so, go on
                        return self._endpoint_broken(endpoint, exc)

            report.endpoints = list(await asyncio.gather(*(one(endpoint) for endpoint in endpoints)))
            await self._audit_head_round(http, endpoints[0], report)
            await self._tracking_round(http, endpoints[0], report, tracking)
            shared = next((endpoint for endpoint in report.endpoints if endpoint.url == endpoints[0].key), None)
            answered = shared is not None and shared.online is True and not shared.held
            report.ratings = await self.ratings.exchange(http, endpoints[0], online=answered)
            report.surveys = await self.surveys.exchange(http, endpoints[0], online=answered, key=lambda: self.window_key)
        finally:
            if tracking is not None and not tracking.done():
                await asyncio.gather(tracking, return_exceptions=True)  # a thread cannot be cancelled: let it end
            if own_client:
                await http.aclose()
        for endpoint in report.endpoints:
            report.sent += endpoint.sent
            report.duplicate += endpoint.duplicate
            report.quarantined += endpoint.quarantined
            report.failed += endpoint.failed
            report.events_applied += endpoint.events_applied
            report.decisions += endpoint.decisions
            if endpoint.error and not report.error:
                report.error = endpoint.error
        if report.catalog is not None and report.catalog.status in ("invalid", "failed") and not report.error:
            report.error = report.catalog.message
        counts = outbox_store.count_by_state(self.db)
        report.queued = counts.get(QUEUED, 0)
        report.held = counts.get(HELD, 0)
        report.unsent = report.queued + report.held
        report.quarantined_total = counts.get(QUARANTINED, 0)
        report.on_courier = courier_store.count_on_courier(self.db)  # the USB courier's (docs/courier.md)
        self._queue_waived_reminders()  # 容缺 promises due soon or overdue: queued once each, sent below
        # After the envelopes, on its own: a gateway down or misconfigured never holds them up.
        report.notify = await self.notifications.send_due(retry_now=retry_now, window_key=lambda: self.window_key)
        report.finished_at = _iso(self.clock())
        self.last_report = report
        return report

    def _queue_waived_reminders(self) -> None:
        """Queue today's 容缺 reminders (window_app/waived.py); a failure waits for the next round."""
        now = self.clock()
        try:
            today = now.astimezone(window_zone(self.settings.window.time_zone)).date()
            queue_reminders(self.db, self.signer.catalog, today=today, now=_iso(now))
        except (WindowAppError, ValueError):
            return  # the database refused or the zone is unknown: the next round tries again

    # -- the audit head ------------------------------------------------------------------------

    async def _audit_head_round(self, http: httpx.AsyncClient, shared: Endpoint, report: SyncReport) -> None:
        """Sign the chain's head if events are unsigned, then post the latest head to the shared
        exchange if it answered this round. A failure is the shared endpoint's error in words."""
        seen = next((endpoint for endpoint in report.endpoints if endpoint.url == shared.key), None)
        try:
            self._sign_audit_head()
            head = self._wire_head()
        except Exception as exc:  # noqa: BLE001 - the key file unreadable, the database locked …: say so, go on
            if seen is not None and not seen.error:
                seen.error = Words("审计链头未能签名：{why}", "The audit head could not be signed: {why}").format(
                    why=failure_words(exc)
                )
            return
        if head is None or seen is None or seen.online is not True or seen.held:
            return
        try:
            await ExchangeClient(http, shared, self.settings.exchange.timeout_seconds).post_audit_head(head)
        except TransportFailure as failure:
            if failure.status == 409:
                seen.error = Words(
                    "交换平台已保存本窗口更晚的审计链头，拒收当前链头：本机审计记录可能被改写或从旧备份恢复。"
                    "请运行 window-app audit verify 并报告（{why}）",
                    "The exchange holds a later audit head of this window and refused the current one: this "
                    "window's audit trail may have been rewritten or restored from an old copy. Run "
                    "window-app audit verify and report it ({why})",
                ).format(why=failure.words)
            elif failure.status in (404, 405):
                pass  # an exchange that keeps no audit heads (an older one): `audit verify` says so
            elif not seen.error:
                seen.error = Words("审计链头未送达：{why}", "The audit head was not delivered: {why}").format(why=failure.words)

    def _start_tracking(self, retry_now: bool) -> asyncio.Task[list[Any]] | None:
        """The due tracking records, their digests being made (``None``: they could not be read)."""
        try:
            return self.tracking.start(self.db, self.clock(), retry_now=retry_now)
        except Exception:  # noqa: BLE001 - the database locked …: next round
            log.exception("tracking records not read")
            return None

    async def _tracking_round(
        self, http: httpx.AsyncClient, shared: Endpoint, report: SyncReport, tracking: asyncio.Task[list[Any]] | None
    ) -> None:
        """Deliver the tracking records to the shared exchange if it answered this round (the
        public page is there). A failure leaves them queued: they go next round."""
        seen = next((endpoint for endpoint in report.endpoints if endpoint.url == shared.key), None)
        if tracking is None or seen is None or seen.online is not True or seen.held:
            return
        client = ExchangeClient(http, shared, self.settings.exchange.timeout_seconds)
        try:
            pending = await tracking
            report.tracking = await self.tracking.send(self.db, client, self.window_key, self.clock(), pending)
        except TransportFailure as failure:
            if failure.status not in (404, 405):  # an older exchange without a tracking page: nothing to say
                log.warning("tracking records not delivered: %s", failure.words.in_language("en"))
        except Exception:  # noqa: BLE001 - the key unreadable, the database locked …: next round
            log.exception("tracking records not delivered")

    def _wire_head(self) -> dict[str, Any] | None:
        """The latest head for a body, if it has the wire's shape: a head damaged in the
        database must not make the exchange refuse (400) the envelopes it travels with."""
        head = audit_store.latest_head(self.db)
        if head is None or isinstance(head_from_json(head.to_json()), Words):
            return None
        return head.to_json()

    def _sign_audit_head(self) -> None:
        """Sign and store the head when the chain has events after the latest signed head."""
        if not audit_store.unsigned_tail(self.db):
            return  # a round that appended nothing: the latest head already covers the chain
        key = self.window_key
        at = audit_store.utc_at(self.clock())
        with sync_state.write_transaction(self.db):
            audit_store.sign_head(self.db, key, self.settings.window.id.upper(), at, cause="sync")

    # -- one endpoint ----------------------------------------------------------------------------

    @property
    def window_key(self) -> SigningKey:
        """The window's signing key (read on first need: a head to sign, a stage to release)."""
        if self._window_key is None:
            self._window_key = self._signer.key if self._signer else window_signing_key(self.settings, installation_tag(self.db))
        return self._window_key

    @property
    def signer(self) -> WindowSigner:
        """The window's key and its catalog's department keys (loaded on first need: releasing
        a later stage signs and seals; applying a decision verifies it)."""
        if self._signer is None:
            catalog = load_preferred_catalog(self.settings, load=lambda path: cached_catalog(self.db, path))
            # Later stages name their departments as the window does (no other county's bodies).
            catalog = as_seen_from(catalog, self.settings.window.region)
            self._signer = WindowSigner(catalog, self.window_key)
        return self._signer

    async def _endpoint_round(
        self, http: httpx.AsyncClient, endpoint: Endpoint, own: tuple[str, ...], report: SyncReport, retry_now: bool
    ) -> EndpointReport:
        result = EndpointReport(url=endpoint.url, label=endpoint.label, departments=endpoint.departments)
        state = sync_state.endpoint_state(self.db, endpoint.key)
        now = self.clock()
        fingerprint = token_fingerprint(endpoint.token)
        if state.held_token and state.held_token == fingerprint and not retry_now:
            result.held = True
            result.error = state.last_error
            return result
        if state.retry_at and not retry_now and dt.datetime.fromisoformat(state.retry_at) > now:
            result.retry_at = state.retry_at
            result.online = None
            result.error = state.last_error
            return result
        client = ExchangeClient(http, endpoint, self.settings.exchange.timeout_seconds)
        departments = endpoint.departments if endpoint.departments else None
        exclude = () if endpoint.departments else own
        try:
            for _ in range(SEND_PULL_PASSES):
                await self._send_due(client, endpoint, departments, exclude, result, retry_now)
                effect = await self._pull_events(client, endpoint, state.cursor)
                result.events_applied += effect.applied
                result.decisions += effect.decisions
                report.released += len(effect.released)
                report.cancelled += len(effect.cancelled)
                report.concluded += effect.concluded
                if effect.unverified:
                    report.error = effect.unverified[-1]
                state = sync_state.endpoint_state(self.db, endpoint.key)
                if not effect.released:
                    break
            if endpoint.shared and self.refresh_catalog:
                report.catalog = await self._refresh_catalog(client)
            if endpoint.shared:
                report.hot_stored = await refresh_hot(client, self.db, self.settings.window.region, self.clock())
        except TransportFailure as failure:
            return self._endpoint_failed(endpoint, state, failure, result, fingerprint)
        result.online = True
        sync_state.record_ok(self.db, endpoint.key, _iso(self.clock()))
        return result

    def _endpoint_broken(self, endpoint: Endpoint, exc: Exception) -> EndpointReport:
        """A round at one endpoint stopped on something other than the network (a locked or full
        database …): the other endpoints go on; the envelopes involved are retried later."""
        return EndpointReport(
            url=endpoint.url,
            label=endpoint.label,
            departments=endpoint.departments,
            online=None,
            error=Words("同步{label}时出错：{why}", "Syncing with {label} failed: {why}").format(
                label=endpoint.label, why=failure_words(exc)
            ),
        )

    def _endpoint_failed(
        self, endpoint: Endpoint, state: sync_state.EndpointState, failure: TransportFailure, result: EndpointReport, fingerprint: str
    ) -> EndpointReport:
        now = self.clock()
        result.error = failure.words
        if failure.kind == "auth":
            result.online = True
            result.held = True
            sync_state.record_held(self.db, endpoint.key, _iso(now), error=failure.words, token_fingerprint=fingerprint)
            return result
        delay = self.backoff.delay(state.failures + 1, previous=state.last_delay, retry_after=failure.retry_after)
        retry_at = _iso(now + dt.timedelta(seconds=delay))
        result.online = False
        result.retry_at = retry_at
        sync_state.record_failure(
            self.db, endpoint.key, _iso(now), error=failure.words, retry_at=retry_at, delay=delay, online=False
        )
        return result

    async def _send_due(
        self,
        client: ExchangeClient,
        endpoint: Endpoint,
        departments: tuple[str, ...] | None,
        exclude: tuple[str, ...],
        result: EndpointReport,
        retry_now: bool,
    ) -> None:
        """Send this endpoint's due envelopes batch by batch, ``IN_FLIGHT_PER_ENDPOINT`` batches
        at a time (a slow county line's round trips overlap); a transient failure stops it."""
        taken = 0
        failures: list[TransportFailure] = []
        round_started = _iso(self.clock())

        async def sender() -> None:
            nonlocal taken
            while taken < MAX_ENVELOPES_PER_ROUND and not failures:
                size = self._batch_size.get(endpoint.key, min(self.settings.sync.batch_size, MAX_ENVELOPES_PER_REQUEST))
                now = self.clock()
                # Claiming is one synchronous write transaction: two senders never take the same row.
                rows = outbox_store.claim_due(
                    self.db,
                    _iso(now),
                    limit=size,
                    departments=departments,
                    exclude=exclude,
                    retry_at=lambda attempts, now=now: _iso(now + dt.timedelta(seconds=self.backoff.delay(attempts))),
                    ignore_schedule=retry_now,
                    round_started=round_started,
                )
                if not rows:
                    return
                taken += len(rows)
                try:
                    await self._send_batch(client, endpoint, rows, result)
                except TransportFailure as failure:
                    failures.append(failure)
                    return

        await asyncio.gather(*(sender() for _ in range(IN_FLIGHT_PER_ENDPOINT)))
        if failures:
            raise failures[0]

    async def _send_batch(self, client: ExchangeClient, endpoint: Endpoint, rows: list[OutgoingEnvelope], result: EndpointReport) -> None:
        try:
            answers = await client.send_envelopes(list(rows), audit_head=self._wire_head())
        except TransportFailure as failure:
            if failure.kind == "too_large" and len(rows) > 1:
                half = max(1, len(rows) // 2)
                self._batch_size[endpoint.key] = half
                for part in (rows[:half], rows[half:]):
                    await self._send_batch(client, endpoint, part, result)
                return
            if failure.kind == "refused" or failure.kind == "too_large":
                if len(rows) > 1:  # find the envelope at fault: the others are fine
                    half = len(rows) // 2
                    for part in (rows[:half], rows[half:]):
                        await self._send_batch(client, endpoint, part, result)
                    return
                now = _iso(self.clock())
                with sync_state.write_transaction(self.db):
                    if record_rejected(self.db, rows[0], reason=failure.words.in_language("en"), now=now):
                        result.quarantined += 1
                result.error = failure.words
                return
            if failure.kind == "server" and any(row.server_errors + 1 >= MAX_SERVER_ERRORS for row in rows):
                if len(rows) > 1:  # the envelope the exchange chokes on may be one of them: find it
                    half = len(rows) // 2
                    for part in (rows[:half], rows[half:]):
                        await self._send_batch(client, endpoint, part, result)
                    return
                words = Words(
                    "交换平台对此件连续 {n} 次回答服务器错误，已退回，不再自动重发：{detail}",
                    "The exchange answered this part with a server error {n} times in a row; "
                    "returned, not resent on its own: {detail}",
                ).format(n=rows[0].server_errors + 1, detail=failure.words)
                with sync_state.write_transaction(self.db):
                    if record_quarantine(self.db, rows[0], words, now=_iso(self.clock())):
                        result.quarantined += 1
                result.error = words
                return
            self._retry_later(rows, failure)
            result.failed += len(rows)
            raise
        created, duplicate, quarantined = record_results(
            self.db, rows, answers, now=_iso(self.clock()), signer=self.signer
        )
        result.sent += created
        result.duplicate += duplicate
        result.quarantined += quarantined
        if quarantined:
            reasons = [answer.reason for answer in answers if answer.status == "rejected"]
            result.error = Words(
                "{n} 件被交换平台退回（{reason}）",
                "{parts} returned by the exchange ({reason})",
            ).format(n=quarantined, parts=counted(quarantined, "part"), reason=reasons[-1])

    def _retry_later(self, rows: list[OutgoingEnvelope], failure: TransportFailure) -> None:
        """Transient failure: each envelope's next attempt after its own backoff (or Retry-After)."""
        now = self.clock()
        if failure.kind == "auth":
            outbox_store.record_note(self.db, [row.envelope_id for row in rows], failure.words)
            outbox_store.unclaim(self.db, [row.envelope_id for row in rows], _iso(now))
            return
        by_time: dict[str, list[str]] = {}
        for row in rows:
            delay = self.backoff.delay(row.attempts, retry_after=failure.retry_after)
            by_time.setdefault(_iso(now + dt.timedelta(seconds=delay)), []).append(row.envelope_id)
        for when, ids in by_time.items():
            outbox_store.record_retry(self.db, ids, when, failure.words, server_error=failure.kind == "server")

    async def _pull_events(self, client: ExchangeClient, endpoint: Endpoint, cursor: int) -> Effect:
        """Fetch and apply the endpoint's events after ``cursor``; each in one transaction with it."""
        effect = Effect()
        for _ in range(MAX_EVENT_PAGES_PER_ROUND):
            events, new_cursor, more = await client.fetch_events(cursor, EVENTS_PAGE)
            for event in sorted(events, key=lambda e: e["seq"]):
                if event["seq"] <= cursor:
                    continue
                now = _iso(self.clock())
                with sync_state.write_transaction(self.db):
                    effect.add(apply_event(self.db, endpoint.key, event, now=now, signer=self.signer))
                    sync_state.set_cursor(self.db, endpoint.key, event["seq"])
                cursor = event["seq"]
            if new_cursor > cursor:
                with sync_state.write_transaction(self.db):
                    sync_state.set_cursor(self.db, endpoint.key, new_cursor)
                cursor = new_cursor
            if not events or not more:
                break
        return effect

    async def _refresh_catalog(self, client: ExchangeClient) -> CatalogRefresh:
        etag = sync_state.read_value(self.db, "catalog_etag") or self._catalog_etag
        outcome = await refresh_catalog(client, self.settings.data_dir, etag, CatalogTrust.of(self.settings))
        if outcome.status in ("installed", "present", "unchanged") and outcome.digest:
            sync_state.write_value(self.db, "catalog_etag", outcome.digest)
        return outcome


def failure_words(exc: BaseException) -> Words:
    """What went wrong, in words: a :class:`WindowAppError`'s own (a storage error says what
    to do), else the exception's text (or its name), the same in both languages."""
    if isinstance(exc, WindowAppError):
        return exc.words
    text = str(exc) or type(exc).__name__
    return Words(text, text)
