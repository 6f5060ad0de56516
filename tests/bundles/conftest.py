"""Two installations of one organization in one test: the test's own (the `app` fixture, the
laptop) and a second database with its own instance folder (the server), switched to with
`side.active()`. Both hold the organization's key; the books come from the benchmark's builder
(a savings group with closed meetings and a draft one with loans, a ROSCA with paid rounds)."""

import os
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from peewee import PostgresqlDatabase

from benchmarks.bench_pages import build, build_rosca
from savings_groups.bundles import identity
from savings_groups.core.vocabulary import ConsentScope
from savings_groups.groups import consent
from savings_groups.org import accounts
from savings_groups.store.db import db, open_database
from tests.conftest import PASSWORD, FreshDatabases


class Side:
    """An installation: its database and instance folder, made the active one on demand."""

    def __init__(self, database, instance: Path):
        self.database = database
        self.instance = instance

    @contextmanager
    def active(self):
        previous = db.obj
        db.initialize(self.database)
        try:
            with self.database.connection_context():
                yield
        finally:
            db.initialize(previous)


def second_url(tmp_path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'second.sqlite3'}"
    return url.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1] + "_second"


@pytest.fixture(scope="session")
def second_databases(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:  # the second PostgreSQL database, made once beside the test's
        first = open_database(url)
        name = second_url(tmp_path_factory.getbasetemp()).rsplit("/", 1)[1]
        with first.connection_context():
            exists = first.execute_sql(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if not exists:
                first.execute_sql(f'CREATE DATABASE "{name}"')
    return FreshDatabases(tmp_path_factory.mktemp("second-template"))


@pytest.fixture
def laptop(app, admin):
    """The test's own installation, active for the test (as `conn` is)."""
    side = Side(db.obj, Path(app.instance_path))
    with side.active():
        yield side


@pytest.fixture
def server(laptop, tmp_path, second_databases, policy):
    """A second installation of the same organization (its key imported), empty of groups."""
    url = second_url(tmp_path)
    second_databases.migrated(url)
    side = Side(open_database(url), tmp_path / "server-instance")
    key_file = tmp_path / "org-key.json"
    identity.export_key(laptop.instance, key_file)
    with side.active():
        side.admin = accounts.setup(
            "Programme Retour", "boss", "Bintou Boss", PASSWORD, "fr", policy
        )
        identity.import_key(side.admin, side.instance, key_file)
    yield side
    if not side.database.is_closed():
        side.database.close()
    assert isinstance(side.database, PostgresqlDatabase) or True


@pytest.fixture
def books(laptop, admin):
    """A savings group (5 members, 3 closed meetings, a draft with loans) and a ROSCA (4 hands,
    2 rounds paid out) on the laptop."""
    savings = build(admin, 5, 3)
    rosca = build_rosca(admin, 4, 2)
    consent_to_bundles(admin, savings[0], rosca[0])
    return savings, rosca


def consent_to_bundles(admin, *groups) -> None:
    """Each group's decision lets its books travel in a bundle (without it, export refuses)."""
    for group in groups:
        consent.record_consent(admin, group, set(ConsentScope), date(2026, 1, 5), "The members")
