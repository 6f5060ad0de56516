"""What the one-key fills read: the shares at the last closed meeting, and the open meeting."""

from datetime import date

from savings_groups.core.vocabulary import EntryKind, Fund
from savings_groups.meetings import sheet as meeting_sheet
from tests.conftest import buy


def test_previous_shares_are_those_of_the_last_closed_meeting_before(world):
    w = world()
    a, b, c = w.members
    first = w.meeting(date(2026, 3, 2))
    buy(w, a, first, 5)
    buy(w, b, first, 1)
    second = w.meeting(date(2026, 3, 9))
    buy(w, a, second, 2)
    buy(w, a, second, 1)  # two purchases at one meeting add up
    buy(w, c, second, 4)
    w.post(Fund.SOCIAL_FUND, EntryKind.SOCIAL_FUND_CONTRIBUTION, 100, b, second)
    later_draft = w.meeting(date(2026, 3, 23), status="draft")
    w.meeting(date(2026, 3, 16), status="draft")  # a draft in between is not "last time"
    assert meeting_sheet.previous_shares(later_draft) == {a.id: 3, c.id: 4}
    # A meeting before the first has nothing to repeat; the first's own shares are not its own.
    early = w.meeting(date(2026, 2, 23), status="draft")
    assert meeting_sheet.previous_shares(early) == {}


def test_today_meeting_is_the_latest_draft(world):
    w = world()
    assert meeting_sheet.today_meeting(w.group) is None
    w.meeting(date(2026, 3, 2))
    assert meeting_sheet.today_meeting(w.group) is None
    older = w.meeting(date(2026, 3, 9), status="draft")
    assert meeting_sheet.today_meeting(w.group) == older
    newer = w.meeting(date(2026, 3, 16), status="draft")
    assert meeting_sheet.today_meeting(w.group) == newer
