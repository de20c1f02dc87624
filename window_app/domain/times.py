"""Stored moments shown in the window's time zone.

Moments are stored in UTC (``…Z``); some older columns hold ISO text with the offset of the
machine that wrote it, and a naive text means UTC. Whatever the machine's own time zone, a person
reads every moment in the window's zone (``[window] time_zone``, default Asia/Shanghai): the
one conversion is :func:`in_zone`, the one way to text is :func:`shown`.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

DEFAULT_ZONE = "Asia/Shanghai"


def window_zone(name: str) -> dt.tzinfo:
    """The zone named ``name`` (an IANA name such as ``Asia/Shanghai``).

    Raises:
        ValueError: No such zone in the zone database (on Windows: the ``tzdata`` package).
    """
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(name) from None


def in_zone(value: str | dt.datetime | None, zone: dt.tzinfo) -> dt.datetime | None:
    """A stored moment (ISO text or datetime; naive means UTC) as a datetime in ``zone``.

    ``None`` when ``value`` is empty or not a moment.
    """
    moment = value
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(moment, dt.datetime):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone)


def shown(value: str | dt.datetime | None, zone: dt.tzinfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored moment as text in ``zone`` (``2026-12-07 02:10``); the text itself when it is
    not a moment, ``""`` for nothing."""
    if value is None or value == "":
        return ""
    moment = in_zone(value, zone)
    if moment is None:
        return str(value)
    return moment.strftime(fmt)
