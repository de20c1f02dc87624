"""config.toml → typed settings; every key overridable from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from window_app.config import SHIPPED_CONFIG, ConfigError, load_settings


def test_shipped_config_places_the_window_at_zhenfeng() -> None:
    settings = load_settings(SHIPPED_CONFIG, environ={})
    assert settings.window.region == "522325"
    assert settings.window.centre == "贞丰县政务服务中心"
    assert settings.window.language == "zh"


def test_environment_overrides_every_section(tmp_path: Path) -> None:
    environ = {
        "WINDOW_APP_WINDOW_REGION": "522323",
        "WINDOW_APP_EXCHANGE_URL": "http://10.1.2.3:9000",
        "WINDOW_APP_SYNC_BATCH_SIZE": "20",
        "WINDOW_APP_SYNC_ENABLED": "false",
        "WINDOW_APP_STORAGE_DATA_DIR": str(tmp_path),
        "WINDOW_APP_DEPARTMENTS_POWER_GRID_URL": "https://grid.example/window",
    }
    settings = load_settings(SHIPPED_CONFIG, environ=environ)
    assert settings.window.region == "522323"
    assert settings.exchange.url == "http://10.1.2.3:9000"
    assert settings.sync.batch_size == 20
    assert settings.sync.enabled is False
    assert settings.database_path == tmp_path / "window.sqlite"
    assert settings.departments["power_grid"].url == "https://grid.example/window"


def test_data_dir_option_wins(tmp_path: Path) -> None:
    settings = load_settings(
        SHIPPED_CONFIG, environ={"WINDOW_APP_STORAGE_DATA_DIR": "/elsewhere"}, data_dir=str(tmp_path)
    )
    assert settings.data_dir == tmp_path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[window]\nregion = 522325\n", "[window] region: expected a string"),
        ("[window]\nregion = '52232'\n", "six-digit"),
        ("[window]\nregoin = '522325'\n", "unknown key(s) regoin"),
        ("[windows]\n", "unknown section(s) windows"),
        ("[window\n", "not valid TOML"),
        ("[sync]\nbatch_size = 0\n", "batch_size 0"),
        ("[exchange]\nurl = 'ftp://x'\n", "[exchange] url"),
    ],
)
def test_bad_config_names_file_key_and_reason(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


def test_bad_environment_value_is_named() -> None:
    with pytest.raises(ConfigError, match=r"\$WINDOW_APP_SYNC_BATCH_SIZE: expected an integer"):
        load_settings(SHIPPED_CONFIG, environ={"WINDOW_APP_SYNC_BATCH_SIZE": "many"})


def test_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_catalog_dir_is_the_configured_path_else_the_shipped_catalog(tmp_path: Path) -> None:
    from window_app.catalog.loader import shipped_catalog_path

    assert load_settings(SHIPPED_CONFIG, environ={}).catalog_dir == shipped_catalog_path()
    settings = load_settings(SHIPPED_CONFIG, environ={"WINDOW_APP_CATALOG_PATH": str(tmp_path / "catalog")})
    assert settings.catalog_dir == tmp_path / "catalog"
