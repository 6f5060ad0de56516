"""Helpers of the backup tests: the test's SQLite file, its backups folder, what a backup holds."""

import sqlite3
from pathlib import Path

import pytest

from savings_groups import config
from savings_groups.backups import automatic
from savings_groups.store.db import db


@pytest.fixture
def sqlite_file(app) -> Path:
    """The test's SQLite database file; the PostgreSQL run skips (backups there are pg_dump's)."""
    path = automatic.database_file()
    if path is None:
        pytest.skip("SQLite backups: on PostgreSQL the backups are pg_dump's (test_postgres.py)")
    return path


@pytest.fixture
def folder(app) -> Path:
    return config.backup_folder(app)


def ledger_of(path: Path) -> tuple[int, int]:
    """(number of entries, their sum) in a database file."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM entry").fetchone()
    finally:
        connection.close()


@pytest.fixture
def books(admin, make_group, make_member, make_cycle):
    """A group with a cycle and two members, and `buy(amount, member=0)` posting a share purchase
    in its own connection (the restore tests keep no connection open across a restore)."""
    from tests.shareout.test_operations import buy as purchase

    group = make_group()
    cycle = make_cycle(group)
    members = [make_member(group), make_member(group)]

    def buy(amount, member=0):
        with db.connection_context():
            purchase(admin, cycle, members[member], amount // 1_000, amount)

    return buy
