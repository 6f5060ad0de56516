"""Kill a process in the middle of a save (SIGKILL), again and again: the harness of tests/crash.

A laptop unplugged mid-save must leave the books without that save or with all of it, never
half. For each kill this harness

1. prepares a fresh state in the test's own database (`prepare()`, in the test's process:
   usually a new group, so that every kill starts from the same situation),
2. hands the save to a child process that opens the same DATABASE_URL, runs
   `target(**kwargs)` to read what it needs (as tests/races/racers.py does), then calls the
   returned write. Children come from multiprocessing's "forkserver": a clean process
   started once (no connection of the tests inherited) that has imported the app and the
   savers, and forks each child from that; the next child is started while the parent checks
   the last kill and prepares the next state,
3. kills the child with SIGKILL a random time after it wrote its first row (four times in
   five; else after it called the write), drawn over the write's measured duration (one run
   of the same save that is not killed, the reference),
4. checks what the database holds: the state (`snapshot(kwargs)`, a Counter of hashable rows)
   must have changed by nothing or by exactly what the reference run changed; SQLite's
   `PRAGMA integrity_check` must say ok; on PostgreSQL the killed session must be gone (its
   transaction rolled back by the server); and `check(kwargs)`, when given, must hold.

The child reports how far it got in shared memory (it cannot tell anything once killed): the
write called, its first INSERT/UPDATE/DELETE, COMMIT sent, COMMIT returned, the write returned.
So each kill is counted as landing before the write, during it (rows written, not committed),
while committing (COMMIT sent: either outcome is right) or after it; `Tally` holds the counts
and what the database showed.

Use it for any save (a meeting, a backup, an import); test_kills.py has five:

    def prepare():  # in the test, with its database open (the `conn` fixture)
        group = ...  # a fresh state, the same every time
        return {"group": group.id, "actor": admin.id, ...}

    tally = kill_during(app_config["DATABASE_URL"], "tests.crash.savers:close_meeting",
                        prepare, lambda kwargs: group_rows(kwargs["group"]),
                        check=lambda kwargs: ..., kills=25)
    assert tally.during >= 1

`target` is "module:function" (or a module-level function) taking plain values and returning
the write to call without arguments; `prepare()` returns those plain values (a dict). The
snapshot may be anything a Counter holds: `group_rows` (every row of a group, ids left out)
for the books, or, say, the backup files found and whether each opens, for a backup. A target
outside tests.crash.savers is imported by each child (quickly: the app is already imported).
A save that writes other than through peewee (a backup, a bundle) calls `writing()` when it
starts writing, so that kills are aimed at that; test_harness.py kills a file written aside.
"""

import importlib
import multiprocessing
import os
import random
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache

FORKS = multiprocessing.get_context("forkserver")
FORKS.set_forkserver_preload(["tests.crash.killing", "tests.crash.savers", "psycopg"])
TIMEOUT = 60  # seconds; a child that takes longer is stuck, not slow
KILLS = int(os.environ.get("SAVINGS_GROUPS_KILLS") or 0) or None  # a long run: kills per save

# What the child writes in its shared array: how far it got, and when (time.monotonic(), the
# same clock in every process of the machine).
PHASE, WRITES, COMMITS, AUTOCOMMIT_WRITES = 0, 1, 2, 3
CALLED_AT, FIRST_WRITE_AT, COMMITTING_AT, COMMITTED_AT, RETURNED_AT = 4, 5, 6, 7, 8
SLOTS = 9
IDLE, CALLED, WRITING, COMMITTING, COMMITTED, RETURNED = range(6)
WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")
LANDED = {IDLE: "before", CALLED: "before", WRITING: "during", COMMITTING: "committing"}


def _resolve(target):
    if callable(target):
        return target
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)


_progress = None  # in a child: its shared array


def writing() -> None:
    """Called by a save in a child that writes other than through peewee (a backup copying
    pages, a file written): its first write starts now. Aimed kills then land after it."""
    if _progress is not None:
        _progress[WRITES] += 1
        if _progress[PHASE] < WRITING:
            _progress[FIRST_WRITE_AT] = time.monotonic()
            _progress[PHASE] = WRITING


def _watch(database, progress) -> None:
    """Make the child's database tell the parent (shared memory) how far the write got."""
    global _progress
    _progress = progress
    execute_sql, commit = database.execute_sql, database.commit

    def watched_execute(sql, params=None, *args, **kwargs):
        if progress[PHASE] >= CALLED and sql.lstrip().upper().startswith(WRITE_VERBS):
            if not database.in_transaction():
                progress[AUTOCOMMIT_WRITES] += 1  # a write outside any transaction: a bug
            writing()
        return execute_sql(sql, params, *args, **kwargs)

    def watched_commit():
        if progress[PHASE] >= CALLED:
            progress[COMMITTING_AT] = time.monotonic()
            progress[PHASE] = max(progress[PHASE], COMMITTING)
            commit()
            progress[COMMITS] += 1
            progress[COMMITTED_AT] = time.monotonic()
            progress[PHASE] = max(progress[PHASE], COMMITTED)
        else:
            commit()

    database.execute_sql, database.commit = watched_execute, watched_commit


def _child(url, target, pipe, progress) -> None:
    """One save in a child process: ready, then told the plain values, then told to go."""
    os.environ["PGAPPNAME"] = f"crash-{os.getpid()}"  # the parent finds its session by it
    try:
        from savings_groups.core.errors import DomainError
        from savings_groups.store import db as store

        make = _resolve(target)
        pipe.send(("ready", None))
        kwargs = pipe.recv()
        # Connected only now: between a kill and the next save no process holds the database,
        # so the parent's reopening is the first one, as after a power cut.
        store.initialize(url)
        store.db.connect()
        _watch(store.db.obj, progress)
        write = make(**kwargs)
        pipe.send(("set", None))
        pipe.recv()  # go
        progress[CALLED_AT] = time.monotonic()
        progress[PHASE] = CALLED
        try:
            write()
        except DomainError as error:
            pipe.send(("refused", f"{type(error).__name__}: {error}"))
            return
        progress[RETURNED_AT] = time.monotonic()
        progress[PHASE] = RETURNED
        pipe.send(("done", None))
        pipe.recv()  # a child killed after its write waits here to be killed
    except (EOFError, BrokenPipeError):
        pass  # the parent went away
    except Exception:
        with suppress(OSError):  # the parent went away
            pipe.send(("crashed", traceback.format_exc()))


class _Child:
    """A child started ahead of time (forked from the forkserver, its target imported) that
    waits for its values while the parent prepares the next state."""

    def __init__(self, url: str, target):
        self.pipe, theirs = FORKS.Pipe()
        self.progress = FORKS.RawArray("d", SLOTS)
        self.process = FORKS.Process(
            target=_child, args=(url, target, theirs, self.progress), daemon=True
        )
        self.process.start()
        theirs.close()

    def expect(self, wanted: str):
        if not self.pipe.poll(TIMEOUT):
            raise AssertionError(f"the child never said {wanted!r}")
        said, details = self.pipe.recv()
        if said != wanted:
            raise AssertionError(f"the child said {said!r} instead of {wanted!r}: {details}")

    def start(self, kwargs: dict) -> None:
        """Give the child its values, let it read, and tell it to write now."""
        self.expect("ready")
        self.pipe.send(kwargs)
        self.expect("set")
        self.pipe.send("go")

    def wait_for(self, phase: int) -> float:
        """Until the child has called the write (CALLED) or written its first row (WRITING),
        or got further; when it did (time.monotonic()). Also ends when the child is refused
        or crashed before writing (it said so on the pipe)."""
        deadline = time.monotonic() + TIMEOUT
        while self.progress[PHASE] < phase and not self.pipe.poll():
            if time.monotonic() > deadline:
                raise AssertionError(f"the child never reached phase {phase}")
            time.sleep(0.0001)
        return self.progress[FIRST_WRITE_AT if phase == WRITING else CALLED_AT] or time.monotonic()

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no rollback, no close, no flush
        self.process.join(TIMEOUT)

    def last_word(self) -> tuple:
        """What a killed child said after "go", if anything (it was done, refused, crashed)."""
        try:
            return self.pipe.recv() if self.pipe.poll() else (None, None)
        except EOFError:
            return None, None

    def value(self, slot: int) -> float:
        return self.progress[slot]

    def pg_application(self) -> str:
        return f"crash-{self.process.pid}"


@dataclass
class Timing:
    """When the reference write started writing, committing and was done (seconds after it
    was called), and how the aim is corrected as kills land too early or too late (the
    machine is not always as busy as when the reference ran)."""

    first_write: float
    committing: float
    committed: float
    scale: float = 1.0

    def aim(self, chance: random.Random) -> tuple[int, float]:
        """Where a kill is aimed: (the phase to wait for, then how long after it). Four times
        in five from the write's first row, inside the time its rows took to write, else
        from the call, anywhere to a little after the end (always, for a save whose writes
        the child did not see: no row through peewee, no call to writing())."""
        if self.first_write >= 0 and chance.random() < 0.8:
            return WRITING, self.scale * chance.uniform(0, self.committing - self.first_write)
        return CALLED, chance.uniform(0, self.committed * 1.2)

    def learn(self, phase: int, landed: str) -> None:
        if phase == WRITING and landed in ("committing", "after"):
            self.scale = max(self.scale * 0.87, 0.1)
        elif phase == WRITING and landed == "during":
            self.scale = min(self.scale * 1.03, 1.5)


@dataclass
class Tally:
    """Where the kills landed (before / during / committing / after the write) and what the
    database held after each: nothing of the save ("none") or all of it ("all")."""

    name: str
    kills: int = 0
    landed: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)  # (landed, "none" | "all")
    writes_at_kill: list[int] = field(default_factory=list)  # rows written when killed during
    power_cut: Counter = field(default_factory=Counter)  # SQLite: the same, after a power cut
    whole: tuple = (Counter(), Counter())  # what the reference save added and removed
    timing: Timing | None = None
    seconds: float = 0.0

    @property
    def during(self) -> int:
        return self.landed["during"]

    def __str__(self) -> str:
        outcomes = ", ".join(f"{k[0]}->{k[1]}: {n}" for k, n in sorted(self.outcomes.items()))
        deep = self.writes_at_kill
        rows = f"statements written when killed during: {min(deep)}..{max(deep)}" if deep else ""
        reference = (
            f"reference write: first row at {self.timing.first_write * 1000:.1f} ms, "
            f"COMMIT at {self.timing.committing * 1000:.1f} ms, "
            f"done at {self.timing.committed * 1000:.1f} ms"
            if self.timing
            else ""
        )
        cut = ", ".join(f"{k[0]}->{k[1]}: {n}" for k, n in sorted(self.power_cut.items()))
        cut = f"the database after a power cut (SQLite) {cut}; " if cut else ""
        return (
            f"{self.name}: {self.kills} kills in {self.seconds:.1f} s; "
            f"landed {dict(self.landed)}; {outcomes}; {cut}{rows}; {reference}"
        )


def delta(before: Counter, after: Counter) -> tuple[Counter, Counter]:
    """What a save added to and removed from a state (an update removes a row and adds one)."""
    return after - before, before - after


def _database():
    from savings_groups.store.db import db

    return db


def _is_postgres() -> bool:
    from peewee import PostgresqlDatabase

    return isinstance(_database().obj, PostgresqlDatabase)


def _counts(execute) -> dict[str, int]:
    """The number of rows of every table, through `execute(sql)` (any connection)."""
    tables = [row[0] for row in execute(_TABLES)]
    return {table: execute(f'SELECT COUNT(*) FROM "{table}"')[0][0] for table in tables}


_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"


def _table_counts() -> dict[str, int]:
    return _counts(lambda sql: _database().execute_sql(sql).fetchall())


def _after_power_cut() -> dict[str, int]:
    """SQLite: the database as the next start after a power cut finds it. A copy of the file
    and its write-ahead log, opened alone, recovers the log: a transaction whose COMMIT reached
    the log is there, even if the killed writer never told the other connections (the test's
    own connection, closed, would checkpoint only what it saw and drop it). The copy must be a
    valid database; its row counts are compared with the save's."""
    import shutil
    import sqlite3
    import tempfile

    path = _database().obj.database
    with tempfile.TemporaryDirectory() as folder:
        copy = os.path.join(folder, "copy.sqlite3")
        shutil.copyfile(path, copy)
        if os.path.exists(f"{path}-wal"):
            shutil.copyfile(f"{path}-wal", f"{copy}-wal")
        connection = sqlite3.connect(copy)
        try:
            verdict = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            assert verdict == ["ok"], f"integrity_check after a power cut: {verdict}"
            return _counts(lambda sql: connection.execute(sql).fetchall())
        finally:
            connection.close()


def _reopen_and_check(child: _Child) -> None:
    """Reopen the database, as the app does after a crash. SQLite: nobody else has it open, so
    this is the first opening since the kill and the file is still a valid database.
    PostgreSQL: the server has ended the killed session (and so rolled its transaction back)
    within a few seconds."""
    db = _database()
    held = list(db._state.ctx)  # the test's connection_context: closing forgets it
    db.close()
    db.connect()
    db._state.ctx.extend(held)
    if _is_postgres():
        deadline = time.monotonic() + 10
        while True:
            left = db.execute_sql(
                "SELECT state FROM pg_stat_activity WHERE application_name = %s",
                (child.pg_application(),),
            ).fetchall()
            if not left:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the killed session is still there: {left}")
            time.sleep(0.02)
    verdict = [row[0] for row in db.execute_sql("PRAGMA integrity_check").fetchall()]
    assert verdict == ["ok"], f"integrity_check after a kill: {verdict}"


def _difference(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {t: after.get(t, 0) - n for t, n in before.items() if after.get(t, 0) != n}


def kill_during(
    url: str,
    target,
    prepare: Callable[[], dict],
    snapshot: Callable[[dict], Counter],
    check: Callable[[dict], None] | None = None,
    kills: int = 25,
    name: str = "",
    seed: int | None = None,
    one_transaction: bool = True,
) -> Tally:
    """Kill `kills` saves of `target` (see the module's docstring) and return the tally; an
    AssertionError names the first kill that left half a save, a broken file or a broken
    invariant. SAVINGS_GROUPS_KILLS=300 in the environment makes it `kills` = 300.
    `one_transaction`: the reference save must commit once and write nothing outside its
    transaction (DESIGN: one transaction per public operation); False for a save that may not.
    The test's connection (store.db.db, open) is closed and opened again after each kill."""
    kills = KILLS or kills
    tally = Tally(name or str(target), kills=kills)
    chance = random.Random(seed)
    started = time.monotonic()
    spare = _Child(url, target)
    try:
        sqlite = not _is_postgres()
        kwargs = prepare()
        before, counted = snapshot(kwargs), sqlite and _table_counts()
        child, spare = spare, _Child(url, target)
        _reference(child, kwargs, tally, one_transaction)
        whole = tally.whole = delta(before, snapshot(kwargs))
        grown = sqlite and _difference(counted, _table_counts())
        assert whole != (Counter(), Counter()), f"{tally.name}: the reference save changed nothing"
        if check:
            check(kwargs)
        for number in range(1, kills + 1):
            kwargs = prepare()
            before, counted = snapshot(kwargs), sqlite and _table_counts()
            child, spare = spare, (_Child(url, target) if number < kills else None)
            child.start(kwargs)
            phase, delay = tally.timing.aim(chance)
            time.sleep(max(0.0, child.wait_for(phase) + delay - time.monotonic()))
            child.kill()
            landed = _landed(child, tally, number)
            tally.timing.learn(phase, landed)
            if sqlite:
                found = _difference(counted, _after_power_cut())
                assert found in ({}, grown), (
                    f"{tally.name}, kill {number}: half a save after a power cut: rows "
                    f"{found}, a whole save {grown}"
                )
                tally.power_cut[(landed, "all" if found else "none")] += 1
            _reopen_and_check(child)
            outcome = _outcome(delta(before, snapshot(kwargs)), whole, child, tally, number)
            assert (landed, outcome) not in (("before", "all"), ("after", "none")), (
                f"{tally.name}, kill {number}: {landed} the write but {outcome} of it"
            )
            tally.outcomes[(landed, outcome)] += 1
            if check:
                check(kwargs)
    finally:
        if spare is not None:
            spare.kill()
    tally.seconds = time.monotonic() - started
    print(tally, file=sys.stderr)
    return tally


def _reference(child: _Child, kwargs: dict, tally: Tally, one_transaction: bool) -> None:
    """Run the save once without killing it: how long its write takes is the aim."""
    child.start(kwargs)
    child.expect("done")
    if one_transaction:
        commits, outside = child.value(COMMITS), child.value(AUTOCOMMIT_WRITES)
        assert (commits, outside) == (1, 0), (
            f"{tally.name}: {commits:.0f} commits and {outside:.0f} writes outside a "
            "transaction, not one transaction"
        )
    called, returned = child.value(CALLED_AT), child.value(RETURNED_AT)
    wrote, committed = child.value(FIRST_WRITE_AT), child.value(COMMITTED_AT)
    tally.timing = Timing(
        wrote - called if wrote else -1.0,
        (child.value(COMMITTING_AT) or returned) - called,
        (committed or returned) - called,
    )
    child.kill()


def _landed(child: _Child, tally: Tally, number: int) -> str:
    """Where the kill landed, from what the killed child last wrote in shared memory."""
    landed = LANDED.get(int(child.value(PHASE)), "after")
    said, details = child.last_word()
    assert said in ("done", None), f"{tally.name}, kill {number}: the save {said}: {details}"
    tally.landed[landed] += 1
    if landed == "during":
        tally.writes_at_kill.append(int(child.value(WRITES)))
    return landed


def _outcome(change: tuple, whole: tuple, child: _Child, tally: Tally, number: int) -> str:
    """ "none" or "all" of the save; half of it fails with what it added and removed."""
    if change == (Counter(), Counter()):
        return "none"
    if change == whole:
        return "all"
    added, removed = change
    raise AssertionError(
        f"{tally.name}, kill {number} ({int(child.value(WRITES))} statements written): half a "
        f"save. Added {dict(added)}, removed {dict(removed)}; a whole save adds "
        f"{dict(whole[0])} and removes {dict(whole[1])}"
    )


# --- the state of one group, as a multiset of its rows ------------------------------------


@cache
def _queries():
    """For each model of the app, the query of a group's rows and which columns count as
    set or not (see _plain); built once."""
    queries = []
    for model, path in _paths().items():
        columns = _plain(model)
        query = model.select(*[column for column, _set in columns])
        joined = model
        for key in path:
            query = query.join_from(
                joined, key.rel_model, on=(key == key.rel_model._meta.primary_key)
            )
            joined = key.rel_model
        queries.append((model._meta.table_name, query, [as_set for _c, as_set in columns]))
    return queries


def _paths():
    """For each model, the chain of foreign keys from it to its group (the shortest), or
    None when its rows belong to no group (users, the organization)."""
    from peewee import ForeignKeyField

    from savings_groups.store import models

    every = [
        m
        for m in vars(models).values()
        if isinstance(m, type) and issubclass(m, models.BaseModel) and m is not models.BaseModel
    ]
    paths = {models.SavingsGroup: []}
    frontier = [models.SavingsGroup]
    while frontier:
        reached = []
        for model in every:
            if model in paths:
                continue
            for key in model._meta.sorted_fields:
                if (
                    isinstance(key, ForeignKeyField)
                    and key.rel_model in frontier
                    and key.rel_model is not model
                ):
                    paths[model] = [key, *paths[key.rel_model]]
                    reached.append(model)
                    break
        frontier = reached
    return paths


def _plain(model):
    """The columns of a row that say what it holds, not where it sits: ids, free texts (notes,
    JSON with ids) are left out; a reference, a timestamp or a unique identifier counts as set
    or not (a meeting closed, a cycle shared out, a card issued)."""
    from peewee import AutoField, DateTimeField, ForeignKeyField, IntegerField, TextField

    columns = []
    for column in model._meta.sorted_fields:
        if isinstance(column, AutoField | TextField):
            continue
        if (
            isinstance(column, ForeignKeyField | DateTimeField)
            or column.unique  # an identifier (a card's code): differs from group to group
            or (isinstance(column, IntegerField) and column.name.endswith("_id"))
        ):
            columns.append((column, True))
        else:
            columns.append((column, False))
    return columns


def group_rows(group_id: int) -> Counter:
    """Every row of every table that belongs to the group (found through its foreign keys),
    as (table, plain values) with ids left out: comparable between two groups set up alike."""
    from savings_groups.store.models import SavingsGroup

    rows = Counter()
    for table, query, as_set in _queries():
        for values in query.where(SavingsGroup.id == group_id).tuples():
            plain = tuple((v is not None) if s else v for s, v in zip(as_set, values, strict=True))
            rows[(table, plain)] += 1
    return rows
