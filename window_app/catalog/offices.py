"""Reading ``offices/*.toml``: each department kind's bodies per region (``[[office]]``).

An office's id is ``<department>-<region>`` (``tax-522325``), or ``<department>-<region>-<name>``
where one region has several offices of a department (the banks of a county, chosen by the
applicant): the id says what it is, and is safe in file names (its key files at the department)
and URLs (the exchange's inbox of it). The checks across entries (its department and region
exist, every offered item is served) are in :mod:`window_app.catalog.office_checks`.
"""

from __future__ import annotations

import re

from window_app.catalog.entries import public_key
from window_app.catalog.partial import Origin, PartialCatalog
from window_app.catalog.table import Table, entry_label
from window_app.catalog.values import show
from window_app.domain.catalog import Office
from window_app.trust.keys import PublicSealingKey, PublicSigningKey

OFFICE_ID_PATTERN = re.compile(r"^(?P<department>[a-z][a-z0-9_]*)-(?P<region>[0-9]{6})(?:-[a-z0-9_]+)?$")


def read_office(rel: str, data: dict, partial: PartialCatalog, position: int) -> None:
    table = Table(data, rel, entry_label("office", data, "id", position), partial)
    office_id = table.text("id", required=True)
    department = table.text("department", required=True)
    region = table.text("region", required=True)
    office = Office(
        id=office_id,
        department=department,
        name=table.words("name"),
        region=region,
        signing_key=public_key(table, "signing_key", PublicSigningKey.from_text),
        sealing_key=public_key(table, "sealing_key", PublicSealingKey.from_text),
    )
    table.finish()
    if office_id:
        matched = OFFICE_ID_PATTERN.match(office_id)
        if matched is None:
            table.problem(
                f"'id' {show(office_id)} is not an office id: <department>-<region code>, with -<name> "
                "after it where a region has several (tax-522325, bank-522325-abc)"
            )
        elif department and region and (matched["department"], matched["region"]) != (department, region):
            table.problem(f"'id' {show(office_id)} does not start with its department and region: '{department}-{region}'")
    if partial.register("office", office_id, "office", Origin(rel, table.entry)):
        partial.offices[office_id] = office
