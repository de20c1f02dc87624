"""Helpers for the offline-store tests: real settings, a real SQLite file, the small catalog."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from catalog_builders import build_catalog, newborn_intake, offering_of, opening_intake

from offline_cache.db import Database, open_database
from window_app.accepting import accept_intake
from window_app.config import SHIPPED_CONFIG, Settings, load_settings
from window_app.domain.applications import AcceptedApplication
from window_app.domain.catalog import Catalog
from window_app.domain.intake import Intake
from window_app.intake.guide import Guide, build_guide

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=CST)  # a Friday

__all__ = [
    "NOW",
    "accept",
    "build_catalog",
    "guide_for",
    "newborn_intake",
    "open_window_db",
    "opening_intake",
    "settings_for",
    "table_counts",
]


def settings_for(data_dir: Path, window_id: str = "ZF-01", clerk: str = "张敏") -> Settings:
    """The shipped window settings with their own data dir, window id and clerk."""
    environ = {"WINDOW_APP_WINDOW_ID": window_id, "WINDOW_APP_WINDOW_CLERK": clerk}
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
) -> AcceptedApplication:
    """Accept an intake (the newborn one by default) against the small test catalog."""
    catalog = catalog or build_catalog()
    intake = intake or newborn_intake()
    return accept_intake(db, catalog, settings, intake, guide_for(catalog, intake), now=now)


def open_window_db(settings: Settings, **kwargs) -> Database:
    return open_database(settings.database_path, **kwargs)


def table_counts(db: Database) -> dict[str, int]:
    """Rows per table the accept transaction writes."""
    return {
        table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("applications", "application_parts", "outbox", "audit", "receipt_sequence", "drafts")
    }
