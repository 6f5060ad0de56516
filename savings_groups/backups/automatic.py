"""The automatic backups of a SQLite installation: at start, once a day, before the database
is upgraded and before a share-out is finalised.

The app says where and how many (configure, from create_app); code that runs without it (a
command, a test's worker process) takes none. On PostgreSQL the server's operator backs up
with pg_dump: nothing is taken here.
"""

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from peewee import SqliteDatabase

from savings_groups.backups import files
from savings_groups.backups.files import Backup, BackupFailed
from savings_groups.core.vocabulary import BackupReason
from savings_groups.store.db import db

log = logging.getLogger(__name__)

DAY = timedelta(days=1)
# How often requests look whether the daily backup is due (the start took one already).
CHECK_EVERY_SECONDS = 3600


@dataclass
class Settings:
    folder: Path | None = None
    keep: int = 30
    enabled: bool = False


settings = Settings()
_daily_lock = threading.Lock()
_next_check = 0.0
last_error: BackupFailed | None = None  # the last automatic backup that failed, for the page


def configure(folder: Path, keep: int, enabled: bool) -> None:
    global _next_check, last_error
    settings.folder, settings.keep, settings.enabled = Path(folder), int(keep), bool(enabled)
    _next_check = time.monotonic() + CHECK_EVERY_SECONDS
    last_error = None


def database_file(database=None) -> Path | None:
    """The SQLite file of the app's database (or of `database`); None on PostgreSQL."""
    database = database if database is not None else db.obj
    if isinstance(database, SqliteDatabase):
        return Path(database.database)
    return None


def take(reason: BackupReason, database=None) -> Backup | None:
    """A backup now, into the configured folder; None when automatic backups are off or the
    database is not SQLite. Raises BackupFailed when it cannot be written."""
    path = database_file(database)
    if not settings.enabled or settings.folder is None or path is None or not path.exists():
        return None
    return files.take(path, settings.folder, reason, settings.keep)


def before(reason: BackupReason, database=None) -> Backup | None:
    """The backup before a change that cannot be undone (an upgrade, a share-out): when it
    cannot be written the change does not happen either (BackupFailed)."""
    return take(reason, database)


def before_migration(database) -> None:
    """schema.upgrade's hook: back up a database that has data, before migrating it."""
    before(BackupReason.MIGRATION, database)


def at_start(database=None) -> Backup | None:
    """The backup taken when the app starts, once there is something to keep."""
    path = database_file(database)
    if path is None or files.organization_of(path) is None:
        return None
    return _quietly(BackupReason.START, database)


def daily_if_due(now: datetime | None = None) -> Backup | None:
    """At most once per CHECK_EVERY_SECONDS: a backup when the newest is a day old or more.
    One thread looks at a time; the others go on at once."""
    global _next_check
    if not settings.enabled or time.monotonic() < _next_check:
        return None
    if not _daily_lock.acquire(blocking=False):
        return None
    try:
        _next_check = time.monotonic() + CHECK_EVERY_SECONDS
        return daily(now)
    finally:
        _daily_lock.release()


def daily(now: datetime | None = None) -> Backup | None:
    """A backup when the newest one is at least a day old (or there is none) and the database
    has something to keep."""
    if settings.folder is None:
        return None
    now = now or datetime.now(UTC)
    newest = files.listing(settings.folder)
    if newest and now - newest[0].taken_at < DAY:
        return None
    path = database_file()
    if path is None or files.organization_of(path) is None:
        return None
    return _quietly(BackupReason.DAILY)


def _quietly(reason: BackupReason, database=None) -> Backup | None:
    """A routine backup that fails is logged and shown on the backups page; the app goes on."""
    global last_error
    try:
        backup = take(reason, database)
    except BackupFailed as error:
        log.error("automatic backup failed: %s", error)
        last_error = error
        return None
    last_error = None
    return backup
