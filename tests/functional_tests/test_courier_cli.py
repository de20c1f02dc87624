"""The courier's commands end to end, on both exchange backends (SQLite and PostgreSQL):
``window-app courier export`` at the township, ``window-app exchange courier import`` at the
centre (the window's key registered by its operator, as for the line), ``window-app courier
import`` back at the township. Real files, the real CLI, a real PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.exchange_fixtures import exchange_db, query  # noqa: F401  (fixture)
from tests.exchange_fixtures import on_both_backends as exchange_backend  # noqa: F401  (fixture)
from tests.functional_tests.courier_helpers import MONDAY, accept_example
from tests.window_template import open_signed_in
from window_app.cli import main
from window_app.config import SHIPPED_CONFIG, load_settings

pytestmark = pytest.mark.usefixtures("exchange_backend")


def test_export_import_answer_by_the_commands(tmp_path: Path, exchange_db, capsys) -> None:
    data_dir = tmp_path / "township"
    settings = load_settings(SHIPPED_CONFIG, environ={"WINDOW_APP_EXCHANGE_URL": "http://127.0.0.1:9"}, data_dir=str(data_dir))
    window = open_signed_in(settings, clock=lambda: MONDAY)
    try:
        accept_example(window, "newborn")
        accept_example(window, "retirement")
        registration = window.registration()
    finally:
        window.close()
    request = tmp_path / "zf-01.json"
    request.write_text(json.dumps(registration, ensure_ascii=False), encoding="utf-8")
    db = str(exchange_db)
    assert main(["exchange", "keys", "register", str(request), "--db", db]) == 0

    stick = tmp_path / "stick"
    stick.mkdir()
    capsys.readouterr()
    assert main(["--data-dir", str(data_dir), "courier", "export", str(stick), "--json"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["envelopes"] == 4 and exported["sequence"] == 1 and exported["audit_head"]
    path = Path(exported["path"])

    answer = stick / "answer.courier"
    assert main(["exchange", "courier", "import", str(path), "--db", db, "--demo", "--answer", str(answer), "--lang", "en"]) == 0
    assert "4 new envelopes" in capsys.readouterr().err
    assert query(exchange_db, "SELECT count(*) FROM envelopes")[0][0] == 4
    # Carried twice: nothing stored again, said so.
    again = stick / "answer-again.courier"
    assert main(["exchange", "courier", "import", str(path), "--db", db, "--demo", "--answer", str(again), "--lang", "en"]) == 0
    assert "nothing changed" in capsys.readouterr().err
    assert query(exchange_db, "SELECT count(*) FROM envelopes")[0][0] == 4
    # Damaged: refused in words, exit 1, nothing stored.
    bad = stick / "bad.courier"
    bad.write_bytes(path.read_bytes()[:-40])
    assert main(["exchange", "courier", "import", str(bad), "--db", db, "--demo", "--lang", "en"]) == 1
    assert "damaged or incomplete" in capsys.readouterr().err

    assert main(["--data-dir", str(data_dir), "courier", "import", str(answer), "--json"]) == 0
    applied = json.loads(capsys.readouterr().out)
    assert applied["status"] == "applied" and applied["delivered"] == 4
    assert main(["--data-dir", str(data_dir), "--lang", "en", "courier", "import", str(answer)]) == 0
    assert "nothing changed" in capsys.readouterr().err
    # The second answer to the same file is not older: applied, and it changes nothing either.
    assert main(["--data-dir", str(data_dir), "courier", "import", str(again), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["delivered"] == 0
    # An answer that is not the exchange's (a file of the window's own) is refused in words.
    assert main(["--data-dir", str(data_dir), "--lang", "en", "courier", "import", str(path)]) == 1
    assert "refused; nothing changed" in capsys.readouterr().err
