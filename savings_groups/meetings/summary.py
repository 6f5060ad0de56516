"""After a meeting: what each member paid and received, and the group's list of meetings."""

from dataclasses import dataclass, field

from peewee import JOIN, Case, fn

from savings_groups.core.vocabulary import BOXES, AttendanceStatus, EntryKind, Fund
from savings_groups.ledger import entries as ledger
from savings_groups.meetings.operations import loans_granted, meeting_net
from savings_groups.meetings.sheet import balances_before
from savings_groups.store.models import (
    Attendance,
    CashCount,
    Entry,
    Loan,
    Meeting,
    Member,
    SavingsGroup,
)


@dataclass
class MemberFigures:
    """One member at one meeting, from the ledger: what they paid and received."""

    member: Member
    attendance: str | None = None
    shares: int = 0
    savings: int = 0
    social_fund: int = 0
    fines: int = 0
    welfare: int = 0
    shares_to_date: int = 0
    savings_to_date: int = 0
    interest_repaid: int = 0  # loan repayments at this meeting: interest, then principal
    principal_repaid: int = 0
    loan_received: int = 0  # lent to the member at this meeting

    @property
    def repaid(self) -> int:
        return self.interest_repaid + self.principal_repaid

    @property
    def paid(self) -> int:
        return self.savings + self.social_fund + self.fines + self.repaid


@dataclass
class Summary:
    meeting: Meeting
    members: list[MemberFigures]
    opening: dict[Fund, int]
    closing: dict[Fund, int]
    counts: dict[Fund, CashCount]
    loans: list[Loan]  # granted at the meeting, with their member
    # The group's expenses and other income, and the transfers with the account (their
    # account side: + taken to the account, - brought back), each with who approved it.
    group_money: list[Entry] = field(default_factory=list)
    transfers: list[Entry] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(figures, name) for figures in self.members)

    @property
    def boxes(self) -> tuple[Fund, ...]:
        """The boxes, and the account when the group had money in it at this meeting."""
        account = self.opening[Fund.BANK] or self.closing[Fund.BANK] or self.transfers
        return (*BOXES, Fund.BANK) if account or Fund.BANK in self.counts else BOXES


GROUP_MONEY_KINDS = (EntryKind.GROUP_EXPENSE.value, EntryKind.OTHER_INCOME.value)
TRANSFER_KINDS = (EntryKind.ACCOUNT_DEPOSIT.value, EntryKind.ACCOUNT_WITHDRAWAL.value)


def group_money(meeting: Meeting) -> tuple[list[Entry], list[Entry]]:
    """The meeting's expenses and other income, and its transfers (their account side), that
    count (neither reversed nor reversals), with the member who approved each (one query)."""
    reversal = Entry.alias()
    approver = Member.alias()
    query = (
        Entry.select(Entry, approver)
        .join(reversal, JOIN.LEFT_OUTER, on=(reversal.reverses == Entry.id))
        .switch(Entry)
        .join(approver, JOIN.LEFT_OUTER, on=(Entry.approved_by == approver.id))
        .where(
            (Entry.meeting == meeting)
            & Entry.reverses.is_null()
            & reversal.id.is_null()
            & (
                Entry.kind.in_(GROUP_MONEY_KINDS)
                | (Entry.kind.in_(TRANSFER_KINDS) & (Entry.fund == Fund.BANK.value))
            )
        )
        .order_by(Entry.id)
    )
    entries = list(query)
    return (
        [e for e in entries if e.kind in GROUP_MONEY_KINDS],
        [e for e in entries if e.kind in TRANSFER_KINDS],
    )


def summary(meeting: Meeting) -> Summary:
    """Who attended, what each member paid (loan repayments included) and received (welfare,
    loans), the boxes before and after (from the ledger; a fixed number of queries)."""
    opening = balances_before(meeting)
    net = meeting_net(meeting)
    closing = {fund: opening[fund] + net[fund] for fund in Fund}
    attendance = {
        row.member_id: row.status
        for row in Attendance.select().where(Attendance.meeting == meeting)
    }
    per_member = ledger.member_totals(meeting.group_id, meeting=meeting)
    to_date = (
        Entry.select(
            Entry.member,
            fn.SUM(Entry.amount).alias("total"),
            fn.SUM(Entry.shares).alias("share_count"),
        )
        .where(
            ledger.counted_at(meeting.cycle_id, meeting.held_on, including=True)
            & Entry.member.is_null(False)
            & Entry.kind.in_([k.value for k in ledger.SAVINGS_KINDS])
            & (Entry.fund == Fund.LOAN_FUND.value)
        )
        .group_by(Entry.member)
    )
    saved = {row.member_id: (int(row.share_count or 0), int(row.total or 0)) for row in to_date}
    loan_sums = (
        Entry.select(Entry.member, Entry.kind, fn.SUM(Entry.amount).alias("total"))
        .where(
            (Entry.meeting == meeting)
            & Entry.member.is_null(False)
            & Entry.kind.in_(
                [
                    EntryKind.LOAN_DISBURSEMENT.value,
                    EntryKind.LOAN_INTEREST.value,
                    EntryKind.LOAN_PRINCIPAL.value,
                ]
            )
        )
        .group_by(Entry.member, Entry.kind)
    )
    lent: dict[int, dict[str, int]] = {}
    for row in loan_sums:
        lent.setdefault(row.member_id, {})[row.kind] = int(row.total or 0)
    ids = set(attendance) | set(per_member) | set(lent)
    members = Member.select().where(Member.id.in_(list(ids))).order_by(Member.number) if ids else []
    figures = []
    for member in members:
        totals = per_member.get(member.id, ledger.MemberTotals())
        shares_to_date, savings_to_date = saved.get(member.id, (0, 0))
        loan = lent.get(member.id, {})
        figures.append(
            MemberFigures(
                member=member,
                attendance=attendance.get(member.id),
                shares=totals.shares,
                savings=totals.savings,
                social_fund=totals.social_fund,
                fines=totals.fines,
                welfare=totals.welfare_received,
                shares_to_date=shares_to_date,
                savings_to_date=savings_to_date,
                interest_repaid=loan.get(EntryKind.LOAN_INTEREST.value, 0),
                principal_repaid=loan.get(EntryKind.LOAN_PRINCIPAL.value, 0),
                loan_received=-loan.get(EntryKind.LOAN_DISBURSEMENT.value, 0),
            )
        )
    counts = {
        Fund(count.fund): count for count in CashCount.select().where(CashCount.meeting == meeting)
    }
    expenses, transfers = group_money(meeting)
    return Summary(
        meeting, figures, opening, closing, counts, loans_granted(meeting), expenses, transfers
    )


def meetings_of(group: SavingsGroup):
    """The group's meetings, newest first, with how many attended (one query)."""
    there = fn.SUM(
        Case(
            None,
            [
                (
                    Attendance.status.in_(
                        [
                            AttendanceStatus.PRESENT.value,
                            AttendanceStatus.LATE.value,
                            AttendanceStatus.REPRESENTED.value,
                        ]
                    ),
                    1,
                )
            ],
            0,
        )
    )
    return (
        Meeting.select(
            Meeting,
            fn.COUNT(Attendance.id).alias("listed"),
            there.alias("attended"),
        )
        .join(Attendance, JOIN.LEFT_OUTER)
        .where(Meeting.group == group)
        .group_by(Meeting.id)
        .order_by(Meeting.held_on.desc())
    )
