"""The tracking page's pieces without a server: the states per department, the language
chosen, the rate limit, the record's checks."""

from __future__ import annotations

from window_app.domain.tracking_record import TrackedDepartment, TrackingRecord, record_from_json
from window_app.domain.words import Words
from window_app.exchange.rate_limit import RateLimit
from window_app.exchange.tracking_page import page_language
from window_app.exchange.tracking_progress import progress
from window_app.exchange.tracking_store import PartRow

MARKET = TrackedDepartment("market", Words("市场监管", "Market regulation"), 1, True)
TAX = TrackedDepartment("tax", Words("税务", "Taxation"), 2)
SOCIAL = TrackedDepartment("social", Words("人社", "Human resources"), 1)


def record(*departments: TrackedDepartment) -> TrackingRecord:
    return TrackingRecord("R-1", "ZF-01", "", "张*", Words("企业开办", "Starting a business"), "2026-12-07T09:00:00+08:00",
                          "2026-12-14", departments)


def states(parts: list[PartRow], *departments: TrackedDepartment) -> list[str]:
    return [p.state for p in progress(record(*departments), parts, lambda m: Words(m.upper(), m))]


def test_each_state_from_what_the_exchange_holds() -> None:
    assert states([], MARKET, SOCIAL, TAX) == ["not_sent", "not_sent", "waiting_prerequisite"]
    delivered = PartRow("market", 1, "application", "new", (None,))
    assert states([delivered], MARKET, TAX) == ["delivered", "waiting_prerequisite"]
    assert states([PartRow("market", 1, "application", "received", ("approved", None))], MARKET) == ["handling"]
    approved = PartRow("market", 1, "application", "decided", ("approved",))
    assert states([approved], MARKET, TAX) == ["approved", "not_sent"]  # released, on its way
    refused = PartRow("market", 1, "application", "decided", ("approved", "rejected"))
    assert states([refused], MARKET, TAX) == ["refused", "cancelled"]
    assert states([PartRow("market", 1, "filing", "decided", ("approved",))], MARKET) == ["concluded_at_window"]
    assert states([PartRow("market", 1, "handover", "new", ())], MARKET) == ["delivered"]
    assert states([PartRow("market", 1, "handover", "decided", ())], MARKET) == ["handling"]


def test_a_supplement_names_its_materials_once_in_both_languages() -> None:
    asked = PartRow("market", 1, "application", "supplement_needed", ("supplement_needed", "supplement_needed"), ("id_card", "id_card"))
    [part] = progress(record(MARKET), [asked], lambda m: Words("居民身份证", "resident ID card"))
    assert part.words == Words("需要补正材料：居民身份证", "supplement needed: resident ID card")


def test_chinese_unless_english_is_asked_for_or_preferred() -> None:
    assert page_language(None, "") == "zh"
    assert page_language("en", "zh-CN") == "en" and page_language("zh", "en") == "zh"
    assert page_language(None, "en-US,en;q=0.9") == "en"
    assert page_language(None, "zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert page_language(None, "fr-FR,en;q=0.5") == "en"
    assert page_language("xx", "de") == "zh"


def test_the_rate_limit_slides_and_says_when() -> None:
    now = [100.0]
    limit = RateLimit(2, period=60, clock=lambda: now[0])
    assert limit.hit("a") is None and limit.hit("a") is None
    assert limit.hit("a") == 60 and limit.hit("b") is None
    now[0] += 59.5
    assert limit.hit("a") == 1
    now[0] += 1
    assert limit.hit("a") is None


def test_the_rate_limit_forgets_keys_to_stay_bounded() -> None:
    now = [0.0]
    limit = RateLimit(1, period=10, max_keys=100, clock=lambda: now[0])
    for n in range(1000):
        now[0] += 0.001
        limit.hit(f"client-{n}")
    assert len(limit._hits) <= 100


def test_a_record_is_checked_field_by_field() -> None:
    good = record(MARKET).to_json() | {"tracking_digest": "scrypt$16384$8$1$" + "0" * 64}
    assert isinstance(record_from_json(good), TrackingRecord)
    assert "tracking_digest" in record_from_json(good | {"tracking_digest": "K7QM3XH9"}).en  # a code is not a digest
    assert "departments" in record_from_json(good | {"departments": []}).en
    assert "accepted_at" in record_from_json(good | {"accepted_at": "yesterday"}).en
    assert "applicant" in record_from_json(good | {"applicant": "x" * 500}).en
