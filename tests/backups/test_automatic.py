# ruff: noqa: F811  (the club fixture is imported, and named as a test argument)
"""The automatic backups: at start, daily, before an upgrade of the database, before a share-out
is finalised; and a folder that cannot be written gives a clear message, not a traceback."""

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, date, timedelta

import pytest

from savings_groups import create_app
from savings_groups.backups import automatic, files
from savings_groups.core.vocabulary import BackupReason, EntryKind
from savings_groups.shareout import operations as closing
from savings_groups.store import schema
from savings_groups.store.db import open_database
from savings_groups.store.models import Entry
from tests.backups.conftest import ledger_of
from tests.shareout.test_operations import club  # noqa: F401  (the fixture)


def reasons(folder):
    return [b.reason for b in files.listing(folder)]


def test_no_backup_at_start_while_there_is_nothing_to_keep(sqlite_file, folder):
    assert reasons(folder) == []


def test_a_backup_at_start_once_the_organization_exists(sqlite_file, folder, admin, app_config):
    create_app(app_config)
    assert reasons(folder) == [BackupReason.START]


def test_no_automatic_backup_when_turned_off(sqlite_file, folder, admin, app_config):
    create_app({**app_config, "BACKUPS_AUTOMATIC": False})
    assert reasons(folder) == []


def test_the_daily_backup_when_the_newest_is_a_day_old(sqlite_file, folder, admin, app_config):
    create_app({**app_config, "BACKUP_KEEP": 5})
    start = files.listing(folder)[0]
    assert automatic.daily_if_due() is None  # looked for an hour after start at the earliest
    assert automatic.daily(start.taken_at + timedelta(hours=23)) is None
    daily = automatic.daily(start.taken_at + timedelta(hours=24))
    assert daily.reason == BackupReason.DAILY
    assert sorted(reasons(folder)) == [BackupReason.DAILY, BackupReason.START]


def test_a_backup_before_the_database_is_upgraded(empty_app_config, tmp_path):
    database = open_database(empty_app_config["DATABASE_URL"])
    if not isinstance(database, type(open_database("sqlite:///x"))):
        pytest.skip("SQLite backups: on PostgreSQL the operator runs pg_dump before upgrading")
    names = schema.runner_names()
    with database.connection_context():
        schema.upgrade(database, target=names[-2])
        database.execute_sql(
            "INSERT INTO organization (name, default_locale, created_at) "
            "VALUES ('Kept', 'fr', '2026-01-01 00:00:00')"
        )
    app = create_app(empty_app_config)
    folder = automatic.settings.folder
    assert str(folder).startswith(app.instance_path)
    assert reasons(folder) == [BackupReason.START, BackupReason.MIGRATION]
    before = files.listing(folder)[1].path
    connection = sqlite3.connect(before)
    applied = {row[0] for row in connection.execute("SELECT name FROM schema_migration")}
    connection.close()
    assert applied == set(names[:-1])  # the database as it was, before the last migration
    create_app(empty_app_config)  # nothing to migrate: no other backup before a migration
    assert reasons(folder).count(BackupReason.MIGRATION) == 1


def test_a_backup_just_before_a_share_out_is_finalised(sqlite_file, folder, admin, club):
    group, cycle, _people = club([10, 6, 4])
    closing.finalise(admin, group, cycle, date(2026, 3, 2))
    [backup] = files.listing(folder)
    assert backup.reason == BackupReason.SHAREOUT
    assert ledger_of(backup.path) == (3, 20_000)  # the three share purchases, no payout yet
    assert Entry.select().where(Entry.kind == EntryKind.SHARE_OUT.value).count() == 3


def test_a_read_only_backups_folder_gives_a_clear_message(sqlite_file, folder, conn):
    files.private_folder(folder)
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: chmod does not stop root from writing")
        with pytest.raises(files.BackupFailed, match="Permission denied"):
            files.take(sqlite_file, folder, BackupReason.MANUAL)
    finally:
        folder.chmod(0o700)
    assert files.listing(folder) == []


FULL_DISK = """
import resource, signal, sys
from savings_groups.cli import main
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a full disk: writes fail with an error
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
sys.argv = ["savings-groups", "backup", sys.argv[1]]
main()
"""


def test_a_full_disk_gives_a_clear_message_and_leaves_no_backup(
    sqlite_file, app_config, admin, tmp_path
):
    assert sqlite_file.stat().st_size > 200_000  # the copy cannot fit
    stick = tmp_path / "stick"
    stick.mkdir()
    env = {
        **os.environ,
        "SAVINGS_GROUPS_INSTANCE": str(app_config["INSTANCE_PATH"]),
        "DATABASE_URL": app_config["DATABASE_URL"],
        "PYTHONPATH": os.getcwd(),
    }
    done = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(stick)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "The backup could not be written in" in done.stderr
    assert "Traceback" not in done.stderr
    assert os.listdir(stick) == []  # not even a partial file left behind
    assert files.integrity_problem(sqlite_file) is None


def test_backups_of_a_day_are_kept_in_utc_names(sqlite_file, folder, conn):
    backup = files.take(sqlite_file, folder, BackupReason.MANUAL)
    assert backup.taken_at.tzinfo == UTC
    assert backup.name[15:31] == backup.taken_at.strftime("%Y%m%dT%H%M%SZ")


def test_how_many_are_kept_is_a_setting_of_the_environment(
    sqlite_file, folder, admin, app_config, monkeypatch
):
    monkeypatch.setenv("SAVINGS_GROUPS_BACKUP_KEEP", "2")
    for _start in range(4):
        create_app(app_config)
    assert automatic.settings.keep == 2
    assert reasons(folder) == [BackupReason.START, BackupReason.START]
