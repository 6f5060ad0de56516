"""Share-out: the end-of-cycle split of the loan fund in proportion to shares (pure core)."""

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Context, Decimal
from fractions import Fraction
from typing import Generic, TypeVar

from .errors import N_, DomainError

K = TypeVar("K", bound=Hashable)

# The value of a share is shown, not used to pay: the default Decimal precision, fixed here so
# that a caller's context cannot change it. Payouts come from exact fractions.
VALUE_CONTEXT = Context(prec=28)


NEGATIVE = {
    "cash": N_("The cash in the box cannot be negative."),
    "owed": N_("What a member owes cannot be negative."),
    "shares": N_("A number of shares cannot be negative."),
}


class ShareOutError(DomainError, ValueError):
    """A share-out that cannot be computed; the message says why."""


@dataclass(frozen=True)
class ShareOut(Generic[K]):
    """The result: value of one share, payout per member (net of debts, may be negative), carry.

    `sum(payouts.values()) + carry_over == cash`, and `carry_over == cash % unit`.
    """

    value_per_share: Decimal
    payouts: dict[K, int]
    carry_over: int


def _count(name: str, value: object) -> int:
    """Money and shares are ints that cannot be negative; a float or bool is a caller's bug."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ShareOutError(NEGATIVE[name], field=name)
    return value


def compute(
    cash: int, owed: Mapping[K, int], shares: Mapping[K, int], unit: int = 1
) -> ShareOut[K]:
    """Share the loan fund out: value of a share, each member's payout, and the carry-over.

    As DESIGN.md says it: the fund is worth `cash + everything still owed` (principal and
    interest), the value of a share is fund / total_shares, and a member's exact payout is

        exact_i = shares_i * fund / total_shares - owed_i        (a Fraction, in minor units)

    Each payout is first exact_i rounded down to the unit (negative for a member who owes more
    than their share: they pay in). The whole units of cash still unpaid,
    cash // unit - sum(floors), go one each to the largest remainders exact_i - floor, a tie to
    the member met first: the order of `shares`, then members found only in `owed` (0 shares).
    What is left, cash % unit, is carried over.

    Since the exact payouts add up to the cash, for any cash, shares and debts
    (total_shares > 0): sum(payouts) + carry_over == cash, every payout is a multiple of unit,
    0 <= carry_over < unit, no member gets more than one leftover unit, so a payout is within
    one unit of its exact value; a member with more shares than another and the same debt
    never gets less; two with the same shares and debt differ by at most one unit.
    """
    cash = _count("cash", cash)
    if isinstance(unit, bool) or not isinstance(unit, int):
        raise TypeError(f"unit must be an int, not {type(unit).__name__}")
    if unit < 1:
        raise ShareOutError(N_("The rounding unit must be at least 1."), field="unit")
    members = list(shares) + [member for member in owed if member not in shares]
    held = {member: _count("shares", shares.get(member, 0)) for member in members}
    debts = {member: _count("owed", owed.get(member, 0)) for member in members}
    total_shares = sum(held.values())
    if total_shares == 0:
        raise ShareOutError(N_("No shares were bought in this cycle: there is nothing to share."))

    fund = cash + sum(debts.values())
    quotas = {  # exact payouts, counted in units
        member: Fraction(fund * held[member], total_shares * unit) - Fraction(debts[member], unit)
        for member in members
    }
    floors = {member: math.floor(quota) for member, quota in quotas.items()}
    left = cash // unit - sum(floors.values())
    by_remainder = sorted(
        range(len(members)), key=lambda i: (floors[members[i]] - quotas[members[i]], i)
    )
    for i in by_remainder[:left]:
        floors[members[i]] += 1
    payouts = {member: count * unit for member, count in floors.items()}
    value = VALUE_CONTEXT.divide(Decimal(fund), Decimal(total_shares))
    return ShareOut(value, payouts, cash - sum(payouts.values()))
