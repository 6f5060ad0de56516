"""Versioned schema migrations (playhouse.migrations), applied on start."""

import time
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
        applied = migrations.up(target)
    if applied:
        analyze(database)  # new tables and indexes: the planner needs their statistics
    return applied


# The planner's statistics -------------------------------------------------------------------
# SQLite gathers none by itself: without them it may pick the wrong index and read a whole
# table (a meeting's close scanning the ledger). So: ANALYZE after migrations and after a bulk
# load (the demo), and at start and once a day `optimize`, which is cheap when nothing changed.
# PostgreSQL's autovacuum keeps its statistics; ANALYZE runs after migrations and bulk loads.

OPTIMIZE_EVERY_SECONDS = 24 * 3600
SQLITE_ANALYSIS_LIMIT = 1000  # rows sampled per index: quick on millions of entries, and enough
_last_optimized: dict[int, float] = {}  # per database object: when optimize last ran


def analyze(database) -> None:
    """Gather the planner's statistics of every table now."""
    if not isinstance(database, PostgresqlDatabase):
        database.execute_sql(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
    database.execute_sql("ANALYZE")


def optimize(database) -> None:
    """Refresh the statistics where they are missing or stale (at start, then daily)."""
    _last_optimized[id(database)] = time.monotonic()
    if isinstance(database, PostgresqlDatabase):
        never = database.execute_sql(
            "SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname = 'entry' "
            "AND last_analyze IS NULL AND last_autoanalyze IS NULL"
        ).fetchone()[0]
        if never:
            analyze(database)
        return
    has_statistics = database.execute_sql(
        "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
    ).fetchone()
    if not has_statistics:
        analyze(database)
    else:  # re-analyses only the tables that changed much since (SQLite's own rule)
        database.execute_sql(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
        database.execute_sql("PRAGMA optimize")


def optimize_if_due(database) -> bool:
    """optimize() if it has not run in this process for a day; True if it ran."""
    last = _last_optimized.get(id(database))
    if last is not None and time.monotonic() - last < OPTIMIZE_EVERY_SECONDS:
        return False
    optimize(database)
    return True


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
