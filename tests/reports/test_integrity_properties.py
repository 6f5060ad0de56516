"""Properties of the check over random meetings kept through the app: books kept through the app
always pass, and any amount changed behind the app's back is reported at its meeting, exactly."""

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from savings_groups.meetings import operations as meetings
from savings_groups.reports import integrity
from savings_groups.shareout import operations as closing
from savings_groups.store.db import db
from savings_groups.store.models import Cycle
from tests.meetings.test_operations import vsla  # noqa: F401  (the fixture)
from tests.meetings.test_operations_properties import SETTINGS, run_meetings


@SETTINGS
@given(data=st.data())
def test_books_kept_through_the_app_always_pass(conn, admin, vsla, data):  # noqa: F811
    group, cycle, history = run_meetings(data, admin, vsla)
    if data.draw(st.booleans(), label="share out"):
        on = history[-1][0].held_on + timedelta(days=1)
        if not closing.preview(group, cycle, on).problems:
            closing.finalise(admin, group, Cycle.get_by_id(cycle.id), on)
    assert integrity.check() == []


@SETTINGS
@given(data=st.data())
def test_an_amount_changed_is_reported_at_its_meeting(conn, admin, vsla, data):  # noqa: F811
    group, cycle, history = run_meetings(data, admin, vsla)
    meeting = data.draw(st.sampled_from([m for m, _counted in history]), label="meeting")
    live = [e for same in meetings._live_entries(meeting).values() for e in same]
    if not live:
        return
    entry = data.draw(st.sampled_from(live), label="entry")
    change = data.draw(st.integers(-1_000, 1_000).filter(bool), label="change")
    db.execute_sql(
        f"UPDATE entry SET amount = amount + {db.param} WHERE id = {db.param}", (change, entry.id)
    )
    found = [d for d in integrity.check() if d.group_id == group.id]
    first = found[0]
    assert (first.code, first.object_id, first.params["fund"]) == (
        "cash_count",
        meeting.id,
        entry.fund,
    )
    assert first.expected - first.found == change
    # The same box of every later meeting of the cycle, and nothing else.
    later = [m.id for m, _counted in history if m.held_on >= meeting.held_on]
    assert [(d.code, d.object_id) for d in found] == [("cash_count", m) for m in later]
