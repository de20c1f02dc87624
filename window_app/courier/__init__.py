"""The USB courier: the outbox carried on a stick when the line is down for days, and the
exchange's answer carried back (docs/courier.md).

- :mod:`window_app.trust.courier_file`: the signed container (both sides read and sign it);
- :mod:`window_app.courier.export`: ``window-app courier export PATH`` at the window;
- :mod:`window_app.exchange.courier_import`: ``window-app exchange courier import`` at the exchange;
- :mod:`window_app.courier.apply`: ``window-app courier import PATH`` at the window;
- :mod:`window_app.courier.relay`: ``window-app courier relay PATH`` at the county centre's
  window, when only it reaches the exchange.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import TYPE_CHECKING

from offline_cache import courier as courier_store
from window_app.courier.apply import ApplyResult, apply_answer, exchange_key, read_answer
from window_app.courier.export import CourierRefused, ExportResult, export_courier
from window_app.courier.relay import RelayResult, relay
from window_app.sync.endpoints import endpoints_of
from window_app.trust import courier_file

if TYPE_CHECKING:
    from offline_cache.db import Database
    from window_app.config import Settings

MEDIA_ROOTS = ("/media/{user}", "/run/media/{user}")
"""Where desktop Linux mounts a USB stick (one directory per mounted volume)."""


def on_courier(db: Database) -> int:
    """Envelopes on a courier file and not delivered yet."""
    return courier_store.count_on_courier(db)


def waiting_count(db: Database, settings: Settings) -> int:
    """Envelopes a courier file would carry now."""
    own = tuple(code for endpoint in endpoints_of(settings) for code in endpoint.departments)
    return len(courier_store.waiting_envelopes(db, exclude=own))


def default_folder(settings: Settings) -> Path:
    """A mounted removable volume (the first, by name), else ``<data dir>/courier`` (made 0700)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = ""
    for root in MEDIA_ROOTS:
        base = Path(root.format(user=user))
        try:
            volumes = sorted(path for path in base.iterdir() if path.is_dir() and os.access(path, os.W_OK))
        except OSError:
            continue
        if volumes:
            return volumes[0]
    folder = Path(settings.data_dir) / "courier"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def newest_answer(folder: Path) -> Path | None:
    """The most recently written answer file in ``folder`` (its first line says so)."""
    found: list[tuple[float, Path]] = []
    try:
        candidates = list(Path(folder).glob("*.courier"))
    except OSError:
        return None
    for path in candidates:
        try:
            with path.open("rb") as handle:
                first = handle.readline(64 * 1024)
            if courier_file.ANSWER.encode() in first:
                found.append((path.stat().st_mtime, path))
        except OSError:
            continue
    return max(found)[1] if found else None


__all__ = [
    "ApplyResult",
    "CourierRefused",
    "ExportResult",
    "apply_answer",
    "default_folder",
    "exchange_key",
    "newest_answer",
    "export_courier",
    "on_courier",
    "read_answer",
    "relay",
    "RelayResult",
    "waiting_count",
]
