"""Share-out: the end-of-cycle split of the loan fund in proportion to shares, or by how long
each share was held, and of the social fund (pure core; closing.py reads and writes the books)."""

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Context, Decimal
from fractions import Fraction
from typing import Generic, TypeVar

from savings_groups.core.errors import N_, DomainError
from savings_groups.core.money import split_largest_remainder
from savings_groups.core.vocabulary import LeftoverRule

K = TypeVar("K", bound=Hashable)

# The value of a share is shown, not used to pay: the default Decimal precision, fixed here so
# that a caller's context cannot change it. Payouts come from exact fractions.
VALUE_CONTEXT = Context(prec=28)


NEGATIVE = {
    "cash": N_("The cash in the box cannot be negative."),
    "owed": N_("What a member owes cannot be negative."),
    "shares": N_("A number of shares cannot be negative."),
    "saved": N_("What a member saved cannot be negative."),
}

# What is done with the whole units left after rounding down (LeftoverRule's values).


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


def _unit(unit: object) -> int:
    if isinstance(unit, bool) or not isinstance(unit, int):
        raise TypeError(f"unit must be an int, not {type(unit).__name__}")
    if unit < 1:
        raise ShareOutError(N_("The rounding unit must be at least 1."), field="unit")
    return unit


def compute(
    cash: int,
    owed: Mapping[K, int],
    shares: Mapping[K, int],
    unit: int = 1,
    leftover: str = LeftoverRule.LARGEST_REMAINDER,
) -> ShareOut[K]:
    """Share the loan fund out: value of a share, each member's payout, and the carry-over.

    As DESIGN.md says it: the fund is worth `cash + everything still owed` (principal and
    interest), the value of a share is fund / total_shares, and a member's exact payout is

        exact_i = shares_i * fund / total_shares - owed_i        (a Fraction, in minor units)

    Each payout is first exact_i rounded down to the unit (negative for a member who owes more
    than their share: they pay in). The whole units of cash still unpaid,
    cash // unit - sum(floors), go one each to the largest remainders exact_i - floor, a tie to
    the member met first: the order of `shares`, then members found only in `owed` (0 shares).
    What is left, cash % unit, is carried over. With leftover="carry_over" (a tradition of many
    groups) no unit is given out: every payout stays rounded down and all the rest is carried
    over (then the carry-over may be more than one unit).

    Since the exact payouts add up to the cash, for any cash, shares and debts
    (total_shares > 0): sum(payouts) + carry_over == cash, every payout is a multiple of unit;
    by largest remainder 0 <= carry_over < unit, no member gets more than one leftover unit,
    so a payout is within one unit of its exact value; a member with more shares than another
    and the same debt never gets less; two with the same shares and debt differ by at most one unit.
    """
    cash = _count("cash", cash)
    unit = _unit(unit)
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
    payouts = _distribute(cash, quotas, unit, leftover)
    return ShareOut(share_value(fund, total_shares), payouts, cash - sum(payouts.values()))


def compute_time_weighted(
    cash: int,
    owed: Mapping[K, int],
    saved: Mapping[K, int],
    weights: Mapping[K, int],
    unit: int = 1,
    leftover: str = LeftoverRule.LARGEST_REMAINDER,
) -> ShareOut[K]:
    """Share the loan fund out when shares bought earlier earn more: savings back, plus the
    profit split by weight (share-periods: for each purchase, shares x periods held).

    The fund is `cash + everything still owed`; the profit is `fund - total savings`; a
    member's exact payout is

        exact_i = saved_i + profit * weight_i / total_weight - owed_i

    then rounded as compute() does (largest remainder or all carried over). A loss (the fund
    worth less than the savings: a loan written off, say) is shared the same way, by weight,
    so a member who held shares longer bears more of it; a loss larger than what a member saved
    makes their payout negative (they pay in). `value_per_share` here is the profit (or loss)
    per share-period. Always `sum(payouts) + carry_over == cash`.
    """
    cash = _count("cash", cash)
    unit = _unit(unit)
    members = list(saved) + [m for m in weights if m not in saved]
    members += [m for m in owed if m not in members]
    savings = {member: _count("saved", saved.get(member, 0)) for member in members}
    held = {member: _count("shares", weights.get(member, 0)) for member in members}
    debts = {member: _count("owed", owed.get(member, 0)) for member in members}
    total_weight = sum(held.values())
    if total_weight == 0:
        raise ShareOutError(
            N_("No share was held for a whole period: the profit cannot be weighted by time.")
        )
    profit = cash + sum(debts.values()) - sum(savings.values())
    quotas = {
        member: (savings[member] + Fraction(profit * held[member], total_weight) - debts[member])
        / unit
        for member in members
    }
    payouts = _distribute(cash, quotas, unit, leftover)
    per_weight = VALUE_CONTEXT.divide(Decimal(profit), Decimal(total_weight))
    return ShareOut(per_weight, payouts, cash - sum(payouts.values()))


def share_value(fund: int, shares: int) -> Decimal:
    """The value of one share: what the fund is worth divided by the shares bought (shown)."""
    return VALUE_CONTEXT.divide(Decimal(fund), Decimal(shares))


def _distribute(cash: int, quotas: dict[K, Fraction], unit: int, leftover: str) -> dict[K, int]:
    """Exact payouts (in units) as whole units: each rounded down, then, by LARGEST_REMAINDER,
    the whole units of cash still unpaid one each to the largest remainders (a tie to the
    member met first), or by CARRY_OVER none: all the rest is carried over."""
    if leftover not in tuple(LeftoverRule):
        raise ValueError(f"leftover must be one of {list(LeftoverRule)}, not {leftover!r}")
    members = list(quotas)
    floors = {member: math.floor(quota) for member, quota in quotas.items()}
    if leftover == LeftoverRule.LARGEST_REMAINDER:
        left = cash // unit - sum(floors.values())
        by_remainder = sorted(
            range(len(members)), key=lambda i: (floors[members[i]] - quotas[members[i]], i)
        )
        for i in by_remainder[:left]:
            floors[members[i]] += 1
    return {member: count * unit for member, count in floors.items()}


def split_social_fund(cash: int, members: list[K], unit: int = 1) -> tuple[dict[K, int], int]:
    """The social fund split equally among these members in whole units, and what is left
    (kept for the next cycle): money.split_largest_remainder with equal weights."""
    parts, carry = split_largest_remainder(_count("cash", cash), [1] * len(members), _unit(unit))
    return dict(zip(members, parts, strict=True)), carry


def return_on_savings(
    profit: int, savings: int, days: int
) -> tuple[Decimal | None, Decimal | None]:
    """(profit / savings for the cycle, the same annualised simply: x 365 / days of the cycle),
    None where it cannot be said (no savings, no days)."""
    if savings <= 0:
        return None, None
    cycle = VALUE_CONTEXT.divide(Decimal(profit), Decimal(savings))
    if days <= 0:
        return cycle, None
    return cycle, VALUE_CONTEXT.divide(cycle * 365, Decimal(days))
