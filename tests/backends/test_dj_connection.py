"""DataJoint's connection API: ``Connection(host, user, password)``, ``conn()``, ``query()``."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

import frames as dj
from frames.api import connection as connection_module
from frames.errors import (
    DatabaseConnectionError,
    LostConnectionError,
    QueryError,
    QuerySyntaxError,
    TransactionError,
    UnknownAttributeError,
)
from frames.settings import config

_BACKEND_NAMES = {"postgres": "postgresql", "mysql": "mysql"}


@pytest.fixture
def datajoint_args(backend_name, backend_url):
    """DataJoint's connection arguments for the test server, ``database.backend`` set."""
    url = make_url(backend_url)
    saved = {key: config[key] for key in ("database.backend", "database.name")}
    config["database.backend"] = _BACKEND_NAMES[backend_name]
    config["database.name"] = url.database
    yield {"host": f"{url.host}:{url.port}", "user": url.username, "password": url.password or ""}
    for key, value in saved.items():
        config[key] = value


@pytest.fixture
def opened(backend_url):
    connection = dj.connect(backend_url)
    yield connection
    connection.close()


@pytest.mark.backends("postgres", "mysql")
def test_connection_from_host_with_port(datajoint_args, backend_name):
    with dj.Connection(**datajoint_args) as connection:
        assert connection.is_connected
        assert connection.dialect == backend_name
        assert connection.query("SELECT 1 + %s", (1,)).fetchone() == (2,)
    assert not connection.is_connected


@pytest.mark.backends("postgres", "mysql")
def test_conn_uses_its_arguments_only_when_it_opens(datajoint_args, monkeypatch):
    monkeypatch.setattr(connection_module, "_default", None)
    first = dj.conn(**datajoint_args)
    assert dj.conn(host="nowhere.invalid") is first
    second = dj.conn(reset=True, **datajoint_args)
    assert second is not first and second.is_connected
    first.close()
    second.close()


@pytest.mark.backends("postgres", "mysql")
def test_bad_credentials_raise_a_connection_error(datajoint_args):
    with pytest.raises(DatabaseConnectionError, match="cannot connect"):
        dj.Connection(datajoint_args["host"], "no_such_user", "wrong")


def test_query_binds_pyformat_arguments(opened):
    assert opened.query("SELECT %s AS a, %s AS b", (1, "x%")).fetchall() == [(1, "x%")]
    assert opened.query("SELECT %(n)s AS n, %(n)s AS m", {"n": 4}).fetchone() == (4, 4)
    assert opened.query("SELECT '100%%' AS p").fetchone() == ("100%",)


def test_query_cursor_reads_like_dbapi(opened):
    cursor = opened.query("SELECT 1 AS a UNION ALL SELECT 2 UNION ALL SELECT 3 ORDER BY 1")
    assert cursor.rowcount == 3 and cursor.description[0][0] == "a"
    assert cursor.fetchone() == (1,)
    assert cursor.fetchmany(1) == [(2,)]
    assert list(cursor) == [(3,)]
    assert cursor.fetchone() is None
    assert opened.query("SELECT 5 AS a", as_dict=True).fetchall() == [{"a": 5}]


def test_query_errors_are_frames_errors(opened):
    with pytest.raises(QueryError):
        opened.query("SELEC 1")


def test_query_reconnects_a_closed_connection(backend_name, opened):
    opened.close()
    assert not opened.is_connected
    with pytest.raises(DatabaseConnectionError):
        opened.query("SELECT 1", reconnect=False)
    if backend_name == "duckdb":  # an in-memory database is gone once closed
        with pytest.raises(DatabaseConnectionError, match="in-memory"):
            opened.query("SELECT 1", reconnect=True)
        return
    assert opened.query("SELECT 1", reconnect=True).fetchone() == (1,)
    assert opened.is_connected


@pytest.mark.backends("postgres", "mysql")
def test_closing_inside_a_transaction_loses_it(opened):
    with pytest.raises(LostConnectionError, match="during a transaction"), opened.transaction:
        opened.close()
        opened.query("SELECT 1", reconnect=True)
    assert opened.is_connected and not opened.in_transaction


def test_adapter_names_the_server_and_quotes(backend_name, opened):
    assert opened.adapter.backend == {"postgres": "postgresql"}.get(backend_name, backend_name)
    quoted = opened.adapter.quote_identifier('we"ird`name')
    assert opened.query(f"SELECT 1 AS {quoted}", as_dict=True).fetchone() == {'we"ird`name': 1}


def test_list_schemas_shows_user_schemas_only(opened, schema_name):
    opened.backend.create_schema(schema_name)
    schemas = dj.list_schemas(opened)
    assert schema_name in schemas
    assert not {"information_schema", "mysql", "pg_catalog"} & set(schemas)


def test_session_identity(backend_name, opened):
    if backend_name == "duckdb":
        assert opened.connection_id is None
    else:
        assert isinstance(opened.connection_id, int)
        assert opened.get_user().startswith(make_url(opened.backend.url).username)


def test_explicit_transactions(opened, schema_name):
    opened.backend.create_schema(schema_name)
    table = f"{opened.adapter.quote_identifier(schema_name)}.{opened.adapter.quote_identifier('t')}"
    opened.query(f"CREATE TABLE {table} (x INTEGER)")
    opened.start_transaction()
    assert opened.in_transaction
    with pytest.raises(TransactionError, match="already open"):
        opened.start_transaction()
    opened.query(f"INSERT INTO {table} VALUES (1)")
    opened.cancel_transaction()
    with opened.transaction as same:
        assert same is opened
        opened.query(f"INSERT INTO {table} VALUES (2)")
    assert opened.query(f"SELECT x FROM {table}").fetchall() == [(2,)]


def test_errors_follow_datajoint_classes(opened):
    with pytest.raises(QuerySyntaxError):
        opened.query("SELEC 1")
    with pytest.raises(UnknownAttributeError):
        opened.query("SELECT nope FROM (SELECT 1 AS x) AS t")


@pytest.mark.backends("postgres", "mysql")
def test_use_tls_is_recorded_and_optional(datajoint_args):
    for use_tls in (False, None):
        with dj.Connection(**datajoint_args, use_tls=use_tls) as connection:
            assert connection.conn_info["ssl_input"] is use_tls
            assert ("ssl" in connection.conn_info) is (use_tls is not False)
            assert connection.query("SELECT 1").fetchone() == (1,)


@pytest.mark.backends("mysql")
def test_a_refused_mysql_login_is_also_the_drivers_error(datajoint_args):
    import pymysql

    with pytest.raises(pymysql.err.OperationalError):
        dj.Connection(datajoint_args["host"], "no_such_user", "wrong", use_tls=False)


@pytest.mark.backends("postgres", "mysql")
def test_instance_has_its_own_config_and_connection(datajoint_args, backend_name):
    instance = dj.Instance(
        **datajoint_args,
        backend=_BACKEND_NAMES[backend_name],
        safemode=False,
        database__reconnect=False,
    )
    try:
        assert instance.config.safemode is False and config.safemode is True
        assert instance.config.database.reconnect is False
        schema = instance.Schema(f"djtest_cfg_instance_{backend_name}")
        try:
            assert schema.connection is instance.connection
            quoted = schema.connection.adapter.quote_identifier(schema.database)
            schema.connection.query(f"CREATE TABLE {quoted}.t (x INTEGER)")
            assert len(instance.FreeTable(f"{schema.database}.t")) == 0
        finally:
            schema.drop(prompt=False)
        instance.connection.close()
        with pytest.raises(LostConnectionError):
            instance.connection.query("SELECT 1")  # no reconnect: the instance's setting
    finally:
        instance.connection.close()


@pytest.mark.backends("postgres", "mysql")
def test_connect_without_url_uses_datajoint_keys(datajoint_args, backend_name, monkeypatch):
    for key in ("host", "user", "password"):
        monkeypatch.setitem(config, f"database.{key}", datajoint_args[key])
    monkeypatch.setattr(connection_module, "_default", None)
    with dj.connect() as connection:
        assert connection.dialect == backend_name
        assert connection.conn_info["user"] == datajoint_args["user"]
    monkeypatch.setitem(config, "database.user", None)
    with pytest.raises(dj.DataJointError, match="user not configured"):
        dj.connect()


def test_query_cache_answers_reads_and_refuses_writes(opened, schema_name, tmp_path, monkeypatch):
    monkeypatch.setattr(config, "query_cache", tmp_path / "cache")
    schema = dj.Schema(schema_name, connection=opened)

    @schema
    class Reading(dj.Manual):
        definition = """
        reading_id : int32
        ---
        value : float64
        """

    Reading.insert([{"reading_id": 1, "value": 0.5}, {"reading_id": 2, "value": 1.5}])
    opened.set_query_cache("first")
    cached = Reading().to_arrays("value", order_by="reading_id")
    assert len(Reading()) == 2
    with pytest.raises(QueryError, match="query caching"):
        Reading.insert1({"reading_id": 3, "value": 2.5})
    with pytest.raises(QueryError, match="query caching"):
        opened.query("DELETE FROM x")
    opened.set_query_cache()
    Reading.insert1({"reading_id": 3, "value": 2.5})
    opened.set_query_cache("first")
    assert list(Reading().to_arrays("value", order_by="reading_id")) == list(cached)
    assert len(Reading()) == 2  # the cached answer
    opened.set_query_cache("second")
    assert len(Reading()) == 3
    opened.set_query_cache()
    opened.purge_query_cache()
    assert not any((tmp_path / "cache").iterdir())
    schema.drop(prompt=False)


@pytest.mark.backends("mysql")
def test_required_tls_is_refused_by_a_server_without_it(datajoint_args):
    if (
        dj.Connection(**datajoint_args).query("SHOW VARIABLES LIKE 'have_ssl'").fetchone()[1]
        == "YES"
    ):
        pytest.skip("this server offers TLS")
    with pytest.raises(DatabaseConnectionError, match="SSL"):
        dj.Connection(**datajoint_args, use_tls=True)


def test_dependencies_is_the_connections_foreign_key_graph(opened, schema_name):
    schema = dj.Schema(schema_name, connection=opened)

    @schema
    class Parent(dj.Manual):
        definition = """
        parent_id : int32
        """

    @schema
    class Child(dj.Manual):
        definition = """
        -> Parent
        child_id : int32
        """

    graph = opened.dependencies
    assert graph is opened.dependencies
    graph.load(schema_names=[schema_name])
    assert [
        (a.rsplit(".", 1)[1].strip('`"'), b.rsplit(".", 1)[1].strip('`"')) for a, b in graph.edges()
    ] == [("parent", "child")]
    schema.drop(prompt=False)
