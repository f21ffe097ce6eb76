"""Process-wide configuration ``frames.config``: DataJoint 2.x's ``dj.config``.

Settings are read and written with dotted keys (``config['database.host']``) or as attributes
(``config.database.host``, ``config.jobs.keep_completed = True``, ``config.stores['main'] =
{...}``). Every value is checked when it is set; an unknown key raises ``KeyError`` (item access)
or ``AttributeError`` (attribute access) listing the known ones, an invalid value ``ValueError``.

Sources, highest precedence first (as DataJoint): assignment at run time; environment variables
(:data:`ENV_VAR_MAPPING` and the other ``DJ_*`` variables of :data:`ENVIRONMENT`); the project
file ``datajoint.json``, searched from the working directory up to the repository root; the
secrets directory (``.secrets/`` beside ``datajoint.json``, or ``/run/secrets/datajoint``), which
only fills ``database.user``, ``database.password`` and ``stores.<name>.<attr>`` left unset;
the defaults.

Keys
----
database.url : str or None
    frames' one-line form of the connection: ``duckdb://``, ``duckdb:///file.duckdb``,
    ``postgresql://user:pass@host/db``, ``mysql://user:pass@host:3306``. It wins over the
    DataJoint keys below; ``FRAMES_DATABASE_URL`` is its environment variable.
database.host : str or None
    DataJoint's form: the MySQL/PostgreSQL server of the default connection (``host`` or
    ``host:port``). DataJoint's default is ``'localhost'``; frames' is ``None``, "not
    configured": the default connection is then ``FRAMES_DATABASE_URL`` or in-memory DuckDB.
database.port : int
    Server port; unset, it reads 3306 for MySQL and 5432 for PostgreSQL (following a later
    change of ``database.backend``).
database.user, database.password : str or None
    Credentials of connections opened from the DataJoint keys.
database.backend : ``'mysql'`` or ``'postgresql'``
    The server kind at ``database.host`` (``'mysql'`` covers MariaDB).
database.name : str or None
    PostgreSQL database to connect to (default ``'postgres'``); ignored by MySQL.
database.reconnect : bool
    ``Connection.query`` re-opens a closed connection (default true).
database.use_tls : bool or None
    TLS: ``True`` required, ``False`` off, ``None`` preferred (default).
database.database_prefix : str
    DataJoint's deprecated schema-name prefix (kept for configuration files).
database.create_tables : bool
    Default of ``Schema(create_tables=...)`` (default true).
connection.charset : str
    MySQL connection character set; ``''``: frames' ``utf8mb4``.
display.limit, display.width : int
    Rows shown by ``repr()`` of a query (12) and characters of one cell (frames: 24; DataJoint:
    14).
display.show_tuple_count : bool
    ``repr()`` ends with the number of rows (default true).
display.progress : bool
    frames' own: progress bars of long inserts and fetches, shown on a terminal after two
    seconds (default true; :mod:`frames.api.progress`).
display.diagram_direction : ``'LR'`` or ``'TB'``; display.diagram_theme : ``'auto'``, ``'light'``,
``'dark'``
    Diagram layout and colours.
jobs.auto_refresh, jobs.keep_completed, jobs.stale_timeout, jobs.default_priority,
jobs.version_method, jobs.allow_new_pk_fields_in_computed_tables, jobs.add_job_metadata
    DataJoint's job-queue settings (``DJ_JOBS_<NAME>``).
provenance.capture : bool; provenance.source : dict
    DataJoint's provenance settings (``DJ_PROVENANCE_<NAME>``, the source as JSON).
stores : dict
    Object stores by name (``{'default': 'main', 'main': {'protocol': 'file', 'location': ...}}``);
    ``DJ_STORES`` (a JSON object) replaces it. :meth:`Config.get_store_spec` validates one.
loglevel : str
    Level of the ``frames`` logger (``DEBUG`` ... ``CRITICAL``, default ``INFO``).
safemode : bool
    When true (default), ``delete()`` and ``drop()`` ask for confirmation unless ``prompt=False``.
query_cache : Path or None
    Folder of DataJoint's query cache. download_path : str, folder for attachments (``'.'``).
ignore_config_file : bool
    Skip ``datajoint.json`` and the secrets directory (``DJ_IGNORE_CONFIG_FILE``).
fragment_dialect : str
    frames' own: the SQL dialect user fragments are read in: ``'auto'`` (default: as the
    connection's database reads SQL, which is what DataJoint does: MySQL-style on MySQL/MariaDB,
    ANSI elsewhere),
    ``'ansi'`` (PostgreSQL-style: single-quoted strings, double-quoted identifiers, ``||``
    concatenation) or ``'mysql'`` (double-quoted strings, as legacy DataJoint code writes them).
"""

from __future__ import annotations

import copy
import json
import logging
import os
import warnings
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy.engine import URL

from frames.errors import ThreadSafetyError
from frames.store_spec import validated_store_spec

CONFIG_FILENAME = "datajoint.json"
SECRETS_DIRNAME = ".secrets"
SYSTEM_SECRETS_DIR = Path("/run/secrets/datajoint")

#: DataJoint's table of settings read from environment variables.
ENV_VAR_MAPPING = {
    "database.host": "DJ_HOST",
    "database.user": "DJ_USER",
    "database.password": "DJ_PASS",
    "database.backend": "DJ_BACKEND",
    "database.port": "DJ_PORT",
    "database.name": "DJ_DATABASE_NAME",
    "database.database_prefix": "DJ_DATABASE_PREFIX",
    "database.create_tables": "DJ_CREATE_TABLES",
    "loglevel": "DJ_LOG_LEVEL",
    "display.diagram_direction": "DJ_DIAGRAM_DIRECTION",
    "display.diagram_theme": "DJ_DIAGRAM_THEME",
}

#: Values of ``database.backend``, DataJoint's names.
BACKENDS = ("mysql", "postgresql")
_DEFAULT_PORTS = {"mysql": 3306, "postgresql": 5432}
_TRUE = ("1", "true", "yes", "on", "t", "y")
_FALSE = ("0", "false", "no", "off", "f", "n")

logger = logging.getLogger("frames")


# -- value checks ---------------------------------------------------------------------------------
def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError("expected a boolean (True/False, or 'true'/'false' in text)")


def _int(low: int | None = None, high: int | None = None) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError("expected an integer")
        try:
            number = int(value)
        except ValueError:
            raise ValueError("expected an integer") from None
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValueError(f"expected an integer from {low} to {high}")
        return number

    return check


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a string")
    return value


def _choice(*values: Any) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value not in values:
            raise ValueError(f"expected one of {values}")
        return value

    return check


def _optional(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else check(value)


def _path(value: Any) -> Path:
    if not isinstance(value, str | os.PathLike):
        raise ValueError("expected a path")
    return Path(value)


def _json_object(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise ValueError("expected a dict (a JSON object)")
    try:
        json.dumps(value, default=str)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"must be JSON-serializable: {exc}") from exc
    return value


@dataclass(frozen=True)
class Setting:
    """One setting: its default, the check that converts and validates a value, its variable."""

    default: Any
    check: Callable[[Any], Any]
    env: str | None = None


# -- groups ---------------------------------------------------------------------------------------
class SettingsGroup:
    """Settings read and written as attributes (``config.database.host``), checked when set.

    A group is built with keyword values (``JobsSettings(keep_completed=True)``); the others keep
    their defaults.
    """

    #: Setting name → :class:`Setting`.
    fields: ClassVar[dict[str, Setting]] = {}
    #: The group's key prefix in dotted keys (``'database'``); ``''`` for the top level.
    prefix: ClassVar[str] = ""

    def __init__(self, **values: Any) -> None:
        # values live in the instance dict (as plain attributes do), checked on the way in
        self.__dict__.update(
            {name: copy.deepcopy(setting.default) for name, setting in self.fields.items()}
        )
        for name, value in values.items():
            setattr(self, name, value)

    def key(self, name: str) -> str:
        """The dotted key of setting ``name`` (``'database.host'``)."""
        return f"{self.prefix}.{name}" if self.prefix else name

    def __getattr__(self, name: str) -> Any:  # only called for names that are no setting
        raise AttributeError(self._unknown(name))

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self.fields:
            raise AttributeError(self._unknown(name))
        try:
            self.__dict__[name] = self.fields[name].check(value)
        except ValueError as exc:
            raise ValueError(
                f"invalid value {value!r} for config[{self.key(name)!r}]: {exc}"
            ) from None

    def reset(self, name: str) -> None:
        """Give setting ``name`` its default value again."""
        if name not in self.fields:
            raise AttributeError(self._unknown(name))
        self.__dict__[name] = copy.deepcopy(self.fields[name].default)

    def read_environment(self) -> None:
        """Set every setting whose environment variable is set (and not empty)."""
        for name, setting in self.fields.items():
            if setting.env and os.environ.get(setting.env):
                setattr(self, name, os.environ[setting.env])

    def as_dict(self) -> dict[str, Any]:
        """The settings as a dict (a copy; an unset ``database.port`` is ``None``)."""
        return copy.deepcopy({name: self.__dict__[name] for name in self.fields})

    def _unknown(self, name: str) -> str:
        known = ", ".join(self.key(n) for n in self.fields)
        return f"unknown setting {self.key(name)!r}; settings: {known}"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.as_dict() == self.as_dict()

    def __repr__(self) -> str:
        shown = {n: "***" if n == "password" and v else v for n, v in self.as_dict().items()}
        return f"{type(self).__name__}({', '.join(f'{n}={v!r}' for n, v in shown.items())})"


class DatabaseSettings(SettingsGroup):
    """``config.database``: the server of the default connection (see the module docstring)."""

    prefix = "database"
    fields = {
        "url": Setting(None, _optional(_text)),
        "host": Setting(None, _optional(_text), "DJ_HOST"),
        "user": Setting(None, _optional(_text), "DJ_USER"),
        "password": Setting(None, _optional(_text), "DJ_PASS"),
        "backend": Setting("mysql", _choice(*BACKENDS), "DJ_BACKEND"),
        "port": Setting(None, _optional(_int(1, 65535)), "DJ_PORT"),
        "name": Setting(None, _optional(_text), "DJ_DATABASE_NAME"),
        "reconnect": Setting(True, _bool, "DJ_RECONNECT"),
        "use_tls": Setting(None, _optional(_bool), "DJ_USE_TLS"),
        "database_prefix": Setting("", _text, "DJ_DATABASE_PREFIX"),
        "create_tables": Setting(True, _bool, "DJ_CREATE_TABLES"),
    }

    @property
    def port(self) -> int:
        """The port set, else the default port of ``backend`` (3306 or 5432)."""
        port = self.__dict__["port"]
        return port if port is not None else _DEFAULT_PORTS[self.backend]


class ConnectionSettings(SettingsGroup):
    """``config.connection``: driver options."""

    prefix = "connection"
    fields = {"charset": Setting("", _text)}


class DisplaySettings(SettingsGroup):
    """``config.display``: how queries and diagrams are shown."""

    prefix = "display"
    fields = {
        "limit": Setting(12, _int(1)),
        "width": Setting(24, _int(1)),
        "show_tuple_count": Setting(True, _bool),
        "progress": Setting(True, _bool),
        "diagram_direction": Setting("LR", _choice("TB", "LR"), "DJ_DIAGRAM_DIRECTION"),
        "diagram_theme": Setting("auto", _choice("light", "dark", "auto"), "DJ_DIAGRAM_THEME"),
    }


class JobsSettings(SettingsGroup):
    """``config.jobs``: DataJoint's job queue (``DJ_JOBS_<NAME>`` variables)."""

    prefix = "jobs"
    fields = {
        "auto_refresh": Setting(True, _bool, "DJ_JOBS_AUTO_REFRESH"),
        "keep_completed": Setting(False, _bool, "DJ_JOBS_KEEP_COMPLETED"),
        "stale_timeout": Setting(3600, _int(0), "DJ_JOBS_STALE_TIMEOUT"),
        "default_priority": Setting(5, _int(0, 255), "DJ_JOBS_DEFAULT_PRIORITY"),
        "version_method": Setting(
            None, _optional(_choice("git", "none")), "DJ_JOBS_VERSION_METHOD"
        ),
        "allow_new_pk_fields_in_computed_tables": Setting(
            False, _bool, "DJ_JOBS_ALLOW_NEW_PK_FIELDS_IN_COMPUTED_TABLES"
        ),
        "add_job_metadata": Setting(False, _bool, "DJ_JOBS_ADD_JOB_METADATA"),
    }


class ProvenanceSettings(SettingsGroup):
    """``config.provenance``: DataJoint's provenance capture (``DJ_PROVENANCE_<NAME>``)."""

    prefix = "provenance"
    fields = {
        "capture": Setting(False, _bool, "DJ_PROVENANCE_CAPTURE"),
        "source": Setting({}, _json_object, "DJ_PROVENANCE_SOURCE"),
    }


def _stores(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("expected a dict of store name → store settings")
    return value


def _loglevel(value: Any) -> str:
    level = _choice("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")(value)
    logger.setLevel(level)
    return level


def _fragment_dialect(value: Any) -> str:
    return _choice("auto", "ansi", "mysql")(value)


# -- the configuration ----------------------------------------------------------------------------
class Config(SettingsGroup, MutableMapping[str, Any]):
    """The configuration: top-level settings and the groups ``database``, ``connection``,
    ``display``, ``jobs`` and ``provenance`` (see the module docstring for every key).

    ``Config()`` has the defaults and the environment variables; :func:`create_config` adds
    ``datajoint.json`` and the secrets directory, as at import.
    """

    groups: ClassVar[dict[str, type[SettingsGroup]]] = {
        "database": DatabaseSettings,
        "connection": ConnectionSettings,
        "display": DisplaySettings,
        "jobs": JobsSettings,
        "provenance": ProvenanceSettings,
    }
    fields = {
        "stores": Setting({}, _stores),
        "loglevel": Setting("INFO", _loglevel, "DJ_LOG_LEVEL"),
        "safemode": Setting(True, _bool, "DJ_SAFEMODE"),
        "ignore_config_file": Setting(False, _bool, "DJ_IGNORE_CONFIG_FILE"),
        "query_cache": Setting(None, _optional(_path), "DJ_QUERY_CACHE"),
        "download_path": Setting(".", _text, "DJ_DOWNLOAD_PATH"),
        "fragment_dialect": Setting("auto", _fragment_dialect),
    }

    def __init__(self, *, environment: bool = True) -> None:
        super().__init__()
        for name, group in self.groups.items():
            object.__setattr__(self, name, group())
        object.__setattr__(self, "config_path", None)
        object.__setattr__(self, "secrets_dir", None)
        if environment:
            self.read_environment()

    # -- attribute access -------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        group = self.groups.get(name)
        if group is None:
            super().__setattr__(name, value)
        elif isinstance(value, group):
            object.__setattr__(self, name, value)
        elif isinstance(value, dict):  # DataJoint: config.jobs = {...} (others default)
            object.__setattr__(self, name, group(**value))
        else:
            raise ValueError(f"config.{name} takes a {group.__name__} or a dict, not {value!r}")

    def read_environment(self) -> None:
        """Set every setting whose environment variable is set (``DJ_STORES`` aside)."""
        super().read_environment()
        for name in self.groups:
            getattr(self, name).read_environment()

    def _unknown(self, name: str) -> str:
        return f"unknown setting {name!r}; settings: {', '.join(self)}"

    # -- dotted keys -------------------------------------------------------------------------
    def _locate(self, key: str) -> tuple[Any, str]:
        """The object holding ``key`` (a group, this config or a stores dict) and its last part."""
        first, _, rest = key.partition(".")
        if not rest:
            return self, first
        if first in self.groups:
            group = getattr(self, first)
            if "." not in rest:
                return group, rest
        elif first == "stores":
            holder: Any = self.stores
            *path, last = rest.split(".")
            for part in path:
                holder = holder[part]
            return holder, last
        raise KeyError(self._unknown(key))

    def __getitem__(self, key: str) -> Any:
        """The setting at dotted ``key`` (``'database.host'``, ``'stores.main.location'``)."""
        holder, name = self._locate(key)
        if isinstance(holder, dict):
            return holder[name]
        if isinstance(holder, Config) and name in self.groups:
            return getattr(self, name)
        try:
            return getattr(holder, name)
        except AttributeError:
            raise KeyError(self._unknown(key)) from None

    def __setitem__(self, key: str, value: Any) -> None:
        holder, name = self._locate(key)
        if isinstance(holder, dict):
            holder[name] = value
            return
        try:
            setattr(holder, name, value)
        except AttributeError:
            raise KeyError(self._unknown(key)) from None

    def __delitem__(self, key: str) -> None:
        """Give the setting at ``key`` its default value again (or drop a store entry)."""
        holder, name = self._locate(key)
        if isinstance(holder, dict):
            del holder[name]
        elif isinstance(holder, Config) and name in self.groups:
            object.__setattr__(self, name, self.groups[name]())
        else:
            try:
                holder.reset(name)
            except AttributeError:
                raise KeyError(self._unknown(key)) from None

    def get(self, key: str, default: Any = None) -> Any:
        """The setting at ``key``, or ``default`` if there is no such setting."""
        try:
            return self[key]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[str]:
        """Every dotted key: the top-level settings, then those of each group."""
        yield from self.fields
        for name in self.groups:
            yield from (getattr(self, name).key(field) for field in self.groups[name].fields)

    def __len__(self) -> int:
        return len(self.fields) + sum(len(group.fields) for group in self.groups.values())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key, _MISSING) is not _MISSING

    def __eq__(self, other: object) -> bool:
        return self is other

    __hash__ = object.__hash__

    # -- the default connection --------------------------------------------------------------
    def database_url(self) -> str | URL:
        """The URL of the default connection.

        In order: ``database.url``; the DataJoint keys when ``database.host`` is set (see
        :func:`server_url`); the environment variable ``FRAMES_DATABASE_URL``; in-memory DuckDB.
        """
        database = self.database
        if database.url:
            return database.url
        if database.host:
            return server_url(database.host, database.user, database.password, settings=self)
        return os.environ.get("FRAMES_DATABASE_URL") or "duckdb://"

    # -- temporary values --------------------------------------------------------------------
    @contextmanager
    def override(self, **settings: Any) -> Iterator[Config]:
        """Set ``settings`` for the duration of a ``with`` block, then restore them.

        Nested keys are written with a double underscore (``database__host='h'``), as in
        DataJoint; a group name takes a dict (``jobs={'keep_completed': True}``, the group's other
        settings at their defaults inside the block).

        Raises
        ------
        KeyError
            For an unknown setting (nothing is changed).
        """
        keys = {name.replace("__", "."): value for name, value in settings.items()}
        saved = {key: copy.deepcopy(self[key]) for key in keys}
        try:
            for key, value in keys.items():
                self[key] = value
            yield self
        finally:
            for key, value in saved.items():
                holder, name = self._locate(key)
                if isinstance(holder, dict):
                    holder[name] = value
                else:
                    setattr(holder, name, value)

    # -- files -------------------------------------------------------------------------------
    def load(self, filename: str | os.PathLike[str]) -> None:
        """Read settings from a JSON file (nested groups or dotted keys; ``stores`` merged).

        A setting whose environment variable is set keeps the variable's value. Unknown keys are
        reported in one warning; the others are loaded.

        Raises
        ------
        FileNotFoundError
            If the file does not exist.
        ValueError
            If it is not JSON or a value is invalid.
        """
        path = Path(filename)
        if not path.is_file():
            raise FileNotFoundError(f"Config file not found: {path}")
        data = json.loads(path.read_text())
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a JSON object of settings")
        unknown = [key for key, value in _flatten(data) if not self._load_value(key, value)]
        if unknown:
            warnings.warn(f"{path}: unknown settings ignored: {', '.join(unknown)}", stacklevel=2)
        object.__setattr__(self, "config_path", path)
        logger.info("Loaded configuration from %s", path.absolute())

    def _load_value(self, key: str, value: Any) -> bool:
        """Set one value from a file unless its variable is set; False if ``key`` is unknown."""
        if key.startswith("stores."):
            store, _, attribute = key[len("stores.") :].partition(".")
            if attribute:
                self.stores.setdefault(store, {})[attribute] = value
            else:
                self.stores[store] = value
            return True
        if key not in self:
            return False
        if not _from_environment(self, key):
            self[key] = value
        return True

    def load_secrets(self, secrets_dir: Path) -> None:
        """Fill ``database.user``/``database.password`` and ``stores.<name>.<attr>`` left unset
        from the files of the same names in ``secrets_dir``."""
        object.__setattr__(self, "secrets_dir", secrets_dir)
        for name in ("user", "password"):
            value = read_secret_file(secrets_dir, f"database.{name}")
            if value is not None and getattr(self.database, name) is None:
                setattr(self.database, name, value)
        for secret in sorted(secrets_dir.iterdir()):
            parts = secret.name.split(".")
            if secret.is_file() and len(parts) == 3 and parts[0] == "stores":
                store = self.stores.setdefault(parts[1], {})
                if isinstance(store, dict) and parts[2] not in store:
                    store[parts[2]] = secret.read_text().strip()

    def apply_stores_environment(self) -> None:
        """Replace ``stores`` with the JSON object in ``DJ_STORES``, if that is set.

        Raises
        ------
        ValueError
            If ``DJ_STORES`` is not a JSON object.
        """
        raw = os.environ.get("DJ_STORES")
        if not raw:
            return
        try:
            stores = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"DJ_STORES contains invalid JSON: {exc}") from exc
        if not isinstance(stores, dict):
            raise ValueError(f"DJ_STORES must be a JSON object, got {type(stores).__name__}")
        self.stores = stores

    @staticmethod
    def save_template(
        path: str | os.PathLike[str] = CONFIG_FILENAME,
        minimal: bool = True,
        create_secrets_dir: bool = True,
    ) -> Path:
        """Write a template ``datajoint.json`` (and a ``.secrets/`` directory beside it).

        ``minimal``: only the database host and port; else every setting group with its
        defaults and two example stores. The secrets directory gets placeholder
        ``database.user``/``database.password`` files and a ``.gitignore``. Returns the
        absolute path of the file.

        Raises
        ------
        FileExistsError
            If the file exists (it is never overwritten).
        """
        filepath = Path(path)
        if filepath.exists():
            raise FileExistsError(
                f"File already exists: {filepath}. Remove it first or choose a different path."
            )
        filepath.write_text(json.dumps(_template(minimal), indent=2) + "\n")
        if create_secrets_dir:
            secrets = filepath.parent / SECRETS_DIRNAME
            secrets.mkdir(exist_ok=True)
            for name, placeholder in (
                ("database.user", "your_username"),
                ("database.password", "your_password"),
            ):
                if not (secrets / name).exists():
                    (secrets / name).write_text(placeholder)
            if not (secrets / ".gitignore").exists():
                (secrets / ".gitignore").write_text("# Never commit secrets\n*\n!.gitignore\n")
        return filepath.absolute()

    def get_store_spec(
        self, store: str | None = None, *, use_filepath_default: bool = False
    ) -> dict[str, Any]:
        """The validated settings of object store ``store`` with their defaults filled in.

        ``store=None``: the store named by ``stores.default`` (``stores.filepath_default`` if
        ``use_filepath_default``). See :func:`frames.store_spec.validated_store_spec`.
        """
        return validated_store_spec(self.stores, store, use_filepath_default)

    def __repr__(self) -> str:
        groups = ", ".join(repr(getattr(self, name)) for name in self.groups)
        top = ", ".join(f"{name}={value!r}" for name, value in super().as_dict().items())
        return f"Config({top}, {groups})"


_MISSING = object()


def _flatten(data: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted key, value) pairs of a nested settings dict; ``stores`` entries stay whole."""
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict) and full in Config.groups:
            yield from _flatten(value, f"{full}.")
        elif isinstance(value, dict) and full == "stores":
            yield from ((f"stores.{name}", spec) for name, spec in value.items())
        else:
            yield full, value


def _from_environment(settings: Config, key: str) -> bool:
    """True if the environment variable of setting ``key`` is set."""
    holder, name = settings._locate(key)
    setting = type(holder).fields.get(name) if isinstance(holder, SettingsGroup) else None
    return bool(setting and setting.env and os.environ.get(setting.env))


def _template(minimal: bool) -> dict[str, Any]:
    database: dict[str, Any] = {"host": "localhost", "port": 3306}
    if minimal:
        return {"database": database}
    return {
        "database": {**database, "reconnect": True, "use_tls": None},
        "connection": {"charset": ""},
        "display": {"limit": 12, "width": 14, "show_tuple_count": True},
        "stores": {
            "default": "main",
            "filepath_default": "raw_data",
            "main": {
                "protocol": "file",
                "location": "/data/my-project/main",
                "partition_pattern": None,
                "token_length": 8,
                "subfolding": None,
            },
            "raw_data": {"protocol": "file", "location": "/data/my-project/raw"},
        },
        "loglevel": "INFO",
        "safemode": True,
        "query_cache": None,
        "download_path": ".",
    }


# -- discovery ------------------------------------------------------------------------------------
def find_config_file(start: Path | None = None) -> Path | None:
    """The ``datajoint.json`` in ``start`` (default: the working directory) or the nearest
    parent, stopping at a repository root (``.git``, ``.hg``) or the file-system root."""
    current = (start or Path.cwd()).resolve()
    while True:
        candidate = current / CONFIG_FILENAME
        if candidate.is_file():
            return candidate
        if (current / ".git").exists() or (current / ".hg").exists() or current == current.parent:
            return None
        current = current.parent


def find_secrets_dir(config_path: Path | None = None) -> Path | None:
    """``.secrets/`` beside ``config_path``, else ``/run/secrets/datajoint``, if it exists."""
    if config_path is not None and (config_path.parent / SECRETS_DIRNAME).is_dir():
        return config_path.parent / SECRETS_DIRNAME
    return SYSTEM_SECRETS_DIR if SYSTEM_SECRETS_DIR.is_dir() else None


def read_secret_file(secrets_dir: Path | None, name: str) -> str | None:
    """The stripped contents of file ``name`` in ``secrets_dir``, or ``None``."""
    if secrets_dir is None or not (secrets_dir / name).is_file():
        return None
    return (secrets_dir / name).read_text().strip()


def create_config() -> Config:
    """A configuration from every source: defaults, ``DJ_*`` variables, ``datajoint.json``,
    ``DJ_STORES`` and the secrets directory (the last two skipped with ``ignore_config_file``).

    Unlike DataJoint, a missing ``datajoint.json`` is not warned about: frames needs no file
    (in-memory DuckDB is the default). A file that cannot be read is warned about and skipped.
    """
    settings = Config()
    config_path = None
    if not settings.ignore_config_file:
        config_path = find_config_file()
        if config_path is not None:
            try:
                settings.load(config_path)
            except (OSError, ValueError) as exc:
                warnings.warn(f"Failed to load config from {config_path}: {exc}", stacklevel=2)
    settings.apply_stores_environment()
    if not settings.ignore_config_file:
        secrets_dir = find_secrets_dir(config_path)
        if secrets_dir is not None:
            settings.load_secrets(secrets_dir)
    return settings


def thread_safe_mode() -> bool:
    """True if ``DJ_THREAD_SAFE`` is ``true``/``1``/``yes``: process-wide state (``dj.config``,
    ``dj.conn()``, schemas without a connection) is then refused; use ``dj.Instance``."""
    return os.environ.get("DJ_THREAD_SAFE", "").lower() in ("true", "1", "yes")


def check_thread_safe() -> None:
    """Refuse process-wide state in thread-safe mode.

    Raises
    ------
    frames.errors.ThreadSafetyError
        If :func:`thread_safe_mode` is on.
    """
    if thread_safe_mode():
        raise ThreadSafetyError(
            "Global DataJoint state is disabled in thread-safe mode "
            "(DJ_THREAD_SAFE). Use dj.Instance() to create an isolated "
            "instance with its own config and connection."
        )


def server_url(
    host: str,
    user: str | None,
    password: str | None,
    port: int | None = None,
    *,
    backend: str | None = None,
    database_name: str | None = None,
    settings: Config | None = None,
) -> URL:
    """The URL of a MySQL or PostgreSQL server given DataJoint's connection parameters.

    ``host`` may carry the port (``'db.example.org:3307'``), which then wins over ``port``.
    Missing values come from ``settings`` (default: :data:`config`): ``database.backend``,
    ``database.port`` when set, else the backend's default port, and for PostgreSQL the database
    ``database_name``, else ``database.name``, else ``'postgres'`` (as DataJoint).

    Raises
    ------
    ValueError
        For an unknown backend or a port that is not a number.
    """
    database = (settings or config).database
    backend = backend or database.backend
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    if ":" in host:
        host, port_text = host.rsplit(":", 1)
        port = int(port_text)
    port = port or database.as_dict()["port"] or _DEFAULT_PORTS[backend]
    name = (database_name or database.name or "postgres") if backend == "postgresql" else None
    return URL.create(
        backend, username=user, password=password, host=host, port=port, database=name
    )


config = create_config()
"""The process-wide configuration (``frames.config``, DataJoint's ``dj.config``)."""
