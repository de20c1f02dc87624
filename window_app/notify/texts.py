"""The applicant's messages, in words (Chinese for the applicant; English available).

Short, as an SMS should be (about 70 Chinese characters where the bundle's name allows), with
the name masked and never an ID number: what is on the receipt the applicant holds, and how to
follow it (the receipt number). The gateway adds its own signature (【…】) if the platform asks
for one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from window_app.domain.notifications import ACCEPTED, CONCLUDED, SUPPLEMENT, QueuedNotification
from window_app.domain.words import NO_WORDS, Words


def message_words(notification: QueuedNotification, name: str) -> Words:
    """The message for ``notification`` to an applicant called ``name`` (masked already)."""
    data = notification.data
    hello = Words(f"{name}您好，" if name else "您好，", f"{name}, " if name else "")
    no = notification.receipt_no
    if notification.kind == ACCEPTED:
        body = Words(
            "您申请的“{o}”已受理，受理编号{no}{by_zh}。可凭受理编号查询办理进度。",
            "your application \u201c{o}\u201d was accepted, receipt no. {no}{by_en}. Track its progress with the receipt no.",
        ).format(
            o=_words(data.get("offering")),
            no=no,
            by_zh=f"，承诺{_date_zh(data.get('promised_by'))}前办结" if data.get("promised_by") else "",
            by_en=f"; promised by {data['promised_by']}" if data.get("promised_by") else "",
        )
        # TODO(issue 12, notices): the tracking link and code (window_app/tracking.py) once it lands.
    elif notification.kind == SUPPLEMENT:
        material = _words(data.get("material"))
        until = str(data.get("until") or "")
        body = Words(
            "受理编号{no}：{d}要求补正{m}{u_zh}，请携带材料到窗口办理。",
            "receipt no. {no}: {d} asks for a supplement{m_en}{u_en}; please bring it to the window.",
        ).format(
            no=no,
            d=_words(data.get("department")),
            m=f"“{material.zh}”" if material else "材料",
            m_en=f" ({material.in_language('en')})" if material else "",
            u_zh=f"（{_date_zh(until)}前）" if until else "",
            u_en=f" by {until[:10]}" if until else "",
        )
    elif notification.kind == CONCLUDED:
        approved = data.get("outcome") == "concluded"
        body = Words(
            "受理编号{no}（{o}）已办结：{v_zh}。牵头部门：{d}。",
            "receipt no. {no} ({o}) is concluded: {v_en}. Lead department: {d}.",
        ).format(
            no=no,
            o=_words(data.get("offering")),
            d=_words(data.get("lead")),
            v_zh="准予办理，请按通知领取结果" if approved else "不予办理，详情请咨询窗口",
            v_en="approved; collect the result as advised" if approved else "refused; ask the window for the details",
        )
    else:
        body = Words("受理编号{no}的办理进度有更新。", "there is news about receipt no. {no}.").format(no=no)
    return Words(hello.zh + body.zh, hello.en + (body.en[:1].upper() + body.en[1:] if not name else body.en))


def _words(value: Any) -> Words:
    """Stored words (``{"zh", "en"}``) or a plain text, as words."""
    if isinstance(value, dict):
        return Words.from_json(value)
    if isinstance(value, str) and value:
        return Words(value)
    return NO_WORDS


def _date_zh(value: Any) -> str:
    """``2026-12-20`` → ``2026年12月20日`` (the text as given when it is no date)."""
    text = str(value or "")
    try:
        day = dt.date.fromisoformat(text[:10])
    except ValueError:
        return text
    return f"{day.year}年{day.month}月{day.day}日"
