"""frames.config: DataJoint's connection keys next to frames' ``database.url``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import frames as dj
from frames.api.instance import _load_thread_safe
from frames.errors import FramesError, ThreadSafetyError
from frames.settings import ENV_VAR_MAPPING, Config, create_config, server_url


@pytest.fixture
def config(monkeypatch):
    monkeypatch.setattr("frames.settings.config", Config(environment=False))
    monkeypatch.delenv("FRAMES_DATABASE_URL", raising=False)
    from frames.settings import config

    return config


def test_nothing_configured_means_in_memory_duckdb(config):
    assert config["database.host"] is None
    assert config.database_url() == "duckdb://"


def test_frames_url_variable_is_the_default_when_no_host_is_set(config, monkeypatch):
    monkeypatch.setenv("FRAMES_DATABASE_URL", "postgresql://u@h/db")
    assert config.database_url() == "postgresql://u@h/db"
    config["database.host"] = "db.example.org"
    config["database.user"] = "me"
    assert str(config.database_url()) == "mysql://me@db.example.org:3306"
    config["database.url"] = "duckdb:///x.duckdb"
    assert config.database_url() == "duckdb:///x.duckdb"


def test_server_url_follows_backend_port_and_name(config):
    assert str(server_url("h:3307", "u", "p")) == "mysql://u:***@h:3307"
    config["database.backend"] = "postgresql"
    assert str(server_url("h", "u", None)) == "postgresql://u@h:5432/postgres"
    config["database.port"] = "6543"
    config["database.name"] = "lab"
    assert config["database.port"] == 6543
    assert str(server_url("h", "u", None)) == "postgresql://u@h:6543/lab"


def test_invalid_values_are_rejected(config):
    with pytest.raises(ValueError, match="database.backend"):
        config["database.backend"] = "oracle"
    with pytest.raises(KeyError, match="unknown setting"):
        config["database.hots"] = "x"
    assert config.get("database.hots", 7) == 7


def test_attribute_and_dotted_access_are_the_same_setting(config):
    config.database.host = "h1"
    assert config["database.host"] == "h1"
    config["jobs.add_job_metadata"] = True
    assert config.jobs.add_job_metadata is True
    assert config.database.port == 3306
    config.database.backend = "postgresql"
    assert config["database.port"] == 5432  # unset: follows the backend
    config.stores["local"] = {"protocol": "file", "location": "/tmp"}
    assert config["stores.local.location"] == "/tmp"
    config.stores.clear()
    assert config["stores"] == {}


def test_values_are_checked_when_set(config):
    with pytest.raises(ValueError, match="database.port"):
        config.database.port = "not_an_integer"
    with pytest.raises(ValueError, match="loglevel"):
        config.loglevel = "LOUD"
    with pytest.raises(ValueError, match="jobs.default_priority"):
        config.jobs.default_priority = 256
    with pytest.raises(AttributeError, match="unknown setting 'jobs.nope'"):
        config.jobs.nope = 1
    config.query_cache = "/tmp/cache"
    assert config.query_cache == Path("/tmp/cache")
    config["safemode"] = "false"
    assert config.safemode is False


def test_delete_restores_the_default(config):
    config.display.limit = 3
    del config["display.limit"]
    assert config.display.limit == 12


def test_override_restores_even_after_an_error(config):
    config.jobs.add_job_metadata = True
    with (
        pytest.raises(RuntimeError),
        config.override(safemode=False, database__host="tmp", jobs={"keep_completed": True}),
    ):
        assert (config.safemode, config.database.host) == (False, "tmp")
        assert config.jobs.keep_completed and not config.jobs.add_job_metadata
        raise RuntimeError
    assert config.safemode is True and config.database.host is None
    assert config.jobs.add_job_metadata and not config.jobs.keep_completed
    with pytest.raises(KeyError), config.override(nope=1):
        pass


def test_load_reads_nested_and_dotted_keys_below_the_environment(config, tmp_path, monkeypatch):
    path = tmp_path / "datajoint.json"
    path.write_text(
        json.dumps(
            {
                "database": {"host": "file-host", "user": "file-user"},
                "display.limit": 5,
                "stores": {"main": {"protocol": "file", "location": "/data"}},
                "mystery": 1,
            }
        )
    )
    monkeypatch.setenv("DJ_USER", "env-user")
    config.database.user = "env-user"
    with pytest.warns(UserWarning, match="mystery"):
        config.load(path)
    assert (config.database.host, config.database.user) == ("file-host", "env-user")
    assert config.display.limit == 5 and config.stores["main"]["location"] == "/data"
    with pytest.raises(FileNotFoundError):
        config.load(tmp_path / "missing.json")


def test_environment_variables(monkeypatch):
    monkeypatch.setenv("DJ_HOST", "env-host")
    monkeypatch.setenv("DJ_PORT", "3307")
    monkeypatch.setenv("DJ_JOBS_KEEP_COMPLETED", "true")
    settings = Config()
    assert settings.database.host == "env-host" and settings.database.port == 3307
    assert settings.jobs.keep_completed is True
    assert ENV_VAR_MAPPING["database.password"] == "DJ_PASS"


def test_create_config_finds_the_project_file_and_secrets(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "src").mkdir()
    (project / "datajoint.json").write_text('{"database": {"host": "db", "user": "file"}}')
    (project / ".secrets").mkdir()
    (project / ".secrets" / "database.user").write_text("secret-user\n")
    (project / ".secrets" / "database.password").write_text("pw\n")
    (project / ".secrets" / "stores.main.secret_key").write_text("k\n")
    monkeypatch.chdir(project / "src")
    for variable in ("DJ_HOST", "DJ_USER", "DJ_PASS", "DJ_STORES", "DJ_IGNORE_CONFIG_FILE"):
        monkeypatch.delenv(variable, raising=False)
    settings = create_config()
    assert settings.config_path == project / "datajoint.json"
    assert settings.database.user == "file"  # the file wins over the secrets directory
    assert settings.database.password == "pw"
    assert settings.stores["main"] == {"secret_key": "k"}
    monkeypatch.setenv("DJ_STORES", '{"other": {"protocol": "file", "location": "/x"}}')
    assert set(create_config().stores) == {"other", "main"}
    monkeypatch.setenv("DJ_IGNORE_CONFIG_FILE", "1")
    assert create_config().database.host is None


def test_save_template_writes_the_file_and_secrets(tmp_path):
    path = Config.save_template(tmp_path / "datajoint.json", minimal=False)
    assert json.loads(path.read_text())["stores"]["default"] == "main"
    assert (tmp_path / ".secrets" / "database.password").is_file()
    with pytest.raises(FileExistsError):
        Config.save_template(path)


def test_store_spec_fills_defaults_and_checks_keys(config):
    config.stores = {
        "default": "main",
        "main": {"protocol": "file", "location": "/data"},
        "s3": {"protocol": "s3", "location": "x", "endpoint": "e"},
        "bad": {"protocol": "file", "location": "/d", "bucket": "b"},
        "nested": {
            "protocol": "file",
            "location": "/d",
            "hash_prefix": "a",
            "schema_prefix": "a/b",
        },
    }
    spec = config.get_store_spec()
    assert spec["location"] == "/data" and spec["token_length"] == 8
    for store, message in [
        ("s3", "missing: bucket"),
        ("bad", "Invalid key"),
        ("nested", "overlap"),
        ("nowhere", "not configured"),
    ]:
        with pytest.raises(FramesError, match=message):
            config.get_store_spec(store)
    with pytest.raises(FramesError, match="filepath_default is not configured"):
        config.get_store_spec(use_filepath_default=True)


def test_thread_safe_mode_refuses_the_global_state(monkeypatch):
    monkeypatch.setenv("DJ_THREAD_SAFE", "true")
    assert _load_thread_safe()
    with pytest.raises(ThreadSafetyError):
        dj.config["safemode"]
    with pytest.raises(ThreadSafetyError):
        dj.conn()
    monkeypatch.setenv("DJ_THREAD_SAFE", "0")
    assert dj.config["safemode"] in (True, False)
