"""Each member's key figures for the members list: savings this cycle, loans outstanding and
arrears, read in a fixed number of aggregate queries whatever the number of members."""

from dataclasses import dataclass
from datetime import date

from savings_groups.core.vocabulary import GroupKind
from savings_groups.cycles.operations import cycle_of
from savings_groups.ledger import entries as ledger
from savings_groups.loans import portfolio as loan_portfolio
from savings_groups.store.models import SavingsGroup


@dataclass(frozen=True)
class MemberFigures:
    shares: int = 0  # this cycle's (the open one, else the latest)
    savings: int = 0
    loan_outstanding: int = 0  # principal, every cycle's active loans
    arrears: int = 0
    days_overdue: int = 0  # the oldest unpaid installment of any of the member's loans


NONE = MemberFigures()


def member_figures(group: SavingsGroup, on: date) -> dict[int, MemberFigures]:
    """Per member id, on a day (five queries: the cycle, the savings summed per member, the
    loans being repaid, their schedules and what was paid on them); empty for a ROSCA. Loans
    repaid or written off owe nothing: they are not read (years of them on an old group)."""
    if group.kind != GroupKind.SAVINGS.value:
        return {}
    cycle = cycle_of(group, None)
    saved = ledger.member_totals(group, cycle) if cycle is not None else {}
    lent: dict[int, list] = {}
    for line in loan_portfolio.portfolio(group, None, on, open_only=True).lines:
        lent.setdefault(line.loan.member_id, []).append(line.standing)
    result = {}
    for member_id in set(saved) | set(lent):
        totals = saved.get(member_id, ledger.MemberTotals())
        states = lent.get(member_id, [])
        result[member_id] = MemberFigures(
            shares=totals.shares,
            savings=totals.savings,
            loan_outstanding=sum(s.principal_outstanding for s in states),
            arrears=sum(s.arrears.amount for s in states),
            days_overdue=max((s.arrears.days_overdue for s in states), default=0),
        )
    return result
