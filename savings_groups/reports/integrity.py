"""The books checked against themselves: what the ledger says, recomputed, against every stored
figure and every rule of the ledger. Each problem found is a Difference that says exactly where.

Each check is a few SQL queries (aggregates and joins, grouped by meeting, loan or share-out
line, never a Python loop over entries), so that it runs on a million entries. Reports read
across areas, so the check lives here; `check()` is what the command, the admin page and other
code call.
"""

import bisect
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from peewee import JOIN, SQL, Case, SqliteDatabase, fn

from savings_groups.core.errors import N_, Amount
from savings_groups.core.vocabulary import (
    BOXES,
    Choice,
    EntryKind,
    Fund,
    LoanStatus,
    MeetingStatus,
)
from savings_groups.ledger.entries import OPENING_KINDS, SAVINGS_KINDS
from savings_groups.store.db import db, open_database
from savings_groups.store.models import (
    ALL_MODELS,
    CashCount,
    Cycle,
    CycleShareOut,
    DebtRepayment,
    Entry,
    Loan,
    Meeting,
    Member,
    MemberExit,
    SavingsGroup,
    ShareOutLine,
)


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
        values = {name: _plain(value) for name, value in self.params.items()}
        where = f"group {self.group_id}, " if self.group_id is not None else ""
        return f"[{self.code}] {where}{self.object_type} {self.object_id}: {self.message % values}"


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


def _day(value) -> str:
    """A date as ISO text: SQLite gives an expression's date as text, PostgreSQL as a date."""
    return value.isoformat() if isinstance(value, date) else str(value)


# --- reversals --------------------------------------------------------------------------------

REVERSAL_AMOUNT = N_(
    "Entry %(entry)s reverses entry %(original)s: its amount should be %(expected)s, it is "
    "%(found)s."
)
REVERSAL_SHARES = N_(
    "Entry %(entry)s reverses entry %(original)s: its shares should be %(expected)s, they are "
    "%(found)s."
)
REVERSAL_FIELD = N_(
    "Entry %(entry)s reverses entry %(original)s but its %(field)s differs: %(expected)s "
    "expected, %(found)s found."
)
REVERSAL_OF_REVERSAL = N_(
    "Entry %(entry)s reverses entry %(original)s, which is itself a reversal: only an "
    "original entry may be reversed."
)
REVERSED_TWICE = N_("Entry %(original)s is reversed %(found)s times: at most once.")

# What a reversal copies from the entry it cancels (ledger.entries.reverse).
COPIED = ("group", "cycle", "meeting", "member", "loan", "kind", "fund", "effective_on", "channel")


def _column(model, name):
    """The column of a field: the id of a foreign key (compared as is, null as 0)."""
    column = getattr(model, name)
    return fn.COALESCE(column, 0) if name in ("cycle", "meeting", "member", "loan") else column


def check_reversals(found: Found) -> Found:
    """Every reversal is the exact opposite of an original entry (ledger.reverse): same group,
    cycle, meeting, member, loan, kind, fund, date and channel, negated amount and shares; it
    reverses no reversal; no entry is reversed twice (two queries)."""
    original = Entry.alias()
    condition = (
        ((Entry.amount + original.amount) != 0)
        | ((Entry.shares + original.shares) != 0)
        | original.reverses.is_null(False)
    )
    for name in COPIED:
        condition |= _column(Entry, name) != _column(original, name)
    query = (
        Entry.select(
            Entry.id,
            Entry.amount,
            Entry.shares,
            *(getattr(Entry, name).alias(f"r_{name}") for name in COPIED),
            original.id.alias("o_id"),
            original.amount.alias("o_amount"),
            original.shares.alias("o_shares"),
            original.reverses.alias("o_reverses"),
            *(getattr(original, name).alias(f"o_{name}") for name in COPIED),
        )
        .join(original, on=(Entry.reverses == original.id))
        .where(condition)
        .order_by(Entry.id)
        .dicts()
    )
    for row in query:
        group_id, entry = row["r_group"], row["id"]

        def add(code, message, expected, got, entry=entry, group_id=group_id, row=row, **params):
            found.add(
                code,
                message,
                "entry",
                entry,
                group_id,
                expected,
                got,
                entry=entry,
                original=row["o_id"],
                **params,
            )

        if row["o_reverses"] is not None:
            add("reversal_of_reversal", REVERSAL_OF_REVERSAL, None, row["o_reverses"])
        if row["amount"] != -row["o_amount"]:
            add(
                "reversal_amount",
                REVERSAL_AMOUNT,
                found.money(-row["o_amount"], group_id),
                found.money(row["amount"], group_id),
            )
        if row["shares"] != -row["o_shares"]:
            add("reversal_shares", REVERSAL_SHARES, -row["o_shares"], row["shares"])
        for name in COPIED:
            expected, got = row[f"o_{name}"], row[f"r_{name}"]
            if _day(expected) != _day(got) if name == "effective_on" else expected != got:
                add("reversal_field", REVERSAL_FIELD, expected, got, field=name)
    twice = (
        Entry.select(Entry.reverses, Entry.group, fn.COUNT(Entry.id).alias("times"))
        .where(Entry.reverses.is_null(False))
        .group_by(Entry.reverses, Entry.group)
        .having(fn.COUNT(Entry.id) > 1)
        .order_by(Entry.reverses)
    )
    for row in twice:
        original = row.reverses_id
        found.add(
            "reversed_twice",
            REVERSED_TWICE,
            "entry",
            original,
            row.group_id,
            1,
            row.times,
            original=original,
        )
    return found


# --- entries that point at another group's rows -----------------------------------------------

ELSEWHERE = N_(
    "Entry %(entry)s of this group points at the %(field)s %(target)s of another group "
    "(group %(found)s)."
)
MEETING_CYCLE = N_(
    "Entry %(entry)s is in cycle %(found)s but its meeting %(meeting)s is in cycle %(expected)s."
)
LOAN_MEMBER = N_(
    "Entry %(entry)s of loan %(loan)s is the member %(found)s's, but the loan is the member "
    "%(expected)s's."
)


def check_references(found: Found) -> Found:
    """No entry points at a member, meeting, cycle or loan of another group; an entry of a
    meeting is in the meeting's cycle; a loan's entry is its borrower's (one query)."""
    approver = Member.alias()
    targets = {
        "member": (Entry.member, Member),
        "meeting": (Entry.meeting, Meeting),
        "cycle": (Entry.cycle, Cycle),
        "loan": (Entry.loan, Loan),
        "approver": (Entry.approved_by, approver),
    }
    query = Entry.select(
        Entry.id,
        Entry.group,
        Entry.cycle,
        Entry.member,
        Entry.meeting,
        Entry.loan,
        Entry.approved_by,
        *(model.group.alias(f"{name}_group") for name, (_c, model) in targets.items()),
        Meeting.cycle.alias("meeting_cycle"),
        Loan.member.alias("loan_member"),
    )
    condition = (Meeting.cycle != fn.COALESCE(Entry.cycle, 0)) | (
        Loan.member != fn.COALESCE(Entry.member, 0)
    )
    for column, model in targets.values():
        query = query.switch(Entry).join(model, JOIN.LEFT_OUTER, on=(column == model.id))
        condition |= model.group != Entry.group
    for row in query.where(condition).order_by(Entry.id).dicts():
        group_id, entry = row["group"], row["id"]
        for name in targets:
            other = row[f"{name}_group"]
            if other is not None and other != group_id:
                target = row["approved_by" if name == "approver" else name]
                found.add(
                    "entry_elsewhere",
                    ELSEWHERE,
                    "entry",
                    entry,
                    group_id,
                    group_id,
                    other,
                    entry=entry,
                    field=name,
                    target=target,
                )
        if row["meeting_cycle"] is not None and row["meeting_cycle"] != row["cycle"]:
            found.add(
                "entry_meeting_cycle",
                MEETING_CYCLE,
                "entry",
                entry,
                group_id,
                row["meeting_cycle"],
                row["cycle"],
                entry=entry,
                meeting=row["meeting"],
            )
        if row["loan_member"] is not None and row["loan_member"] != row["member"]:
            found.add(
                "loan_entry_member",
                LOAN_MEMBER,
                "entry",
                entry,
                group_id,
                row["loan_member"],
                row["member"],
                entry=entry,
                loan=row["loan"],
            )
    return found


# --- the cash counted at closed meetings --------------------------------------------------------

CASH_COUNT = N_(
    "Meeting of %(held_on)s (cycle %(cycle)s): %(fund)s counted %(found)s at closing, but the "
    "ledger now says %(expected)s."
)
COUNT_MISSING = N_(
    "Meeting of %(held_on)s (cycle %(cycle)s) is closed but has no count of %(fund)s."
)

# Where an entry counts on its day (ledger.counted_at): the entries that open a cycle, then the
# day's meeting, then the other entries outside a meeting.
BEFORE_MEETING, AT_MEETING, AFTER_MEETING = 0, 1, 2


def ledger_slots():
    """The ledger summed by cycle, fund, day and place in the day (one query, a row per meeting
    and per day of entries outside a meeting, whatever the number of entries)."""
    day = fn.COALESCE(Meeting.held_on, Entry.effective_on)
    place = Case(
        None,
        [
            (Entry.meeting.is_null(False), AT_MEETING),
            (Entry.kind.in_([kind.value for kind in OPENING_KINDS]), BEFORE_MEETING),
        ],
        AFTER_MEETING,
    )
    return (
        Entry.select(
            Entry.cycle.alias("cycle_id"),
            Entry.fund,
            day.alias("day"),
            place.alias("place"),
            fn.SUM(Entry.amount).alias("total"),
        )
        .join(Meeting, JOIN.LEFT_OUTER, on=(Entry.meeting == Meeting.id))
        .where(Entry.cycle.is_null(False))
        # By position: PostgreSQL would not match the CASE's parameters with the SELECT's.
        .group_by(SQL("1"), SQL("2"), SQL("3"), SQL("4"))
        .dicts()
    )


def check_cash_counts(found: Found) -> Found:
    """Every closed meeting's count of a box equals what the box holds once the meeting ends, in
    the ledger's order (ledger.balances_as_of with `including`, as the meeting's summary shows
    it): a difference counted at closing was posted as a cash_difference entry, so what was
    counted and the books agree. Every closed meeting counted its boxes (four queries; the
    running balances are summed over the rows of ledger_slots, not over entries)."""
    running: dict[tuple, tuple[list, list]] = {}
    slots = sorted(
        (row["cycle_id"], row["fund"], _day(row["day"]), row["place"], int(row["total"] or 0))
        for row in ledger_slots()
    )
    for cycle_id, fund, day, place, total in slots:
        keys, balances = running.setdefault((cycle_id, fund), ([], []))
        keys.append((day, place))
        balances.append((balances[-1] if balances else 0) + total)
    counts = (
        CashCount.select(
            CashCount.fund,
            CashCount.counted,
            Meeting.id.alias("meeting_id"),
            Meeting.group.alias("group_id"),
            Meeting.cycle.alias("cycle_id"),
            Meeting.held_on,
            Cycle.number.alias("cycle_number"),
        )
        .join(Meeting)
        .join(Cycle)
        .where(Meeting.status == MeetingStatus.CLOSED.value)
        .order_by(Meeting.id, CashCount.fund)
        .dicts()
    )
    for row in counts:
        keys, balances = running.get((row["cycle_id"], row["fund"]), ([], []))
        at = bisect.bisect_right(keys, (_day(row["held_on"]), AT_MEETING))
        expected = balances[at - 1] if at else 0
        if expected != row["counted"]:
            group_id = row["group_id"]
            found.add(
                "cash_count",
                CASH_COUNT,
                "meeting",
                row["meeting_id"],
                group_id,
                found.money(expected, group_id),
                found.money(row["counted"], group_id),
                held_on=row["held_on"],
                cycle=row["cycle_number"],
                fund=Fund(row["fund"]),
            )
    for box in BOXES:
        counted = CashCount.select(CashCount.meeting).where(CashCount.fund == box.value)
        uncounted = (
            Meeting.select(Meeting.id, Meeting.group, Meeting.held_on, Cycle.number)
            .join(Cycle)
            .where((Meeting.status == MeetingStatus.CLOSED.value) & Meeting.id.not_in(counted))
            .order_by(Meeting.id)
        )
        for meeting in uncounted:
            found.add(
                "count_missing",
                COUNT_MISSING,
                "meeting",
                meeting.id,
                meeting.group_id,
                box.value,
                None,
                held_on=meeting.held_on,
                cycle=meeting.cycle.number,
                fund=box,
            )
    return found


# --- share-outs -------------------------------------------------------------------------------

SHARE_OUT_SUM = N_(
    "Share-out of cycle %(cycle)s: the payouts (%(paid)s) and the carry-over (%(carry)s) make "
    "%(found)s, but the cash shared was %(expected)s."
)
SOCIAL_FUND_SUM = N_(
    "Share-out of cycle %(cycle)s: the social fund paid out (%(paid)s) and carried over "
    "(%(carry)s) make %(found)s, but the social fund held %(expected)s."
)
SHARE_OUT_POSTED = N_(
    "Share-out of cycle %(cycle)s: member %(member)s's %(kind)s entries come to %(found)s, but "
    "the signed share-out says %(expected)s."
)
SHARE_OUT_SHARES = N_(
    "Share-out of cycle %(cycle)s: member %(member)s bought %(expected)s shares according to "
    "the ledger, but the share-out counts %(found)s."
)
SHARE_OUT_SAVED = N_(
    "Share-out of cycle %(cycle)s: member %(member)s saved %(expected)s according to the "
    "ledger, but the share-out counts %(found)s."
)
CYCLE_NOT_CLOSED = N_("Cycle %(cycle)s is shared out but not closed.")
CLOSED_WITHOUT_SHARE_OUT = N_("Cycle %(cycle)s is closed but has no share-out.")
AFTER_CLOSE = N_(
    "Entry %(entry)s (%(kind)s, %(amount)s) was recorded in cycle %(cycle)s after the cycle "
    "was closed."
)


def check_share_outs(found: Found) -> Found:
    """Every finalised share-out adds up (payouts + carry-over = cash, the same for the social
    fund); a shared-out cycle is closed and a closed cycle shared out (two queries)."""
    query = (
        CycleShareOut.select(
            CycleShareOut.id,
            CycleShareOut.cash,
            CycleShareOut.carry_over,
            CycleShareOut.social_fund,
            CycleShareOut.social_fund_carry_over,
            Cycle.group.alias("group_id"),
            Cycle.number.alias("cycle"),
            Cycle.closed_at.alias("closed_at"),
            fn.COALESCE(fn.SUM(ShareOutLine.payout), 0).alias("paid"),
            fn.COALESCE(fn.SUM(ShareOutLine.social_fund), 0).alias("social_paid"),
        )
        .join(Cycle)
        .switch(CycleShareOut)
        .join(ShareOutLine, JOIN.LEFT_OUTER)
        .group_by(
            CycleShareOut.id,
            CycleShareOut.cash,
            CycleShareOut.carry_over,
            CycleShareOut.social_fund,
            CycleShareOut.social_fund_carry_over,
            Cycle.group,
            Cycle.number,
            Cycle.closed_at,
        )
        .order_by(CycleShareOut.id)
        .dicts()
    )
    for row in query:
        group_id = row["group_id"]
        sums = (
            ("share_out_sum", SHARE_OUT_SUM, row["cash"], row["paid"], row["carry_over"]),
            (
                "social_fund_sum",
                SOCIAL_FUND_SUM,
                row["social_fund"],
                row["social_paid"],
                row["social_fund_carry_over"],
            ),
        )
        for code, message, whole, paid, carry in sums:
            if int(paid) + carry != whole:
                found.add(
                    code,
                    message,
                    "share_out",
                    row["id"],
                    group_id,
                    found.money(whole, group_id),
                    found.money(int(paid) + carry, group_id),
                    cycle=row["cycle"],
                    paid=found.money(paid, group_id),
                    carry=found.money(carry, group_id),
                )
        if row["closed_at"] is None:
            found.add(
                "cycle_not_closed",
                CYCLE_NOT_CLOSED,
                "share_out",
                row["id"],
                group_id,
                True,
                False,
                cycle=row["cycle"],
            )
    unshared = (
        Cycle.select(Cycle.id, Cycle.group, Cycle.number)
        .join(CycleShareOut, JOIN.LEFT_OUTER)
        .where(Cycle.closed_at.is_null(False) & CycleShareOut.id.is_null())
        .order_by(Cycle.id)
    )
    for cycle in unshared:
        found.add(
            "closed_without_share_out",
            CLOSED_WITHOUT_SHARE_OUT,
            "cycle",
            cycle.id,
            cycle.group_id,
            True,
            False,
            cycle=cycle.number,
        )
    return found


def check_share_out_lines(found: Found) -> Found:
    """Each line of a finalised share-out matches the ledger: the member's share-out and social
    fund share-out entries are the payout with what was deducted for loans and the social fund
    part; the shares and savings are what the member bought in the cycle (three queries, a row
    per member and cycle)."""
    payout_kinds = (EntryKind.SHARE_OUT.value, EntryKind.SOCIAL_FUND_SHARE_OUT.value)
    saving_kinds = [kind.value for kind in SAVINGS_KINDS]
    lines = (
        ShareOutLine.select(
            ShareOutLine.id,
            ShareOutLine.member,
            ShareOutLine.shares,
            ShareOutLine.saved,
            ShareOutLine.payout,
            ShareOutLine.deducted,
            ShareOutLine.social_fund,
            CycleShareOut.cycle.alias("cycle_id"),
            CycleShareOut.id.alias("share_out_id"),
            Cycle.group.alias("group_id"),
            Cycle.number.alias("cycle"),
            Member.number.alias("member_number"),
        )
        .join(CycleShareOut)
        .join(Cycle)
        .switch(ShareOutLine)
        .join(Member)
        .order_by(ShareOutLine.id)
        .dicts()
    )
    shared = CycleShareOut.select(CycleShareOut.cycle)
    paid = defaultdict(int)
    for row in (
        Entry.select(Entry.cycle, Entry.member, Entry.kind, fn.SUM(Entry.amount).alias("total"))
        .where(Entry.kind.in_(payout_kinds) & Entry.cycle.in_(shared))
        .group_by(Entry.cycle, Entry.member, Entry.kind)
    ):
        paid[(row.cycle_id, row.member_id, row.kind)] = int(row.total or 0)
    saved = {}
    for row in (
        Entry.select(
            Entry.cycle,
            Entry.member,
            fn.SUM(Entry.amount).alias("total"),
            fn.SUM(Entry.shares).alias("share_count"),
        )
        .where(
            Entry.kind.in_(saving_kinds)
            & (Entry.fund == Fund.LOAN_FUND.value)
            & Entry.cycle.in_(shared)
            & Entry.member.is_null(False)
        )
        .group_by(Entry.cycle, Entry.member)
    ):
        saved[(row.cycle_id, row.member_id)] = (int(row.share_count or 0), int(row.total or 0))
    seen = set()
    for row in lines:
        group_id, cycle_id, member_id = row["group_id"], row["cycle_id"], row["member"]
        seen.add((cycle_id, member_id))

        def add(code, message, expected, got, row=row, group_id=group_id, **params):
            found.add(
                code,
                message,
                "share_out",
                row["share_out_id"],
                group_id,
                expected,
                got,
                cycle=row["cycle"],
                member=row["member_number"],
                **params,
            )

        for kind, wanted in (
            (EntryKind.SHARE_OUT, -(row["payout"] + row["deducted"])),
            (EntryKind.SOCIAL_FUND_SHARE_OUT, -row["social_fund"]),
        ):
            got = paid.pop((cycle_id, member_id, kind.value), 0)
            if got != wanted:
                add(
                    "share_out_posted",
                    SHARE_OUT_POSTED,
                    found.money(wanted, group_id),
                    found.money(got, group_id),
                    kind=kind,
                )
        shares, savings = saved.get((cycle_id, member_id), (0, 0))
        if shares != row["shares"]:
            add("share_out_shares", SHARE_OUT_SHARES, shares, row["shares"])
        if savings != row["saved"]:
            add(
                "share_out_saved",
                SHARE_OUT_SAVED,
                found.money(savings, group_id),
                found.money(row["saved"], group_id),
            )
    # Share-out entries of a member the signed share-out has no line for.
    strays = [(key, total) for key, total in sorted(paid.items()) if total and key[:2] not in seen]
    share_outs = {}
    if strays:
        share_outs = {s.cycle_id: s for s in CycleShareOut.select(CycleShareOut, Cycle).join(Cycle)}
    for (cycle_id, member_id, kind), total in strays:
        share_out = share_outs[cycle_id]
        group_id = share_out.cycle.group_id
        found.add(
            "share_out_posted",
            SHARE_OUT_POSTED,
            "share_out",
            share_out.id,
            group_id,
            found.money(0, group_id),
            found.money(total, group_id),
            cycle=share_out.cycle.number,
            member=member_id,
            kind=EntryKind(kind),
        )
    return found


EXIT_POSTED = N_(
    "Settlement of member %(member)s on leaving cycle %(cycle)s: the settlement entries come to "
    "%(found)s, but the settlement says %(expected)s."
)
EXIT_SHARES = N_(
    "Settlement of member %(member)s on leaving cycle %(cycle)s: %(expected)s shares bought "
    "according to the ledger, but the settlement counts %(found)s."
)
EXIT_SAVED = N_(
    "Settlement of member %(member)s on leaving cycle %(cycle)s: %(expected)s saved according "
    "to the ledger, but the settlement counts %(found)s."
)


def check_exits(found: Found) -> Found:
    """Each settlement of a member who left during a cycle matches the ledger: its entry is the
    member's savings and profit (the payout with what was deducted for loans), and its shares
    and savings are what the member bought in the cycle (two queries, a row per settlement)."""
    settled = (
        MemberExit.select(
            MemberExit.id,
            MemberExit.member,
            MemberExit.cycle,
            MemberExit.shares,
            MemberExit.saved,
            MemberExit.payout,
            MemberExit.deducted,
            Member.group.alias("group_id"),
            Member.number.alias("member_number"),
            Cycle.number.alias("cycle_number"),
        )
        .join(Member)
        .switch(MemberExit)
        .join(Cycle)
        .order_by(MemberExit.id)
        .dicts()
    )
    saving = Entry.kind.in_([kind.value for kind in SAVINGS_KINDS]) & (
        Entry.fund == Fund.LOAN_FUND.value
    )

    def total(condition, column):
        return fn.COALESCE(fn.SUM(Case(None, [(condition, column)], 0)), 0)

    sums = {
        (row["cycle"], row["member"]): row
        for row in Entry.select(
            Entry.cycle,
            Entry.member,
            total(Entry.kind == EntryKind.EXIT_SETTLEMENT.value, Entry.amount).alias("settled"),
            total(saving, Entry.amount).alias("saved"),
            total(saving, Entry.shares).alias("shares"),
        )
        .where(Entry.member.in_(MemberExit.select(MemberExit.member)))
        .group_by(Entry.cycle, Entry.member)
        .dicts()
    }
    for row in settled:
        group_id = row["group_id"]
        ledger = sums.get((row["cycle"], row["member"]), {})

        def money(value, group_id=group_id):
            return found.money(value, group_id)

        compared = (
            (
                "exit_posted",
                EXIT_POSTED,
                money(-(row["payout"] + row["deducted"])),
                money(ledger.get("settled")),
            ),
            ("exit_shares", EXIT_SHARES, int(ledger.get("shares") or 0), row["shares"]),
            ("exit_saved", EXIT_SAVED, money(ledger.get("saved")), money(row["saved"])),
        )
        for code, message, expected, got in compared:
            if expected != got:
                found.add(
                    code,
                    message,
                    "member_exit",
                    row["id"],
                    group_id,
                    expected,
                    got,
                    member=row["member_number"],
                    cycle=row["cycle_number"],
                )
    return found


def check_closed_cycles(found: Found) -> Found:
    """No entry is recorded in a closed cycle after its close, but the carry-over of its boxes
    to the next cycle (one query)."""
    query = (
        Entry.select(Entry.id, Entry.group, Entry.kind, Entry.amount, Cycle.number.alias("cycle"))
        .join(Cycle, on=(Entry.cycle == Cycle.id))
        .where(
            Cycle.closed_at.is_null(False)
            & (Entry.recorded_at > Cycle.closed_at)
            & (Entry.kind != EntryKind.CARRY_OVER.value)
        )
        .order_by(Entry.id)
        .dicts()
    )
    for row in query:
        found.add(
            "after_close",
            AFTER_CLOSE,
            "entry",
            row["id"],
            row["group"],
            None,
            row["id"],
            entry=row["id"],
            kind=EntryKind(row["kind"]),
            amount=found.money(row["amount"], row["group"]),
            cycle=row["cycle"],
        )
    return found


# --- ROSCAs: repayments between members ---------------------------------------------------------

DEBTOR_ENTRY = N_(
    "Repayment %(repayment)s between members: the debtor's entry is %(found)s, but the repayment "
    "is of %(expected)s."
)
CREDITOR_ENTRY = N_(
    "Repayment %(repayment)s between members: the creditor's entry is %(found)s, but the "
    "repayment is of %(expected)s."
)
HALF_UNDONE = N_(
    "Repayment %(repayment)s between members is undone on one side only: both of its entries "
    "are reversed together."
)


def check_debt_repayments(found: Found) -> Found:
    """Each repayment between members of a rotation is its two entries in the pot, + from the
    debtor and - to the creditor, both reversed when it is undone, or neither (one query)."""
    debtor, creditor = Entry.alias(), Entry.alias()
    debtor_undone, creditor_undone = Entry.alias(), Entry.alias()
    query = (
        DebtRepayment.select(
            DebtRepayment.id,
            DebtRepayment.amount,
            debtor.group.alias("group_id"),
            debtor.amount.alias("debtor_amount"),
            creditor.amount.alias("creditor_amount"),
            debtor_undone.id.alias("debtor_undone"),
            creditor_undone.id.alias("creditor_undone"),
        )
        .join(debtor, on=(DebtRepayment.debtor_entry == debtor.id))
        .switch(DebtRepayment)
        .join(creditor, on=(DebtRepayment.creditor_entry == creditor.id))
        .switch(DebtRepayment)
        .join(debtor_undone, JOIN.LEFT_OUTER, on=(debtor_undone.reverses == debtor.id))
        .switch(DebtRepayment)
        .join(creditor_undone, JOIN.LEFT_OUTER, on=(creditor_undone.reverses == creditor.id))
        .where(
            (debtor.amount != DebtRepayment.amount)
            | ((creditor.amount + DebtRepayment.amount) != 0)
            | (debtor_undone.id.is_null() != creditor_undone.id.is_null())
        )
        .order_by(DebtRepayment.id)
        .dicts()
    )
    for row in query:
        group_id, amount = row["group_id"], row["amount"]
        sides = (
            (DEBTOR_ENTRY, amount, row["debtor_amount"]),
            (CREDITOR_ENTRY, -amount, row["creditor_amount"]),
        )
        for message, expected, got in sides:
            if expected != got:
                found.add(
                    "debt_repayment_entry",
                    message,
                    "debt_repayment",
                    row["id"],
                    group_id,
                    found.money(expected, group_id),
                    found.money(got, group_id),
                    repayment=row["id"],
                )
        if (row["debtor_undone"] is None) != (row["creditor_undone"] is None):
            found.add(
                "debt_repayment_half_undone",
                HALF_UNDONE,
                "debt_repayment",
                row["id"],
                group_id,
                2,
                1,
                repayment=row["id"],
            )
    return found


# --- loans ------------------------------------------------------------------------------------

LOAN_OVERPAID = N_(
    "Loan %(loan)s: %(found)s of principal repaid in the ledger, more than the %(expected)s "
    "lent and not written off."
)
LOAN_CLOSED_OWING = N_(
    "Loan %(loan)s is marked %(status)s, but the ledger says %(found)s of its principal is "
    "still owed."
)
LOAN_DISBURSED = N_(
    "Loan %(loan)s: %(found)s was paid out to the member in the ledger, but the loan is of "
    "%(expected)s."
)


def check_loans(found: Found) -> Found:
    """Each loan's state agrees with its entries: what was repaid of the principal is no more than
    what was lent and not written off; a repaid or written-off loan has no principal left; the
    disbursement is the principal (or nothing, a loan from the paper books) (one query)."""

    def total_of(kind: EntryKind):
        return fn.COALESCE(
            fn.SUM(Case(None, [(Entry.kind == kind.value, Entry.amount)], 0)), 0
        ).alias(kind.value)

    query = (
        Loan.select(
            Loan.id,
            Loan.group,
            Loan.principal,
            Loan.written_off,
            Loan.status,
            total_of(EntryKind.LOAN_PRINCIPAL),
            total_of(EntryKind.LOAN_DISBURSEMENT),
        )
        .join(Entry, JOIN.LEFT_OUTER, on=(Entry.loan == Loan.id))
        .group_by(Loan.id, Loan.group, Loan.principal, Loan.written_off, Loan.status)
        .order_by(Loan.id)
        .dicts()
    )
    for row in query:
        group_id = row["group"]

        def add(code, message, expected, got, row=row, group_id=group_id, **params):
            found.add(
                code,
                message,
                "loan",
                row["id"],
                group_id,
                found.money(expected, group_id),
                found.money(got, group_id),
                loan=row["id"],
                **params,
            )

        repaid = int(row[EntryKind.LOAN_PRINCIPAL.value])
        disbursed = -int(row[EntryKind.LOAN_DISBURSEMENT.value])
        owed = row["principal"] - row["written_off"] - repaid
        if owed < 0:
            add("loan_overpaid", LOAN_OVERPAID, row["principal"] - row["written_off"], repaid)
        elif owed and row["status"] != LoanStatus.ACTIVE.value:
            add("loan_closed_owing", LOAN_CLOSED_OWING, 0, owed, status=LoanStatus(row["status"]))
        if disbursed not in (row["principal"], 0):
            add("loan_disbursed", LOAN_DISBURSED, row["principal"], disbursed)
    return found


CHECKS = (
    check_reversals,
    check_references,
    check_cash_counts,
    check_share_outs,
    check_share_out_lines,
    check_exits,
    check_debt_repayments,
    check_closed_cycles,
    check_loans,
)
