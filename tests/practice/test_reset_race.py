"""A reset of a practice group at the same moment as a meeting is closed in it, by two real
processes (tests/races): either the close is kept and the reset refused, or the reset wins and
the close fails whole (refused, or a DoesNotExist on its deleted rows: a server error page in
that instant); the books are the starting state or the closed meeting, never a mix."""

from datetime import date

import pytest

from savings_groups.meetings import operations as meetings
from savings_groups.practice import operations as practice
from savings_groups.reports import integrity
from savings_groups.store.models import AuditEntry, Entry, Meeting
from tests.races.conftest import race, racers  # noqa: F401 (the fixtures of the races)
from tests.races.test_races import repeat

ON = date(2026, 6, 15)
START_ENTRIES = 2 * 6 * 2  # two meetings, six members, shares and social fund


@pytest.fixture
def practising(conn, admin):
    def make():
        group = practice.create_practice_group(admin, "Practice group", on=ON)
        meeting = meetings.open_meeting(admin, group, ON)
        return group, meeting

    return make


def test_a_reset_while_a_meeting_is_closed(race, admin, practising):  # noqa: F811
    def once():
        group, meeting = practising()
        preview = 11 * 500 + 12 * 500 + 6 * 500  # every member buys one more share
        closing, resetting = race(
            (
                "tests.races.racers:close",
                {"actor": admin.id, "meeting": meeting.id, "loan_fund": preview, "shares": 1},
            ),
            ("tests.practice.racers:reset", {"actor": admin.id, "group": group.id, "on": ON}),
        )
        entries = Entry.select().where(Entry.group == group).count()
        assert integrity.check() == []
        if resetting.ok:
            # refused (its sheet's members are gone) or failed on its deleted rows: nothing kept
            assert not closing.ok, str(closing)
            assert entries == START_ENTRIES
            assert Meeting.select().where(Meeting.group == group).count() == 2
            return "reset"
        assert resetting.message.startswith("Someone has written"), str(resetting)
        assert closing.ok, str(closing)
        assert entries == START_ENTRIES + 6  # the close's share purchases, no social fund
        assert AuditEntry.select().where(AuditEntry.action == "practice.reset").count() == 0
        return "close"

    repeat("reset vs close", once)
