"""Share-out, pure core: value of a share, payouts net of debts, carry-over, to the last coin."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from savings_groups.core.errors import DomainError
from savings_groups.shareout.arithmetic import (
    ShareOut,
    ShareOutError,
    compute,
    compute_time_weighted,
    return_on_savings,
    split_social_fund,
)

# -- hand-computed cases ------------------------------------------------------------------------


def test_xof_unit_25_with_a_debtor():
    # Cash 523 460 XOF; b still owes 12 000. Fund = 535 460, shares 10 + 7 + 3 = 20, so one
    # share is worth 26 773. Whole units of 25 in the fund: 21 418 (535 450; 10 is not shared).
    # Quotas in units: a 21418*10/20 = 10709; b 21418*7/20 - 12000/25 = 7496.3 - 480 = 7016.3;
    # c 21418*3/20 = 3212.7. Floors 10709 + 7016 + 3212 = 20937; the cash has 20938 whole
    # units, so 1 is left: it goes to the largest remainder, c (.7).
    # a 10709*25 = 267725, b 7016*25 = 175400, c 3213*25 = 80325; 523450 paid, 10 carried over.
    result = compute(523_460, {"b": 12_000}, {"a": 10, "b": 7, "c": 3}, 25)
    assert result == ShareOut(Decimal("26773"), {"a": 267_725, "b": 175_400, "c": 80_325}, 10)


def test_xof_unit_5_a_member_owing_more_than_their_share_pays_in():
    # Cash 10 003 XOF; a owes 7 002. Fund 17 005 / 4 shares = 4251.25 a share; 3401 whole units
    # of 5. Quotas: a 3401/4 - 7002/5 = 850.25 - 1400.4 = -550.15 -> floor -551 (rem .85);
    # b 850.25 -> 850 (rem .25); c 1700.5 -> 1700 (rem .5). Floors sum to 1999; the cash has
    # 2000 whole units: the one left goes to a (.85). a must pay in 2750, b gets 4250, c 8500;
    # 10 000 paid out net, 3 carried over.
    result = compute(10_003, {"a": 7_002}, {"a": 1, "b": 1, "c": 2}, 5)
    assert result == ShareOut(Decimal("4251.25"), {"a": -2_750, "b": 4_250, "c": 8_500}, 3)
    assert sum(result.payouts.values()) + result.carry_over == 10_003


def test_ngn_in_kobo():
    # Cash 12 345.67 NGN = 1 234 567 kobo; b owes 100 001 kobo. Fund 1 334 568 / 15 shares =
    # 88 971.2 kobo a share. Quotas: a 3 * 88971.2 = 266913.6; b 5 * 88971.2 - 100001 = 344855;
    # c 7 * 88971.2 = 622798.4. Floors sum to 1234566: the kobo left goes to a (.6).
    result = compute(1_234_567, {"b": 100_001}, {"a": 3, "b": 5, "c": 7})
    assert result == ShareOut(Decimal("88971.2"), {"a": 266_914, "b": 344_855, "c": 622_798}, 0)


def test_ngn_with_a_unit_of_5_naira():
    # Same group, unit 500 kobo. Fund 1 334 568 has 2669 whole units (68 kobo not shared).
    # Quotas: a 2669*3/15 = 533.8; b 2669*5/15 - 100001/500 = 889.667 - 200.002 = 689.665;
    # c 2669*7/15 = 1245.533. Floors 533 + 689 + 1245 = 2467; the cash has 2469 whole units:
    # the 2 left go to a (.8) and b (.665). 1 234 500 paid, 67 kobo carried over.
    result = compute(1_234_567, {"b": 100_001}, {"a": 3, "b": 5, "c": 7}, 500)
    assert result.payouts == {"a": 267_000, "b": 345_000, "c": 622_500}
    assert result.carry_over == 67


def test_payouts_are_the_exact_ones_rounded_down_then_leftover_units_by_remainder():
    # 11 with unit 5 for shares 1 and 3: a share is worth 2.75; the exact payouts 2.75 and 8.25
    # round down to 0 and 5; one whole unit is left (11 - 5 = 6), it goes to the larger
    # remainder (3.25 > 2.75), and 1 is carried over. (A split of the fund's 2 whole units by
    # weight, as split_largest_remainder does, would give 5 and 5: not what DESIGN.md says.)
    result = compute(11, {}, {"a": 1, "b": 3}, 5)
    assert result.payouts == {"a": 0, "b": 10}
    assert result.carry_over == 1


def test_ties_go_to_the_member_met_first():
    assert compute(25, {}, {"a": 1, "b": 1}, 25).payouts == {"a": 25, "b": 0}
    assert compute(25, {}, {"b": 1, "a": 1}, 25).payouts == {"b": 25, "a": 0}


def test_value_per_share_is_the_decimal_quotient():
    result = compute(100, {}, {"a": 1, "b": 1, "c": 1})
    assert result.value_per_share == Decimal("33.33333333333333333333333333")
    assert result.payouts == {"a": 34, "b": 33, "c": 33}


def test_a_debtor_without_shares_is_in_the_payouts():
    # c bought no share (or is not in `shares` at all) but owes 300: c pays in 300.
    result = compute(700, {"c": 300}, {"a": 1, "b": 1})
    assert result.payouts == {"a": 500, "b": 500, "c": -300}
    assert list(result.payouts) == ["a", "b", "c"]
    assert result.value_per_share == Decimal(500)


def test_nothing_in_the_box():
    assert compute(0, {}, {"a": 2, "b": 1}, 25) == ShareOut(Decimal(0), {"a": 0, "b": 0}, 0)


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cash", "owed", "shares", "unit"),
    [
        (1_000, {}, {}, 1),
        (1_000, {"a": 10}, {"a": 0, "b": 0}, 1),
        (-1, {}, {"a": 1}, 1),
        (1_000, {"a": -5}, {"a": 1}, 1),
        (1_000, {}, {"a": -1, "b": 2}, 1),
        (1_000, {}, {"a": 1}, 0),
    ],
)
def test_bad_input_is_refused_with_a_message(cash, owed, shares, unit):
    with pytest.raises(ValueError) as caught:
        compute(cash, owed, shares, unit)
    assert isinstance(caught.value, ShareOutError)
    assert isinstance(caught.value, DomainError)
    assert str(caught.value)


def test_no_shares_says_so():
    with pytest.raises(ShareOutError, match="No shares"):
        compute(1_000, {}, {"a": 0})


@pytest.mark.parametrize(
    ("cash", "owed", "shares", "unit"),
    [(1_000.0, {}, {"a": 1}, 1), (1_000, {"a": 1.5}, {"a": 1}, 1), (1_000, {}, {"a": 1}, 2.5)],
)
def test_floats_are_a_bug_not_data(cash, owed, shares, unit):
    with pytest.raises(TypeError):
        compute(cash, owed, shares, unit)


# -- properties ---------------------------------------------------------------------------------

units = st.sampled_from([1, 5, 10, 25, 50, 100, 500])
cashes = st.integers(min_value=0, max_value=10**12)


@st.composite
def groups(draw):
    """Members 0..n-1 with shares (at least one bought) and debts; some debtors hold no share."""
    count = draw(st.integers(min_value=1, max_value=8))
    shares = {m: draw(st.integers(0, 200)) for m in range(count)}
    assume(sum(shares.values()) > 0)
    debtors = draw(st.lists(st.integers(0, count + 2), max_size=count + 3, unique=True))
    owed = {m: draw(st.integers(0, 10**9)) for m in debtors}
    return owed, shares


@given(cashes, groups(), units)
def test_payouts_and_carry_over_add_up_to_the_cash(cash, group, unit):
    owed, shares = group
    result = compute(cash, owed, shares, unit)
    assert sum(result.payouts.values()) + result.carry_over == cash
    assert 0 <= result.carry_over < unit
    assert result.carry_over == cash % unit
    assert all(payout % unit == 0 for payout in result.payouts.values())
    assert list(result.payouts) == list(shares) + [m for m in owed if m not in shares]


@given(cashes, groups(), units)
def test_each_payout_is_close_to_the_exact_entitlement(cash, group, unit):
    owed, shares = group
    result = compute(cash, owed, shares, unit)
    fund, total_shares = cash + sum(owed.values()), sum(shares.values())
    assert result.value_per_share == Decimal(fund) / Decimal(total_shares)
    for member, payout in result.payouts.items():
        exact = Fraction(fund * shares.get(member, 0), total_shares) - owed.get(member, 0)
        assert exact - unit < payout < exact + unit
        if exact.denominator == 1 and exact % unit == 0:
            assert payout == exact


@given(cashes, groups(), units)
def test_more_shares_never_means_less_payout(cash, group, unit):
    owed, shares = group
    payouts = compute(cash, owed, shares, unit).payouts
    for a in shares:
        for b in shares:
            if owed.get(a, 0) != owed.get(b, 0):
                continue
            if shares[a] > shares[b]:
                assert payouts[a] >= payouts[b]
            if shares[a] == shares[b]:
                assert abs(payouts[a] - payouts[b]) <= unit


@given(cashes, st.lists(st.integers(0, 200), min_size=1, max_size=8), units)
def test_equal_shares_without_debt_differ_by_at_most_one_unit(cash, counts, unit):
    assume(sum(counts) > 0)
    shares = dict(enumerate(counts + counts[:1]))  # the last member holds as many as the first
    payouts = compute(cash, {}, shares, unit).payouts
    assert abs(payouts[0] - payouts[len(counts)]) <= unit


# -- the group's other rules: leftover carried over, profit weighted by time, social fund -------


def test_leftover_carried_over_keeps_every_payout_rounded_down():
    # The XOF case above: floors 10709, 7016 and 3212 units; the unit c would get is carried.
    result = compute(523_460, {"b": 12_000}, {"a": 10, "b": 7, "c": 3}, 25, leftover="carry_over")
    assert result.payouts == {"a": 267_725, "b": 175_400, "c": 80_300}
    assert result.carry_over == 35


def test_an_unknown_leftover_rule_is_a_bug():
    with pytest.raises(ValueError, match="leftover"):
        compute(100, {}, {"a": 1}, 1, leftover="round")


def test_time_weighted_xof_unit_25():
    # Saved a 2,000 (held 4 periods: weight 8), b 2,000 (held 1 period: weight 2), c owes
    # 1,000 and saved 1,000 (weight 2). Cash 5,510: fund 6,510, profit 1,510 split 8:2:2 =
    # 1,006.67, 251.67, 251.67. Exact: a 3,006.67 -> 120.27 units; b 2,251.67 -> 90.07;
    # c 251.67 -> 10.07. Floors 220 units, the cash has 220 (5,500): 10 carried over.
    result = compute_time_weighted(
        5_510, {"c": 1_000}, {"a": 2_000, "b": 2_000, "c": 1_000}, {"a": 8, "b": 2, "c": 2}, 25
    )
    assert result.payouts == {"a": 3_000, "b": 2_250, "c": 250}
    assert result.carry_over == 10
    assert result.value_per_share == Decimal(1_510) / Decimal(12)


def test_time_weighted_a_loss_is_shared_by_weight():
    # A loan written off: the fund (3,400) is worth less than the savings (4,000). The loss of
    # 600 is shared 2:1, so a bears 400 and b 200.
    result = compute_time_weighted(3_400, {}, {"a": 2_000, "b": 2_000}, {"a": 2, "b": 1}, 5)
    assert result.payouts == {"a": 1_600, "b": 1_800}
    assert result.carry_over == 0


def test_time_weighted_without_any_share_held_a_period():
    with pytest.raises(ShareOutError, match="weighted"):
        compute_time_weighted(1_000, {}, {"a": 1_000}, {"a": 0})


def test_social_fund_split_equally():
    assert split_social_fund(1_010, ["a", "b", "c"], 25) == ({"a": 350, "b": 325, "c": 325}, 10)
    assert split_social_fund(1_000, [], 25) == ({}, 1_000)


def test_return_on_savings():
    assert return_on_savings(1_315, 20_000, 42) == (
        Decimal("0.06575"),
        Decimal("0.06575") * 365 / 42,
    )
    assert return_on_savings(100, 0, 30) == (None, None)
    assert return_on_savings(-500, 10_000, 0) == (Decimal("-0.05"), None)


leftovers = st.sampled_from(["largest_remainder", "carry_over"])


@st.composite
def savers(draw):
    """Members 0..n-1 with savings, weights (at least one positive) and debts."""
    count = draw(st.integers(min_value=1, max_value=8))
    saved = {m: draw(st.integers(0, 10**7)) for m in range(count)}
    weights = {m: draw(st.integers(0, 500)) for m in range(count)}
    assume(sum(weights.values()) > 0)
    debtors = draw(st.lists(st.integers(0, count + 1), max_size=count + 2, unique=True))
    owed = {m: draw(st.integers(0, 10**7)) for m in debtors}
    return owed, saved, weights


@given(cashes, groups(), units, leftovers)
def test_with_either_leftover_rule_payouts_and_carry_add_up(cash, group, unit, leftover):
    owed, shares = group
    result = compute(cash, owed, shares, unit, leftover=leftover)
    assert sum(result.payouts.values()) + result.carry_over == cash
    assert result.carry_over >= 0
    assert all(payout % unit == 0 for payout in result.payouts.values())
    if leftover == "carry_over":
        fund, total = cash + sum(owed.values()), sum(shares.values())
        for member, payout in result.payouts.items():
            exact = Fraction(fund * shares.get(member, 0), total) - owed.get(member, 0)
            assert exact - unit < payout <= exact


@given(st.integers(0, 10**10), savers(), units, leftovers)
def test_time_weighted_payouts_and_carry_add_up(cash, group, unit, leftover):
    owed, saved, weights = group
    result = compute_time_weighted(cash, owed, saved, weights, unit, leftover=leftover)
    assert sum(result.payouts.values()) + result.carry_over == cash
    assert result.carry_over >= 0
    if leftover == "largest_remainder":
        assert result.carry_over == cash % unit
    assert all(payout % unit == 0 for payout in result.payouts.values())


@given(st.integers(0, 10**10), savers(), units)
def test_time_weighted_more_weight_never_means_less_when_profitable(cash, group, unit):
    owed, saved, weights = group
    result = compute_time_weighted(cash, owed, saved, weights, unit)
    profit = cash + sum(owed.values()) - sum(saved.values())
    for a in saved:
        for b in saved:
            if (saved[a], owed.get(a, 0)) != (saved[b], owed.get(b, 0)):
                continue
            if weights[a] > weights[b]:
                if profit >= 0:
                    assert result.payouts[a] >= result.payouts[b]
                else:
                    assert result.payouts[a] <= result.payouts[b]
            if weights[a] == weights[b]:
                assert abs(result.payouts[a] - result.payouts[b]) <= unit


@given(st.integers(0, 10**9), st.integers(0, 30), units)
def test_the_social_fund_split_adds_up_and_differs_by_one_unit_at_most(cash, count, unit):
    parts, carry = split_social_fund(cash, list(range(count)), unit)
    assert sum(parts.values()) + carry == cash
    if parts:
        assert max(parts.values()) - min(parts.values()) <= unit
