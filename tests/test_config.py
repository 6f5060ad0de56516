"""Configuration layers, the instance folder, and a database that cannot be written."""

import os
import stat

import pytest
from peewee import PostgresqlDatabase

from savings_groups import create_app
from savings_groups.store.db import DatabaseUnavailable, db
from savings_groups.store.models import Organization
from tests.conftest import CHEAP_ARGON2


def test_secret_key_is_made_once_and_readable_by_the_owner_only(tmp_path):
    config = {
        "INSTANCE_PATH": tmp_path / "instance",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **CHEAP_ARGON2,
    }
    first = create_app(config)
    key_file = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) == 64
    assert create_app(config).config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_the_default_database_lives_in_the_instance_folder(tmp_path):
    app = create_app({"INSTANCE_PATH": tmp_path / "instance", **CHEAP_ARGON2})
    assert (
        app.config["DATABASE_URL"]
        == f"sqlite:///{tmp_path / 'instance' / 'savings_groups.sqlite3'}"
    )
    assert (tmp_path / "instance" / "savings_groups.sqlite3").exists()


def test_environment_overrides_defaults_and_the_instance_file(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("IDLE_TIMEOUT_MINUTES = 30\nPASSWORD_MIN_LENGTH = 12\n")
    monkeypatch.setenv("SAVINGS_GROUPS_IDLE_TIMEOUT_MINUTES", "5")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'from-env.sqlite3'}")
    app = create_app({"INSTANCE_PATH": instance, **CHEAP_ARGON2})
    assert app.config["IDLE_TIMEOUT_MINUTES"] == 5  # environment beats the instance file
    assert app.config["PASSWORD_MIN_LENGTH"] == 12  # the instance file beats the defaults
    assert app.config["DATABASE_URL"].endswith("from-env.sqlite3")
    assert app.permanent_session_lifetime.total_seconds() == 300


def test_a_database_in_a_missing_folder_is_refused_clearly(tmp_path):
    url = f"sqlite:///{tmp_path / 'nowhere' / 'db.sqlite3'}"
    with pytest.raises(DatabaseUnavailable) as refused:
        create_app({"INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": url, **CHEAP_ARGON2})
    assert "does not exist" in str(refused.value)


def test_a_database_path_that_cannot_be_opened_is_refused_clearly(tmp_path):
    (tmp_path / "a-folder").mkdir()
    url = f"sqlite:///{tmp_path / 'a-folder'}"
    with pytest.raises(DatabaseUnavailable) as refused:
        create_app({"INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": url, **CHEAP_ARGON2})
    assert "cannot be written" in str(refused.value)


def test_an_unknown_database_url_is_refused(tmp_path):
    with pytest.raises(DatabaseUnavailable) as refused:
        create_app({"INSTANCE_PATH": tmp_path, "DATABASE_URL": "mysql://x/y", **CHEAP_ARGON2})
    assert "sqlite:///" in str(refused.value)


def test_a_read_only_database_shows_a_clear_page_and_saves_nothing(web, admin, conn):
    web.login("admin")
    token = web.csrf("/admin/organization")
    if isinstance(db.obj, PostgresqlDatabase):
        db.execute_sql("SET default_transaction_read_only = on")
    else:
        db.execute_sql("PRAGMA query_only = ON")
    response = web.client.post(
        "/admin/organization", data={"csrf_token": token, "name": "Renamed", "default_locale": "en"}
    )
    assert response.status_code == 503
    assert "cannot be written" in response.get_data(as_text=True)
    if isinstance(db.obj, PostgresqlDatabase):
        db.execute_sql("SET default_transaction_read_only = off")
    else:
        db.execute_sql("PRAGMA query_only = OFF")
    assert Organization.get().name == "Programme Retour"
