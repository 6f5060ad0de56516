"""Each group's basic aggregates as of a day, for /api/v1/indicators.

A stand-in: the `indicators` area (SAVIX indicators, written in parallel) replaces
`group_aggregates` at merge; the endpoint only needs a dict per group id. SQL aggregates, one
query per figure for all groups at once, never a loop over entries.
"""

from datetime import date

from peewee import fn

from savings_groups.core.vocabulary import EntryKind, LoanStatus
from savings_groups.store.models import Cycle, Entry, Loan, Member

SAVINGS = (EntryKind.SHARE_PURCHASE.value, EntryKind.OPENING_BALANCE.value)
PRINCIPAL = (EntryKind.LOAN_DISBURSEMENT.value, EntryKind.LOAN_PRINCIPAL.value)


def group_aggregates(group_ids: list[int], as_of: date) -> dict[int, dict]:
    """{group id: {members, savings_this_cycle, loans_outstanding}} (amounts in minor units)."""
    figures = {
        gid: {"members": 0, "savings_this_cycle": 0, "loans_outstanding": 0} for gid in group_ids
    }
    if not group_ids:
        return figures
    members = (
        Member.select(Member.group, fn.COUNT(Member.id))
        .where(
            Member.group.in_(group_ids),
            Member.joined_on <= as_of,
            Member.left_on.is_null() | (Member.left_on > as_of),
        )
        .group_by(Member.group)
        .tuples()
    )
    for gid, count in members:
        figures[gid]["members"] = count
    # the cycle running on the day: the latest started by then
    latest = (
        Cycle.select(Cycle.group, fn.MAX(Cycle.start_date).alias("started"))
        .where(Cycle.group.in_(group_ids), Cycle.start_date <= as_of)
        .group_by(Cycle.group)
    )
    current = Cycle.select(Cycle.id).join(
        latest, on=(Cycle.group == latest.c.group_id) & (Cycle.start_date == latest.c.started)
    )
    savings = (
        Entry.select(Entry.group, fn.SUM(Entry.amount))
        .where(
            Entry.cycle.in_(current),
            Entry.kind.in_(SAVINGS),
            Entry.effective_on <= as_of,
        )
        .group_by(Entry.group)
        .tuples()
    )
    for gid, total in savings:
        figures[gid]["savings_this_cycle"] = int(total or 0)
    lent = (
        Entry.select(Entry.group, fn.SUM(Entry.amount))
        .where(Entry.group.in_(group_ids), Entry.kind.in_(PRINCIPAL), Entry.effective_on <= as_of)
        .group_by(Entry.group)
        .tuples()
    )
    for gid, total in lent:
        figures[gid]["loans_outstanding"] = -int(total or 0)
    written = (
        Loan.select(Loan.group, fn.SUM(Loan.written_off))
        .where(
            Loan.group.in_(group_ids),
            Loan.status == LoanStatus.WRITTEN_OFF.value,
            Loan.closed_on <= as_of,
        )
        .group_by(Loan.group)
        .tuples()
    )
    for gid, total in written:
        figures[gid]["loans_outstanding"] -= int(total or 0)
    return figures
