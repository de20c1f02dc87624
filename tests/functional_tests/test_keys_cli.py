"""``window-app keys`` at the window, ``window-app exchange keys`` at the exchange, and a
department's inbox opened and decisions signed with its own key files: the whole trust set-up
an operator goes through, on real files and a real exchange."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.exchange_fixtures import ExchangeServer, exchange_server_factory, make_envelope  # noqa: F401 - the fixture
from tests.window_template import open_signed_in, seed_window_database
from window_app.catalog.loader import load_catalog, shipped_catalog_path
from window_app.cli import main
from window_app.config import SHIPPED_CONFIG, load_settings
from window_app.intake.io import parse_intake
from window_app.window import Window

ROOT = Path(__file__).resolve().parents[2]


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def data_dir(tmp_path: Path) -> str:
    data_dir = str(tmp_path / "data")
    seed_window_database(load_settings(SHIPPED_CONFIG, environ={}, data_dir=data_dir))
    return data_dir


def test_a_window_key_is_a_0600_file_apart_from_the_data_and_init_never_replaces_it_silently(capsys, data_dir, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WINDOW_APP_TRUST_KEYS_DIR", str(tmp_path / "keys"))
    code, public, said = cli(capsys, "--data-dir", data_dir, "--lang", "en", "keys", "init")
    assert code == 0 and public.startswith("ed25519:") and "Made the signing key" in said
    [key_file] = (tmp_path / "keys").iterdir()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and key_file.name.startswith("window-ZF-01-")
    assert not any(path.suffix == ".pem" for path in Path(data_dir).rglob("*"))
    code, again, said = cli(capsys, "--data-dir", data_dir, "--lang", "en", "keys", "init")
    assert again == public and "exists already" in said
    code, shown, _ = cli(capsys, "--data-dir", data_dir, "--lang", "en", "keys", "show")
    assert public.strip() in shown and "Receipt prefix: 522325-*-ZF-01-" in shown
    code, rotated, said = cli(capsys, "--data-dir", data_dir, "--lang", "en", "keys", "init", "--replace")
    assert code == 0 and rotated != public and "revoke the old one" in said
    monkeypatch.setenv("WINDOW_APP_TRUST_KEYS_DIR", str(Path(data_dir) / "keys"))
    code, _, said = cli(capsys, "--data-dir", data_dir, "--lang", "en", "keys", "show")
    assert code == 2 and "inside the data directory" in said


def test_an_operator_registers_a_window_then_its_envelopes_go_and_a_revoked_key_stops_them(
    capsys, data_dir, tmp_path, monkeypatch, exchange_server_factory
) -> None:
    monkeypatch.setenv("WINDOW_APP_TRUST_KEYS_DIR", str(tmp_path / "keys"))
    server: ExchangeServer = exchange_server_factory(demo=False)
    request = tmp_path / "registration.json"
    code, text, _ = cli(capsys, "--data-dir", data_dir, "keys", "show", "--json")
    request.write_text(text, encoding="utf-8")
    server.stop()  # the operator's commands work on the exchange's file
    code, key_id, said = cli(capsys, "--lang", "en", "exchange", "keys", "register", "--db", str(server.db_path), str(request))
    assert code == 0 and "Registered key" in said
    forged = json.loads(text) | {"installation_tag": "ZZZZ"}  # the request altered after it was signed
    request.write_text(json.dumps(forged), encoding="utf-8")
    code, _, said = cli(capsys, "--lang", "en", "exchange", "keys", "register", "--db", str(server.db_path), str(request))
    assert code == 1 and "own signature does not hold" in said
    code, listed, _ = cli(capsys, "exchange", "keys", "list", "--db", str(server.db_path), "--json")
    [window_key] = json.loads(listed)["windows"]
    assert window_key["key_id"] == key_id.strip() and window_key["revoked_at"] is None
    server.start()
    token = server.issue_token("window", "ZF-01")

    settings = load_settings(SHIPPED_CONFIG, data_dir=data_dir, environ={
        "WINDOW_APP_EXCHANGE_URL": server.url, "WINDOW_APP_EXCHANGE_TOKEN": token,
        "WINDOW_APP_TRUST_KEYS_DIR": str(tmp_path / "keys"),
    })
    window = open_signed_in(settings)
    try:
        intake, _ = parse_intake(json.loads((ROOT / "examples/applications/business_startup.json").read_text("utf-8")))
        window.accept(intake)
        report = window_sync(window)
        assert report.sent == 1 and report.quarantined == 0
        server.stop()
        code, _, said = cli(capsys, "--lang", "en", "exchange", "keys", "revoke", "--db", str(server.db_path), key_id.strip())
        assert code == 0 and "Revoked window key" in said
        server.start()
        window.accept(intake)
        report = window_sync(window)
        assert report.quarantined == 1 and "was revoked" in report.error.en
    finally:
        window.close()


def window_sync(window: Window):
    import asyncio

    engine = window.sync_engine(refresh_catalog=False)
    try:
        return asyncio.run(engine.run_once())
    finally:
        engine.close()


def test_a_department_reads_its_inbox_opened_with_its_own_key_files_and_signs_its_decisions(
    capsys, tmp_path, exchange_server_factory
) -> None:
    server: ExchangeServer = exchange_server_factory()
    [created] = server_post(server, [make_envelope()])
    url = ["--url", server.url, "--token", "demo-market_regulation-522325"]
    code, shown, _ = cli(capsys, "--lang", "en", "exchange", "inbox", "market_regulation-522325", *url)
    assert code == 0 and "Window signature verified" in shown and "黄丽" in shown
    # Someone else's key files (a department that is not in this catalog with these keys) open nothing.
    code, _, _ = cli(capsys, "exchange", "keys", "init-department", "market_regulation-522325", "--dir", str(tmp_path / "dept"))
    code, shown, _ = cli(capsys, "--lang", "en", "exchange", "inbox", "market_regulation-522325", "--all", *url, "--keys-dir", str(tmp_path / "dept"))
    assert code == 0 and "Not verified or not opened" in shown and "黄丽" not in shown
    code, _, said = cli(capsys, "--lang", "en", "exchange", "decide", created["envelope_id"], "company_registration", "approved",
                        "--result", "营业执照 X", *url, "--keys-dir", str(tmp_path / "dept"), "--department", "market_regulation-522325")
    assert code == 2 and "signature does not hold" in said  # 403: the catalog says another key (a credential, not the input)
    code, said, _ = cli(capsys, "--lang", "en", "exchange", "decide", created["envelope_id"], "company_registration", "approved",
                        "--result", "营业执照 X", *url)
    assert code == 0 and "Recorded" in said


def server_post(server: ExchangeServer, envelopes: list[dict]) -> list[dict]:
    import httpx

    answer = httpx.post(f"{server.url}/v1/envelopes", json={"envelopes": envelopes},
                        headers={"Authorization": "Bearer demo-window-ZF-01"}, trust_env=False)
    return answer.json()["results"]


def test_a_demo_exchange_refuses_to_listen_beyond_the_loopback(capsys, tmp_path) -> None:
    code, _, said = cli(capsys, "--lang", "en", "exchange", "serve", "--db", str(tmp_path / "x.sqlite"), "--demo", "--host", "0.0.0.0")
    assert code == 1 and "loopback address only" in said


def test_an_office_keys_are_named_after_it_and_the_shipped_ones_are_its_demo_keys(capsys, tmp_path) -> None:
    """Each office has its own pair: key files named after the office id; the shipped catalog's
    public keys are the demo keys of each office id, which ``--demo`` prints."""
    office = load_catalog(shipped_catalog_path()).offices["tax-522301"]
    code, shown, _ = cli(capsys, "exchange", "keys", "init-department", "tax-522301", "--demo")
    assert code == 0
    assert shown.splitlines() == [f'signing_key = "{office.signing_key}"', f'sealing_key = "{office.sealing_key}"']
    code, shown, _ = cli(capsys, "exchange", "keys", "init-department", "tax-522301", "--dir", str(tmp_path / "keys"))
    assert code == 0 and sorted(p.name for p in (tmp_path / "keys").iterdir()) == ["tax-522301.ed25519.pem", "tax-522301.x25519.pem"]
    assert office.signing_key not in shown  # a new pair, not the demo's
    code, _, said = cli(capsys, "--lang", "en", "exchange", "keys", "init-department", "../tax", "--demo")
    assert code == 1 and "may hold only lowercase letters" in said
