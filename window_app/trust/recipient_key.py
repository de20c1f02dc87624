"""The key the applicants' notification recipients (phone numbers) are sealed under.

Notifications are queued at acceptance (a clerk signed in) and by the sync (which runs locked,
without the window data key), and sent by the sync. So the phone number a notification goes to
cannot be under the data key: the headless ``window-app sync`` could never send it. It is sealed
with the field cipher (AES-256-GCM, bound to table, column and row, as every personal column)
under a key derived from the window's signing key with HKDF-SHA256 and a label of its own —
a key the sync process already reads (it signs audit heads and releases stages), kept in
``[trust] keys_dir``, never in the data directory: a copy of the database alone does not give
the phones away. A thief with the whole PC has the signing key too, so the recipients are erased
once an application's last notification is sent (docs/security.md, *Notifications*).
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from window_app.trust.data_key import DataKey
from window_app.trust.field_cipher import FieldCipher, field_cipher
from window_app.trust.keys import SigningKey

_LABEL = b"window-app window key: notification recipients"


def recipient_cipher(window_key: SigningKey) -> FieldCipher:
    """The field cipher notification recipients are sealed with, derived from ``window_key``.

    A window key replaced (``keys init --replace``) opens none of the recipients sealed under
    the old one: those notifications are refused for good, in words (window_app/sync/notifying.py).
    """
    seed = window_key.key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(seed)
    return field_cipher(DataKey(raw))
