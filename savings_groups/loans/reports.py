"""What the loan pages read: one loan with its history, closed loans, a member's loans, the list
of installments due at a meeting. Read only; every function issues a fixed number of queries
whatever the number of loans, installments or payments. Writing is in lending.py."""

import json
from dataclasses import dataclass
from datetime import date, timedelta

from peewee import JOIN, Case, fn

from savings_groups.core.dates import add_periods
from savings_groups.core.vocabulary import EntryKind, LoanStatus
from savings_groups.loans import book as loan_book
from savings_groups.loans import portfolio as loan_portfolio
from savings_groups.loans.book import Standing
from savings_groups.loans.portfolio import LoanLine
from savings_groups.store.models import (
    AuditEntry,
    Cycle,
    Entry,
    Loan,
    LoanFlag,
    LoanGuarantor,
    LoanInstallment,
    Meeting,
    Member,
    SavingsGroup,
    User,
)

DECISIONS = ("loan.write_off", "loan.reschedule")
LOAN_KINDS = (  # the entries of a loan's history (an opening loan's note from the paper books)
    EntryKind.OPENING_BALANCE.value,
    EntryKind.LOAN_DISBURSEMENT.value,
    EntryKind.LOAN_INTEREST.value,
    EntryKind.LOAN_PRINCIPAL.value,
    EntryKind.LOAN_WRITE_OFF.value,
)


def loan_of(group: SavingsGroup, loan_id: int) -> Loan | None:
    """A loan of this group (None for another group's), with its member."""
    return (
        Loan.select(Loan, Member)
        .join(Member, on=Loan.member)
        .where((Loan.id == loan_id) & (Loan.group == group))
        .first()
    )


# --- loans with what was paid on them ------------------------------------------------------------


@dataclass(frozen=True)
class LoanSummary:
    """A loan (with .member loaded) and what was paid on it, from the ledger."""

    loan: Loan
    interest_paid: int
    principal_paid: int

    @property
    def outstanding(self) -> int:
        """Principal still owed: nothing once the loan is repaid or written off."""
        if self.loan.status != LoanStatus.ACTIVE.value:
            return 0
        return self.loan.principal - self.principal_paid - self.loan.written_off

    @property
    def status(self) -> LoanStatus:
        return LoanStatus(self.loan.status)

    @property
    def paid(self) -> int:
        return self.interest_paid + self.principal_paid


def _summaries(where) -> list[LoanSummary]:
    """Loans matching `where`, each with the sums paid, in one query."""

    def paid(kind: EntryKind):
        return fn.COALESCE(fn.SUM(Case(None, [(Entry.kind == kind.value, Entry.amount)], 0)), 0)

    query = (
        Loan.select(
            Loan,
            Member,
            paid(EntryKind.LOAN_INTEREST).alias("interest_paid"),
            paid(EntryKind.LOAN_PRINCIPAL).alias("principal_paid"),
        )
        .join(Member, on=Loan.member)
        .switch(Loan)
        .join(Entry, JOIN.LEFT_OUTER, on=(Entry.loan == Loan.id))
        .where(where)
        .group_by(Loan.id, Member.id)
        .order_by(Loan.granted_on, Loan.id)
    )
    return [
        LoanSummary(loan, int(loan.interest_paid or 0), int(loan.principal_paid or 0))
        for loan in query
    ]


def closed_loans(group: SavingsGroup, cycle: Cycle | None) -> list[LoanSummary]:
    """The group's repaid and written-off loans (of one cycle, or all), oldest first."""
    where = (Loan.group == group) & (Loan.status != LoanStatus.ACTIVE.value)
    if cycle is not None:
        where &= Loan.cycle == cycle
    return _summaries(where)


def closed_in(report: loan_portfolio.Portfolio) -> list[LoanSummary]:
    """The repaid and written-off loans of a portfolio that read every loan (not open_only),
    oldest first, with what was paid on each: what closed_loans of the same group and cycle
    returns, without reading the loans again."""
    pairs = sorted(report.closed, key=lambda pair: (pair[0].granted_on, pair[0].id))
    return [LoanSummary(loan, book.interest_paid, book.principal_paid) for loan, book in pairs]


def member_loans(member: Member) -> list[LoanSummary]:
    """Every loan of a member, in every cycle, oldest first (one query)."""
    return _summaries(Loan.member == member)


def flags_of(loans: list[Loan]) -> dict[int, list[LoanFlag]]:
    """The safeguards acknowledged for these loans, by loan id (one query)."""
    result: dict[int, list[LoanFlag]] = {loan.id: [] for loan in loans}
    if loans:
        rows = LoanFlag.select().where(LoanFlag.loan.in_(list(result))).order_by(LoanFlag.code)
        for flag in rows:
            result[flag.loan_id].append(flag)
    return result


# --- one loan -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """A write-off or a rescheduling, as the audit log recorded it."""

    action: str  # "loan.write_off" or "loan.reschedule"
    on: date
    principal: int  # written off, or rescheduled
    periods: int | None  # the new term of a rescheduling
    reason: str
    actor: User | None
    at: object  # when it was recorded

    @classmethod
    def of(cls, row: AuditEntry) -> "Decision":
        facts = json.loads(row.details or "{}")
        return cls(
            action=row.action,
            on=date.fromisoformat(str(facts.get("on"))),
            principal=int(facts.get("principal", 0)),
            periods=facts.get("periods"),
            reason=facts.get("reason", ""),
            actor=row.actor if row.actor_id else None,
            at=row.at,
        )


@dataclass(frozen=True)
class LoanDetail:
    loan: Loan
    standing: Standing
    schedule: list[LoanInstallment]  # the current version
    replaced: list[tuple[int, date, list[LoanInstallment]]]  # (version, replaced on, rows)
    guarantors: list[Member]
    flags: list[LoanFlag]  # with acknowledged_by
    entries: list[Entry]  # the loan's entries, with meeting and recorded_by
    decisions: list[Decision]  # write-off and rescheduling
    interest_paid: int
    principal_paid: int


def loan_detail(loan: Loan, on: date) -> LoanDetail:
    """Everything the loan page shows, in a fixed number of queries."""
    installments = list(
        LoanInstallment.select()
        .where(LoanInstallment.loan == loan)
        .order_by(LoanInstallment.version, LoanInstallment.number)
    )
    current = [i for i in installments if i.replaced_on is None]
    versions: dict[int, list[LoanInstallment]] = {}
    for installment in installments:
        if installment.replaced_on is not None:
            versions.setdefault(installment.version, []).append(installment)
    replaced = [(v, rows[0].replaced_on, rows) for v, rows in sorted(versions.items())]
    guarantors = list(
        Member.select()
        .join(LoanGuarantor, on=(LoanGuarantor.member == Member.id))
        .where(LoanGuarantor.loan == loan)
        .order_by(Member.number)
    )
    flags = list(
        LoanFlag.select(LoanFlag, User)
        .join(User, on=LoanFlag.acknowledged_by)
        .where(LoanFlag.loan == loan)
        .order_by(LoanFlag.acknowledged_at, LoanFlag.code)
    )
    entries = list(
        Entry.select(Entry, Meeting, User)
        .join(Meeting, JOIN.LEFT_OUTER, on=Entry.meeting)
        .switch(Entry)
        .join(User, on=Entry.recorded_by)
        .where((Entry.loan == loan) & Entry.kind.in_(LOAN_KINDS))
        .order_by(Entry.recorded_at, Entry.id)
    )
    decisions = [
        Decision.of(row)
        for row in AuditEntry.select(AuditEntry, User)
        .join(User, JOIN.LEFT_OUTER, on=AuditEntry.actor)
        .where(
            (AuditEntry.object_type == "Loan")
            & (AuditEntry.object_id == loan.id)
            & AuditEntry.action.in_(DECISIONS)
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    ]
    paid = {
        kind: sum(e.amount for e in entries if e.kind == kind.value)
        for kind in (EntryKind.LOAN_INTEREST, EntryKind.LOAN_PRINCIPAL)
    }
    return LoanDetail(
        loan=loan,
        standing=loan_book.standing(loan, on),
        schedule=current,
        replaced=replaced,
        guarantors=guarantors,
        flags=flags,
        entries=entries,
        decisions=decisions,
        interest_paid=paid[EntryKind.LOAN_INTEREST],
        principal_paid=paid[EntryKind.LOAN_PRINCIPAL],
    )


# --- the next meeting and what falls due then -----------------------------------------------------


def next_meeting_day(group: SavingsGroup, today: date) -> date:
    """The group's next meeting on or after `today`: one period after the last meeting held (as
    many periods as needed to reach today); with no meeting yet, the group's meeting day of the
    week on or after today (or today itself when no day is set)."""
    last = (
        Meeting.select(fn.MAX(Meeting.held_on)).where(Meeting.group == group).scalar()
        if group.id is not None
        else None
    )
    if last is not None:
        if isinstance(last, str):  # SQLite returns an aggregate of dates as text
            last = date.fromisoformat(last)
        count = 1
        day = add_periods(last, count, group.meeting_frequency)
        while day < today:
            count += 1
            day = add_periods(last, count, group.meeting_frequency)
        return day
    if group.meeting_day is None:
        return today
    ahead = (group.meeting_day - today.weekday()) % 7
    return today + timedelta(days=ahead)


@dataclass(frozen=True)
class DueLine:
    """What one member is due to pay at a meeting, all their active loans together."""

    member: Member
    loans: list[Loan]
    interest_due: int
    principal_due: int
    arrears: int
    days_overdue: int

    @property
    def total(self) -> int:
        return self.interest_due + self.principal_due


def due_list(group: SavingsGroup, on: date) -> list[DueLine]:
    """Members with something due at a meeting on `on` (every cycle's active loans), by member
    number: interest and principal due that day (arrears included) and the arrears before it."""
    by_member: dict[int, list[LoanLine]] = {}
    for line in loan_portfolio.portfolio(group, None, on, open_only=True).lines:
        by_member.setdefault(line.loan.member_id, []).append(line)
    result = []
    for lines in by_member.values():
        interest = sum(line.standing.interest_due for line in lines)
        principal = sum(line.standing.principal_due for line in lines)
        if not interest + principal:
            continue
        result.append(
            DueLine(
                member=lines[0].loan.member,
                loans=[line.loan for line in lines],
                interest_due=interest,
                principal_due=principal,
                arrears=sum(line.standing.arrears.amount for line in lines),
                days_overdue=max(line.standing.arrears.days_overdue for line in lines),
            )
        )
    result.sort(key=lambda due: due.member.number)
    return result
