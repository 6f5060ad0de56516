"""Closing a cycle: the share-out preview from the books, and finalising it, to the last coin."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from savings_groups.core import dates
from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import EntryKind, Fund, LoanStatus
from savings_groups.ledger import entries as ledger
from savings_groups.loans import operations as lending
from savings_groups.loans.requests import LoanRequest
from savings_groups.meetings import operations as meetings
from savings_groups.meetings.sheet import MeetingSheet, MemberLine
from savings_groups.reports import passbook
from savings_groups.shareout import operations as closing
from savings_groups.store.models import (
    AuditEntry,
    Cycle,
    CycleShareOut,
    Entry,
    Loan,
    MemberExit,
    ShareOutLine,
)

LOAN, SOCIAL = Fund.LOAN_FUND, Fund.SOCIAL_FUND
RULES = {
    "share_value": 1_000,
    "loan_rate": Decimal("0.10"),
    "loan_method": "flat",
    "loan_max_multiple": Decimal(3),
    "loan_max_periods": 4,
    "debt_warning_ratio": Decimal(2),
    "social_fund_contribution": 0,
    "min_shares": 0,
}
EVERY = {"arrears", "repay_debt", "debt_ratio", "third_consecutive"}


@pytest.fixture
def club(conn, admin, make_group, make_member, make_cycle):
    """A weekly group whose members bought `shares[i]` shares at the start of the cycle."""

    def make(shares, currency="XOF", unit=25, share_value=1_000, **rules):
        group = make_group(currency=currency, rounding_unit=unit, meeting_frequency="weekly")
        cycle = make_cycle(group, **{**RULES, "share_value": share_value, **rules})
        people = [make_member(group, full_name=f"Member {i + 1}") for i in range(len(shares))]
        for member, count in zip(people, shares, strict=True):
            buy(admin, cycle, member, count, count * share_value)
        return group, cycle, people

    return make


def buy(actor, cycle, member, shares, amount, meeting=None):
    return ledger.post(
        actor,
        cycle.group,
        LOAN,
        EntryKind.SHARE_PURCHASE,
        amount,
        cycle=cycle,
        member=member,
        shares=shares,
        meeting=meeting,
        effective_on=None if meeting else cycle.start_date,  # outside a meeting: at the start
    )


def pay(actor, cycle, member, kind, amount, fund=LOAN):
    return ledger.post(actor, cycle.group, fund, kind, amount, cycle=cycle, member=member)


def lend(actor, group, cycle, member, principal, periods, on):
    request = LoanRequest(member, principal, periods, "business")
    return lending.grant_loan(actor, group, cycle, request, on, acknowledged=EVERY)


def figures(sheet):
    return [
        (line.shares, line.saved, line.profit, line.deducted, line.social_fund, line.payout)
        for line in sheet.lines
    ]


def written():
    return (
        Entry.select().count(),
        CycleShareOut.select().count(),
        ShareOutLine.select().count(),
        AuditEntry.select().count(),
        Cycle.select().where(Cycle.closed_at.is_null(False)).count(),
    )


@pytest.fixture
def borrowing(admin, club):
    """XOF, unit 25: A, B and C bought 10, 7 and 3 shares of 1,000; B borrowed 6,000 on 2 Feb
    over 3 weeks at 10 % flat (2,000 of principal and 600 of interest a week), repaid the first
    week; C paid a fine of 115."""

    def make(**rules):
        group, cycle, people = club([10, 7, 3], **rules)
        loan = lend(admin, group, cycle, people[1], 6_000, 3, date(2026, 2, 2))
        lending.record_repayment(admin, loan, 2_600, date(2026, 2, 9))
        pay(admin, cycle, people[2], EntryKind.FINE, 115)
        return group, cycle, people, loan

    return make


# --- hand-computed cases -----------------------------------------------------------------------


def test_xof_unit_25_a_loan_deducted_from_the_payout(admin, borrowing):
    group, cycle, people, loan = borrowing()
    on = date(2026, 2, 16)
    sheet = closing.preview(group, cycle, on)
    # Cash 20,000 - 6,000 + 2,600 + 115 = 16,715. On 16 Feb B owes the second week's interest
    # (600) and the principal left (4,000): 4,600. Fund 21,315 / 20 shares = 1,065.75 a share.
    # In units of 25: A 10,657.5 / 25 = 426.3; B (7,460.25 - 4,600) / 25 = 114.41;
    # C 3,197.25 / 25 = 127.89. Floors 667, the cash has 668 units: the one left goes to C.
    assert sheet.problems == []
    assert (sheet.loan_fund, sheet.owed, sheet.value_per_share) == (
        16_715,
        4_600,
        Decimal("1065.75"),
    )
    assert [(o.loan.id, o.interest, o.principal) for o in sheet.loans] == [(loan.id, 600, 4_000)]
    assert figures(sheet) == [
        (10, 10_000, 650, 0, 0, 10_650),
        (7, 7_000, 450, 4_600, 0, 2_850),
        (3, 3_000, 200, 0, 0, 3_200),
    ]
    assert sheet.carry_over == 15
    assert sheet.totals.payout + sheet.carry_over == sheet.loan_fund
    # Profit 21,315 - 20,000 = 1,315 on 20,000 saved: 6.575 % in the 42 days of the cycle.
    assert sheet.profit == 1_315
    assert sheet.return_cycle == Decimal("0.06575")
    assert sheet.return_year == Decimal("0.06575") * 365 / 42

    final = closing.finalise(admin, group, cycle, on)
    # The loan is cleared from B's payout: repaid, with its interest and principal entries.
    loan = Loan.get_by_id(loan.id)
    assert (loan.status, loan.closed_on) == (LoanStatus.REPAID.value, on)
    repaid = Entry.select().where(
        (Entry.loan == loan) & (Entry.kind.in_(["loan_interest", "loan_principal"]))
    )
    assert sorted(e.amount for e in repaid) == [600, 600, 2_000, 4_000]
    # What the share-out repaid says so in the history.
    deducted = [e.amount for e in repaid if e.note == "Deducted from the share-out"]
    assert deducted and sum(deducted) == final.owed
    gross = {
        e.member_id: e.amount for e in Entry.select().where(Entry.kind == EntryKind.SHARE_OUT.value)
    }
    assert gross == {people[0].id: -10_650, people[1].id: -7_450, people[2].id: -3_200}
    # B's entry says what B was paid and what went to the loan; the others need no note.
    notes = {
        e.member_id: e.note for e in Entry.select().where(Entry.kind == EntryKind.SHARE_OUT.value)
    }
    assert notes == {
        people[0].id: "",
        people[1].id: "F\u202fCFA4,600 deducted for loans, F\u202fCFA2,850 paid to the member",
        people[2].id: "",
    }
    # The boxes of the cycle hold the carry-over and nothing else.
    assert ledger.balances(group, cycle) == {LOAN: 15, SOCIAL: 0, Fund.POT: 0, Fund.BANK: 0}
    assert Cycle.get_by_id(cycle.id).closed_at is not None
    assert (final.cash, final.owed, final.carry_over, final.value_per_share) == (
        16_715,
        4_600,
        15,
        Decimal("1065.75"),
    )
    assert figures(closing.stored(cycle)) == figures(sheet)
    audit = AuditEntry.get(AuditEntry.action == "cycle.share_out")
    assert (audit.object_id, audit.group_id) == (final.id, group.id)


def test_the_passbook_shows_what_was_paid_and_what_went_to_the_loans(admin, borrowing):
    group, cycle, people, _loan = borrowing()
    closing.finalise(admin, group, cycle, date(2026, 2, 16))
    book = passbook.passbook(group, people[1], cycle)
    # The ledger's entry is B's gross share (7,450): 2,850 paid to B and 4,600 for the loan,
    # which was never handed over: it is not in what the passbook says was paid to B.
    assert [(line.kind, line.moved.paid_out, line.deducted) for line in book.lines[-2:]] == [
        ("share_out", 2_850, 0),
        ("share_out_loans", 0, 4_600),
    ]
    assert (book.totals.paid_out, book.deducted) == (2_850, 4_600)
    assert book.ledger_totals == ledger.member_totals(group, cycle)[people[1].id]
    assert book.ledger_totals.paid_out == 7_450
    assert passbook.passbook(group, people[0], cycle).lines[-1].kind == "share_out"


def test_leftover_units_all_carried_over(admin, borrowing):
    group, cycle, _people, _loan = borrowing(leftover_rule="carry_over")
    sheet = closing.preview(group, cycle, date(2026, 2, 16))
    # The same quotas, every payout rounded down: 426, 114 and 127 units; 40 carried over.
    assert [line.payout for line in sheet.lines] == [10_650, 2_850, 3_175]
    assert sheet.carry_over == 40
    closing.finalise(admin, group, cycle, date(2026, 2, 16))
    assert ledger.balances(group, cycle)[LOAN] == 40


def test_social_fund_split_equally_or_kept(admin, club):
    group, cycle, people = club([2, 1, 1], social_fund_rule="split_equally")
    for member, amount in zip(people, (400, 300, 310), strict=True):
        pay(admin, cycle, member, EntryKind.SOCIAL_FUND_CONTRIBUTION, amount, fund=SOCIAL)
    sheet = closing.preview(group, cycle, date(2026, 3, 2))
    # 1,010 has 40 whole units of 25: 14, 13 and 13 (the first one by order), 10 kept.
    assert [line.social_fund for line in sheet.lines] == [350, 325, 325]
    assert sheet.social_fund_carry_over == 10
    closing.finalise(admin, group, cycle, date(2026, 3, 2))
    assert ledger.balances(group, cycle) == {LOAN: 0, SOCIAL: 10, Fund.POT: 0, Fund.BANK: 0}

    group, cycle, people = club([1])
    pay(admin, cycle, people[0], EntryKind.SOCIAL_FUND_CONTRIBUTION, 500, fund=SOCIAL)
    sheet = closing.preview(group, cycle, date(2026, 3, 2))
    assert ([line.social_fund for line in sheet.lines], sheet.social_fund_carry_over) == ([0], 500)
    closing.finalise(admin, group, cycle, date(2026, 3, 2))
    assert ledger.balances(group, cycle)[SOCIAL] == 500


def test_xof_unit_5_a_member_owing_more_than_their_share_pays_in(admin, club):
    group, cycle, people = club([1, 1, 2], unit=5, share_value=2_000)
    pay(admin, cycle, people[2], EntryKind.FINE, 3)
    loan = lend(admin, group, cycle, people[0], 5_000, 1, date(2026, 2, 2))
    on = date(2026, 2, 9)
    sheet = closing.preview(group, cycle, on)
    # Cash 3,003; A owes 5,000 and 500 of interest. Fund 8,503 / 4 shares = 2,125.75. In
    # units of 5: A 425.15 - 1,100 = -674.85 -> -675; B 425.15 -> 425; C 850.3 -> 850: 600
    # units, all the cash has. A must pay in 3,375; 3 is carried over.
    assert sheet.value_per_share == Decimal("2125.75")
    assert figures(sheet) == [
        (1, 2_000, 125, 5_500, 0, -3_375),
        (1, 2_000, 125, 0, 0, 2_125),
        (2, 4_000, 250, 0, 0, 4_250),
    ]
    assert sheet.lines[0].to_pay_in == 3_375
    assert sheet.totals.payout + sheet.carry_over == 3_003
    closing.finalise(admin, group, cycle, on)
    assert Loan.get_by_id(loan.id).status == LoanStatus.REPAID.value
    assert ledger.balances(group, cycle)[LOAN] == 3
    moved = sum(
        e.amount
        for e in Entry.select().where(
            Entry.kind.in_(["share_out", "loan_interest", "loan_principal"])
            & (Entry.member == people[0])
        )
    )
    assert moved == 3_375  # A's net movement at the share-out: what A paid in


def test_the_view_gives_the_note_in_the_users_language(admin, club):
    group, cycle, people = club([1, 1, 2], unit=5, share_value=2_000)
    lend(admin, group, cycle, people[0], 5_000, 1, date(2026, 2, 2))
    seen = []

    def note(payout, deducted):
        seen.append((payout, deducted))
        return f"versé {payout}, retenu {deducted}"

    closing.finalise(admin, group, cycle, date(2026, 2, 9), note=note)
    entry = Entry.get((Entry.kind == EntryKind.SHARE_OUT.value) & (Entry.member == people[0]))
    assert (entry.amount, entry.note) == (-2_125, "versé -3375, retenu 5500")
    assert seen == [(-3_375, 5_500)]
    assert closing.english_note("XOF")(-3_375, 5_500) == (
        "F\u202fCFA5,500 deducted for loans, F\u202fCFA3,375 paid in by the member"
    )


def test_ngn_in_kobo_unit_500(admin, club):
    group, cycle, people = club([3, 5, 7], currency="NGN", unit=500, share_value=100_000)
    pay(admin, cycle, people[0], EntryKind.FINE, 12_345)
    sheet = closing.preview(group, cycle, date(2026, 6, 1))
    # Cash 1,512,345 kobo; quotas in units of 500: 604.938, 1,008.23, 1,411.522; 3,024 units
    # in the cash, 3,023 in the floors: the one left goes to A. 345 kobo carried over.
    assert [line.payout for line in sheet.lines] == [302_500, 504_000, 705_500]
    assert sheet.carry_over == 345
    closing.finalise(admin, group, cycle, date(2026, 6, 1))
    assert ledger.balances(group, cycle)[LOAN] == 345


def test_time_weighted_shares_bought_earlier_earn_more(admin, club):
    group, cycle, people = club([0, 0], profit_method="time_weighted")
    a, b = people
    first = meetings.open_meeting(admin, group, date(2026, 3, 2))
    sheet = MeetingSheet([MemberLine(a.id, shares=2), MemberLine(b.id)])
    meetings.close_meeting(admin, first, sheet, {LOAN: 2_000, SOCIAL: 0}, "", first.version)
    second = meetings.open_meeting(admin, group, date(2026, 3, 9))
    sheet = MeetingSheet([MemberLine(a.id), MemberLine(b.id, shares=2)])
    meetings.close_meeting(admin, second, sheet, {LOAN: 4_000, SOCIAL: 0}, "", second.version)
    pay(admin, cycle, b, EntryKind.FINE, 1_000)
    on = date(2026, 3, 16)
    preview = closing.preview(group, cycle, on)
    # A's shares are held 2 weeks (weight 4), B's 1 week (weight 2). Profit 1,000 split 4:2:
    # A 2,000 + 666.67, B 2,000 + 333.33; in units of 25 106.67 and 93.33: the unit left to A.
    assert preview.problems == []
    assert figures(preview) == [(2, 2_000, 675, 0, 0, 2_675), (2, 2_000, 325, 0, 0, 2_325)]
    assert preview.value_per_share == Decimal(1_250)  # the average value of a share
    closing.finalise(admin, group, cycle, on)
    assert ledger.balances(group, cycle)[LOAN] == 0


def test_periods_held():
    assert closing.periods_held(date(2026, 3, 2), date(2026, 3, 16), "weekly") == 2
    assert closing.periods_held(date(2026, 3, 16), date(2026, 3, 16), "weekly") == 0
    assert closing.periods_held(date(2026, 3, 15), date(2026, 3, 16), "weekly") == 1
    assert closing.periods_held(date(2026, 1, 31), date(2026, 4, 30), "monthly") == 3
    assert closing.periods_held(date(2026, 1, 1), date(2026, 2, 1), "fortnightly") == 3


def test_members_settled_during_the_cycle_are_left_out(admin, club):
    group, cycle, people = club([2, 2, 6])
    MemberExit.create(
        member=people[2],
        cycle=cycle,
        settled_on=date(2026, 2, 1),
        rule="savings_only",
        shares=6,
        saved=6_000,
        profit=0,
        deducted=0,
        payout=6_000,
        recorded_by=admin,
    )
    pay(admin, cycle, people[2], EntryKind.EXIT_SETTLEMENT, -6_000)
    sheet = closing.preview(group, cycle, date(2026, 3, 2))
    assert [line.member.id for line in sheet.lines] == [people[0].id, people[1].id]
    assert [line.payout for line in sheet.lines] == [2_000, 2_000]


# --- refusals: a clear message, nothing written -------------------------------------------------


def test_an_open_meeting_blocks_the_share_out(admin, club):
    group, cycle, _people = club([1, 1])
    meetings.open_meeting(admin, group, date(2026, 3, 2))
    sheet = closing.preview(group, cycle, date(2026, 3, 9))
    assert [p.message for p in sheet.problems] == [
        "The meeting of %(day)s is still open: close it before the share-out."
    ]
    before = written()
    with pytest.raises(DomainError, match="still open"):
        closing.finalise(admin, group, cycle, date(2026, 3, 9))
    assert written() == before


def test_loans_to_repay_first(admin, borrowing):
    group, cycle, _people, _loan = borrowing(loans_at_share_out="repay_first")
    sheet = closing.preview(group, cycle, date(2026, 2, 16))
    assert len(sheet.problems) == 1
    assert "repaid before the share-out" in str(sheet.problems[0])
    before = written()
    with pytest.raises(DomainError, match="repaid before"):
        closing.finalise(admin, group, cycle, date(2026, 2, 16))
    assert written() == before


def test_no_shares_bought(admin, club):
    group, cycle, _people = club([0, 0])
    sheet = closing.preview(group, cycle, date(2026, 3, 2))
    assert [str(p) for p in sheet.problems] == [
        "No shares were bought in this cycle: there is nothing to share."
    ]
    assert sheet.lines == []
    before = written()
    with pytest.raises(DomainError, match="No shares"):
        closing.finalise(admin, group, cycle, date(2026, 3, 2))
    assert written() == before


def test_a_day_before_the_last_meeting_or_in_the_future(admin, club):
    group, cycle, people = club([1])
    meeting = meetings.open_meeting(admin, group, date(2026, 3, 2))
    sheet = MeetingSheet([MemberLine(people[0].id)])
    meetings.close_meeting(admin, meeting, sheet, {LOAN: 1_000, SOCIAL: 0}, "", meeting.version)
    early = closing.preview(group, cycle, date(2026, 3, 1)).problems
    assert [p.field for p in early] == ["on"]
    late = closing.preview(group, cycle, dates.today() + timedelta(days=2)).problems
    assert [p.field for p in late] == ["on"]
    before = written()
    with pytest.raises(DomainError):
        closing.finalise(admin, group, cycle, date(2026, 3, 1))
    assert written() == before


def test_finalising_twice_posts_nothing_twice(admin, borrowing):
    group, cycle, _people, _loan = borrowing()
    closing.finalise(admin, group, cycle, date(2026, 2, 16))
    before = written()
    with pytest.raises(DomainError, match="already final"):
        closing.finalise(admin, group, cycle, date(2026, 2, 16))
    stale = Cycle.get_by_id(cycle.id)
    stale.closed_at = None  # a page opened before the first click
    with pytest.raises(DomainError, match="already final"):
        closing.finalise(admin, group, stale, date(2026, 2, 17))
    assert written() == before
    assert closing.preview(group, cycle, date(2026, 2, 16)).problems[0].message == (
        closing.ALREADY_FINAL
    )


# --- after finalising, the boxes are empty but for the carry-over (DB, a few examples) -----------


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    shares=st.lists(st.integers(0, 9), min_size=1, max_size=4).filter(any),
    fine=st.integers(0, 10_000),
    social=st.integers(0, 5_000),
    borrowed=st.integers(0, 3_000),
    unit=st.sampled_from([1, 5, 25, 100]),
    rules=st.fixed_dictionaries(
        {
            "leftover_rule": st.sampled_from(["largest_remainder", "carry_over"]),
            "social_fund_rule": st.sampled_from(["kept", "split_equally"]),
            "profit_method": st.sampled_from(["proportional", "time_weighted"]),
        }
    ),
)
def test_after_finalising_the_boxes_hold_only_the_carry_over(
    admin, club, shares, fine, social, borrowed, unit, rules
):
    group, cycle, people = club(shares, unit=unit, **rules)
    pay(admin, cycle, people[0], EntryKind.FINE, fine)
    pay(admin, cycle, people[-1], EntryKind.SOCIAL_FUND_CONTRIBUTION, social, fund=SOCIAL)
    saver = max(range(len(shares)), key=lambda i: shares[i])
    if borrowed and borrowed <= shares[saver] * 1_000:
        lend(admin, group, cycle, people[saver], borrowed, 2, date(2026, 2, 2))
    on = date(2026, 3, 2)
    sheet = closing.preview(group, cycle, on)
    assert sheet.problems == []
    assert sheet.totals.payout + sheet.carry_over == sheet.loan_fund
    assert sheet.totals.social_fund + sheet.social_fund_carry_over == sheet.social_fund
    closing.finalise(admin, group, cycle, on)
    boxes = ledger.balances(group, cycle)
    assert (boxes[LOAN], boxes[SOCIAL]) == (sheet.carry_over, sheet.social_fund_carry_over)
    assert (
        not Loan.select()
        .where((Loan.cycle == cycle) & (Loan.status == LoanStatus.ACTIVE.value))
        .exists()
    )
    assert Cycle.get_by_id(cycle.id).closed_at is not None


def test_a_flexible_loan_is_cleared_with_the_charge_of_the_period(admin, club):
    group, cycle, people = club([10, 7, 3], loan_method="flexible")
    loan = lend(admin, group, cycle, people[1], 6_000, 3, date(2026, 2, 2))
    lending.record_repayment(admin, loan, 2_000, date(2026, 2, 9))  # 600 charge, 1,400 principal
    sheet = closing.preview(group, cycle, date(2026, 2, 16))
    # The second week's charge: 10 % of the 4,600 owed since 9 Feb, 460, rounded to 25: 450.
    assert [(o.interest, o.principal) for o in sheet.loans] == [(450, 4_600)]
    closing.finalise(admin, group, cycle, date(2026, 2, 16))
    assert Loan.get_by_id(loan.id).status == LoanStatus.REPAID.value
    assert ledger.balances(group, cycle)[LOAN] == sheet.carry_over
