"""The group page's figures: balances, members, meetings, attendance and savings over time."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from peewee import fn

from savings_groups.core.vocabulary import (
    AttendanceStatus,
    Fund,
    Gender,
    MeetingStatus,
    MemberType,
)
from savings_groups.cycles.operations import current_cycle
from savings_groups.ledger import entries as ledger
from savings_groups.store.models import (
    Attendance,
    Cycle,
    Entry,
    Meeting,
    Member,
    MemberExit,
    SavingsGroup,
)

# Attendance that counts as being at the meeting, for the attendance rate.
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.REPRESENTED)


@dataclass(frozen=True)
class GroupSummary:
    """The figures of the group page, for the open cycle (or all time when none is open)."""

    cycle: Cycle | None
    balances: dict[Fund, int]
    members_by_type: dict[MemberType, int]  # every type, in the enum's order
    members_by_gender: dict[Gender, int]
    members: int
    meetings_held: int
    attendance_rate: Fraction | None
    savings: int
    # (date, cumulative savings): the opening savings, then after each closed meeting.
    savings_series: list[tuple[date, int]]

    @property
    def attendance_percent(self) -> Decimal | None:
        """The attendance rate in percent, to one decimal, rounded half up."""
        if self.attendance_rate is None:
            return None
        rate = self.attendance_rate
        percent = Decimal(rate.numerator * 100) / Decimal(rate.denominator)
        return percent.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _choice(enum, value):
    """A stored value as its enum member; an unknown one counts as OTHER rather than vanish."""
    try:
        return enum(value)
    except ValueError:
        return enum.OTHER


def group_summary(group: SavingsGroup) -> GroupSummary:
    """The group page's figures in a fixed number of queries (six), whatever the data size.

    - balances: ledger.balances for the open cycle, else for all time;
    - members: current members (not left), counted by member type and by gender;
    - meetings held: closed meetings of the cycle;
    - attendance rate: attendance rows of closed meetings of the cycle marked present, late or
      represented, over all attendance rows of those meetings (None when there is none);
    - savings: what the members hold in the cycle: share purchases and opening savings
      (ledger.SAVINGS_KINDS in the loan fund) of the members not settled on leaving in it (a
      MemberExit: their savings were paid out), i.e. the members' savings in
      ledger.member_totals, those settled left out;
    - savings series: the savings posted outside any meeting (paper books, reinvested shares)
      as the starting point, then the running total after each closed meeting and each
      settlement, in the ledger's order (ledger.counted_at; one point a day).
    """
    cycle = current_cycle(group)
    balances = ledger.balances(group, cycle)

    members = (
        Member.select(Member.member_type, Member.gender, fn.COUNT(Member.id).alias("count"))
        .where((Member.group == group) & Member.left_on.is_null())
        .group_by(Member.member_type, Member.gender)
    )
    by_type = dict.fromkeys(MemberType, 0)
    by_gender = dict.fromkeys(Gender, 0)
    for row in members:
        by_type[_choice(MemberType, row.member_type)] += row.count
        by_gender[_choice(Gender, row.gender)] += row.count

    closed = Meeting.select(Meeting.id, Meeting.held_on).where(
        (Meeting.group == group) & (Meeting.status == MeetingStatus.CLOSED)
    )
    if cycle is not None:
        closed = closed.where(Meeting.cycle == cycle)
    closed_meetings = list(closed.order_by(Meeting.held_on, Meeting.id).tuples())  # (id, day)

    counts = (
        Attendance.select(Attendance.status, fn.COUNT(Attendance.id).alias("count"))
        .join(Meeting)
        .where((Meeting.group == group) & (Meeting.status == MeetingStatus.CLOSED))
        .group_by(Attendance.status)
    )
    if cycle is not None:
        counts = counts.where(Meeting.cycle == cycle)
    by_status = {row.status: row.count for row in counts}
    rows = sum(by_status.values())
    attended = sum(by_status.get(status.value, 0) for status in ATTENDED)
    rate = Fraction(attended, rows) if rows else None

    # Savings per meeting, and per day of settlement of the members who left during the cycle:
    # two statements (joined in one, PostgreSQL took the cycle's 1,300 entries for one and read
    # member_exit again for each: 28 ms of the group page at 1,000 groups, now under 2).
    savings_rows = (
        (Entry.group == group)
        & Entry.member.is_null(False)
        & Entry.kind.in_([kind.value for kind in ledger.SAVINGS_KINDS])
        & (Entry.fund == Fund.LOAN_FUND.value)
    )
    if cycle is not None:
        savings_rows &= Entry.cycle == cycle
    total = fn.SUM(Entry.amount)
    per_meeting: dict[int | None, int] = {
        meeting: int(amount or 0)
        for meeting, amount in Entry.select(Entry.meeting, total)
        .where(savings_rows)
        .group_by(Entry.meeting)
        .tuples()
    }
    left = (MemberExit.member == Entry.member) & (MemberExit.cycle == Entry.cycle)
    settled: dict[date, int] = {
        day: int(amount or 0)
        for day, amount in Entry.select(MemberExit.settled_on, total)
        .join(MemberExit, on=left)
        .where(savings_rows & MemberExit.settled_on.is_null(False))
        .group_by(MemberExit.settled_on)
        .tuples()
    }
    savings = sum(per_meeting.values()) - sum(settled.values())

    # In the ledger's order (ledger.counted_at): a settlement counts after a meeting of its day.
    running = per_meeting.get(None, 0)
    events = [(held_on, 0, per_meeting.get(id_, 0)) for id_, held_on in closed_meetings]
    events += [(day, 1, -amount) for day, amount in settled.items()]
    events.sort(key=lambda event: event[:2])
    start = cycle.start_date if cycle is not None else None
    series = []
    if closed_meetings:  # no meeting closed yet: no chart
        series.append((start or events[0][0], running))
        for day, _rank, amount in events:
            running += amount
            if series[-1][0] == day:
                series.pop()  # one point a day: how the day ended
            series.append((day, running))
    return GroupSummary(
        cycle=cycle,
        balances=balances,
        members_by_type=by_type,
        members_by_gender=by_gender,
        members=sum(by_type.values()),
        meetings_held=len(closed_meetings),
        attendance_rate=rate,
        savings=savings,
        savings_series=series,
    )
