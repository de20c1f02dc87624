"""The window's services: the one facade the screens and the CLI both call.

Screens never run SQL and the CLI never re-implements a rule: both go through :class:`Window`,
so ``window-app accept FILE.json`` validates exactly as the screens validate.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import platformdirs

import offline_cache
import window_app
import window_app.intake
import window_app.sync
from offline_cache import clerks as clerk_store
from offline_cache import outbox as outbox_store
from offline_cache.db import open_database, storage_errors
from window_app.catalog.cache import cached_catalog_and_offerings, collection_paused
from window_app.catalog.local_names import as_seen_from
from window_app.catalog.search import OfferingIndex
from window_app.domain.calendar import calendar_warning
from window_app.domain.clerks import Clerk, NotPermitted, Permission, Role
from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words, counted, speaking
from window_app.sync.catalog_refresh import load_preferred_catalog
from window_app.sync.status import sync_status

log = logging.getLogger("window_app.window")

if TYPE_CHECKING:
    from offline_cache.db import Database
    from window_app.audit_check import AuditReport
    from window_app.backup import BackupHeader
    from window_app.catalog.offerings import OfferingTable
    from window_app.clerks import Session
    from window_app.clocks import ClockWarnings
    from window_app.config import Settings
    from window_app.domain.applications import AcceptedApplication, ApplicationDetail, ApplicationSummary, DraftSummary
    from window_app.domain.catalog import Catalog, Offering
    from window_app.domain.clocks import ApplicationClock
    from window_app.domain.handling import HandoverList
    from window_app.domain.intake import Intake, MaterialStatus, Problem
    from window_app.domain.outbox import OutboxEntry
    from window_app.domain.progress import ActionNeeded, ItemDecision
    from window_app.domain.ratings import Rating, RatingCount, RectificationCase
    from window_app.domain.survey import Appointment, Slot
    from window_app.domain.sync import SyncStatus
    from window_app.identity import WindowIdentity
    from window_app.intake.guide import Guide
    from window_app.notices.model import Notice
    from window_app.notices.printing import PrintOutcome
    from window_app.notices.render import Rendered
    from window_app.reporting.hot import HotList
    from window_app.reporting.numbers import Report
    from window_app.sync.engine import SyncEngine


class IntakeInvalid(WindowAppError):
    """Accepting was refused: the problems say where and why. Nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(
            Words(
                "申请有 {n} 个问题，未受理，未写入任何内容：", "{problems}; not accepted, nothing was written:"
            ).format(n=len(problems), problems=counted(len(problems), "problem")),
            [Words(f"{problem.path}: ") + problem.words for problem in problems],
        )
        self.problems = problems


@dataclass
class Window:
    """One window: its settings, its catalog, its database, its search index."""

    settings: Settings
    catalog: Catalog
    db: Database
    index: OfferingIndex
    clock: Callable[[], dt.datetime] | None = None  # None: now in the window's zone ([window] time_zone)
    session: Session | None = None
    rating_step: str = ""  # the receipt number whose applicant may rate now (set by accept or a handover of results, used once)
    rating_occasion: str = "receipt"  # the occasion of that step: "receipt" (after accept) or "conclusion" (results handed over)

    def __post_init__(self) -> None:
        if self.clock is None:
            zone = self.settings.zone  # the window's calendar (receipt-number days), not the machine's
            self.clock = lambda: dt.datetime.now(zone)

    @classmethod
    def open(cls, settings: Settings, clock: Callable[[], dt.datetime] | None = None) -> Window:
        """Open (and migrate) the database, load the catalog, load the search keys.

        Raises:
            window_app.catalog.loader.CatalogError: The catalog is malformed (file, entry, reason).
            window_app.domain.errors.StorageError: The database cannot be opened (words, not a traceback).
        """

        window_app.clocks.install_holiday_file(settings)  # the calendar's local year(s), before the database
        db = open_database(settings.database_path)
        tables: list[OfferingTable] = []

        def load(path: Path) -> Catalog:
            loaded, table = cached_catalog_and_offerings(db, path)
            tables[:] = [table]  # of the catalog finally opened (load_preferred_catalog may fall back)
            return loaded

        with collection_paused():  # many objects made (on a first start, hundreds of thousands), none of them garbage
            try:
                # A downloaded newer catalog, else the shipped one; read back from its snapshot in
                # the database while its files are unchanged (parsing a 10,000-offering catalog
                # takes seconds), with its offerings' search texts (pinyin, computed once per
                # catalog); its bundles and items are decoded when first used.
                catalog = load_preferred_catalog(settings, load=load)
            except BaseException:
                db.close()
                raise
            # Another county's bodies are never named at this window (属地…部门 instead).
            catalog = as_seen_from(catalog, settings.window.region)
            index = tables[0].index(catalog, settings.window.region)
        window = cls(settings=settings, catalog=catalog, db=db, index=index)
        if clock is not None:
            window.clock = clock
        return window

    def close(self) -> None:
        self.lock()
        self.db.close()

    # -- clerks (window_app/clerks.py; the roles: window_app/domain/clerks.py) -------------

    @property
    def clerk(self) -> Clerk | None:
        """The signed-in clerk, ``None`` while the window is locked."""
        return self.session.clerk if self.session else None

    def require(self, permission: Permission) -> Clerk:
        """The signed-in clerk if they may do ``permission``.

        Raises:
            NotPermitted: Nobody is signed in, or the clerk's roles do not allow it (in words).
        """
        if self.session is None:
            raise NotPermitted(permission, None)
        return self.session.require(permission)

    def has_clerks(self) -> bool:
        """Whether any account exists (a new window has none: its first start makes one)."""
        with storage_errors(Words("读取账号", "Reading the accounts")):
            return clerk_store.count_clerks(self.db) > 0

    def create_first_administrator(self, clerk_id: str, name: str, pin: str, **kdf: Any) -> Clerk:
        """The first account of a new window, signed in (administrator, supervisor, acceptor).

        Raises:
            window_app.clerks.AccountError: Accounts exist, or the id/name/PIN is not acceptable.
        """
        session = window_app.clerks.create_first_administrator(
            self.db, clerk_id, name, pin, now=self.now(), **kdf
        )
        self._begin(session)
        return session.clerk

    def sign_in(self, clerk_id: str, pin: str) -> Clerk:
        """Sign a clerk in (the one signed in before is signed out).

        Raises:
            window_app.clerks.AccountError: Unknown, wrong PIN (tries left), locked (until), disabled.
        """
        self.lock()
        settings = self.settings.clerks
        session = window_app.clerks.sign_in(
            self.db,
            clerk_id,
            pin,
            now=self.now(),
            lock_after=settings.lock_after_failures,
            lockout=dt.timedelta(minutes=settings.lockout_minutes),
        )
        self._begin(session)
        return session.clerk

    def lock(self) -> None:
        """Sign out: the data key is forgotten (what the screens hold stays with them)."""
        self.session = None
        self.db.data_key = None

    def _begin(self, session: Session) -> None:
        self.session = session
        self.db.data_key = session.data_key

    def _session(self, permission: Permission) -> Session:
        self.require(permission)
        assert self.session is not None
        return self.session

    def clerks(self) -> list[Clerk]:
        """Every account (administrators and supervisors)."""
        if self.clerk is None or not self.clerk.may(Permission.UNLOCK_ACCOUNTS):  # administrators hold it too
            self.require(Permission.MANAGE_ACCOUNTS)
        return window_app.clerks.list_clerks(self.db)

    def add_clerk(self, clerk_id: str, name: str, roles: tuple[Role, ...], pin: str, **kdf: Any) -> Clerk:
        return window_app.clerks.add_clerk(
            self.db, self._session(Permission.MANAGE_ACCOUNTS), clerk_id, name, roles, pin, now=self.now(), **kdf
        )

    def reset_pin(self, clerk_id: str, pin: str, **kdf: Any) -> Clerk:
        """A new PIN: an administrator for anyone, any clerk for themselves."""
        if self.session is None:
            raise NotPermitted(Permission.MANAGE_ACCOUNTS, None)
        return window_app.clerks.reset_pin(self.db, self.session, clerk_id, pin, now=self.now(), **kdf)

    def set_clerk_roles(self, clerk_id: str, roles: tuple[Role, ...]) -> Clerk:
        clerk = window_app.clerks.set_roles(self.db, self._session(Permission.MANAGE_ACCOUNTS), clerk_id, roles, now=self.now())
        if self.session and clerk.id == self.session.clerk.id:
            self.session = dataclasses.replace(self.session, clerk=clerk)
        return clerk

    def disable_clerk(self, clerk_id: str) -> Clerk:
        return window_app.clerks.disable_clerk(self.db, self._session(Permission.MANAGE_ACCOUNTS), clerk_id, now=self.now())

    def unlock_clerk(self, clerk_id: str) -> Clerk:
        return window_app.clerks.unlock_clerk(self.db, self._session(Permission.UNLOCK_ACCOUNTS), clerk_id, now=self.now())

    def rekey(self) -> None:
        """A new window data key: the stored personal data re-encrypted under it, sealed to every
        active clerk; the old key opens nothing afterwards."""
        session = window_app.clerks.rekey(self.db, self._session(Permission.MANAGE_ACCOUNTS), now=self.now())
        self._begin(session)

    # -- catalog -------------------------------------------------------------------------

    def offerings(self) -> list[Offering]:
        """Everything this window's region offers, bundles first, in display order."""
        return self.index.offerings

    def search(self, query: str) -> list[Offering]:
        """Offerings matching hanzi, full pinyin, pinyin initials or keywords, best first."""
        return self.index.search(query)

    def offering(self, offering_id: str) -> Offering:
        """One offering by id (bundle or standalone item) offered here.

        Raises:
            KeyError: Unknown here (not in the catalog, or not offered in this region).
        """
        return self.index.get(offering_id)

    def guide(self, intake: Intake) -> Guide:
        """Items, merged checklist, unified form and dispatch plan for the intake as it stands."""
        return window_app.intake.guide.build_guide(self.catalog, self.offering(intake.offering), intake)

    def preview(self, offering_id: str) -> Guide:
        """The guide under default answers: what the pick screen previews."""
        return self.guide(self.new_intake(offering_id))

    # -- intake --------------------------------------------------------------------------

    def new_intake(self, offering_id: str) -> Intake:
        """A fresh intake for an offering, answers at their defaults."""
        return window_app.intake.guide.new_intake(self.catalog, self.offering(offering_id))

    def validate(self, intake: Intake, step: str | None = None) -> list[Problem]:
        """Problems of one step (``applicant``, ``situation``, ``checklist``, ``form``) or of all."""

        return window_app.intake.validate.validate_intake(
            self.catalog,
            self.offering(intake.offering),
            intake,
            step=step,
            today=self.today(),
            region=self.settings.window.region,
        )

    def prefill(self, intake: Intake) -> dict[str, str]:
        """Fill the intake's empty form fields from the applicant step; returns what was filled."""

        return window_app.intake.form.apply_prefill(intake, self.guide(intake).form, self.settings.window.region)

    def save_draft(self, intake: Intake) -> str:
        """Store the intake as a draft (survives quitting); returns the draft id.

        Drafts belong to the window, not to one clerk: a helper (帮办代办员) fills one, an
        acceptor accepts it.
        """
        self.require(Permission.DRAFT)

        return offline_cache.drafts.save_draft(
            self.db, intake, now=self.now(), offering_name=self.offering(intake.offering).bundle.name.zh
        )

    def drafts(self) -> list[DraftSummary]:
        self.require(Permission.DRAFT)

        return offline_cache.drafts.list_drafts(self.db)

    def load_draft(self, draft_id: str) -> Intake:
        self.require(Permission.DRAFT)

        intake = offline_cache.drafts.load_draft(self.db, draft_id)
        # A draft saved before two fields were merged into one opens with the canonical id.
        window_app.intake.form.migrate_merged_fields(self.catalog, intake)
        return intake

    def discard_draft(self, draft_id: str) -> None:
        self.require(Permission.DRAFT)

        offline_cache.drafts.delete_draft(self.db, draft_id)

    def accept(self, intake: Intake) -> AcceptedApplication:
        """Validate, then write application + outbox envelopes + audit event in one transaction.

        Only a sole approver (``Permission.DECIDE_AT_WINDOW``) may conclude class-1 items at the
        window (``intake.at_window``).

        Raises:
            NotPermitted: The signed-in clerk may not accept (or nobody is signed in).
            IntakeInvalid: Nothing was written.
            window_app.handling.AtWindowRefused: Nothing was written.
            window_app.domain.errors.StorageError: Nothing was written (the transaction rolled back).
        """
        clerk = self.require(Permission.ACCEPT)
        offering = self.offering(intake.offering)
        window_app.intake.form.migrate_merged_fields(self.catalog, intake)  # a file written before a field merge
        guide = window_app.intake.guide.build_guide(self.catalog, offering, intake)
        problems = window_app.intake.validate.validate_intake(
            self.catalog, offering, intake, today=self.today(), region=self.settings.window.region, guide=guide
        )
        if problems:
            raise IntakeInvalid(problems)
        # The recorded copy gets the prefilled values; the clerk's intake is left as it was.
        accepted = window_app.accepting.accept_intake(
            self.db, self.catalog, self.settings, intake, guide, clerk=clerk, now=self.now()
        )
        if self.settings.rating.at_window:  # else a separate rating pad, or the tracking page
            self.rating_step, self.rating_occasion = accepted.receipt_no, "receipt"  # the applicant may rate once, now
        if window_app.surveys.planning.is_survey(accepted.summary, self.catalog):  # from what accept returned: no read
            self._propose_survey_at_accept(accepted.receipt_no)
        return accepted

    def _propose_survey_at_accept(self, receipt_no: str) -> None:
        """Acceptance of a joint site survey proposes the default slot (the next working day 09:30
        at the form's site, the clerk the contact) to every department asked; the clerk changes it
        with T on the detail until it is confirmed. Written just after the accept's transaction: a
        slot that cannot be made (no site in the form) or a crash between the two leaves the
        detail saying "no appointment yet; press T", never a lost application."""
        try:
            self.propose_survey(receipt_no, self.default_survey_slot(receipt_no))
        except WindowAppError as error:
            log.info("no survey slot proposed at accept for %s: %s", receipt_no, error)

    # -- applications --------------------------------------------------------------------

    def _applications_of(self) -> str | None:
        """Whose applications the signed-in clerk sees: ``None`` for everyone's (a supervisor),
        else their own 工号."""
        clerk = self.require(Permission.VIEW_APPLICATIONS)
        return None if clerk.may(Permission.VIEW_ALL_APPLICATIONS) else clerk.id

    def _may_see(self, receipt_no: str) -> None:
        """Raises KeyError for no such application, NotPermitted for someone else's."""
        clerk_id = self._applications_of()
        accepted_by = offline_cache.applications.accepted_by(self.db, receipt_no)
        if accepted_by is None:
            raise KeyError(receipt_no)
        if clerk_id is not None and accepted_by != clerk_id:
            raise NotPermitted(Permission.VIEW_ALL_APPLICATIONS, self.clerk)

    def outbox_unsent(self) -> int:
        """Envelopes accepted here and not yet delivered to their departments (queued + held)."""

        return outbox_store.count_unsent(self.db)

    def applications(
        self,
        query: str = "",
        limit: int = 500,
        *,
        offset: int = 0,
        on_day: dt.date | None = None,
        first: Sequence[str] = (),
        only: Sequence[str] | None = None,
    ) -> list[ApplicationSummary]:
        """A page of the accepted applications, newest first, filtered by receipt/name/id/bundle
        text: the clerk's own, or every one for a supervisor.

        Args:
            offset: How many come before the page.
            on_day: Only those accepted on this day of the window's calendar (``first`` aside).
            first: Receipt numbers listed first, in this order (what needs the clerk).
            only: Only these, in this order (the clocks' warnings: :meth:`clock_warnings`).
        """

        return offline_cache.applications.list_applications(
            self.db,
            query=query,
            limit=limit,
            offset=offset,
            clerk_id=self._applications_of(),
            accepted_between=self._day_bounds(on_day),
            first=first,
            only=only,
        )

    def count_applications(
        self, query: str = "", *, on_day: dt.date | None = None, first: Sequence[str] = (),
        only: Sequence[str] | None = None,
    ) -> int:
        """How many :meth:`applications` lists with the same arguments, every page."""
        return offline_cache.applications.count_applications(
            self.db, query=query, clerk_id=self._applications_of(), accepted_between=self._day_bounds(on_day),
            first=first, only=only,
        )

    # -- statutory clocks ----------------------------------------------------------------

    def clock_warnings(self) -> ClockWarnings:
        """The applications the signed-in clerk sees (their own, or all for a supervisor) whose
        statutory clock is past 80% of its limit or overdue, today (the window's calendar day)."""
        return window_app.clocks.clock_warnings(
            self.db, self.catalog, zone=self.zone, today=self.today(), clerk_id=self._applications_of()
        )

    def clock_warnings_apart(self) -> ClockWarnings:
        """:meth:`clock_warnings` on a read-only connection of its own: safe to call from a
        thread while the UI thread uses the window's connection (:mod:`screens.clock_watch`)."""
        return window_app.clocks.clock_warnings_apart(
            self.settings.database_path, self.catalog, zone=self.zone, today=self.today(), clerk_id=self._applications_of()
        )

    def application_clock(self, receipt_no: str) -> ApplicationClock | None:
        """One application's clocks (every part's, and the bundle's date from its slowest stage).

        Raises:
            NotPermitted: Someone else's application, for a clerk who sees only their own.
        """
        try:
            self._may_see(receipt_no)
        except KeyError:
            return None
        return window_app.clocks.clock_of(self.db, self.catalog, receipt_no, zone=self.zone, today=self.today())

    def calendar_warning(self) -> Words | None:
        """Words when the holiday calendar lacks this year or the next (counted weekends only there)."""
        return calendar_warning(self.today())

    def _day_bounds(self, day: dt.date | None) -> tuple[dt.datetime, dt.datetime] | None:
        """The moments a day of the window's calendar starts and ends."""
        if day is None:
            return None
        start = dt.datetime.combine(day, dt.time(), tzinfo=self.zone)
        return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=self.zone)

    def needs_action(self) -> list[ActionNeeded]:
        """What needs the signed-in clerk (需处理), most urgent first: open supplement requests
        and refusals not yet seen on the applications they see (their own, or every one for a
        supervisor), and quarantined envelopes if they may send them again."""
        clerk = self.require(Permission.VIEW_APPLICATIONS)
        return offline_cache.actions.needs_action(
            self.db,
            viewer=clerk.id,
            clerk_id=self._applications_of(),
            quarantined=clerk.may(Permission.QUARANTINE),
        )

    def mark_seen(self, receipt_no: str) -> None:
        """The clerk opened the application: its refusals no longer count as needing action.

        Raises:
            KeyError: No such receipt number.
            NotPermitted: Another clerk's application, and the signed-in clerk is no supervisor.
        """
        self._may_see(receipt_no)
        clerk = self.require(Permission.VIEW_APPLICATIONS)
        offline_cache.actions.mark_refusals_seen(self.db, receipt_no, clerk.id, self.now().astimezone(dt.UTC).isoformat())

    def application(self, receipt_no: str) -> ApplicationDetail:
        """One application with its department parts and audit trail.

        Raises:
            KeyError: No such receipt number.
            NotPermitted: Another clerk's application, and the signed-in clerk is no supervisor.
        """
        self._may_see(receipt_no)
        return offline_cache.applications.get_application(self.db, receipt_no)

    def receipt_text(self, receipt_no: str) -> str:
        """The printable receipt (plain text) of an accepted application."""

        detail = self.application(receipt_no)
        return window_app.receipt.render_receipt(
            detail, self.catalog, zone=self.zone, tracking_link=self.tracking_link(detail)
        )

    def tracking_link(self, detail: ApplicationDetail) -> str:
        """Where the applicant follows ``detail`` from a phone (``[tracking] base_url``), with
        its tracking code; empty for an application accepted before there were codes."""
        if not detail.tracking_code:
            return ""
        return window_app.tracking.tracking_link(self.settings, detail.summary.receipt_no, detail.tracking_code)

    # -- notices: what the applicant takes home (window_app/notices/) ----------------------

    def notice(self, kind: str, receipt_no: str) -> Notice:
        """One notice of an accepted application: ``receipt``, ``supplement``,
        ``supplement-received``, ``refusal`` or ``handover`` (``one-time`` is
        :meth:`one_time_notice`, from an intake), in ``[print] language``.

        Raises:
            KeyError: No such receipt number.
            NoticeUnavailable: The application has nothing for this notice (no supplement asked,
                nothing refused, no class-3 part), or ``kind`` is unknown.
        """
        with speaking(self.settings.print.language):
            return self._notice(kind, receipt_no)

    def _notice(self, kind: str, receipt_no: str) -> Notice:
        notices = window_app.notices
        detail = self.application(receipt_no)
        zone = self.zone
        if kind == "receipt":
            return notices.receipt.receipt_notice(detail, self.catalog, zone=zone, tracking_link=self.tracking_link(detail))
        if kind == "supplement":
            return notices.supplement.supplement_notice(detail, self.catalog, self.item_decisions(receipt_no).values(), zone=zone)
        if kind == "supplement-received":
            return notices.supplement_received.supplement_received_notice(detail, self.catalog, zone=zone)
        if kind == "refusal":
            return notices.refusal.refusal_notice(detail, self.catalog, self.item_decisions(receipt_no).values(), zone=zone)
        if kind == "handover":
            return notices.handover.handover_notice(detail, self.catalog, self.handovers(receipt_no), zone=zone)
        raise notices.model.NoticeUnavailable(
            Words("没有“{kind}”这种告知书", "There is no notice of kind {kind!r}").format(kind=kind),
            [", ".join(notices.model.NOTICE_KINDS)],
        )

    def one_time_notice(self, intake: Intake) -> Notice:
        """The 一次性告知书 of an intake as it stands, without accepting it, in ``[print] language``."""
        with speaking(self.settings.print.language):
            return window_app.notices.one_time.one_time_notice(
                self.guide(intake), intake, self.catalog, centre=self.settings.window.centre, today=self.now().date()
            )

    @property
    def documents_dir(self) -> Path:
        """Where notices are saved for printing: ``<data dir>/documents``; on Windows, when the
        data dir is the default (hidden in %LOCALAPPDATA%), ``Documents\\window-app``, where a
        clerk finds them in Explorer."""
        if sys.platform == "win32" and not self.settings.storage.data_dir:
            return platformdirs.user_documents_path() / "window-app"
        return self.settings.data_dir / "documents"

    def write_notice(self, notice: Notice, path: Path | None = None, *, font_dirs: Sequence[Path] | None = None) -> Rendered:
        """Write ``notice`` as a PDF (``[print] paper``, a Chinese font found on the system or
        ``[print] font``), or as HTML where no Chinese font is found (``Rendered.note`` says so).

        Args:
            path: The file (its suffix becomes ``.pdf`` or ``.html``); default: the
                :attr:`documents_dir`, named after the notice.
            font_dirs: Where to look for a font instead of the system's places.

        Raises:
            OSError: The file could not be written.
        """
        target = path or self.documents_dir / f"{notice.file_stem}.pdf"
        with speaking(self.settings.print.language):  # the PDF's line breaking follows the notice's language
            return window_app.notices.render.render_notice(
                notice, target, paper=self.settings.print.paper, font=self.settings.print.font, font_dirs=font_dirs
            )

    def print_notice(self, notice: Notice) -> tuple[Rendered, PrintOutcome]:
        """Write ``notice`` to the documents folder and send it to the default printer where
        printing is possible; the outcome's words say what happened and where the file is.

        Raises:
            OSError: The file could not be written.
        """
        rendered = self.write_notice(notice)
        return rendered, window_app.notices.printing.print_file(rendered.path)

    def handovers(self, receipt_no: str = "", *, pending_only: bool = False) -> list[HandoverList]:
        """Handover lists (材料移交单) of class-3 parts: one application's, or all (oldest first;
        ``pending_only``: those the department has not acknowledged yet)."""
        if receipt_no:
            self._may_see(receipt_no)
        else:
            self.require(Permission.VIEW_ALL_APPLICATIONS)  # every window's follow-up: a supervisor's

        if receipt_no:
            found = offline_cache.handovers.handovers_of(self.db, receipt_no)
            return [h for h in found if not (pending_only and h.acknowledged)]
        return offline_cache.handovers.list_handovers(self.db, pending_only=pending_only)

    def handover_text(self, receipt_no: str) -> str:
        """The printable 材料移交单 of an application, one sheet per class-3 part.

        Raises:
            KeyError: No such receipt number, or it has no handover list.
        """

        detail = self.application(receipt_no)
        found = self.handovers(receipt_no)
        if not found:
            raise KeyError(receipt_no)
        return "\n\n".join(
            window_app.handover.render_handover(h, centre=detail.centre, window_id=detail.window_id, zone=self.zone) for h in found
        )

    def save_receipt(self, receipt_no: str) -> Path:
        """Write the receipt to ``<data dir>/receipts/<receipt no>.txt`` for printing.

        Raises:
            OSError: The file could not be written (the application itself is safe in SQLite).
        """
        text = self.receipt_text(receipt_no)
        path = self.settings.data_dir / "receipts" / f"{receipt_no}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        return path

    def export_applications(self, stream: TextIO, fmt: str) -> int:
        """Every accepted application, one row per department part, written to ``stream`` as
        ``csv`` or ``json``; returns how many rows were written (a supervisor's task)."""
        self.require(Permission.VIEW_ALL_APPLICATIONS)
        rows = offline_cache.export.application_rows(self.db)
        return offline_cache.export.write_rows(rows, offline_cache.export.export_columns(self.db), stream, fmt)

    def backup(self, path: Path) -> BackupHeader:
        """An encrypted backup of this window's data in the new file ``path``
        (:mod:`window_app.backup`; supervisors and administrators).

        Raises:
            NotPermitted / window_app.backup.BackupError / OSError: Nothing is left behind.
        """
        session = self._session(Permission.BACKUP)
        return window_app.backup.make_backup(self.db, self.settings, session, path, now=self.now())

    # -- 好差评: ratings and rectification (window_app/ratings/) ---------------------------

    # -- 联合踏勘 (joint site survey) -------------------------------------------------------------

    def needs_survey(self, receipt_no: str) -> bool:
        """The application is of a survey bundle (or has an item needing the site visit)."""
        return window_app.surveys.planning.is_survey(self.application(receipt_no).summary, self.catalog)

    def survey(self, receipt_no: str) -> Appointment | None:
        """The application's survey appointment with every department's answer, or ``None``."""
        self._may_see(receipt_no)
        return offline_cache.survey.appointment_of(self.db, receipt_no)

    def default_survey_slot(self, receipt_no: str) -> Slot:
        """What the proposal dialog starts with: the next working day 09:30 at the site, the
        signed-in clerk the contact (or the slot proposed last, if there is one)."""
        held = self.survey(receipt_no)
        if held is not None:
            return held.slot
        clerk = self.require(Permission.ACCEPT)
        return window_app.surveys.planning.default_slot(
            self.application(receipt_no), clerk.name, self.now(), self.zone, self.settings.window.phone
        )

    def propose_survey(self, receipt_no: str, slot: Slot) -> Appointment:
        """Propose ``slot`` to every department asked (sent by the next sync round).

        Raises:
            SurveyRefused: No survey here, a bad slot, or already confirmed (nothing written).
        """
        clerk = self.require(Permission.ACCEPT)
        detail = self.application(receipt_no)
        return window_app.surveys.planning.propose(self.db, detail, self.catalog, slot, clerk=clerk.id, now=self.now())

    def confirm_survey(self, receipt_no: str, slot: Slot) -> Appointment:
        """Confirm ``slot`` to every department (sent by the next sync round).

        Raises:
            SurveyRefused: No appointment, or already confirmed (nothing written).
        """
        clerk = self.require(Permission.ACCEPT)
        self._may_see(receipt_no)
        return window_app.surveys.planning.confirm(self.db, receipt_no, slot, clerk=clerk.id, now=self.now())

    def survey_lines(self) -> list[Words]:
        """The clerk's survey lines: tomorrow's surveys, appointments waiting for them."""
        return window_app.surveys.reminders.clerk_lines(self.db, now=self.now(), zone=self.zone, clerk_id=self._applications_of())

    def rate_at_window(self, receipt_no: str, level: int, reasons: tuple[str, ...] = ()) -> Rating:
        """The applicant's rating at the window's rating step: after their receipt (the
        application just accepted in this session) or when the results of their concluded
        application are handed over (:meth:`hand_over_results`); once per occasion (there is no
        other way to rate at the window: a clerk cannot rate later or on anyone's behalf).
        Recorded as the applicant's action, naming the window and the clerk.

        Raises:
            window_app.ratings.recording.RatingRefused: No rating step open for ``receipt_no``,
                the level/reasons are wrong, or the occasion was rated already (words).
                Nothing was written.
        """
        clerk = self.require(Permission.ACCEPT)
        if not receipt_no or receipt_no != self.rating_step:
            raise window_app.ratings.recording.RatingRefused(
                Words(
                    "现在不能为 {no} 评价：评价只能由申请人在受理回执后或领取办结结果时当场进行",
                    "{no} cannot be rated now: only the applicant rates, right after their receipt or when collecting the results",
                ).format(no=receipt_no)
            )
        occasion = self.rating_occasion
        try:
            rating = window_app.ratings.recording.rate_at_window(
                self.db, receipt_no, occasion, level, tuple(reasons), window_clerk=clerk.id, now=self.now(), zone=self.zone
            )
        except window_app.ratings.recording.RatingRefused:
            if offline_cache.ratings.rating_of(self.db, receipt_no, occasion) is not None:
                self.rating_step = ""  # rated meanwhile (the tracking page, pulled by the sync): the step is over
            raise
        self.rating_step = ""
        return rating

    def skip_rating(self, receipt_no: str) -> None:
        """The applicant chose not to rate: the rating step is closed (nothing is stored)."""
        if receipt_no == self.rating_step:
            self.rating_step = ""

    def hand_over_results(self, receipt_no: str) -> bool:
        """The clerk hands a concluded application's results to the applicant (recorded once in
        the audit trail); ``True`` when the rating step at conclusion is open now: the window
        offers it (``[rating] at_window``) and the application holds no rating at conclusion yet
        (from this window or the tracking page: never two).

        Raises:
            KeyError / NotPermitted: No such application, or another clerk's (not a supervisor).
            window_app.ratings.recording.RatingRefused: Not concluded yet (words). Nothing was written.
            StorageError: Nothing was written.
        """
        clerk = self.require(Permission.ACCEPT)
        detail = self.application(receipt_no)
        handed = window_app.ratings.recording.hand_over_results(
            self.db, receipt_no, state=detail.summary.state, clerk_id=clerk.id, now=self.now()
        )
        if not self.settings.rating.at_window or handed.conclusion_rated:
            return False
        self.rating_step, self.rating_occasion = receipt_no, "conclusion"
        return True

    def results_collected_at(self, receipt_no: str) -> str | None:
        """When a concluded application's results were handed over at the window (UTC), or ``None``."""
        self._may_see(receipt_no)
        return offline_cache.ratings.results_collected_at(self.db, receipt_no)

    def ratings_of(self, receipt_no: str) -> list[Rating]:
        """An application's ratings (receipt, conclusion), oldest first."""
        self._may_see(receipt_no)
        return offline_cache.ratings.ratings_of(self.db, receipt_no)

    def rectification_cases(self, *, include_closed: bool = False) -> list[RectificationCase]:
        """差评 rectification cases, those not closed first, by due date (supervisors)."""
        self.require(Permission.RECTIFY)
        return offline_cache.ratings.list_cases(self.db, include_closed=include_closed)

    def overdue_cases(self) -> int:
        """How many rectification cases are past their due date and not closed (supervisors)."""
        self.require(Permission.RECTIFY)
        return offline_cache.ratings.count_overdue(self.db, self.today().isoformat())

    def assign_case(self, case_id: str, assignee: str, department: str = "") -> RectificationCase:
        clerk = self.require(Permission.RECTIFY)
        return window_app.ratings.rectification.assign(self.db, case_id, assignee, department, by=clerk, now=self.now())

    def record_case_callback(self, case_id: str, note: str) -> RectificationCase:
        clerk = self.require(Permission.RECTIFY)
        return window_app.ratings.rectification.record_callback(self.db, case_id, note, by=clerk, now=self.now())

    def record_case_fix(self, case_id: str, note: str) -> RectificationCase:
        clerk = self.require(Permission.RECTIFY)
        return window_app.ratings.rectification.record_fix(self.db, case_id, note, by=clerk, now=self.now())

    def close_case(self, case_id: str) -> RectificationCase:
        clerk = self.require(Permission.RECTIFY)
        return window_app.ratings.rectification.close(self.db, case_id, by=clerk, now=self.now())

    def rating_counts(self, by: str, *, since: dt.datetime | None = None, until: dt.datetime | None = None) -> list[RatingCount]:
        """Ratings per ``window``, ``clerk``, ``bundle`` or ``department`` (statistics)."""
        self.require(Permission.STATISTICS)
        return window_app.ratings.counting.rating_counts(self.db, by, since=since, until=until, today=self.today())

    # -- the audit trail (offline_cache/audit.py, window_app/audit_check.py) ------------

    def audit_head(self) -> dict[str, Any] | None:
        """The latest signed head of the audit chain as JSON (``None`` before the first accept):
        what envelopes and sync rounds carry to the exchange."""

        head = window_app.audit_check.latest_head(self.db)
        return head.to_json() if head is not None else None

    def verify_audit(self, *, online: bool = True) -> AuditReport:
        """Check the audit trail: the chain, the signed heads, the rows that need their events,
        and (``online``) the exchange's head of this window. Read-only.

        Raises:
            window_app.domain.errors.StorageError: The database cannot be read.
        """

        return window_app.audit_check.verify_audit(self.db, self.settings, online=online)

    # -- statistics and the hot list (window_app/reporting/; docs/supervision.md) ----------

    def report(self, period: str = "today", *, first: str = "", last: str = "") -> Report:
        """The statistics of a period: ``today``, ``week``, ``month``, or the days ``first`` …
        ``last`` (``YYYY-MM-DD``, both given). A supervisor's covers every clerk; anyone else's
        their own applications only.

        Raises:
            NotPermitted: Nobody signed in, or a clerk who sees no applications.
            window_app.reporting.periods.BadPeriod: A period or date that is none.
        """
        from window_app.reporting.make import report_of  # the report's modules only when one is asked for

        clerk = self.clerk
        if clerk is None or not (clerk.may(Permission.STATISTICS) or clerk.may(Permission.VIEW_APPLICATIONS)):
            raise NotPermitted(Permission.STATISTICS, clerk)
        return report_of(
            self.db,
            self.catalog,
            zone=self.zone,
            now=self.now(),
            period=period,
            first=first,
            last=last,
            clerk_id=None if clerk.may(Permission.STATISTICS) else clerk.id,
        )

    def hot_list(self) -> HotList:
        """The bundles shown under 热点 (window_app/reporting/hot.py), made once and kept until
        :meth:`refresh_hot_list`."""
        hot = self.__dict__.get("_hot")
        if hot is None:
            hot = self.refresh_hot_list()
        return hot

    def refresh_hot_list(self) -> HotList:
        """Make the 热点 list again (the sync stored a new one, or the window's use changed)."""
        # Only the hot list's modules at the pick screen's first fill, not the report's.
        from window_app.reporting.hot_at_window import hot_list_of

        hot = self.__dict__["_hot"] = hot_list_of(self.db, self.offerings(), self.settings.window.region, self.now())
        self.__dict__.pop("_hot_first", None)
        return hot

    def hot_first(self) -> list[Offering]:
        """Every offering, the 热点 list's first in its order, then the rest in display order
        (what the pick screen lists before anything is typed); made once per hot list."""
        listed = self.__dict__.get("_hot_first")
        if listed is None:
            hot = self.hot_list()
            listed = [self.index.get(offering_id) for offering_id in hot.ids]
            listed += [offering for offering in self.offerings() if offering.id not in hot]
            self.__dict__["_hot_first"] = listed
        return list(listed)

    # -- time (one place, so tests can pin it) -----------------------------------------

    def now(self) -> dt.datetime:
        """Now in the window's time zone: the window's calendar (receipt-number days, promised
        dates), whatever zone the machine or a given clock is in."""
        assert self.clock is not None  # set in __post_init__
        return self.clock().astimezone(self.zone)

    @property
    def zone(self) -> dt.tzinfo:
        """The time zone every moment is shown in (``[window] time_zone``)."""
        return self.settings.zone

    def today(self) -> dt.date:
        return self.now().date()

    # -- sync (window_app/sync/; docs/sync.md) -----------------------------------------

    def sync_status(self) -> SyncStatus:
        """Online or not, how many envelopes are queued / held / quarantined, the last error in
        words: read from the database, no network."""

        return sync_status(self.db, self.settings)

    def supply_material(self, receipt_no: str, department: str, material_id: str, status: MaterialStatus | str) -> str:
        """Record a material a department asked for (补正) and queue it for the department.

        Returns the supplement envelope's id.

        Raises:
            KeyError: No such application, or no part for that department.
            window_app.sync.supplements.SupplementRefused: Not possible now; the words say why.
            window_app.domain.errors.StorageError: Nothing was written.
        """

        clerk = self.require(Permission.SUPPLEMENT)
        self._may_see(receipt_no)
        return window_app.sync.supplements.supplement(
            self.db,
            receipt_no,
            department,
            material_id,
            status,
            now=self.now(),
            signer=window_app.accepting.window_signer(self.db, self.catalog, self.settings),
            clerk=clerk.label,
        )

    # -- the USB courier (window_app/courier/; docs/courier.md) ----------------------------

    def courier_waiting(self) -> int:
        """Envelopes a courier file would carry now (queued for the shared exchange)."""
        return window_app.courier.waiting_count(self.db, self.settings)

    def on_courier(self) -> int:
        """Envelopes carried on a courier file and not yet delivered (the header's 在途U盘)."""
        return window_app.courier.on_courier(self.db)

    def courier_export(self, path: Path) -> window_app.courier.ExportResult:
        """Write what waits for the exchange to a courier file at ``path`` (a new file or a
        directory; supervisors and administrators: the backup permission).

        Raises:
            NotPermitted / window_app.courier.CourierRefused: Nothing was written or marked.
        """
        self.require(Permission.BACKUP)
        signer = window_app.accepting.window_signer(self.db, self.catalog, self.settings)
        return window_app.courier.export_courier(
            self.db, self.settings, path, key=signer.key, now=self.now(), window_id=self.settings.window.id.upper()
        )

    def courier_import(self, path: Path) -> window_app.courier.ApplyResult:
        """Apply the exchange's answer file at ``path`` as a sync round would.

        Raises:
            NotPermitted / window_app.courier.CourierRefused: Refused in words; nothing changed.
        """
        self.require(Permission.BACKUP)
        signer = window_app.accepting.window_signer(self.db, self.catalog, self.settings)
        data = window_app.courier.read_answer(path)
        return window_app.courier.apply_answer(
            self.db, self.settings, data, window_id=self.settings.window.id.upper(), signer=signer,
            key=signer.key, clock=self.now,
        )

    def courier_relay(self, path: Path, answer: Path) -> window_app.courier.RelayResult:
        """At the county centre: hand a township's courier file to the exchange, write its
        answer (the backup permission; nothing of the centre's own changes).

        Raises:
            NotPermitted / window_app.courier.CourierRefused: Nothing was relayed or written.
        """
        self.require(Permission.BACKUP)
        return window_app.courier.relay(self.settings, path, answer)

    def courier_newest_answer(self, folder: Path) -> Path | None:
        """The newest exchange answer file in ``folder`` (``None``: none there)."""
        return window_app.courier.newest_answer(folder)

    def courier_folder(self) -> Path:
        """Where the courier dialog proposes to write: a removable stick if one is mounted,
        else ``courier/`` in the data dir."""
        return window_app.courier.default_folder(self.settings)

    def key_path(self) -> Path:
        """Where this window's private signing key lives (a file of its own, 0600)."""
        return window_app.identity.window_key_path(self.settings, window_app.accepting.installation_tag_of(self.db))

    def identity(self, *, replace: bool = False) -> WindowIdentity:
        """This window's identity (what the exchange registers); makes the key when missing.

        Args:
            replace: Make a new key in place of the old one (rotation: the exchange must revoke
                the old one and register the new one).

        Raises:
            window_app.trust.key_files.KeyFileError: The key cannot be read or written.
        """
        tag = window_app.accepting.installation_tag_of(self.db)
        if replace:
            self.require(Permission.MANAGE_KEYS)
            window_app.identity.replace_window_key(self.settings, tag)
        key = window_app.identity.window_signing_key(self.settings, tag)
        return window_app.identity.window_identity(self.settings, tag, key)

    def registration(self) -> dict[str, Any]:
        """The self-signed registration request for the exchange's operator."""
        tag = window_app.accepting.installation_tag_of(self.db)
        key = window_app.identity.window_signing_key(self.settings, tag)
        return window_app.identity.window_identity(self.settings, tag, key).registration(key)

    def item_decisions(self, receipt_no: str) -> dict[str, ItemDecision]:
        """Each item's latest decision (result number, reason, who, when), by item id."""
        self._may_see(receipt_no)

        return offline_cache.progress.decisions_of(self.db, receipt_no)

    def quarantined(self, limit: int = 500) -> list[OutboxEntry]:
        """Envelopes the exchange refused for good, with the reason in ``last_error``."""
        self.require(Permission.QUARANTINE)

        return outbox_store.list_by_state(self.db, "quarantined", limit)

    def requeue_quarantined(self, envelope_ids: list[str]) -> int:
        """Send quarantined envelopes again (after the cause was fixed): same bytes, same keys."""
        self.require(Permission.QUARANTINE)

        return outbox_store.requeue_quarantined(self.db, envelope_ids, self.now().isoformat())

    def sync_engine(self, **options: Any) -> SyncEngine:
        """A sync engine on its OWN connection to this window's database (close it when done),
        for a worker running beside the screens: ``await engine.run_forever(stop, on_report=…)``."""

        return window_app.sync.engine.SyncEngine.open(self.settings, catalog_etag=self.catalog.digest, **options)
