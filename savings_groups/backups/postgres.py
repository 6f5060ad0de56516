"""Backups of a PostgreSQL database: pg_dump's custom format (`pg_dump -Fc`) and pg_restore.

PostgreSQL's own tools make a consistent copy of a live database and put it back; this module
runs them with the connection of DATABASE_URL (the password in the environment, never on the
command line), writes the dump under a temporary name before naming it, and checks a dump
(readable, schema version known, same organization) before anything is replaced.
"""

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from savings_groups.backups import files
from savings_groups.backups.files import Backup, BackupFailed, BadBackup
from savings_groups.core.errors import N_
from savings_groups.core.vocabulary import BackupReason
from savings_groups.store.db import open_database

DUMP_MAGIC = b"PGDMP"


class ToolMissing(BackupFailed):
    """pg_dump or pg_restore is not installed on this machine."""


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ToolMissing(
            N_(
                "%(tool)s is not installed: install PostgreSQL's client programs (for example "
                "the postgresql-client package) to back up or restore a PostgreSQL database."
            ),
            tool=name,
        )
    return found


def environment(url: str) -> dict[str, str]:
    """libpq's variables for a postgresql:// URL (the password stays out of `ps`)."""
    parts = urlsplit(url)
    values = {"PGDATABASE": unquote(parts.path.lstrip("/"))}
    if parts.hostname:
        values["PGHOST"] = parts.hostname
    if parts.port:
        values["PGPORT"] = str(parts.port)
    if parts.username:
        values["PGUSER"] = unquote(parts.username)
    if parts.password:
        values["PGPASSWORD"] = unquote(parts.password)
    return {**os.environ, **values}


def _run(command: list[str], url: str, folder: Path) -> subprocess.CompletedProcess:
    done = subprocess.run(command, env=environment(url), capture_output=True, text=True)
    if done.returncode:
        raise BackupFailed(
            N_("%(tool)s failed: %(reason)s"),
            tool=Path(command[0]).name,
            reason=(done.stderr.strip() or f"exit status {done.returncode}")[:500],
        )
    return done


def dump(url: str, target: Path, replace: bool = True) -> Backup:
    """`pg_dump -Fc` of the database into `target` (a file name in an existing folder)."""
    folder = target.parent
    temporary = files._temporary(folder, target.name)
    try:
        _run([tool("pg_dump"), "-Fc", "--no-owner", "-f", str(temporary)], url, folder)
        check_readable(temporary)
        final = files._publish(temporary, target, replace)
    except OSError as error:
        raise files._failed(folder, error) from error
    finally:
        files._remove(temporary)
    return files.describe(final)


def take(url: str, folder: Path, reason: BackupReason) -> Backup:
    """A dump into the backups folder, named like the SQLite backups (…-manual.dump)."""
    files.private_folder(folder)
    name = files.backup_name(reason, datetime.now(UTC), files.DUMP_SUFFIX)
    return dump(url, folder / name, replace=False)


def check_readable(path: Path) -> None:
    """A custom-format dump whose table of contents pg_restore can read."""
    with path.open("rb") as handle:
        if handle.read(len(DUMP_MAGIC)) != DUMP_MAGIC:
            raise BadBackup(
                N_(
                    "%(path)s is not a PostgreSQL backup made with pg_dump -Fc. Nothing was "
                    "changed."
                ),
                path=str(path),
            )
    done = subprocess.run([tool("pg_restore"), "--list", str(path)], capture_output=True)
    if done.returncode:
        raise _unreadable(path)


def _unreadable(path: Path) -> BadBackup:
    return BadBackup(
        N_("%(path)s is damaged or incomplete: pg_restore cannot read it. Nothing was changed."),
        path=str(path),
    )


def _table_rows(path: Path, table: str) -> list[dict[str, str]]:
    """The rows of one table in a dump, as text by column name (pg_restore writes them as
    COPY data: `COPY public.t (a, b) FROM stdin;`, a row a line, tab-separated)."""
    done = subprocess.run(
        [tool("pg_restore"), "--data-only", f"--table={table}", "-f", "-", str(path)],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise _unreadable(path)
    rows, columns = [], None
    for line in done.stdout.splitlines():
        if line.startswith("COPY "):
            columns = [name.strip(' "') for name in line.split("(", 1)[1].split(")")[0].split(",")]
        elif columns and line == "\\.":
            columns = None
        elif columns:
            rows.append(dict(zip(columns, line.split("\t"), strict=True)))
    return rows


def check(path: Path, url: str) -> str:
    """Refuse a dump that is not a sound backup of this installation; its schema version."""
    files.require_file(path)
    check_readable(path)
    names = [row["name"] for row in _table_rows(path, "schema_migration")]
    version = files.check_versions(path, names)
    # As psycopg gives it: COPY writes 12:06:59.12345 where str(datetime) writes .123450.
    theirs = [
        (row["name"], str(datetime.fromisoformat(row["created_at"])), _null(row.get("uuid")))
        for row in _table_rows(path, "organization")[:1]
    ]
    files.check_organization(path, theirs[0] if theirs else None, _organization(url))
    current = _versions(url)
    if current and version < max(current):
        raise BadBackup(
            N_(
                "%(path)s has schema %(version)s, older than this database's %(current)s: "
                "restore it into a new empty database (createdb), then start the app on it to "
                "upgrade it. Nothing was changed."
            ),
            path=str(path),
            version=version,
            current=max(current),
        )
    return version


def _organization(url: str) -> tuple[str, str, str | None] | None:
    database = open_database(url)
    with database.connection_context():
        if "organization" not in database.get_tables():
            return None
        columns = {column.name for column in database.get_columns("organization")}
        uuid = "uuid" if "uuid" in columns else "NULL"
        row = database.execute_sql(
            f"SELECT name, created_at, {uuid} FROM organization ORDER BY id LIMIT 1"
        ).fetchone()
    return (row[0], str(row[1]), row[2]) if row else None


def _null(value: str | None) -> str | None:
    """COPY writes a NULL as \\N."""
    return None if value in (None, "\\N") else value


def _versions(url: str) -> list[str]:
    database = open_database(url)
    with database.connection_context():
        if "schema_migration" not in database.get_tables():
            return []
        return [row[0] for row in database.execute_sql("SELECT name FROM schema_migration")]


def restore(source: Path, url: str, folder: Path) -> files.Restored:
    """Check the dump, dump the current database into `folder` (reason "replaced"), then
    `pg_restore --clean` in one transaction: all of it or nothing."""
    version = check(source, url)
    kept = take(url, folder, BackupReason.REPLACED) if _versions(url) else None
    _run(
        [
            tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "-d",
            environment(url)["PGDATABASE"],
            str(source),
        ],
        url,
        folder,
    )
    return files.Restored(source, kept.path if kept else None, version, False)
