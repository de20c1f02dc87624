"""The catalog the exchange publishes to windows (``GET /v1/catalog``).

The body is built once at start: the catalog's version and digest, and the text of every file
the digest covers (the same walk as :mod:`window_app.catalog.reading`: every regular file below
the directory, hidden files and caches skipped), so a window can write the files out, load
them with the same loader and get the same digest. The ``ETag`` is the digest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from window_app.catalog.reading import catalog_files
from window_app.domain.catalog import Catalog


@dataclass(frozen=True)
class PublishedCatalog:
    """The catalog endpoint's answer, ready to send."""

    catalog: Catalog
    body: bytes
    etag: str  # quoted, as in the header

    def matches(self, if_none_match: str | None) -> bool:
        """Whether an ``If-None-Match`` header names the current version (→ 304)."""
        if not if_none_match:
            return False
        candidates = [tag.strip() for tag in if_none_match.split(",")]
        return any(tag == "*" or tag.removeprefix("W/") == self.etag for tag in candidates)


def publish(catalog: Catalog, root: str | Path) -> PublishedCatalog:
    """The answer for ``catalog``, loaded from the directory ``root``.

    Raises:
        OSError, UnicodeDecodeError: A file cannot be read as UTF-8 text.
    """
    root = Path(root)
    files = {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8") for path in catalog_files(root)}
    body = {"version": catalog.version, "name": catalog.name, "digest": catalog.digest, "files": files}
    encoded = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return PublishedCatalog(catalog=catalog, body=encoded, etag=f'"{catalog.digest}"')
