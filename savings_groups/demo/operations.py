"""`savings-groups demo`: write a generated organization to the configured database in bulk."""

import time
from dataclasses import dataclass

from peewee import PostgresqlDatabase

from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import Role
from savings_groups.demo.generate import Actors, Options, facilitator_users, generate
from savings_groups.demo.rows import Rows, continue_sequences, first_ids, write
from savings_groups.groups.operations import real_groups
from savings_groups.org import accounts, passwords
from savings_groups.store import schema, stored_figures
from savings_groups.store.db import db
from savings_groups.store.models import (
    Attendance,
    AuditEntry,
    CashCount,
    Contribution,
    Cycle,
    CycleShareOut,
    Entry,
    FineType,
    GroupAssignment,
    GroupConsent,
    Hand,
    HandHolder,
    Loan,
    LoanInstallment,
    Meeting,
    Member,
    MemberExit,
    Rotation,
    Round,
    RoundEntry,
    SavingsGroup,
    ShareOutLine,
    User,
)

# The password of every demo account, printed by the command and in the README: the demo is
# for trying the app, never for real books.
DEMO_PASSWORD = "demo-password"
ADMIN_USERNAME = "demo-admin"
ORGANIZATION = "Demo Reintegration Programme"

# Parents before children, for the foreign keys.
MODELS = [
    User,
    SavingsGroup,
    GroupAssignment,
    GroupConsent,
    Member,
    Cycle,
    FineType,
    Meeting,
    Attendance,
    CashCount,
    Loan,
    LoanInstallment,
    Entry,
    CycleShareOut,
    ShareOutLine,
    MemberExit,
    Rotation,
    Hand,
    HandHolder,
    Round,
    Contribution,
    RoundEntry,
    AuditEntry,
]


FLUSH_ENTRIES = 200_000  # ledger entries generated before a batch of rows is written


class HasGroups(DomainError):
    """The database already holds groups: the demo is added only when asked (--add)."""


@dataclass(frozen=True)
class Report:
    counts: dict
    generate_seconds: float
    write_seconds: float
    admin: str | None  # the administrator created with the demo, if there was none


def load(options: Options, policy: accounts.LoginPolicy, add: bool = False) -> Report:
    """Generate the demo and write it in one transaction (nothing at all if it fails).

    A database that already has groups is refused unless `add`: the demo's groups then go
    beside them. On an installation not set up yet, the organization and an administrator
    (ADMIN_USERNAME, DEMO_PASSWORD) are created first, through org.accounts. The rows get their
    ids here (after the largest in each table): run it while nobody else writes (the server
    stopped, or not yet in use), as for a restore. On PostgreSQL the books-version triggers are
    switched off inside its transaction (stored_figures.triggers_paused: a SHARE ROW EXCLUSIVE
    lock on each table they watch until it commits): other writes wait, reads go on.
    """
    if real_groups().exists() and not add:  # practice groups are not in the way
        raise HasGroups(
            "This database already has groups: the demo would mix with them. Use another "
            "database (DATABASE_URL), or --add to add the demo groups beside them."
        )
    created = None
    if accounts.needs_setup():
        accounts.setup(
            ORGANIZATION, ADMIN_USERNAME, "Demo Administrator", DEMO_PASSWORD, "en", policy
        )
        created = ADMIN_USERNAME
    admin = (
        User.select()
        .where((User.role == Role.ADMIN.value) & User.is_active)
        .order_by(User.id)
        .first()
    )
    if admin is None:
        raise DomainError("There is no active administrator to record the demo as.")
    database = db.obj
    sqlite = not isinstance(database, PostgresqlDatabase)
    counts, writing = {}, [0.0]

    def flush(rows: Rows, last: bool = False) -> None:
        """Write the rows once there are enough of them (memory stays bounded)."""
        if last or rows.count(Entry) >= FLUSH_ENTRIES:
            started = time.perf_counter()
            write(database, rows, MODELS, counts)
            writing[0] += time.perf_counter() - started

    started = time.perf_counter()
    if sqlite:  # a bulk load: durability at the end, not at each page of the file
        database.execute_sql("PRAGMA synchronous = OFF")
        database.execute_sql("PRAGMA cache_size = -200000")
    try:
        with db.atomic():
            rows = Rows(first_ids(db, MODELS))
            existing = {u.username: u.id for u in User.select(User.id, User.username)}
            facilitators = facilitator_users(
                options, rows, existing, passwords.hash_password(DEMO_PASSWORD), admin.id
            )
            with stored_figures.triggers_paused(database):
                generate(options, rows, Actors(admin.id, facilitators), flush)
                flush(rows, last=True)
            continue_sequences(database, MODELS)
    finally:
        if sqlite:
            database.execute_sql("PRAGMA synchronous = FULL")
    analysing = time.perf_counter()
    schema.analyze(database)  # the planner's statistics, for the pages' queries
    total = time.perf_counter() - started
    writing[0] += time.perf_counter() - analysing
    return Report(counts, total - writing[0], writing[0], created)
