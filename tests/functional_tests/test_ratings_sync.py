"""好差评 through the REAL exchange on 127.0.0.1, on SQLite and on PostgreSQL: ratings and
rectification cases reach it by sync rounds, once (a resend is a duplicate), a case at its latest
revision; the applicant's phone rating at conclusion (checked by the tracking code) comes back
to the window, where its 差评 opens a case; every window's ratings counted at the exchange."""

from __future__ import annotations

import json
import time

import pytest

from offline_cache import ratings as window_store
from tests.exchange_fixtures import exchange_db, exchange_server, exchange_server_factory  # noqa: F401  (fixtures)
from tests.exchange_fixtures import on_both_backends as exchange_backend  # noqa: F401  (fixture)
from tests.functional_tests.test_sync_engine import accept_example, open_window, sync  # noqa: F401  (fixture)
from window_app.cli import main
from window_app.domain.tracking_code import tracking_digest
from window_app.exchange import ratings as exchange_ratings
from window_app.exchange.errors import ExchangeError
from window_app.exchange.store import ExchangeStore
from window_app.window import Window

pytestmark = pytest.mark.usefixtures("exchange_backend")


def held(server) -> tuple[dict, dict]:
    """The exchange's ratings (by id: level, channel) and cases (by id: state, revision)."""
    store = ExchangeStore.open(server.db_path)
    try:
        with store.backend.reading() as conn:
            ratings = {row[0]: (row[1], row[2]) for row in conn.execute("SELECT rating_id, level, channel FROM ratings")}
            cases = {row[0]: (row[1], row[2]) for row in conn.execute("SELECT case_id, state, revision FROM rectification_cases")}
        return ratings, cases
    finally:
        store.close()


def test_ratings_and_cases_reach_the_exchange_once(exchange_server, open_window, capsys) -> None:
    window: Window = open_window(exchange_server.url)
    receipt = accept_example(window, "house_transfer")
    window.rate_at_window(receipt, 2, ("B03",))
    [case] = window.rectification_cases()

    report = sync(window)
    assert report.ratings.sent == 2 and report.ratings.pending == 0, report.ratings
    ratings, cases = held(exchange_server)
    assert ratings == {f"{receipt}/receipt": (2, "window")}
    assert cases == {case.case_id: ("open", 1)}

    window.assign_case(case.case_id, "A0107", "tax")
    window.record_case_callback(case.case_id, "已电话回访申请人")
    assert sync(window).ratings.sent == 1
    assert held(exchange_server)[1] == {case.case_id: ("called_back", 3)}

    # Nothing to send again; and a send whose answer was lost (marked unsent again) is a duplicate.
    assert sync(window).ratings.sent == 0
    window.db.execute("UPDATE ratings SET sync_state = 'queued'")
    window.db.execute("UPDATE rectification_cases SET synced_revision = 1")
    report = sync(window)
    assert report.ratings.pending == 0 and report.ratings.rejected == 0
    assert held(exchange_server) == ({f"{receipt}/receipt": (2, "window")}, {case.case_id: ("called_back", 3)})

    store = ExchangeStore.open(exchange_server.db_path)
    try:
        [by_window] = exchange_ratings.rating_counts(store, "window")
        assert (by_window.key, by_window.total, by_window.bad, by_window.open_cases) == ("ZF-01", 1, 1, 1)
        by_department = exchange_ratings.rating_counts(store, "department")
        assert {count.key for count in by_department} == set(window.ratings_of(receipt)[0].departments)
    finally:
        store.close()
    code = main(["exchange", "ratings", "--db", str(exchange_server.db_path), "--by", "clerk", "--json"])
    assert code == 0
    [by_clerk] = json.loads(capsys.readouterr().out)["counts"]
    assert (by_clerk["key"], by_clerk["total"], by_clerk["bad"]) == ("T001", 1, 1)


def test_offline_ratings_wait_and_go_later(exchange_server, open_window) -> None:
    window: Window = open_window(exchange_server.url)
    receipt = accept_example(window, "newborn")
    window.rate_at_window(receipt, 5, ("G04",))
    exchange_server.stop()
    report = sync(window)
    assert report.ratings.sent == 0 and report.ratings.pending == 1
    exchange_server.start()
    assert sync(window, retry_now=True).ratings.sent == 1
    assert held(exchange_server)[0] == {f"{receipt}/receipt": (5, "window")}


def test_a_window_cannot_send_another_windows_rating(exchange_server) -> None:
    store = ExchangeStore.open(exchange_server.db_path)
    try:
        answer = exchange_ratings.store_batch(
            store,
            "ZF-02",
            {"ratings": [{"rating_id": "x/receipt", "receipt_no": "x", "occasion": "receipt", "level": 9}], "cases": []},
        )
        assert answer["ratings"][0]["status"] == "rejected"
        with pytest.raises(ExchangeError) as refused:
            exchange_ratings.store_batch(store, "ZF-02", {"ratings": ["not an object"]})
        assert refused.value.status == 400
    finally:
        store.close()


def test_a_phone_rating_at_conclusion_comes_back_and_its_bad_rating_opens_a_case(exchange_server_factory, open_window) -> None:
    server = exchange_server_factory(simulate=0.2)
    window: Window = open_window(server.url)
    receipt = accept_example(window, "social_security_card_replacement")
    window.rate_at_window(receipt, 4, ())
    code = window.application(receipt).tracking_code
    digest = tracking_digest(receipt, code)  # what the tracking page holds for the application
    store = ExchangeStore.open(server.db_path)
    try:
        with pytest.raises(ExchangeError) as early:
            exchange_ratings.rate_from_tracking(store, receipt, code, digest, 1, ["B04"])
        assert early.value.status == 409  # not concluded (not even arrived) yet
        deadline = time.monotonic() + 30
        while window.application(receipt).summary.state not in ("concluded", "rejected"):
            assert time.monotonic() < deadline, "the simulated departments did not conclude"
            sync(window)
            time.sleep(0.1)

        with pytest.raises(ExchangeError) as wrong:
            exchange_ratings.rate_from_tracking(store, receipt, "AAAA2222", digest, 1, ["B04"])
        assert wrong.value.status == 403
        answer = exchange_ratings.rate_from_tracking(store, receipt, code.lower(), digest, 1, ["B04"])
        assert answer == {"rating_id": f"{receipt}/conclusion", "status": "created"}
        assert exchange_ratings.rate_from_tracking(store, receipt, code, digest, 1, ["B04"])["status"] == "duplicate"
        with pytest.raises(ExchangeError) as changed:
            exchange_ratings.rate_from_tracking(store, receipt, code, digest, 5, [])
        assert changed.value.status == 409
    finally:
        store.close()

    report = sync(window)
    assert report.ratings.pulled == 1
    phone = window_store.rating_of(window.db, receipt, "conclusion")
    assert phone is not None and (phone.level, phone.channel, phone.clerk_id) == (1, "tracking", "T001")
    [case] = window.rectification_cases()
    assert case.rating_id == f"{receipt}/conclusion" and case.reasons == ("B04",)
    # The case goes to the exchange next round; the rating is pulled once only.
    window.db.execute("DELETE FROM meta WHERE key LIKE 'sync.ratings_cursor.%'")
    report = sync(window)
    assert report.ratings.pulled == 0 and report.ratings.pending == 0
    assert held(server)[1] == {case.case_id: ("open", 1)}


def test_the_conclusion_is_rated_once_at_the_window_or_from_the_phone(exchange_server_factory, open_window) -> None:
    """The window's rating at conclusion reaches the exchange, and the tracking page then refuses
    another; a phone rating pulled first means the window offers no second one."""
    server = exchange_server_factory(simulate=0.2)
    window: Window = open_window(server.url)
    at_window = accept_example(window, "social_security_card_replacement")
    by_phone = accept_example(window, "social_security_card_replacement")
    deadline = time.monotonic() + 30
    while {window.application(r).summary.state for r in (at_window, by_phone)} != {"concluded"}:
        assert time.monotonic() < deadline, "the simulated departments did not conclude"
        sync(window)
        time.sleep(0.1)

    assert window.hand_over_results(at_window)  # the applicant collects the results and rates
    window.rate_at_window(at_window, 5, ("G01",))
    assert sync(window).ratings.sent == 1
    assert held(server)[0] == {f"{at_window}/conclusion": (5, "window")}
    store = ExchangeStore.open(server.db_path)
    try:
        code = window.application(at_window).tracking_code
        with pytest.raises(ExchangeError) as again:
            exchange_ratings.rate_from_tracking(store, at_window, code, tracking_digest(at_window, code), 1, [])
        assert again.value.status == 409  # rated at the window: never a second conclusion rating
        assert exchange_ratings.conclusion_level(store, at_window) == 5

        code = window.application(by_phone).tracking_code
        exchange_ratings.rate_from_tracking(store, by_phone, code, tracking_digest(by_phone, code), 4, [])
    finally:
        store.close()
    assert sync(window).ratings.pulled == 1
    assert not window.hand_over_results(by_phone)  # the phone's rating is the conclusion's: no step
    assert [(r.occasion, r.channel) for r in window.ratings_of(by_phone)] == [("conclusion", "tracking")]
