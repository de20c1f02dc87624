"""Helpers for the offline-store tests: real settings, a real SQLite file, the small catalog."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from catalog_builders import build_catalog, newborn_intake, offering_of, opening_intake

from offline_cache.db import Database, open_database
from tests.exchange_fixtures import signed_event
from window_app.accepting import accept_intake, window_signer
from window_app.config import SHIPPED_CONFIG, Settings, load_settings
from window_app.dispatch import WindowSigner
from window_app.domain.applications import AcceptedApplication
from window_app.domain.catalog import Catalog
from window_app.domain.clerks import Clerk, Role
from window_app.domain.intake import Intake
from window_app.domain.words import Words
from window_app.intake.guide import Guide, build_guide
from window_app.trust.signing import Signature, verify

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=CST)  # a Friday

__all__ = [
    "CLERK",
    "NOW",
    "accept",
    "build_catalog",
    "guide_for",
    "newborn_intake",
    "open_window_db",
    "opening_intake",
    "settings_for",
    "signed_event",
    "signer_for",
    "table_counts",
    "window_signature_holds",
]


CLERK = Clerk("ZM01", "张敏", (Role.ACCEPTOR,))
"""Who accepts in the store tests (the services check roles; these tests are below them)."""


def settings_for(data_dir: Path, window_id: str = "ZF-01") -> Settings:
    """The shipped window settings with their own data dir and window id."""
    environ = {"WINDOW_APP_WINDOW_ID": window_id}
    return load_settings(SHIPPED_CONFIG, environ=environ, data_dir=str(data_dir))


def guide_for(catalog: Catalog, intake: Intake) -> Guide:
    return build_guide(catalog, offering_of(catalog, intake.offering), intake)


def accept(
    db: Database,
    settings: Settings,
    intake: Intake | None = None,
    *,
    catalog: Catalog | None = None,
    now: dt.datetime = NOW,
    clerk: Clerk = CLERK,
) -> AcceptedApplication:
    """Accept an intake (the newborn one by default) against the small test catalog."""
    catalog = catalog or build_catalog()
    intake = intake or newborn_intake()
    return accept_intake(db, catalog, settings, intake, guide_for(catalog, intake), clerk=clerk, now=now)


def signer_for(db: Database, settings: Settings, catalog: Catalog | None = None) -> WindowSigner:
    """The window's signer as its sync engine has it (its key; the test catalog's departments)."""
    return window_signer(db, catalog or build_catalog(), settings)


def window_signature_holds(db: Database, settings: Settings, payload: bytes, signature: str) -> bool:
    """Whether ``signature`` (as the outbox stores it) is this window's signature of ``payload``."""
    key = signer_for(db, settings).key.public
    parsed = Signature.from_json(json.loads(signature))
    return not isinstance(parsed, Words) and verify(key, payload, parsed) is None


def open_window_db(settings: Settings, **kwargs) -> Database:
    return open_database(settings.database_path, **kwargs)


def table_counts(db: Database) -> dict[str, int]:
    """Rows per table the accept transaction writes."""
    return {
        table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("applications", "application_parts", "outbox", "audit", "receipt_sequence", "drafts")
    }
