"""联合踏勘 through the REAL exchange on 127.0.0.1, on SQLite and on PostgreSQL: the window proposes
one appointment, the departments answer (one proposes another slot) with `exchange survey`, the
window confirms that slot to all, the departments see it, their survey results are their
decisions and the application concludes; `--simulate` answers and decides after confirmation."""

from __future__ import annotations

import datetime as dt
import json
import time

import httpx
import pytest

from tests.exchange_fixtures import (  # noqa: F401  (fixtures)
    TEST_TAG,
    exchange_db,
    exchange_server,
    exchange_server_factory,
    key_of_test_window,
    register_test_window,
)
from tests.exchange_fixtures import on_both_backends as exchange_backend  # noqa: F401  (fixture)
from tests.functional_tests.test_sync_engine import accept_example, decide_all, open_window, sync  # noqa: F401  (fixture)
from window_app.cli import main
from window_app.dispatch import signature_text
from window_app.domain import survey
from window_app.domain.errors import WindowAppError
from window_app.domain.receipt_no import format_receipt_no
from window_app.domain.wire import canonical_json
from window_app.exchange import surveys
from window_app.exchange.errors import ExchangeError
from window_app.exchange.simulate import Simulation
from window_app.exchange.store import ExchangeStore
from window_app.window import Window

pytestmark = pytest.mark.usefixtures("exchange_backend")


def department_survey(server, capsys, department: str, envelope_id: str, *args: str) -> dict:
    """`window-app exchange survey` as the department, its JSON answer."""
    code = main(["exchange", "survey", envelope_id, *args, "--url", server.url,
                 "--token", server.department_token(department), "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_propose_answer_counter_confirm_decide_conclude(exchange_server, open_window, capsys) -> None:
    window: Window = open_window(exchange_server.url)
    receipt = accept_example(window, "construction_land_survey")
    assert window.needs_survey(receipt)

    slot = window.default_survey_slot(receipt)
    assert slot.place == "贞丰县者相镇纳孔村三岔河景区入口东侧" and slot.contact_name
    assert slot.local(window.zone).time() == dt.time(9, 30)
    proposed = window.survey(receipt)  # acceptance proposed the default slot to every department asked
    assert (proposed.revision, proposed.slot) == (1, slot)
    departments = proposed.departments
    assert len(departments) >= 2 and "natural_resources-522325" in departments

    report = sync(window)
    assert report.surveys.sent == 1 and report.surveys.pending == 0, report.surveys
    envelope_of = {part.department: part.envelope_id for part in window.application(receipt).summary.parts}

    # Every department asked sees the appointment of its own envelope.
    first, second, *others = departments
    shown = department_survey(exchange_server, capsys, first, envelope_of[first])["survey"]
    assert (shown["receipt_no"], shown["revision"], shown["state"]) == (receipt, 1, "proposed")
    assert shown["slot"]["starts_at"] == slot.starts_at

    # A department sees only appointments of its own envelopes: another's envelope is not found.
    code = main(["exchange", "survey", envelope_of[second], "accept", "--url", exchange_server.url,
                 "--token", exchange_server.department_token(first)])
    assert code == 1 and "没有联合踏勘预约" in capsys.readouterr().err
    with httpx.Client(base_url=exchange_server.url) as client:
        outsider = client.get("/v1/surveys/inbox", headers={"Authorization": f"Bearer {exchange_server.department_token('tax-522325')}"})
        assert outsider.status_code == 200 and outsider.json() == {"surveys": []}
        refused = client.post("/v1/surveys/answers", json={"envelope_id": envelope_of[first], "revision": 1, "answer": "accept"},
                              headers={"Authorization": f"Bearer {exchange_server.department_token('tax-522325')}"})
        assert refused.status_code == 404

    department_survey(exchange_server, capsys, first, envelope_of[first], "accept")
    later = (slot.local(window.zone) + dt.timedelta(days=1)).date().isoformat()
    countered = department_survey(exchange_server, capsys, second, envelope_of[second], "propose",
                                  "--date", later, "--time", "14:00", "--note", "上午另有会议")["answer"]
    assert countered["slot"]["place"] == slot.place  # the same site unless another is named

    report = sync(window)
    assert report.surveys.answers == 2
    assert "survey appointments synced 0, answers 2" in report.summary() or "踏勘预约 已同步 0，答复 2" in report.summary()
    held = window.survey(receipt)
    assert survey.survey_state(held, window.now()) == survey.PENDING
    assert survey.needs_clerk(held, window.now())
    [counter] = held.counter_proposals()
    assert counter.department == second and counter.note == "上午另有会议"
    assert counter.slot.local(window.zone) == dt.datetime.fromisoformat(f"{later}T14:00").replace(tzinfo=window.zone)
    assert any(receipt in str(line) for line in window.survey_lines())

    confirmed = window.confirm_survey(receipt, counter.slot)
    assert confirmed.revision == 2 and confirmed.confirmed
    with pytest.raises(WindowAppError):
        window.confirm_survey(receipt, slot)
    assert sync(window).surveys.sent == 1

    # Every department sees the confirmed slot; no more answers are taken.
    for department in departments:
        seen = department_survey(exchange_server, capsys, department, envelope_of[department])["survey"]
        assert (seen["state"], seen["revision"], seen["slot"]["starts_at"]) == ("confirmed", 2, counter.slot.starts_at)
    code = main(["exchange", "survey", envelope_of[first], "accept", "--url", exchange_server.url,
                 "--token", exchange_server.department_token(first)])
    assert code == 1 and "踏勘时间已确认" in capsys.readouterr().err

    # The survey results are the departments' decisions: the application concludes.
    for department in sorted({part.department for part in window.application(receipt).summary.parts}):
        decide_all(exchange_server, department)
    deadline = time.monotonic() + 30
    while window.application(receipt).summary.state not in ("concluded",):
        assert time.monotonic() < deadline, window.application(receipt).summary.state
        sync(window)
        for department in sorted({part.department for part in window.application(receipt).summary.parts}):
            decide_all(exchange_server, department)  # later stages, released by the earlier ones
    assert survey.survey_state(window.survey(receipt), dt.datetime(2030, 1, 1, tzinfo=dt.UTC)) == survey.DONE


def test_the_simulation_answers_and_decides_survey_items_after_confirmation(exchange_server_factory, open_window) -> None:
    server = exchange_server_factory(simulate=Simulation(delay=0.3, survey_counter_rate=0.0))
    window: Window = open_window(server.url)
    receipt = accept_example(window, "construction_land_survey")  # its slot proposed at acceptance
    deadline = time.monotonic() + 30
    while survey.survey_state(window.survey(receipt), window.now()) != survey.AGREED:
        assert time.monotonic() < deadline, window.survey(receipt)
        sync(window)
        time.sleep(0.2)
    # Nothing needing the site visit was decided before the slot was confirmed.
    time.sleep(0.8)
    sync(window)
    decided = window.item_decisions(receipt)
    surveyed = {i for i in decided if window.catalog.items[i].site_survey}
    assert not surveyed, surveyed

    window.confirm_survey(receipt, window.survey(receipt).slot)
    while window.application(receipt).summary.state not in ("concluded", "rejected"):
        assert time.monotonic() < deadline + 30, window.application(receipt).summary.state
        sync(window)
        time.sleep(0.2)
    assert window.application(receipt).summary.state == "concluded"


def test_a_proposal_is_refused_in_words_where_no_survey_is_needed(exchange_server, open_window) -> None:
    window: Window = open_window(exchange_server.url)
    receipt = accept_example(window, "newborn")
    assert not window.needs_survey(receipt)
    with pytest.raises(WindowAppError) as refused:
        window.propose_survey(receipt, survey.Slot("2026-12-01T01:30:00Z", "site"))
    assert "survey" in refused.value.words.en
    assert window.survey(receipt) is None


def test_the_exchange_refuses_appointments_it_cannot_trust(exchange_db) -> None:
    """Another window's record, a bad signature, garbage: each answered rejected on its own; an
    older revision is unchanged."""
    store = ExchangeStore.open(exchange_db)
    try:
        register_test_window(store)
        key = key_of_test_window("ZF-01")
        receipt = format_receipt_no("522325", dt.date(2026, 11, 27), "ZF-01", TEST_TAG, 1)
        slot = survey.Slot("2026-11-30T01:30:00Z", "site", "李娜", "0859-6612345")

        def signed(revision: int, window_id: str = "ZF-01", tamper: bool = False) -> dict:
            record = survey.Appointment(receipt, revision, slot, ("agriculture-522325",)).record(window_id)
            text = canonical_json(record).decode()
            signature = json.loads(signature_text(key, text.encode()))
            return {"record": text.replace("site", "elsewhere") if tamper else text, "signature": signature}

        answers = surveys.store_appointments(store, "ZF-01", {"surveys": [signed(2), signed(1), signed(3, tamper=True), "x"]})
        assert [a["status"] for a in answers["surveys"]] == ["stored", "unchanged", "rejected", "rejected"]
        assert "signature" in answers["surveys"][2]["reason"]
        other = surveys.store_appointments(store, "ZF-02", {"surveys": [signed(4)]})
        assert other["surveys"][0]["status"] == "rejected"
        with pytest.raises(ExchangeError) as refused:
            surveys.store_appointments(store, "ZF-01", {"appointments": []})
        assert refused.value.status == 400
    finally:
        store.close()
