"""The catalog the exchange publishes to windows (``GET /v1/catalog``).

The body is built once at start: the catalog's version and digest, and the text of every file
the digest covers (the same walk as :mod:`window_app.catalog.reading`: every regular file below
the directory, hidden files and caches skipped), so a window can write the files out, load
them with the same loader and get the same digest, and the catalog authority's signature over
that digest (:mod:`window_app.catalog.authority`), which a window checks before it installs
anything. The ``ETag`` is the digest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from window_app.catalog.authority import message, read_signature
from window_app.catalog.reading import catalog_files
from window_app.domain.catalog import Catalog
from window_app.trust.demo import demo_signing_key
from window_app.trust.signing import sign


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


def publish(catalog: Catalog, root: str | Path, *, demo: bool = False) -> PublishedCatalog:
    """The answer for ``catalog``, loaded from the directory ``root``, with its authority's
    signature (``.signature.json``); a demo exchange signs an unsigned catalog with the demo
    authority's key (which only a window set up for the demo trusts).

    Raises:
        OSError, UnicodeDecodeError: A file cannot be read as UTF-8 text.
    """
    root = Path(root)
    files = {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8") for path in catalog_files(root)}
    signed = read_signature(root)
    if demo and (signed is None or signed.get("digest") != catalog.digest):
        key = demo_signing_key("authority")
        signed = {"catalog": catalog.name, "version": catalog.version, "digest": catalog.digest,
                  "signature": sign(key, message(catalog.name, catalog.version, catalog.digest)).to_json()}
    body = {"version": catalog.version, "name": catalog.name, "digest": catalog.digest, "files": files, "signature": signed}
    encoded = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return PublishedCatalog(catalog=catalog, body=encoded, etag=f'"{catalog.digest}"')
