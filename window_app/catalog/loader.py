"""Load and validate a catalog directory (``docs/catalog-format.md``).

The catalog is read once at every start, so loading is only ``tomllib`` plus dataclass
construction and a handful of dictionary look-ups. Validation never stops at the first
problem: a data author fixing a catalog wants the whole list, each problem naming the file,
the entry and what is wrong (``items/tax.toml: item tax_registration: unknown department 'taxx'``).

Reading happens in two passes:

1. each file on its own: TOML syntax, required keys, types, unknown keys (typos), rules that
   need only the entry itself (``promised_days`` above ``time_limit_days``, a ``default`` not
   among the options …), duplicate ids;
2. cross-references once everything is read: unknown departments, materials, fields, items,
   questions and regions, region parents, prerequisite cycles, lead departments, and an item
   no office of its department serves where its bundle is offered.

This module is the entry point; the work is done by its neighbours:

- :mod:`~window_app.catalog.problems`: :class:`CatalogProblem`, :class:`CatalogError`;
- :mod:`~window_app.catalog.reading`: which files belong, their TOML, the digest;
- :mod:`~window_app.catalog.table`: one TOML table read with typed, reporting getters;
- :mod:`~window_app.catalog.entries`, :mod:`~window_app.catalog.offices`, :mod:`~window_app.catalog.items`,
  :mod:`~window_app.catalog.bundles`: each kind of entry into its dataclass (pass 1);
- :mod:`~window_app.catalog.references`: the checks across entries (pass 2);
- :mod:`~window_app.catalog.partial`: what pass 1 hands to pass 2.
"""

from __future__ import annotations

from pathlib import Path

from window_app.catalog.bundles import read_bundle
from window_app.catalog.entries import read_catalog_table, read_department, read_field, read_material, read_region
from window_app.catalog.items import read_item
from window_app.catalog.offices import read_office
from window_app.catalog.partial import PartialCatalog
from window_app.catalog.problems import CatalogError, CatalogProblem
from window_app.catalog.reading import parse_source, read_document, read_sources, shipped_catalog_path
from window_app.catalog.references import check_references
from window_app.domain.catalog import Catalog

__all__ = ["CatalogError", "CatalogProblem", "load_catalog", "shipped_catalog_path", "validate_catalog_dir"]

# Entry kind → its reader, in reading order: items before bundles and references last, so
# every id is known when it is looked up.
READERS = {
    "catalog": read_catalog_table,
    "region": read_region,
    "department": read_department,
    "office": read_office,
    "material": read_material,
    "field": read_field,
    "item": read_item,
    "bundle": read_bundle,
}


def validate_catalog_dir(path: str | Path) -> list[CatalogProblem]:
    """Every problem of the catalog in ``path``; an empty list means it loads."""
    _catalog, problems = _read_catalog(Path(path))
    return problems


def load_catalog(path: str | Path) -> Catalog:
    """Read and validate the catalog in ``path``.

    Raises:
        CatalogError: With every problem found, not only the first.
    """
    catalog, problems = _read_catalog(Path(path))
    if problems:
        raise CatalogError(problems)
    return catalog


def _read_catalog(root: Path) -> tuple[Catalog, list[CatalogProblem]]:
    partial = PartialCatalog()
    sources, digest = read_sources(root, partial)
    order = list(READERS)
    for rel, kind, data in sorted(sources, key=lambda s: (order.index(s[1]), s[0])):
        document = parse_source(rel, kind, data, partial)
        if document is not None:
            read_document(rel, kind, document, READERS[kind], partial)
        del document  # one file's tables in memory at a time
    check_references(partial)
    catalog = Catalog(
        version=partial.version,
        name=partial.name,
        regions=partial.regions,
        departments=partial.departments,
        materials=partial.materials,
        fields=partial.fields,
        items=partial.items,
        bundles=partial.bundles,
        digest=digest,
        source=str(root),
        offices=partial.offices,
    )
    problems = sorted(partial.problems, key=lambda p: p.file)  # stable: keeps order within a file
    return catalog, problems
