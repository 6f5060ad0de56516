"""The test database itself: migrated once per session, yet every test starts from a database of
its own with the whole schema, no rows and ids from 1 (see FreshDatabases in conftest.py)."""

import pytest
from peewee import SqliteDatabase

from savings_groups.store import schema
from savings_groups.store.db import db, open_database
from savings_groups.store.models import ALL_MODELS, Organization
from tests.conftest import database_url


def assert_migrated_and_empty(database) -> None:
    assert all(m.applied for m in schema.runner(database).status())
    assert {m.name for m in schema.runner(database).status()} == set(schema.runner_names())
    with database.bind_ctx(ALL_MODELS):
        for model in ALL_MODELS:
            assert model.table_exists(), model
            assert model.select().count() == 0, model


@pytest.mark.parametrize("run", ["first", "second"])
def test_each_test_starts_migrated_empty_and_counting_from_one(app, conn, run):
    assert_migrated_and_empty(db.obj)  # the second run sees nothing of the first
    assert Organization.create(name=run, default_locale="en").id == 1


def test_on_sqlite_each_test_has_a_file_of_its_own(app, tmp_path):
    if not isinstance(db.obj, SqliteDatabase):
        pytest.skip("SQLite only")
    assert db.obj.database == str(tmp_path / "test.sqlite3")


def test_after_a_test_that_dropped_the_schema_the_next_one_migrates_again(
    fresh_databases, tmp_path
):
    url = database_url(tmp_path)
    fresh_databases.empty(url)
    fresh_databases.migrated(url)
    database = open_database(url)
    with database.connection_context():
        assert_migrated_and_empty(database)
