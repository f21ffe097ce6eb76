"""``dj.Instance``: a configuration and a connection of their own, for thread-safe use.

With ``DJ_THREAD_SAFE=true`` in the environment, the process-wide state (``dj.config``,
``dj.conn()``, ``dj.Schema`` without a connection) raises :class:`~frames.errors.ThreadSafetyError`
and each thread or tenant works through an :class:`Instance`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from frames.api.connection import Connection
from frames.api.free_table import free_table
from frames.api.schema import Schema
from frames.settings import Config, check_thread_safe, create_config, thread_safe_mode
from frames.settings import config as _global_config

#: DataJoint's names of the thread-safe checks.
_load_thread_safe = thread_safe_mode
_check_thread_safe = check_thread_safe


class Instance:
    """A configuration and a connection isolated from the process-wide ones.

    Parameters
    ----------
    host, user, password : str
        The MySQL/PostgreSQL server (``host`` may carry ``:port``) and credentials.
    port : int, optional
        Server port; default ``database.port`` of this instance's configuration (with
        ``backend`` given: that backend's default port unless ``database__port`` is given).
    use_tls : bool or dict, optional
        As for :class:`~frames.api.connection.Connection`.
    backend : ``'mysql'`` or ``'postgresql'``, optional
        Default ``database.backend`` of the configuration.
    **settings
        Settings of this instance's configuration: top-level names (``safemode=False``) or
        nested with a double underscore (``database__reconnect=False``).

    Attributes
    ----------
    config : Config
        This instance's configuration (read from the environment and ``datajoint.json``).
    connection : Connection
        This instance's connection.

    Raises
    ------
    KeyError
        For an unknown setting.
    """

    def __init__(
        self,
        host: str,
        user: str,
        password: str,
        port: int | None = None,
        use_tls: bool | dict | None = None,
        backend: Literal["mysql", "postgresql"] | None = None,
        **settings: Any,
    ) -> None:
        self.config = create_config()
        if backend is not None:
            self.config.database.backend = backend
            self.config.database.reset("port")  # the new backend's default, unless given below
        for key, value in settings.items():
            self.config[key.replace("__", ".")] = value
        port = port if port is not None else self.config.database.port
        self.connection = Connection(
            host,
            user,
            password,
            port,
            use_tls,
            backend=self.config.database.backend,
            config_override=self.config,
        )

    def Schema(self, schema_name: str, **options: Any) -> Any:  # noqa: N802 (DataJoint's name)
        """A :class:`~frames.api.schema.Schema` on this instance's connection (``options``: those
        of ``Schema``: ``context``, ``create_schema``, ``create_tables``, ...)."""
        return Schema(schema_name, connection=self.connection, **options)

    def FreeTable(self, full_table_name: str) -> Any:  # noqa: N802 (DataJoint's name)
        """The table ``full_table_name`` (``'schema.table'``) on this instance's connection."""
        return free_table(self.connection, full_table_name)

    def __repr__(self) -> str:
        return f"Instance({self.connection!r})"


class ConfigProxy:
    """``dj.config``: the process-wide :class:`~frames.settings.Config`, refused in thread-safe
    mode (:class:`~frames.errors.ThreadSafetyError`)."""

    def __getattr__(self, name: str) -> Any:
        check_thread_safe()
        return getattr(_global_config, name)

    def __setattr__(self, name: str, value: Any) -> None:
        check_thread_safe()
        setattr(_global_config, name, value)

    def __getitem__(self, key: str) -> Any:
        check_thread_safe()
        return _global_config[key]

    def __setitem__(self, key: str, value: Any) -> None:
        check_thread_safe()
        _global_config[key] = value

    def __delitem__(self, key: str) -> None:
        check_thread_safe()
        del _global_config[key]

    def __contains__(self, key: object) -> bool:
        check_thread_safe()
        return key in _global_config

    def __iter__(self) -> Iterator[str]:
        check_thread_safe()
        return iter(_global_config)

    def __len__(self) -> int:
        check_thread_safe()
        return len(_global_config)

    @staticmethod
    def save_template(*args: Any, **kwargs: Any) -> Any:
        """:meth:`Config.save_template` (allowed in thread-safe mode: it touches no state)."""
        return Config.save_template(*args, **kwargs)

    def __repr__(self) -> str:
        if thread_safe_mode():
            return "ConfigProxy (thread-safe mode - use dj.Instance())"
        return repr(_global_config)


config = ConfigProxy()
"""``dj.config``."""
