"""This window's identity: its id, region, installation tag and Ed25519 signing key.

The private key is a file of its own (``<keys dir>/window-<ID>-<TAG>.ed25519.pem``, mode 0600:
one per window id and installation, as receipt numbers are) in
``[trust] keys_dir`` — by default the user's config directory, never the data directory: a copy
of ``window.sqlite`` does not carry the key that vouches for it. The first accept (or
``window-app keys init``) creates it. The exchange binds the public half to the window id,
region and installation tag (``window-app exchange keys register``), so envelopes under this
window's receipt numbers can come from this key only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from window_app.config import Settings
from window_app.domain.wire import canonical_json
from window_app.trust.key_files import read_signing_key, write_private_key
from window_app.trust.keys import SigningKey
from window_app.trust.signing import sign

REGISTRATION_FORMAT = 1


def window_key_path(settings: Settings, installation_tag: str) -> Path:
    """Where this window's private signing key lives."""
    return settings.keys_dir / f"window-{settings.window.id.upper()}-{installation_tag.upper()}.ed25519.pem"


def window_signing_key(settings: Settings, installation_tag: str, *, create: bool = True) -> SigningKey:
    """This window's signing key; made (0600) when missing and ``create``.

    The key read last is kept while its file stays as it was (same inode, size, time and mode):
    every accept signs with it, and parsing the PEM file each time cost a tenth of an accept.
    A file replaced, changed or opened up to others is read (and checked) again.

    Raises:
        window_app.trust.key_files.KeyFileError: Unreadable, too open, or missing (and not
            ``create``).
    """
    path = window_key_path(settings, installation_tag)
    try:
        found = path.stat()
    except FileNotFoundError:
        if not create:
            return read_signing_key(path)  # says why in words
        write_private_key(path, SigningKey.generate())
        found = path.stat()
    except OSError:
        return read_signing_key(path)  # says why in words
    state = (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_mode)
    kept = _read_keys.get(path)
    if kept is not None and kept[0] == state:
        return kept[1]
    key = read_signing_key(path)
    _read_keys[path] = (state, key)
    return key


_read_keys: dict[Path, tuple[tuple[int, ...], SigningKey]] = {}
"""Key file → (its stat when read, the key): :func:`window_signing_key`'s memory."""


def replace_window_key(settings: Settings, installation_tag: str) -> SigningKey:
    """A new key in place of the old one (rotation; the old one is gone from this machine)."""
    key = SigningKey.generate()
    write_private_key(window_key_path(settings, installation_tag), key, replace=True)
    return key


@dataclass(frozen=True)
class WindowIdentity:
    """What the exchange binds together at registration."""

    window_id: str
    region: str
    installation_tag: str
    centre: str
    public_key: str
    key_id: str

    @property
    def receipt_prefix(self) -> str:
        """The parts every receipt number of this window has (the day sits between them)."""
        return f"{self.region}-*-{self.window_id}-{self.installation_tag}-"

    def registration(self, key: SigningKey) -> dict[str, Any]:
        """The registration request, self-signed (proves the holder of the key asked)."""
        body = {
            "format": REGISTRATION_FORMAT,
            "kind": "window",
            "id": self.window_id,
            "region": self.region,
            "installation_tag": self.installation_tag,
            "centre": self.centre,
            "public_key": self.public_key,
            "key_id": self.key_id,
        }
        return {**body, "signature": sign(key, canonical_json(body)).to_json()}


def window_identity(settings: Settings, installation_tag: str, key: SigningKey) -> WindowIdentity:
    """This window's identity from its settings, its database's tag and its key."""
    return WindowIdentity(
        window_id=settings.window.id.upper(),
        region=settings.window.region,
        installation_tag=installation_tag.upper(),
        centre=settings.window.centre,
        public_key=key.public.text,
        key_id=key.key_id,
    )
