"""The USB courier with the real exchange: the township's window exports, the centre's exchange
takes the file in and answers, the window applies the answer (docs/courier.md)."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest

from tests.exchange_fixtures import exchange_server, exchange_server_factory  # noqa: F401  (fixtures)
from tests.functional_tests.courier_helpers import Site, accept_example, site  # noqa: F401  (fixture)
from tests.functional_tests.test_sync_engine import decide_all
from tests.window_template import open_signed_in
from window_app.accepting import window_signer
from window_app.config import SHIPPED_CONFIG, load_settings
from window_app.courier import CourierRefused
from window_app.exchange.courier_import import CourierImportRefused
from window_app.sync.engine import SyncEngine
from window_app.trust import courier_file
from window_app.trust.demo import demo_signing_key


def sync(site: Site):
    engine = SyncEngine(site.window.db, site.window.settings, refresh_catalog=False, clock=site.clock)
    try:
        return asyncio.run(engine.run_once(retry_now=True))
    finally:
        engine.release_lock()


def exchange_count(site: Site) -> int:
    return site.exchange.app.state.store.count_envelopes()


def outbox_states(site: Site) -> dict[str, str]:
    return dict(site.window.db.execute("SELECT envelope_id, state FROM outbox").fetchall())


def test_the_file_carries_every_waiting_envelope_sealed_signed_and_nothing_readable(site: Site) -> None:
    receipts = [accept_example(site.window, name) for name in ("retirement", "newborn")]
    waiting = site.window.courier_waiting()
    assert waiting > 0 and site.window.on_courier() == 0

    path = site.export()
    data = path.read_bytes()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.parent == site.stick and path.suffix == ".courier"
    # Nothing of the applicants readable without the departments' keys.
    for secret in ("陆光明", "522325196605180935", "13595920718", "岑春燕", "522325199403160286", "15085963317"):
        assert secret.encode("utf-8") not in data
        assert secret.encode("unicode_escape") not in data
    # The envelopes stay queued, marked as on a courier: the header counts them.
    assert set(outbox_states(site).values()) >= {"queued"}
    assert site.window.on_courier() == waiting

    outcome = site.take_in(path)
    assert (outcome.status, outcome.created, outcome.duplicate, outcome.rejected) == ("imported", waiting, 0, 0)
    assert exchange_count(site) == waiting
    result = site.window.courier_import(site.answer_path(outcome))
    assert result.status == "applied" and result.delivered == waiting
    assert site.window.on_courier() == 0
    assert all(site.window.application(r).summary.state == "accepted" for r in receipts)
    assert "queued" not in outbox_states(site).values()


def test_decisions_come_back_by_courier_and_the_application_is_concluded(site: Site) -> None:
    receipt = accept_example(site.window, "retirement")
    site.round_trip()
    decided = []
    for department in ("hrss-522325", "medical_insurance-522325", "housing_fund-522325", "bank-522325-abc"):
        decided += decide_all(site.exchange, department)
    assert decided
    result = site.round_trip()
    assert result.effect.applied > 0
    # Stage 2 released by the decisions went out on this file? No: released now, carried next time.
    while site.window.courier_waiting():
        site.round_trip()
        for department in ("hrss-522325", "medical_insurance-522325", "housing_fund-522325", "bank-522325-abc"):
            decide_all(site.exchange, department)
    site.round_trip()
    assert site.window.application(receipt).summary.state == "concluded"


def test_line_back_first_then_the_file_arrives_nothing_twice(site: Site) -> None:
    accept_example(site.window, "newborn")
    path = site.export()
    waiting = site.window.on_courier()
    site.line_up()
    report = sync(site)
    assert report.sent == waiting and site.window.on_courier() == 0
    before = outbox_states(site)
    outcome = site.take_in(path)  # the stick arrives after the line brought everything
    assert (outcome.created, outcome.duplicate) == (0, waiting)
    assert exchange_count(site) == waiting
    result = site.window.courier_import(site.answer_path(outcome))
    assert result.delivered == 0 and outbox_states(site) == before


def test_file_first_then_the_line_comes_back_nothing_twice(site: Site) -> None:
    accept_example(site.window, "newborn")
    path = site.export()
    waiting = site.window.on_courier()
    outcome = site.take_in(path)
    assert outcome.created == waiting
    site.line_up()  # the answer is still on its way back: the window sends the same envelopes
    report = sync(site)
    assert report.sent == 0 and report.duplicate == waiting
    assert exchange_count(site) == waiting
    result = site.window.courier_import(site.answer_path(outcome))
    assert result.status == "applied" and result.delivered == 0 and site.window.on_courier() == 0


def test_a_file_carried_twice_changes_nothing_the_second_time(site: Site) -> None:
    accept_example(site.window, "newborn")
    path = site.export()
    first = site.take_in(path)
    again = site.take_in(path)
    assert again.status == "already" and "nothing changed" in again.words().en
    assert (again.created, again.duplicate) == (first.created, first.duplicate)
    assert exchange_count(site) == first.created
    answer = site.answer_path(first)
    site.window.courier_import(answer)
    states = outbox_states(site)
    audit = site.window.db.execute("SELECT count(*) FROM audit").fetchone()[0]
    twice = site.window.courier_import(answer)
    assert twice.status == "already" and "nothing changed" in twice.words().en
    assert outbox_states(site) == states
    assert site.window.db.execute("SELECT count(*) FROM audit").fetchone()[0] == audit


@pytest.mark.parametrize("damage", ["flip", "truncate", "cut_line", "drop_entry"])
def test_a_damaged_file_is_refused_and_changes_nothing(site: Site, damage: str) -> None:
    accept_example(site.window, "newborn")
    data = site.export().read_bytes()
    bad = site.stick / "bad.courier"
    bad.write_bytes(_damaged(data, damage))
    with pytest.raises(CourierImportRefused) as refused:
        site.take_in(bad)
    assert "refused" in refused.value.words.en and "拒收" in refused.value.words.zh
    assert exchange_count(site) == 0
    # The same damage to an answer: refused at the window, nothing changed.
    outcome = site.take_in(site.carried[0])
    answer = site.stick / "bad-answer.courier"
    answer.write_bytes(_damaged(outcome.answer, damage))
    before = outbox_states(site)
    with pytest.raises(CourierRefused) as refused_answer:
        site.window.courier_import(answer)
    assert "nothing changed" in refused_answer.value.words.en
    assert outbox_states(site) == before


def _damaged(data: bytes, how: str) -> bytes:
    lines = data.split(b"\n")
    if how == "flip":  # one byte of an entry changed
        line = bytearray(lines[1])
        line[len(line) // 2] ^= 0x01
        lines[1] = bytes(line)
        return b"\n".join(lines)
    if how == "truncate":
        return data[: len(data) * 2 // 3]
    if how == "cut_line":  # whole lines, but the last entry missing
        return b"\n".join(lines[:-2]) + b"\n"
    return b"\n".join([lines[0], *lines[2:]])  # an entry taken out


def test_replayed_and_reordered_files_are_refused(site: Site) -> None:
    accept_example(site.window, "newborn")
    first = site.export()
    accept_example(site.window, "retirement")
    second = site.export()
    site.take_in(second)
    with pytest.raises(CourierImportRefused) as reordered:
        site.take_in(first)  # older than the one imported: out of order
    assert "older" in reordered.value.words.en
    count = exchange_count(site)
    # A forged file with an old number: re-signed copies cannot be made without the key, and a
    # different file with a number seen is a replay.
    third = site.export()
    outcome = site.take_in(third)
    site.window.courier_import(site.answer_path(outcome))
    assert exchange_count(site) == count
    # The answer to the older file arrives after the newer one's: refused, nothing changed.
    older = site.take_in(second)  # carried twice at the centre: answered again, older than third's
    before = outbox_states(site)
    with pytest.raises(CourierRefused) as old_answer:
        site.window.courier_import(site.answer_path(older))
    assert "older" in old_answer.value.words.en and outbox_states(site) == before


def test_another_windows_file_and_answer_are_refused(site: Site, tmp_path: Path) -> None:
    accept_example(site.window, "newborn")
    path = site.export()
    # At the exchange: a file whose key is not registered for its window id.
    store = site.exchange.app.state.store
    for key in store.window_keys():
        store.revoke_window_key(key.key_id)
    with pytest.raises(CourierImportRefused) as refused:
        site.take_in(path)
    assert "not an active key registered" in refused.value.words.en
    assert exchange_count(site) == 0


def test_the_county_centres_window_relays_a_townships_file(site: Site, tmp_path: Path) -> None:
    """The township reaches the exchange only through the centre: the centre's window hands the
    file on with its own token (POST /v1/courier), the township's signature intact."""
    accept_example(site.window, "newborn")
    path = site.export()
    waiting = site.window.on_courier()
    environ = {
        "WINDOW_APP_WINDOW_ID": "ZF-02",
        "WINDOW_APP_EXCHANGE_URL": site.exchange.url,
        "WINDOW_APP_EXCHANGE_TOKEN": site.exchange.window_token("ZF-02"),
    }
    centre = open_signed_in(load_settings(SHIPPED_CONFIG, environ=environ, data_dir=str(tmp_path / "centre")))
    try:
        answer = site.stick / "answer.courier"
        relayed = centre.courier_relay(path, answer)
        assert relayed.status == "imported" and f"{waiting} new" in relayed.words.en
        assert exchange_count(site) == waiting
        assert centre.outbox_unsent() == 0  # nothing of the township's stays at the centre
        again = centre.courier_relay(path, site.stick / "again.courier")
        assert again.status == "already" and exchange_count(site) == waiting
        bad = site.stick / "bad.courier"
        bad.write_bytes(_damaged(path.read_bytes(), "flip"))
        with pytest.raises(CourierRefused) as damaged:
            centre.courier_relay(bad, site.stick / "never.courier")
        assert "damaged" in damaged.value.words.en and not (site.stick / "never.courier").exists()
    finally:
        centre.close()
    result = site.window.courier_import(answer)
    assert result.status == "applied" and result.delivered == waiting and site.window.on_courier() == 0
    # A file the exchange refuses (its window's key revoked meanwhile): said, nothing written.
    accept_example(site.window, "retirement")
    later = site.export()
    store = site.exchange.app.state.store
    for key in store.window_keys():
        store.revoke_window_key(key.key_id)
    centre = open_signed_in(load_settings(SHIPPED_CONFIG, environ=environ, data_dir=str(tmp_path / "centre")))
    try:
        with pytest.raises(CourierRefused) as refused:
            centre.courier_relay(later, site.stick / "refused.courier")
    finally:
        centre.close()
    assert "The exchange refused it" in refused.value.words.en and "not an active key" in refused.value.words.en
    assert not (site.stick / "refused.courier").exists() and exchange_count(site) == waiting


def test_an_answer_for_another_window_or_not_from_the_exchange_is_refused(site: Site, tmp_path: Path) -> None:
    accept_example(site.window, "newborn")
    ours = site.take_in(site.export())
    environ = {"WINDOW_APP_WINDOW_ID": "ZF-02", "WINDOW_APP_EXCHANGE_URL": site.proxy.url}
    other = open_signed_in(load_settings(SHIPPED_CONFIG, environ=environ, data_dir=str(tmp_path / "zf-02")), clock=site.clock)
    try:
        site.exchange.app.state.store.register_window(other.registration())
        accept_example(other, "retirement")
        exported = other.courier_export(site.stick).path
        # ZF-02's file passed off as ZF-01's (re-signed with ZF-02's own key): not ZF-01's key.
        read = courier_file.decode(exported.read_bytes(), courier_file.OUTBOUND)
        fields = {k: v for k, v in read.manifest.items() if k not in ("signature", "entries", "total", "format", "version")}
        posing = courier_file.encode({**fields, "window_id": "ZF-01", "sequence": 7}, read.entries, window_signer(other.db, other.catalog, other.settings).key)
        with pytest.raises(CourierImportRefused) as not_theirs:
            site.take_in(_written(site.stick / "posing.courier", posing))
        assert "not an active key registered for window ZF-01" in not_theirs.value.words.en
        theirs = site.take_in(exported)
    finally:
        other.close()
    before = outbox_states(site)
    with pytest.raises(CourierRefused) as refused:
        site.window.courier_import(site.answer_path(theirs))
    assert "window ZF-02's answer" in refused.value.words.en and "ZF-02 的回执" in refused.value.words.zh
    # Re-signed by anyone but the exchange (here: a forger's key): refused.
    read = courier_file.decode(ours.answer, courier_file.ANSWER)
    fields = {name: value for name, value in read.manifest.items() if name not in ("signature", "entries", "total", "format", "version")}
    forged = courier_file.encode(fields, read.entries, demo_signing_key("forger"))
    with pytest.raises(CourierRefused) as not_signed:
        site.window.courier_import(_written(site.stick / "forged.courier", forged))
    assert "not signed by the exchange" in not_signed.value.words.en
    assert outbox_states(site) == before
    # The genuine answer still applies.
    assert site.window.courier_import(site.answer_path(ours)).delivered == ours.created


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_joint_survey_goes_out_and_its_answers_come_back_by_courier(site: Site) -> None:
    """联合踏勘 with the line down: acceptance's proposal rides the stick to the exchange, the
    departments answer there, the answers ride back; the window confirms, the next file tells all."""
    from window_app.exchange import surveys

    receipt = accept_example(site.window, "construction_land_survey")
    proposed = site.window.survey(receipt)
    assert proposed is not None and proposed.revision == 1

    site.round_trip()  # the envelopes and the appointment (after them: each department holds its envelope)
    store = site.exchange.app.state.store
    envelope_of = {part.department: part.envelope_id for part in site.window.application(receipt).summary.parts}
    for department in proposed.departments:
        seen = surveys.survey_of_envelope(store, department, envelope_of[department])
        assert seen is not None and (seen["revision"], seen["state"]) == (1, "proposed")
        surveys.answer(store, department, {"envelope_id": envelope_of[department], "revision": 1, "answer": "accept"})

    result = site.round_trip()
    assert result.survey_answers == len(proposed.departments)
    assert "Joint site survey" in result.words().en
    held = site.window.survey(receipt)
    assert {a.department for a in held.current_answers().values()} == set(proposed.departments)

    site.window.confirm_survey(receipt, held.slot)
    again = site.round_trip()
    assert again.surveys == 1
    department = proposed.departments[0]
    assert surveys.survey_of_envelope(store, department, envelope_of[department])["state"] == "confirmed"
    assert site.window.survey(receipt).confirmed and not site.window.survey(receipt).revision > held.revision + 1
