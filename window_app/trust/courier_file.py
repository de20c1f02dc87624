"""The USB courier's container: one signed file of JSON lines (docs/courier.md).

Line 1 is the **manifest**, canonical JSON: what the file is (``purpose``), whose it is, its
random id, its sequence number, when it was made (UTC), the list of entries with each one's
type and SHA-256, their total, and the signature (over the canonical JSON of every other
field) by the sender's Ed25519 key: the window's key for a courier file, the exchange's for
its answer. Every following line is one entry, canonical JSON ``{"type": …, …}``.

Why JSON lines and not a zip: the entries are already JSON on the wire (an envelope sealed
per department and signed, exactly the bytes ``POST /v1/envelopes`` carries), a line is
hashed as it stands, nothing needs unpacking (no paths, no compression bombs), and a cut-off
file is found at once (fewer lines than the manifest's total, or a last line whose hash
does not match). Reading checks the shape and every hash; the signature is checked by
:func:`verify_manifest` against a key the reader chose (the registered window key, the
pinned exchange key), never one the file names.

Written whole: a temporary file in the same directory (0600), fsynced, renamed over the
target; a reader never sees half a file under the final name.

This module lives in :mod:`window_app.trust` because the window (``window_app.courier``) and
the exchange (``window_app.exchange``), two independent services, both read and sign it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from window_app.domain.wire import canonical_json
from window_app.domain.words import Words
from window_app.trust.keys import PublicSigningKey, SigningKey
from window_app.trust.signing import Signature, sign, verify

FORMAT = "window-app courier"
VERSION = 1
OUTBOUND = "window-app courier file"
"""``purpose`` of a window's file (its envelopes, heads, records) to the exchange."""
ANSWER = "window-app courier answer"
"""``purpose`` of the exchange's answer (acknowledgements, the window's events) to the window."""
MAX_BYTES = 512 * 1024 * 1024
"""A larger file is refused before it is read (a stick holds days of a county's outbox in far less)."""


@dataclass(frozen=True)
class CourierFile:
    """A read file whose shape and hashes hold (the signature is :func:`verify_manifest`'s).

    Attributes:
        manifest: The manifest's fields, ``signature`` included.
        entries: The entries in order, each a dict with its ``type``.
        sha256: Hex SHA-256 of the whole file (what a second carry of the same file repeats).
    """

    manifest: dict[str, Any]
    entries: list[dict[str, Any]]
    sha256: str

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [entry for entry in self.entries if entry.get("type") == kind]


def encode(fields: Mapping[str, Any], entries: Sequence[Mapping[str, Any]], key: SigningKey) -> bytes:
    """The file's bytes: the signed manifest over ``fields`` and the entries, one per line."""
    lines = [canonical_json(dict(entry)) for entry in entries]
    manifest: dict[str, Any] = {
        **fields,
        "format": FORMAT,
        "version": VERSION,
        "entries": [
            {"type": str(entry["type"]), "sha256": hashlib.sha256(line).hexdigest()} for entry, line in zip(entries, lines)
        ],
        "total": len(lines),
    }
    manifest["signature"] = sign(key, canonical_json(manifest)).to_json()
    return b"\n".join([canonical_json(manifest), *lines]) + b"\n"


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole: a 0600 temporary file beside it, fsynced, renamed."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    with contextlib.suppress(OSError):  # the rename durable too (not possible everywhere)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def read_bytes(path: Path) -> bytes | Words:
    """The file's bytes, or why they cannot be read (missing, a directory, too large)."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            return Words("文件过大（{n} 字节），不是U盘传递文件", "the file is too large ({n} bytes) to be a courier file").format(n=size)
        return Path(path).read_bytes()
    except OSError as exc:
        return Words("无法读取文件 {p}：{e}", "cannot read the file {p}: {e}").format(p=path, e=exc.strerror or exc)


def decode(data: bytes, purpose: str) -> CourierFile | Words:
    """Parse and check a file's shape and every entry's hash; why not, in words."""
    damaged = Words("文件已损坏或不完整：{why}", "the file is damaged or incomplete: {why}")
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    else:
        return damaged.format(why=Words("最后一行不完整（文件被截断）", "its last line is cut off (the file was truncated)"))
    if not lines:
        return damaged.format(why=Words("文件为空", "the file is empty"))
    try:
        manifest = json.loads(lines[0])
    except (ValueError, UnicodeDecodeError):
        return Words("这不是U盘传递文件（第一行不是清单）", "this is not a courier file (its first line is no manifest)")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return Words("这不是U盘传递文件（第一行不是清单）", "this is not a courier file (its first line is no manifest)")
    if manifest.get("version") != VERSION:
        return Words("文件格式版本 {v} 不受支持", "file format version {v} is not supported").format(v=manifest.get("version"))
    if manifest.get("purpose") != purpose:
        return Words(
            "文件用途不符：需要“{want}”，此文件是“{got}”", "wrong kind of file: a '{want}' is needed, this is a '{got}'"
        ).format(want=purpose, got=manifest.get("purpose"))
    listed = manifest.get("entries")
    total = manifest.get("total")
    if not isinstance(listed, list) or not isinstance(total, int) or total != len(listed):
        return damaged.format(why=Words("清单的条目表与总数不符", "the manifest's list and total disagree"))
    if len(lines) - 1 != total:
        return damaged.format(
            why=Words("清单列出 {n} 条，文件中有 {m} 条", "the manifest lists {n} entries, the file holds {m}").format(
                n=total, m=len(lines) - 1
            )
        )
    entries: list[dict[str, Any]] = []
    for number, (line, expected) in enumerate(zip(lines[1:], listed), start=1):
        if not isinstance(expected, dict) or hashlib.sha256(line).hexdigest() != expected.get("sha256"):
            return damaged.format(
                why=Words("第 {n} 条与清单中的摘要不符", "entry {n} does not match its digest in the manifest").format(n=number)
            )
        try:
            entry = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            return damaged.format(why=Words("第 {n} 条不是 JSON", "entry {n} is not JSON").format(n=number))
        if not isinstance(entry, dict) or entry.get("type") != expected.get("type"):
            return damaged.format(why=Words("第 {n} 条的类型与清单不符", "entry {n}'s type differs from the manifest").format(n=number))
        entries.append(entry)
    return CourierFile(manifest, entries, hashlib.sha256(data).hexdigest())


def signature_of(file: CourierFile) -> Signature | Words:
    """The manifest's signature as written (its ``key_id`` says which key to look up)."""
    return Signature.from_json(file.manifest.get("signature"))


def verify_manifest(file: CourierFile, key: PublicSigningKey) -> Words | None:
    """``None`` when ``key`` signed the manifest (and so, by the digests, every entry)."""
    signature = signature_of(file)
    if isinstance(signature, Words):
        return signature
    fields = {name: value for name, value in file.manifest.items() if name != "signature"}
    return verify(key, canonical_json(fields), signature)
