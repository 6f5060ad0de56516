"""Properties of random sequences of meetings: the boxes are their entries and the cash counted,
and a reversal restores every balance exactly. A fresh group for every example."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peewee import fn

from savings_groups.core.vocabulary import AttendanceStatus, EntryKind, Fund, MeetingStatus
from savings_groups.ledger import entries as ledger
from savings_groups.meetings import operations as meetings
from savings_groups.meetings import sheet as meeting_sheet
from savings_groups.meetings.operations import BOXES
from savings_groups.meetings.sheet import MeetingSheet, MemberLine
from savings_groups.store.models import Entry, FineType, Meeting
from tests.meetings.test_operations import vsla  # noqa: F401  (the fixture)

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
AWAY = {AttendanceStatus.ABSENT.value, AttendanceStatus.EXCUSED.value}


def draw_sheet(data, meeting, people, fine_types, cycle) -> MeetingSheet:
    """A valid sheet: shares within the rules, grants within what the social fund holds."""
    lines = []
    for member in people:
        attendance = data.draw(st.sampled_from([s.value for s in AttendanceStatus]))
        away = attendance in AWAY
        shares = 0 if away else data.draw(st.integers(cycle.min_shares, cycle.max_shares))
        chosen = data.draw(st.lists(st.sampled_from(fine_types), unique=True, max_size=2))
        lines.append(
            MemberLine(
                member.id,
                attendance,
                shares,
                data.draw(st.integers(0, 5_000)),
                [fine.id for fine in chosen],
            )
        )
    available = meetings.preview(meeting, MeetingSheet(lines))[Fund.SOCIAL_FUND]
    for entry in lines:
        grant = data.draw(st.integers(0, max(available, 0)) | st.just(0))
        entry.welfare = grant
        available -= grant
    return MeetingSheet(lines, notes=data.draw(st.text(max_size=20)))


def close_with_a_count(data, actor, meeting, sheet) -> dict:
    """Close with the cash counted = computed ± a random difference (explained by a note)."""
    computed = meetings.preview(meeting, sheet)
    counted = {
        box: max(0, computed[box] + data.draw(st.integers(-500, 500), label=f"diff {box}"))
        for box in BOXES
    }
    stored = Meeting.get_by_id(meeting.id)
    meetings.close_meeting(actor, stored, sheet, counted, "counted twice", stored.version)
    return counted


def fund_sums(group, cycle) -> dict:
    rows = (
        Entry.select(Entry.fund, fn.SUM(Entry.amount).alias("total"))
        .where((Entry.group == group) & (Entry.cycle == cycle))
        .group_by(Entry.fund)
    )
    return {Fund(row.fund): int(row.total) for row in rows}


def run_meetings(data, admin, vsla):  # noqa: F811
    currency = data.draw(st.sampled_from(["XOF", "NGN"]), label="currency")
    group, cycle, people, _ = vsla(
        currency,
        members=data.draw(st.integers(1, 4), label="members"),
        fines=(("Late", 100), ("Passbook", 250)),
        share_value=data.draw(st.sampled_from([500, 1000, 250000])),
        min_shares=data.draw(st.integers(0, 1)),
        max_shares=data.draw(st.integers(1, 5)),
    )
    fine_types = list(FineType.select().where(FineType.cycle == cycle))
    history = []
    for number in range(data.draw(st.integers(1, 4), label="meetings")):
        held_on = cycle.start_date + timedelta(days=7 * number)
        meeting = meetings.open_meeting(admin, group, held_on)
        sheet = draw_sheet(data, meeting, people, fine_types, cycle)
        counted = close_with_a_count(data, admin, meeting, sheet)
        if data.draw(st.booleans(), label="reopen"):
            meetings.reopen_meeting(admin, Meeting.get_by_id(meeting.id), "recounted")
            sheet = draw_sheet(data, meeting, people, fine_types, cycle)
            counted = close_with_a_count(data, admin, meeting, sheet)
        history.append((meeting, counted))
        balances = ledger.balances(group, cycle)
        sums = fund_sums(group, cycle)
        for box in BOXES:
            # The box holds the sum of its entries, which is the cash last counted ...
            assert balances[box] == sums.get(box, 0) == counted[box]
        # ... that is, what the meeting computed plus the difference it posted.
        for count in Meeting.get_by_id(meeting.id).cash_counts:
            posted = (
                Entry.select(fn.SUM(Entry.amount))
                .where(
                    (Entry.meeting == meeting)
                    & (Entry.fund == count.fund)
                    & (Entry.kind == EntryKind.CASH_DIFFERENCE.value)
                )
                .scalar()
                or 0
            )
            assert count.computed + posted == count.counted == counted[Fund(count.fund)]
    return group, cycle, history


@SETTINGS
@given(data=st.data())
def test_boxes_equal_their_entries_and_the_cash_counted(conn, admin, vsla, data):  # noqa: F811
    group, cycle, history = run_meetings(data, admin, vsla)
    statuses = {Meeting.get_by_id(m.id).status for m, _ in history}
    assert statuses == {MeetingStatus.CLOSED.value}
    totals = ledger.member_totals(group, cycle)
    shares = Entry.select(fn.SUM(Entry.shares)).where(Entry.cycle == cycle).scalar() or 0
    assert sum(t.shares for t in totals.values()) == shares


@SETTINGS
@given(data=st.data())
def test_a_reversal_restores_every_balance_exactly(conn, admin, vsla, data):  # noqa: F811
    group, cycle, history = run_meetings(data, admin, vsla)
    live = [e for same in meetings._live_entries(history[-1][0]).values() for e in same]
    if live:
        entry = data.draw(st.sampled_from(live), label="entry")
        before = ledger.balances(group, cycle)
        ledger.reverse(admin, entry, "wrong")
        after = ledger.balances(group, cycle)
        assert after == {
            fund: before[fund] - (entry.amount if fund == entry.fund else 0) for fund in Fund
        }
    # Reversing everything the last meeting still counts brings every box back to where it
    # stood before that meeting.
    last = history[-1][0]
    for entries in meetings._live_entries(last).values():
        for entry in entries:
            ledger.reverse(admin, entry, "undo the meeting")
    assert ledger.balances(group, cycle) == meeting_sheet.balances_before(last)
    assert meetings.meeting_net(last) == dict.fromkeys(Fund, 0)
