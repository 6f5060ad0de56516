"""Figures of each group stored as of a day, read back while the group's books have not changed.

The indicators, the oversight figures and the trends of 1,000 groups read millions of ledger
entries (seconds); a group's own figures take milliseconds. So each group's figures are kept as
of a day with the version of its books they were computed at (BooksVersion, raised by the
database's triggers on every write: migration 0031) and computed again only for the groups whose
books changed since, or for a day not stored yet.

The figures are stored under a name and a fingerprint of the code that computes them (`kind`):
a new version of that code never reads what an older one stored.

The versions are read before the figures are computed: a write that commits in between raises
the version past the one stored, so the stored figures are computed again at the next reading,
never taken for the new books. Storing is best effort: a reading never fails because another
connection holds the write lock; the figures are then simply computed again next time.
"""

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import date

from peewee import PeeweeException, PostgresqlDatabase

from savings_groups.core.dates import today
from savings_groups.store.db import Busy, db, written_out
from savings_groups.store.models import BooksVersion, StoredFigures

log = logging.getLogger(__name__)
BATCH = 500  # rows a statement: far below SQLite's 32,766 parameters
PREFIX = "books_version_"  # the triggers' names (migration 0031)
KEY = [StoredFigures.group_id, StoredFigures.kind, StoredFigures.as_of]


def kind(name: str, source: str) -> str:
    """`name` and a fingerprint of the source file that computes the figures (its __file__)."""
    with open(source, "rb") as code:
        return f"{name}:{hashlib.sha256(code.read()).hexdigest()[:8]}"


def _name(kind: str) -> str:
    return kind.split(":")[0]


def versions(ids: list[int]) -> dict[int, int]:
    """The version of each group's books (0 for a group never written since migration 0031).
    Plain SQL with the ids written out: a thousand ids as peewee nodes cost more than the read."""
    found = dict.fromkeys(ids, 0)
    found.update(
        db.execute_sql(
            f"SELECT group_id, version FROM books_version WHERE group_id IN ({written_out(ids)})"
        ).fetchall()
    )
    return found


def stored(kind: str, day: date, current: dict[int, int]) -> dict[int, object]:
    """The JSON figures of `kind` as of `day` stored at each group's current version."""
    rows = db.execute_sql(
        "SELECT group_id, version, figures FROM stored_figures"
        f" WHERE kind = {db.param} AND as_of = {db.param} AND group_id IN ({written_out(current)})",
        (kind, day if isinstance(db.obj, PostgresqlDatabase) else day.isoformat()),
    ).fetchall()
    return {
        group_id: json.loads(figures)
        for group_id, version, figures in rows
        if current.get(group_id) == version
    }


def store(kind: str, day: date, current: dict[int, int], figures: dict[int, object]) -> None:
    """Keep each group's figures with the version they were computed at (best effort), in place
    of the group's figures of other days but today's (at most two days a group and kind) and of
    those an older code stored."""
    rows = [
        {
            "group_id": group_id,
            "kind": kind,
            "as_of": day,
            "version": current[group_id],
            "figures": json.dumps(value, separators=(",", ":")),
        }
        for group_id, value in sorted(figures.items())  # one order: two storings never deadlock
    ]
    try:
        with db.atomic():
            for start in range(0, len(rows), BATCH):
                batch = rows[start : start + BATCH]
                StoredFigures.delete().where(
                    StoredFigures.group_id.in_([row["group_id"] for row in batch]),
                    StoredFigures.kind.startswith(_name(kind) + ":"),
                    (StoredFigures.kind != kind) | StoredFigures.as_of.not_in([day, today()]),
                ).execute()
                StoredFigures.insert_many(batch).on_conflict(
                    conflict_target=KEY, preserve=[StoredFigures.version, StoredFigures.figures]
                ).execute()
    except (Busy, PeeweeException) as error:  # another write, read-only: computed next time
        log.info("figures not stored: %s", error)


def through(
    kind: str,
    ids: Iterable[int],
    day: date,
    compute: Callable[[list[int]], dict[int, object]],
    dump: Callable[[object], object],
    load: Callable[[int, object], object],
) -> dict[int, object]:
    """Each group's figures as of `day`: the stored ones where its books have not changed,
    `compute(ids)` for the others (then stored). `dump` makes a figure JSON, `load` makes it
    again from JSON (given its group's id)."""
    ids = list(ids)
    current = versions(ids)
    found = {group_id: load(group_id, v) for group_id, v in stored(kind, day, current).items()}
    missing = [group_id for group_id in ids if group_id not in found]
    if missing:
        computed = compute(missing)
        store(kind, day, current, {group_id: dump(computed[group_id]) for group_id in missing})
        found.update(computed)
    return found


@contextmanager
def triggers_paused(database):
    """A bulk load (the demo) without the books-version triggers: millions of rows would each
    raise a version (on PostgreSQL, queued to the commit). Inside the caller's transaction, so
    a rollback brings the triggers back too (both databases change their schema in a
    transaction); every group's version is then raised once, so that nothing stored before is
    read for the books written meanwhile."""
    if isinstance(database, PostgresqlDatabase):
        made = database.execute_sql(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            f" WHERE LEFT(t.tgname, {len(PREFIX)}) = '{PREFIX}'"
        ).fetchall()
        for table, name in made:
            database.execute_sql(f'ALTER TABLE "{table}" DISABLE TRIGGER "{name}"')
        yield
        for table, name in made:
            database.execute_sql(f'ALTER TABLE "{table}" ENABLE TRIGGER "{name}"')
    else:
        made = database.execute_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            f" AND substr(name, 1, {len(PREFIX)}) = '{PREFIX}'"
        ).fetchall()
        for name, _ in made:
            database.execute_sql(f'DROP TRIGGER "{name}"')
        yield
        for _, sql in made:
            database.execute_sql(sql)
    BooksVersion.update(version=BooksVersion.version + 1).execute()
