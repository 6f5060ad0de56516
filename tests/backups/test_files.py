"""SQLite backups: what a backup is (checked, owner-only, named by time and reason), how many
are kept, and a restore that checks everything before replacing anything."""

import hashlib
import os
import shutil
import sqlite3
import stat
from datetime import UTC, datetime, timedelta

import pytest

from savings_groups.backups import files
from savings_groups.core.vocabulary import BackupReason, EntryKind, Fund
from savings_groups.store import schema
from tests.backups.conftest import ledger_of


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_backup_is_a_checked_owner_only_single_file_named_by_time_and_reason(
    sqlite_file, folder, world
):
    w = world()
    w.post(Fund.LOAN_FUND, EntryKind.SHARE_PURCHASE, 3_000, w.members[0], shares=3)
    before = datetime.now(UTC).replace(microsecond=0)
    backup = files.take(sqlite_file, folder, BackupReason.MANUAL)
    assert backup.path.parent == folder
    assert backup.name.startswith("savings-groups-") and backup.name.endswith("-manual.sqlite3")
    assert backup.reason == BackupReason.MANUAL
    assert before <= backup.taken_at <= datetime.now(UTC)
    assert backup.size == backup.path.stat().st_size > 0
    assert stat.S_IMODE(backup.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert files.integrity_problem(backup.path) is None
    assert ledger_of(backup.path) == (1, 3_000)
    # One file, no write-ahead log beside it; nothing else left in the folder.
    assert sorted(p.name for p in folder.iterdir()) == [backup.name]
    connection = sqlite3.connect(backup.path)
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    connection.close()
    assert files.listing(folder) == [backup]


def test_two_backups_in_the_same_second_both_kept(sqlite_file, folder, conn):
    first = files.take(sqlite_file, folder, BackupReason.MANUAL)
    second = files.take(sqlite_file, folder, BackupReason.MANUAL)
    assert first.path != second.path and first.path.exists() and second.path.exists()


def test_only_the_newest_backups_are_kept_and_never_a_replaced_database(sqlite_file, folder, conn):
    files.private_folder(folder)
    for days in range(6):  # older backups, named as they were
        when = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(days=days)
        shutil.copyfile(sqlite_file, folder / files.backup_name(BackupReason.DAILY, when))
    aside = folder / files.backup_name(BackupReason.REPLACED, datetime(2026, 1, 1, tzinfo=UTC))
    shutil.copyfile(sqlite_file, aside)
    newest = files.take(sqlite_file, folder, BackupReason.MANUAL, keep=3)
    kept = files.listing(folder)
    assert [b.taken_at.day for b in kept] == [newest.taken_at.day, 6, 5, 1]
    assert [b.reason for b in kept] == [
        BackupReason.MANUAL,
        BackupReason.DAILY,
        BackupReason.DAILY,
        BackupReason.REPLACED,
    ]
    assert aside.exists()


def test_files_that_are_not_backups_are_not_listed_nor_pruned(sqlite_file, folder, conn):
    files.private_folder(folder)
    for name in ["notes.txt", ".savings-groups-x.partial", "savings-groups-2026-start.sqlite3"]:
        (folder / name).write_text("x")
    files.take(sqlite_file, folder, BackupReason.MANUAL, keep=1)
    assert [b.reason for b in files.listing(folder)] == [BackupReason.MANUAL]
    assert (folder / "notes.txt").exists()


def test_a_restore_gives_back_the_entries_and_keeps_the_replaced_database(
    sqlite_file, folder, books
):
    books(5_000)
    books(2_000, member=1)
    backup = files.take(sqlite_file, folder, BackupReason.MANUAL)
    books(7_000, member=1)
    assert ledger_of(sqlite_file) == (3, 14_000)

    done = files.restore(backup.path, sqlite_file, folder)

    assert ledger_of(sqlite_file) == (2, 7_000)
    assert done.version == schema.latest_version() and not done.upgraded_on_start
    assert done.kept_aside.parent == folder and done.kept_aside.name.endswith("-replaced.sqlite3")
    assert ledger_of(done.kept_aside) == (3, 14_000)  # nothing lost: the replaced one is there
    assert stat.S_IMODE(sqlite_file.stat().st_mode) == 0o600
    assert files.integrity_problem(sqlite_file) is None
    books(1_000)  # the app opens the restored database and writes in it
    assert ledger_of(sqlite_file) == (3, 8_000)


@pytest.fixture
def refused(sqlite_file, folder, books, tmp_path):
    """Restore a bad file: BadBackup, and the database and the backups folder unchanged."""
    books(4_000)
    good = files.take(sqlite_file, folder, BackupReason.MANUAL)

    def restore(make_bad) -> str:
        bad = tmp_path / "offered.sqlite3"
        make_bad(good.path, bad)
        before, backups = digest(sqlite_file), sorted(os.listdir(folder))
        with pytest.raises(files.BadBackup) as refusal:
            files.restore(bad, sqlite_file, folder)
        assert digest(sqlite_file) == before
        assert sorted(os.listdir(folder)) == backups
        assert not [p for p in sqlite_file.parent.iterdir() if p.name.endswith(".partial")]
        assert str(bad) in str(refusal.value) and "Nothing was changed" in str(refusal.value)
        return str(refusal.value)

    return restore


def cut(at):
    def make(good, bad):
        bad.write_bytes(good.read_bytes()[:at])

    return make


@pytest.mark.parametrize("at", [100, 4096 * 3, 20_000, -4096])
def test_a_truncated_file_is_refused(refused, at):
    assert "cut short" in refused(cut(at))


def test_a_file_that_is_not_sqlite_is_refused(refused):
    message = refused(lambda good, bad: bad.write_text("Minutes of the meeting\n" * 100))
    assert "not an SQLite database" in message


def test_an_empty_file_is_refused(refused):
    assert "not an SQLite database" in refused(lambda good, bad: bad.write_bytes(b""))


def test_a_damaged_file_is_refused(refused):
    def damage(good, bad):
        data = bytearray(good.read_bytes())
        for offset in range(4096 * 2, len(data) - 4096, 4096):  # every page's header but a few
            data[offset : offset + 8] = b"\xff" * 8
        bad.write_bytes(bytes(data))

    message = refused(damage)
    assert "damaged" in message or "cannot be read" in message


def edited(sql):
    def make(good, bad):
        shutil.copyfile(good, bad)
        connection = sqlite3.connect(bad)
        connection.execute(sql)
        connection.commit()
        connection.close()

    return make


def test_a_backup_from_a_newer_version_is_refused(refused):
    message = refused(
        edited("INSERT INTO schema_migration (name, applied) VALUES ('9999_future', '2030-01-01')")
    )
    assert "newer version" in message and "9999_future" in message


def test_a_database_without_schema_version_is_refused(refused):
    assert "no schema version" in refused(edited("DROP TABLE schema_migration"))


def test_a_backup_of_another_organization_is_refused(refused):
    message = refused(
        edited(
            "UPDATE organization SET name = 'Other NGO', created_at = '2025-01-01 10:00:00', "
            "uuid = '00000000-0000-4000-8000-000000000000'"
        )
    )
    assert "another organization" in message and "Other NGO" in message


def test_another_organization_set_up_the_same_second_is_refused_by_its_uuid(refused):
    message = refused(
        edited("UPDATE organization SET uuid = '00000000-0000-4000-8000-0000000000ff'")
    )
    assert "another organization" in message


def test_a_backup_of_the_organization_set_up_elsewhere_is_restored_by_its_uuid(
    sqlite_file, folder, refused, tmp_path
):
    """A laptop joined to the organization (org-key import) shares its UUID, not its date."""
    other_laptop = tmp_path / "other-laptop.sqlite3"
    backup = files.listing(folder)[0]
    edited("UPDATE organization SET created_at = '2025-01-01 10:00:00'")(backup.path, other_laptop)
    assert files.restore(other_laptop, sqlite_file, folder).kept_aside is not None


def test_books_from_before_organization_uuids_are_matched_by_their_set_up_date():
    older = ("Programme Retour", "2026-01-05 09:00:00", None)
    assert files.same_organization(older, ("Renamed", "2026-01-05 09:00:00", "a-uuid"))
    assert not files.same_organization(older, ("Programme Retour", "2026-02-01 09:00:00", "a-uuid"))


def test_the_same_organization_renamed_since_is_restored(sqlite_file, folder, refused, tmp_path):
    renamed = tmp_path / "renamed.sqlite3"
    backup = files.listing(folder)[0]
    edited("UPDATE organization SET name = 'Programme Retour 2'")(backup.path, renamed)
    assert files.restore(renamed, sqlite_file, folder).kept_aside is not None


def test_a_missing_file_is_refused(sqlite_file, folder, tmp_path):
    with pytest.raises(files.BadBackup, match="There is no file"):
        files.restore(tmp_path / "nowhere.sqlite3", sqlite_file, folder)


def test_an_older_backup_is_restored_and_said_to_be_upgraded_at_the_next_start(
    sqlite_file, folder, refused, tmp_path
):
    older = tmp_path / "older.sqlite3"
    last = schema.latest_version()
    edited(f"DELETE FROM schema_migration WHERE name = '{last}'")(
        files.listing(folder)[0].path, older
    )
    done = files.restore(older, sqlite_file, folder)
    assert done.upgraded_on_start and done.version < last
    connection = sqlite3.connect(sqlite_file)
    assert last not in {r[0] for r in connection.execute("SELECT name FROM schema_migration")}
    connection.close()


def test_a_database_in_use_is_not_replaced(sqlite_file, folder, books):
    books(2_000)
    backup = files.take(sqlite_file, folder, BackupReason.MANUAL)
    books(3_000)
    reader = sqlite3.connect(sqlite_file, isolation_level=None)  # the app, mid-request
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM entry").fetchone()
    books(1_000)  # a write the reader's snapshot does not see: the log cannot be emptied
    try:
        with pytest.raises(files.BadBackup, match="The database is in use"):
            files.restore(backup.path, sqlite_file, folder)
    finally:
        reader.close()
    assert ledger_of(sqlite_file) == (3, 6_000)
    assert [b.reason for b in files.listing(folder)] == [BackupReason.MANUAL]
