"""Fixtures: a real database per test (a SQLite file, or PostgreSQL when TEST_DATABASE_URL says so)."""

import os
import re

import pytest
from peewee import PostgresqlDatabase

from savings_groups import accounts, create_app, groups
from savings_groups.db import db, open_database
from savings_groups.models import Role

PASSWORD = "correct horse battery"
# The same argon2id, at a cost that keeps the suite fast; production uses config.DEFAULTS.
CHEAP_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1}


def database_url(tmp_path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite3'}"


def reset_database(url: str) -> None:
    """Give the test an empty database: a new SQLite file, or an emptied PostgreSQL schema."""
    database = open_database(url)
    if isinstance(database, PostgresqlDatabase):
        with database.connection_context():
            database.execute_sql("DROP SCHEMA public CASCADE")
            database.execute_sql("CREATE SCHEMA public")


@pytest.fixture
def app_config(tmp_path):
    url = database_url(tmp_path)
    reset_database(url)
    return {
        "TESTING": True,
        "INSTANCE_PATH": tmp_path / "instance",
        "DATABASE_URL": url,
        "SECRET_KEY": "test secret key",
        **CHEAP_ARGON2,
    }


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
