"""The books' invariants, checked with the app's own readers, as a list of differences (empty:
the books hold). savings_groups.reports.integrity.check() will replace this when it lands: it
returns differences the same way, so the tests only swap the call."""

from peewee import fn

from savings_groups.core.vocabulary import BOXES, EntryKind, Fund, LoanStatus, MeetingStatus
from savings_groups.ledger import entries as ledger
from savings_groups.loans.book import books_of
from savings_groups.store.models import (
    CashCount,
    Cycle,
    CycleShareOut,
    Entry,
    Loan,
    LoanInstallment,
    Meeting,
    MemberExit,
    Rotation,
    Round,
    RoundEntry,
    ShareOutLine,
)


def differences() -> list[str]:
    found = []
    found += _cash_counts()
    found += _share_outs()
    found += _loans()
    found += _exits()
    found += _rotations()
    return found


def _cash_counts() -> list[str]:
    """Each closed meeting's counted cash equals the ledger's balances as of that meeting, and no
    box is ever below zero; a draft meeting has no entries."""
    found = []
    counts = {}
    for count in CashCount.select():
        counts.setdefault(count.meeting_id, {})[count.fund] = (count.counted, count.computed)
    for meeting in Meeting.select().order_by(Meeting.id):
        if meeting.status == MeetingStatus.DRAFT.value:
            if Entry.select().where(Entry.meeting == meeting).exists():
                found.append(f"draft meeting {meeting.id} has entries")
            continue
        balances = ledger.balances_as_of(
            meeting.group_id, meeting.cycle_id, meeting.held_on, including=True
        )
        for fund in BOXES:
            counted, computed = counts.get(meeting.id, {}).get(fund.value, (None, None))
            if counted != balances[fund] or computed != balances[fund]:
                found.append(
                    f"meeting {meeting.id} {fund.value}: counted {counted}, computed {computed}, "
                    f"ledger {balances[fund]}"
                )
            if balances[fund] < 0:
                found.append(f"meeting {meeting.id} {fund.value} below zero")
    return found


def _share_outs() -> list[str]:
    """Payouts plus the carry-over equal the cash; the cycle's boxes end holding what is kept
    (or nothing, once carried over to the next cycle)."""
    found = []
    for final in CycleShareOut.select():
        lines = list(ShareOutLine.select().where(ShareOutLine.share_out == final))
        paid = sum(line.payout for line in lines)
        if paid + final.carry_over != final.cash:
            found.append(f"share-out {final.id}: {paid} + {final.carry_over} != {final.cash}")
        for line in lines:
            if line.saved + line.profit != line.payout + line.deducted:
                found.append(f"share-out line {line.id} does not add up")
        cycle = Cycle.get_by_id(final.cycle_id)
        boxes = ledger.balances(cycle.group_id, cycle)
        follows = Cycle.get_or_none(Cycle.follows == cycle)
        kept = (
            {Fund.LOAN_FUND: 0, Fund.SOCIAL_FUND: 0}
            if follows is not None
            else {Fund.LOAN_FUND: final.carry_over, Fund.SOCIAL_FUND: final.social_fund_carry_over}
        )
        for fund, amount in kept.items():
            if boxes[fund] != amount:
                found.append(f"cycle {cycle.id} {fund.value} holds {boxes[fund]}, not {amount}")
        if cycle.closed_at is None:
            found.append(f"cycle {cycle.id} shared out but not closed")
    return found


def _loans() -> list[str]:
    """Each loan's money from the ledger agrees with its row: paid out once, its schedule adds
    up to the principal, and what remains is owed by active loans only."""
    found = []
    loans = list(Loan.select())
    books = books_of(loans)
    paid_out = dict(
        Entry.select(Entry.loan, fn.SUM(Entry.amount))
        .where(Entry.kind == EntryKind.LOAN_DISBURSEMENT.value)
        .group_by(Entry.loan)
        .tuples()
    )
    scheduled = dict(
        LoanInstallment.select(LoanInstallment.loan, fn.SUM(LoanInstallment.principal))
        .group_by(LoanInstallment.loan)
        .tuples()
    )
    for loan in loans:
        book = books[loan.id]
        if paid_out.get(loan.id) != -loan.principal:
            found.append(f"loan {loan.id} paid out {paid_out.get(loan.id)}, not {loan.principal}")
        if scheduled.get(loan.id) != loan.principal:
            found.append(f"loan {loan.id} schedule adds up to {scheduled.get(loan.id)}")
        active = loan.status == LoanStatus.ACTIVE.value
        if book.outstanding < 0 or (book.outstanding > 0) != active:
            found.append(f"loan {loan.id} ({loan.status}) has {book.outstanding} outstanding")
        if loan.status == LoanStatus.WRITTEN_OFF.value and not loan.written_off:
            found.append(f"loan {loan.id} written off with nothing written off")
    return found


def _exits() -> list[str]:
    found = []
    for settled in MemberExit.select():
        entry = Entry.get_or_none(
            (Entry.member == settled.member_id)
            & (Entry.kind == EntryKind.EXIT_SETTLEMENT.value)
            & (Entry.cycle == settled.cycle_id)
        )
        if entry is None or -entry.amount != settled.payout + settled.deducted:
            found.append(f"exit {settled.id} does not match its entry")
        if settled.member.left_on != settled.settled_on:
            found.append(f"exit {settled.id}: the member's departure is not recorded")
    return found


def _rotations() -> list[str]:
    """A finished rotation's pot is empty: every contribution was paid out."""
    found = []
    for rotation in Rotation.select().where(Rotation.finished_at.is_null(False)):
        held = (
            Entry.select(fn.SUM(Entry.amount))
            .join(RoundEntry, on=(RoundEntry.entry == Entry.id))
            .join(Round)
            .where(Round.rotation == rotation)
            .scalar()
        )
        if held:
            found.append(f"rotation {rotation.id} ends with {held} in the pot")
    return found
