"""The web app's PostgreSQL connections come from a pool: kept between requests, bounded, and
replaced when the server dropped them (a restart, a backend terminated)."""

import os
import subprocess
import sys
import textwrap

import pytest
from peewee import PostgresqlDatabase

from savings_groups import create_app
from savings_groups.store.db import (
    AppPooledPostgresqlDatabase,
    AppSqliteDatabase,
    Pool,
    close_pools,
    db,
    open_database,
    release_idle,
)

on_postgres = pytest.mark.skipif(
    not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres"),
    reason="the pool is PostgreSQL's: set TEST_DATABASE_URL to a PostgreSQL database",
)


def test_sqlite_is_never_pooled(tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'x.sqlite3'}", Pool(size=4))
    assert type(database) is AppSqliteDatabase


def test_size_zero_means_no_pool():
    database = open_database("postgresql://u@127.0.0.1/x", Pool(size=0))
    assert isinstance(database, PostgresqlDatabase)
    assert not isinstance(database, AppPooledPostgresqlDatabase)


def backends(url: str) -> list[int]:
    """The app's other connections to this database, as the server sees them."""
    other = open_database(url)
    with other.connection_context():
        rows = other.execute_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() ORDER BY pid"
        ).fetchall()
    return [pid for (pid,) in rows]


def terminate(pids: list[int], url: str) -> None:
    other = open_database(url)
    with other.connection_context():
        for pid in pids:
            other.execute_sql("SELECT pg_terminate_backend(%s)", (pid,))


@on_postgres
def test_requests_share_one_connection_and_survive_a_terminated_backend(app_config, admin, web):
    url = app_config["DATABASE_URL"]
    assert isinstance(db.obj, AppPooledPostgresqlDatabase)
    web.login("admin")
    assert web.client.get("/").status_code == 200
    first = backends(url)
    for _ in range(5):
        assert web.client.get("/").status_code == 200
    assert backends(url) == first, "each request opened its own connection"
    assert len(first) == 1

    terminate(first, url)  # what a PostgreSQL restart does to every open connection
    response = web.client.get("/")
    assert response.status_code == 200
    after = backends(url)
    assert len(after) == 1 and after != first


@on_postgres
def test_the_pool_is_bounded(app_config):
    app = create_app({**app_config, "DATABASE_POOL_SIZE": 3})
    try:
        assert db.obj._max_connections == 3
        assert db.obj._stale_timeout == app.config["DATABASE_POOL_RECYCLE_SECONDS"]
    finally:
        release_idle()


@on_postgres
def test_a_discarded_apps_connections_are_closed_with_the_others(app_config):
    """A second app replaces the first one's pool behind `db`; closing the pools closes both
    apps' connections, the first one's included (no connection left to the garbage collector)."""
    url = app_config["DATABASE_URL"]
    first = create_app(app_config)
    first_pool = db.obj
    assert first.test_client().get("/setup").status_code == 200  # its connection kept idle
    second = create_app(app_config)
    assert db.obj is not first_pool
    assert second.test_client().get("/setup").status_code == 200
    assert len(first_pool._connections) == 1
    assert len(backends(url)) == 2
    close_pools()
    assert first_pool._connections == [] and first_pool._in_use == {}
    assert backends(url) == []


@on_postgres
def test_the_pools_are_closed_when_the_process_exits(app_config):
    """A server process that stops with connections idle in its pool closes them itself, in
    what runs at exit (here run by hand to see the pool afterwards), rather than leaving their
    sockets to be dropped; and no psycopg "deleted while still open" warning."""
    settings = {**app_config, "INSTANCE_PATH": str(app_config["INSTANCE_PATH"])}
    script = f"settings = {settings!r}\n" + textwrap.dedent(
        """
        from savings_groups import create_app
        app = create_app(settings)
        assert app.test_client().get("/setup").status_code == 200
        from savings_groups.store.db import db
        assert len(db.obj._connections) == 1
        import atexit
        atexit._run_exitfuncs()
        assert db.obj._connections == [] and not db.obj._in_use
        """
    )
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error::ResourceWarning", "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "ResourceWarning" not in done.stderr and "still open" not in done.stderr, done.stderr


_forked = {}


def _in_child():
    """What a forked worker sees: none of the parent's connections, and a query works."""
    database = _forked["database"]
    inherited = len(database._connections) + len(database._in_use)
    with database.connection_context():
        value = database.execute_sql("SELECT 41 + 1").fetchone()[0]
    database.close_idle()
    return inherited, value


@on_postgres
def test_a_forked_worker_forgets_the_parents_connections(app_config):
    import multiprocessing

    database = _forked["database"] = open_database(app_config["DATABASE_URL"], Pool(size=2))
    try:
        with database.connection_context():
            parent = database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
        with multiprocessing.get_context("fork").Pool(1) as workers:
            assert workers.apply(_in_child) == (0, 42)
        with database.connection_context():  # the parent's pooled session is still alive
            assert database.execute_sql("SELECT pg_backend_pid()").fetchone()[0] == parent
    finally:
        database.close_idle()
        _forked.clear()
