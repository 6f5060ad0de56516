"""Versioned schema migrations (playhouse.migrations), applied on start."""

from contextlib import contextmanager
from pathlib import Path

from peewee import PostgresqlDatabase
from playhouse.migrations import Runner

from savings_groups.core.errors import N_, DomainError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# An arbitrary constant: the PostgreSQL advisory lock that lets one worker migrate at a time.
MIGRATION_LOCK_KEY = 7_411_020


class SchemaTooNew(DomainError):
    """The database was written by a newer version of the app."""


def runner(database) -> Runner:
    return Runner(database, str(MIGRATIONS_DIR))


def latest_version() -> str:
    return runner_names()[-1]


def runner_names() -> list[str]:
    return sorted(path.stem for path in MIGRATIONS_DIR.glob("[0-9]*.py"))


def check_not_newer(database) -> None:
    """Refuse a database that has migrations this code does not know."""
    unknown = sorted(m.name for m in runner(database).status() if m.path is None)
    if unknown:
        raise SchemaTooNew(
            N_(
                "This database was written by a newer version of Savings Groups (schema "
                "%(version)s); this version knows schema %(known)s at most. Install the newer "
                "version, or restore a backup made with this one."
            ),
            version=unknown[-1],
            known=latest_version(),
        )


def upgrade(database, target: str | None = None, before=None) -> list[str]:
    """Apply every pending migration (or up to `target`); return the names applied.
    `before(database)` is called first when a database that has data is about to change (the
    caller's backup: the store does not know about backups)."""
    with _exclusive(database):
        check_not_newer(database)
        migrations = runner(database)
        status = migrations.status()
        if before and any(m.applied for m in status) and not all(m.applied for m in status):
            before(database)
        return migrations.up(target)


@contextmanager
def _exclusive(database):
    """On PostgreSQL several workers may start at once: let one migrate while the others wait."""
    if isinstance(database, PostgresqlDatabase):
        database.execute_sql("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
        try:
            yield
        finally:
            database.execute_sql("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))
    else:
        yield
