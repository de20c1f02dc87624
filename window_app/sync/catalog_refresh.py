"""Catalog refresh: ``GET /v1/catalog`` with ``If-None-Match``, validated, installed beside the data.

The exchange publishes the catalog windows should use. The window asks with the ETag it saw
last (``304``: nothing to do). A new one is written into a hidden temporary directory under
``<data dir>/catalogs/``, loaded with the real loader (every rule the shipped catalog obeys;
its digest must be the one announced), and only then renamed to
``<data dir>/catalogs/<version>-<digest8>/``: a directory there without a leading dot is a
complete, valid catalog. A broken download is removed and reported in words; the window keeps
the catalog it has.

New applications use the newest valid catalog (:func:`preferred_catalog_dir`: an installed one
whose version is newer than the shipped one). Applications in flight keep the version pinned in
their envelopes: nothing here touches the outbox.

This module imports no HTTP library at import time: :func:`preferred_catalog_dir` is on the
window's start-up path.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import window_app.catalog
from window_app.catalog.problems import CatalogError
from window_app.catalog.reading import shipped_catalog_path
from window_app.domain.words import NO_WORDS, Words, counted

if TYPE_CHECKING:
    from collections.abc import Callable

    from window_app.catalog import authority
    from window_app.config import Settings
    from window_app.sync.client import ExchangeClient

CATALOGS_DIRNAME = "catalogs"
MAX_CATALOG_BYTES = 64 * 1024 * 1024
MAX_CATALOG_FILES = 2000


@dataclass(frozen=True)
class CatalogRefresh:
    """What a refresh did.

    Attributes:
        status: ``unchanged`` (304, or the same digest), ``installed`` (a new catalog is ready
            for new applications), ``present`` (already installed earlier), ``invalid`` (the
            download does not validate: kept out), ``failed`` (the request failed).
        version / digest / path: Of the catalog received, when there was one.
        message: Words for the clerk (empty when there is nothing to tell).
    """

    status: str
    version: str = ""
    digest: str = ""
    path: str = ""
    message: Words = NO_WORDS


def catalogs_root(data_dir: str | os.PathLike[str]) -> Path:
    return Path(data_dir) / CATALOGS_DIRNAME


def version_key(version: str) -> tuple[tuple[int, Any], ...]:
    """A sortable key for a dotted version (``2026.11.2`` > ``2026.11.1`` > ``2026.9``)."""
    key = []
    for part in re.split(r"[.\-+]", version.strip()):
        key.append((1, int(part)) if part.isdigit() else (0, part))
    return tuple(key)


def catalog_version(root: Path) -> str | None:
    """The ``[catalog] version`` of a catalog directory, or ``None`` when it cannot be read."""
    try:
        data = tomllib.loads((root / "catalog.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    table = data.get("catalog")
    version = table.get("version") if isinstance(table, dict) else None
    return version if isinstance(version, str) else None


def installed_catalogs(data_dir: str | os.PathLike[str]) -> list[tuple[str, Path]]:
    """Installed catalogs as ``(version, path)``, oldest version first."""
    root = catalogs_root(data_dir)
    try:
        entries = list(root.iterdir())
    except OSError:
        return []
    found = []
    for path in entries:
        if path.name.startswith(".") or not path.is_dir():
            continue
        version = catalog_version(path)
        if version is not None:
            found.append((version, path))
    return sorted(found, key=lambda pair: (version_key(pair[0]), pair[1].name))


def preferred_catalog_dir(data_dir: str | os.PathLike[str], shipped: Path) -> Path:
    """The catalog new applications use: the newest installed one if its version is newer than
    the shipped catalog's, else the shipped one."""
    installed = installed_catalogs(data_dir)
    if not installed:
        return shipped
    version, path = installed[-1]
    shipped_version = catalog_version(shipped) or ""
    return path if version_key(version) > version_key(shipped_version) else shipped


def _safe_relative(name: str) -> PurePosixPath | None:
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name:
        return None
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("", ".", "..") or part.startswith(".") for part in path.parts):
        return None
    if re.match(r"^[A-Za-z]:", name):
        return None
    return path


def _directory_name(version: str, digest: str) -> str:
    safe_version = re.sub(r"[^A-Za-z0-9._-]", "_", version)[:40] or "catalog"
    return f"{safe_version}-{digest[:8]}"


def install_catalog(
    data_dir: str | os.PathLike[str], body: dict[str, Any], etag: str, trust: CatalogTrust | None = None
) -> CatalogRefresh:
    """Validate a ``GET /v1/catalog`` body with the real loader and install it (blocking).

    Nothing is written unless the catalog authority's signature over the body's name, version
    and digest holds (``trust``: the anchors and whether the demo authority counts), and the
    files match that digest.
    """
    authority = window_app.catalog.authority  # keys and signatures: only when a catalog arrives
    trust = trust or CatalogTrust(authority.authorities(), allow_demo=False)
    version = str(body.get("version") or "")
    digest = str(body.get("digest") or etag or "")
    problem = authority.signature_problem(
        body.get("signature"), str(body.get("name") or ""), version, digest, trust.authorities, allow_demo=trust.allow_demo
    )
    if problem:
        return _invalid(version, digest, problem)
    files = body.get("files")
    if not isinstance(files, dict) or not files or len(files) > MAX_CATALOG_FILES:
        return _invalid(version, digest, Words("文件列表为空或过大", "its file list is empty or too long"))
    root = catalogs_root(data_dir)
    target = root / _directory_name(version, digest)
    if target.is_dir():
        return CatalogRefresh(
            "present", version, digest, str(target), Words(f"目录 {version} 已安装", f"Catalog {version} is already installed")
        )
    total = 0
    for name, text in files.items():
        if _safe_relative(name) is None or not isinstance(text, str):
            return _invalid(version, digest, Words(f"文件名不安全：{name!r}", f"unsafe file name {name!r}"))
        total += len(text.encode("utf-8"))
    if total > MAX_CATALOG_BYTES:
        return _invalid(version, digest, Words("内容过大", "it is too large"))
    temp = root / f".incoming-{secrets.token_hex(6)}"
    try:
        temp.mkdir(parents=True)
        for name, text in files.items():
            path = temp / _safe_relative(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        try:
            catalog = window_app.catalog.loader.load_catalog(temp)
        except CatalogError as exc:
            problems = [str(problem) for problem in exc.problems]
            shown = "；".join(problems[:3]) + ("……" if len(problems) > 3 else "")
            return _invalid(
                version,
                digest,
                Words(f"{len(problems)} 个问题：{shown}", f"{counted(len(problems), 'problem')}: {'; '.join(problems[:3])}"),
            )
        if digest and catalog.digest != digest:
            return _invalid(version, digest, Words("文件内容与公布的摘要不符", "the files do not match the announced digest"))
        if catalog.version != version:
            return _invalid(version, digest, Words("版本号与内容不符", "the version does not match its catalog.toml"))
        (temp / authority.SIGNATURE_FILE).write_text(json.dumps(body["signature"], ensure_ascii=False), encoding="utf-8")
        try:
            os.replace(temp, target)
        except OSError:
            if target.is_dir():  # another process installed it meanwhile
                return CatalogRefresh("present", version, digest, str(target))
            raise
    except OSError as exc:
        return CatalogRefresh(
            "failed",
            version,
            digest,
            message=Words(
                f"新目录 {version} 无法写入磁盘（{exc.strerror or exc}），继续使用当前目录",
                f"The new catalog {version} could not be written ({exc.strerror or exc}); keeping the current one",
            ),
        )
    finally:
        if temp.exists():
            shutil.rmtree(temp, ignore_errors=True)
    return CatalogRefresh(
        "installed",
        version,
        catalog.digest,
        str(target),
        Words(f"已下载新目录 {version}，新受理的办件将使用它", f"Downloaded catalog {version}; new applications will use it"),
    )


def _invalid(version: str, digest: str, why: Words) -> CatalogRefresh:
    return CatalogRefresh(
        "invalid",
        version,
        digest,
        message=Words(
            "交换平台下发的目录 {version} 校验未通过（{why}），继续使用当前目录",
            "The catalog {version} from the exchange does not validate ({why}); keeping the current one",
        ).format(version=version, why=why),
    )


@dataclass(frozen=True)
class CatalogTrust:
    """Whom a window believes about catalogs: the shipped authorities, and whether the demo one counts."""

    authorities: tuple[authority.Authority, ...]
    allow_demo: bool

    @classmethod
    def of(cls, settings: Settings) -> CatalogTrust:
        authority = window_app.catalog.authority
        anchors = Path(settings.trust.authorities).expanduser() if settings.trust.authorities else authority.AUTHORITIES_FILE
        return cls(authority.authorities(anchors), allow_demo=authority.trusts_demo(settings))


async def refresh_catalog(
    client: ExchangeClient, data_dir: str | os.PathLike[str], etag: str | None, trust: CatalogTrust | None = None
) -> CatalogRefresh:
    """Ask the exchange for its catalog (``If-None-Match: etag``) and install a new one.

    Raises:
        window_app.sync.client.TransportFailure: The request failed.
    """
    status, new_etag, body = await client.fetch_catalog(etag)
    if status == 304 or body is None:
        return CatalogRefresh("unchanged", digest=new_etag or etag or "")
    if etag and str(body.get("digest") or new_etag) == etag:
        return CatalogRefresh("unchanged", str(body.get("version") or ""), etag)
    # Loading validates every rule: seconds of CPU for a big catalog, off the event loop.
    return await asyncio.to_thread(install_catalog, data_dir, body, new_etag, trust)


def catalog_dir(settings: Settings) -> Path:
    """The catalog directory a window uses: ``[catalog] path``; else the newest catalog the sync
    engine downloaded and validated into ``<data dir>/catalogs/`` when its version is newer than
    the shipped one; else the shipped catalog."""
    if settings.catalog.path:
        return Path(settings.catalog.path).expanduser()
    return preferred_catalog_dir(settings.data_dir, shipped_catalog_path())


def load_preferred_catalog(settings: Settings, load: Callable[[Path], Any] | None = None) -> Any:
    """The catalog a window opens with: :func:`catalog_dir`, falling back to the shipped
    catalog if a downloaded one no longer loads (a damaged disk must not stop the window).

    Args:
        load: Reads one catalog directory (default :func:`window_app.catalog.loader.load_catalog`;
            the window passes :func:`window_app.catalog.cache.cached_catalog` on its database).

    Raises:
        window_app.catalog.loader.CatalogError: ``[catalog] path`` or the shipped catalog is broken.
    """
    if load is None:
        load = window_app.catalog.loader.load_catalog

    path = catalog_dir(settings)
    try:
        return load(path)
    except CatalogError:
        if settings.catalog.path or path == shipped_catalog_path():
            raise
        return load(shipped_catalog_path())
