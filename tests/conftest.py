"""Fixtures: a real database per test (a SQLite file, or PostgreSQL when TEST_DATABASE_URL says so).

Migrating costs more than most tests, so it is done once per session: on SQLite each test gets
its own copy of a migrated template file; on PostgreSQL the tables are emptied between tests.
"""

import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from peewee import PostgresqlDatabase, fn

from savings_groups import create_app
from savings_groups.core.vocabulary import EntryKind, Fund, Role
from savings_groups.groups import operations as groups
from savings_groups.ledger import entries as ledger
from savings_groups.org import accounts
from savings_groups.store import schema
from savings_groups.store.db import close_pools, db, open_database
from savings_groups.store.models import Attendance, Cycle, Meeting, Member

PASSWORD = "correct horse battery"
# The same argon2id, at a cost that keeps the suite fast; production uses config.DEFAULTS.
CHEAP_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1}


def database_url(tmp_path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite3'}"


class FreshDatabases:
    """Hands each test a migrated database with no rows, migrating once per session.

    SQLite: the template file is migrated once, and each test gets a copy of it at its own path.
    PostgreSQL: the schema is migrated once and every table but the migrations' is emptied before
    each test; a test that asks for an empty schema drops it, and the next test migrates again.
    """

    def __init__(self, folder: Path):
        self.template = folder / "migrated.sqlite3"
        self.postgres_tables = None  # what TRUNCATE empties, once this session has migrated

    def migrated(self, url: str) -> None:
        database = open_database(url)
        if isinstance(database, PostgresqlDatabase):
            with database.connection_context():
                if self.postgres_tables:
                    database.execute_sql(
                        f"TRUNCATE {self.postgres_tables} RESTART IDENTITY CASCADE"
                    )
                else:
                    drop_schema(database)
                    schema.upgrade(database)
                    self.postgres_tables = tables_to_empty(database)
        else:
            if not self.template.exists():
                self.make_template()
            shutil.copyfile(self.template, database.database)

    def empty(self, url: str) -> None:
        """An empty database: a SQLite file not made yet, or a dropped PostgreSQL schema."""
        database = open_database(url)
        if isinstance(database, PostgresqlDatabase):
            with database.connection_context():
                drop_schema(database)
            self.postgres_tables = None

    def make_template(self) -> None:
        database = open_database(f"sqlite:///{self.template}")
        with database.connection_context():
            schema.upgrade(database)
            # Fold the write-ahead log into the file, so that the file alone is the database.
            database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        assert not Path(f"{self.template}-wal").exists(), "the template is not checkpointed"


def drop_schema(database) -> None:
    database.execute_sql("DROP SCHEMA public CASCADE")
    database.execute_sql("CREATE SCHEMA public")


def tables_to_empty(database) -> str:
    """Every table but the migrations', quoted for TRUNCATE (RESTART IDENTITY: ids from 1 again)."""
    kept = schema.runner(database).table_name
    return ", ".join(f'"{t}"' for t in database.get_tables() if t != kept)


@pytest.fixture(scope="session")
def fresh_databases(tmp_path_factory):
    return FreshDatabases(tmp_path_factory.mktemp("template"))


def app_settings(tmp_path, url: str) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": tmp_path / "instance",
        "DATABASE_URL": url,
        "SECRET_KEY": "test secret key",
        **CHEAP_ARGON2,
    }


@pytest.fixture
def app_config(tmp_path, fresh_databases):
    """The settings of a test's app, its database migrated and empty."""
    url = database_url(tmp_path)
    fresh_databases.migrated(url)
    return app_settings(tmp_path, url)


@pytest.fixture
def empty_app_config(tmp_path, fresh_databases):
    """The same settings, with a database that has no schema yet (for migrations, `init`)."""
    url = database_url(tmp_path)
    fresh_databases.empty(url)
    return app_settings(tmp_path, url)


@pytest.fixture(autouse=True)
def closed_pools():
    """PostgreSQL: every app a test made (the fixture's, or its own through create_app) has its
    pooled connections closed when the test ends, not left to the garbage collector."""
    yield
    close_pools()


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    yield app
    if not db.is_closed():
        db.close()


@pytest.fixture
def conn(app):
    """A connection for tests that call the domain directly."""
    with db.connection_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def policy(app):
    return accounts.LoginPolicy.from_config(app.config)


@pytest.fixture
def admin(app, policy):
    with db.connection_context():
        return accounts.setup("Programme Retour", "admin", "Awa Admin", PASSWORD, "en", policy)


@pytest.fixture
def make_user(app, admin, policy):
    def make(username, role=Role.FACILITATOR, groups=(), locale=None, password=PASSWORD):
        with db.connection_context():
            return accounts.create_user(
                admin,
                username,
                username.title(),
                role,
                password,
                locale,
                policy,
                group_ids=[g.id for g in groups],
            )

    return make


@pytest.fixture
def make_group(app, admin):
    counter = iter(range(1, 10_000))

    def make(name=None, kind="savings", currency="XOF", **place):
        with db.connection_context():
            details = groups.GroupDetails(name or f"Group {next(counter)}", kind, currency, **place)
            return groups.create_group(admin, details)

    return make


@pytest.fixture
def make_member(app, admin):
    """A member of a group (returnee by default), numbered in order."""

    def make(
        group, full_name=None, member_type="returnee", gender="female", joined_on=None, **fields
    ):
        with db.connection_context():
            number = (
                Member.select(fn.MAX(Member.number)).where(Member.group == group).scalar() or 0
            ) + 1
            return Member.create(
                group=group,
                number=number,
                full_name=full_name or f"Member {number}",
                member_type=member_type,
                gender=gender,
                joined_on=joined_on or date(2026, 1, 1),
                **fields,
            )

    return make


@pytest.fixture
def make_cycle(app, admin):
    """A cycle of a group with its rules; share value 1,000 minor units unless said otherwise."""

    def make(group, start_date=date(2026, 1, 5), planned_end=date(2026, 12, 28), **rules):
        with db.connection_context():
            number = (
                Cycle.select(fn.MAX(Cycle.number)).where(Cycle.group == group).scalar() or 0
            ) + 1
            return Cycle.create(
                group=group,
                number=number,
                start_date=start_date,
                planned_end=planned_end,
                **{"share_value": 1000, "social_fund_contribution": 200, **rules},
            )

    return make


class Browser:
    """A test client that logs in through the login form, as a person would."""

    def __init__(self, client):
        self.client = client

    def csrf(self, path="/login"):
        page = self.client.get(path).get_data(as_text=True)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def login(self, username, password=PASSWORD):
        token = self.csrf("/login")
        return self.client.post(
            "/login", data={"csrf_token": token, "username": username, "password": password}
        )

    def post(self, path, data=None, form_path=None, **kwargs):
        """Post a form with the CSRF token of the page it comes from."""
        token = self.csrf(form_path or path)
        return self.client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


@pytest.fixture
def web(client):
    return Browser(client)


# --- a group whose meetings and entries a test writes by hand ---------------------------------

A, L, P, R, X = "absent", "late", "present", "represented", "excused"


@pytest.fixture
def world(conn, admin, make_group, make_member, make_cycle):
    """A group, its cycle, members, and a helper to hold meetings with entries."""

    class World:
        def __init__(self, currency="XOF"):
            self.group = make_group(currency=currency)
            self.cycle = make_cycle(self.group)
            self.members = [make_member(self.group) for _ in range(3)]

        def meeting(self, day, status="closed", attendance=(), cycle=None):
            meeting = Meeting.create(
                group=self.group, cycle=cycle or self.cycle, held_on=day, status=status
            )
            for member, state in zip(self.members, attendance, strict=False):
                Attendance.create(meeting=meeting, member=member, status=state)
            return meeting

        def post(self, fund, kind, amount, member=None, meeting=None, shares=0, cycle=None):
            return ledger.post(
                admin,
                self.group,
                fund,
                kind,
                amount,
                cycle=cycle or self.cycle,
                meeting=meeting,
                member=member,
                shares=shares,
            )

    return World


def buy(w, member, meeting, shares, value=1_000):
    return w.post(Fund.LOAN_FUND, EntryKind.SHARE_PURCHASE, shares * value, member, meeting, shares)
