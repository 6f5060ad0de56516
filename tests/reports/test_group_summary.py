"""The group page's figures: balances, members, attendance, savings over time."""

from datetime import date, timedelta
from fractions import Fraction

from playhouse.test_utils import count_queries

from savings_groups.core.vocabulary import EntryKind, Fund, Gender, MemberType
from savings_groups.ledger import corrections
from savings_groups.ledger import entries as ledger
from savings_groups.reports import group_summary
from tests.conftest import A, L, P, R, X, buy


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
    corrections.correct_entry(admin, wrong, "four", shares=4)
    buy(w, ada, draft, 1)
    w.post(Fund.SOCIAL_FUND, EntryKind.SOCIAL_FUND_CONTRIBUTION, 600, ada, one)

    summary = group_summary.group_summary(w.group)
    assert summary.cycle.id == w.cycle.id
    assert summary.balances == {
        Fund.LOAN_FUND: 4_000 + 9_999 + 3_000 + 4_000 + 1_000,
        Fund.SOCIAL_FUND: 600,
        Fund.POT: 0,
        Fund.BANK: 0,
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
    summary = group_summary.group_summary(w.group)
    assert summary.cycle is None
    assert summary.balances[Fund.LOAN_FUND] == 2_000
    assert summary.meetings_held == 1 and summary.attendance_rate == 1
    assert summary.savings_series == [(date(2026, 1, 12), 2_000)]


def test_an_empty_group_has_empty_figures(world):
    summary = group_summary.group_summary(world().group)
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
            group_summary.group_summary(w.group)
        return counter.count

    assert queries_for(2) == queries_for(40) <= 7
