"""A department reviewer's inbox in words: no raw ``true``, no choice codes, names before codes."""

from __future__ import annotations

import pytest

from window_app.domain.words import set_language
from window_app.exchange.inbox_view import render_envelope, render_inbox


@pytest.fixture
def english():
    set_language("en")
    yield
    set_language("zh")


def entry(fields: dict) -> dict:
    return {
        "envelope_id": "env-1",
        "receipt_no": "SL-522325-001-20261127-0001",
        "stage": 1,
        "state": "new",
        "kind": "application",
        "items": [{"id": "real_estate_transfer_registration", "name": "国有建设用地使用权及房屋所有权转移登记"}],
        "payload": {
            "fields": fields,
            "depends_on": [
                {
                    "item": "house_transaction_tax",
                    "name": "存量房交易税费申报缴纳",
                    "department": "tax",
                    "department_name": "国家税务总局贞丰县税务局",
                    "department_name_en": "Zhenfeng County Tax Bureau",
                    "stage": 1,
                }
            ],
            "materials": {"id_card": {"name": "居民身份证", "state": "shared"}},
        },
    }


FIELDS = {
    "first_home": {"label": "是否家庭唯一住房", "value": "true", "text": "是", "text_en": "yes"},
    "buyer_marital_status": {"label": "婚姻状况", "value": "married", "text": "已婚", "text_en": "Married"},
    "old_window_flag": {"label": "是否继承", "value": "false"},  # a window that sent no words
    "house_area": {"label": "建筑面积", "value": "89.5"},
}


def test_values_are_shown_in_words_not_codes() -> None:
    shown = render_envelope(entry(FIELDS))
    assert "是否家庭唯一住房：是" in shown
    assert "婚姻状况：已婚" in shown
    assert "是否继承：否" in shown
    assert "建筑面积：89.5" in shown
    assert "true" not in shown and "false" not in shown and "married" not in shown
    assert "存量房交易税费申报缴纳（国家税务总局贞丰县税务局，第 1 阶段）" in shown
    # Names first; the codes the decide command takes are said as codes.
    assert "国有建设用地使用权及房屋所有权转移登记   [待决定]   （事项代码 real_estate_transfer_registration）" in shown
    assert "居民身份证  数据共享核验   （材料代码 id_card）" in shown


def test_in_english_the_words_are_english_and_counts_agree(english) -> None:
    shown = render_envelope(entry(FIELDS))
    assert "yes" in shown and "Married" in shown and "Zhenfeng County Tax Bureau" in shown
    assert render_inbox([entry(FIELDS)], "real_estate").endswith("1 part.")
    assert render_inbox([entry(FIELDS), entry(FIELDS)], "real_estate").endswith("2 parts.")
