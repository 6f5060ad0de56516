"""The money history: the ledger's entries a page at a time, and which were reversed."""

from dataclasses import dataclass

from peewee import JOIN

from savings_groups.ledger import entries as ledger
from savings_groups.store.models import (
    Cycle,
    Entry,
    Loan,
    Meeting,
    Member,
    SavingsGroup,
    User,
)

HISTORY_PAGE_SIZE = 50


@dataclass(frozen=True)
class HistoryPage:
    entries: list[Entry]
    reversed_by: dict[int, int]  # entry id -> id of the entry that reverses it
    page: int
    has_next: bool


def history_page(
    group: SavingsGroup,
    cycle: Cycle | None = None,
    member: Member | None = None,
    page: int = 1,
    per_page: int = HISTORY_PAGE_SIZE,
) -> HistoryPage:
    """One page of the group's entries, newest first, with meeting, member, who approved a
    group expense or income, and recorder (two queries): the second says which entries of the
    page have been reversed."""
    page = max(page, 1)
    approver = Member.alias()
    query = (
        ledger.history(group, cycle=cycle, member=member)
        .select_extend(Member, Meeting, Loan, approver)
        .switch(Entry)
        .join(Member, JOIN.LEFT_OUTER, on=Entry.member)
        .switch(Entry)
        .join(approver, JOIN.LEFT_OUTER, on=(Entry.approved_by == approver.id))
        .switch(Entry)
        .join(Meeting, JOIN.LEFT_OUTER, on=Entry.meeting)
        .switch(Entry)
        .join(Loan, JOIN.LEFT_OUTER, on=Entry.loan)  # a write-off shows the principal written off
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    )
    entries = list(query)
    has_next = len(entries) > per_page
    entries = entries[:per_page]
    reversed_by = {}
    if entries:
        rows = Entry.select(Entry.id, Entry.reverses).where(
            Entry.reverses.in_([entry.id for entry in entries])
        )
        reversed_by = {row.reverses_id: row.id for row in rows}
    return HistoryPage(entries, reversed_by, page, has_next)


def entry_of(group: SavingsGroup, entry_id: int) -> Entry | None:
    """An entry of this group (None for another group's), with who recorded it."""
    return (
        Entry.select(Entry, User)
        .join(User, on=Entry.recorded_by)
        .where((Entry.id == entry_id) & (Entry.group == group))
        .first()
    )


def reversal_of(entry: Entry) -> Entry | None:
    """The entry that reverses this one, if any."""
    return Entry.get_or_none(Entry.reverses == entry)
