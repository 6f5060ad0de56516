"""The planner's statistics: gathered after migrations, refreshed at start and once a day."""

from peewee import PostgresqlDatabase

from savings_groups.store import schema
from savings_groups.store.db import db


def has_statistics() -> bool:
    if isinstance(db.obj, PostgresqlDatabase):
        return bool(
            db.execute_sql(
                "SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname = 'entry' "
                "AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)"
            ).fetchone()[0]
        )
    return bool(
        db.execute_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()
    )


def test_the_app_starts_with_statistics_and_refreshes_them_once_a_day(conn, monkeypatch):
    assert has_statistics()
    assert schema.optimize_if_due(db.obj) is False  # the start just did
    monkeypatch.setitem(schema._last_optimized, id(db.obj), 0.0)  # as if a day had passed
    monkeypatch.setattr(schema, "OPTIMIZE_EVERY_SECONDS", 0)
    assert schema.optimize_if_due(db.obj) is True
    assert has_statistics()


def test_analyze_gathers_statistics_of_the_ledger(conn):
    schema.analyze(db.obj)
    assert has_statistics()
