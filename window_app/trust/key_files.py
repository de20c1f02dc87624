"""Private keys in files of their own: PEM (PKCS #8), mode 0600, never in a database.

A key file is created with ``O_EXCL`` and mode 0600 in one step (no moment when another user
could read it) and written whole before it gets its name (a crash leaves no half key). Reading
refuses a file that group or others may read, in words: a key someone else could have copied
is not a key to sign with. The directory holding keys is made 0700.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words
from window_app.trust.keys import SealingKey, SigningKey

KEY_FILE_MODE = 0o600
KEY_DIR_MODE = 0o700


class KeyFileError(WindowAppError):
    """A key file is missing, unreadable, too open, or holds something else."""


def write_private_key(path: Path, key: SigningKey | SealingKey, *, replace: bool = False) -> None:
    """Write ``key`` to ``path`` (0600); refuse to overwrite unless ``replace``.

    Raises:
        KeyFileError: The file exists (and ``replace`` is false) or cannot be written.
    """
    pem = key.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        make_key_dir(path.parent)
        if path.exists() and not replace:
            raise KeyFileError(Words("密钥文件已存在：{p}", "the key file already exists: {p}").format(p=path))
        partial = path.with_name(f".{path.name}.partial")
        partial.unlink(missing_ok=True)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_FILE_MODE)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except OSError as exc:
        raise KeyFileError(
            Words("无法写入密钥文件 {p}：{e}", "cannot write the key file {p}: {e}").format(p=path, e=exc.strerror or exc)
        ) from exc


def make_key_dir(directory: Path) -> None:
    """Create ``directory`` (0700) if missing."""
    directory.mkdir(parents=True, exist_ok=True, mode=KEY_DIR_MODE)


def read_signing_key(path: Path) -> SigningKey:
    """The Ed25519 key in ``path``.

    Raises:
        KeyFileError: Missing, unreadable, readable by others, or not an Ed25519 private key.
    """
    key = _read(path)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(Words("{p} 不是 Ed25519 签名私钥", "{p} is not an Ed25519 signing key").format(p=path))
    return SigningKey(key)


def read_sealing_key(path: Path) -> SealingKey:
    """The X25519 key in ``path`` (same checks as :func:`read_signing_key`)."""
    key = _read(path)
    if not isinstance(key, X25519PrivateKey):
        raise KeyFileError(Words("{p} 不是 X25519 解密私钥", "{p} is not an X25519 sealing key").format(p=path))
    return SealingKey(key)


def too_open(path: Path) -> bool:
    """Whether group or others may read or write ``path`` (POSIX; never on Windows)."""
    if os.name != "posix":
        return False
    return bool(stat.S_IMODE(path.stat().st_mode) & 0o077)


def _read(path: Path) -> object:
    try:
        if too_open(path):
            raise KeyFileError(
                Words(
                    "密钥文件 {p} 对其他用户可读；请执行 chmod 600 {p}，并考虑更换此密钥",
                    "the key file {p} is readable by other users; run chmod 600 {p} and consider replacing the key",
                ).format(p=path)
            )
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise KeyFileError(Words("没有密钥文件 {p}", "no key file {p}").format(p=path)) from exc
    except OSError as exc:
        raise KeyFileError(
            Words("无法读取密钥文件 {p}：{e}", "cannot read the key file {p}: {e}").format(p=path, e=exc.strerror or exc)
        ) from exc
    try:
        return serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(Words("{p} 不是可读的私钥文件", "{p} is not a readable private key file").format(p=path)) from exc
