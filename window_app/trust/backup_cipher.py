"""The encrypted stream of a backup file: AES-256-GCM in chunks, bound to the file's header.

A backup can be as large as the database (a gigabyte at 100,000 applications), so it is sealed
and opened one chunk (1 MiB) at a time, never held in memory whole. Each chunk's nonce is its
position, the last one says so (a file cut short does not open), and every chunk's associated
data is the SHA-256 of the clear header (a header changed does not open). The key is derived
from the window data key and the backup's random id (HKDF), so no two backups share a key and
a counter nonce never repeats under one.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words
from window_app.trust.data_key import DataKey

CHUNK_SIZE = 1 << 20
_LENGTH = struct.Struct(">I")
_TAG_SIZE = 16


class BackupUnreadable(WindowAppError):
    """The backup's encrypted part does not open: altered, cut short, or another key."""


def backup_key(data_key: DataKey, backup_id: bytes) -> bytes:
    """The key of one backup: HKDF-SHA256 of the data key, salted with the backup's id."""
    return HKDF(hashes.SHA256(), 32, salt=backup_id, info=b"window-app backup").derive(data_key.raw)


def seal_stream(key: bytes, header: bytes, source: BinaryIO, sink: BinaryIO) -> int:
    """Seal everything readable from ``source`` into ``sink``; returns the bytes sealed."""
    aead, aad, total = AESGCM(key), hashlib.sha256(header).digest(), 0
    for index, (chunk, last) in enumerate(_chunks(source)):
        sealed = aead.encrypt(_nonce(index, last), chunk, aad)
        sink.write(_LENGTH.pack(len(sealed)))
        sink.write(sealed)
        total += len(chunk)
    return total


def open_stream(key: bytes, header: bytes, source: BinaryIO, sink: BinaryIO) -> int:
    """Open what :func:`seal_stream` wrote into ``sink``; returns the bytes opened.

    Raises:
        BackupUnreadable: A chunk does not open, or the stream ends before its last chunk.
    """
    aead, aad, total, index = AESGCM(key), hashlib.sha256(header).digest(), 0, 0
    while True:
        prefix = source.read(_LENGTH.size)
        if len(prefix) < _LENGTH.size:
            raise BackupUnreadable(Words("备份文件不完整（被截断）", "The backup file is incomplete (cut short)"))
        (length,) = _LENGTH.unpack(prefix)
        sealed = source.read(length)
        if length < _TAG_SIZE or len(sealed) != length or length > CHUNK_SIZE + _TAG_SIZE:
            raise BackupUnreadable(Words("备份文件不完整（被截断）", "The backup file is incomplete (cut short)"))
        for last in (False, True):
            try:
                chunk = aead.decrypt(_nonce(index, last), sealed, aad)
            except InvalidTag:
                continue
            sink.write(chunk)
            total += len(chunk)
            if last:
                if source.read(1):
                    raise BackupUnreadable(Words("备份文件末尾有多余内容", "The backup file has bytes after its end"))
                return total
            break
        else:
            raise BackupUnreadable(
                Words("备份文件无法解开：被改动，或不是此窗口数据密钥的备份", "The backup does not open: altered, or not under this window's data key")
            )
        index += 1


def _chunks(source: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    """Chunks of ``source``, each with whether it is the last (an empty stream: one empty chunk)."""
    current = source.read(CHUNK_SIZE)
    while True:
        following = source.read(CHUNK_SIZE)
        yield current, not following
        if not following:
            return
        current = following


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")
