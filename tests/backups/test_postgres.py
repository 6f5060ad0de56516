"""PostgreSQL: backups are pg_dump's custom format and restoring is pg_restore --clean in one
transaction; the dump is checked first (readable, schema version, same organization)."""

import os
import shutil
import stat
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from click.testing import CliRunner

from savings_groups.backups import postgres
from savings_groups.backups.files import BackupFailed, BadBackup, listing
from savings_groups.cli import main
from savings_groups.core.vocabulary import BackupReason
from savings_groups.store.db import db, open_database


@pytest.fixture
def url(app_config):
    if not app_config["DATABASE_URL"].startswith("postgres"):
        pytest.skip("PostgreSQL: run with TEST_DATABASE_URL=postgresql://…")
    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    return app_config["DATABASE_URL"]


def ledger_in(url) -> tuple[int, int]:
    database = open_database(url)
    with database.connection_context():
        return tuple(
            database.execute_sql("SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM entry").fetchone()
        )


def execute(url, sql):
    database = open_database(url)
    with database.connection_context():
        database.execute_sql(sql)


@pytest.fixture
def scratch(url):
    """A new empty database beside the test's, dropped afterwards."""
    name = f"backups_scratch_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(url)
    server = open_database(urlunsplit(parts._replace(path="/postgres")))
    server.connect()
    server.connection().autocommit = True
    server.execute_sql(f'CREATE DATABASE "{name}"')
    yield urlunsplit(parts._replace(path=f"/{name}"))
    server.execute_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.close()


@pytest.fixture
def dump(url, app, books, tmp_path):
    # A time whose microseconds end in 0: pg_restore writes .12345 where Python writes .123450.
    execute(url, "UPDATE organization SET created_at = '2026-01-01 10:00:00.12345'")
    books(5_000)
    books(2_000, member=1)
    return postgres.take(url, tmp_path / "backups", BackupReason.MANUAL)


def test_a_dump_is_an_owner_only_custom_format_file(dump, tmp_path):
    assert dump.name.endswith("-manual.dump")
    assert dump.path.read_bytes()[:5] == b"PGDMP"
    assert stat.S_IMODE(dump.path.stat().st_mode) == 0o600
    assert listing(tmp_path / "backups") == [dump]


def test_a_dump_restored_into_a_new_database_gives_back_the_entries(dump, scratch, tmp_path):
    done = postgres.restore(dump.path, scratch, tmp_path / "backups")
    assert done.kept_aside is None  # the new database had nothing to keep
    assert ledger_in(scratch) == (2, 7_000)


def test_a_restore_round_trip_keeps_the_replaced_database_aside(url, dump, books, tmp_path):
    books(9_000)
    assert ledger_in(url) == (3, 16_000)
    db.close()
    done = postgres.restore(dump.path, url, tmp_path / "backups")
    assert ledger_in(url) == (2, 7_000)
    assert done.kept_aside.name.endswith("-replaced.dump")
    books(1_000)  # the app goes on writing in the restored database
    assert ledger_in(url) == (3, 8_000)


@pytest.fixture
def refused(url, dump, tmp_path):
    def restore(path):
        with pytest.raises((BadBackup, BackupFailed)) as refusal:
            postgres.restore(path, url, tmp_path / "backups")
        assert ledger_in(url) == (2, 7_000)
        return str(refusal.value)

    return restore


def test_a_file_that_is_not_a_dump_is_refused(refused, tmp_path):
    text = tmp_path / "notes.dump"
    text.write_text("Minutes of the meeting\n")
    assert "not a PostgreSQL backup" in refused(text)


def test_a_truncated_dump_is_refused_or_rolled_back(refused, dump, tmp_path):
    cut = tmp_path / "cut.dump"
    cut.write_bytes(dump.path.read_bytes()[: dump.size // 2])
    assert "Nothing was changed" in refused(cut) or "pg_restore failed" in refused(cut)


def test_a_dump_of_a_newer_version_is_refused(url, refused, tmp_path):
    execute(url, "INSERT INTO schema_migration (name, applied) VALUES ('9999_future', now())")
    newer = postgres.take(url, tmp_path / "newer", BackupReason.MANUAL)
    execute(url, "DELETE FROM schema_migration WHERE name = '9999_future'")
    assert "newer version" in refused(newer.path)


def test_a_dump_of_another_organization_is_refused(url, refused, dump):
    execute(url, "UPDATE organization SET uuid = '00000000-0000-4000-8000-000000000000'")
    assert "another organization" in refused(dump.path)


def test_the_command_says_it_uses_pg_dump(url, app, admin, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SAVINGS_GROUPS_INSTANCE", str(tmp_path / "instance"))
    made = CliRunner().invoke(main, ["backup", str(tmp_path)])
    assert made.exit_code == 0, made.output
    assert "pg_dump -Fc" in made.output
    [dump] = [p for p in os.listdir(tmp_path) if p.endswith(".dump")]
    db.close()
    restored = CliRunner().invoke(main, ["restore", "--yes", str(tmp_path / dump)])
    assert restored.exit_code == 0, restored.output
    assert "pg_restore --clean" in restored.output
