"""The applicant's messages: short, in Chinese (English available), the name masked, no ID number."""

from __future__ import annotations

import pytest

from window_app.domain.notifications import QueuedNotification
from window_app.domain.words import Words
from window_app.notify.texts import message_words

NO = "522325-261127-ZF-01-96P4-0001-GN"  # a real receipt number's length (32)
OFFICE = Words("贞丰县人力资源和社会保障局", "Zhenfeng County Human Resources and Social Security Bureau")


def notification(kind: str, **data) -> QueuedNotification:
    return QueuedNotification(1, NO, kind, kind, data)


CASES = {
    "accepted": notification("accepted", offering=Words("社会保障卡补换", "Social security card replacement").to_json(), promised_by="2026-12-04"),
    "supplement": notification("supplement", department=OFFICE.to_json(), material=Words("居民身份证", "Resident ID card").to_json(), until=""),
    "approved": notification("concluded", outcome="concluded", lead=OFFICE.to_json()),
    "refused": notification("concluded", outcome="rejected", lead=OFFICE.to_json()),
}


@pytest.mark.parametrize("case", CASES)
def test_each_message_is_one_sms_long_and_names_the_receipt(case: str) -> None:
    words = message_words(CASES[case], "王**")
    assert len(words.zh) <= (72 if case == "supplement" else 70), words.zh
    assert NO in words.zh and NO in words.en
    assert words.zh.startswith("王**：") and words.en.startswith("王**, ")


def test_what_each_message_says() -> None:
    accepted = message_words(CASES["accepted"], "王**")
    assert "已受理" in accepted.zh and "12月4日前办结" in accepted.zh and "凭编号查进度" in accepted.zh
    assert "accepted" in accepted.en and "2026-12-04" in accepted.en
    supplement = message_words(CASES["supplement"], "王**")
    assert "贞丰县人力资源和社会保障局要求补正“居民身份证”" in supplement.zh and "Resident ID card" in supplement.en
    dated = message_words(notification("supplement", department=OFFICE.to_json(), material=None, until="2026-12-10"), "")
    assert "请于12月10日前" in dated.zh and "by 2026-12-10" in dated.en and dated.en[0].isupper()
    assert "准予办理" in message_words(CASES["approved"], "王**").zh
    refused = message_words(CASES["refused"], "王**")
    assert "不予办理" in refused.zh and "refused" in refused.en and "Lead department" in refused.en


def test_the_acceptance_carries_the_tracking_link_in_two_sms_parts_at_most() -> None:
    link = "http://127.0.0.1:8700/t/" + NO + "?c=K7QM4XPA"
    words = message_words(CASES["accepted"], "王**", link)
    assert words.zh.endswith("查进度：" + link) and "凭编号查进度" not in words.zh
    assert words.en.endswith("Progress: " + link)
    assert len(words.zh) <= 134, len(words.zh)  # a concatenated SMS of two parts


def test_the_survey_reminder_names_the_day_time_and_site() -> None:
    reminder = notification("survey", at="2026-11-30 09:30", place="贞丰县者相镇纳孔村三岔河景区入口东侧")
    words = message_words(reminder, "王**")
    assert "联合踏勘：11月30日09:30，贞丰县者相镇纳孔村三岔…，请到场。" in words.zh and len(words.zh) <= 72, words.zh
    assert "2026-11-30 09:30" in words.en and "入口东侧" in words.en and NO in words.en
