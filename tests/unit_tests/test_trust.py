"""Keys, signatures and sealing (window_app/trust): what a verifier and a recipient rely on."""

from __future__ import annotations

import os
import stat

import pytest

from window_app.domain.words import Words
from window_app.trust.demo import demo_sealing_key, demo_signing_key
from window_app.trust.key_files import KeyFileError, read_sealing_key, read_signing_key, write_private_key
from window_app.trust.keys import PublicSealingKey, PublicSigningKey, SealingKey, SigningKey
from window_app.trust.sealing import Sealed, open_sealed, seal
from window_app.trust.signing import Signature, sign, verify


def test_a_signature_holds_for_its_bytes_and_key_only() -> None:
    key, other = SigningKey.generate(), SigningKey.generate()
    signature = sign(key, b"receipt 0001")
    assert verify(key.public, b"receipt 0001", signature) is None
    assert "does not match" in verify(key.public, b"receipt 0002", signature).en
    assert "not the registered key" in verify(other.public, b"receipt 0001", signature).en
    forged = Signature(signature.suite, other.key_id, sign(other, b"receipt 0002").value)
    assert verify(key.public, b"receipt 0002", forged) is not None


def test_signatures_and_keys_from_the_wire_are_checked_in_words() -> None:
    assert isinstance(Signature.from_json("abc"), Words)
    assert "unsupported" in Signature.from_json({"suite": "rsa", "key_id": "k", "value": "v"}).en
    key = SigningKey.generate()
    garbled = Signature(key.public.text and "ed25519", key.key_id, "not base64!!")
    assert verify(key.public, b"x", garbled) is not None
    assert isinstance(PublicSigningKey.from_text("ed25519:AAAA"), Words)
    assert isinstance(PublicSigningKey.from_text(SealingKey.generate().public.text), Words)
    assert PublicSigningKey.from_text(key.public.text).key_id == key.key_id


def test_sealed_data_opens_with_its_key_in_its_place_only() -> None:
    key = SealingKey.generate()
    sealed = seal(key.public, "张三 522325199001011234".encode(), b"R-1/tax/1")
    assert "张三".encode() not in sealed.data.encode()
    assert open_sealed(key, sealed, b"R-1/tax/1") == "张三 522325199001011234".encode()
    assert isinstance(open_sealed(key, sealed, b"R-2/tax/1"), Words)  # moved to another envelope
    assert isinstance(open_sealed(SealingKey.generate(), sealed, b"R-1/tax/1"), Words)
    flipped = sealed.data[:-6] + ("A" if sealed.data[-6] != "A" else "B") + sealed.data[-5:]
    assert isinstance(open_sealed(key, Sealed(sealed.suite, sealed.to, flipped), b"R-1/tax/1"), Words)
    assert Sealed.from_json(sealed.to_json()) == sealed
    assert PublicSealingKey.from_text(key.public.text).key_id == key.key_id


def test_a_key_file_is_0600_refused_when_open_to_others_and_never_overwritten(tmp_path) -> None:
    path = tmp_path / "keys" / "window.ed25519.pem"
    key = SigningKey.generate()
    write_private_key(path, key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert read_signing_key(path).key_id == key.key_id
    assert "already exists" in refusal(lambda: write_private_key(path, SigningKey.generate()))
    os.chmod(path, 0o644)
    assert "readable by other users" in refusal(lambda: read_signing_key(path))
    os.chmod(path, 0o600)
    assert "not an X25519" in refusal(lambda: read_sealing_key(path))
    assert "There is no key file" in refusal(lambda: read_signing_key(tmp_path / "missing.pem"))
    (tmp_path / "junk.pem").write_bytes(b"-----BEGIN PRIVATE KEY-----\nxx\n")
    os.chmod(tmp_path / "junk.pem", 0o600)
    assert "not a readable private key" in refusal(lambda: read_signing_key(tmp_path / "junk.pem"))


def refusal(action) -> str:
    with pytest.raises(KeyFileError) as caught:
        action()
    return caught.value.words.en


def test_demo_keys_are_the_same_everywhere_and_differ_per_name() -> None:
    assert demo_signing_key("department:tax").key_id == demo_signing_key("department:tax").key_id
    assert demo_signing_key("department:tax").key_id != demo_signing_key("department:hrss").key_id
    assert demo_sealing_key("department:tax").key_id != demo_sealing_key("department:hrss").key_id


def test_the_window_key_is_read_again_when_its_file_changes(tmp_path) -> None:
    # The key is kept between accepts, but never past a change to its file: replaced (rotation),
    # opened up to other users, or removed.
    from window_app.config import SHIPPED_CONFIG, load_settings
    from window_app.identity import replace_window_key, window_key_path, window_signing_key

    settings = load_settings(SHIPPED_CONFIG, environ={"WINDOW_APP_TRUST_KEYS_DIR": str(tmp_path / "keys")}, data_dir=str(tmp_path / "data"))
    first = window_signing_key(settings, "AB12")
    assert window_signing_key(settings, "AB12").key_id == first.key_id
    rotated = replace_window_key(settings, "AB12")
    assert window_signing_key(settings, "AB12").key_id == rotated.key_id != first.key_id
    path = window_key_path(settings, "AB12")
    os.chmod(path, 0o644)
    assert "readable by other users" in refusal(lambda: window_signing_key(settings, "AB12"))
    os.chmod(path, 0o600)
    path.unlink()
    assert "There is no key file" in refusal(lambda: window_signing_key(settings, "AB12", create=False))
