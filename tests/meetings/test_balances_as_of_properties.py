"""Properties of random lives of a group: meetings (shares, social fund, fines, welfare, loans
and repayments), reopening and re-closing, members settled on leaving, the share-out, the next
cycle and its meetings. At every meeting each box, as the sheet and the summary show it, is the
sum of its entries up to the meeting in the ledger's order (ledger.counted_at), and once closed
the cash counted; nothing recorded later changes it; re-closing a meeting with the count it
shows writes nothing. A fresh group for every example."""

from datetime import date, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import AttendanceStatus, Channel, ExitRule, Fund
from savings_groups.ledger import entries as ledger
from savings_groups.loans.requests import LoanRequest
from savings_groups.meetings import operations as meetings
from savings_groups.meetings import sheet as meeting_sheet
from savings_groups.meetings import summary as meeting_summary
from savings_groups.meetings.operations import ACCOUNT, BOXES
from savings_groups.meetings.sheet import (
    DEPOSIT,
    EXPENSE,
    INCOME,
    WITHDRAWAL,
    GroupMoneyLine,
    MeetingSheet,
    MemberLine,
    TransferLine,
)
from savings_groups.shareout import exits, next_cycle
from savings_groups.shareout import operations as closing
from savings_groups.shareout.next_cycle import NextMember
from savings_groups.store.models import CashCount, Cycle, Entry, FineType, Meeting, Member

SETTINGS = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
START = date(2026, 1, 5)
EVERY = {"arrears", "repay_debt", "debt_ratio", "third_consecutive"}
OPENING = {kind.value for kind in ledger.OPENING_KINDS}


def position(entry: Entry, held: dict[int, date]) -> tuple[date, int]:
    """Where an entry stands in the ledger's order, written out again here: a meeting's entries
    at its day; outside a meeting, at its effective date, before that day's meeting when it
    opens the cycle, after it otherwise."""
    if entry.meeting_id is not None:
        return held[entry.meeting_id], 1
    return entry.effective_on, 0 if entry.kind in OPENING else 2


def check_every_meeting(group, shown: dict[int, tuple]) -> None:
    """Every closed meeting: opening and closing boxes from the summary, the sheet and
    ledger.balances_as_of, against the entries summed in Python and the cash counted; and what
    each showed when it was closed (`shown`) unchanged."""
    meetings_of = list(Meeting.select().where(Meeting.group == group))
    held = {m.id: m.held_on for m in meetings_of}
    every = list(Entry.select().where(Entry.group == group))
    for meeting in meetings_of:
        if meeting.status != "closed":
            continue
        summed = {}
        for including, rank in ((False, 1), (True, 2)):
            summed[including] = {
                box: sum(
                    e.amount
                    for e in every
                    if e.cycle_id == meeting.cycle_id
                    and e.fund == box.value
                    and position(e, held) < (meeting.held_on, rank)
                )
                for box in (*BOXES, ACCOUNT)
            }
        summary = meeting_summary.summary(meeting)
        opening = {box: summary.opening[box] for box in BOXES}
        closing = {box: summary.closing[box] for box in BOXES}
        counted = {
            Fund(c.fund): c.counted for c in CashCount.select().where(CashCount.meeting == meeting)
        }
        as_of = ledger.balances_as_of(group, meeting.cycle_id, meeting.held_on)
        through = ledger.balances_as_of(group, meeting.cycle_id, meeting.held_on, including=True)
        before = meeting_sheet.balances_before(meeting)
        counted_boxes = {box: counted[box] for box in BOXES}
        assert opening == {box: summed[False][box] for box in BOXES}
        assert opening == {box: as_of[box] for box in BOXES}
        assert opening == {box: before[box] for box in BOXES}
        assert closing == {box: summed[True][box] for box in BOXES} == counted_boxes
        assert closing == {box: through[box] for box in BOXES}
        # The account is not a box: its balance is the ledger's, counted only when given.
        assert summed[False][ACCOUNT] == as_of[ACCOUNT] == before[ACCOUNT]
        assert summed[True][ACCOUNT] == through[ACCOUNT] == counted.get(ACCOUNT, through[ACCOUNT])
        assert shown[meeting.id] == (opening, closing), meeting.held_on


class Life:
    """One group's life, driven by hypothesis's `data`."""

    def __init__(self, data, actor, group, cycle):
        self.data, self.actor, self.group, self.cycle = data, actor, group, cycle
        self.day = START  # the last day something happened
        self.shown: dict[int, tuple] = {}

    def draw(self, strategy, label=None):
        return self.data.draw(strategy, label=label)

    def people(self, on: date) -> list[Member]:
        return list(
            Member.select()
            .where(
                (Member.group == self.group)
                & (Member.joined_on <= on)
                & (Member.left_on.is_null() | (Member.left_on > on))
            )
            .order_by(Member.number)
        )

    def remember(self, meeting) -> None:
        summary = meeting_summary.summary(Meeting.get_by_id(meeting.id))
        self.shown[meeting.id] = (
            {box: summary.opening[box] for box in BOXES},
            {box: summary.closing[box] for box in BOXES},
        )

    def meeting(self, day: date) -> None:
        meeting = meetings.open_meeting(self.actor, self.group, day)
        self.day = day
        people = meeting_sheet.grid_members(meeting)
        if people and self.draw(st.booleans(), "a loan"):
            member = self.draw(st.sampled_from(people), "borrower")
            principal = self.draw(st.integers(1, 12), "principal") * 500
            request = LoanRequest(member, principal, self.draw(st.integers(1, 3)), "business")
            try:
                meetings.grant_loan_at(self.actor, meeting, request, acknowledged=EVERY)
            except DomainError:
                pass  # more than the rules or the box allow: no loan
            else:
                event("a loan granted")
        meeting = Meeting.get_by_id(meeting.id)
        positions = meeting_sheet.loan_positions(meeting, self.group)
        fines = meeting_sheet.fine_types(meeting.cycle)  # a new cycle has its own
        lines = []
        for member in people:
            attendance = self.draw(st.sampled_from(["present", "absent", "late"]), "attendance")
            away = attendance == AttendanceStatus.ABSENT.value
            owed = positions[member.id].most_payable if member.id in positions else 0
            lines.append(
                MemberLine(
                    member.id,
                    attendance,
                    0 if away else self.draw(st.integers(0, 5), "shares"),
                    self.draw(st.sampled_from([0, 200, 500]), "social fund"),
                    [fine.id for fine in fines if self.draw(st.booleans(), "fined")],
                    repayment=self.draw(st.integers(0, owed) | st.just(owed), "repaid"),
                )
            )
        group_money, transfers = self.group_money(meeting, lines)
        available = meetings.preview(meeting, MeetingSheet(lines, "", group_money, transfers))[
            Fund.SOCIAL_FUND
        ]
        for line in lines:
            line.welfare = self.draw(st.integers(0, max(available, 0)) | st.just(0), "welfare")
            available -= line.welfare
        sheet = MeetingSheet(lines, "", group_money, transfers)
        computed = meetings.preview(meeting, sheet)
        counted = {
            box: max(0, computed[box] + self.draw(st.sampled_from([0, 0, -75, 150]), "diff"))
            for box in BOXES
        }
        if computed[ACCOUNT] and self.draw(st.booleans(), "account counted"):
            counted[ACCOUNT] = computed[ACCOUNT] + self.draw(st.sampled_from([0, -25]), "gap")
        meetings.close_meeting(
            self.actor, meeting, sheet, counted, "counted twice", meeting.version
        )
        self.remember(meeting)

    def group_money(self, meeting, lines) -> tuple[list, list]:
        """Perhaps an expense or other income, and perhaps cash taken to or from the account;
        left out when they would take a box or the account below zero."""
        group_money, transfers = [], []
        if self.draw(st.booleans(), "expense or income"):
            group_money.append(
                GroupMoneyLine(
                    self.draw(st.sampled_from([EXPENSE, INCOME])),
                    self.draw(st.sampled_from([Fund.LOAN_FUND.value, Fund.SOCIAL_FUND.value])),
                    self.draw(st.integers(1, 40), "expense") * 25,
                    purpose="Padlock",
                )
            )
        if self.draw(st.booleans(), "to or from the account"):
            transfers.append(
                TransferLine(
                    self.draw(st.sampled_from([DEPOSIT, WITHDRAWAL])),
                    self.draw(st.integers(1, 40), "transfer") * 25,
                    Channel.MOBILE_MONEY.value,
                )
            )
        after = meetings.preview(meeting, MeetingSheet(lines, "", group_money, transfers))
        if any(after[fund] < 0 for fund in (*BOXES, ACCOUNT)):
            return [], []
        if group_money or transfers:
            event("group money at a meeting")
        return group_money, transfers

    def reclose(self) -> None:
        """Reopen the latest closed meeting, close it again with its sheet and the count it
        shows: nothing is written (no cash difference)."""
        latest = (
            Meeting.select()
            .where((Meeting.group == self.group) & (Meeting.status == "closed"))
            .order_by(Meeting.held_on.desc())
            .first()
        )
        if latest is None or meetings.why_not_reopened(latest) is not None:
            return
        meetings.reopen_meeting(self.actor, latest, "checking the count")
        latest = Meeting.get_by_id(latest.id)
        counted = {
            Fund(c.fund): c.counted for c in CashCount.select().where(CashCount.meeting == latest)
        }
        written = Entry.select().count()
        sheet = meeting_sheet.stored_sheet(latest)
        meetings.close_meeting(self.actor, latest, sheet, counted, "counted twice", latest.version)
        assert Entry.select().count() == written
        event("a meeting re-closed")

    def settle(self) -> None:
        """Settle a member, on the day of the last meeting or a few days later."""
        cycle = Cycle.get_by_id(self.cycle.id)
        day = self.day + timedelta(days=self.draw(st.integers(0, 4), "days to the exit"))
        leaving = [m for m in self.people(day) if m.joined_on <= day]
        if len(leaving) < 2 or day > cycle.planned_end:
            return
        member = self.draw(st.sampled_from(leaving), "leaving")
        try:
            exits.settle(self.actor, member, day, "Moved away")
        except DomainError:
            return  # the box lacks the cash, a loan dated later...
        event("a member settled" + (" on a meeting's day" if day == self.day else ""))
        self.day = day

    def share_out_and_go_on(self) -> Cycle | None:
        cycle = Cycle.get_by_id(self.cycle.id)
        on = self.day + timedelta(days=self.draw(st.integers(0, 3), "days to the share-out"))
        if closing.preview(self.group, cycle, on).problems:
            return None
        closing.finalise(self.actor, self.group, cycle, on)
        event("shared out")
        cycle = Cycle.get_by_id(cycle.id)
        share_out = next_cycle.share_out_of(cycle)
        rules = next_cycle.proposed_rules(cycle, share_out)
        choices = {}
        for row in next_cycle.rows_of(self.group, share_out):
            most = min(5, max(row.payout, 0) // rules.share_value)
            count = self.draw(st.integers(0, most), "reinvested")
            choices[row.member.id] = NextMember(reinvest=str(count) if count else "")
        new = next_cycle.start_next_cycle(self.actor, self.group, cycle, rules, choices)
        self.cycle, self.day = Cycle.get_by_id(new.id), new.start_date
        return self.cycle


@SETTINGS
@given(data=st.data())
def test_every_meeting_shows_its_entries_in_order_and_its_count(
    data, conn, admin, make_group, make_member, make_cycle
):
    group = make_group(currency="XOF", rounding_unit=25, meeting_frequency="weekly")
    rule = data.draw(st.sampled_from([r.value for r in ExitRule]), "exit rule")
    cycle = make_cycle(
        group,
        start_date=START,
        min_shares=0,
        max_shares=5,
        loan_rate="0.10",
        loan_max_periods=3,
        one_loan_at_a_time=False,
        exit_rule=rule,
    )
    FineType.create(cycle=cycle, name="Late", amount=100)
    for number in range(4):
        make_member(group, f"Member {number + 1}")
    life = Life(data, admin, group, Cycle.get_by_id(cycle.id))
    steps = data.draw(
        st.lists(st.sampled_from(["meeting", "meeting", "reclose", "settle"]), max_size=7)
    )
    life.meeting(START + timedelta(days=7))
    for step in steps:
        if step == "meeting":
            life.meeting(life.day + timedelta(days=data.draw(st.sampled_from([1, 7]), "gap")))
        elif step == "reclose":
            life.reclose()
        else:
            life.settle()
    check_every_meeting(group, life.shown)

    new = life.share_out_and_go_on()
    if new is not None:
        # The new cycle's first meeting may be held on its first day: the carry-over and the
        # reinvested shares count before it.
        life.meeting(new.start_date + timedelta(days=data.draw(st.sampled_from([0, 7]))))
        for step in data.draw(st.lists(st.sampled_from(["meeting", "reclose"]), max_size=3)):
            if step == "meeting":
                life.meeting(life.day + timedelta(days=7))
            else:
                life.reclose()
        old = ledger.balances(group, cycle)
        assert old[Fund.LOAN_FUND] == old[Fund.SOCIAL_FUND] == old[ACCOUNT] == 0  # all carried over
    check_every_meeting(group, life.shown)
