"""The money history a page at a time, and an entry found only in its own group."""

from datetime import date

from playhouse.test_utils import count_queries

from savings_groups.core.vocabulary import EntryKind, Fund
from savings_groups.ledger import entries as ledger
from savings_groups.ledger import reports as history


def test_history_pages_mark_reversed_entries_in_two_queries(world, admin):
    w = world()
    ada, bea, _c = w.members
    meeting = w.meeting(date(2026, 1, 12))
    entries = [w.post(Fund.LOAN_FUND, EntryKind.FINE, 100 * i, ada, meeting) for i in range(1, 6)]
    reversal = ledger.reverse(admin, entries[1], "wrong")
    with count_queries() as counter:
        page = history.history_page(w.group, per_page=4)
        [(e.member.full_name, e.meeting.held_on, e.recorded_by.full_name) for e in page.entries]
    assert counter.count == 2
    assert [e.id for e in page.entries] == [
        reversal.id,
        entries[4].id,
        entries[3].id,
        entries[2].id,
    ]
    assert page.has_next and page.reversed_by == {}
    older = history.history_page(w.group, page=2, per_page=4)
    assert [e.id for e in older.entries] == [entries[1].id, entries[0].id]
    assert older.reversed_by == {entries[1].id: reversal.id} and not older.has_next
    assert history.history_page(w.group, member=bea).entries == []


def test_an_entry_of_another_group_is_not_found(world):
    w, other = world(), world()
    entry = other.post(Fund.LOAN_FUND, EntryKind.FINE, 500, other.members[0])
    assert history.entry_of(w.group, entry.id) is None
    assert history.entry_of(other.group, entry.id).id == entry.id
