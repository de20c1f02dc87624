"""Which bundles the pick screen shows under 热点: the region's own use.

In order of preference:

1. ``exchange``: the region's hot list the sync fetched from the exchange (``GET /v1/hot``:
   every window of the region, the last :data:`HOT_DAYS` days), while it is fresher than
   :data:`EXCHANGE_FRESH`;
2. ``local``: this window's own acceptances of the last :data:`HOT_DAYS` days (offline, or
   before the exchange answered);
3. ``catalog``: the catalog's ``hot`` flag, while there is no use yet (a cold start).

A list from use shorter than :data:`HOT_SIZE` is topped up with flagged bundles not in it
(a new region still sees a full 热点 group). Only bundles this window offers count. The list
is made when the window opens and when the sync stores a new one, never per keystroke.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from window_app.domain.reports import HotEntry, StoredHotList

HOT_DAYS = 90
HOT_SIZE = 8
EXCHANGE_FRESH = dt.timedelta(days=3)
"""How long a fetched list stands in for the region's use before the window's own counts."""


@dataclass(frozen=True)
class HotList:
    """The bundles shown under 热点, most used first.

    Attributes:
        ids: Offering ids, in rank order.
        source: ``exchange``, ``local`` or ``catalog`` (see the module's text).
        uses: How often each was used (0 for a flagged default).
    """

    ids: tuple[str, ...]
    source: str
    uses: tuple[int, ...] = ()
    _members: frozenset[str] = field(default=frozenset(), init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_members", frozenset(self.ids))  # the pick screen asks per offering

    def __contains__(self, offering_id: object) -> bool:
        return offering_id in self._members

    def rank(self, offering_id: str) -> int:
        """Position in the list (``len(ids)`` for one not in it)."""
        try:
            return self.ids.index(offering_id)
        except ValueError:
            return len(self.ids)


def choose_hot_list(
    offered: Sequence[str],
    flagged: Sequence[str],
    *,
    stored: StoredHotList | None,
    local: Iterable[HotEntry],
    now: dt.datetime,
    size: int = HOT_SIZE,
) -> HotList:
    """The window's 热点 list.

    Args:
        offered: Ids of the bundles this window offers (display order).
        flagged: Those of them the catalog flags ``hot`` (display order).
        stored: The region's list fetched from the exchange, if any.
        local: This window's own use of the last days, most used first.
        now: Now (aware): how old ``stored`` is.
    """
    offered_set = set(offered)
    fresh = stored is not None and stored.entries and _age(stored.fetched_at, now) <= EXCHANGE_FRESH
    if fresh:
        assert stored is not None
        source, entries = "exchange", list(stored.entries)
    else:
        source, entries = "local", list(local)
    used = [entry for entry in entries if entry.offering_id in offered_set and entry.uses > 0][:size]
    if not used:
        return HotList(tuple(flagged), "catalog", tuple(0 for _ in flagged))  # as the catalog says, all of them
    ids = [entry.offering_id for entry in used]
    uses = [entry.uses for entry in used]
    for bundle_id in flagged:
        if len(ids) >= size:
            break
        if bundle_id not in ids:
            ids.append(bundle_id)
            uses.append(0)
    return HotList(tuple(ids), source, tuple(uses))


def _age(fetched_at: str, now: dt.datetime) -> dt.timedelta:
    try:
        moment = dt.datetime.fromisoformat(fetched_at)
    except ValueError:
        return dt.timedelta.max
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return now - moment
