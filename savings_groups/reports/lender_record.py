"""A member's record for a lender (an MFI, a bank): savings in each cycle (the passbook's own
totals), every loan taken with its dates and whether it was repaid on time or how many days
late, and attendance over the member's cycles. Only with the member's own consent."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from peewee import Case, fn

from savings_groups.core.errors import N_, DomainError
from savings_groups.core.vocabulary import AttendanceStatus, LoanStatus, MeetingStatus
from savings_groups.groups import consent
from savings_groups.loans import book as loan_book
from savings_groups.loans import reports as loan_reports
from savings_groups.reports.passbook import passbook
from savings_groups.store.models import (
    Attendance,
    Cycle,
    LoanInstallment,
    Meeting,
    Member,
    SavingsGroup,
)

ATTENDED = (
    AttendanceStatus.PRESENT.value,
    AttendanceStatus.LATE.value,
    AttendanceStatus.REPRESENTED.value,
)


class NoMemberConsent(DomainError):
    """The member has not agreed to a record for a lender."""


@dataclass(frozen=True)
class CycleLine:
    cycle: Cycle
    shares: int
    savings: int  # the passbook's total for the cycle, exactly
    meetings: int
    attended: int

    @property
    def attendance_percent(self) -> Decimal | None:
        if not self.meetings:
            return None
        return (Decimal(100 * self.attended) / self.meetings).quantize(Decimal(1), ROUND_HALF_UP)


@dataclass(frozen=True)
class LoanLine:
    principal: int
    granted_on: date
    last_due_on: date | None
    closed_on: date | None
    status: LoanStatus
    days_late: int  # repaid: after the last due date; active: the oldest unpaid installment

    @property
    def on_time(self) -> bool:
        return self.days_late == 0 and self.status is not LoanStatus.WRITTEN_OFF


@dataclass(frozen=True)
class LenderRecord:
    group: SavingsGroup
    member: Member
    on: date
    cycles: list[CycleLine] = field(default_factory=list)
    loans: list[LoanLine] = field(default_factory=list)

    @property
    def savings(self) -> int:
        return sum(line.savings for line in self.cycles)

    @property
    def borrowed(self) -> int:
        return sum(line.principal for line in self.loans)

    @property
    def loans_late(self) -> int:
        return sum(1 for line in self.loans if not line.on_time)

    @property
    def meetings(self) -> int:
        return sum(line.meetings for line in self.cycles)

    @property
    def attended(self) -> int:
        return sum(line.attended for line in self.cycles)

    @property
    def attendance_percent(self) -> Decimal | None:
        if not self.meetings:
            return None
        return (Decimal(100 * self.attended) / self.meetings).quantize(Decimal(1), ROUND_HALF_UP)


def _attendance(member: Member) -> dict[int, tuple[int, int]]:
    """Per cycle id: (closed meetings the member was listed in, those attended)."""
    rows = (
        Attendance.select(
            Meeting.cycle,
            fn.COUNT(Attendance.id),
            fn.SUM(Case(None, [(Attendance.status.in_(ATTENDED), 1)], 0)),
        )
        .join(Meeting, on=(Attendance.meeting == Meeting.id))
        .where(Attendance.member == member, Meeting.status == MeetingStatus.CLOSED.value)
        .group_by(Meeting.cycle)
        .tuples()
    )
    return {cycle_id: (int(count), int(attended or 0)) for cycle_id, count, attended in rows}


def _last_due(loan_ids: list[int]) -> dict[int, date]:
    rows = (
        LoanInstallment.select(LoanInstallment.loan, fn.MAX(LoanInstallment.due_on))
        .where(LoanInstallment.loan.in_(loan_ids or [0]), LoanInstallment.replaced_on.is_null())
        .group_by(LoanInstallment.loan)
        .tuples()
    )
    return {
        loan_id: due if isinstance(due, date) else date.fromisoformat(str(due))
        for loan_id, due in rows
    }


def lender_record(group: SavingsGroup, member: Member, on: date) -> LenderRecord:
    if not consent.member_allows_lender_record(member.id):
        raise NoMemberConsent(
            N_(
                "%(name)s has not agreed to a record for a lender: record the member's own "
                "consent first (the group's decision does not replace it)."
            ),
            name=member.full_name,
        )
    attendance = _attendance(member)
    cycles = []
    for cycle in Cycle.select().where(Cycle.group == group).order_by(Cycle.number):
        book = passbook(group, member, cycle)
        meetings, attended = attendance.get(cycle.id, (0, 0))
        if not (book.totals.shares or book.totals.savings or meetings):
            continue  # a cycle the member was not part of
        cycles.append(CycleLine(cycle, book.totals.shares, book.totals.savings, meetings, attended))
    summaries = loan_reports.member_loans(member)
    last_due = _last_due([s.loan.id for s in summaries])
    loans = []
    for summary in summaries:
        loan = summary.loan
        due = last_due.get(loan.id)
        if summary.status is LoanStatus.ACTIVE:
            days = loan_book.arrears(loan, on).days_overdue
        elif loan.closed_on and due:
            days = max(0, (loan.closed_on - due).days)
        else:
            days = 0
        loans.append(
            LoanLine(loan.principal, loan.granted_on, due, loan.closed_on, summary.status, days)
        )
    return LenderRecord(group, member, on, cycles, loans)
