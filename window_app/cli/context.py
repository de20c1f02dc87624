"""What a command works on: its settings, the window opened on them, the catalog, an offering.

Each command loads the settings itself (:func:`settings_from`), so a broken config is reported
by the command that needs it, in words, with exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import window_app.catalog
from window_app.cli.errors import InvalidInput
from window_app.config import Settings, load_settings
from window_app.domain.clerks import AccountError
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


CLERK_ENV = "WINDOW_APP_CLERK"
PIN_ENV = "WINDOW_APP_PIN"


@contextlib.contextmanager
def signed_in_window(args: argparse.Namespace, settings: Settings) -> Iterator[Window]:
    """The window with a clerk signed in: ``--clerk`` (or ``$WINDOW_APP_CLERK``), the PIN from
    ``$WINDOW_APP_PIN`` or, at a terminal, a prompt that does not echo.

    Raises:
        AccountError: No clerk named, no PIN to be had, or the sign-in was refused (exit 3).
    """
    with opened_window(settings) as window:
        clerk_id = getattr(args, "clerk", None) or os.environ.get(CLERK_ENV, "")
        if not clerk_id:
            if not window.has_clerks():
                raise AccountError(
                    Words(
                        "本窗口还没有账号：先运行 window-app（界面引导建立首个管理员）或 window-app clerk add --first",
                        "This window has no accounts yet: run window-app (it walks you through the first "
                        "administrator) or window-app clerk add --first",
                    ),
                    "unknown",
                )
            raise AccountError(
                Words("此命令需要登录：--clerk 工号（或 $WINDOW_APP_CLERK）", "This command needs a clerk: --clerk ID (or $WINDOW_APP_CLERK)"),
                "unknown",
            )
        window.sign_in(clerk_id, read_pin(Words("{id} 的 PIN：", "PIN of {id}: ").format(id=clerk_id)))
        yield window


def read_pin(prompt: Words, *, environ_key: str = PIN_ENV) -> str:
    """A PIN from the environment (scripts) or typed at the terminal without echo.

    Raises:
        AccountError: Neither is possible (no variable, not a terminal).
    """
    pin = os.environ.get(environ_key)
    if pin is not None:
        return pin
    if sys.stdin is None or not sys.stdin.isatty():
        raise AccountError(
            Words("需要 PIN：请设置 ${v}，或在终端中运行以输入", "A PIN is needed: set ${v}, or run at a terminal to type it").format(
                v=environ_key
            ),
            "invalid",
        )
    import getpass  # only when a PIN is asked for on the terminal

    return getpass.getpass(str(prompt))


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
