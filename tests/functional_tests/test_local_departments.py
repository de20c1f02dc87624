"""A window outside 贞丰县 never names 贞丰县's bodies; the bank is the one the applicant chooses.

The shipped catalog names one county's departments (issue 11 resolves them per region); a
window in 兴义市 shows 属地…部门 and says the exchange routes the part to the local body.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.functional_tests.test_accept import filled_intake
from tests.window_template import TEST_CLERK, TEST_PIN, seed_window_database
from window_app.catalog.loader import load_catalog, shipped_catalog_path
from window_app.catalog.local_names import as_seen_from
from window_app.config import SHIPPED_CONFIG, load_settings
from window_app.window import Window

FIXED_NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
XINGYI = "522301"  # 兴义市
ZHENFENG = "522325"


@pytest.fixture
def xingyi(tmp_path):
    settings = seed_window_database(
        load_settings(SHIPPED_CONFIG, environ={"WINDOW_APP_WINDOW_REGION": XINGYI}, data_dir=str(tmp_path / "data"))
    )
    opened = Window.open(settings, clock=lambda: FIXED_NOW)
    opened.sign_in(TEST_CLERK, TEST_PIN)
    try:
        yield opened
    finally:
        opened.close()


def test_the_catalog_seen_from_another_county_names_local_bodies() -> None:
    catalog = load_catalog(shipped_catalog_path())
    assert as_seen_from(catalog, ZHENFENG) is catalog  # the bodies it names are this window's
    seen = as_seen_from(catalog, XINGYI)
    assert str(seen.departments["health"].name) == "属地卫健部门"
    assert seen.departments["health"].name.en == "the local Health office"
    assert seen.departments["health"].short_name == catalog.departments["health"].short_name
    assert seen.departments["bank"] == catalog.departments["bank"]  # the applicant's bank, everywhere
    assert str(seen.departments["bank"].name) == "申请人选择的开户银行"
    assert not any("贞丰" in department.name.zh for department in seen.departments.values())


def test_a_xingyi_receipt_names_no_zhenfeng_department(xingyi: Window) -> None:
    intake = filled_intake(xingyi, "newborn")
    receipt_no = xingyi.accept(intake).receipt_no
    receipt = xingyi.receipt_text(receipt_no)
    assert "贞丰县" not in receipt.replace(xingyi.settings.window.centre, ""), receipt
    lead = xingyi.catalog.bundles["newborn"].lead_department
    assert f"属地{xingyi.catalog.departments[lead].short_name}部门（由交换平台按属地转办）" in "".join(receipt.split()), receipt
    # What the department part carries names the local body too.
    detail = xingyi.application(receipt_no)
    assert all("贞丰" not in str(xingyi.catalog.departments[p.department].name) for p in detail.summary.parts)
