"""Checking one submitted envelope before the exchange stores it.

The envelope's shape, digest and payload are checked by :mod:`window_app.domain.wire`, the same
code the window's side speaks with; this module adds what only the exchange knows: its catalog
(which departments exist, whose items are whose) and its store (a supplement's original
envelope, asked through a callback, so this module stays free of SQL).

A failed check is permanent for that envelope (the window quarantines it with the reason), so
each check names exactly what is wrong, as :class:`~window_app.domain.words.Words`: the English
half is the contract's ``reason``, the Chinese half ``reason_zh``, for the clerk.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from window_app.domain.catalog import Catalog
from window_app.domain.receipt_no import receipt_owner
from window_app.domain.wire import (
    FINAL_DECISIONS,
    PART_KINDS,
    DecisionRequest,
    WireEnvelope,
    envelope_from_json,
    key_mismatch,
    payload_document,
    payload_mismatch,
)
from window_app.domain.words import Words
from window_app.trust import envelopes
from window_app.trust.keys import PublicSigningKey
from window_app.trust.signing import Signature, verify

if TYPE_CHECKING:
    from window_app.exchange.key_registry import WindowKey

SUBJECT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class ItemEntry:
    """One item of an envelope as the exchange keeps it."""

    id: str
    name: str
    result_name: str
    filed: dict[str, Any] | None = None
    """A filed item's decision made at the window (一类 by a sole approver); ``None`` otherwise."""


@dataclass(frozen=True)
class CheckedEnvelope:
    """A submitted envelope that passed every check, ready to store."""

    envelope: WireEnvelope
    original_envelope_id: str | None
    items: tuple[ItemEntry, ...]


# original envelope id → (window id, department, kind), or None if there is no such envelope.
OriginalLookup = Callable[[str], "tuple[str, str, str] | None"]


# A window key by its id (registered, active or revoked), or None; may register a demo window's
# key on first sight (the document's ``window.key``).
KeyLookup = Callable[[str, "dict[str, Any]"], "WindowKey | None"]


@dataclass(frozen=True)
class Prechecked:
    """One submitted entry checked as far as it can be without the store: done outside the
    store's write lock (and, with several, in parallel), so the lock is held only for what needs
    the database.

    The checks keep their order: :func:`finish_check` reports ``problem`` first, then what needs
    the store (the signing key, a supplement's original), then ``later``.

    Attributes:
        problem: The first failing check before the signature's (shape, digest, payload,
            department, payload against envelope, idempotency key), or ``None``.
        envelope: The typed entry (``None`` when ``problem`` says it is not one).
        document: The payload, parsed once.
        signature: The envelope's signature parsed, or why it cannot be one.
        verified: (public key text, :func:`verify`'s answer) for the key the payload's own
            header carries, when that is the key the signature names: the store reuses the
            answer if the registered key is that key (``None``: not checked ahead).
        items: The payload's items as stored.
        later: The first failing check after the store's (items, handling), or ``None``.
    """

    problem: Words | None
    envelope: WireEnvelope | None = None
    document: dict[str, Any] | None = None
    signature: Signature | Words | None = None
    verified: tuple[str, Words | None] | None = None
    items: tuple[ItemEntry, ...] = ()
    later: Words | None = None

    @property
    def original(self) -> str | None:
        """The original envelope a supplement names (what the store looks up)."""
        if self.envelope is None or self.envelope.kind != "supplement" or self.document is None:
            return None
        original = self.document.get("original_envelope_id")
        return original if isinstance(original, str) and original else None


def check_envelope(
    submitted: object, window_id: str, catalog: Catalog, original_of: OriginalLookup, key_of: KeyLookup
) -> CheckedEnvelope | Words:
    """Check one entry of ``POST /v1/envelopes`` sent by ``window_id``; the envelope, or why not.

    :func:`precheck` then :func:`finish_check`, in one go.

    Args:
        submitted: The entry as parsed from the request body.
        window_id: The caller (from its token).
        catalog: The exchange's catalog: which departments and items exist.
        original_of: Looks up the original envelope of a supplement.
        key_of: Looks up the window key the envelope's signature names.
    """
    return finish_check(precheck(submitted, window_id, catalog), window_id, original_of, key_of)


def precheck(submitted: object, window_id: str, catalog: Catalog) -> Prechecked:
    """Every check of one entry that needs neither the store nor a lock (see :class:`Prechecked`)."""
    envelope = envelope_from_json(submitted)
    if isinstance(envelope, Words):
        return Prechecked(envelope)
    document = payload_document(envelope)
    if isinstance(document, Words):
        return Prechecked(document)
    department = envelope.department
    if not catalog.receives(department):  # an office id (a kind without offices is its own)
        return Prechecked(Words(f"未知部门“{department}”", f"unknown department '{department}'"))
    problem = payload_mismatch(document, envelope, window_id) or key_mismatch(envelope)
    if problem:
        return Prechecked(problem)
    assert isinstance(submitted, Mapping)  # envelope_from_json took it
    signature = Signature.from_json(submitted["signature"])  # the object envelope.signature is the text of
    items = _items(document, department, catalog, required=envelope.kind in PART_KINDS)
    later = items if isinstance(items, Words) else _handling_problem(envelope.kind, document, items)
    return Prechecked(
        None, envelope, document, signature, _verified_ahead(envelope, document, signature),
        items if not isinstance(items, Words) else (), later,
    )


def finish_check(pre: Prechecked, window_id: str, original_of: OriginalLookup, key_of: KeyLookup) -> CheckedEnvelope | Words:
    """The checks of a :class:`Prechecked` entry that need the store: its signing key is one
    registered for the sender, a supplement's original is the sender's; then the rest, in order."""
    if pre.problem is not None:
        return pre.problem
    assert pre.envelope is not None and pre.document is not None and pre.signature is not None
    envelope = pre.envelope
    problem = signature_problem(envelope, pre.document, window_id, key_of, pre.signature, pre.verified)
    if problem:
        return problem
    original: str | None = None
    if envelope.kind == "supplement":
        original = pre.document.get("original_envelope_id")
        problem = _original_problem(original, window_id, envelope.department, original_of)
        if problem:
            return problem
    if pre.later is not None:
        return pre.later
    return CheckedEnvelope(envelope=envelope, original_envelope_id=original, items=pre.items)


def signature_problem(
    envelope: WireEnvelope,
    document: dict[str, Any],
    window_id: str,
    key_of: KeyLookup,
    signature: Signature | Words | None = None,
    verified: tuple[str, Words | None] | None = None,
) -> Words | None:
    """The envelope must be signed by a key registered for the window that sends it, and its
    receipt number must carry that key's region, window id and installation tag.

    Args:
        signature: The envelope's signature already parsed (default: parsed here).
        verified: (public key text, answer) of a verification done ahead
            (:class:`Prechecked`): reused when the registered key is that key.
    """
    if signature is None:
        signature = Signature.from_json(json.loads(envelope.signature))
    if isinstance(signature, Words):
        return signature
    key = key_of(signature.key_id, document)
    if key is None:
        return Words(
            "窗口签名密钥 {k} 未在交换平台登记：请交换平台管理员用 window-app exchange keys register 登记本窗口（window-app keys show --json）",
            "the window's signing key {k} is not registered at the exchange: its operator registers it with "
            "window-app exchange keys register (from window-app keys show --json at the window)",
        ).format(k=signature.key_id)
    if key.window_id != window_id.upper():
        return Words("签名密钥 {k} 登记给窗口 {w}，而非发送方 {me}", "signing key {k} is registered to window {w}, not to the caller {me}").format(
            k=key.key_id, w=key.window_id, me=window_id
        )
    if not key.active:
        return Words("签名密钥 {k} 已于 {t} 吊销", "signing key {k} was revoked at {t}").format(k=key.key_id, t=key.revoked_at)
    owner = receipt_owner(envelope.receipt_no)
    bound = (key.region, key.window_id, key.installation_tag)
    if owner != bound:
        return Words(
            "受理编号 {r} 不属于此密钥登记的窗口（{p}）",
            "receipt number {r} is not of the window this key is registered to ({p})",
        ).format(r=envelope.receipt_no, p="{}-…-{}-{}-…".format(*bound))
    if verified is not None and verified[0] == key.public_key:
        problem = verified[1]
    else:
        problem = verify(key.public, envelope.payload.encode("utf-8"), signature)
    if problem:
        return Words("窗口签名不符：{p}", "the window's signature does not hold: {p}").format(p=problem)
    return None


def _verified_ahead(envelope: WireEnvelope, document: dict[str, Any], signature: Signature | Words) -> tuple[str, Words | None] | None:
    """Verify the signature with the key the payload's header names (``window.key``), if that
    is the key the signature names: the expensive part of the signature check, done outside
    the lock. Whether that key is registered, active and the sender's is the store's to say."""
    if isinstance(signature, Words):
        return None
    window = document.get("window")
    text = window.get("key") if isinstance(window, dict) else None
    if not isinstance(text, str):
        return None
    key = _public_key(text)
    if isinstance(key, Words) or key.key_id != signature.key_id:
        return None
    return key.text, verify(key, envelope.payload.encode("utf-8"), signature)


@functools.lru_cache(maxsize=1024)
def _public_key(text: str) -> PublicSigningKey | Words:
    """A window's public key from its text (every envelope of a window carries the same one)."""
    return PublicSigningKey.from_text(text)


def _original_problem(original: Any, window_id: str, department: str, original_of: OriginalLookup) -> Words | None:
    if not isinstance(original, str) or not original:
        return Words(
            "补正材料的载荷必须写明原信封编号（original_envelope_id）",
            "a supplement's payload must name its original_envelope_id",
        )
    found = original_of(original)
    if found is None or found[0] != window_id:
        return Words(f"本窗口未发送过信封“{original}”", f"no envelope '{original}' sent by this window")
    if found[1] != department:
        return Words(
            f"原信封“{original}”发往“{found[1]}”，而非“{department}”",
            f"original envelope '{original}' is addressed to '{found[1]}', not '{department}'",
        )
    if found[2] == "supplement":
        return Words(f"原信封“{original}”本身是补正材料", f"original envelope '{original}' is itself a supplement")
    if found[2] != "application":
        return Words(
            f"原信封“{original}”是{found[2]}，部门不会为其要求补正",
            f"original envelope '{original}' is a {found[2]}: its department asks for no supplement",
        )
    return None


def _items(document: dict, department: str, catalog: Catalog, *, required: bool) -> tuple[ItemEntry, ...] | Words:
    """The payload's items; each known item must belong to the envelope's department.

    An item id the exchange's catalog does not know is accepted (the window may run an older
    or newer catalog version, pinned in the payload); an item of another department is not.
    """
    raw = document.get("items")
    if raw is None and not required:
        return ()
    if not isinstance(raw, list) or (required and not raw):
        return Words("载荷中的事项（items）必须是非空列表", "payload items must be a non-empty list")
    entries: dict[str, ItemEntry] = {}
    for entry in raw:
        item_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(item_id, str) or not item_id:
            return Words("载荷中的每个事项都需要编号（id）", "every payload item needs an id")
        known = catalog.items.get(item_id)
        if known is not None and known.department != catalog.kind_of(department):
            return Words(
                f"事项“{item_id}”属于“{known.department}”，而非“{department}”",
                f"item '{item_id}' belongs to department '{known.department}', not '{department}'",
            )
        name = entry.get("name") if isinstance(entry.get("name"), str) else (known.name.zh if known else item_id)
        result = entry.get("result") if isinstance(entry.get("result"), str) else (known.result if known else "")
        filed = entry.get("filed") if entry.get("handling") == "filed" else None
        if entry.get("handling") == "filed" and (not isinstance(filed, dict) or filed.get("decision") not in FINAL_DECISIONS):
            return Words(
                f"事项“{item_id}”标为窗口办结（filed），但没有准予或不予的结论（filed.decision）",
                f"item '{item_id}' is marked filed but carries no approved or rejected decision (filed.decision)",
            )
        entries.setdefault(item_id, ItemEntry(item_id, name, result, filed))
    return tuple(entries.values())


def _handling_problem(kind: str, document: dict[str, Any], items: tuple[ItemEntry, ...]) -> Words | None:
    """A ``filing`` files only items concluded at the window; a ``handover`` lists its materials
    and asks for no decision."""
    if kind == "filing" and not all(item.filed for item in items):
        return Words("备案信封（filing）中的每个事项都须带有窗口办结结论（filed）", "every item of a filing must carry the window's decision (filed)")
    if kind == "handover":
        if any(item.filed for item in items):
            return Words("移交信封（handover）中不能有窗口办结的事项", "a handover cannot carry items concluded at the window")
        handover = document.get("handover")
        if not isinstance(handover, dict) or not isinstance(handover.get("materials"), list):
            return Words("移交信封（handover）须列出移交的材料（handover.materials）", "a handover must list the materials handed over (handover.materials)")
    return None


def decision_signature_problem(
    catalog: Catalog, department: str, decision: DecisionRequest, revoked: Mapping[str, str]
) -> Words | None:
    """A decision must be signed by its department's key as the published catalog gives it,
    and that key must not be revoked at this exchange."""
    known = catalog.body(department)
    return envelopes.decision_signature_problem(
        department, known.signing_key if known else "", decision.to_json(), json.loads(decision.signature), revoked
    )
