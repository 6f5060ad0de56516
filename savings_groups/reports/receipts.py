"""A receipt for every member after a meeting: what they paid, their savings to date, and
where each of their loans stands (balance, arrears, next installment)."""

from dataclasses import dataclass, field
from datetime import date

from savings_groups.core.dates import add_periods
from savings_groups.core.vocabulary import LoanMethod, LoanStatus
from savings_groups.loans.book import Book, books_of, standing_of
from savings_groups.meetings import summary as meeting_summary
from savings_groups.meetings.summary import MemberFigures
from savings_groups.store.models import Loan, Meeting


@dataclass(frozen=True)
class LoanPosition:
    """One active loan of the member, as the books stand: principal outstanding, arrears on
    the meeting's day, and the next installment after it (what is due by then, arrears
    included; no date when the term is over)."""

    loan: Loan
    outstanding: int
    arrears: int
    days_overdue: int
    next_due_on: date | None
    next_amount: int


@dataclass(frozen=True)
class Receipt:
    figures: MemberFigures  # what the member paid and received at the meeting, savings to date
    loans: list[LoanPosition] = field(default_factory=list)

    @property
    def member(self):
        return self.figures.member

    @property
    def loan_balance(self) -> int:
        return sum(position.outstanding for position in self.loans)


def next_due(book: Book, after: date) -> date | None:
    """The first due date of the loan's schedule after `after` (a flexible loan past its term
    is charged period after period while principal is owed); None when none is left."""
    for installment in book.installments:
        if installment.due_on > after:
            return installment.due_on
    loan = book.loan
    if loan.method == LoanMethod.FLEXIBLE.value and book.installments and book.outstanding > 0:
        due = book.installments[-1].due_on
        while due <= after:
            due = add_periods(due, 1, loan.frequency)
        return due
    return None


def position(book: Book, on: date) -> LoanPosition:
    state = standing_of(book, on)
    due_on = next_due(book, on)
    interest, principal = book.due(due_on or on)
    return LoanPosition(
        loan=book.loan,
        outstanding=state.principal_outstanding,
        arrears=state.arrears.amount,
        days_overdue=state.arrears.days_overdue,
        next_due_on=due_on,
        next_amount=interest + principal,
    )


def receipts(meeting: Meeting) -> list[Receipt]:
    """Every member with something at the meeting, by number, with their active loans granted
    by the meeting's day (the summary's queries and three more, whatever the number of members
    or loans)."""
    figures = meeting_summary.summary(meeting).members
    ids = [row.member.id for row in figures]
    loans = (
        list(
            Loan.select()
            .where(
                Loan.member.in_(ids)
                & (Loan.status == LoanStatus.ACTIVE.value)
                & (Loan.granted_on <= meeting.held_on)
            )
            .order_by(Loan.granted_on, Loan.id)
        )
        if ids
        else []
    )
    books = books_of(loans)
    by_member: dict[int, list[LoanPosition]] = {}
    for loan in loans:
        by_member.setdefault(loan.member_id, []).append(position(books[loan.id], meeting.held_on))
    return [Receipt(row, by_member.get(row.member.id, [])) for row in figures]
