"""config.toml → typed settings; every key overridable from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

import window_app
from window_app.config import (
    SHIPPED_CONFIG,
    ConfigError,
    config_candidates,
    find_config_file,
    load_settings,
    user_config_file,
)
from window_app.sync.catalog_refresh import catalog_dir


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
        ("[window]\nregoin = '522325'\n", "unknown key regoin"),
        ("[windows]\n", "unknown section windows"),
        ("[window\n", "not valid TOML"),
        ("[sync]\nbatch_size = 0\n", "batch_size 0"),
        ("[exchange]\nurl = 'ftp://x'\n", "[exchange] url"),
        ("[tracking]\nbase_url = 'track.example'\n", "[tracking] base_url"),
        ("[print]\npaper = 'a5'\n", "[print] paper 'a5'"),
        ("[print]\nlanguage = 'fr'\n", "[print] language 'fr'"),
    ],
)
def test_bad_config_names_file_key_and_reason(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert str(path) in caught.value.words.en and str(path) in caught.value.words.zh
    assert expected in caught.value.words.en


def test_tracking_and_print_settings_are_read_and_overridden() -> None:
    shipped = load_settings(SHIPPED_CONFIG, environ={})
    assert shipped.tracking.base_url.startswith("http") and shipped.print.paper == "a4"
    roll = load_settings(SHIPPED_CONFIG, environ={"WINDOW_APP_PRINT_PAPER": "80mm", "WINDOW_APP_TRACKING_BASE_URL": "https://zw.example.cn"})
    assert roll.print.paper == "80mm" and roll.tracking.base_url == "https://zw.example.cn"


def test_bad_environment_value_is_named() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(SHIPPED_CONFIG, environ={"WINDOW_APP_SYNC_BATCH_SIZE": "many"})
    assert caught.value.words.en.startswith("$WINDOW_APP_SYNC_BATCH_SIZE: expected an integer")
    assert caught.value.words.zh.startswith("$WINDOW_APP_SYNC_BATCH_SIZE：应为整数")


def test_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path / "nope.toml", environ={})
    assert caught.value.words.en == f"{tmp_path / 'nope.toml'}: config file not found"
    assert caught.value.words.zh == f"{tmp_path / 'nope.toml'}：配置文件不存在"


def test_catalog_dir_is_the_configured_path_else_the_shipped_catalog(tmp_path: Path) -> None:
    from window_app.catalog.loader import shipped_catalog_path

    assert catalog_dir(load_settings(SHIPPED_CONFIG, environ={})) == shipped_catalog_path()
    settings = load_settings(SHIPPED_CONFIG, environ={"WINDOW_APP_CATALOG_PATH": str(tmp_path / "catalog")})
    assert catalog_dir(settings) == tmp_path / "catalog"


# -- where the file comes from -----------------------------------------------------------------


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A working directory and a user config directory, both empty, and no $WINDOW_APP_CONFIG."""
    cwd, config_home = tmp_path / "cwd", tmp_path / "xdg"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    monkeypatch.delenv("WINDOW_APP_CONFIG", raising=False)
    return cwd / "config.toml", config_home / "window-app" / "config.toml"


def write_region(path: Path, region: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"[window]\nregion = '{region}'\n", encoding="utf-8")
    return path


def test_the_package_default_is_package_data_and_applies_when_nothing_else_is_found(places) -> None:
    assert SHIPPED_CONFIG.parent == Path(window_app.__file__).parent / "data"
    assert config_candidates()[-1] == SHIPPED_CONFIG
    assert find_config_file() == SHIPPED_CONFIG
    settings = load_settings(environ={})
    assert settings.source == str(SHIPPED_CONFIG)
    assert settings.exchange.token == "demo-window-ZF-01"  # an installed app still reaches the demo exchange


def test_the_user_config_file_wins_over_the_package_default(places) -> None:
    _cwd_file, user_file = places
    assert user_config_file() == user_file
    write_region(user_file, "522323")
    assert find_config_file() == user_file
    assert load_settings(environ={}).window.region == "522323"


def test_the_working_directory_wins_over_the_user_config_file(places) -> None:
    cwd_file, user_file = places
    write_region(user_file, "522323")
    write_region(cwd_file, "522301")
    assert config_candidates() == [cwd_file, user_file, SHIPPED_CONFIG]
    assert find_config_file() == cwd_file
    assert load_settings(environ={}).window.region == "522301"


def test_an_explicit_file_or_the_environment_wins_over_every_place(places, tmp_path: Path, monkeypatch) -> None:
    cwd_file, user_file = places
    write_region(user_file, "522323")
    write_region(cwd_file, "522301")
    chosen = write_region(tmp_path / "chosen.toml", "522327")
    monkeypatch.setenv("WINDOW_APP_CONFIG", str(write_region(tmp_path / "env.toml", "522328")))
    assert find_config_file() == tmp_path / "env.toml"
    assert find_config_file(chosen) == chosen
    assert load_settings(chosen, environ={}).window.region == "522327"
