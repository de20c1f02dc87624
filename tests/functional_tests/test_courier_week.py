"""A township window without a line for a whole simulated week: 200 applications go to the
departments by USB courier, their decisions come back the same way, the applications are
concluded; then the line returns and nothing is sent twice (docs/courier.md)."""

from __future__ import annotations

import asyncio

from tests.exchange_fixtures import exchange_server, exchange_server_factory, query  # noqa: F401  (fixtures)
from tests.functional_tests.courier_helpers import Site, accept_example, site  # noqa: F401  (fixture)
from tests.functional_tests.test_sync_engine import decide_all
from window_app.sync.engine import SyncEngine

# Mostly one-department services, some bundles whose later stages wait for earlier results.
MIX = (
    "social_security_card_replacement",
    "housing_fund_rent_withdrawal",
    "unemployment_benefit_claim",
    "remote_medical_filing",
    "social_security_card_replacement",
    "housing_fund_rent_withdrawal",
    "unemployment_benefit_claim",
    "remote_medical_filing",
    "retirement",
    "newborn",
)
APPLICATIONS = 200
ACCEPTING_DAYS = 5  # Monday to Friday; the weekend's trips bring the last decisions back


def departments_decide(site: Site) -> None:
    """Every department with envelopes at the exchange decides what is new in its inbox."""
    for (department,) in query(site.exchange.db_path, "SELECT DISTINCT department FROM envelopes"):
        decide_all(site.exchange, department)


def test_a_week_offline_by_courier_then_the_line_returns_and_nothing_is_sent_twice(site: Site) -> None:
    receipts: list[str] = []
    per_day = APPLICATIONS // ACCEPTING_DAYS
    for day in range(7):
        if day < ACCEPTING_DAYS:
            receipts += [accept_example(site.window, MIX[n % len(MIX)]) for n in range(len(receipts), len(receipts) + per_day)]
        # Evening: the stick goes to the county centre and comes back next morning.
        result = site.round_trip()
        assert result.status == "applied"
        departments_decide(site)
        site.clock.next_day()
        assert site.window.sync_status().unsent >= 0
    for _ in range(3):  # the following week's trips, until nothing waits
        site.round_trip()
        departments_decide(site)
    site.round_trip()

    assert len(receipts) == APPLICATIONS
    states = {receipt: site.window.application(receipt).summary.state for receipt in receipts}
    assert set(states.values()) == {"concluded"}, {s for s in states.values()}
    assert site.window.on_courier() == 0 and site.window.courier_waiting() == 0
    files = site.window.db.execute("SELECT count(*), min(sequence), max(sequence) FROM courier_files").fetchone()
    assert files == (11, 1, 11)

    # The line returns: a round sends nothing, and the exchange has each envelope once.
    outbox = site.window.db.execute("SELECT envelope_id, state, sent_at FROM outbox ORDER BY envelope_id").fetchall()
    applications = site.window.db.execute("SELECT receipt_no, state FROM applications ORDER BY receipt_no").fetchall()
    site.line_up()
    engine = SyncEngine(site.window.db, site.window.settings, refresh_catalog=False, clock=site.clock)
    try:
        report = asyncio.run(engine.run_once(retry_now=True))
    finally:
        engine.release_lock()
    assert report.online and (report.sent, report.duplicate, report.failed) == (0, 0, 0)
    assert site.window.db.execute("SELECT envelope_id, state, sent_at FROM outbox ORDER BY envelope_id").fetchall() == outbox
    assert site.window.db.execute("SELECT receipt_no, state FROM applications ORDER BY receipt_no").fetchall() == applications
    keys = query(site.exchange.db_path, "SELECT idempotency_key FROM envelopes")
    sent = {key for (key,) in site.window.db.execute("SELECT idempotency_key FROM outbox WHERE state = 'sent'")}
    assert len(keys) == len({key for (key,) in keys}) == len(sent) and {key for (key,) in keys} == sent
