"""The key facts of a case: what tells one application of a bundle from another on paper.

A receipt for a house transfer names the house (房屋坐落), a newborn's the child, a survey's
the project: the applicant checks at a glance that the slip is for their case, and a clerk
finding it later knows which case it was.
"""

from __future__ import annotations

from window_app.domain.catalog import Catalog
from window_app.domain.intake import Intake
from window_app.domain.words import tr

KEY_FIELDS: tuple[str, ...] = (
    "house_location",  # 房屋坐落
    "child_name",
    "deceased_name",
    "project_name",
    "project_location",
    "business_address",
    "remote_destination",
    "disease_name",
)
"""The catalog's form fields that are key facts, in the order they are printed (at most
:data:`MOST`); a bundle's fields not named here are not printed."""

MOST = 3


def key_facts(intake: Intake, catalog: Catalog) -> list[tuple[str, str]]:
    """The case's key facts as (label, value), labels in the interface language.

    An enterprise's name comes first for an enterprise applicant (企业名称); then the form's
    key fields that hold a value.
    """
    facts: list[tuple[str, str]] = []
    applicant = intake.applicant
    if applicant.kind == "enterprise" and applicant.enterprise.name:
        facts.append((_label(catalog, "enterprise_name", "企业名称", "Enterprise"), applicant.enterprise.name))
    for field_id in KEY_FIELDS:
        value = str(intake.fields.get(field_id, "") or "").strip()
        if value:
            facts.append((_label(catalog, field_id, field_id, field_id), value))
    return facts[:MOST]


def _label(catalog: Catalog, field_id: str, zh: str, en: str) -> str:
    field = catalog.fields.get(field_id)
    if field is not None:
        return str(field.label)
    return tr(zh, en)
