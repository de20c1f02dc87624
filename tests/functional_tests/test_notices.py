"""Every notice of every shipped example, written as the applicant gets it and read back.

Each example (examples/applications/*.json) is accepted with ``Window.accept``; its receipt (A4
and the 80 mm roll), its one-time notice, and — after a department's decisions stored as the
sync engine stores them (``offline_cache.progress.put_decision``; a real exchange would need the
departments' signing keys for every example) — its supplement notice, the supplement receipt
(after ``Window.supply_material``), the refusal, and the handover list where it has class-3
items, are rendered and turned back into text with ``pdftotext``: what a person checks on the
paper must be there. One receipt is turned into an image and its QR code decoded with
``zbarimg``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from offline_cache import outbox as outbox_store
from offline_cache import progress
from offline_cache.sync_state import write_transaction
from window_app.accepting import window_signer
from window_app.domain.progress import ItemDecision
from window_app.intake.io import parse_intake
from window_app.notices.facts import key_facts
from window_app.notices.model import NOTICE_KINDS, NoticeUnavailable
from window_app.receipt import department_name, format_date, mask_id_number
from window_app.sync.decisions import record_delivered
from window_app.window import Window

EXAMPLES = sorted((Path(__file__).parents[2] / "examples" / "applications").glob("*.json"))
ON_THE_ROLL = {"house_transfer", "newborn", "business_startup"}  # also printed at 80 mm (a render costs a font parse)


def compact(text: str) -> str:
    """Text without white space: a value wrapped across lines still reads as one."""
    return re.sub(r"\s", "", text)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def example(path: Path):
    intake, problems = parse_intake(json.loads(path.read_text("utf-8")))
    assert not problems
    return intake


def written(window: Window, notice, tmp_path: Path, name: str) -> str:
    rendered = window.write_notice(notice, tmp_path / name)
    assert rendered.is_pdf and rendered.path.exists() and rendered.pages >= 1 and not rendered.note
    return compact(pdf_text(rendered.path))


def decide(window: Window, receipt_no: str, decision: str, **extra: str) -> ItemDecision:
    """The first part's first item decided by its department, stored as the sync engine does."""
    part = progress.parts_of(window.db, receipt_no)[0]
    stored = ItemDecision(
        receipt_no=receipt_no, item=part.items[0], department=part.department, stage=part.stage, decision=decision,
        decided_by="审查员 王某", decided_at="2026-11-28T10:15:00+08:00", endpoint="exchange", event_seq=1, **extra,
    )
    with write_transaction(window.db):
        progress.put_decision(window.db, stored)
    return stored


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_notice_of_every_example_says_what_the_applicant_checks(window: Window, tmp_path: Path, path: Path) -> None:
    intake = example(path)
    catalog = window.catalog
    one_time = written(window, window.one_time_notice(intake), tmp_path, "one-time")
    assert compact(str(NOTICE_KINDS["one-time"])) in one_time
    guide = window.guide(intake)
    for line in guide.checklist.lines:
        assert compact(str(line.material.name)) in one_time
    receipt_no = window.accept(intake).receipt_no
    detail = window.application(receipt_no)
    person = detail.intake.applicant.person
    facts = [value for _, value in key_facts(detail.intake, catalog)]
    offices = {department_name(catalog, part.department) for part in detail.summary.parts}
    promised = format_date(dt.date.fromisoformat(detail.promised_by))
    for paper in ("a4", "80mm") if path.stem in ON_THE_ROLL else ("a4",):
        window.settings = replace(window.settings, print=replace(window.settings.print, paper=paper))
        text = written(window, window.notice("receipt", receipt_no), tmp_path, f"receipt-{paper}")
        assert receipt_no in text and compact(promised) in text
        assert compact(detail.tracking_code[:4] + "-" + detail.tracking_code[4:]) in text
        if detail.intake.applicant.kind == "person":
            assert person.name in text and mask_id_number(person.id_number) in text
            assert person.id_number not in text  # masked, never whole
        else:
            assert compact(detail.intake.applicant.enterprise.name) in text
        for fact in facts:
            assert compact(fact) in text
        for office in offices:
            assert compact(office) in text

    # A department asks for a material (补正) …
    part = progress.parts_of(window.db, receipt_no)[0]
    row = outbox_store.get_row(window.db, part.envelope_id)
    with write_transaction(window.db):
        record_delivered(window.db, row, now="2026-11-28T09:00:00+08:00", received_at="2026-11-28T09:00:00+08:00",
                         signer=window_signer(window.db, catalog, window.settings))
    material = json.loads(row.payload).get("material_ids", [None])[0]
    asked = decide(window, receipt_no, "supplement_needed", reason="复印件不清晰，请提交原件", material=material or "")
    text = written(window, window.notice("supplement", receipt_no), tmp_path, "supplement")
    assert receipt_no in text and "复印件不清晰，请提交原件" in text
    assert compact(department_name(catalog, asked.department)) in text
    if material:
        assert compact(str(catalog.materials[material].name)) in text
        # … the applicant brings it, and takes a receipt for it home.
        window.supply_material(receipt_no, asked.department, material, "original")
        text = written(window, window.notice("supplement-received", receipt_no), tmp_path, "supplement-received")
        assert receipt_no in text and compact(str(catalog.materials[material].name)) in text and "原件" in text
    # A department refuses: the notice gives its reason.
    refused = decide(window, receipt_no, "rejected", reason="申请人不符合法定条件")
    text = written(window, window.notice("refusal", receipt_no), tmp_path, "refusal")
    assert "申请人不符合法定条件" in text and compact(str(catalog.items[refused.item].name)) in text
    assert "行政复议" in text
    handovers = window.handovers(receipt_no)
    if handovers:
        text = written(window, window.notice("handover", receipt_no), tmp_path, "handover")
        for handover in handovers:
            assert compact(handover.department_name) in text
            for handed in handover.materials:
                assert compact(handed.name) in text
    else:
        with pytest.raises(NoticeUnavailable):
            window.notice("handover", receipt_no)


def test_a_new_application_has_nothing_to_supplement_refuse_or_acknowledge(window: Window) -> None:
    receipt_no = window.accept(example(EXAMPLES[0])).receipt_no
    for kind in ("supplement", "supplement-received", "refusal"):
        with pytest.raises(NoticeUnavailable) as nothing:
            window.notice(kind, receipt_no)
        assert receipt_no in nothing.value.details
    with pytest.raises(NoticeUnavailable):
        window.notice("certificate", receipt_no)


def test_the_receipts_qr_code_reads_back_as_the_tracking_link(window: Window, tmp_path: Path) -> None:
    receipt_no = window.accept(example(EXAMPLES[0])).receipt_no
    rendered = window.write_notice(window.notice("receipt", receipt_no), tmp_path / "receipt")
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(rendered.path), str(tmp_path / "page")], check=True)
    image = next(tmp_path.glob("page*.png"))
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True, check=True).stdout
    assert decoded.strip() == window.tracking_link(window.application(receipt_no))
    assert decoded.strip().startswith(f"http://127.0.0.1:8700/t/{receipt_no}?c=")


def test_without_a_chinese_font_the_notice_is_html_and_says_so(window: Window, tmp_path: Path) -> None:
    receipt_no = window.accept(example(EXAMPLES[0])).receipt_no
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    rendered = window.write_notice(window.notice("receipt", receipt_no), tmp_path / "receipt", font_dirs=[empty])
    assert rendered.path.suffix == ".html" and not rendered.is_pdf
    assert "中文字体" in rendered.note.zh and "HTML" in rendered.note.en
    html = rendered.path.read_text("utf-8")
    assert receipt_no in html and "<svg" in html and "受理回执" in html


def test_the_paper_is_in_chinese_while_the_clerk_reads_english_and_only_the_clerk_may_read_it(
    window: Window, tmp_path: Path
) -> None:
    from window_app.domain.words import language, set_language

    receipt_no = window.accept(example(EXAMPLES[0])).receipt_no
    set_language("en")  # the clerk switched the screens to English (F2)
    try:
        rendered = window.write_notice(window.notice("receipt", receipt_no), tmp_path / "receipt")
        assert language() == "en"  # the screens stay English
        window.settings = replace(window.settings, print=replace(window.settings.print, language=""))
        followed = window.write_notice(window.notice("receipt", receipt_no), tmp_path / "receipt-en")
    finally:
        set_language("zh")
    text = compact(pdf_text(rendered.path))
    assert "受理回执" in text and "扫码查询办理进度" in text and "AcceptanceReceipt" not in text
    assert "AcceptanceReceipt" in compact(pdf_text(followed.path))  # [print] language = "": the interface's
    assert rendered.path.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left
