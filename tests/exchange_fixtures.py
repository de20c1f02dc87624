"""A real department exchange on 127.0.0.1, for any test that needs one (pytest plugin).

Wire it with ``pytest_plugins = ["tests.exchange_fixtures"]`` in the root ``conftest.py``, then::

    def test_something(exchange_server):
        httpx.get(f"{exchange_server.url}/healthz")
        exchange_server.stop()   # the line goes down …
        exchange_server.start()  # … and comes back on the same port and database

The server is the real thing (uvicorn serving :func:`window_app.exchange.server.create_app` in
a thread), in demo mode by default: the window token is ``demo-window-<WINDOW_ID>``
(:meth:`ExchangeServer.window_token`), a department's ``demo-<department_id>``.
:func:`make_envelope` builds a sealed, signed envelope the way a window's outbox holds one;
a demo exchange registers its test window's key on first sight, a store opened directly is
given it with :func:`register_test_window`.

**Both backends.** ``exchange_db`` is a fresh exchange database: a SQLite file in ``tmp_path``,
or a fresh schema of a real PostgreSQL (``pgserver``, started once per test process on first
use, stopped when the process exits). It is SQLite unless the test module asks for both::

    from tests.exchange_fixtures import exchange_db, on_both_backends as exchange_backend  # noqa: F401
    pytestmark = pytest.mark.usefixtures("exchange_backend")

and the exchange servers the factory starts take the same backend.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import json
import shutil
import socket
import sqlite3
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from window_app.domain.receipt_no import format_receipt_no
from window_app.domain.wire import DecisionRequest, canonical_json
from window_app.exchange.department_keys import DepartmentKeys
from window_app.trust.demo import demo_sealing_key, demo_signing_key
from window_app.trust.envelopes import open_payload, seal_part
from window_app.trust.keys import SigningKey
from window_app.trust.signing import sign

START_TIMEOUT_SECONDS = 10.0
BACKENDS = ("sqlite", "postgresql")

_POSTGRESQL: dict[str, Any] = {}


def postgresql_uri(config: pytest.Config) -> str:
    """The URI of this test process's PostgreSQL (started on first use with ``pgserver``: one per
    pytest-xdist worker, so workers share nothing). It is stopped when pytest ends in this process
    (``config.add_cleanup``: an xdist worker leaves with ``os._exit``, no ``atexit`` runs), or at
    exit outside pytest."""
    if "uri" not in _POSTGRESQL:
        directory = tempfile.mkdtemp(prefix="wa-pg-")  # short: the socket's path lives in it
        with warnings.catch_warnings():  # platformdirs: no XDG_RUNTIME_DIR on a CI machine
            warnings.simplefilter("ignore")
            import pgserver

            server = pgserver.get_server(directory, cleanup_mode="stop")
        _POSTGRESQL.update(uri=server.get_uri(), server=server, directory=directory)
        config.add_cleanup(_stop_postgresql)
        atexit.register(_stop_postgresql)
    return _POSTGRESQL["uri"]


def _stop_postgresql() -> None:
    if "server" in _POSTGRESQL:
        server, directory = _POSTGRESQL.pop("server"), _POSTGRESQL.pop("directory")
        _POSTGRESQL.clear()
        server.cleanup()
        shutil.rmtree(directory, ignore_errors=True)


def fresh_postgresql_database(request: pytest.FixtureRequest) -> str:
    """A URI of a new, empty schema of the test process's PostgreSQL (its ``search_path``): each
    test its own database, at the cost of a ``CREATE SCHEMA``."""
    import psycopg

    base = postgresql_uri(request.config)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"


def backend_of(request: pytest.FixtureRequest) -> str:
    """The backend a test runs on: its module's ``exchange_backend`` (both, with
    :func:`on_both_backends`), or SQLite."""
    if "exchange_backend" in request.fixturenames:
        return request.getfixturevalue("exchange_backend")
    return "sqlite"


@pytest.fixture(params=BACKENDS)
def on_both_backends(request: pytest.FixtureRequest) -> str:
    """Import as ``exchange_backend`` to run a module's tests on SQLite and on PostgreSQL."""
    return request.param


@pytest.fixture
def exchange_db(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """A fresh exchange database on the test's backend: a file path, or a ``postgresql://`` URI."""
    if backend_of(request) == "postgresql":
        return fresh_postgresql_database(request)
    return tmp_path / "exchange.db"


def is_postgresql(db: str | Path) -> bool:
    return isinstance(db, str) and db.startswith("postgresql://")


def query(db: str | Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` (``?`` parameters) run straight on an exchange's database, either kind,
    and committed (what a tamperer with the database's password can do)."""
    if is_postgresql(db):
        import psycopg

        with psycopg.connect(str(db)) as conn:
            cursor = conn.execute(sql.replace("?", "%s"), params or None)
            return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(sql, params).fetchall()
        conn.commit()
        return rows
    finally:
        conn.close()


def reserve_port(host: str = "127.0.0.1") -> socket.socket:
    """A socket bound to a free port and not listening: connecting to it is refused, and no
    other server (another test, another pytest-xdist worker) can take the port while it is open.

    Picking a free port and binding it later races with every other process on the machine;
    holding the bound socket does not. Pass it to ``exchange_server_factory(sock=…)`` to start
    an exchange on it later, or close it when the test is done.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((host, 0))  # no SO_REUSEADDR: nothing else may bind this port meanwhile
    except BaseException:
        sock.close()
        raise
    return sock


def url_of(sock: socket.socket) -> str:
    """``http://host:port`` of a bound socket."""
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


@pytest.fixture
def refused_url() -> Iterator[str]:
    """The URL of a port nobody listens on, held for the whole test (connections are refused)."""
    sock = reserve_port()
    try:
        yield url_of(sock)
    finally:
        sock.close()


class ExchangeServer:
    """A real exchange serving ``db_path`` on ``127.0.0.1:port`` from a background thread.

    The listening socket is bound here and handed to uvicorn (port 0 at the first start unless
    ``port`` or a reserved ``sock`` is given), so the port is never picked first and bound later.

    Attributes:
        port: The port (0 until the first start); restarts listen on the same one.
        url: ``http://127.0.0.1:<port>`` (the same across :meth:`stop` / :meth:`start`).
        db_path: The exchange's database (kept across restarts): a SQLite file, or a
            ``postgresql://`` URI.
        app: The Starlette app of the current run (``app.state.store`` is its store).
    """

    def __init__(
        self,
        db_path: str | Path,
        *,
        catalog_path: str | Path | None = None,
        demo: bool = True,
        simulate: Any = None,
        port: int | None = None,
        sock: socket.socket | None = None,
        host: str = "127.0.0.1",
        checkpoints: str | Path | None = None,
    ):
        self.db_path: Any = db_path if is_postgresql(db_path) else Path(db_path)
        self.checkpoints = checkpoints
        self.catalog_path = catalog_path
        self.demo = demo
        self.simulate = simulate
        self.host = host
        self.port = sock.getsockname()[1] if sock is not None else port or 0
        self._sock = sock  # the reserved socket the first start listens on
        self.app: Any = None
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> ExchangeServer:
        """Start serving (again); returns when the port accepts connections."""
        import uvicorn

        from window_app.exchange.server import create_app

        if self.running:
            return self
        sock = self._listening_socket()
        self.app = create_app(
            self.db_path, self.catalog_path, demo=self.demo, simulate=self.simulate, checkpoints=self.checkpoints
        )
        config = uvicorn.Config(self.app, host=self.host, port=self.port, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name=f"exchange-{self.port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"the exchange did not start on {self.url}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the exchange did not start on {self.url} within {START_TIMEOUT_SECONDS} s")
            time.sleep(0.01)
        return self

    def _listening_socket(self) -> socket.socket:
        """The socket to serve on: the reserved one, a new one on port 0 (first start), or a
        new one on the same port (a restart; SO_REUSEADDR for connections still in TIME_WAIT).
        uvicorn closes it when it stops."""
        sock, self._sock = self._sock, None
        if sock is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                if self.port:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((self.host, self.port))
            except BaseException:
                sock.close()
                raise
        self.port = sock.getsockname()[1]
        return sock

    def stop(self) -> None:
        """Stop serving: the port refuses connections until :meth:`start`; the file stays."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=START_TIMEOUT_SECONDS)
        self._server = None
        self._thread = None

    def window_token(self, window_id: str = "ZF-01") -> str:
        """The demo token of a window."""
        return f"demo-window-{window_id}"

    def department_token(self, department: str) -> str:
        """The demo token of a department of the catalog."""
        return f"demo-{department}"

    def issue_token(self, kind: str, subject_id: str) -> str:
        """A real (non-demo) token issued into the exchange's database."""
        from window_app.exchange.store import ExchangeStore

        store = ExchangeStore.open(self.db_path)
        try:
            return store.issue_token(kind, subject_id)
        finally:
            store.close()

    def __enter__(self) -> ExchangeServer:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


@pytest.fixture
def exchange_server_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., ExchangeServer]]:
    """Start exchanges with options (``simulate=0.5``, ``demo=False``, ``catalog_path=…``,
    ``sock=reserve_port()`` to serve on a port the test reserved before), each on a fresh
    database of the test's backend; every one is stopped at the end of the test."""
    started: list[ExchangeServer] = []
    postgresql = backend_of(request) == "postgresql"

    def factory(**options: Any) -> ExchangeServer:
        if postgresql and "db_path" not in options:
            options["db_path"] = fresh_postgresql_database(request)
        if is_postgresql(options.get("db_path", "")):  # no file to put the log beside
            options.setdefault("checkpoints", tmp_path / f"exchange-{len(started)}-checkpoints.jsonl")
        db_path = options.pop("db_path", tmp_path / f"exchange-{len(started)}.db")
        server = ExchangeServer(db_path, **options).start()
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()


@pytest.fixture
def exchange_server(exchange_server_factory: Callable[..., ExchangeServer]) -> ExchangeServer:
    """A running demo exchange on a free port with a fresh database in ``tmp_path``."""
    return exchange_server_factory()


TEST_TAG = "TEST"
"""The installation tag of the test windows' receipt numbers."""


def receipt(sequence: int = 1, window_id: str = "ZF-01", region: str = "522325") -> str:
    """A canonical receipt number of a test window (check characters right)."""
    return format_receipt_no(region, dt.date(2026, 11, 27), window_id, TEST_TAG, sequence)


def key_of_test_window(window_id: str = "ZF-01") -> SigningKey:
    """The signing key of a test window (deterministic, like the demo keys)."""
    return demo_signing_key(f"test-window:{window_id.upper()}")


def register_test_window(store: Any, window_id: str = "ZF-01", region: str = "522325") -> None:
    """Register a test window's key at a store, as its operator would."""
    key = key_of_test_window(window_id)
    store.register_window({
        "key_id": key.key_id, "id": window_id, "region": region, "installation_tag": TEST_TAG,
        "public_key": key.public.text, "centre": "贞丰县政务服务中心",
    })


def make_envelope(
    receipt_no: str | None = None,
    department: str = "market_regulation-522325",
    stage: int = 1,
    items: tuple[tuple[str, str, str], ...] = (("company_registration", "企业设立登记", "营业执照"),),
    *,
    window_id: str = "ZF-01",
    kind: str = "application",
    original_envelope_id: str | None = None,
    key: str | None = None,
    signing_key: SigningKey | None = None,
) -> dict[str, Any]:
    """One envelope as ``POST /v1/envelopes`` carries it, sealed and signed like a window's
    outbox entry (the department's part sealed to its demo key; the test window's key signs).

    Args:
        receipt_no: A canonical receipt number of ``window_id`` (default: its number 1).
        items: (item id, name, result) of each item.
    """
    receipt_no = receipt_no or receipt(1, window_id)
    signing_key = signing_key or key_of_test_window(window_id)
    envelope_id = uuid.uuid4().hex
    key = key or (f"{receipt_no}/{department}/{stage}" if kind == "application" else f"{receipt_no}/{department}/{stage}/s-{envelope_id[:8]}")
    header: dict[str, Any] = {
        "format": 2,
        "kind": kind,
        "envelope_id": envelope_id,
        "idempotency_key": key,
        "receipt_no": receipt_no,
        "accepted_at": "2026-11-27T09:30:00+08:00",
        "window": {"id": window_id, "centre": "贞丰县政务服务中心", "region": "522325", "key": signing_key.public.text},
        "department": {"id": department, "name": department, "name_en": department},
        "stage": stage,
        "items": [{"id": item_id, "name": name, "result": result} for item_id, name, result in items],
        "material_ids": ["id_card"],
    }
    if original_envelope_id is not None:
        header["original_envelope_id"] = original_envelope_id
    content = {
        "applicant": {"kind": "person", "name": "黄丽", "id_number": "52232519930726048X", "phone": "15885935217", "agent": None},
        "fields": {"applicant_name": {"label": "申请人姓名", "value": "黄丽"}},
        "materials": {"id_card": {"name": "居民身份证", "state": "shared", "shareable": True}},
    }
    header["sealed"] = seal_part(demo_sealing_key(f"department:{department}").public, header, "sealed", content)
    payload = canonical_json(header)
    return {
        "envelope_id": envelope_id,
        "idempotency_key": key,
        "kind": kind,
        "receipt_no": receipt_no,
        "department": department,
        "stage": stage,
        "payload": payload.decode("utf-8"),
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
        "signature": sign(signing_key, payload).to_json(),
    }


def opened(envelope: Any, department: str | None = None) -> dict[str, Any]:
    """The whole document of an envelope (an ``Envelope`` or its payload) as its department
    reads it: the clear header with the sealed parts opened by the department's demo key."""
    payload = getattr(envelope, "payload", envelope)
    department = department or envelope.department
    document = open_payload(payload, demo_sealing_key(f"department:{department}"))
    assert isinstance(document, dict), document
    return document


def signed_event(event: dict[str, Any], department: str | None = None) -> dict[str, Any]:
    """A decision event as the exchange passes it on: signed by its department's (demo) key."""
    request = DecisionRequest(
        str(event["envelope_id"]), str(event.get("item") or ""), str(event["kind"]),
        **{name: str(event.get(name) or "") for name in ("result", "reason", "material", "decided_by")},
    )
    signed = DepartmentKeys.demo(department or str(event["department"])).signed(request)
    return {**event, "signature": json.loads(signed.signature)}
