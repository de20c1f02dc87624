"""The tracking code printed on a receipt, and the digest the exchange keeps of it.

The applicant looks an application up from a phone with the receipt number and this code (the
receipt's QR code carries both). The code is the only secret of the pair: eight characters drawn
by :mod:`secrets` from an alphabet without look-alikes (no 0/O, 1/I/L), about 39.6 bits, never
derived from the ID number or anything else known about the applicant.

The exchange never holds the code itself, only :func:`tracking_digest` of it: a slow, salted hash
(scrypt, the receipt number as salt), so that a copy of the exchange's database does not give
the codes away and cannot be searched for them cheaply. The exchange checks a code that arrives
with :func:`code_matches` (constant-time). Pure: the window (which makes the code) and the
exchange (which checks it) both import this module.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""31 characters a person reads and types back without confusion (no 0/O, 1/I/L)."""

CODE_LENGTH = 8

# scrypt's cost: ~16 MiB and some tens of milliseconds per check, once per tracking request
# (which the exchange rate-limits), far too slow to try 31^8 codes against a stolen digest.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_DIGEST_PREFIX = f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}$"


def new_tracking_code() -> str:
    """A fresh random code, e.g. ``K7QM3XH9``."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(typed: str) -> str:
    """A code as typed or read back (lower case, spaces, the printed hyphen) in its stored form."""
    return re.sub(r"[\s\-]", "", typed).upper()


def grouped(code: str) -> str:
    """The code as printed for reading aloud: ``K7QM-3XH9``."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


def tracking_digest(receipt_no: str, code: str) -> str:
    """What the exchange stores instead of the code: ``scrypt$N$r$p$<hex>``.

    Salted with the receipt number (two applications with the same code get different digests);
    self-describing, so a later cost can be told from this one.
    """
    key = hashlib.scrypt(
        normalize_code(code).encode("ascii", "replace"),
        salt=("window-app tracking " + receipt_no).encode("utf-8"),
        n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32,
    )
    return _DIGEST_PREFIX + key.hex()


def code_matches(receipt_no: str, code: str, digest: str) -> bool:
    """Whether ``code`` (as typed) is the code ``digest`` was made from, in constant time."""
    if not digest.startswith(_DIGEST_PREFIX):
        return False
    return hmac.compare_digest(tracking_digest(receipt_no, code), digest)
