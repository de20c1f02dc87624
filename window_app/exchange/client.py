"""A small synchronous client for the department side of the exchange (``exchange inbox`` /
``exchange decide``): real HTTP through httpx, every failure turned into words."""

from __future__ import annotations

from typing import Any

import httpx

from window_app.domain.errors import WindowAppError
from window_app.domain.wire import DecisionRequest
from window_app.domain.words import Words
from window_app.exchange.department_keys import DepartmentKeys

DEFAULT_TIMEOUT_SECONDS = 10.0


class ExchangeClientError(WindowAppError):
    """The exchange could not be reached, or refused the request.

    Attributes:
        status: The HTTP status, or ``None`` when no answer came (connection, timeout).
    """

    def __init__(self, status: int | None, words: Words):
        super().__init__(words)
        self.status = status

    @property
    def is_input_error(self) -> bool:
        """The request itself was wrong (400, 404, 409, 413, 422): fixing the input helps."""
        return self.status in (400, 404, 409, 413, 422)


class DepartmentClient:
    """A department's view of the exchange at ``url`` with its ``token``."""

    def __init__(self, url: str, token: str, *, timeout: float = DEFAULT_TIMEOUT_SECONDS):
        self.url = url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout, trust_env=False
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> DepartmentClient:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def inbox(self, state: str = "new", *, limit: int = 100, department: str | None = None) -> list[dict[str, Any]]:
        """``GET /v1/inbox``: the envelopes (listing marks new ones received)."""
        params: dict[str, Any] = {"state": state, "limit": limit}
        if department:
            params["department"] = department
        return self._call("GET", "/v1/inbox", params=params)["envelopes"]

    def decide(
        self,
        envelope_id: str,
        item: str,
        decision: str,
        *,
        result: str = "",
        reason: str = "",
        material: str = "",
        decided_by: str = "",
        keys: DepartmentKeys,
    ) -> tuple[dict[str, Any], bool]:
        """``POST /v1/decisions``, signed with the department's ``keys``: returns (the event,
        whether it was newly recorded)."""
        body = keys.signed(DecisionRequest(envelope_id, item, decision, result, reason, material, decided_by)).to_json()
        response = self._send("POST", "/v1/decisions", json=body)
        return _json(response)["event"], response.status_code == 201

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return _json(self._send(method, path, **kwargs))

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise ExchangeClientError(None, Words(f"{self.url} 未及时响应", f"{self.url} did not answer in time")) from exc
        except httpx.HTTPError as exc:
            raise ExchangeClientError(
                None, Words(f"无法连接交换平台 {self.url}（{exc}）", f"cannot reach the exchange at {self.url} ({exc})")
            ) from exc
        if response.status_code >= 400:
            raise ExchangeClientError(response.status_code, _answer_words(response))
        return response


def _answer_words(response: httpx.Response) -> Words:
    """An error answer's words: its JSON body (``error`` / ``error_zh``, ``docs/exchange-api.md``)
    read back into :class:`Words`, after the status."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    english = str(body.get("error") or response.reason_phrase or "error")
    chinese = str(body.get("error_zh") or english)
    return Words(f"{response.status_code}：{chinese}", f"{response.status_code}: {english}")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise ExchangeClientError(
            response.status_code, Words("交换平台的回答不是 JSON", "the exchange answered something that is not JSON")
        ) from exc
    if not isinstance(body, dict):
        raise ExchangeClientError(
            response.status_code, Words("交换平台的回答格式不对", "the exchange answered an unexpected shape")
        )
    return body
