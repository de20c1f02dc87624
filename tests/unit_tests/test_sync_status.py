"""The header's status speaks of the endpoints the settings name now: a row left by an exchange
URL used before (a run with nothing at the old address) never keeps the window 'offline'."""

from __future__ import annotations

from store_fixtures import open_window_db, settings_for

from offline_cache import sync_state
from window_app.domain.words import Words
from window_app.sync.status import sync_status

NOW = "2026-11-27T09:30:00.000+08:00"
LATER = "2026-11-27T09:45:00.000+08:00"


def test_a_stale_endpoint_row_does_not_keep_the_window_offline(tmp_path) -> None:
    settings = settings_for(tmp_path / "data")
    db = open_window_db(settings)
    try:
        refused = Words("无法连接交换平台（连接被拒绝）", "Cannot reach the exchange (connection refused)")
        # Yesterday's run: nothing at the old address.
        sync_state.record_failure(db, "http://127.0.0.1:9999", NOW, error=refused, retry_at=LATER, delay=1.0)
        # Today's: the exchange the settings name answers.
        sync_state.record_ok(db, settings.exchange.url.rstrip("/"), LATER)

        status = sync_status(db, settings)
        assert status.online is True and status.error == Words("")
        assert [endpoint.endpoint for endpoint in status.endpoints] == [settings.exchange.url.rstrip("/")]
        # Every row, as before, would have said offline with yesterday's words.
        everything = sync_status(db)
        assert everything.online is False and everything.error == refused
    finally:
        db.close()


def test_an_endpoint_never_tried_under_these_settings_is_not_yet_known(tmp_path) -> None:
    settings = settings_for(tmp_path / "data")
    db = open_window_db(settings)
    try:
        sync_state.record_failure(
            db, "http://127.0.0.1:9999", NOW, error=Words("旧地址", "old address"), retry_at=LATER, delay=1.0
        )
        status = sync_status(db, settings)
        assert status.online is None and status.error == Words("") and status.endpoints == ()
    finally:
        db.close()
