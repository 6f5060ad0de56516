"""The books checked against themselves: what the ledger says, recomputed, against every stored
figure and every rule of the ledger. Each problem found is a Difference that says exactly where.

Each check is a few SQL queries (aggregates and joins, grouped by meeting, loan or share-out
line, never a Python loop over entries), so that it runs on a million entries. Reports read
across areas, so the check lives here; `check()` is what the command, the admin page and other
code call. The rules are in integrity_ledger (reversals, references, cash counts),
integrity_closing (share-outs, settlements, closed cycles) and integrity_loans (loans, repayments
between members); each takes a Found and writes its differences into it.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from peewee import SqliteDatabase

from savings_groups.core.errors import Amount
from savings_groups.core.vocabulary import Choice
from savings_groups.reports import integrity_closing, integrity_ledger, integrity_loans
from savings_groups.store.db import db, open_database
from savings_groups.store.models import ALL_MODELS, Entry, SavingsGroup


@dataclass(frozen=True)
class Difference:
    """One thing the books disagree on: `code` says which rule, `object_type`/`object_id` the row
    concerned, `expected` what the ledger (or the rule) says, `found` what is stored. `message`
    is an English msgid whose %(name)s fields are `params` (amounts as errors.Amount, funds and
    kinds as their vocabulary enum), so that a page translates it."""

    code: str
    message: str
    object_type: str
    object_id: int
    expected: object
    found: object
    group_id: int | None = None
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        """The difference in English with plain numbers, for the command and logs."""
        values = plain(self.params)
        where = f"group {self.group_id}, " if self.group_id is not None else ""
        return f"[{self.code}] {where}{self.object_type} {self.object_id}: {self.message % values}"


def plain(params: dict) -> dict:
    """A message's params as the log writes them: amounts as integers, choices by their code."""
    return {name: _plain(value) for name, value in params.items()}


def _plain(value):
    if isinstance(value, Amount):
        return int(value)
    if isinstance(value, Choice):
        return value.value
    return value


@dataclass(frozen=True)
class Result:
    """What was checked and what was found."""

    groups: int
    entries: int
    differences: list[Difference]

    @property
    def ok(self) -> bool:
        return not self.differences


def check(database=None) -> list[Difference]:
    """Every difference in the books, in a stable order (by check, then by row).

    `database`: a peewee database or a database URL; nothing: the app's database (connected).
    """
    return run(database).differences


def run(database=None) -> Result:
    """check() with how many groups and entries were checked."""
    if database is None:
        return _run(db)
    if isinstance(database, str):
        database = open_database(database)
    with database.bind_ctx(ALL_MODELS), database.connection_context():
        return _run(database)


def _run(database) -> Result:
    with _snapshot(database):
        groups = SavingsGroup.select(SavingsGroup.id, SavingsGroup.currency)
        currencies = {group.id: group.currency for group in groups}
        differences = []
        for one_check in CHECKS:
            differences += one_check(Found(currencies))
        return Result(len(currencies), Entry.select().count(), differences)


@contextmanager
def _snapshot(database):
    """One read transaction, so that every check sees the same books while others write: on
    SQLite a deferred one (a reader never blocks the writer in WAL mode), on PostgreSQL a
    repeatable-read one (read committed would give each query its own snapshot)."""
    outermost = database.transaction_depth() == 0
    if isinstance(getattr(database, "obj", database), SqliteDatabase):  # db is a proxy
        with database.atomic("DEFERRED"):
            yield
        return
    with database.atomic():
        if outermost:
            database.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


class Found(list):
    """The differences a check finds, and how it writes them down."""

    def __init__(self, currencies: dict[int, str]):
        super().__init__()
        self.currencies = currencies

    def add(self, code, message, object_type, object_id, group_id, expected, found, **params):
        """A difference whose message may also name what was expected and what was found."""
        params = {"expected": expected, "found": found, **params}
        self.append(
            Difference(code, message, object_type, object_id, expected, found, group_id, params)
        )

    def money(self, value, group_id) -> Amount:
        """An amount of the group's, shown as money wherever the difference is read."""
        return Amount(int(value or 0), self.currencies.get(group_id, "XXX"))


CHECKS = (
    integrity_ledger.check_reversals,
    integrity_ledger.check_references,
    integrity_ledger.check_cash_counts,
    integrity_closing.check_share_outs,
    integrity_closing.check_share_out_lines,
    integrity_closing.check_exits,
    integrity_loans.check_debt_repayments,
    integrity_closing.check_closed_cycles,
    integrity_loans.check_loans,
)
