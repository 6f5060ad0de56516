"""Migration 0012: entries written outside a meeting before they had their own date get the day
the money moved, as the code now writes it."""

import importlib
from datetime import date

from savings_groups.store.db import db
from savings_groups.store.models import Entry
from tests.meetings.test_balances_as_of import (  # noqa: F401  (the fixture)
    test_entries_outside_a_meeting_are_dated_the_day_the_money_moved as a_life,
)
from tests.meetings.test_balances_as_of import trio  # noqa: F401  (the fixture)

migration = importlib.import_module(
    "savings_groups.store.migrations.0012_effective_dates_outside_meetings"
)


def test_the_dates_typed_are_replaced_by_the_days_the_money_moved(admin, trio):  # noqa: F811
    a_life(admin, trio)  # a loan written off, a settlement, a share-out, the next cycle
    dated = {e.id: e.effective_on for e in Entry.select().where(Entry.meeting.is_null())}
    assert len(set(dated.values())) > 1
    typed = date(2026, 12, 1)
    Entry.update(effective_on=typed).where(Entry.meeting.is_null()).execute()  # as 0007 left them
    assert {e.id: e.effective_on for e in Entry.select().where(Entry.meeting.is_null())} != dated
    migration.up(None, db)
    assert {e.id: e.effective_on for e in Entry.select().where(Entry.meeting.is_null())} == dated
