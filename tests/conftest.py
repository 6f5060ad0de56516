"""Fixtures: a real database per test (a SQLite file, or PostgreSQL when TEST_DATABASE_URL says so)."""

import os
import re
from datetime import date

import pytest
from peewee import PostgresqlDatabase, fn

from savings_groups import create_app
from savings_groups.core.vocabulary import EntryKind, Fund, Role
from savings_groups.groups import operations as groups
from savings_groups.ledger import entries as ledger
from savings_groups.org import accounts
from savings_groups.store.db import db, open_database
from savings_groups.store.models import Attendance, Cycle, Meeting, Member

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


def app_settings(tmp_path, url: str) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": tmp_path / "instance",
        "DATABASE_URL": url,
        "SECRET_KEY": "test secret key",
        **CHEAP_ARGON2,
    }


@pytest.fixture
def app_config(tmp_path):
    url = database_url(tmp_path)
    reset_database(url)
    return app_settings(tmp_path, url)


@pytest.fixture
def empty_app_config(tmp_path):
    """The same settings, with a database that has no schema yet (for migrations, `init`)."""
    url = database_url(tmp_path)
    reset_database(url)
    return app_settings(tmp_path, url)


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
