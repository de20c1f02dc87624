"""联合踏勘 (joint site survey): one appointment per application, every department at the site at once.

The window proposes a slot (day, start time, place, contact); each department involved answers
at that revision: it accepts, or proposes another slot with a note. The window confirms one slot
(its own or a department's) to all: a new revision that nobody answers. Pure records and the
state as a function of them; the window (``offline_cache/survey.py``) and the exchange
(``window_app/exchange/surveys.py``) store them, ``to_json`` / ``*_from_json`` are what crosses the wire.

A slot's start is stored in UTC (``2026-12-08T01:30:00Z``) and shown in the window's zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from window_app.domain.words import Words

ACCEPT = "accept"
PROPOSE = "propose"
ANSWERS = (ACCEPT, PROPOSE)

PROPOSED = "proposed"
PENDING = "answers_pending"
AGREED = "all_agree"
CONFIRMED = "confirmed"
DONE = "done"
STATES = (PROPOSED, PENDING, AGREED, CONFIRMED, DONE)

STATE_WORDS: dict[str, Words] = {
    PROPOSED: Words("已提出，待各部门答复", "proposed, no answer yet"),
    PENDING: Words("部分部门已答复", "answers pending"),
    AGREED: Words("各部门均同意", "all departments agree"),
    CONFIRMED: Words("已确认", "confirmed"),
    DONE: Words("已踏勘", "done"),
}

ANSWER_WORDS: dict[str, Words] = {
    ACCEPT: Words("同意", "accepts"),
    PROPOSE: Words("另提时间", "proposes another slot"),
}

MAX_PLACE = 200
MAX_NOTE = 500
MAX_CONTACT = 60


@dataclass(frozen=True)
class Slot:
    """One proposed time and place.

    Attributes:
        starts_at: The start in UTC, ``YYYY-MM-DDTHH:MM:SSZ``.
        place: Where everyone meets (the site's address).
        contact_name: Who to call on the day (the clerk, or a department's reviewer).
        contact_phone: Their office line (never the applicant's number).
    """

    starts_at: str
    place: str
    contact_name: str = ""
    contact_phone: str = ""

    def moment(self) -> dt.datetime:
        """The start as an aware datetime (UTC)."""
        return dt.datetime.fromisoformat(self.starts_at.replace("Z", "+00:00"))

    def local(self, zone: dt.tzinfo) -> dt.datetime:
        """The start in ``zone`` (the window's)."""
        return self.moment().astimezone(zone)

    def shown(self, zone: dt.tzinfo) -> str:
        """``2026-12-08 09:30 · 地点`` in ``zone``."""
        text = f"{self.local(zone):%Y-%m-%d %H:%M} · {self.place}"
        if self.contact_name or self.contact_phone:
            text += f" · {self.contact_name} {self.contact_phone}".rstrip()
        return text

    def to_json(self) -> dict[str, str]:
        return {
            "starts_at": self.starts_at,
            "place": self.place,
            "contact_name": self.contact_name,
            "contact_phone": self.contact_phone,
        }


def utc_stamp(moment: dt.datetime) -> str:
    """An aware moment as the UTC text slots are stored in."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def slot_at(
    day: dt.date, start: dt.time, zone: dt.tzinfo, place: str, contact_name: str = "", contact_phone: str = ""
) -> Slot:
    """A slot from a local day and time in ``zone`` (what a person types)."""
    moment = dt.datetime.combine(day, start).replace(tzinfo=zone)
    return Slot(utc_stamp(moment), place.strip(), contact_name.strip(), contact_phone.strip())


def parse_slot(day: str, start: str, zone: dt.tzinfo, place: str, contact_name: str = "", contact_phone: str = "") -> Slot | Words:
    """A slot from typed text (``2026-12-08``, ``09:30``), or words saying what is wrong."""
    try:
        parsed_day = dt.date.fromisoformat(day.strip())
    except ValueError:
        return Words("日期须为 YYYY-MM-DD：{v}", "the date must be YYYY-MM-DD: {v}").format(v=day)
    try:
        parsed_time = dt.time.fromisoformat(start.strip())
    except ValueError:
        return Words("时间须为 HH:MM：{v}", "the time must be HH:MM: {v}").format(v=start)
    slot = slot_at(parsed_day, parsed_time, zone, place, contact_name, contact_phone)
    return slot_problem(slot) or slot


def slot_problem(slot: Slot) -> Words | None:
    """What is wrong with a slot (no place, too long …), or ``None``."""
    if not slot.place:
        return Words("请填写踏勘地点", "the place is required")
    if len(slot.place) > MAX_PLACE:
        return Words("地点过长（至多 {n} 字）", "the place is too long (at most {n} characters)").format(n=MAX_PLACE)
    if max(len(slot.contact_name), len(slot.contact_phone)) > MAX_CONTACT:
        return Words("联系人或电话过长", "the contact name or phone is too long")
    try:
        moment = slot.moment()
    except ValueError:
        return Words("时间无效：{v}", "not a valid time: {v}").format(v=slot.starts_at)
    if moment.tzinfo is None or moment.utcoffset() != dt.timedelta(0):
        return Words("时间须为 UTC", "the time must be in UTC")
    return None


def slot_from_json(value: object) -> Slot | Words:
    """A slot from its wire form, checked."""
    if not isinstance(value, dict) or not all(isinstance(value.get(k, ""), str) for k in ("starts_at", "place", "contact_name", "contact_phone")):
        return Words("时段须为 {starts_at, place, contact_name, contact_phone}", "a slot must be {starts_at, place, contact_name, contact_phone}")
    if not isinstance(value.get("starts_at"), str) or not isinstance(value.get("place"), str):
        return Words("时段缺少 starts_at 或 place", "a slot needs starts_at and place")
    slot = Slot(value["starts_at"], value["place"], value.get("contact_name", ""), value.get("contact_phone", ""))
    return slot_problem(slot) or slot


@dataclass(frozen=True)
class SurveyAnswer:
    """One department's answer to one revision of the appointment.

    Attributes:
        department: The office that answered.
        revision: The appointment's revision it answers.
        answer: :data:`ACCEPT` or :data:`PROPOSE`.
        slot: The slot it proposes instead (``PROPOSE`` only).
        note: Why (free text, the department's own language).
        answered_at: When, UTC.
    """

    department: str
    revision: int
    answer: str
    slot: Slot | None = None
    note: str = ""
    answered_at: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "department": self.department,
            "revision": self.revision,
            "answer": self.answer,
            "slot": self.slot.to_json() if self.slot else None,
            "note": self.note,
            "answered_at": self.answered_at,
        }


def answer_from_json(value: object) -> SurveyAnswer | Words:
    """An answer from its wire form (as a department posts it, or the exchange hands it back)."""
    if not isinstance(value, dict):
        return Words("答复须为 JSON 对象", "an answer must be a JSON object")
    answer, revision, note = value.get("answer"), value.get("revision"), value.get("note", "")
    if answer not in ANSWERS:
        return Words("答复须为 accept 或 propose", "the answer must be accept or propose")
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 1:
        return Words("revision 须为正整数", "revision must be a positive integer")
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        return Words("说明须为至多 {n} 字的文本", "the note must be text of at most {n} characters").format(n=MAX_NOTE)
    slot: Slot | None = None
    if answer == PROPOSE:
        parsed = slot_from_json(value.get("slot"))
        if isinstance(parsed, Words):
            return parsed
        slot = parsed
    department = value.get("department", "")
    answered_at = value.get("answered_at", "")
    return SurveyAnswer(
        department if isinstance(department, str) else "", revision, answer, slot, note,
        answered_at if isinstance(answered_at, str) else "",
    )


@dataclass(frozen=True)
class Appointment:
    """An application's survey appointment as the window keeps it.

    Attributes:
        receipt_no: The application.
        revision: 1 for the first proposal; each new proposal or the confirmation adds one.
        slot: The slot of this revision.
        departments: The offices asked to come (those with a site-survey item).
        confirmed_at: When the window confirmed ``slot`` to all (UTC), or ``None``.
        answers: Every answer received, any revision.
        proposed_by: The clerk who proposed (or confirmed) it.
    """

    receipt_no: str
    revision: int
    slot: Slot
    departments: tuple[str, ...]
    confirmed_at: str | None = None
    answers: tuple[SurveyAnswer, ...] = field(default=())
    proposed_by: str = ""

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    def current_answers(self) -> dict[str, SurveyAnswer]:
        """Each department's answer to the current revision (its latest, if it answered twice)."""
        return {answer.department: answer for answer in self.answers if answer.revision == self.revision}

    def counter_proposals(self) -> list[SurveyAnswer]:
        """The other slots departments proposed at this revision, in their order."""
        return [answer for answer in self.current_answers().values() if answer.answer == PROPOSE]

    def record(self, window_id: str) -> dict[str, Any]:
        """What the window signs and posts to the exchange (nothing personal: the site and the
        clerk's office line)."""
        return {
            "receipt_no": self.receipt_no,
            "window_id": window_id,
            "revision": self.revision,
            "state": CONFIRMED if self.confirmed else PROPOSED,
            "slot": self.slot.to_json(),
            "departments": list(self.departments),
        }


def survey_state(appointment: Appointment, now: dt.datetime) -> str:
    """proposed / answers pending / all agree / confirmed / done (the confirmed start has passed)."""
    if appointment.confirmed:
        return DONE if now >= appointment.slot.moment() else CONFIRMED
    answers = appointment.current_answers()
    if not answers:
        return PROPOSED
    if set(appointment.departments) <= set(answers) and all(a.answer == ACCEPT for a in answers.values()):
        return AGREED
    return PENDING


def needs_clerk(appointment: Appointment, now: dt.datetime) -> bool:
    """The clerk has something to do: every department answered, or one proposed another slot."""
    if appointment.confirmed:
        return False
    answers = appointment.current_answers()
    return set(appointment.departments) <= set(answers) or any(a.answer == PROPOSE for a in answers.values())


def proposed_again(appointment: Appointment, slot: Slot, clerk: str) -> Appointment:
    """A new proposal (another slot) before confirmation: the next revision, answered afresh."""
    return replace(appointment, revision=appointment.revision + 1, slot=slot, proposed_by=clerk)


def confirmed(appointment: Appointment, slot: Slot, clerk: str, at: dt.datetime) -> Appointment:
    """``slot`` confirmed to all: the next revision, final."""
    return replace(appointment, revision=appointment.revision + 1, slot=slot, confirmed_at=utc_stamp(at), proposed_by=clerk)


def reminder_due(appointment: Appointment, today: dt.date, zone: dt.tzinfo) -> bool:
    """The day before the confirmed survey (the window's calendar day ``today``)."""
    return appointment.confirmed and appointment.slot.local(zone).date() == today + dt.timedelta(days=1)


def default_start(after: dt.date, next_working_day: Any, zone: dt.tzinfo) -> dt.datetime:
    """The default start: the next working day after ``after`` at 09:30 in ``zone``.

    Args:
        next_working_day: ``(day, n) -> day`` n working days after (the calendar's ``add_working_days``).
    """
    return dt.datetime.combine(next_working_day(after, 1), dt.time(9, 30)).replace(tzinfo=zone)
