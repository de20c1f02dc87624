"""Department names as a window in a given region may honestly show them.

The shipped catalog names the bodies of one county (贞丰县卫生健康局); the same department id
stands for the body of whichever region a window dispatches from, and the exchange routes each
part to the local body. Until departments are resolved per region (a catalog of every county's
bodies), a window elsewhere (兴义市) must not print another county's body on a receipt: it
shows 属地卫健部门 ("the local Health office"), built from the department's short name. A
department without a ``region`` (the bank the applicant chooses) keeps its name everywhere.
"""

from __future__ import annotations

import dataclasses

from window_app.domain.catalog import Catalog, Department
from window_app.domain.words import Words


def as_seen_from(catalog: Catalog, region: str) -> Catalog:
    """``catalog`` with the names of departments of other regions made local; itself when none is."""
    local = {
        department_id: local_department(department)
        for department_id, department in catalog.departments.items()
        if department.region and not _within(catalog, region, department.region)
    }
    if not local:
        return catalog
    return dataclasses.replace(catalog, departments={**catalog.departments, **local})


def local_department(department: Department) -> Department:
    """The department named as the local body of its kind: 属地卫健部门 / the local Health office."""
    short = department.short_name or department.name
    name = Words("属地{s}部门", "the local {s} office").format(s=short)
    return dataclasses.replace(department, name=name, region="")


def routed_locally(department: Department) -> bool:
    """Whether ``department`` is named as the local body (the exchange routes its part)."""
    return department.name == local_department(department).name


def _within(catalog: Catalog, window_region: str, department_region: str) -> bool:
    """Whether the body of ``department_region`` serves a window in ``window_region`` (the same
    region, or one below it: a window of a 贞丰县 township)."""
    return department_region in catalog.region_chain(window_region)
