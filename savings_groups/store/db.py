"""The peewee database: created empty at import, opened from DATABASE_URL by the factory."""

import sqlite3
from pathlib import Path
from urllib.parse import unquote, urlsplit

from peewee import DatabaseProxy, PostgresqlDatabase, SqliteDatabase

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


def open_database(url: str):
    """Return an unconnected peewee database for a sqlite:/// or postgresql:// URL."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if path.startswith("//"):  # sqlite:////abs/path written with four slashes
            path = path[1:]
        return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=10, lock_type="IMMEDIATE")
    if parts.scheme in ("postgresql", "postgres"):
        return PostgresqlDatabase(
            unquote(parts.path.lstrip("/")),
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            host=parts.hostname,
            port=parts.port,
            prefer_psycopg3=True,
        )
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


def is_read_only_error(error: Exception) -> bool:
    """True for the errors SQLite raises when its file may not be written."""
    text = str(error).lower()
    return "readonly" in text or "read-only" in text or "unable to open" in text


def initialize(url: str) -> None:
    """Open the database of a URL, check it can be written, and make it the one `db` stands for."""
    database = open_database(url)
    check_writable(database)
    db.initialize(database)
