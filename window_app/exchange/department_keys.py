"""An office's own keys, at the office: open what windows sealed to it, sign decisions.

Each office of a department (``tax-522325``: 国家税务总局贞丰县税务局; see
``docs/catalog-format.md``) holds two private keys in files of their own (0600), named after
its id: ``<dir>/<office>.ed25519.pem`` (signs its decisions) and ``<dir>/<office>.x25519.pem``
(opens its envelopes). Their public halves go into its ``[[office]]`` entry of the catalog the
authority signs (``signing_key`` / ``sealing_key``). ``window-app exchange keys init-department
OFFICE --dir DIR`` writes a pair; a demo exchange's offices use :mod:`window_app.trust.demo`
keys derived from the office id (``--demo`` prints their public halves). A department kind
without offices (an older catalog) is its own office: its id names its keys.

Opening an inbox entry also checks the window's signature over the payload, with the key the
exchange registered for that window (``window_key`` in the entry): a department never reads a
payload that is not what the window signed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from window_app.domain.wire import DecisionRequest, canonical_json
from window_app.domain.words import Words
from window_app.trust.demo import demo_sealing_key, demo_signing_key
from window_app.trust.envelopes import decision_message, open_payload
from window_app.trust.key_files import read_sealing_key, read_signing_key, write_private_key
from window_app.trust.keys import PublicSigningKey, SealingKey, SigningKey
from window_app.trust.signing import Signature, sign, verify


def key_paths(directory: Path, department: str) -> tuple[Path, Path]:
    """(signing key file, sealing key file) of the office ``department`` in ``directory``."""
    return directory / f"{department}.ed25519.pem", directory / f"{department}.x25519.pem"


@dataclass(frozen=True)
class DepartmentKeys:
    """A department's private keys."""

    department: str
    signing: SigningKey
    sealing: SealingKey

    @classmethod
    def demo(cls, department: str) -> DepartmentKeys:
        """The public-by-design demo keys of the office ``department`` (the shipped demo catalog's)."""
        name = f"department:{department}"
        return cls(department, demo_signing_key(name), demo_sealing_key(name))

    @classmethod
    def read(cls, directory: Path, department: str) -> DepartmentKeys:
        """The department's keys from their files.

        Raises:
            window_app.trust.key_files.KeyFileError: Missing, too open, or not such a key.
        """
        signing_path, sealing_path = key_paths(directory, department)
        return cls(department, read_signing_key(signing_path), read_sealing_key(sealing_path))

    @classmethod
    def create(cls, directory: Path, department: str) -> DepartmentKeys:
        """Make a new pair (0600 files; never overwrites)."""
        keys = cls(department, SigningKey.generate(), SealingKey.generate())
        signing_path, sealing_path = key_paths(directory, department)
        write_private_key(signing_path, keys.signing)
        write_private_key(sealing_path, keys.sealing)
        return keys

    def public_entry(self) -> dict[str, str]:
        """The department's public keys as its catalog entry writes them."""
        return {"id": self.department, "signing_key": self.signing.public.text, "sealing_key": self.sealing.public.text}

    def signed(self, decision: DecisionRequest) -> DecisionRequest:
        """``decision`` with this department's signature."""
        signature = sign(self.signing, decision_message(decision.to_json()))
        return dataclasses.replace(decision, signature=canonical_json(signature.to_json()).decode("ascii"))

    def open(self, entry: dict[str, Any]) -> dict[str, Any] | Words:
        """An inbox entry's whole document: the window's signature checked, the sealed parts opened."""
        problem = window_signature_problem(entry)
        if problem:
            return problem
        return open_payload(canonical_json(entry.get("payload")), self.sealing)


def window_signature_problem(entry: dict[str, Any]) -> Words | None:
    """Whether the payload is what the window signed, with the key the exchange registered."""
    key = PublicSigningKey.from_text(entry.get("window_key"), Words("窗口", "the window"))
    if isinstance(key, Words):
        return Words("交换平台未给出签名窗口的登记公钥", "the exchange gave no registered key of the signing window")
    signature = Signature.from_json(entry.get("signature"))
    if isinstance(signature, Words):
        return signature
    problem = verify(key, canonical_json(entry.get("payload")), signature)
    if problem:
        return Words("窗口签名不符：{p}", "the window's signature does not hold: {p}").format(p=problem)
    return None
