"""Handling classes as behaviour, end to end against the REAL exchange on 127.0.0.1.

一类直接办 concluded at the window by a sole approver (a filing reaches the department), a plain
acceptor's class-1 item sent as a request, 三类登记办 handed over with a 材料移交单 and
acknowledged, and the refusals in words.
"""

from __future__ import annotations

import json

import httpx
import pytest

from tests.exchange_fixtures import ExchangeServer, exchange_server, exchange_server_factory, refused_url  # noqa: F401  (fixtures)
from tests.functional_tests.test_sync_engine import EXAMPLES, exchange_rows, open_window, sync  # noqa: F401
from tests.window_template import TEST_CLERK, TEST_KDF, TEST_PIN
from window_app.cli import main
from window_app.domain.clerks import Role
from window_app.domain.intake import AtWindowDecision
from window_app.domain.wire import DecisionRequest
from window_app.exchange.client import DepartmentClient, ExchangeClientError
from window_app.exchange.department_keys import DepartmentKeys
from window_app.handling import AtWindowRefused
from window_app.intake.io import parse_intake
from window_app.window import Window

HUKOU = "newborn_hukou_registration"
HUKOU_RESULT = "户口登记 5223250001"


def newborn(**at_window: AtWindowDecision):
    intake, problems = parse_intake(json.loads((EXAMPLES / "newborn.json").read_text(encoding="utf-8")))
    assert not problems
    intake.at_window = dict(at_window)
    return intake


def as_clerk(window: Window, clerk_id: str) -> Window:
    """Sign ``clerk_id`` in: A0107 a sole approver (独任审批员), A0108 a plain acceptor (受理员);
    the test clerk (an administrator) adds them first."""
    roles = {"A0107": (Role.SOLE_APPROVER,), "A0108": (Role.ACCEPTOR,)}[clerk_id]
    window.sign_in(TEST_CLERK, TEST_PIN)  # an administrator
    if clerk_id not in {clerk.id for clerk in window.clerks()}:
        window.add_clerk(clerk_id, f"窗口{clerk_id}", roles, "pin-2468", kdf=TEST_KDF)
    window.sign_in(clerk_id, "pin-2468")
    return window


def inbox(server: ExchangeServer, department: str) -> list[dict]:
    with DepartmentClient(server.url, server.department_token(department)) as client:
        return client.inbox("all", department=department)


def decide_open(server: ExchangeServer, department: str) -> None:
    """The department approves every item it still has to decide."""
    keys = DepartmentKeys.demo(department)
    with DepartmentClient(server.url, server.department_token(department)) as client:
        for envelope in client.inbox("open"):
            for item in envelope["items"]:
                if item["decision"] is None and not item.get("filed"):
                    client.decide(envelope["envelope_id"], item["id"], "approved", result=f"{item['result']} 0001", decided_by="审批员", keys=keys)


def test_a_sole_approver_concludes_a_class_1_item_and_the_department_receives_a_filing(exchange_server: ExchangeServer, open_window) -> None:
    window = open_window(exchange_server.url)
    intake = newborn(**{HUKOU: AtWindowDecision("approved", result=HUKOU_RESULT)})
    receipt = as_clerk(window, "A0107").accept(intake).receipt_no

    # Recorded at once, in the accept transaction: the decision, who made it, the part approved.
    decision = window.item_decisions(receipt)[HUKOU]
    assert (decision.decision, decision.result, decision.decided_by) == ("approved", HUKOU_RESULT, "窗口A0107（A0107）")
    detail = window.application(receipt)
    hukou_part = next(part for part in detail.summary.parts if HUKOU in part.items)
    assert hukou_part.state == "approved"
    assert detail.summary.state == "in_progress"
    # The stage that needed the household registration is released at once, not held.
    assert all(part.state != "waiting" for part in detail.summary.parts if part.stage == 2)

    sync(window)
    filing = next(e for e in inbox(exchange_server, "public_security-522325") if e["receipt_no"] == receipt)
    assert filing["kind"] == "filing"
    opened = DepartmentKeys.demo("public_security-522325").open(filing)  # the window's signature verifies
    assert isinstance(opened, dict)
    filed = next(item for item in filing["items"] if item["id"] == HUKOU)["filed"]
    assert (filed["decision"], filed["result"], filed["decided_by"]) == ("approved", HUKOU_RESULT, "窗口A0107（A0107）")
    assert filing["state"] == "new"  # as listed; listing it leaves nothing open
    with DepartmentClient(exchange_server.url, exchange_server.department_token("public_security-522325")) as client:
        assert client.inbox("open") == []
        # A decision on a filed item is refused in words.
        with pytest.raises(ExchangeClientError) as refused:
            client.decide(filing["envelope_id"], HUKOU, "rejected", reason="x", keys=DepartmentKeys.demo("public_security-522325"))
    assert refused.value.status == 409
    assert "concluded at the window" in refused.value.words.in_language("en")

    # The rest goes to the departments; the bundle concludes once they have decided.
    for _ in range(3):
        for department in ("hrss-522325", "medical_insurance-522325", "health-522325"):
            decide_open(exchange_server, department)
        sync(window)
        for envelope in inbox(exchange_server, "bank-522325-abc"):
            if envelope["kind"] == "handover" and envelope["state"] != "decided":
                acknowledge(exchange_server, envelope["envelope_id"])
        sync(window)
    detail = window.application(receipt)
    assert detail.summary.state == "concluded", [(p.department, p.state) for p in detail.summary.parts]
    assert HUKOU_RESULT in detail.conclusion


def acknowledge(server: ExchangeServer, envelope_id: str, by: str = "王会计") -> dict:
    with DepartmentClient(server.url, server.department_token("bank-522325-abc")) as client:
        event, _ = client.decide(envelope_id, "", "acknowledged", decided_by=by, keys=DepartmentKeys.demo("bank-522325-abc"))
    return event


def test_a_plain_acceptors_class_1_item_goes_as_a_request(exchange_server: ExchangeServer, open_window) -> None:
    window = open_window(exchange_server.url)
    with pytest.raises(AtWindowRefused) as refused:
        as_clerk(window, "A0108").accept(newborn(**{HUKOU: AtWindowDecision("approved", result="x")}))
    assert "sole approver" in refused.value.words.in_language("en")
    assert window.applications() == []  # nothing written

    receipt = as_clerk(window, "A0108").accept(newborn()).receipt_no
    assert window.item_decisions(receipt) == {}
    sync(window)
    request = next(e for e in inbox(exchange_server, "public_security-522325") if e["receipt_no"] == receipt)
    assert request["kind"] == "application"
    assert all("filed" not in item for item in request["items"])


def test_conclusions_at_the_window_refused_in_words(open_window, refused_url: str) -> None:
    window = open_window(refused_url)
    cases = {
        "newborn_social_security_card": "needs the result",  # its prerequisite is with a department
        "newborn_bank_card": "class-3 item",
        "company_registration": "not an item of this application",
    }
    for item, words in cases.items():
        with pytest.raises(AtWindowRefused) as refused:
            as_clerk(window, "A0107").accept(newborn(**{item: AtWindowDecision("approved")}))
        assert words in " ".join(str(d.in_language("en")) for d in refused.value.details), item
    with pytest.raises(AtWindowRefused) as refused:
        as_clerk(window, "A0107").accept(newborn(**{HUKOU: AtWindowDecision("rejected")}))
    assert "needs a reason" in refused.value.details[0].in_language("en")
    assert window.applications() == []


def test_a_class_3_handover_is_recorded_and_acknowledged_end_to_end(exchange_server: ExchangeServer, open_window, capsys) -> None:
    window = open_window(exchange_server.url)
    receipt = as_clerk(window, "A0107").accept(newborn(**{HUKOU: AtWindowDecision("approved", result=HUKOU_RESULT)})).receipt_no
    [handover] = window.handovers(receipt)
    assert handover.department == "bank-522325-abc" and handover.handed_by == "窗口A0107（A0107）" and not handover.acknowledged
    assert {m.id for m in handover.materials} == {"household_register"}  # the paper; the ID card is shared online
    text = window.handover_text(receipt)
    assert "材料移交单" in text and receipt in text and "待部门签收" in text

    # The bank's part waits for the social security card, then goes as a handover.
    decide_open(exchange_server, "hrss-522325")
    sync(window)
    decide_open(exchange_server, "hrss-522325")
    sync(window)
    part = next(p for p in window.application(receipt).summary.parts if p.department == "bank-522325-abc")
    assert part.state == "awaiting_acknowledgement"
    envelope = next(e for e in inbox(exchange_server, "bank-522325-abc") if e["receipt_no"] == receipt)
    assert envelope["kind"] == "handover"
    assert [m["id"] for m in envelope["payload"]["handover"]["materials"]] == ["household_register"]
    # Deciding an item of a handover is refused: the department acknowledges instead.
    with DepartmentClient(exchange_server.url, exchange_server.department_token("bank-522325-abc")) as client:
        with pytest.raises(ExchangeClientError) as refused:
            client.decide(envelope["envelope_id"], "newborn_bank_card", "approved", keys=DepartmentKeys.demo("bank-522325-abc"))
    assert refused.value.status == 409 and "acknowledge" in refused.value.words.in_language("en")

    event = acknowledge(exchange_server, envelope["envelope_id"])
    assert (event["kind"], event["decided_by"], event["item"]) == ("acknowledged", "王会计", None)
    assert acknowledge(exchange_server, envelope["envelope_id"])["seq"] == event["seq"]  # once
    sync(window)
    [handover] = window.handovers(receipt)
    assert handover.acknowledged and handover.acknowledged_by == "王会计"
    part = next(p for p in window.application(receipt).summary.parts if p.department == "bank-522325-abc")
    assert part.state == "handed_over"
    assert "王会计" in window.handover_text(receipt)
    window.sign_in(TEST_CLERK, TEST_PIN)  # every window's list is a supervisor's
    assert window.handovers(pending_only=True) == []
    data_dir = str(window.settings.data_dir)
    assert main(["--data-dir", data_dir, "--lang", "en", "handover", "show", receipt]) == 0
    printed = capsys.readouterr().out
    assert "Handover List of Materials" in printed and "王会计" in printed
    assert main(["--data-dir", data_dir, "handover", "list", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["receipt_no"], listed["acknowledged_by"]) == (receipt, "王会计")
    assert main(["--data-dir", data_dir, "handover", "show", "NOPE"]) == 1
    assert exchange_rows(exchange_server, "SELECT state FROM envelopes WHERE envelope_id = ?", [envelope["envelope_id"]]) == [("decided",)]


def test_an_acknowledgement_of_a_request_is_refused(exchange_server: ExchangeServer, open_window) -> None:
    window = open_window(exchange_server.url)
    receipt = as_clerk(window, "A0108").accept(newborn()).receipt_no
    sync(window)
    request = next(e for e in inbox(exchange_server, "public_security-522325") if e["receipt_no"] == receipt)
    with httpx.Client(base_url=exchange_server.url) as http:
        body = DepartmentKeys.demo("public_security-522325").signed(
            DecisionRequest(request["envelope_id"], "", "acknowledged", decided_by="张三")
        ).to_json()
        answer = http.post("/v1/decisions", json=body, headers={"Authorization": f"Bearer {exchange_server.department_token('public_security-522325')}"})
    assert answer.status_code == 409
    assert "not a handover" in answer.json()["error"]
