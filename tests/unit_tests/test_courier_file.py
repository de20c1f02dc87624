"""The courier's container (window_app/trust/courier_file.py): what a reader accepts, what it
refuses in words, and that only the key the reader chose makes a signature hold."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from window_app.domain.words import Words
from window_app.trust import courier_file
from window_app.trust.demo import demo_signing_key

KEY = demo_signing_key("courier-test")
OTHER = demo_signing_key("someone-else")
FIELDS = {"purpose": courier_file.OUTBOUND, "window_id": "ZF-01", "file_id": "f1", "sequence": 1, "created_at": "2026-11-23T01:00:00Z"}
ENTRIES = [{"type": "envelope", "envelope": {"payload": "密文"}}, {"type": "audit_head", "head": {"seq": 3}}]


def test_a_file_written_whole_reads_back_with_its_entries_and_only_its_key_signs_it(tmp_path: Path) -> None:
    path = tmp_path / "f.courier"
    courier_file.write_whole(path, courier_file.encode(FIELDS, ENTRIES, KEY))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["f.courier"]  # no temporary file left
    read = courier_file.decode(path.read_bytes(), courier_file.OUTBOUND)
    assert not isinstance(read, Words)
    assert read.entries == ENTRIES and read.manifest["total"] == 2 and read.of_type("audit_head") == [ENTRIES[1]]
    assert courier_file.verify_manifest(read, KEY.public) is None
    assert courier_file.verify_manifest(read, OTHER.public) is not None


def test_damage_of_every_kind_is_said_in_words() -> None:
    data = courier_file.encode(FIELDS, ENTRIES, KEY)
    manifest, first, second, _ = data.split(b"\n")
    cases = {
        "truncated": data[:-5],
        "an entry gone": b"\n".join([manifest, first]) + b"\n",
        "entries swapped": b"\n".join([manifest, second, first]) + b"\n",
        "an entry changed": b"\n".join([manifest, first.replace("密文".encode(), "明文".encode()), second]) + b"\n",
        "not a courier file": b"hello\n",
        "empty": b"",
    }
    for what, damaged in cases.items():
        problem = courier_file.decode(damaged, courier_file.OUTBOUND)
        assert isinstance(problem, Words), what
        assert problem.zh and problem.en, what
    assert isinstance(courier_file.decode(data, courier_file.ANSWER), Words)  # the other kind of file


def test_a_manifest_edited_after_signing_no_longer_verifies() -> None:
    data = courier_file.encode(FIELDS, ENTRIES, KEY)
    manifest, rest = data.split(b"\n", 1)
    edited = json.loads(manifest)
    edited["sequence"] = 99  # a replay dressed up as a newer file
    read = courier_file.decode(json.dumps(edited, ensure_ascii=False).encode() + b"\n" + rest, courier_file.OUTBOUND)
    assert not isinstance(read, Words)
    problem = courier_file.verify_manifest(read, KEY.public)
    assert problem is not None and problem.en
