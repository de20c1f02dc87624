"""``window-app courier relay PATH --answer OUT``: at the county centre, when a township's
window reaches the exchange only through the centre (docs/courier.md).

The centre's window hands the township's file, as it is, to the exchange (``POST /v1/courier``
with the centre's own token, ``[exchange] url / token``) and writes the exchange's signed
answer for the stick. Nothing is unpacked, re-signed or stored at the centre: the township's
signatures stay intact (the exchange checks them against the township's registered key), and
the answer is signed by the exchange (the township checks it against its pinned key), so the
centre can neither forge nor alter either.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from window_app.courier.export import CourierRefused
from window_app.domain.words import Words
from window_app.sync.client import _error_detail
from window_app.trust import courier_file

if TYPE_CHECKING:
    from window_app.config import Settings

MIN_TIMEOUT_SECONDS = 120.0  # a week's outbox is taken in as one request


@dataclass(frozen=True)
class RelayResult:
    """What the exchange said, and where its answer was written."""

    status: str
    words: Words
    answer: Path


def relay(settings: Settings, path: Path, answer: Path) -> RelayResult:
    """Hand the courier file at ``path`` to the exchange; write its answer to ``answer``.

    Raises:
        CourierRefused: The file is not a courier file, the exchange refused it or could not be
            reached (nothing was written), or the answer cannot be written.
    """
    data = courier_file.read_bytes(path)
    if isinstance(data, Words):
        raise CourierRefused(Words("未转交：{why}", "Not relayed: {why}").format(why=data))
    checked = courier_file.decode(data, courier_file.OUTBOUND)  # garbage stays here, not on the line
    if isinstance(checked, Words):
        raise CourierRefused(Words("未转交：{why}", "Not relayed: {why}").format(why=checked))
    url = settings.exchange.url.rstrip("/") + "/v1/courier"
    try:
        response = httpx.post(
            url,
            json={"file": data.decode("utf-8")},
            headers={"Authorization": f"Bearer {settings.exchange.token}"},
            timeout=max(settings.exchange.timeout_seconds, MIN_TIMEOUT_SECONDS),
            trust_env=False,
        )
    except httpx.HTTPError as exc:
        raise CourierRefused(
            Words("无法连接交换平台 {u}：{e}；文件未转交，可稍后再试", "Cannot reach the exchange at {u}: {e}; nothing was relayed, try again later").format(
                u=settings.exchange.url, e=type(exc).__name__
            )
        ) from exc
    if response.status_code != 200:
        raise CourierRefused(
            Words("交换平台拒收（{s}）：{why}", "The exchange refused it ({s}): {why}").format(s=response.status_code, why=_error_detail(response))
        )
    body = response.json()
    if isinstance(body, dict) and body.get("status") == "refused":
        said = body.get("words") if isinstance(body.get("words"), dict) else {}
        raise CourierRefused(
            Words("交换平台拒收：{why}", "The exchange refused it: {why}").format(why=Words(str(said.get("zh") or ""), str(said.get("en") or "")))
        )
    text = body.get("answer") if isinstance(body, dict) else None
    if not isinstance(text, str):
        raise CourierRefused(Words("交换平台的回答中没有回执", "The exchange's answer holds no answer file"))
    try:
        courier_file.write_whole(Path(answer), text.encode("utf-8"))
    except OSError as exc:
        raise CourierRefused(
            Words("无法写入回执 {p}：{e}", "Cannot write the answer {p}: {e}").format(p=answer, e=exc.strerror or exc)
        ) from exc
    said = body.get("words") if isinstance(body.get("words"), dict) else {}
    words = Words(str(said.get("zh") or ""), str(said.get("en") or ""))
    return RelayResult(status=str(body.get("status") or ""), words=words, answer=Path(answer))
