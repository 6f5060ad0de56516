"""A write held up by another one beyond what the database waits (SQLite's busy timeout,
PostgreSQL's lock timeout, or a deadlock PostgreSQL cancels) is refused with a clear message
(store.db.Busy, a DomainError the pages show), never a server error, and writes nothing."""

import threading

import pytest
from peewee import PostgresqlDatabase

from savings_groups.cycles.operations import lock_cycle
from savings_groups.store.db import BUSY, Busy, db, lock
from savings_groups.store.models import Cycle


def test_lock_is_only_for_a_transaction(conn, make_group, make_cycle):
    cycle = make_cycle(make_group())
    with pytest.raises(RuntimeError, match="db.atomic"):
        lock(Cycle, cycle.id)


def test_a_write_kept_waiting_too_long_is_busy_not_a_crash(conn, make_group, make_cycle):
    cycle = make_cycle(make_group())
    holding, done = threading.Event(), threading.Event()

    def other_user():  # another connection (peewee's are per thread) holds the cycle
        with db.connection_context(), db.atomic():
            lock_cycle(cycle)
            holding.set()
            done.wait(10)

    thread = threading.Thread(target=other_user)
    thread.start()
    try:
        assert holding.wait(10)
        if isinstance(db.obj, PostgresqlDatabase):
            wait = "SET LOCAL lock_timeout = '100ms'"
        else:
            wait = "PRAGMA busy_timeout = 100"
        with pytest.raises(Busy) as caught:
            if not isinstance(db.obj, PostgresqlDatabase):
                db.execute_sql(wait)  # SQLite waits at BEGIN IMMEDIATE
            with db.atomic():
                if isinstance(db.obj, PostgresqlDatabase):
                    db.execute_sql(wait)
                lock_cycle(cycle)
                Cycle.update(min_shares=3).where(Cycle.id == cycle.id).execute()
        assert caught.value.message == BUSY
    finally:
        done.set()
        thread.join(10)
        if not isinstance(db.obj, PostgresqlDatabase):
            db.execute_sql("PRAGMA busy_timeout = 10000")
    assert Cycle.get_by_id(cycle.id).min_shares == cycle.min_shares  # nothing written


def test_a_page_kept_waiting_shows_the_message_not_a_server_error(app, web, admin):
    @app.route("/busy-for-the-test")
    def kept_waiting():
        raise Busy(BUSY)

    web.login("admin")
    page = web.client.get("/busy-for-the-test")
    assert page.status_code == 409
    assert "Someone else was recording in this group at the same moment" in page.get_data(
        as_text=True
    )
