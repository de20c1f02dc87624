"""What a command works on: its settings, the window opened on them, the catalog, an offering.

Each command loads the settings itself (:func:`settings_from`), so a broken config is reported
by the command that needs it, in words, with exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING

import window_app.catalog
from window_app.cli.errors import InvalidInput
from window_app.config import Settings, load_settings
from window_app.domain.words import Words, set_language
from window_app.sync.catalog_refresh import catalog_dir
from window_app.window import Window

if TYPE_CHECKING:
    from window_app.domain.catalog import Catalog, Offering


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings the command line asks for: ``--config``, env overrides, ``--data-dir``, ``--lang``.

    Also switches the output to the configured language.

    Raises:
        ConfigError: With file, key and reason.
    """
    settings = load_settings(args.config, data_dir=args.data_dir)
    if args.lang:
        settings = dataclasses.replace(settings, window=dataclasses.replace(settings.window, language=args.lang))
    set_language(settings.window.language)
    return settings


@contextlib.contextmanager
def opened_window(settings: Settings) -> Iterator[Window]:
    """The window on its catalog and database, closed when the command is done."""
    window = Window.open(settings)
    try:
        yield window
    finally:
        window.close()


def load_window_catalog(settings: Settings) -> Catalog:
    """The window's catalog without opening its database (the catalog commands need no DB)."""
    return window_app.catalog.loader.load_catalog(catalog_dir(settings))


def offering_here(window: Window, offering_id: str) -> Offering:
    """The offering by id, or :class:`InvalidInput` naming what this window offers instead."""
    try:
        return window.offering(offering_id)
    except KeyError:
        pass
    region = window.settings.window.region
    place = window.catalog.regions[region].name if region in window.catalog.regions else region
    known = offering_id in window.catalog.bundles or offering_id in window.catalog.items
    if known:
        message = Words(
            "“{id}”在{place}（{code}）不受理。本窗口可办：",
            "“{id}” is not offered in {place} ({code}). This window offers:",
        ).format(id=offering_id, place=place, code=region)
    else:
        message = Words(
            "没有编号为“{id}”的套餐或事项。本窗口可办：", "No bundle or item has the id “{id}”. This window offers:"
        ).format(id=offering_id)
    raise InvalidInput(message, [f"{o.id}  {o.bundle.name}" for o in window.offerings()])
