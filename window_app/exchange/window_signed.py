"""A record a window signed with its registered key (a tracking record, a survey appointment):
the one check both take at the exchange.

The entry is ``{"record": <canonical JSON text>, "signature": {…}}``; the record is the window's
own (the caller's window id), signed with an active key registered for that window, about a
receipt number of the window that key is registered to.
"""

from __future__ import annotations

import json
from typing import Any

from window_app.domain.receipt_no import receipt_owner
from window_app.domain.wire import parse_json
from window_app.domain.words import Words
from window_app.exchange import key_registry
from window_app.exchange.store import NUL
from window_app.trust.signing import Signature, verify


def record_text(entry: Any, what: Words) -> tuple[object, str] | Words:
    """The entry's record as parsed JSON and as its text, or what is wrong with its shape."""
    if not isinstance(entry, dict) or not isinstance(entry.get("record"), str) or not isinstance(entry.get("signature"), dict):
        return Words('每条须为 {"record": 文本, "signature": {…}}', 'each entry must be {"record": text, "signature": {…}}')
    text = entry["record"]
    if NUL in text:
        return Words("记录含有 NUL 字符", "the record holds the NUL character")
    document = parse_json(text.encode("utf-8", "surrogatepass"), what)
    if isinstance(document, Words):
        return document
    return document, text


def window_signature(conn: Any, window_id: str, entry: dict[str, Any], *, record_window: str, receipt_no: str) -> str | Words:
    """The entry's signature as stored (canonical JSON text) once it holds for ``window_id``, or
    why it does not."""
    if record_window.upper() != window_id.upper():
        return Words("记录属于窗口 {w}，调用方为 {me}", "the record is window {w}'s; the caller is {me}").format(w=record_window, me=window_id)
    signature = Signature.from_json(entry["signature"])
    if isinstance(signature, Words):
        return signature
    key = key_registry.window_key(conn, signature.key_id)
    if key is None or not key.active or key.window_id != window_id.upper():
        return Words("签名密钥 {k} 不是此窗口登记的有效密钥", "key {k} is not an active key registered for this window").format(k=signature.key_id)
    if receipt_owner(receipt_no) != (key.region, key.window_id, key.installation_tag):
        return Words("受理编号 {r} 不属于此密钥登记的窗口", "receipt number {r} is not of the window this key is registered to").format(r=receipt_no)
    problem = verify(key.public, entry["record"].encode("utf-8"), signature)
    if problem:
        return Words("窗口签名不符：{p}", "the window's signature does not hold: {p}").format(p=problem)
    return json.dumps(entry["signature"], sort_keys=True, separators=(",", ":"))
