"""A catalog a window downloads is installed only when a trusted catalog authority signed it."""

from __future__ import annotations

from pathlib import Path

from window_app.catalog.authority import authorities, message, trusts_demo
from window_app.catalog.loader import load_catalog, shipped_catalog_path
from window_app.config import SHIPPED_CONFIG, load_settings
from window_app.sync.catalog_refresh import CatalogTrust, install_catalog
from window_app.trust.demo import demo_signing_key
from window_app.trust.keys import SigningKey
from window_app.trust.signing import sign

SHIPPED = shipped_catalog_path()


def body_signed_by(key: SigningKey | None, **changes: str) -> dict:
    catalog = load_catalog(SHIPPED)
    files = {p.relative_to(SHIPPED).as_posix(): p.read_text(encoding="utf-8") for p in sorted(SHIPPED.rglob("*.toml"))}
    body = {"version": catalog.version, "name": catalog.name, "digest": catalog.digest, "files": files}
    body.update(changes)
    if key is not None:
        signed = sign(key, message(catalog.name, catalog.version, catalog.digest))
        body["signature"] = {"catalog": catalog.name, "version": catalog.version, "digest": catalog.digest, "signature": signed.to_json()}
    return body


def anchors_with(tmp_path: Path, key: SigningKey) -> CatalogTrust:
    path = tmp_path / "authorities.toml"
    path.write_text(f'[[authority]]\nname = "贵州省政务服务目录签发"\nkey = "{key.public.text}"\n', encoding="utf-8")
    return CatalogTrust(authorities(path), allow_demo=False)


def test_only_a_trusted_authoritys_signature_installs_a_catalog(tmp_path) -> None:
    province = SigningKey.generate()
    trust = anchors_with(tmp_path, province)
    unsigned = install_catalog(tmp_path / "a", body_signed_by(None), "", trust)
    assert unsigned.status == "invalid" and "not signed by a catalog authority" in unsigned.message.en
    stranger = install_catalog(tmp_path / "b", body_signed_by(SigningKey.generate()), "", trust)
    assert stranger.status == "invalid" and "not a trusted catalog authority" in stranger.message.en
    relabelled = install_catalog(tmp_path / "c", body_signed_by(province, version="9999.1"), "", trust)
    assert relabelled.status == "invalid" and "does not hold" in relabelled.message.en
    good = install_catalog(tmp_path / "d", body_signed_by(province), "", trust)
    assert good.status == "installed" and (Path(good.path) / ".signature.json").is_file()
    assert not list((tmp_path / "a").rglob("*.toml")) and not list((tmp_path / "b").rglob("*.toml"))


def test_the_demo_authority_counts_only_for_a_demo_window_on_the_loopback(tmp_path) -> None:
    demo_body = body_signed_by(demo_signing_key("authority"))
    assert install_catalog(tmp_path / "a", demo_body, "", CatalogTrust(authorities(), allow_demo=False)).status == "invalid"
    assert install_catalog(tmp_path / "b", demo_body, "", CatalogTrust(authorities(), allow_demo=True)).status == "installed"

    def settings(**environ: str):
        return load_settings(SHIPPED_CONFIG, environ=environ, data_dir=str(tmp_path / "data"))

    assert trusts_demo(settings())  # the package default: the demo on one machine
    assert not trusts_demo(settings(WINDOW_APP_EXCHANGE_URL="http://10.52.0.7:8700"))
    assert not trusts_demo(settings(WINDOW_APP_TRUST_DEMO="false"))


def test_file_names_cannot_escape_the_catalog_directory_even_when_signed(tmp_path) -> None:
    province = SigningKey.generate()
    trust = anchors_with(tmp_path, province)
    for name in ("../evil.toml", "/etc/passwd", "items/../../x.toml", ".hidden/catalog.toml", "a\\b.toml"):
        body = body_signed_by(province)
        body["files"] = {name: "x"}
        assert install_catalog(tmp_path / "data", body, "", trust).status == "invalid", name
    assert not (tmp_path / "evil.toml").exists()
