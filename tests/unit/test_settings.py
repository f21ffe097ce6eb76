"""frames.config: DataJoint's connection keys next to frames' ``database.url``."""

from __future__ import annotations

import pytest

from frames.settings import Config, server_url


@pytest.fixture
def config(monkeypatch):
    monkeypatch.setattr("frames.settings.config", Config())
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
