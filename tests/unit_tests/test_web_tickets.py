"""The one-time ticket that hands the signed-in clerk to the browser's app process."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

from window_app.web.tickets import TicketRefused, take_ticket, write_ticket

NOW = dt.datetime(2026, 11, 27, 1, 30, tzinfo=dt.UTC)


def test_a_ticket_is_private_read_once_and_gone(tmp_path: Path):
    path = write_ticket(tmp_path / "tickets", "T001", "1234-pin", now=NOW)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    ticket = take_ticket(str(path), now=NOW + dt.timedelta(seconds=2))
    assert (ticket.clerk_id, ticket.pin) == ("T001", "1234-pin")
    assert "1234-pin" not in repr(ticket)
    assert not path.exists()
    with pytest.raises(TicketRefused):
        take_ticket(str(path), now=NOW)  # good once


def test_an_old_ticket_is_refused_and_deleted(tmp_path: Path):
    path = write_ticket(tmp_path, "T001", "1234-pin", now=NOW)
    with pytest.raises(TicketRefused) as refused:
        take_ticket(str(path), now=NOW + dt.timedelta(minutes=5))
    assert "重新登录" in str(refused.value.words) and not path.exists()


def test_a_ticket_others_may_read_is_refused(tmp_path: Path):
    path = write_ticket(tmp_path, "T001", "1234-pin", now=NOW)
    os.chmod(path, 0o644)
    with pytest.raises(TicketRefused):
        take_ticket(str(path), now=NOW)
    assert not path.exists()


def test_a_link_is_not_followed(tmp_path: Path):
    target = write_ticket(tmp_path, "T001", "1234-pin", now=NOW)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    with pytest.raises(TicketRefused):
        take_ticket(str(link), now=NOW)
