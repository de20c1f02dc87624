"""Offices: each department kind's bodies per region, resolved up the region levels, and the
validator's report of an offered item no office serves."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from window_app.catalog.loader import load_catalog, shipped_catalog_path, validate_catalog_dir
from window_app.catalog.local_names import as_seen_from, resolve_office
from window_app.domain.words import set_language

SMALL = Path(__file__).parent / "catalogs" / "small"
QIANXINAN_COUNTIES = ("522301", "522302", "522323", "522324", "522325", "522326", "522327", "522328")


@pytest.fixture(scope="module")
def shipped():
    return load_catalog(shipped_catalog_path())


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(shipped_catalog_path(), target)
    return target


def remove_office(root: Path, rel: str, office_id: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    entry = re.compile(r'\[\[office\]\]\nid = "' + re.escape(office_id) + r'"\n(?:[^\[\n][^\n]*\n)*\n?')
    assert entry.search(text), office_id
    path.write_text(entry.sub("", text, count=1), encoding="utf-8")


def test_every_county_of_qianxinan_has_an_office_of_every_department_its_bundles_use(shipped) -> None:
    used = {item.department for item in shipped.items.values()}
    for county in QIANXINAN_COUNTIES:
        for kind in used:
            offices = shipped.offices_for(kind, county)
            assert offices, (kind, county)
            # The county's own body, or the prefecture's where the county has none.
            assert {office.region for office in offices} <= {county, "522300"}, (kind, county)
            assert all(office.id.startswith(f"{kind}-{office.region}") for office in offices)
            assert all(office.signing_key and office.sealing_key for office in offices)


def test_real_names_by_the_standard_pattern(shipped) -> None:
    names = {office.id: office.name.zh for office in shipped.offices.values()}
    assert names["tax-522301"] == "国家税务总局兴义市税务局"
    assert names["market_regulation-522301"] == "兴义市市场监督管理局"
    assert names["public_security-522301"] == "兴义市公安局"
    assert names["real_estate_registry-522301"] == "兴义市不动产登记中心"
    assert names["tax-522328"] == "国家税务总局安龙县税务局"
    assert names["housing_fund-522300"] == "黔西南州住房公积金管理中心"
    assert "housing_fund-522301" not in names  # the prefecture's centre serves 兴义市


def test_the_nearest_level_with_an_office_serves(shipped) -> None:
    assert [o.id for o in shipped.offices_for("housing_fund", "522301")] == ["housing_fund-522300"]
    assert [o.id for o in shipped.offices_for("housing_fund", "522325")] == ["housing_fund-522325"]
    assert [o.id for o in shipped.offices_for("tax", "522300")] == ["tax-522300"]
    assert [o.id for o in shipped.offices_for("tax", "520502")] == ["tax-520000"]
    assert [o.id for o in shipped.offices_for("bank", "522325")] == ["bank-522325-abc", "bank-522325-rcb"]
    assert shipped.offices_for("no_such_kind", "522325") == ()


def test_an_office_is_chosen_where_several_serve(shipped) -> None:
    assert resolve_office(shipped, "tax", "522301", {}).id == "tax-522301"
    assert resolve_office(shipped, "bank", "522301", {}) is None  # nobody chose
    assert resolve_office(shipped, "bank", "522301", {"office_bank": "bank-522301-rcb"}).id == "bank-522301-rcb"
    assert resolve_office(shipped, "bank", "522301", {"office_bank": "bank-522325-rcb"}) is None  # not 兴义市's
    seen = as_seen_from(shipped, "522301")
    assert all(seen.bundles[b].questions[-1].id == "office_bank" for b in ("newborn", "enterprise_deregistration"))
    assert all(not any(q.id == "office_bank" for q in seen.bundles[b].questions) for b in ("retirement", "house_transfer"))


def test_an_office_id_names_its_receivers_at_the_exchange(shipped) -> None:
    assert shipped.receives("tax-522325") and not shipped.receives("tax") and not shipped.receives("tax-999999")
    assert shipped.kind_of("bank-522301-rcb") == "bank" and shipped.kind_of("tax") == "tax"
    body = shipped.body("tax-522301")
    assert body is not None and body.name.zh == "国家税务总局兴义市税务局" and str(body.short_name) in ("税务", "Tax")
    assert set(shipped.receivers()) == set(shipped.offices)


def test_a_catalog_without_offices_has_each_department_as_its_own_office() -> None:
    small = load_catalog(SMALL)
    assert small.offices == {}
    [office] = small.offices_for("tax", "522325")
    assert (office.id, office.department, office.sealing_key) == ("tax", "tax", small.departments["tax"].sealing_key)
    assert small.receives("tax") and "tax" in small.receivers()


def test_an_offered_item_no_office_serves_is_reported_in_both_languages(catalog_dir: Path) -> None:
    remove_office(catalog_dir, "offices/522300.toml", "law_enforcement-522300")
    problems = validate_catalog_dir(catalog_dir)
    [problem] = problems
    assert (problem.file, problem.entry) == ("bundles/enterprise.toml", "bundle restaurant_opening")
    set_language("zh")
    try:
        assert "事项“outdoor_signboard_filing”：黔西南布依族苗族自治州（522300）没有law_enforcement的办理机构" in str(problem)
        set_language("en")
        assert "no office of department 'law_enforcement' serves Qianxinan Buyei and Miao Autonomous Prefecture (522300)" in str(problem)
    finally:
        set_language("zh")


def test_a_county_without_any_office_up_its_levels_is_named(catalog_dir: Path) -> None:
    remove_office(catalog_dir, "offices/522301.toml", "tax-522301")
    remove_office(catalog_dir, "offices/522300.toml", "tax-522300")
    assert validate_catalog_dir(catalog_dir) == []  # 兴义市 falls back to the province's
    remove_office(catalog_dir, "offices/520000.toml", "tax-520000")
    reasons = [str(p) for p in validate_catalog_dir(catalog_dir)]
    assert any("bundle enterprise_deregistration" in reason and "兴义市（522301）" in reason for reason in reasons), reasons


def test_an_office_entry_is_checked(catalog_dir: Path) -> None:
    path = catalog_dir / "offices" / "522325.toml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\n[[office]]\nid = "tax-522301"\ndepartment = "tax"\nregion = "522325"\nname = "错"\nname_en = "Wrong"\n'
        + '\n[[office]]\nid = "Tax 1"\ndepartment = "taxx"\nregion = "522399"\nname = "错"\nname_en = "Wrong"\n',
        encoding="utf-8",
    )
    reasons = [f"{p.entry}: {p.reason}" for p in validate_catalog_dir(catalog_dir) if p.file == "offices/522325.toml"]
    assert any("does not start with its department and region: 'tax-522325'" in r for r in reasons), reasons
    assert any("is not an office id" in r for r in reasons), reasons
    assert any("unknown department 'taxx'" in r for r in reasons), reasons
    assert any("unknown region '522399'" in r for r in reasons), reasons
    duplicate = [p for p in validate_catalog_dir(catalog_dir) if "duplicate id 'tax-522301'" in str(p.reason)]
    assert duplicate, "an office id is defined once"
