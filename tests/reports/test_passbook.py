"""Passbooks: every meeting with running totals, exact to the coin, in a fixed number of queries."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playhouse.test_utils import count_queries

from savings_groups.core.vocabulary import AttendanceStatus, EntryKind, Fund
from savings_groups.ledger import corrections
from savings_groups.ledger import entries as ledger
from savings_groups.reports import passbook
from savings_groups.store.db import db
from tests.conftest import A, L, P, buy


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

    book = passbook.passbook(w.group, ada, w.cycle)
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
    corrections.correct_entry(admin, wrong, "typo", amount=205_05)
    w.post(Fund.LOAN_FUND, EntryKind.FINE, 1_25, ada)  # outside any meeting: still counted
    book = passbook.passbook(w.group, ada, w.cycle)
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
    assert passbook.passbook(w.group, ada, w.cycle).totals.shares == 3
    assert [line.meeting.id for line in passbook.passbook(w.group, ada, later).lines] == [
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
            book = passbook.passbook(w.group, ada, w.cycle)
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
            book = passbook.passbook(w.group, member, w.cycle)
            assert book.totals == ledger_totals.get(member.id, ledger.MemberTotals())
            last = book.lines[-1].totals if book.lines else ledger.MemberTotals()
            assert last == book.totals
        transaction.rollback()
