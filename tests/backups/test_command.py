"""`savings-groups backup [PATH]` and `savings-groups restore PATH` on SQLite."""

import hashlib
import stat

import pytest
from click.testing import CliRunner

from savings_groups.backups import files
from savings_groups.cli import main
from savings_groups.core.vocabulary import BackupReason
from tests.backups.conftest import ledger_of


@pytest.fixture
def command(sqlite_file, app_config, books, monkeypatch):
    """The command with the test's settings in the environment, as on a real machine."""
    monkeypatch.setenv("SAVINGS_GROUPS_INSTANCE", str(app_config["INSTANCE_PATH"]))
    monkeypatch.setenv("DATABASE_URL", app_config["DATABASE_URL"])
    books(3_000)

    def run(*args, **kwargs):
        return CliRunner().invoke(main, list(args), **kwargs)

    return run


def test_backup_into_the_backups_folder(command, folder):
    result = command("backup")
    assert result.exit_code == 0, result.output
    [made] = files.listing(folder)
    assert made.reason == BackupReason.MANUAL
    assert f"Backup written and checked: {made.path}" in result.output


def test_backup_to_a_usb_stick_folder_or_file(command, tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    assert command("backup", str(stick)).exit_code == 0
    [made] = files.listing(stick)
    assert ledger_of(made.path) == (1, 3_000)
    named = stick / "books.sqlite3"
    assert command("backup", str(named)).exit_code == 0
    assert ledger_of(named) == (1, 3_000)
    assert stat.S_IMODE(named.stat().st_mode) == 0o600
    assert command("backup", str(named)).exit_code == 0  # the same name again: replaced
    assert sorted(p.name for p in stick.iterdir()) == sorted([made.name, named.name])


def test_backup_to_a_folder_that_does_not_exist_says_so(command, tmp_path):
    result = command("backup", str(tmp_path / "no" / "such" / "stick.sqlite3"))
    assert result.exit_code == 1
    assert "The backup could not be written in" in result.output
    assert "Traceback" not in result.output


def test_restore_asks_then_restores_and_says_what_it_did(command, books, sqlite_file, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    command("backup", str(copy))
    books(4_000)
    before = hashlib.sha256(sqlite_file.read_bytes()).hexdigest()
    declined = command("restore", str(copy), input="n\n")
    assert declined.exit_code == 1 and "Replace the database" in declined.output
    assert hashlib.sha256(sqlite_file.read_bytes()).hexdigest() == before
    result = command("restore", "--yes", str(copy))
    assert result.exit_code == 0, result.output
    assert f"Restored {copy}" in result.output
    assert "The database it replaced is kept in" in result.output
    assert ledger_of(sqlite_file) == (1, 3_000)


def test_restore_of_a_bad_file_says_why_without_a_traceback(command, tmp_path):
    bad = tmp_path / "bad.sqlite3"
    bad.write_text("not a database")
    result = command("restore", "--yes", str(bad))
    assert result.exit_code == 1
    assert "it is not an SQLite database. Nothing was changed." in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", ["backup", "restore"])
def test_the_commands_have_help(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
