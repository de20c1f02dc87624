"""A window whose line is down, the real exchange at the county centre, and the stick between them.

The window talks to the exchange through :class:`tests.fault_proxy.FaultProxy`: in
``reset_before`` mode every request is reset before it reaches the exchange (the cut line),
``pass_through`` brings the line back on the same URL (so the window's cursors stay its own).
The exchange is the real server (tests/exchange_fixtures.py); the departments decide through
its HTTP API; the courier file is taken in there with the same function
``window-app exchange courier import`` runs.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.exchange_fixtures import ExchangeServer
from tests.fault_proxy import FaultProxy
from tests.window_template import open_signed_in
from window_app.config import SHIPPED_CONFIG, load_settings
from window_app.exchange.courier_import import ImportOutcome, import_courier
from window_app.exchange.ledger import DEMO_KEY_NAME
from window_app.intake.io import parse_intake
from window_app.trust import courier_file
from window_app.trust.demo import demo_signing_key
from window_app.window import Window

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "applications"
MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@dataclass
class Clock:
    """A fixed clock the test moves on (a simulated week, day by day)."""

    now: dt.datetime = MONDAY

    def __call__(self) -> dt.datetime:
        return self.now

    def next_day(self) -> None:
        self.now += dt.timedelta(days=1)


@dataclass
class Site:
    """The township's window (line cut), the county centre's exchange, and the stick."""

    window: Window
    exchange: ExchangeServer
    proxy: FaultProxy
    clock: Clock
    stick: Path
    carried: list[Path] = field(default_factory=list)

    def line_down(self) -> None:
        self.proxy.set_mode("reset_before")

    def line_up(self) -> None:
        self.proxy.pass_through()

    def export(self) -> Path:
        result = self.window.courier_export(self.stick)
        self.carried.append(result.path)
        return result.path

    def take_in(self, path: Path) -> ImportOutcome:
        """At the centre: the exchange takes the file in (as ``exchange courier import`` does)."""
        state = self.exchange.app.state
        return import_courier(state.store, state.catalog.catalog, path.read_bytes(), demo_signing_key(DEMO_KEY_NAME))

    def answer_path(self, outcome: ImportOutcome, name: str = "") -> Path:
        path = self.stick / (name or f"answer-{outcome.sequence}-{len(list(self.stick.iterdir()))}.courier")
        courier_file.write_whole(path, outcome.answer)
        return path

    def round_trip(self) -> Any:
        """Export, take in, carry the answer back and import it; the window's result."""
        outcome = self.take_in(self.export())
        return self.window.courier_import(self.answer_path(outcome))


def accept_example(window: Window, name: str) -> str:
    intake, problems = parse_intake(json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8")))
    assert not problems
    return window.accept(intake).receipt_no


@pytest.fixture
def site(exchange_server: ExchangeServer, tmp_path: Path) -> Iterator[Site]:
    clock = Clock()
    with FaultProxy(exchange_server.port) as proxy:
        proxy.set_mode("reset_before")
        environ = {
            "WINDOW_APP_EXCHANGE_URL": proxy.url,
            "WINDOW_APP_EXCHANGE_TOKEN": exchange_server.window_token(),
            "WINDOW_APP_EXCHANGE_TIMEOUT_SECONDS": "5",
            "WINDOW_APP_SYNC_BACKOFF_INITIAL_SECONDS": "0.05",
            "WINDOW_APP_SYNC_BACKOFF_MAX_SECONDS": "0.1",
        }
        settings = load_settings(SHIPPED_CONFIG, environ=environ, data_dir=str(tmp_path / "window"))
        window = open_signed_in(settings, clock=clock)
        # The operator registered the window's key once (its self-signed request), as for the line.
        exchange_server.app.state.store.register_window(window.registration())
        stick = tmp_path / "stick"
        stick.mkdir()
        try:
            yield Site(window, exchange_server, proxy, clock, stick)
        finally:
            window.close()
