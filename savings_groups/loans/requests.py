"""Asking for a loan: the request, the cycle's rules it must meet, and the safeguards to read.

check_request() gives what the recorder sees before granting (the terms, the schedule, the
member's savings and debt, the warnings); lending.grant_loan() checks it again and writes it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from savings_groups.core.dates import add_periods
from savings_groups.core.errors import N_, Amount, Number
from savings_groups.core.numbers import require_int
from savings_groups.core.vocabulary import (
    Fund,
    GroupKind,
    LoanMethod,
    LoanPurpose,
    LoanStatus,
    LoanWarning,
    RatePeriod,
)
from savings_groups.cycles.operations import allowed_methods, rate_period_of
from savings_groups.groups.members import is_current
from savings_groups.ledger import entries as ledger
from savings_groups.loans.book import books_of
from savings_groups.loans.compute import (
    Installment,
    LoanError,
    flexible_interest_due,
    period_rate,
    schedule,
)
from savings_groups.store.models import Cycle, Loan, Member, SavingsGroup

RATIO_PLACES = Decimal("0.01")
# A rate above the rules' maximum, said in the rules' period.
RATE_ABOVE = {
    RatePeriod.WEEK: N_("The rules charge at most %(percent)s%% a week."),
    RatePeriod.TWO_WEEKS: N_("The rules charge at most %(percent)s%% per 2 weeks."),
    RatePeriod.FOUR_WEEKS: N_("The rules charge at most %(percent)s%% per 4 weeks."),
    RatePeriod.MONTH: N_("The rules charge at most %(percent)s%% a month."),
}


class WarningsNotAcknowledged(LoanError):
    """The loan has warnings the recorder has not acknowledged; `codes` lists them."""

    def __init__(self, codes: Iterable[str]):
        self.codes = sorted(codes)
        super().__init__(
            N_("Read the warnings and tick each one before granting the loan (%(count)d left)."),
            field="acknowledged",
            count=len(self.codes),
        )


@dataclass(frozen=True)
class LoanRequest:
    """A member's request as the recorder enters it; amounts in minor units.

    Its terms: `method` one the cycle's rules allow (None: the rules' usual one) and the rate
    in per cent per `rate_period` (None: the rules' rate, and the rules' period), at most the
    rules' rate once both are converted to meeting periods."""

    member: Member
    principal: int
    periods: int
    purpose: LoanPurpose | str
    guarantor_ids: tuple[int, ...] = ()
    method: LoanMethod | str | None = None
    rate_percent: Decimal | int | None = None
    rate_period: RatePeriod | str | None = None


@dataclass(frozen=True)
class Safeguard:
    """A safeguard raised by a request: its code, a message (msgid) and the message's values
    (amounts as ints of minor units, ratios as errors.Number, for the view to format)."""

    code: LoanWarning
    message: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Pending:
    """Money of a meeting not posted yet (its saved draft) that comes before new loans in the
    standard order: the loan fund's cash it brings (shares, fines, repayments) and each member's
    savings it adds (member id -> amount of shares bought)."""

    cash: int = 0
    savings: dict[int, int] = field(default_factory=dict)


NOTHING_PENDING = Pending()


@dataclass(frozen=True)
class Assessment:
    """What the recorder sees before granting: the terms, the schedule, the member's position.

    `debt` is the principal the member owes on loans being repaid plus the interest due and
    unpaid; the ratios are debt / savings (None when the member has no savings). `rate` is as
    agreed, per `rate_period` (0.10 a month); `period_rate` is the exact rate per meeting
    period the schedule charges (loans.compute.period_rate).
    """

    principal: int
    periods: int
    rate: Decimal
    method: str
    unit: int
    schedule: list[Installment]
    savings: int
    debt: int
    ratio_before: Decimal | None
    ratio_after: Decimal | None
    max_principal: int
    cash: int
    warnings: tuple[Safeguard, ...] = ()
    rate_period: str | None = None
    period_rate: Fraction | None = None

    @property
    def total_interest(self) -> int:
        return sum(i.interest for i in self.schedule)

    @property
    def warning_codes(self) -> set[str]:
        return {w.code.value for w in self.warnings}


def plan(
    principal: int, rate: Decimal | Fraction, periods: int, method: str, unit: int
) -> list[Installment]:
    """The schedule of a loan (`rate` per meeting period, see period_rate); for a flexible loan,
    what is due if the principal is all repaid at the end of the term (each period's charge on
    the whole principal)."""
    if method != LoanMethod.FLEXIBLE.value:
        return schedule(principal, rate, periods, method, unit)
    schedule(principal, rate, periods, LoanMethod.FLAT.value, unit)  # the same checks
    charge = flexible_interest_due(principal, rate, unit)
    return [Installment(n, 0, charge, charge, principal) for n in range(1, periods)] + [
        Installment(periods, principal, charge, principal + charge, 0)
    ]


def _ratio(debt: int, savings: int) -> Decimal | None:
    if savings <= 0:
        return None
    return (Decimal(debt) / Decimal(savings)).quantize(RATIO_PLACES, ROUND_HALF_UP)


def check_open(group: SavingsGroup, cycle: Cycle) -> None:
    """Only an open cycle of a savings group that is not archived lends."""
    if cycle.group_id != group.id:
        raise ValueError("the cycle is not this group's")
    if group.kind != GroupKind.SAVINGS.value:
        raise LoanError(N_("Only savings groups lend from their fund."))
    if group.archived_at is not None:
        raise LoanError(N_("This group is archived: take it out of the archive first."))
    if cycle.closed_at is not None:
        raise LoanError(N_("This cycle is closed: no more loans can be granted in it."))


def _no_break(previous: Loan, granted_on: date, frequency: str) -> bool:
    """A loan follows `previous` without a break if it was granted while `previous` was still
    being repaid, or no later than one meeting period after it was closed (repaid or written
    off): the member never went through a whole period without a loan."""
    if previous.closed_on is None:
        return True
    return granted_on <= add_periods(previous.closed_on, 1, frequency)


def _terms(
    group: SavingsGroup, cycle: Cycle, request: LoanRequest
) -> tuple[str, Decimal, RatePeriod, Fraction]:
    """The request's method, its rate (a fraction, 0.10) and the rate's period as agreed, and
    the exact rate per meeting period; a LoanError on the field that breaks the rules."""
    method = request.method if request.method is not None else cycle.loan_method
    try:
        method = LoanMethod(method)
    except ValueError:
        raise LoanError(N_("Choose how interest is charged."), field="method") from None
    if method not in allowed_methods(cycle):
        raise LoanError(
            N_("The cycle's rules do not allow this way of charging interest."), field="method"
        )
    frequency = group.meeting_frequency
    rules_period = rate_period_of(cycle, frequency)
    most = period_rate(Decimal(cycle.loan_rate), rules_period, frequency)
    if request.rate_percent is None:
        return method.value, Decimal(cycle.loan_rate), rules_period, most
    try:
        period = RatePeriod(request.rate_period or rules_period)
    except ValueError:
        raise LoanError(
            N_("Choose the period of the rate (a month, a week...)."), field="rate_period"
        ) from None
    percent = request.rate_percent
    if isinstance(percent, bool) or not isinstance(percent, Decimal | int):
        raise TypeError(f"rate_percent must be a Decimal, not {type(percent).__name__}")
    if not Decimal(percent).is_finite() or percent < 0:
        raise LoanError(N_("Enter a rate between 0 and 100, in per cent."), field="rate_percent")
    rate = (Decimal(percent) / 100).normalize() + 0  # 0.1, not 0.100 nor 1E-1 (+ 0: plain)
    exact = period_rate(rate, period, frequency)
    if exact > most:
        rules_percent = (Decimal(cycle.loan_rate) * 100).normalize() + 0
        raise LoanError(
            RATE_ABOVE[rules_period], field="rate_percent", percent=Number(rules_percent)
        )
    return method.value, rate, period, exact


def check_request(
    group: SavingsGroup,
    cycle: Cycle,
    request: LoanRequest,
    on: date,
    pending: Pending = NOTHING_PENDING,
) -> Assessment:
    """Check a request against the cycle's rules; raise a LoanError (with its field) for the
    first rule broken, else return the assessment with the schedule and the warnings.

    Rules (blocking): an amount and a term more than zero; a member of the group who has not
    left; the term at most loan_max_periods; the amount at most loan_max_multiple times the
    member's savings in the cycle and at most the cash in the loan fund; no other loan being
    repaid when one_loan_at_a_time; above guarantor_threshold, at least one guarantor; each
    guarantor a current member of the group other than the borrower.

    The terms (see _terms): a method the rules allow; a rate from 0 up to the rules' rate,
    compared exactly once both are converted to meeting periods.

    Warnings (not blocking): the member is late on a loan; the purpose is repaying another
    debt; debt / savings after the loan above debt_warning_ratio; a third consecutive loan
    (see _no_break: the two loans before this one and this one follow each other without a
    break); the last installment falls after the cycle's planned end.

    At a meeting, `pending` is what its draft brings before the loans (shares, fines,
    repayments): counted in the cash and the member's savings, as the meeting's order says.
    """
    check_open(group, cycle)
    member = request.member
    principal = require_int("principal", request.principal)
    periods = require_int("periods", request.periods)
    if member.group_id != group.id:
        raise LoanError(N_("This person is not a member of the group."), field="member")
    if principal <= 0:
        raise LoanError(N_("The amount lent must be more than zero."), field="principal")
    if periods <= 0:
        raise LoanError(N_("The loan must last at least one period."), field="periods")
    try:
        purpose = LoanPurpose(request.purpose)
    except ValueError:
        raise LoanError(N_("Choose what the loan is for."), field="purpose") from None
    if not is_current(member, on):
        raise LoanError(N_("This member has left the group: no new loan."), field="member")
    if periods > cycle.loan_max_periods:
        raise LoanError(
            N_("The rules allow a loan over %(count)d periods at most."),
            field="periods",
            count=cycle.loan_max_periods,
        )
    method, rate, rate_period, exact_rate = _terms(group, cycle, request)
    installments = plan(principal, exact_rate, periods, method, group.rounding_unit)

    savings_of = ledger.member_totals(group, cycle).get(member.id)
    savings = (savings_of.savings if savings_of else 0) + pending.savings.get(member.id, 0)
    multiple = Decimal(cycle.loan_max_multiple)
    max_principal = int(multiple * max(savings, 0))  # floor: both are >= 0
    if principal > max_principal:
        raise LoanError(
            N_(
                "The rules lend at most %(multiple)s times the member's savings: "
                "%(maximum)s at most."
            ),
            field="principal",
            multiple=Number(multiple),
            maximum=Amount(max_principal, group.currency),
        )
    cash = ledger.balances(group)[Fund.LOAN_FUND] + pending.cash
    if principal > cash:
        raise LoanError(
            N_("There is not enough cash in the loan fund: %(cash)s at most."),
            field="principal",
            cash=Amount(max(cash, 0), group.currency),
        )
    active = list(
        Loan.select().where((Loan.member == member) & (Loan.status == LoanStatus.ACTIVE.value))
    )
    if active and cycle.one_loan_at_a_time:
        raise LoanError(
            N_("The rules allow one loan at a time: this member is still repaying one."),
            field="member",
        )
    guarantor_ids = sorted({require_int("guarantor_ids", g) for g in request.guarantor_ids})
    threshold = cycle.guarantor_threshold
    if threshold is not None and principal > threshold and not guarantor_ids:
        raise LoanError(
            N_("Above %(threshold)s the rules ask for a guarantor."),
            field="guarantor_ids",
            threshold=Amount(threshold, group.currency),
        )
    if member.id in guarantor_ids:
        raise LoanError(N_("The borrower cannot be their own guarantor."), field="guarantor_ids")
    if guarantor_ids:
        found = Member.select().where(Member.id.in_(guarantor_ids) & (Member.group == group))
        if len([g for g in found if is_current(g, on)]) != len(guarantor_ids):
            raise LoanError(
                N_("A guarantor must be a member of the group who has not left."),
                field="guarantor_ids",
            )

    books = books_of(active)
    debt = late = late_days = 0
    for book in books.values():
        interest, _principal = book.due(on)
        debt += book.outstanding + interest
        overdue = book.arrears(on)
        late += overdue.amount
        late_days = max(late_days, overdue.days_overdue)
    warnings = []
    if late:
        warnings.append(
            Safeguard(
                LoanWarning.ARREARS,
                N_("This member is late repaying a loan: %(amount)s overdue for %(days)d days."),
                {"amount": Amount(late, group.currency), "days": late_days},
            )
        )
    if purpose == LoanPurpose.REPAY_DEBT:
        warnings.append(
            Safeguard(
                LoanWarning.REPAY_DEBT,
                N_("This loan is to repay another debt: check it will not make the debt worse."),
            )
        )
    ratio = Decimal(cycle.debt_warning_ratio)  # a fresh Cycle holds its default as text
    if debt + principal > ratio * savings:
        warnings.append(
            Safeguard(
                LoanWarning.DEBT_RATIO,
                N_("After this loan the member would owe more than %(ratio)s times their savings."),
                {"ratio": Number(ratio), "debt": debt + principal, "savings": savings},
            )
        )
    last_two = list(
        Loan.select()
        .where((Loan.member == member) & (Loan.group == group))
        .order_by(Loan.granted_on.desc(), Loan.id.desc())
        .limit(2)
    )
    if (
        len(last_two) == 2
        and _no_break(last_two[0], on, group.meeting_frequency)
        and _no_break(last_two[1], last_two[0].granted_on, group.meeting_frequency)
    ):
        warnings.append(
            Safeguard(
                LoanWarning.THIRD_CONSECUTIVE,
                N_("This would be the member's third loan in a row without a break."),
            )
        )
    last_due = add_periods(on, periods, group.meeting_frequency)
    if last_due > cycle.planned_end:
        warnings.append(
            Safeguard(
                LoanWarning.PAST_CYCLE_END,
                N_(
                    "The last installment falls on %(day)s, after the cycle's planned end "
                    "(%(end)s): the loan would still be owed at the share-out."
                ),
                {"day": last_due, "end": cycle.planned_end},
            )
        )
    return Assessment(
        principal=principal,
        periods=periods,
        rate=rate,
        rate_period=rate_period.value,
        period_rate=exact_rate,
        method=method,
        unit=group.rounding_unit,
        schedule=installments,
        savings=savings,
        debt=debt,
        ratio_before=_ratio(debt, savings),
        ratio_after=_ratio(debt + principal, savings),
        max_principal=max_principal,
        cash=cash,
        warnings=tuple(warnings),
    )
