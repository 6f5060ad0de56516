# ruff: noqa: F811  (the club fixture is imported, and named as a test argument)
"""The share-out after group expenses, other income and money kept in the group's account:
the account counts in the value of a share, is brought back to the box when finalising, and
the payouts plus the carry-over are exactly what the loan fund holds."""

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from savings_groups.core.vocabulary import EntryKind, Fund
from savings_groups.ledger import entries as ledger
from savings_groups.shareout import exits
from savings_groups.shareout import operations as closing
from savings_groups.store.models import CycleShareOut, Entry
from tests.shareout.test_operations import club  # noqa: F401  (the fixture)

LOAN, SOCIAL, BANK = Fund.LOAN_FUND, Fund.SOCIAL_FUND, Fund.BANK
ON = date(2026, 3, 2)


def group_post(actor, cycle, fund, kind, amount, channel="cash"):
    return ledger.post(actor, cycle.group, fund, kind, amount, cycle=cycle, channel=channel)


def deposit(actor, cycle, amount, channel="bank"):
    group_post(actor, cycle, LOAN, EntryKind.ACCOUNT_DEPOSIT, -amount, channel)
    group_post(actor, cycle, BANK, EntryKind.ACCOUNT_DEPOSIT, amount, channel)


def withdraw(actor, cycle, amount, channel="bank"):
    group_post(actor, cycle, BANK, EntryKind.ACCOUNT_WITHDRAWAL, -amount, channel)
    group_post(actor, cycle, LOAN, EntryKind.ACCOUNT_WITHDRAWAL, amount, channel)


def test_expenses_income_and_the_account_in_the_share_out_in_xof(admin, club):
    group, cycle, people = club([10, 6, 4], unit=25)  # 20,000 saved
    group_post(admin, cycle, LOAN, EntryKind.GROUP_EXPENSE, -1_500)  # a padlock
    group_post(admin, cycle, SOCIAL, EntryKind.OTHER_INCOME, 700)  # the social fund's own
    deposit(admin, cycle, 12_000, "mobile_money")
    group_post(admin, cycle, BANK, EntryKind.OTHER_INCOME, 300, "mobile_money")  # interest
    group_post(admin, cycle, BANK, EntryKind.GROUP_EXPENSE, -100, "mobile_money")  # a fee

    sheet = closing.preview(group, cycle, ON)
    assert sheet.problems == []
    assert (sheet.loan_fund, sheet.bank, sheet.cash) == (6_500, 12_200, 18_700)
    assert (sheet.expenses, sheet.income) == (1_600, 300)
    assert sheet.profit == -1_300
    assert sheet.value_per_share == Decimal(935)
    assert [line.payout for line in sheet.lines] == [9_350, 5_600, 3_750]
    assert sheet.carry_over == 0
    assert sum(line.payout for line in sheet.lines) + sheet.carry_over == sheet.cash

    final = closing.finalise(admin, group, cycle, ON)
    assert (final.cash, final.bank) == (18_700, 12_200)
    back = [
        (e.fund, e.amount, e.channel, e.effective_on)
        for e in Entry.select()
        .where(Entry.kind == EntryKind.ACCOUNT_WITHDRAWAL.value)
        .order_by(Entry.id)
    ]
    assert back == [
        ("bank", -12_200, "mobile_money", ON),
        ("loan_fund", 12_200, "mobile_money", ON),
    ]
    assert ledger.balances(group, cycle) == {LOAN: 0, SOCIAL: 700, Fund.POT: 0, BANK: 0}
    kept = closing.stored(cycle)
    assert (kept.loan_fund, kept.bank, kept.cash, kept.profit) == (6_500, 12_200, 18_700, -1_300)
    assert (kept.expenses, kept.income) == (1_600, 300)


def test_the_account_counts_in_a_share_out_in_euros(admin, club):
    group, cycle, people = club([3, 1], currency="EUR", unit=1, share_value=10_00)
    deposit(admin, cycle, 25_00)
    group_post(admin, cycle, BANK, EntryKind.OTHER_INCOME, 1_01, "bank")
    sheet = closing.preview(group, cycle, ON)
    assert (sheet.loan_fund, sheet.bank) == (15_00, 26_01)
    # 41.01 for 4 shares: 10.2525 a share; 30.75 (.7575) and 10.25 (.2525), one cent left
    assert sheet.value_per_share == Decimal("1025.25")
    assert [line.payout for line in sheet.lines] == [30_76, 10_25]
    assert sheet.carry_over == 0
    closing.finalise(admin, group, cycle, ON)
    assert ledger.balances(group, cycle)[BANK] == 0
    assert CycleShareOut.get().bank == 26_01


def test_a_member_leaving_gets_the_account_s_part_of_the_profit(admin, club):
    group, cycle, people = club([5, 5], unit=1, exit_rule="savings_and_profit")
    deposit(admin, cycle, 8_000)
    group_post(admin, cycle, BANK, EntryKind.OTHER_INCOME, 1_000, "bank")
    settlement = exits.settlement(people[0], ON)
    assert (settlement.saved, settlement.profit, settlement.cash) == (5_000, 500, 2_000)
    assert settlement.shortfall == 3_500  # the box holds 2,000: the rest is in the account


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    shares=st.lists(st.integers(0, 9), min_size=1, max_size=4).filter(any),
    moves=st.lists(
        st.tuples(
            st.sampled_from(["expense", "income", "deposit", "withdrawal", "bank_fee"]),
            st.integers(1, 3_000),
        ),
        max_size=6,
    ),
    unit=st.sampled_from([1, 5, 25, 100]),
    rules=st.fixed_dictionaries(
        {
            "leftover_rule": st.sampled_from(["largest_remainder", "carry_over"]),
            "profit_method": st.sampled_from(["proportional", "time_weighted"]),
        }
    ),
)
def test_payouts_and_carry_over_are_what_the_loan_fund_holds_box_and_account(
    admin, club, shares, moves, unit, rules
):
    group, cycle, people = club(shares, unit=unit, **rules)
    for move, amount in moves:
        boxes = ledger.balances(group, cycle)
        if move == "expense" and amount <= boxes[LOAN]:
            group_post(admin, cycle, LOAN, EntryKind.GROUP_EXPENSE, -amount)
        elif move == "income":
            group_post(admin, cycle, LOAN, EntryKind.OTHER_INCOME, amount)
        elif move == "deposit" and amount <= boxes[LOAN]:
            deposit(admin, cycle, amount)
        elif move == "withdrawal" and amount <= boxes[BANK]:
            withdraw(admin, cycle, amount)
        elif move == "bank_fee" and amount <= boxes[BANK]:
            group_post(admin, cycle, BANK, EntryKind.GROUP_EXPENSE, -amount, "bank")
    boxes = ledger.balances(group, cycle)
    sheet = closing.preview(group, cycle, ON)
    assert (sheet.loan_fund, sheet.bank) == (boxes[LOAN], boxes[BANK])
    if sheet.problems:  # all the savings spent: nothing to share
        return
    assert sheet.totals.payout + sheet.carry_over == boxes[LOAN] + boxes[BANK]
    closing.finalise(admin, group, cycle, ON)
    after = ledger.balances(group, cycle)
    assert (after[LOAN], after[BANK]) == (sheet.carry_over, 0)
