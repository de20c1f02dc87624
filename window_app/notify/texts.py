"""The applicant's messages, in words (Chinese for the applicant; English available).

Short, as an SMS should be: 70 characters is one message. With a real receipt number (32
characters) the acceptance holds to it for a bundle name of up to 9 characters (15 of the 19
shipped examples; the longest name, 15 characters, makes 76), a 补正 request with a
12-character office and a 5-character material makes 72, a conclusion 66–67. The receipt
number, what the applicant tracks by, is never cut. The acceptance carries the tracking page's
link with the application's code where it has one (the receipt's QR code links there too): with
the default base URL that makes it a concatenated SMS of two parts (≤ 134 characters). The name is masked,
never an ID number. The gateway adds its own signature (【…】) if the platform asks
for one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from window_app.domain.notifications import ACCEPTED, CONCLUDED, SUPPLEMENT, SURVEY, WAIVED, QueuedNotification
from window_app.domain.words import NO_WORDS, Words

SURVEY_PLACE = 12
"""Characters of the survey's place in the Chinese reminder at most (the applicant knows their site)."""


def message_words(notification: QueuedNotification, name: str, tracking_link: str = "") -> Words:
    """The message for ``notification`` to an applicant called ``name`` (masked already).

    Args:
        tracking_link: The acceptance's link to the tracking page with the application's code
            (window_app/tracking.py), printed on the receipt too; without one the applicant
            tracks by the receipt number.
    """
    data = notification.data
    no = notification.receipt_no
    if notification.kind == ACCEPTED:
        promised = str(data.get("promised_by") or "")
        body = Words(
            "{o}已受理，编号{no}{by_zh}，{track_zh}",
            "your application \u201c{o}\u201d was accepted, receipt no. {no}{by_en}. {track_en}",
        ).format(
            o=_words(data.get("offering")),
            no=no,
            by_zh=f"，承诺{_day_zh(promised)}前办结" if promised else "",
            by_en=f", to be completed by {promised[:10]}" if promised else "",
            track_zh=f"查进度：{tracking_link}" if tracking_link else "凭编号查进度。",
            track_en=f"Progress: {tracking_link}" if tracking_link else "Track it with the receipt no.",
        )
    elif notification.kind == SUPPLEMENT:
        material = _words(data.get("material"))
        until = str(data.get("until") or "")
        body = Words(
            "{d}要求补正{m}（编号{no}）{u_zh}，请到窗口补交。",
            "{d} asks for {m_en} (receipt no. {no}){u_en}; please bring it to the window.",
        ).format(
            no=no,
            d=_words(data.get("department")),
            m=f"“{material.zh}”" if material else "材料",
            m_en=material.in_language("en") if material else "a supplement",
            u_zh=f"，请于{_day_zh(until)}前" if until else "",
            u_en=f" by {until[:10]}" if until else "",
        )
    elif notification.kind == CONCLUDED:
        approved = data.get("outcome") == "concluded"
        body = Words(
            "编号{no}{v_zh}；牵头部门：{d}。",
            "receipt no. {no} is concluded: {v_en}. Lead department: {d}.",
        ).format(
            no=no,
            d=_words(data.get("lead")),
            v_zh="已办结，准予办理" if approved else "不予办理，详询窗口",
            v_en="approved, collect the result as advised" if approved else "refused, ask the window for the details",
        )
    elif notification.kind == WAIVED:
        material = _words(data.get("material"))
        day = str(data.get("promised_on") or "")
        if data.get("state") == "overdue":
            body = Words(
                "您承诺{d_zh}前补交的“{m}”尚未收到（编号{no}），请尽快到窗口补交。",
                "{m_en}, promised by {d_en}, has not arrived (receipt no. {no}); please bring it to the window soon.",
            )
        else:
            body = Words(
                "请于{d_zh}前到窗口补交“{m}”（编号{no}）。",
                "please bring {m_en} to the window by {d_en} (receipt no. {no}).",
            )
        body = body.format(no=no, m=material.zh, m_en=material.in_language("en"), d_zh=_day_zh(day), d_en=day[:10])
    elif notification.kind == SURVEY:
        at = str(data.get("at") or "")  # "2026-11-30 09:30", the window's zone
        place = str(data.get("place") or "")
        short = place if len(place) <= SURVEY_PLACE else place[: SURVEY_PLACE - 1] + "…"  # the SMS stays short
        body = Words(
            "编号{no}联合踏勘：{t}，{p}，请到场。",
            "the joint site survey of receipt no. {no} is at {t_en}, {p_en}; please be there.",
        ).format(no=no, t=f"{_day_zh(at)}{at[11:16]}", t_en=at, p=short, p_en=place)
    else:
        body = Words("编号{no}的办理进度有更新。", "there is news about receipt no. {no}.").format(no=no)
    if name:
        return Words(f"{name}：{body.zh}", f"{name}, {body.en}")
    return Words(body.zh, body.en[:1].upper() + body.en[1:])


def _words(value: Any) -> Words:
    """Stored words (``{"zh", "en"}``) or a plain text, as words."""
    if isinstance(value, dict):
        return Words.from_json(value)
    if isinstance(value, str) and value:
        return Words(value)
    return NO_WORDS


def _day_zh(value: str) -> str:
    """``2026-12-20`` → ``12月20日`` (weeks ahead: the year goes without saying, and an SMS is
    short); the text as given when it is no date."""
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{day.month}月{day.day}日"
