"""What is read from the ledger: passbooks, the history, corrections, the group page's figures."""

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playhouse.test_utils import count_queries

from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import AttendanceStatus, EntryKind, Fund, Gender, MemberType
from savings_groups.ledger import entries as ledger
from savings_groups.reports import passbook as reports
from savings_groups.store.db import db
from savings_groups.store.models import Attendance, Entry, Meeting

A, L, P, R, X = "absent", "late", "present", "represented", "excused"


@pytest.fixture
def world(conn, admin, make_group, make_member, make_cycle):
    """A group, its cycle, members, and a helper to hold meetings with entries."""

    class World:
        def __init__(self, currency="XOF"):
            self.group = make_group(currency=currency)
            self.cycle = make_cycle(self.group)
            self.members = [make_member(self.group) for _ in range(3)]

        def meeting(self, day, status="closed", attendance=(), cycle=None):
            meeting = Meeting.create(
                group=self.group, cycle=cycle or self.cycle, held_on=day, status=status
            )
            for member, state in zip(self.members, attendance, strict=False):
                Attendance.create(meeting=meeting, member=member, status=state)
            return meeting

        def post(self, fund, kind, amount, member=None, meeting=None, shares=0, cycle=None):
            return ledger.post(
                admin,
                self.group,
                fund,
                kind,
                amount,
                cycle=cycle or self.cycle,
                meeting=meeting,
                member=member,
                shares=shares,
            )

    return World


def buy(w, member, meeting, shares, value=1_000):
    return w.post(Fund.LOAN_FUND, EntryKind.SHARE_PURCHASE, shares * value, member, meeting, shares)


# --- passbooks --------------------------------------------------------------------------------


def test_a_passbook_lists_every_meeting_with_running_totals(world):
    w = world("XOF")
    ada, bea, _c = w.members
    w.post(Fund.LOAN_FUND, EntryKind.OPENING_BALANCE, 5_000, ada, shares=5)
    w.post(Fund.SOCIAL_FUND, EntryKind.OPENING_BALANCE, 1_000, ada)
    # Meetings made out of date order: the passbook sorts them by date.
    third = w.meeting(date(2026, 1, 26), attendance=[P])
    first = w.meeting(date(2026, 1, 12), attendance=[P, A])
    second = w.meeting(date(2026, 1, 19), attendance=[A])
    draft = w.meeting(date(2026, 2, 2), status="draft")
    buy(w, ada, first, 2)
    w.post(Fund.SOCIAL_FUND, EntryKind.SOCIAL_FUND_CONTRIBUTION, 200, ada, first)
    w.post(Fund.LOAN_FUND, EntryKind.FINE, 100, ada, first)
    w.post(Fund.LOAN_FUND, EntryKind.FINE, 500, ada, second)
    w.post(Fund.SOCIAL_FUND, EntryKind.WELFARE_GRANT, -3_000, ada, third)
    buy(w, bea, first, 5)  # someone else's money is not in Ada's passbook

    book = reports.passbook(w.group, ada, w.cycle)
    assert [line.kind for line in book.lines] == [
        "opening",
        "meeting",
        "meeting",
        "meeting",
        "meeting",
    ]
    assert [line.meeting.id for line in book.lines[1:]] == [first.id, second.id, third.id, draft.id]
    assert [line.attendance for line in book.lines[1:]] == [
        AttendanceStatus.PRESENT,
        AttendanceStatus.ABSENT,
        AttendanceStatus.PRESENT,
        None,
    ]
    assert [line.moved.shares for line in book.lines] == [5, 2, 0, 0, 0]
    assert [line.totals.shares for line in book.lines] == [5, 7, 7, 7, 7]
    assert [line.totals.savings for line in book.lines] == [5_000, 7_000, 7_000, 7_000, 7_000]
    assert [line.totals.social_fund for line in book.lines] == [1_000, 1_200, 1_200, 1_200, 1_200]
    assert [line.totals.fines for line in book.lines] == [0, 100, 600, 600, 600]
    assert [line.moved.welfare_received for line in book.lines] == [0, 0, 0, 3_000, 0]
    assert book.totals == ledger.MemberTotals(
        shares=7, savings=7_000, social_fund=1_200, fines=600, welfare_received=3_000
    )
    assert book.totals == ledger.member_totals(w.group, w.cycle)[ada.id]


def test_a_passbook_in_naira_is_exact_to_the_kobo_and_includes_corrections(world, admin):
    w = world("NGN")
    ada = w.members[0]
    meeting = w.meeting(date(2026, 1, 12), attendance=[L])
    wrong = w.post(Fund.SOCIAL_FUND, EntryKind.SOCIAL_FUND_CONTRIBUTION, 250_50, ada, meeting)
    reports.correct_entry(admin, wrong, "typo", amount=205_05)
    w.post(Fund.LOAN_FUND, EntryKind.FINE, 1_25, ada)  # outside any meeting: still counted
    book = reports.passbook(w.group, ada, w.cycle)
    assert [line.kind for line in book.lines] == ["meeting", "other"]
    assert book.lines[0].attendance is AttendanceStatus.LATE
    assert book.lines[0].moved.social_fund == 205_05
    assert book.totals.social_fund == 205_05 and book.totals.fines == 1_25
    assert book.totals == ledger.member_totals(w.group, w.cycle)[ada.id]


def test_a_passbook_of_one_cycle_leaves_the_other_cycles_out(world, make_cycle):
    w = world()
    ada = w.members[0]
    buy(w, ada, w.meeting(date(2026, 1, 12)), 3)
    later = make_cycle(w.group, start_date=date(2027, 1, 4), planned_end=date(2027, 12, 27))
    next_meeting = w.meeting(date(2027, 1, 11), cycle=later)
    w.post(Fund.LOAN_FUND, EntryKind.SHARE_PURCHASE, 1_000, ada, next_meeting, 1, cycle=later)
    assert reports.passbook(w.group, ada, w.cycle).totals.shares == 3
    assert [line.meeting.id for line in reports.passbook(w.group, ada, later).lines] == [
        next_meeting.id
    ]


def test_a_passbook_reads_a_fixed_number_of_queries(world):
    w = world()
    ada = w.members[0]

    def queries_for(meetings):
        start = date(2026, 1, 12) + timedelta(weeks=100 * meetings)
        for week in range(meetings):
            meeting = w.meeting(start + timedelta(weeks=week), attendance=[P, A, L])
            buy(w, ada, meeting, 1)
            w.post(Fund.LOAN_FUND, EntryKind.FINE, 100, ada, meeting)
        with count_queries() as counter:
            book = reports.passbook(w.group, ada, w.cycle)
            [(line.meeting.held_on, line.attendance) for line in book.lines]
        return counter.count

    assert queries_for(2) == queries_for(40) <= 5  # with the share-out line and the exit


entry_specs = st.lists(
    st.tuples(
        st.sampled_from(
            [
                (EntryKind.SHARE_PURCHASE, Fund.LOAN_FUND),
                (EntryKind.OPENING_BALANCE, Fund.LOAN_FUND),
                (EntryKind.OPENING_BALANCE, Fund.SOCIAL_FUND),
                (EntryKind.SOCIAL_FUND_CONTRIBUTION, Fund.SOCIAL_FUND),
                (EntryKind.FINE, Fund.LOAN_FUND),
                (EntryKind.WELFARE_GRANT, Fund.SOCIAL_FUND),
                (EntryKind.CASH_DIFFERENCE, Fund.LOAN_FUND),
                (EntryKind.SHARE_OUT, Fund.LOAN_FUND),
                (EntryKind.SOCIAL_FUND_SHARE_OUT, Fund.SOCIAL_FUND),
                (EntryKind.EXIT_SETTLEMENT, Fund.LOAN_FUND),
            ]
        ),
        st.integers(-(10**9), 10**9),
        st.integers(0, 5),
        st.sampled_from([0, 1, 2, None]),  # which meeting, or none
        st.sampled_from([0, 0, 0, 1]),  # which member (Ada mostly)
        st.booleans(),  # reversed afterwards
    ),
    max_size=30,
)


@pytest.mark.parametrize("currency", ["XOF", "NGN"])
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(specs=entry_specs)
def test_passbook_totals_equal_the_ledger(world, admin, currency, specs):
    with db.atomic() as transaction:
        w = world(currency)
        meetings = [w.meeting(date(2026, 1, 12) + timedelta(weeks=i)) for i in range(3)]
        for (kind, fund), amount, shares, at, who, undo in specs:
            entry = w.post(
                fund,
                kind,
                amount,
                w.members[who],
                meetings[at] if at is not None else None,
                shares if kind in ledger.SAVINGS_KINDS else 0,
            )
            if undo:
                ledger.reverse(admin, entry, "property")
        ledger_totals = ledger.member_totals(w.group, w.cycle)
        for member in w.members:
            book = reports.passbook(w.group, member, w.cycle)
            assert book.totals == ledger_totals.get(member.id, ledger.MemberTotals())
            last = book.lines[-1].totals if book.lines else ledger.MemberTotals()
            assert last == book.totals
        transaction.rollback()


# --- history and corrections ------------------------------------------------------------------


def test_history_pages_mark_reversed_entries_in_two_queries(world, admin):
    w = world()
    ada, bea, _c = w.members
    meeting = w.meeting(date(2026, 1, 12))
    entries = [w.post(Fund.LOAN_FUND, EntryKind.FINE, 100 * i, ada, meeting) for i in range(1, 6)]
    reversal = ledger.reverse(admin, entries[1], "wrong")
    with count_queries() as counter:
        page = reports.history_page(w.group, per_page=4)
        [(e.member.full_name, e.meeting.held_on, e.recorded_by.full_name) for e in page.entries]
    assert counter.count == 2
    assert [e.id for e in page.entries] == [
        reversal.id,
        entries[4].id,
        entries[3].id,
        entries[2].id,
    ]
    assert page.has_next and page.reversed_by == {}
    older = reports.history_page(w.group, page=2, per_page=4)
    assert [e.id for e in older.entries] == [entries[1].id, entries[0].id]
    assert older.reversed_by == {entries[1].id: reversal.id} and not older.has_next
    assert reports.history_page(w.group, member=bea).entries == []


def test_correcting_a_welfare_grant_keeps_its_direction(world, admin):
    w = world("NGN")
    grant = w.post(Fund.SOCIAL_FUND, EntryKind.WELFARE_GRANT, -5_000_00, w.members[0])
    reversal, corrected = reports.correct_entry(admin, grant, "it was 3,000", amount=3_000_50)
    assert reversal.amount == 5_000_00 and corrected.amount == -3_000_50
    assert ledger.balances(w.group, w.cycle)[Fund.SOCIAL_FUND] == -3_000_50


def test_a_share_purchase_is_corrected_by_its_number_of_shares(world, admin):
    w = world()
    ada = w.members[0]
    entry = buy(w, ada, w.meeting(date(2026, 1, 12)), 4)
    _reversal, corrected = reports.correct_entry(admin, entry, "three, not four", shares=3)
    assert (corrected.amount, corrected.shares) == (3_000, 3)
    assert ledger.member_totals(w.group, w.cycle)[ada.id].savings == 3_000
    with pytest.raises(DomainError) as refused:
        reports.correct_entry(admin, corrected, "amount", amount=2_000)
    assert refused.value.field == "amount"


def test_opening_savings_keep_their_shares_when_only_the_amount_changes(world, admin):
    w = world()
    entry = w.post(Fund.LOAN_FUND, EntryKind.OPENING_BALANCE, 10_000, w.members[0], shares=10)
    _r, corrected = reports.correct_entry(admin, entry, "paper book says 12,000", amount=12_000)
    assert (corrected.amount, corrected.shares) == (12_000, 10)


def test_a_cash_difference_is_corrected_with_its_sign_as_typed(world, admin):
    w = world()
    entry = w.post(Fund.LOAN_FUND, EntryKind.CASH_DIFFERENCE, -500)
    _r, corrected = reports.correct_entry(admin, entry, "a coin was found", amount=-250)
    assert corrected.amount == -250
    assert ledger.balances(w.group, w.cycle)[Fund.LOAN_FUND] == -250


def test_no_amount_only_reverses(world, admin):
    w = world()
    entry = w.post(Fund.LOAN_FUND, EntryKind.FINE, 500, w.members[0])
    reversal, corrected = reports.correct_entry(admin, entry, "not fined after all")
    assert corrected is None and reversal.amount == -500
    assert ledger.balances(w.group)[Fund.LOAN_FUND] == 0


@pytest.mark.parametrize(
    "kwargs, field",
    [({"amount": -100}, "amount"), ({"shares": 2}, "shares"), ({"reason": " "}, "reason")],
)
def test_a_bad_correction_writes_nothing(world, admin, kwargs, field):
    w = world()
    entry = w.post(Fund.LOAN_FUND, EntryKind.FINE, 500, w.members[0])
    reason = kwargs.pop("reason", "because")
    with pytest.raises(DomainError) as refused:
        reports.correct_entry(admin, entry, reason, **kwargs)
    assert refused.value.field == field
    assert Entry.select().count() == 1


def test_an_entry_of_another_group_is_not_found(world):
    w, other = world(), world()
    entry = other.post(Fund.LOAN_FUND, EntryKind.FINE, 500, other.members[0])
    assert reports.entry_of(w.group, entry.id) is None
    assert reports.entry_of(other.group, entry.id).id == entry.id


# --- the group page ---------------------------------------------------------------------------


def test_the_group_summary_figures(world, admin, make_member):
    w = world("XOF")
    ada, bea, cy = w.members
    make_member(w.group, member_type="community", gender="male")
    make_member(w.group, member_type="other", gender="male", left_on=date(2026, 2, 1))
    w.post(Fund.LOAN_FUND, EntryKind.OPENING_BALANCE, 4_000, ada, shares=4)
    w.post(Fund.LOAN_FUND, EntryKind.OPENING_BALANCE, 9_999)  # the box's own paper balance
    one = w.meeting(date(2026, 1, 12), attendance=[P, L, A])
    two = w.meeting(date(2026, 1, 19), attendance=[R, X, P])
    draft = w.meeting(date(2026, 1, 26), status="draft", attendance=[A, A, A])
    buy(w, ada, one, 2)
    buy(w, bea, one, 1)
    wrong = buy(w, cy, two, 5)
    reports.correct_entry(admin, wrong, "four", shares=4)
    buy(w, ada, draft, 1)
    w.post(Fund.SOCIAL_FUND, EntryKind.SOCIAL_FUND_CONTRIBUTION, 600, ada, one)

    summary = reports.group_summary(w.group)
    assert summary.cycle.id == w.cycle.id
    assert summary.balances == {
        Fund.LOAN_FUND: 4_000 + 9_999 + 3_000 + 4_000 + 1_000,
        Fund.SOCIAL_FUND: 600,
        Fund.POT: 0,
    }
    assert summary.members == 4
    assert summary.members_by_type == {
        MemberType.RETURNEE: 3,
        MemberType.COMMUNITY: 1,
        MemberType.OTHER: 0,
    }
    assert summary.members_by_gender[Gender.FEMALE] == 3
    assert summary.members_by_gender[Gender.MALE] == 1
    assert summary.meetings_held == 2
    assert summary.attendance_rate == Fraction(4, 6)  # P, L, R, P of six rows; not the draft
    assert str(summary.attendance_percent) == "66.7"
    assert summary.savings == 4_000 + 3_000 + 4_000 + 1_000
    assert summary.savings == sum(
        t.savings for t in ledger.member_totals(w.group, w.cycle).values()
    )
    assert summary.savings_series == [
        (w.cycle.start_date, 4_000),
        (date(2026, 1, 12), 7_000),
        (date(2026, 1, 19), 11_000),
    ]


def test_without_an_open_cycle_the_figures_are_for_all_time(world):
    w = world()
    buy(w, w.members[0], w.meeting(date(2026, 1, 12), attendance=[P]), 2)
    w.cycle.closed_at = date(2026, 12, 28)
    w.cycle.save()
    summary = reports.group_summary(w.group)
    assert summary.cycle is None
    assert summary.balances[Fund.LOAN_FUND] == 2_000
    assert summary.meetings_held == 1 and summary.attendance_rate == 1
    assert summary.savings_series == [(date(2026, 1, 12), 2_000)]


def test_an_empty_group_has_empty_figures(world):
    summary = reports.group_summary(world().group)
    assert summary.attendance_rate is None and summary.attendance_percent is None
    assert summary.savings == 0 and summary.savings_series == [] and summary.meetings_held == 0


def test_the_group_summary_reads_a_fixed_number_of_queries(world, make_member):
    w = world()

    def queries_for(meetings):
        for _ in range(meetings):
            make_member(w.group)
        start = date(2026, 1, 12) + timedelta(weeks=100 * meetings)
        for week in range(meetings):
            meeting = w.meeting(start + timedelta(weeks=week), attendance=[P, A, L])
            for member in w.members:
                buy(w, member, meeting, 2)
        with count_queries() as counter:
            reports.group_summary(w.group)
        return counter.count

    assert queries_for(2) == queries_for(40) <= 6
