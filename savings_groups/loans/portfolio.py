"""The loan portfolio of a group on a day: what is outstanding, due and in arrears by age."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from savings_groups.core.errors import N_
from savings_groups.core.vocabulary import GroupKind, LoanStatus
from savings_groups.loans.book import Book, Standing, books_of, standing_of
from savings_groups.store.models import Cycle, Loan, Member, SavingsGroup

SHARE_PLACES = Decimal("0.0001")

# Arrears by age: (key, first day, last day or None, label).
AGE_BUCKETS = (
    ("1_30", 1, 30, N_("1 to 30 days")),
    ("31_60", 31, 60, N_("31 to 60 days")),
    ("61_90", 61, 90, N_("61 to 90 days")),
    ("over_90", 91, None, N_("Over 90 days")),
)


@dataclass(frozen=True)
class Bucket:
    """Loans whose oldest unpaid installment is late by an age range."""

    count: int = 0
    amount: int = 0  # in arrears
    principal: int = 0  # outstanding on those loans


@dataclass(frozen=True)
class LoanLine:
    loan: Loan  # with .member loaded
    standing: Standing


@dataclass(frozen=True)
class Portfolio:
    """The group's loans on a day.

    - par30: principal outstanding of loans with an installment more than 30 days late, over
      all principal outstanding (0 when nothing is outstanding), to 4 places;
    - repayment_rate: of what fell due before the day on the cycle's loans, the share paid
      (None when nothing fell due yet). A loan repaid early counts what was paid as due; a
      written-off loan counts its principal written off as due and unpaid. To 4 places.
    """

    loans_outstanding: int
    principal_outstanding: int
    interest_due: int
    principal_due: int
    arrears: dict[str, Bucket]
    par30: Decimal
    repayment_rate: Decimal | None
    lines: list[LoanLine]
    # The loans repaid or written off (none with open_only), each with its book (what was paid
    # on it), in the lines' order: loans.reports.closed_in lists them without reading them again.
    closed: list[tuple[Loan, Book]] = field(default_factory=list)


def _share(part: int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES, ROUND_HALF_UP)


def _bucket(days: int) -> str | None:
    for key, first, last, _label in AGE_BUCKETS:
        if days >= first and (last is None or days <= last):
            return key
    return None


def portfolio(
    group: SavingsGroup, cycle: Cycle | None, on: date, *, open_only: bool = False
) -> Portfolio:
    """The loan portfolio of a group (one cycle, or all) on a day, in three queries.

    `open_only`: only the loans being repaid are read (a group's page, a meeting: years of
    repaid loans cost nothing); the repayment rate, which needs every loan, is then None."""
    loans = (
        Loan.select(Loan, Member)
        .join(Member, on=Loan.member)
        .where(Loan.group == group)
        .order_by(Member.number, Loan.granted_on, Loan.id)
    )
    if cycle is not None:
        loans = loans.where(Loan.cycle == cycle)
    if open_only:
        loans = loans.where(Loan.status == LoanStatus.ACTIVE.value)
    loans = list(loans)
    active = [loan.id for loan in loans if loan.status == LoanStatus.ACTIVE.value]
    books = books_of(loans, schedules_of=active)
    buckets = {key: Bucket() for key, *_rest in AGE_BUCKETS}
    lines, closed = [], []
    outstanding = at_risk = interest_due = principal_due = fell_due = unpaid = 0
    for loan in loans:
        book = books[loan.id]
        paid = book.interest_paid + book.principal_paid
        if loan.status == LoanStatus.REPAID.value:
            fell_due += paid
            closed.append((loan, book))
            continue
        if loan.status == LoanStatus.WRITTEN_OFF.value:
            fell_due += paid + loan.written_off
            unpaid += loan.written_off
            closed.append((loan, book))
            continue
        state = standing_of(book, on)
        lines.append(LoanLine(loan, state))
        outstanding += state.principal_outstanding
        interest_due += state.interest_due
        principal_due += state.principal_due
        late = sum(p[1] + p[2] for p in book.periods(on, late_only=True))
        fell_due += late + loan.baseline_interest + loan.baseline_principal
        unpaid += state.arrears.amount
        key = _bucket(state.arrears.days_overdue)
        if key is not None:
            b = buckets[key]
            buckets[key] = Bucket(
                b.count + 1,
                b.amount + state.arrears.amount,
                b.principal + state.principal_outstanding,
            )
        if state.arrears.days_overdue > 30:
            at_risk += state.principal_outstanding
    return Portfolio(
        loans_outstanding=len(lines),
        principal_outstanding=outstanding,
        interest_due=interest_due,
        principal_due=principal_due,
        arrears=buckets,
        par30=_share(at_risk, outstanding) if outstanding else Decimal(0),
        repayment_rate=(
            _share(fell_due - unpaid, fell_due) if fell_due and not open_only else None
        ),
        lines=lines,
        closed=closed,
    )


def outstanding(group: SavingsGroup, cycle: Cycle | None, on: date) -> Portfolio | None:
    """The loan figures of the group page: the portfolio on a day, or None when no loan is being
    repaid or the group is a ROSCA, which lends nothing (none then, three queries otherwise).
    Only the open loans are read: the page shows no repayment rate (None here)."""
    if group.kind != GroupKind.SAVINGS:
        return None
    report = portfolio(group, cycle, on, open_only=True)
    return report if report.loans_outstanding else None
