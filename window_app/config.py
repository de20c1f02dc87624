"""``config.toml`` + ``WINDOW_APP_<SECTION>_<KEY>`` overrides → typed, validated settings.

Where the file comes from, first found wins (:func:`config_candidates`):

1. ``--config PATH`` (an error if it does not exist), else ``$WINDOW_APP_CONFIG`` (likewise);
2. ``./config.toml`` in the current directory;
3. ``config.toml`` in the user's config directory (``window-app config init`` writes it there:
   ``~/.config/window-app/`` on Linux, ``~/Library/Application Support/window-app/`` on macOS,
   ``%LOCALAPPDATA%\\window-app\\`` on Windows);
4. the default shipped inside the package, ``window_app/data/config.toml`` (the demo window:
   贞丰县政务服务中心, region 522325, the local demo exchange). It is there in every install
   (wheel, ``pipx``, ``uv tool``, editable), so a window never runs without exchange settings.

``window-app config path`` shows which file is in use. Without any file (a broken install) the
typed defaults below apply; they are the shipped window's.

Every key of every section can be overridden by an environment variable named
``WINDOW_APP_<SECTION>_<KEY>`` in upper case, e.g. ``WINDOW_APP_WINDOW_REGION=522325`` or
``WINDOW_APP_EXCHANGE_URL=http://10.0.0.5:8700``. For ``[departments.CODE]`` tables the variable
is ``WINDOW_APP_DEPARTMENTS_<CODE>_<KEY>``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from platformdirs import user_config_path, user_data_path

from window_app.domain.errors import WindowAppError
from window_app.domain.times import DEFAULT_ZONE, window_zone
from window_app.domain.words import Words

APP_NAME = "window-app"
CONFIG_NAME = "config.toml"
ENV_PREFIX = "WINDOW_APP_"
SHIPPED_CONFIG = Path(__file__).resolve().parent / "data" / CONFIG_NAME
"""The package default settings (package data: in every wheel and editable install)."""


class ConfigError(WindowAppError):
    """A setting is missing, mistyped or out of range. The words name file, key and reason."""


@dataclass(frozen=True)
class WindowSettings:
    """Who and where this window is.

    Attributes:
        id: Unique name of this window (goes into receipt numbers), letters/digits/-, ≤ 12 chars.
        centre: The service centre's name, printed on receipts.
        region: GB/T 2260 code of the centre; decides what the window offers.
        language: Interface language, ``zh`` or ``en``.
        clerk: No longer read: the signed-in clerk's account names who did what (the key is
            still accepted so that config files written before accounts still load).
        time_zone: The IANA zone every time is shown in and the window's calendar follows
            (receipt-number days, promised dates), whatever the machine is set to.
        phone: The window's office line: the contact phone a joint site survey's appointment
            (联合踏勘) offers the departments; empty leaves it for the clerk to type.
    """

    id: str = "ZF-01"
    centre: str = "贞丰县政务服务中心"
    region: str = "522325"
    language: str = "zh"
    clerk: str = ""
    time_zone: str = DEFAULT_ZONE
    phone: str = ""


@dataclass(frozen=True)
class CatalogSettings:
    """Attributes:
    path: A catalog directory; empty means the catalog shipped with the package.
    """

    path: str = ""


@dataclass(frozen=True)
class StorageSettings:
    """Attributes:
    data_dir: Where the SQLite file lives; empty means the user's data directory.
    """

    data_dir: str = ""


@dataclass(frozen=True)
class ExchangeSettings:
    """Attributes:
    url: Base URL of the department exchange.
    token: This window's token at the exchange.
    timeout_seconds: Per-request timeout.
    public_key: The exchange's own signing key (``ed25519:…``, from ``window-app exchange
        audit public-key``), pinned here: a USB courier answer (docs/courier.md) is applied
        only if this key signed it. Empty: with ``[trust] demo`` the demo exchange's key,
        else no answer can be applied.
    """

    url: str = "http://127.0.0.1:8700"
    token: str = ""
    timeout_seconds: float = 10.0
    public_key: str = ""


@dataclass(frozen=True)
class SyncSettings:
    """Attributes:
    interval_seconds: Pause between sync rounds while online.
    backoff_initial_seconds / backoff_max_seconds: Exponential backoff bounds after failures.
    batch_size: Envelopes per request.
    """

    enabled: bool = True
    interval_seconds: float = 15.0
    backoff_initial_seconds: float = 1.0
    backoff_max_seconds: float = 300.0
    batch_size: int = 50


@dataclass(frozen=True)
class TrustSettings:
    """Attributes:
    keys_dir: Where this window's private signing key lives (a file of its own, mode 0600);
        empty means ``keys/`` in the user's config directory. Never the data directory: a
        copy of the database must not carry the key that vouches for it.
    """

    keys_dir: str = ""
    authorities: str = ""
    """A TOML file of trusted catalog authorities (``[[authority]] name, key``); empty means the
    file shipped in the package (``window_app/data/trust/authorities.toml``)."""
    demo: bool = False
    """Trust the demo catalog authority (public by design) — and only from an exchange on the
    loopback: the demo on one machine (``exchange serve --demo``)."""


@dataclass(frozen=True)
class ClerkSettings:
    """Clerk accounts and sign-in (window_app/clerks.py).

    Attributes:
        idle_lock_minutes: The screens lock themselves after this long without a key or a click
            (the application being taken stays); 0 never.
        lock_after_failures: Wrong PINs in a row that lock an account.
        lockout_minutes: How long such an account stays locked (a supervisor can unlock it sooner).
    """

    idle_lock_minutes: float = 10.0
    lock_after_failures: int = 5
    lockout_minutes: float = 15.0


@dataclass(frozen=True)
class TrackingSettings:
    """The public tracking page the receipt's QR code links to (window_app/tracking.py).

    Attributes:
        base_url: Where the exchange serves its tracking page; the link is
            ``<base_url>/t/<receipt no>?c=<tracking code>``.
    """

    base_url: str = "http://127.0.0.1:8700"


PAPERS = ("a4", "80mm")


@dataclass(frozen=True)
class PrintSettings:
    """How notices are printed (window_app/notices/).

    Attributes:
        paper: ``a4`` (a sheet printer) or ``80mm`` (a receipt printer's roll).
        font: A TrueType/OpenType font file with Chinese glyphs; empty = look for one on the
            system (SimSun / Microsoft YaHei, Noto CJK / WenQuanYi, PingFang).
        language: The notices' language: ``zh`` (the applicant's paper in the standard wording,
            whatever language the clerk's screens are in), ``en``, or empty for the interface
            language (F2, ``--lang``).
    """

    paper: str = "a4"
    font: str = ""
    language: str = "zh"


@dataclass(frozen=True)
class NotifySettings:
    """The applicant's SMS-style notifications (window_app/notify/, docs/sync.md).

    Attributes:
        kind: ``log`` (one JSON line per message in ``<data dir>/notifications.log``, 0600: the
            demo and the tests), ``http`` (POST to the deployment's SMS gateway at ``url``), or
            ``off`` (queued, counted, not sent).
        url: The SMS gateway's URL (``kind = "http"``).
        token_file: A file of its own (mode 0600) holding the gateway's bearer token
            (``kind = "http"``); never the token itself in this file.
        timeout_seconds: One request to the gateway.
        language: The messages' language: ``zh`` (the applicants') or ``en``.
    """

    kind: str = "log"
    url: str = ""
    token_file: str = ""
    timeout_seconds: float = 10.0
    language: str = "zh"


NOTIFY_KINDS = ("log", "http", "off")


@dataclass(frozen=True)
class RatingSettings:
    """The 好差评 rating step at this window (window_app/ratings/, docs/supervision.md).

    Attributes:
        at_window: Offer the rating step on the window's screen after the receipt and when the
            results are handed over. ``false`` for an office with a separate rating pad (评价器):
            the applicant rates there or from the tracking page.
    """

    at_window: bool = True


@dataclass(frozen=True)
class CalendarSettings:
    """The working-day calendar (window_app/domain/calendar.py, docs/supervision.md).

    Attributes:
        holidays_file: A TOML file of official holidays and 调休 make-up working days for the
            years it names, read before ``chinesecalendar`` (for a year the package does not
            know yet); empty = the package only.
    """

    holidays_file: str = ""


@dataclass(frozen=True)
class DepartmentEndpoint:
    """A department that has an endpoint of its own instead of the shared exchange."""

    url: str = ""
    token: str = ""


@dataclass(frozen=True)
class Settings:
    """All settings of one window."""

    window: WindowSettings = field(default_factory=WindowSettings)
    catalog: CatalogSettings = field(default_factory=CatalogSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    exchange: ExchangeSettings = field(default_factory=ExchangeSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    trust: TrustSettings = field(default_factory=TrustSettings)
    clerks: ClerkSettings = field(default_factory=ClerkSettings)
    tracking: TrackingSettings = field(default_factory=TrackingSettings)
    print: PrintSettings = field(default_factory=PrintSettings)
    notify: NotifySettings = field(default_factory=NotifySettings)
    rating: RatingSettings = field(default_factory=RatingSettings)
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    departments: dict[str, DepartmentEndpoint] = field(default_factory=dict)
    source: str = ""  # the file these came from, "" for defaults

    @property
    def zone(self) -> dt.tzinfo:
        """The window's time zone (``[window] time_zone``; validated on load)."""
        return window_zone(self.window.time_zone)

    @property
    def data_dir(self) -> Path:
        if self.storage.data_dir:
            return Path(self.storage.data_dir).expanduser()
        return user_data_path(APP_NAME, appauthor=False)

    @property
    def database_path(self) -> Path:
        return self.data_dir / "window.sqlite"

    @property
    def keys_dir(self) -> Path:
        if self.trust.keys_dir:
            return Path(self.trust.keys_dir).expanduser()
        return user_config_path(APP_NAME, appauthor=False) / "keys"


_SECTIONS = {
    "window": WindowSettings,
    "catalog": CatalogSettings,
    "storage": StorageSettings,
    "exchange": ExchangeSettings,
    "sync": SyncSettings,
    "trust": TrustSettings,
    "clerks": ClerkSettings,
    "tracking": TrackingSettings,
    "print": PrintSettings,
    "notify": NotifySettings,
    "rating": RatingSettings,
    "calendar": CalendarSettings,
}


def user_config_file() -> Path:
    """Where ``window-app config init`` writes, and the third place looked in: the user's
    config directory (platformdirs) / ``config.toml``."""
    return user_config_path(APP_NAME, appauthor=False) / CONFIG_NAME


def config_candidates() -> list[Path]:
    """The places looked in when neither ``--config`` nor ``$WINDOW_APP_CONFIG`` is given,
    in order: ``./config.toml``, the user's config file, the package default."""
    return [Path.cwd() / CONFIG_NAME, user_config_file(), SHIPPED_CONFIG]


def find_config_file(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The config file to read, or ``None`` to run on defaults (see the module docstring).

    Raises:
        ConfigError: ``explicit`` (or ``$WINDOW_APP_CONFIG``) names a file that does not exist.
    """
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(Words("{p}：配置文件不存在", "{p}: config file not found").format(p=path))
        return path
    env = os.environ.get(f"{ENV_PREFIX}CONFIG")
    if env:
        return find_config_file(env)
    for candidate in config_candidates():
        if candidate.is_file():
            return candidate
    return None


def load_settings(
    path: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    data_dir: str | None = None,
) -> Settings:
    """Read, override from the environment, validate.

    Args:
        path: ``--config`` value, if given.
        environ: Environment to read overrides from (default ``os.environ``).
        data_dir: ``--data-dir`` value, if given; wins over file and environment.

    Raises:
        ConfigError: With file, key and reason.
    """
    environ = os.environ if environ is None else environ
    config_file = find_config_file(path)
    raw: dict[str, Any] = {}
    where = "defaults"
    if config_file is not None:
        where = str(config_file)
        try:
            raw = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(Words("{w}：不是有效的 TOML：{e}", "{w}: not valid TOML: {e}").format(w=where, e=exc)) from None
        except OSError as exc:
            raise ConfigError(Words("{w}：无法读取：{e}", "{w}: cannot read: {e}").format(w=where, e=exc.strerror)) from None

    unknown = set(raw) - set(_SECTIONS) - {"departments"}
    if unknown:
        raise ConfigError(
            Words("{w}：未知的节 {s}", "{w}: {what} {s}").format(
                w=where, s=", ".join(sorted(unknown)), what="unknown section" if len(unknown) == 1 else "unknown sections"
            )
        )

    sections: dict[str, Any] = {}
    for name, cls in _SECTIONS.items():
        table = raw.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(Words("{w}：[{n}] 应为一个表", "{w}: [{n}] must be a table").format(w=where, n=name))
        sections[name] = _build(cls, name, table, environ, where)

    departments: dict[str, DepartmentEndpoint] = {}
    dept_tables = dict(raw.get("departments", {}))
    env_depts = {
        key[len(ENV_PREFIX) + len("DEPARTMENTS_") :].rsplit("_", 1)[0].lower()
        for key in environ
        if key.startswith(f"{ENV_PREFIX}DEPARTMENTS_") and key.count("_") >= 3
    }
    for code in sorted(set(dept_tables) | env_depts):
        table = dept_tables.get(code, {})
        if not isinstance(table, dict):
            raise ConfigError(Words("{w}：[departments.{c}] 应为一个表", "{w}: [departments.{c}] must be a table").format(w=where, c=code))
        departments[code] = _build(
            DepartmentEndpoint, f"departments_{code}", table, environ, where, label=f"departments.{code}"
        )

    settings = Settings(**sections, departments=departments, source=where if config_file else "")
    if data_dir:
        settings = replace(settings, storage=StorageSettings(data_dir=data_dir))
    _validate(settings, where)
    return settings


def _build(cls: type, section: str, table: dict[str, Any], environ: Mapping[str, str], where: str, label: str = "") -> Any:
    label = label or section
    known = {f.name: f for f in fields(cls)}
    unknown = set(table) - set(known)
    if unknown:
        raise ConfigError(
            Words("{w}：[{l}] 中有未知的键 {k}", "{w}: [{l}] {what} {k}").format(
                w=where, l=label, k=", ".join(sorted(unknown)), what="unknown key" if len(unknown) == 1 else "unknown keys"
            )
        )
    values: dict[str, Any] = {}
    for name, spec in known.items():
        default = spec.default
        env_key = f"{ENV_PREFIX}{section.upper()}_{name.upper()}"
        if env_key in environ:
            values[name] = _coerce(environ[env_key], default, f"${env_key}")
        elif name in table:
            values[name] = _check_type(table[name], default, f"{where}: [{label}] {name}")
    return cls(**values)


def _coerce(text: str, default: Any, what: str) -> Any:
    """An environment string into the type of the default."""
    if isinstance(default, bool):
        lowered = text.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(Words("{w}：应为 true/false，而不是 {v!r}", "{w}: expected true/false, got {v!r}").format(w=what, v=text))
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            raise ConfigError(Words("{w}：应为整数，而不是 {v!r}", "{w}: expected an integer, got {v!r}").format(w=what, v=text)) from None
    if isinstance(default, float):
        try:
            return float(text)
        except ValueError:
            raise ConfigError(Words("{w}：应为数字，而不是 {v!r}", "{w}: expected a number, got {v!r}").format(w=what, v=text)) from None
    return text


def _check_type(value: Any, default: Any, what: str) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(Words("{w}：应为 true/false，而不是 {v!r}", "{w}: expected true/false, got {v!r}").format(w=what, v=value))
    elif isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(Words("{w}：应为数字，而不是 {v!r}", "{w}: expected a number, got {v!r}").format(w=what, v=value))
        return float(value)
    elif isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(Words("{w}：应为整数，而不是 {v!r}", "{w}: expected an integer, got {v!r}").format(w=what, v=value))
    elif isinstance(default, str) and not isinstance(value, str):
        raise ConfigError(Words("{w}：应为字符串，而不是 {v!r}", "{w}: expected a string, got {v!r}").format(w=what, v=value))
    return value


def _validate(settings: Settings, where: str) -> None:
    window = settings.window
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{0,11}", window.id):
        raise ConfigError(
            Words(
                "{w}：[window] id {v!r}：应为 1–12 个字母、数字或“-”", "{w}: [window] id {v!r}: use 1–12 letters, digits or '-'"
            ).format(w=where, v=window.id)
        )
    if not re.fullmatch(r"\d{6}", window.region):
        raise ConfigError(
            Words(
                "{w}：[window] region {v!r}：应为六位 GB/T 2260 行政区划代码",
                "{w}: [window] region {v!r}: a six-digit GB/T 2260 code",
            ).format(w=where, v=window.region)
        )
    if window.language not in ("zh", "en"):
        raise ConfigError(
            Words("{w}：[window] language {v!r}：应为 zh 或 en", "{w}: [window] language {v!r}: expected zh or en").format(
                w=where, v=window.language
            )
        )
    try:
        window_zone(window.time_zone)
    except ValueError:
        raise ConfigError(
            Words(
                "{w}：[window] time_zone {v!r}：不是已知的时区，请写 IANA 名称，如 \"Asia/Shanghai\"",
                "{w}: [window] time_zone {v!r}: not a known time zone; write an IANA name such as \"Asia/Shanghai\"",
            ).format(w=where, v=window.time_zone)
        ) from None
    _validate_notify(settings.notify, where)
    if not re.match(r"https?://", settings.exchange.url):
        raise ConfigError(
            Words("{w}：[exchange] url {v!r}：应以 http(s):// 开头", "{w}: [exchange] url {v!r}: expected http(s)://…").format(
                w=where, v=settings.exchange.url
            )
        )
    sync = settings.sync
    if sync.interval_seconds <= 0 or sync.backoff_initial_seconds <= 0:
        raise ConfigError(Words("{w}：[sync] 的时间间隔应为正数", "{w}: [sync] intervals must be positive").format(w=where))
    if sync.backoff_max_seconds < sync.backoff_initial_seconds:
        raise ConfigError(
            Words(
                "{w}：[sync] backoff_max_seconds 小于 backoff_initial_seconds",
                "{w}: [sync] backoff_max_seconds is below backoff_initial_seconds",
            ).format(w=where)
        )
    if not 1 <= sync.batch_size <= 500:
        raise ConfigError(
            Words("{w}：[sync] batch_size {v}：应为 1–500", "{w}: [sync] batch_size {v}: expected 1–500").format(
                w=where, v=sync.batch_size
            )
        )
    clerks = settings.clerks
    if clerks.idle_lock_minutes < 0 or clerks.lockout_minutes <= 0 or not 1 <= clerks.lock_after_failures <= 100:
        raise ConfigError(
            Words(
                "{w}：[clerks] idle_lock_minutes 应 ≥ 0，lockout_minutes 应 > 0，lock_after_failures 应为 1–100",
                "{w}: [clerks] idle_lock_minutes must be ≥ 0, lockout_minutes > 0, lock_after_failures 1–100",
            ).format(w=where)
        )
    if not re.match(r"https?://", settings.tracking.base_url):
        raise ConfigError(
            Words(
                "{w}：[tracking] base_url {v!r}：应以 http(s):// 开头",
                "{w}: [tracking] base_url {v!r}: expected http(s)://…",
            ).format(w=where, v=settings.tracking.base_url)
        )
    if settings.print.paper not in PAPERS:
        raise ConfigError(
            Words(
                "{w}：[print] paper {v!r}：应为 \"a4\" 或 \"80mm\"",
                "{w}: [print] paper {v!r}: expected \"a4\" or \"80mm\"",
            ).format(w=where, v=settings.print.paper)
        )
    if settings.print.language not in ("", "zh", "en"):
        raise ConfigError(
            Words(
                "{w}：[print] language {v!r}：应为 zh、en 或空（随界面语言）",
                "{w}: [print] language {v!r}: expected zh, en or empty (the interface language)",
            ).format(w=where, v=settings.print.language)
        )
    keys, data = settings.keys_dir.resolve(), settings.data_dir.resolve()
    if keys == data or keys.is_relative_to(data):
        raise ConfigError(
            Words(
                "{w}：[trust] keys_dir {k} 位于数据目录 {d} 之内；密钥须与其保护的数据分开存放",
                "{w}: [trust] keys_dir {k} is inside the data directory {d}; keys must live apart from the data they protect",
            ).format(w=where, k=keys, d=data)
        )
    for code, endpoint in settings.departments.items():
        if endpoint.url and not re.match(r"https?://", endpoint.url):
            raise ConfigError(
                Words(
                    "{w}：[departments.{c}] url {v!r}：应以 http(s):// 开头",
                    "{w}: [departments.{c}] url {v!r}: expected http(s)://…",
                ).format(w=where, c=code, v=endpoint.url)
            )


def _validate_notify(notify: NotifySettings, where: str) -> None:
    """``[notify]``: a known kind, and for ``http`` a URL and a token file (its contents are read
    when the sync starts sending: :mod:`window_app.notify.choose`)."""
    if notify.kind not in NOTIFY_KINDS:
        raise ConfigError(
            Words(
                "{w}：[notify] kind {v!r}：应为 log、http 或 off",
                "{w}: [notify] kind {v!r}: expected log, http or off",
            ).format(w=where, v=notify.kind)
        )
    if notify.kind == "http" and not re.match(r"https?://", notify.url):
        raise ConfigError(
            Words(
                "{w}：[notify] kind = \"http\" 需要短信网关地址 url（http(s)://…），当前为 {v!r}",
                "{w}: [notify] kind = \"http\" needs the SMS gateway's url (http(s)://…), got {v!r}",
            ).format(w=where, v=notify.url)
        )
    if notify.kind == "http" and not notify.token_file:
        raise ConfigError(
            Words(
                "{w}：[notify] kind = \"http\" 需要 token_file（保存网关令牌的文件，权限 0600）",
                "{w}: [notify] kind = \"http\" needs token_file (a file holding the gateway's token, mode 0600)",
            ).format(w=where)
        )
    if notify.language not in ("zh", "en"):
        raise ConfigError(
            Words("{w}：[notify] language {v!r}：应为 zh 或 en", "{w}: [notify] language {v!r}: expected zh or en").format(
                w=where, v=notify.language
            )
        )
    if notify.timeout_seconds <= 0:
        raise ConfigError(
            Words("{w}：[notify] timeout_seconds 应为正数", "{w}: [notify] timeout_seconds must be positive").format(w=where)
        )
