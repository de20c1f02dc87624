"""Proposing a survey appointment and confirming one slot to all (window side).

The departments asked are those whose part holds an item that needs the site visit
(``site_survey`` in the catalog); the default slot is the next working day at 09:30 (the
window's zone) at the application's site (its location or address field), the clerk the contact.
"""

from __future__ import annotations

import datetime as dt

from offline_cache import survey as store
from offline_cache.db import Database
from window_app.domain.applications import ApplicationDetail, ApplicationSummary
from window_app.domain.calendar import add_working_days
from window_app.domain.catalog import Catalog
from window_app.domain.errors import WindowAppError
from window_app.domain.survey import (
    Appointment,
    Slot,
    confirmed,
    default_start,
    proposed_again,
    slot_problem,
    utc_stamp,
)
from window_app.domain.words import Words

SITE_FIELDS = ("project_location", "land_location", "site_location", "house_location")
"""The form fields that name the site, in the order they are preferred. Only locations: an
appointment travels and is kept in the clear, so an address (a person's or a business's, sealed
at rest and in the envelopes) is never copied into it; the clerk types the place (T) instead."""


class SurveyRefused(WindowAppError):
    """A proposal or a confirmation that cannot be made (in words); nothing was written."""


def survey_departments(detail: ApplicationDetail, catalog: Catalog) -> tuple[str, ...]:
    """The offices whose part holds an item needing the site visit (every part's, if none does)."""
    parts = [p for p in detail.summary.parts if p.state != "cancelled"]
    surveying = sorted({p.department for p in parts if any(
        (item := catalog.items.get(item_id)) is not None and item.site_survey for item_id in p.items)})
    return tuple(surveying or sorted({p.department for p in parts}))


def site_of(detail: ApplicationDetail) -> str:
    """The application's site from its form (a location or address field), or ``""``."""
    fields = detail.intake.fields
    for name in SITE_FIELDS:
        value = str(fields.get(name, "") or "").strip()
        if value:
            return value
    for name, value in sorted(fields.items()):
        if name.endswith("location") and str(value or "").strip():
            return str(value).strip()
    return ""


def default_slot(detail: ApplicationDetail, clerk_name: str, now: dt.datetime, zone: dt.tzinfo, phone: str = "") -> Slot:
    """The slot the dialog starts with: the next working day 09:30 at the site, the clerk to call."""
    start = default_start(now.astimezone(zone).date(), add_working_days, zone)
    return Slot(utc_stamp(start), site_of(detail), clerk_name, phone)


def is_survey(summary: ApplicationSummary, catalog: Catalog) -> bool:
    """The application is of a survey bundle, or one of its items needs the site visit."""
    bundle = catalog.bundles.get(summary.offering_id)
    if bundle is not None and bundle.survey:
        return True
    return any((item := catalog.items.get(i)) is not None and item.site_survey for p in summary.parts for i in p.items)


def propose(db: Database, detail: ApplicationDetail, catalog: Catalog, slot: Slot, *, clerk: str, now: dt.datetime) -> Appointment:
    """Propose ``slot`` (the first proposal, or another one before confirmation).

    Raises:
        SurveyRefused: A bad slot, no survey here, or already confirmed.
        StorageError: Nothing was written.
    """
    _check(slot)
    if not is_survey(detail.summary, catalog):
        raise SurveyRefused(Words("此办件不需要联合踏勘", "this application needs no joint site survey"))
    receipt_no = detail.summary.receipt_no
    held = store.appointment_of(db, receipt_no)
    if held is not None and held.confirmed:
        raise SurveyRefused(Words("踏勘时间已确认，不能再改", "the survey slot is confirmed already"))
    departments = survey_departments(detail, catalog)
    appointment = (
        Appointment(receipt_no, 1, slot, departments, proposed_by=clerk)
        if held is None else proposed_again(held, slot, clerk)
    )
    store.save(db, appointment, actor=clerk, action="survey_proposed", now=now.isoformat())
    return appointment


def confirm(db: Database, receipt_no: str, slot: Slot, *, clerk: str, now: dt.datetime) -> Appointment:
    """Confirm ``slot`` to every department (the proposal's or a department's).

    Raises:
        SurveyRefused: No appointment, already confirmed, or a bad slot.
        StorageError: Nothing was written.
    """
    _check(slot)
    held = store.appointment_of(db, receipt_no)
    if held is None:
        raise SurveyRefused(Words("此办件还没有踏勘预约", "this application has no survey appointment yet"))
    if held.confirmed:
        raise SurveyRefused(Words("踏勘时间已确认", "the survey slot is confirmed already"))
    appointment = confirmed(held, slot, clerk, now)
    store.save(db, appointment, actor=clerk, action="survey_confirmed", now=now.isoformat())
    return appointment


def _check(slot: Slot) -> None:
    problem = slot_problem(slot)
    if problem is not None:
        raise SurveyRefused(problem)
