"""The integrity check's rules of the ledger itself: reversals, entries pointing at another
group's rows, and the cash counted at closed meetings against the ledger (see integrity)."""

import bisect
from datetime import date
from typing import TYPE_CHECKING

from peewee import JOIN, SQL, Case, fn

from savings_groups.core.errors import N_
from savings_groups.core.vocabulary import BOXES, Fund, MeetingStatus
from savings_groups.ledger.entries import OPENING_KINDS
from savings_groups.store.models import CashCount, Cycle, Entry, Loan, Meeting, Member

if TYPE_CHECKING:
    from savings_groups.reports.integrity import Found


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


def check_reversals(found: "Found") -> "Found":
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


def check_references(found: "Found") -> "Found":
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


def check_cash_counts(found: "Found") -> "Found":
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
