"""Backup files of a SQLite database: taken with the online backup API, checked, restored.

A backup is written under a hidden temporary name, closed, synced and checked with
`PRAGMA integrity_check`, then linked to its final name: a file that carries a backup's name is
always complete and checked, whatever moment the process was killed at. Names say when (UTC) and
why: `savings-groups-20261205T114216Z-daily.sqlite3`. Files are readable by their owner only.
"""

import contextlib
import os
import re
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from savings_groups.core.errors import N_, DomainError
from savings_groups.core.vocabulary import BackupReason
from savings_groups.store import schema

SQLITE_SUFFIX = ".sqlite3"
DUMP_SUFFIX = ".dump"  # pg_dump's custom format (postgres.py)
NAME = re.compile(
    r"^savings-groups-(?P<stamp>\d{8}T\d{6}Z)-(?P<reason>[a-z]+)(?:-\d+)?"
    r"(?P<suffix>\.sqlite3|\.dump)$"
)
STAMP = "%Y%m%dT%H%M%SZ"
PARTIAL = ".partial"
# A temporary file older than this was left by a process that died while writing it.
STALE_SECONDS = 3600
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupFailed(DomainError):
    """A backup could not be written (a read-only folder, a full disk); nothing else changed."""


class BadBackup(DomainError):
    """A file offered for restoring is not a good backup of this installation; nothing changed."""


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: datetime  # aware, UTC
    reason: BackupReason
    size: int

    @property
    def name(self) -> str:
        return self.path.name


def backup_name(reason: BackupReason, when: datetime, suffix: str = SQLITE_SUFFIX) -> str:
    return f"savings-groups-{when.astimezone(UTC).strftime(STAMP)}-{reason.value}{suffix}"


def parse(path: Path) -> Backup | None:
    """The backup a file name stands for, or None for any other file."""
    match = NAME.match(path.name)
    if not match or match["reason"] not in BackupReason._value2member_map_:
        return None
    taken_at = datetime.strptime(match["stamp"], STAMP).replace(tzinfo=UTC)
    try:
        size = path.stat().st_size
    except OSError:
        return None
    return Backup(path, taken_at, BackupReason(match["reason"]), size)


def listing(folder: Path) -> list[Backup]:
    """The backups in a folder, newest first."""
    if not folder.is_dir():
        return []
    found = (parse(path) for path in folder.iterdir() if path.is_file())
    return sorted((b for b in found if b), key=lambda b: (b.taken_at, b.name), reverse=True)


def private_folder(folder: Path) -> Path:
    """The backups folder, made owner-only (0700) when it is created."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise _failed(folder, error) from error
    return folder


def take(database: Path, folder: Path, reason: BackupReason, keep: int | None = None) -> Backup:
    """Copy the live database into `folder` with the online backup API (others may go on
    writing), check the copy, name it; then keep only the `keep` newest automatic backups."""
    private_folder(folder)
    backup = write_copy(database, folder, backup_name(reason, datetime.now(UTC)))
    if keep is not None:
        prune(folder, keep)
    return backup


def write_copy(database: Path, folder: Path, name: str, replace: bool = False) -> Backup:
    """A checked copy of the live database under `folder/name` (never a half-written one).
    An existing file of that name is replaced when `replace`, else the name gets a number."""
    if not database.is_file():
        raise BackupFailed(N_("There is no database file at %(path)s."), path=str(database))
    temporary = _temporary(folder, name)
    try:
        _backup_api(database, temporary)
        _check_copy(temporary)
        final = _publish(temporary, folder / name, replace)
    except sqlite3.Error as error:
        raise _failed(folder, error) from error
    except OSError as error:
        raise _failed(folder, error) from error
    finally:
        _remove(temporary, Path(f"{temporary}-journal"))
    return describe(final)


def describe(path: Path) -> Backup:
    """The backup at `path`, also under a name of the user's choosing (a USB stick)."""
    taken_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return parse(path) or Backup(path, taken_at, BackupReason.MANUAL, path.stat().st_size)


def _backup_api(database: Path, target: Path) -> None:
    """One backup step over every page: a consistent snapshot while others write (WAL)."""
    source = sqlite3.connect(database, timeout=30)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            # The copy is one file: no write-ahead log beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    finally:
        source.close()
    _sync(target)


def _check_copy(path: Path) -> None:
    problem = integrity_problem(path)
    if problem:
        raise sqlite3.DatabaseError(f"the copy failed its integrity check: {problem}")


def integrity_problem(path: Path) -> str | None:
    """None when `PRAGMA integrity_check` finds the file sound, else what it found."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()
    return None if rows == ["ok"] else "; ".join(rows[:3])


def _temporary(folder: Path, name: str) -> Path:
    """A new empty owner-only file with a hidden name no listing takes for a backup."""
    try:
        handle, path = tempfile.mkstemp(prefix=f".{name}.", suffix=PARTIAL, dir=folder)
    except OSError as error:
        raise _failed(folder, error) from error
    os.close(handle)
    return Path(path)


def _publish(temporary: Path, final: Path, replace: bool) -> Path:
    """Give the checked file its name atomically (a hard link never overwrites a backup)."""
    if replace:
        os.replace(temporary, final)
        _sync_folder(final.parent)
        return final
    stem = final.name.removesuffix(final.suffix)
    for number in range(1, 1000):
        try:
            os.link(temporary, final)
        except FileExistsError:
            final = final.with_name(f"{stem}-{number}{final.suffix}")
            continue
        _sync_folder(final.parent)
        return final
    raise FileExistsError(final)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest backups (databases set aside by a restore are never
    deleted) and temporary files left by a process that died while writing."""
    removed = []
    automatic = [b for b in listing(folder) if b.reason != BackupReason.REPLACED]
    for backup in automatic[max(int(keep), 1) :]:
        _remove(backup.path)
        removed.append(backup.path)
    for path in folder.glob(f".*{PARTIAL}*"):
        try:
            if time.time() - path.stat().st_mtime > STALE_SECONDS:
                _remove(path)
        except OSError:
            pass
    return removed


def _remove(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _sync(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _sync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX); Windows has no folder handles to sync."""
    if os.name == "posix":
        _sync(folder)


def _failed(folder: Path, error: Exception) -> BackupFailed:
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return BackupFailed(
        N_(
            "The backup could not be written in %(folder)s (%(reason)s). Check that the folder "
            "can be written and that the disk has free space."
        ),
        folder=str(folder),
        reason=reason,
    )


# --- restoring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    source: Path
    kept_aside: Path | None  # the database it replaced, in the backups folder
    version: str  # the schema version of what was restored
    upgraded_on_start: bool  # older than this version: migrated at the next start


def check(path: Path, current: Path | None = None, shown: Path | None = None) -> str:
    """Refuse (BadBackup) a file that is not a sound backup of this installation; its schema
    version when it is one. `current` is the database it would replace, if there is one;
    messages name `shown` (the file the user gave) rather than the private copy checked."""
    require_file(path)
    shown = shown or path
    _check_header(path, shown)
    try:
        problem = integrity_problem(path)
        if problem:
            raise BadBackup(
                N_(
                    "%(path)s is damaged: the integrity check found “%(problem)s”. Nothing "
                    "was changed."
                ),
                path=str(shown),
                problem=problem,
            )
        names, organization = _contents(path)
    except sqlite3.DatabaseError as error:
        raise BadBackup(
            N_("%(path)s cannot be read as a database (%(reason)s). Nothing was changed."),
            path=str(shown),
            reason=str(error),
        ) from error
    version = check_versions(shown, names)
    check_organization(shown, organization, organization_of(current))
    return version


def require_file(path: Path) -> None:
    if not path.is_file():
        raise BadBackup(N_("There is no file %(path)s."), path=str(path))


def check_versions(path: Path, names: list[str] | None) -> str:
    """The backup's schema version; refused when it has none or one this code does not know."""
    if not names:
        raise BadBackup(
            N_(
                "%(path)s is not a backup of Savings Groups: it has no schema version. Nothing "
                "was changed."
            ),
            path=str(path),
        )
    unknown = sorted(set(names) - set(schema.runner_names()))
    if unknown:
        raise BadBackup(
            N_(
                "%(path)s was made by a newer version of Savings Groups (schema %(version)s); "
                "this version knows schema %(known)s at most. Install the newer version to "
                "restore it. Nothing was changed."
            ),
            path=str(path),
            version=unknown[-1],
            known=schema.latest_version(),
        )
    return max(names)


def same_organization(theirs: tuple, ours: tuple) -> bool:
    """(name, created_at, uuid): the UUID says which organization when both have one (the
    laptops of one organization share it since bundles, migration 0013); older books only
    have the date it was set up (its name may have changed)."""
    if theirs[2] and ours[2]:
        return theirs[2] == ours[2]
    return theirs[1] == ours[1]


def check_organization(shown: Path, theirs: tuple | None, ours: tuple | None) -> None:
    """A backup belongs to the organization of the database it replaces, when that has one."""
    if ours and (theirs is None or not same_organization(theirs, ours)):
        raise BadBackup(
            N_(
                "%(path)s is a backup of another organization (“%(theirs)s”), not of "
                "“%(ours)s”. Nothing was changed."
            ),
            path=str(shown),
            theirs=theirs[0] if theirs else "—",
            ours=ours[0],
        )


def _check_header(path: Path, shown: Path) -> None:
    """An SQLite file announces its page size and page count: a shorter file was cut short."""
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise BadBackup(
            N_(
                "%(path)s is not a backup of Savings Groups: it is not an SQLite database. "
                "Nothing was changed."
            ),
            path=str(shown),
        )
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    size = path.stat().st_size
    counted = header[24:28] == header[92:96]  # the page count is valid for this file version
    if (counted and size < pages * page_size) or size % page_size:
        raise BadBackup(
            N_(
                "%(path)s is incomplete (%(size)s bytes where %(expected)s were written): the "
                "copy was cut short. Nothing was changed."
            ),
            path=str(shown),
            size=size,
            expected=pages * page_size,
        )


def _contents(path: Path) -> tuple[list[str] | None, tuple[str, str] | None]:
    """The applied migrations' names and (name, created_at, uuid) of the organization."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        names = None
        if "schema_migration" in tables:
            names = [row[0] for row in connection.execute("SELECT name FROM schema_migration")]
        organization = _organization_row(connection) if "organization" in tables else None
        return names, organization
    finally:
        connection.close()


def organization_of(database: Path | None) -> tuple[str, str, str | None] | None:
    """The organization of the database being replaced; None when it has none or cannot be
    read (a damaged database is what a restore is for)."""
    if database is None or not database.is_file():
        return None
    try:
        connection = sqlite3.connect(database, timeout=30)
        try:
            return _organization_row(connection)
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return None


def _organization_row(connection) -> tuple[str, str, str | None] | None:
    """(name, created_at, uuid) of the organization; uuid None before migration 0013."""
    columns = {row[1] for row in connection.execute("PRAGMA table_info(organization)")}
    uuid = "uuid" if "uuid" in columns else "NULL"
    row = connection.execute(
        f"SELECT name, created_at, {uuid} FROM organization ORDER BY id LIMIT 1"
    ).fetchone()
    return (row[0], str(row[1]), row[2]) if row else None


def restore(source: Path, database: Path, folder: Path) -> Restored:
    """Replace the database by a checked copy of `source`, keeping the one it replaces aside in
    `folder`. Everything is checked on a private copy first: a refusal changes nothing. The app
    must not be running (a database still in use is refused)."""
    require_file(source)
    private_folder(folder)
    incoming = _temporary(database.parent, database.name)
    try:
        try:
            shutil.copyfile(source, incoming)
            _sync(incoming)
        except OSError as error:
            raise _failed(database.parent, error) from error
        version = check(incoming, database, shown=source)
        kept = _set_aside(database, folder)
        os.replace(incoming, database)
        _sync_folder(database.parent)
    finally:
        _remove(incoming)
    current = schema.runner_names()
    return Restored(source, kept, version, version < current[-1])


def _set_aside(database: Path, folder: Path) -> Path | None:
    """Fold the write-ahead log into the database, copy it to `folder` (reason "replaced") and
    remove its emptied log, so that the file put in its place starts clean."""
    if not database.exists():
        return None
    wal = Path(f"{database}-wal")
    try:
        connection = sqlite3.connect(database, timeout=30)
        try:
            busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            connection.close()
        if busy:
            raise BadBackup(
                N_(
                    "The database is in use: stop Savings Groups (the app and every command) "
                    "before restoring. Nothing was changed."
                )
            )
    except sqlite3.DatabaseError:
        pass  # a damaged database: its log is kept aside as it is, below
    name = backup_name(BackupReason.REPLACED, datetime.now(UTC))
    temporary = _temporary(folder, name)
    try:
        shutil.copyfile(database, temporary)
        _sync(temporary)
        kept = _publish(temporary, folder / name, replace=False)
        if wal.exists() and wal.stat().st_size:
            shutil.copyfile(wal, f"{kept}-wal")
    except OSError as error:
        raise _failed(folder, error) from error
    finally:
        _remove(temporary)
    _remove(wal, Path(f"{database}-shm"))
    return kept
