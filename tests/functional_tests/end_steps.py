"""Intakes for the screen tests of the last steps (checklist, form, review) and what follows.

The 二手房转移登记 bundle (house_transfer) is the paper's own example: the buyer's ID card is
needed by four departments and asked once. :func:`house_transfer` builds it as far as asked:
applicant only, with materials recorded, and with the unified form filled in.
"""

from __future__ import annotations

from tests.fact_answers import answered_intake
from window_app.domain.identifiers import resident_id_check_char
from window_app.domain.intake import Intake, MaterialStatus, Person


def resident_id(first17: str) -> str:
    """A resident ID number with its GB 11643 check character."""
    return first17 + resident_id_check_char(first17)


BUYER = Person(name="王建国", id_number=resident_id("52232519850315123"), phone="13985912345")
SELLER_ID = resident_id("52232319700101456")
BROKEN_ID = BUYER.id_number[:-1] + ("1" if BUYER.id_number[-1] != "1" else "2")  # wrong check character

HOUSE_FIELDS = {
    "seller_name": "李秀兰",
    "seller_id_number": SELLER_ID,
    "house_location": "贞丰县珉谷街道龙场路88号3栋2单元501号",
    "house_area": "98.6",
    "house_use": "residential",
    "transaction_price": "56",
    "first_home": "true",
    "property_certificate_number": "黔（2021）贞丰县不动产权第0001234号",
    "electricity_account": "5200123456",
    "water_account": "ZF08812",
}


def house_transfer(window, *, materials: bool = False, fields: bool = False) -> Intake:
    """A house transfer intake for the buyer 王建国, at the stage the flags say."""
    intake = answered_intake(window, "house_transfer")
    intake.applicant.kind = "person"
    intake.applicant.person = Person(BUYER.name, BUYER.id_number, BUYER.phone)
    if materials:
        for line in window.guide(intake).checklist.lines:
            state = "shared" if line.material.shareable else "original"
            intake.materials[line.material.id] = MaterialStatus(state=state)
    if fields:
        intake.fields.update(HOUSE_FIELDS)
    return intake
