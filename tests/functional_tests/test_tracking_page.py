"""The public tracking page, end to end: a window accepts, the sync delivers the tracking record,
the link printed on the receipt is fetched from the real exchange process (127.0.0.1, SQLite and
PostgreSQL) as a phone would, and what it shows follows the departments' decisions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.exchange_fixtures import exchange_db, is_postgresql, key_of_test_window, query, register_test_window  # noqa: F401 - a fixture
from tests.exchange_fixtures import on_both_backends as exchange_backend  # noqa: F401 - a fixture
from tests.exchange_fixtures import receipt as receipt_no
from tests.exchange_process import ExchangeProcess
from tests.functional_tests.test_sync_engine import accept_example, open_window, sync  # noqa: F401 - a fixture
from window_app.domain.tracking_code import tracking_digest
from window_app.domain.tracking_record import TrackedDepartment, TrackingRecord
from window_app.domain.wire import canonical_json
from window_app.domain.words import Words
from window_app.exchange.client import DepartmentClient
from window_app.exchange.department_keys import DepartmentKeys
from window_app.exchange.store import ExchangeStore
from window_app.trust.signing import sign
from window_app.window import Window

pytestmark = pytest.mark.usefixtures("exchange_backend")

DELIVERED = "已送达，等待部门接收"


@pytest.fixture
def exchange(exchange_db: str | Path, tmp_path: Path) -> Iterator[ExchangeProcess]:
    """The exchange as its own process, with a small per-receipt limit (the rate-limit test)."""
    log = ("--checkpoints", str(tmp_path / "checkpoints.jsonl")) if is_postgresql(exchange_db) else ()
    limits = ("--track-per-receipt", "6", "--track-per-client", "1000")
    process = ExchangeProcess(exchange_db, extra=(*log, *limits)).start()
    try:
        yield process
    finally:
        process.stop()


def web() -> httpx.Client:
    return httpx.Client(timeout=30, trust_env=False)


def accepted_and_synced(open_window, exchange: ExchangeProcess, example: str) -> tuple[Window, str, str]:
    """A window on ``exchange`` whose receipts link to it; accepts ``example`` and syncs once:
    (window, receipt number, the link on its receipt)."""
    window = open_window(exchange.url, WINDOW_APP_TRACKING_BASE_URL=exchange.url)
    receipt = accept_example(window, example)
    report = sync(window)
    assert report.tracking.delivered == 1 and report.tracking.pending == 0
    link = window.tracking_link(window.application(receipt))
    assert link.startswith(f"{exchange.url}/t/{receipt}?c=")
    return window, receipt, link


def parts_by_state(page: str) -> list[tuple[str, str]]:
    """(department, state) of each department on a page."""
    return re.findall(r'<div class="dep">(.*?)(?:<span class="lead">[^<]*</span>)?</div>.*?<span class="state [a-z_]+">(.*?)</span>', page)


def track(client: httpx.Client, exchange: ExchangeProcess, receipt: str, code: str) -> httpx.Response:
    return client.post(f"{exchange.url}/v1/track", json={"receipt_no": receipt, "code": code})


def decide(exchange: ExchangeProcess, department: str, decision: str, **extra: str) -> dict:
    """The department lists its new envelope and decides its first item."""
    keys = DepartmentKeys.demo(department)
    with DepartmentClient(exchange.url, f"demo-{department}") as client:
        [envelope] = client.inbox("new")
        item = envelope["payload"]["items"][0]["id"]
        if decision == "supplement_needed" and "material" not in extra:
            extra["material"] = next(iter(keys.open(envelope)["materials"]))
        client.decide(envelope["envelope_id"], item, decision, decided_by="李审", keys=keys, **extra)
        return {"item": item, **extra}


def test_the_receipt_link_shows_each_department_and_follows_their_decisions(open_window, exchange: ExchangeProcess) -> None:
    window, receipt, link = accepted_and_synced(open_window, exchange, "business_startup")
    detail = window.application(receipt)
    first = [p.department for p in detail.summary.parts if p.stage == 1]
    later = [p.department for p in detail.summary.parts if p.stage > 1]
    name = {d: window.catalog.body(d).name for d in first + later}
    with web() as client:
        page = client.get(link)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        shown = dict(parts_by_state(page.text))
        assert {shown[name[d].zh] for d in first} == {DELIVERED}
        assert all("等待前一环节" in shown[name[d].zh] for d in later)
        assert receipt in page.text and detail.summary.offering_name.zh in page.text
        # Nothing fetched from elsewhere, nothing personal but the masked name.
        assert not re.search(r'(src|href)="(https?:)?//', page.text) and "<script" not in page.text
        applicant = detail.summary.applicant_name
        assert applicant not in page.text and applicant[0] + "*" in page.text
        assert page.headers["referrer-policy"] == "no-referrer" and "no-store" in page.headers["cache-control"]

        # A decision for one department changes its line, and only its line.
        decide(exchange, first[0], "approved", result="营业执照")
        shown = dict(parts_by_state(client.get(link).text))
        assert shown[name[first[0]].zh] == "已准予"
        assert {shown[name[d].zh] for d in first[1:]} <= {DELIVERED}

        # JSON says the same.
        code = link.split("?c=")[1]
        answer = track(client, exchange, receipt, code)
        assert answer.status_code == 200
        states = {d["department"]: d["state"] for d in answer.json()["departments"]}
        assert states[name[first[0]].zh] == "approved"
        assert answer.json()["applicant"] == applicant[0] + "*" * (len(applicant) - 1)


def test_a_supplement_request_shows_the_material_asked_for(open_window, exchange: ExchangeProcess) -> None:
    window, receipt, link = accepted_and_synced(open_window, exchange, "retirement")
    department = next(p.department for p in window.application(receipt).summary.parts if p.stage == 1)
    asked = decide(exchange, department, "supplement_needed", reason="请补交原件")
    material = window.catalog.materials[asked["material"]].name
    with web() as client:
        shown = parts_by_state(client.get(link).text)
        english = parts_by_state(client.get(link + "&lang=en").text)
    department_name = window.catalog.body(department).name
    assert (department_name.zh, f"需要补正材料：{material.zh}") in shown  # its stage-1 part (it may have a later one)
    assert (department_name.en, f"supplement needed: {material.en}") in english


def test_a_wrong_code_and_an_unknown_number_get_the_same_answer(open_window, exchange: ExchangeProcess) -> None:
    window, receipt, link = accepted_and_synced(open_window, exchange, "social_security_card_replacement")
    code = link.split("?c=")[1]
    wrong = "".join("A" if c != "A" else "B" for c in code)
    unknown = receipt[:-9] + "9999" + receipt[-5:]
    with web() as client:
        answers = [track(client, exchange, receipt, wrong), track(client, exchange, unknown, code)]
        assert [a.status_code for a in answers] == [404, 404]
        assert answers[0].content == answers[1].content
        assert "查询码" in answers[0].json()["error_zh"]
        pages = [client.get(f"{exchange.url}/t/{receipt}?c={wrong}"), client.get(f"{exchange.url}/t/{unknown}?c={code}")]
        assert [p.status_code for p in pages] == [404, 404]
        # The page repeats the number typed (to spot a typo); otherwise the same bytes.
        assert pages[0].text.replace(receipt, "N") == pages[1].text.replace(unknown, "N")
        assert "没有查到" in pages[0].text
        # The right code, typed as people type it (lower case, the printed hyphen), is found.
        typed = f"{code[:4]}-{code[4:]}".lower()
        assert track(client, exchange, receipt, typed).status_code == 200
        # No code: a form asking for it.
        form = client.get(f"{exchange.url}/t/{receipt}")
        assert form.status_code == 200 and 'name="c"' in form.text and "查询码" in form.text


def test_the_exchange_keeps_a_digest_not_the_code_and_a_record_sent_again_is_kept_once(open_window, exchange: ExchangeProcess) -> None:
    window, receipt, link = accepted_and_synced(open_window, exchange, "social_security_card_replacement")
    code = link.split("?c=")[1]
    number = window.application(receipt).summary.applicant_number
    [(digest, record)] = query(exchange.db_path, "SELECT digest, record FROM tracking")
    assert digest == tracking_digest(receipt, code)
    assert code not in record and number not in record and window.application(receipt).summary.applicant_name not in record
    # Sent again (as after a crash between the exchange's answer and the mark): one row still.
    window.db.execute("UPDATE tracking_outbox SET state = 'queued'")
    assert sync(window, retry_now=True).tracking.delivered == 1
    assert query(exchange.db_path, "SELECT count(*) FROM tracking") == [(1,)]
    assert sync(window, retry_now=True).tracking.delivered == 0


def test_look_ups_are_rate_limited_per_receipt_number_with_words_and_retry_after(open_window, exchange: ExchangeProcess) -> None:
    _window, receipt, link = accepted_and_synced(open_window, exchange, "social_security_card_replacement")
    with web() as client:
        statuses = [client.get(link).status_code for _ in range(6)]
        assert statuses == [200] * 6
        limited = client.get(link)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert "查询过于频繁" in limited.text
        english = track(client, exchange, receipt, link.split("?c=")[1])
        assert english.status_code == 429 and "too many look-ups" in english.json()["error"]
        # Another number is not held up by this one's limit.
        other = client.post(f"{exchange.url}/v1/track", json={"receipt_no": receipt[:-9] + "9999" + receipt[-5:], "code": "X"})
        assert other.status_code == 404


def test_english_by_parameter_or_by_the_browser_s_language(open_window, exchange: ExchangeProcess) -> None:
    _window, receipt, link = accepted_and_synced(open_window, exchange, "social_security_card_replacement")
    with web() as client:
        chinese = client.get(link)
        assert '<html lang="zh-CN">' in chinese.text and "办件进度查询" in chinese.text
        by_parameter = client.get(link + "&lang=en")
        by_browser = client.get(link, headers={"Accept-Language": "en-GB,en;q=0.9,zh-CN;q=0.5"})
        prefers_chinese = client.get(link, headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    for page in (by_parameter, by_browser):
        assert '<html lang="en">' in page.text and "Application progress" in page.text and "delivered, awaiting the department" in page.text
    assert "办件进度查询" in prefers_chinese.text


def test_the_page_escapes_whatever_the_window_sent(exchange: ExchangeProcess) -> None:
    """A record signed by a registered window, its texts full of markup: shown, never run."""
    store = ExchangeStore.open(exchange.db_path)
    try:
        register_test_window(store)
    finally:
        store.close()
    receipt = receipt_no(1)
    code = "K7QM3XH9"
    record = TrackingRecord(
        receipt_no=receipt, window_id="ZF-01", digest=tracking_digest(receipt, code), applicant="<script>alert(1)</script>",
        offering=Words("<img src=x onerror=alert(1)>套餐", "<b>bundle</b>"), accepted_at="2026-11-27T09:30:00+08:00",
        promised_by="2026-12-04",
        departments=(TrackedDepartment("market_regulation-522325", Words('市场"监管"</div><script>', "<i>x</i>"), 1, True),),
    )
    text = canonical_json(record.to_json()).decode("utf-8")
    signature = sign(key_of_test_window(), text.encode("utf-8")).to_json()
    with web() as client:
        stored = client.post(f"{exchange.url}/v1/tracking", json={"records": [{"record": text, "signature": signature}]},
                             headers={"Authorization": "Bearer demo-window-ZF-01"})
        assert stored.json()["results"][0]["status"] == "stored", stored.text
        page = client.get(f"{exchange.url}/t/{receipt}?c={code}")
        english = client.get(f"{exchange.url}/t/{receipt}?c={code}&lang=en")
        # Another window may not speak for this receipt number.
        other = client.post(f"{exchange.url}/v1/tracking", json={"records": [{"record": text, "signature": signature}]},
                            headers={"Authorization": "Bearer demo-window-ZF-02"})
    assert page.status_code == 200
    assert "<script" not in page.text and "<img" not in page.text and "<i>" not in english.text and "<b>" not in english.text
    assert "&lt;script&gt;" in page.text and "&lt;img src=x onerror=alert(1)&gt;套餐" in page.text
    assert other.json()["results"][0]["status"] == "rejected"
