"""The peewee database: created empty at import, opened from DATABASE_URL by the factory."""

import atexit
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from peewee import DatabaseProxy, DataError, OperationalError, PostgresqlDatabase, SqliteDatabase
from playhouse.pool import PooledPostgresqlDatabase

from savings_groups.core.errors import N_, DomainError

db = DatabaseProxy()

# Durable through power cuts (synchronous=FULL), readers never block the writer (WAL),
# write transactions take the lock at BEGIN so a read never has to be upgraded mid-way.
SQLITE_PRAGMAS = [
    ("journal_mode", "wal"),
    ("foreign_keys", 1),
    ("synchronous", "full"),
    ("busy_timeout", 10000),
]


class DatabaseUnavailable(DomainError):
    """The database cannot be opened or written; raised before the app serves anything."""


class Busy(DomainError):
    """Another write held what this one needed too long (SQLite still locked after its busy
    timeout) or PostgreSQL had to cancel it (a deadlock, a serialization failure, a lock
    timeout): nothing of it was written and it may simply be done again."""


BUSY = N_(
    "Someone else was recording in this group at the same moment. Nothing was saved: reload "
    "the page to see what they recorded, then try again."
)
# PostgreSQL's codes for a transaction it cancelled so that another could go on.
CONTENTION_CODES = {"40001", "40P01", "55P03"}


def is_contention_error(error: Exception) -> bool:
    """True for a write refused because of another write at the same moment (not a fault)."""
    original = getattr(error, "orig", None) or error.__cause__ or error
    if getattr(original, "sqlstate", None) in CONTENTION_CODES:
        return True
    text = str(error).lower()
    return "database is locked" in text or "database table is locked" in text


class Unstorable(DomainError):
    """A value the database cannot hold: a number beyond its 64-bit integers (SQLite raises
    OverflowError, PostgreSQL "out of range") or a text with a NUL character (PostgreSQL refuses
    it). Nothing of the statement's transaction is written."""


TOO_LARGE = N_("A number typed or asked for is too large to be stored. Nothing was saved.")
NUL_TEXT = N_(
    "A text contains a control character (NUL) that cannot be stored. Nothing was saved: "
    "type the text again."
)
OUT_OF_RANGE_CODES = {"22003"}  # PostgreSQL: numeric value out of range


@contextmanager
def _contention_as_busy():
    try:
        yield
    except OperationalError as error:
        if is_contention_error(error):
            raise Busy(BUSY) from error
        raise
    except OverflowError as error:
        raise Unstorable(TOO_LARGE) from error
    except DataError as error:
        original = getattr(error, "orig", None) or error.__cause__ or error
        if getattr(original, "sqlstate", None) in OUT_OF_RANGE_CODES:
            raise Unstorable(TOO_LARGE) from error
        if "NUL" in str(error):
            raise Unstorable(NUL_TEXT) from error
        raise


class _Contended:
    """Every statement (and SQLite's BEGIN IMMEDIATE) of the app's database: a clash with
    another write becomes Busy, a DomainError the pages show, never a server error."""

    def execute_sql(self, sql, params=None):
        with _contention_as_busy():
            return super().execute_sql(sql, params)

    def begin(self, *args, **kwargs):
        with _contention_as_busy():
            return super().begin(*args, **kwargs)


class AppSqliteDatabase(_Contended, SqliteDatabase):
    def rollback(self):
        """SQLite rolls back by itself after some errors (a full disk, an I/O error): nothing is
        left to roll back then, and the error that did it is the one to tell, not ROLLBACK's."""
        if not self.is_closed() and not self._state.conn.in_transaction:
            return
        super().rollback()


class AppPostgresqlDatabase(_Contended, PostgresqlDatabase):
    pass


class AppPooledPostgresqlDatabase(_Contended, PooledPostgresqlDatabase):
    """The web app's PostgreSQL: connections kept open between requests (opening one costs
    about 3.5 ms). `close()` hands the connection back; a connection is checked with a round
    trip before it is handed out again, so one the server dropped (a restart, a backend
    terminated) is thrown away and a new one opened; one older than `recycle_seconds` is
    closed and replaced. A process forked after connecting (gunicorn --preload) forgets the
    parent's connections rather than sharing their sockets. Every pool that opened a
    connection is kept until `close_pools()` closes it (at exit, at the end of a test), so an
    app that is discarded does not leave its connections to the garbage collector."""

    def _connect(self):
        connection = super()._connect()
        _OPEN_POOLS.add(self)
        return connection


# The pools that have opened connections in this process, held until closed: a pool replaced
# by another app's (a test making a second app) still closes its connections.
_OPEN_POOLS: "set[AppPooledPostgresqlDatabase]" = set()


def close_pools() -> None:
    """Close every connection of every pool of this process, idle or handed out (at exit; at
    the end of a test, after its requests). A pool used again afterwards opens new ones."""
    while _OPEN_POOLS:
        _OPEN_POOLS.pop().close_all()


def _forget_inherited_connections() -> None:
    """In a forked child: drop the parent's connections without closing them (closing would
    end the parent's sessions on their shared sockets; psycopg does not end a session from a
    process other than the one that opened it)."""
    while _OPEN_POOLS:
        _OPEN_POOLS.pop().dispose()


os.register_at_fork(after_in_child=_forget_inherited_connections)
atexit.register(close_pools)


@dataclass(frozen=True)
class Pool:
    """How many PostgreSQL connections one process keeps (its threads share them), how long a
    request waits for one when all are in use, and the age at which one is replaced."""

    size: int = 8
    wait_seconds: int = 10
    recycle_seconds: int = 600


def open_database(url: str, pool: Pool | None = None):
    """Return an unconnected peewee database for a sqlite:/// or postgresql:// URL; PostgreSQL
    through a pool of connections when `pool` says how (the web app; commands and tests open
    their own connections). SQLite is never pooled: a connection is a file opened in-process."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if path.startswith("//"):  # sqlite:////abs/path written with four slashes
            path = path[1:]
        return AppSqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=10, lock_type="IMMEDIATE")
    if parts.scheme in ("postgresql", "postgres"):
        settings = {
            "user": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password else None,
            "host": parts.hostname,
            "port": parts.port,
            "prefer_psycopg3": True,
        }
        name = unquote(parts.path.lstrip("/"))
        if pool is not None and pool.size > 0:
            return AppPooledPostgresqlDatabase(
                name,
                max_connections=pool.size,
                timeout=pool.wait_seconds,
                stale_timeout=pool.recycle_seconds,
                **settings,
            )
        return AppPostgresqlDatabase(name, **settings)
    raise DatabaseUnavailable(
        N_("DATABASE_URL must start with sqlite:/// or postgresql://, not “%(url)s”."),
        url=url,
    )


def check_writable(database) -> None:
    """Fail early, with a clear message, when the SQLite file or its folder cannot be written."""
    if not isinstance(database, SqliteDatabase):
        return
    path = Path(database.database)
    folder = path.parent
    if not folder.is_dir():
        raise DatabaseUnavailable(
            N_("The folder of the database does not exist: %(path)s"), path=str(folder)
        )
    try:
        connection = sqlite3.connect(path, timeout=10)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise DatabaseUnavailable(
            N_("The database %(path)s cannot be written (%(reason)s). Check its permissions."),
            path=str(path),
            reason=str(error),
        ) from error


# The files of a SQLite database: the books, the write-ahead log and its index, a rollback journal.
SQLITE_FILES = ("", "-wal", "-shm", "-journal")


def owner_only(database) -> None:
    """The SQLite file readable by its owner only (it holds members' money), like the secret key:
    made 0600 when new (SQLite gives its log and index the file's own mode), and an existing
    file and its companions set so on start."""
    if not isinstance(database, SqliteDatabase) or database.database == ":memory:":
        return
    path = Path(database.database)
    if not path.parent.is_dir():
        return  # check_writable says so
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        for suffix in SQLITE_FILES:
            companion = Path(f"{path}{suffix}")
            if companion.exists():
                companion.chmod(0o600)
    except OSError:
        return  # not ours to change: check_writable tells what is wrong


# What SQLite says when its files cannot be written or read: read-only, a folder it may not write,
# a full disk, a failing disk; PostgreSQL's codes for a read-only transaction and a full disk.
UNWRITABLE_WORDS = ("readonly", "read-only", "unable to open", "disk i/o error", "disk is full")
UNWRITABLE_CODES = {"25006", "53100"}


def is_unwritable_error(error: Exception) -> bool:
    """True for a database error that says the books cannot be written now (not a bug)."""
    original = getattr(error, "orig", None) or error.__cause__ or error
    if getattr(original, "sqlstate", None) in UNWRITABLE_CODES:
        return True
    text = str(error).lower()
    return any(words in text for words in UNWRITABLE_WORDS)


def initialize(url: str, pool: Pool | None = None) -> None:
    """Open the database of a URL, check it can be written, and make it the one `db` stands for."""
    database = open_database(url, pool)
    owner_only(database)
    check_writable(database)
    db.initialize(database)


def release_idle() -> None:
    """Close the pooled connections no request is using (the app's start, before workers are
    forked; `close_pools` closes every pool's at exit); nothing to do for a database that is
    not pooled."""
    if isinstance(db.obj, PooledPostgresqlDatabase):
        db.obj.close_idle()


def written_out(ids) -> str:
    """Ids as an SQL list, for `IN (...)`: ints only (nothing typed by a user reaches it), and
    cheaper than a thousand peewee parameters built for each statement; NULL when empty (an
    IN that matches nothing)."""
    return ", ".join(str(int(i)) for i in ids) or "NULL"


def lock(model, row_id: int):
    """The row of `model` with this id, read again inside the caller's transaction and held
    until it ends, so that two writes that check the same state (a meeting still a draft, a
    cycle not shared out, a round not paid out, a loan still open) cannot both pass the checks.

    Every write that depends on a row's state calls it first, inside its `db.atomic()`, and
    checks what it returns. PostgreSQL: SELECT ... FOR NO KEY UPDATE (the other write waits,
    then reads what this one committed; rows that only refer to this one are not held up).
    SQLite: the whole file is locked from BEGIN IMMEDIATE already, the read is only fresh.
    Take locks in this order to avoid deadlocks: cycle, then meeting, then loan (a ROSCA:
    rotation, then round); a deadlock that happens all the same is Busy (see _Contended).
    """
    if not db.in_transaction():
        raise RuntimeError("lock() is meant for a write's transaction: open db.atomic() first")
    query = model.select().where(model.id == row_id)
    if isinstance(db.obj, PostgresqlDatabase):
        query = query.for_update("FOR NO KEY UPDATE")
    return query.get()
