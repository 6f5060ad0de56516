"""A loan's book: its schedule, what was paid from the ledger, what is due and what is late.

How a loan's state is known:

- A Loan row keeps the terms it was granted on (rate, method, rounding unit, meeting frequency);
  its LoanInstallment rows are the schedule, due one period apart from the grant (or from a
  rescheduling). What was paid is never stored on the loan: it is the sum of the loan's
  LOAN_INTEREST and LOAN_PRINCIPAL entries (reversals included).
- Due and late: an installment is *due* at a meeting on or after its date (due_now) and *late*
  (in arrears) the day after it (arrears). Payments are matched to installments oldest first,
  interest and principal each against their own cumulative totals.
- Early repayment: a member may repay more principal than is due, up to all of it; interest of
  installments not yet due is then no longer owed (interest is charged for money held). The
  most that can be paid at once is the interest due now plus all the principal outstanding.
- Flexible loans: the service charge of a period is on the balance owed at its start (the
  grant, or the previous due date) and falls due at its end, as loans.flexible_allocation has
  it; it is written on its installment (`interest`, empty until then) by the first repayment
  made after the period has started (fix_charges), so later repayments cannot change it.
  Periods past the term are charged like the others while principal is owed (rows are added as
  they are fixed). Repayments are expected in date order, as meetings are held.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from peewee import fn

from savings_groups.core.dates import add_periods
from savings_groups.core.vocabulary import EntryKind, LoanMethod, LoanStatus
from savings_groups.loans.compute import flexible_interest_due, period_rate
from savings_groups.store.models import Entry, Loan, LoanInstallment

PAID_KINDS = (EntryKind.LOAN_INTEREST.value, EntryKind.LOAN_PRINCIPAL.value)


# --- what is known of a loan: its current schedule and what was paid ----------------------------


@dataclass
class Book:
    loan: Loan
    installments: list[LoanInstallment]  # the current version, by number
    interest_paid: int = 0  # all time, from the ledger
    principal_paid: int = 0

    @property
    def outstanding(self) -> int:
        return self.loan.principal - self.principal_paid - self.loan.written_off

    @property
    def closed(self) -> bool:
        return self.loan.status != LoanStatus.ACTIVE.value

    def charge(self, balance: int) -> int:
        loan = self.loan
        rate = period_rate(Decimal(loan.rate), loan.rate_period, loan.frequency)
        return flexible_interest_due(balance, rate, loan.unit)

    def periods(self, on: date, late_only: bool = False) -> list[tuple[date, int, int]]:
        """(due date, principal, interest) of the periods due by `on` (before it if late_only)."""

        def counts(due: date) -> bool:
            return due < on if late_only else due <= on

        loan, balance = self.loan, self.outstanding
        result = []
        for index, installment in enumerate(self.installments):
            if not counts(installment.due_on):
                break
            interest = installment.interest
            if interest is None:  # a flexible period not fixed yet: on the balance now
                interest = self.charge(balance)
            if index == 0:
                interest += loan.carried_interest
            result.append((installment.due_on, installment.principal, interest))
        if loan.method == LoanMethod.FLEXIBLE.value and balance > 0 and self.installments:
            due = self.installments[-1].due_on
            while True:  # past the term: charged like the others
                due = add_periods(due, 1, loan.frequency)
                if not counts(due):
                    break
                result.append((due, 0, self.charge(balance)))
        return result

    def paid_now(self) -> tuple[int, int]:
        """(interest, principal) paid against the current schedule."""
        return (
            self.interest_paid - self.loan.baseline_interest,
            self.principal_paid - self.loan.baseline_principal,
        )

    def due(self, on: date, late_only: bool = False) -> tuple[int, int]:
        """(interest, principal) fallen due by `on` and not paid."""
        if self.closed:
            return 0, 0
        periods = self.periods(on, late_only)
        interest_paid, principal_paid = self.paid_now()
        interest = max(0, sum(p[2] for p in periods) - interest_paid)
        principal = min(max(0, sum(p[1] for p in periods) - principal_paid), self.outstanding)
        return interest, principal

    def arrears(self, on: date) -> "Arrears":
        interest, principal = self.due(on, late_only=True)
        if not interest + principal:
            return Arrears(0, 0)
        interest_paid, principal_paid = self.paid_now()
        owed_interest = owed_principal = 0
        for due_on, part, charge in self.periods(on, late_only=True):
            owed_interest += charge
            owed_principal += part
            if owed_interest > interest_paid or (
                owed_principal > principal_paid and self.outstanding > 0
            ):
                return Arrears(interest + principal, (on - due_on).days, interest, principal)
        return Arrears(interest + principal, 0, interest, principal)  # not reached


def books_of(loans: list[Loan], schedules_of: list[int] | None = None) -> dict[int, Book]:
    """The books of these loans in two queries whatever their number. With `schedules_of`
    (loan ids), only those loans' installments are read: the others' books hold what was paid
    on them and no schedule (enough for a loan repaid or written off)."""
    if not loans:
        return {}
    ids = [loan.id for loan in loans]
    books = {loan.id: Book(loan, []) for loan in loans}
    scheduled = ids if schedules_of is None else schedules_of
    installments = (
        LoanInstallment.select()
        .where(LoanInstallment.loan.in_(scheduled) & LoanInstallment.replaced_on.is_null())
        .order_by(LoanInstallment.loan, LoanInstallment.number)
    )
    for installment in installments:
        books[installment.loan_id].installments.append(installment)
    paid = (
        Entry.select(Entry.loan, Entry.kind, fn.SUM(Entry.amount).alias("total"))
        .where(Entry.loan.in_(ids) & Entry.kind.in_(PAID_KINDS))
        .group_by(Entry.loan, Entry.kind)
    )
    for row in paid:
        book = books[row.loan_id]
        if row.kind == EntryKind.LOAN_INTEREST.value:
            book.interest_paid = int(row.total or 0)
        else:
            book.principal_paid = int(row.total or 0)
    return books


def book_of(loan: Loan) -> Book:
    return books_of([loan])[loan.id]


@dataclass(frozen=True)
class Arrears:
    """What fell due before a day and is unpaid, and for how long the oldest part has been."""

    amount: int
    days_overdue: int
    interest: int = 0
    principal: int = 0


@dataclass(frozen=True)
class Standing:
    """Where a loan stands on a day."""

    principal_outstanding: int
    interest_due: int
    principal_due: int
    arrears: Arrears

    @property
    def most_payable(self) -> int:
        """The most that can be paid now: interest due and all the principal outstanding."""
        return self.interest_due + self.principal_outstanding


def standing_of(book: Book, on: date) -> Standing:
    interest, principal = book.due(on)
    return Standing(0 if book.closed else book.outstanding, interest, principal, book.arrears(on))


def standing(loan: Loan, on: date) -> Standing:
    """Principal outstanding, what is due now and the arrears of one loan (three queries)."""
    return standing_of(book_of(loan), on)


def due_now(loan: Loan, on: date) -> tuple[int, int]:
    """(interest due, principal due) at a meeting on `on`: installments due that day or before,
    less what was paid. Nothing for a closed loan."""
    return book_of(loan).due(on)


def arrears(loan: Loan, on: date) -> Arrears:
    """What fell due before `on` and is unpaid, and the days since the oldest unpaid installment
    was due (an installment is late the day after its due date)."""
    return book_of(loan).arrears(on)


def fix_charges(book: Book, on: date) -> None:
    """Write the charge of every flexible period that started before `on` (see the module)."""
    loan = book.loan
    if loan.method != LoanMethod.FLEXIBLE.value or not book.installments:
        return
    balance = book.outstanding
    start = loan.rescheduled_on or loan.granted_on
    for installment in book.installments:
        if installment.interest is None and start < on:
            installment.interest = book.charge(balance)
            installment.save(only=[LoanInstallment.interest])
        start = installment.due_on
    last = book.installments[-1]
    while balance > 0 and last.due_on < on:  # periods past the term, started before `on`
        last = LoanInstallment.create(
            loan=loan,
            version=last.version,
            number=last.number + 1,
            due_on=add_periods(last.due_on, 1, loan.frequency),
            principal=0,
            interest=book.charge(balance),
        )
        book.installments.append(last)
