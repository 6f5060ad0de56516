"""Loans: repayment schedules, flexible VSLA loans and the allocation of repayments (pure core)."""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from savings_groups.core.errors import N_, DomainError
from savings_groups.core.money import round_to_unit
from savings_groups.core.numbers import require_int
from savings_groups.core.vocabulary import (
    MEETING_PERIOD,
    WEEKS,
    LoanMethod,
    MeetingFrequency,
    RatePeriod,
)

# The methods with a fixed schedule; a flexible loan has none (see flexible_interest_due).
METHODS = (
    LoanMethod.FLAT,
    LoanMethod.DECLINING_EQUAL_INSTALLMENT,
    LoanMethod.DECLINING_EQUAL_PRINCIPAL,
)


class LoanError(DomainError, ValueError):
    """Loan terms or a repayment the group cannot accept; the message says why."""


class OverpaymentError(LoanError):
    """More was paid than is due; `maximum` is the most that can be paid (minor units)."""

    def __init__(self, maximum: int, period: int | None = None):
        super().__init__(
            N_("This is more than is due: the most that can be paid is %(maximum)s."),
            field="amount",
            maximum=maximum,
        )
        self.maximum = maximum
        self.period = period


@dataclass(frozen=True)
class Installment:
    """One period of a schedule; `balance` is the principal still owed after paying it."""

    number: int
    principal: int
    interest: int
    total: int
    balance: int


@dataclass(frozen=True)
class FlexiblePeriod:
    """One period of a flexible loan: what was due, what was paid, and how it was allocated.

    `charge` is this period's service charge on the balance owed at its start; `interest_due`
    adds the charges left unpaid before (they are owed, never charged interest themselves).
    """

    number: int
    charge: int
    interest_due: int
    paid: int
    interest: int
    principal: int
    balance: int
    interest_arrears: int


def meeting_period(frequency: str) -> RatePeriod:
    """The rate period that is one meeting period of `frequency` (weekly: a week)."""
    try:
        return MEETING_PERIOD[MeetingFrequency(frequency)]
    except ValueError:
        raise ValueError(f"{frequency!r} is not a meeting frequency") from None


def period_rate(rate: Decimal | int, per: str | None, frequency: str) -> Fraction:
    """A rate said per `per` (a RatePeriod; None: per meeting period) as the exact rate per
    meeting period of `frequency`, the one `schedule` charges: rate × meeting / period, in
    weeks. 0.10 a month at weekly meetings is 0.10 × 3/13 = 3/130 a week (10 × 12/52 %)."""
    if isinstance(rate, bool) or not isinstance(rate, Decimal | int):
        raise TypeError(f"rate must be a Decimal, not {type(rate).__name__}")
    if isinstance(rate, Decimal) and not rate.is_finite():
        raise LoanError(N_("The interest rate must be a number."), field="rate")
    meeting = meeting_period(frequency)
    try:
        said = RatePeriod(per) if per is not None else meeting
    except ValueError:
        raise ValueError(f"{per!r} is not a rate period") from None
    return Fraction(rate) * WEEKS[meeting] / WEEKS[said]


def _check_rate(rate: Decimal | int | Fraction) -> Fraction:
    """A rate per period as an exact fraction; 0 to 1 (100% per period) is all a group may set.

    A Fraction is taken as it is: the exact rate per meeting period from period_rate."""
    if isinstance(rate, bool) or not isinstance(rate, Decimal | int | Fraction):
        raise TypeError(f"rate must be a Decimal, not {type(rate).__name__}")
    if isinstance(rate, Decimal) and not rate.is_finite():
        raise LoanError(N_("The interest rate must be a number."), field="rate")
    if not 0 <= rate <= 1:
        raise LoanError(
            N_("The interest rate must be between 0 and 100 per cent per period."), field="rate"
        )
    return Fraction(rate)


def _check_unit(unit: int) -> int:
    if require_int("unit", unit) < 1:
        raise LoanError(N_("The rounding unit must be at least 1."), field="unit")
    return unit


def _check_amount(name: str, value: int) -> int:
    if require_int(name, value) < 0:
        raise LoanError(N_("The amount cannot be negative."), field=name)
    return value


def _round(value: Fraction, unit: int) -> int:
    """round_to_unit on an exact fraction: a/b to `unit` is round_to_unit(a, b * unit) / b.

    Both sides round the same quota a / (b * unit), so the result is exact whatever its size,
    where a Decimal of a/b could be rounded before round_to_unit sees it.
    """
    return round_to_unit(value.numerator, value.denominator * unit) // value.denominator


def _equal_part(principal: int, periods: int, unit: int) -> int:
    """The principal part of every installment but the last: principal/periods to the unit.

    Half up, as everywhere; but if that would leave the last installment a negative part
    (a tiny loan over many periods) the parts are rounded down instead, so the last one, which
    takes what remains, is never negative.
    """
    part = _round(Fraction(principal, periods), unit)
    if part * (periods - 1) > principal:
        part = principal // (periods * unit) * unit
    return part


def _annuity(principal: int, rate: Fraction, periods: int) -> Fraction:
    """The exact equal installment that repays `principal` with interest on the balance."""
    if rate == 0:
        return Fraction(principal, periods)
    growth = (1 + rate) ** periods
    return principal * rate * growth / (growth - 1)


def _equal_installments(
    principal: int, rate: Fraction, periods: int, payment: int, unit: int
) -> tuple[list[Installment], bool]:
    """Installments of `payment` (interest first), the last clearing the balance.

    Also says whether the balance ran out before the last period (only in a tiny loan, where
    the rounded-up payment repays too fast); the caller then rounds the payment down instead,
    as _equal_part does, so that at rate 0 every method gives the same schedule. A part is
    capped at the balance, so that none is ever negative and the balance never goes below 0.
    """
    installments = []
    balance, early = principal, False
    for number in range(1, periods + 1):
        interest = _round(balance * rate, unit)
        part = payment - interest
        if number == periods:
            part = balance
        elif part > balance:
            part, early = balance, True
        balance -= part
        installments.append(Installment(number, part, interest, part + interest, balance))
    return installments, early


def schedule(
    principal: int, rate: Decimal | Fraction, periods: int, method: str, unit: int = 1
) -> list[Installment]:
    """The installments of a loan, in minor units, every interest rounded half up to `unit`.

    `rate` is per period (a meeting period); a rate said for another period ("10 % a month" at
    weekly meetings) is converted first, exactly, by period_rate (a Fraction is accepted).

    - flat: interest on the original principal each period, equal principal parts;
    - declining_equal_principal: equal principal parts, interest on the balance owed;
    - declining_equal_installment: the annuity rounded half up to the unit each period
      (interest on the balance first, the rest principal); the last installment clears the
      balance. In a tiny loan where that payment would clear the balance before the last
      period, the annuity is rounded down instead (at rate 0, the same schedule as the other
      methods); if even that clears it early (interest rounding to nothing), the installment
      that reaches 0 takes what remains and those after it are 0. No part is ever negative.

    Equal principal parts are principal/periods rounded half up to the unit (down if up would
    leave the last negative); the last part takes what remains.
    """
    if require_int("principal", principal) <= 0:
        raise LoanError(N_("The amount lent must be more than zero."), field="principal")
    if require_int("periods", periods) < 1:
        raise LoanError(N_("The loan must last at least one period."), field="periods")
    exact_rate = _check_rate(rate)
    unit = _check_unit(unit)
    if method not in METHODS:
        raise LoanError(N_("Unknown way of charging interest: %(method)s."), method=str(method))

    if method == LoanMethod.DECLINING_EQUAL_INSTALLMENT:
        annuity = _annuity(principal, exact_rate, periods)
        installments, early = _equal_installments(
            principal, exact_rate, periods, _round(annuity, unit), unit
        )
        if early:  # see _equal_installments
            installments, _ = _equal_installments(
                principal, exact_rate, periods, math.floor(annuity / unit) * unit, unit
            )
        return installments

    installments = []
    balance = principal
    equal_part = _equal_part(principal, periods, unit)
    flat_interest = _round(principal * exact_rate, unit)
    for number in range(1, periods + 1):
        interest = (
            flat_interest if method == LoanMethod.FLAT else _round(balance * exact_rate, unit)
        )
        part = balance if number == periods else equal_part
        balance -= part
        installments.append(Installment(number, part, interest, part + interest, balance))
    return installments


def allocate_repayment(amount: int, interest_due: int, principal_due: int) -> tuple[int, int]:
    """Split a repayment as (interest paid, principal paid): interest due first, then principal.

    `principal_due` is the most principal the caller accepts now (for a loan that may be repaid
    early, the whole balance). Paying more than interest and principal due together is refused
    with an OverpaymentError that carries the maximum.
    """
    amount = _check_amount("amount", amount)
    interest_due = _check_amount("interest_due", interest_due)
    principal_due = _check_amount("principal_due", principal_due)
    if amount > interest_due + principal_due:
        raise OverpaymentError(interest_due + principal_due)
    interest = min(amount, interest_due)
    return interest, amount - interest


def flexible_interest_due(outstanding: int, rate: Decimal | Fraction, unit: int = 1) -> int:
    """The service charge of one period on the balance outstanding, rounded half up to `unit`."""
    outstanding = _check_amount("outstanding", outstanding)
    return _round(outstanding * _check_rate(rate), _check_unit(unit))


def flexible_allocation(
    principal: int, rate: Decimal | Fraction, payments: Iterable[int], unit: int = 1
) -> list[FlexiblePeriod]:
    """Allocate the payments of a flexible VSLA loan, one per period, from the first period.

    Each period the service charge falls due on the balance owed at its start (before that
    period's payment); a payment goes to interest due (unpaid charges included) first, then to
    principal, which may be repaid whenever the member can. An unpaid charge stays owed but
    earns no interest. A payment above everything owed raises OverpaymentError with its period.
    Periods past the term are charged like the others: the loan is late, not forgiven.
    """
    if require_int("principal", principal) <= 0:
        raise LoanError(N_("The amount lent must be more than zero."), field="principal")
    exact_rate = _check_rate(rate)
    unit = _check_unit(unit)
    balance, arrears = principal, 0
    periods = []
    for number, paid in enumerate(payments, start=1):
        paid = _check_amount("amount", paid)
        charge = _round(balance * exact_rate, unit)
        due = arrears + charge
        try:
            interest, part = allocate_repayment(paid, due, balance)
        except OverpaymentError as error:
            raise OverpaymentError(error.maximum, period=number) from None
        balance -= part
        arrears = due - interest
        periods.append(FlexiblePeriod(number, charge, due, paid, interest, part, balance, arrears))
    return periods
