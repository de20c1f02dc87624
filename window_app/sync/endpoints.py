"""Where a window's envelopes go: the shared exchange, and departments with endpoints of their own.

Derived from the settings alone (no HTTP, no database), so the engine and the header's status
agree on which endpoints exist now: a row of ``sync_endpoints`` left by an endpoint the
settings no longer name is history, not the state of the line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from window_app.config import Settings
from window_app.domain.words import Words


def token_fingerprint(token: str) -> str:
    """A short hash that says whether the configured token changed (the token itself is not stored)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Endpoint:
    """Where a group of departments' envelopes go.

    Attributes:
        url: Base URL (no trailing slash).
        token: The window's token there.
        departments: The departments with this endpoint of their own; empty for the shared
            exchange (every department without one).
        label: How the clerk hears of it: 交换平台, or the department's own endpoint.
    """

    url: str
    token: str
    departments: tuple[str, ...] = ()
    label: Words = Words("交换平台", "the exchange")

    @property
    def key(self) -> str:
        """The endpoint's key in ``sync_endpoints`` (its cursor and state)."""
        return self.url

    @property
    def shared(self) -> bool:
        return not self.departments


def endpoints_of(settings: Settings) -> list[Endpoint]:
    """The shared exchange, and one endpoint per distinct (url, token) of the departments
    that have their own."""
    exchange = settings.exchange
    shared_url = exchange.url.rstrip("/")
    groups: dict[tuple[str, str], list[str]] = {}
    for code, own in sorted(settings.departments.items()):
        if not own.url:
            continue
        url = own.url.rstrip("/")
        token = own.token or exchange.token
        if (url, token) == (shared_url, exchange.token):
            continue  # the same as the shared exchange
        groups.setdefault((url, token), []).append(code)
    endpoints = [Endpoint(url=shared_url, token=exchange.token)]
    urls = [shared_url] + [url for url, _ in groups]
    for (url, token), departments in groups.items():
        names = "、".join(departments)
        endpoints.append(
            Endpoint(
                url=url if urls.count(url) == 1 else f"{url}#{token_fingerprint(token)[:8]}",
                token=token,
                departments=tuple(departments),
                label=Words(f"{names}的部门接口", f"the endpoint of {', '.join(departments)}"),
            )
        )
    return endpoints
