"""Schema migrations: from an empty database, from every earlier version, and a newer database refused."""

import pytest
from peewee import PostgresqlDatabase

from savings_groups import create_app
from savings_groups.store import schema
from savings_groups.store.db import open_database
from savings_groups.store.models import ALL_MODELS, Organization, User


@pytest.fixture
def app_config(empty_app_config):
    """These tests start from a database with no schema, not the migrated one the others get."""
    return empty_app_config


@pytest.fixture
def database(app_config):
    database = open_database(app_config["DATABASE_URL"])
    database.connect()
    yield database
    database.close()


def columns(database) -> dict[str, set[str]]:
    return {table: {c.name for c in database.get_columns(table)} for table in database.get_tables()}


def model_columns() -> dict[str, set[str]]:
    return {m._meta.table_name: {f.column_name for f in m._meta.sorted_fields} for m in ALL_MODELS}


def test_migrations_build_the_schema_of_the_models_from_an_empty_database(database):
    applied = schema.upgrade(database)
    assert applied == schema.runner_names()
    built = columns(database)
    for table, wanted in model_columns().items():
        assert built.get(table) == wanted, table
    assert schema.upgrade(database) == []  # nothing left to do


@pytest.mark.parametrize("previous", range(1, len(schema.runner_names())))
def test_upgrade_from_an_earlier_version_keeps_the_data(database, previous):
    names = schema.runner_names()
    schema.upgrade(database, target=names[previous - 1])
    database.execute_sql(
        "INSERT INTO organization (name, default_locale, created_at) VALUES ('Kept', 'fr', '2026-01-01 00:00:00')"
    )
    assert schema.upgrade(database) == names[previous:]
    with database.bind_ctx([Organization]):
        assert Organization.get().name == "Kept"
    assert columns(database)["savings_group"] == model_columns()["savings_group"]


def test_a_database_newer_than_the_code_is_refused(database, app_config):
    schema.upgrade(database)
    runner = schema.runner(database)
    runner.History.create(name="9999_from_the_future")
    with pytest.raises(schema.SchemaTooNew) as refused:
        schema.upgrade(database)
    assert "9999_from_the_future" in str(refused.value)
    assert "newer version" in str(refused.value)
    with pytest.raises(schema.SchemaTooNew):
        create_app(app_config)


def test_the_app_migrates_on_start(app_config, database):
    create_app(app_config)
    with database.bind_ctx([User]):
        assert User.table_exists()
    assert {m.name for m in schema.runner(database).status() if m.applied} == set(
        schema.runner_names()
    )


def test_sqlite_runs_durable_and_with_foreign_keys(app, conn):
    from savings_groups.store.db import db

    if isinstance(db.obj, PostgresqlDatabase):
        pytest.skip("SQLite pragmas")
    pragma = lambda name: db.execute_sql(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("foreign_keys") == 1
    assert pragma("synchronous") == 2  # FULL
    assert pragma("busy_timeout") == 10000
