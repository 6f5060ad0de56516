"""Loans, pure core: schedules by hand and by property, flexible loans, allocation of repayments."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from savings_groups.core.errors import DomainError
from savings_groups.core.money import round_to_unit
from savings_groups.loans.compute import (
    METHODS,
    FlexiblePeriod,
    Installment,
    LoanError,
    OverpaymentError,
    allocate_repayment,
    flexible_allocation,
    flexible_interest_due,
    meeting_period,
    period_rate,
    schedule,
)


def table(installments: list[Installment]) -> list[tuple[int, int, int, int]]:
    """(principal, interest, total, balance) per installment, numbers checked on the way."""
    assert [i.number for i in installments] == list(range(1, len(installments) + 1))
    return [(i.principal, i.interest, i.total, i.balance) for i in installments]


# -- hand-computed schedules --------------------------------------------------------------------


def test_flat_xof_unit_25_four_periods():
    # 100 000 XOF at 10% flat over 4 periods: principal 100000/4 = 25000 (already whole units of
    # 25); interest 10% of the original 100000 = 10000 every period; total interest 40000.
    assert table(schedule(100_000, Decimal("0.10"), 4, "flat", 25)) == [
        (25_000, 10_000, 35_000, 75_000),
        (25_000, 10_000, 35_000, 50_000),
        (25_000, 10_000, 35_000, 25_000),
        (25_000, 10_000, 35_000, 0),
    ]


def test_flat_xof_unit_25_three_periods_last_part_takes_the_rest():
    # 100000/3 = 33333.33 = 1333.33 units of 25 -> 1333 units = 33325; the last part takes
    # 100000 - 2 * 33325 = 33350. Interest 10% of 100000 = 10000 each period.
    assert table(schedule(100_000, Decimal("0.10"), 3, "flat", 25)) == [
        (33_325, 10_000, 43_325, 66_675),
        (33_325, 10_000, 43_325, 33_350),
        (33_350, 10_000, 43_350, 0),
    ]


def test_declining_equal_principal_xof_unit_25():
    # 100 000 XOF at 5% over 6 periods. Principal 100000/6 = 16666.67 = 666.67 units -> 667
    # units = 16675; the last takes 100000 - 5 * 16675 = 16625.
    # Interest, 5% of the balance before each installment, in units of 25, half up:
    #   100000 -> 5000    = 200 units       -> 5000
    #    83325 -> 4166.25 = 166.65 units    -> 167 -> 4175
    #    66650 -> 3332.5  = 133.3 units     -> 133 -> 3325
    #    49975 -> 2498.75 = 99.95 units     -> 100 -> 2500
    #    33300 -> 1665    = 66.6 units      -> 67  -> 1675
    #    16625 -> 831.25  = 33.25 units     -> 33  -> 825
    assert table(schedule(100_000, Decimal("0.05"), 6, "declining_equal_principal", 25)) == [
        (16_675, 5_000, 21_675, 83_325),
        (16_675, 4_175, 20_850, 66_650),
        (16_675, 3_325, 20_000, 49_975),
        (16_675, 2_500, 19_175, 33_300),
        (16_675, 1_675, 18_350, 16_625),
        (16_625, 825, 17_450, 0),
    ]


def test_declining_equal_installment_xof_unit_25():
    # 100 000 XOF at 5% over 6 periods. Annuity = 100000 * 0.05 / (1 - 1.05**-6)
    # = 5000 / (1 - 1/1.340095640625) = 5000 / 0.2537846... = 19701.75 = 788.07 units of 25
    # -> 788 units = 19700 each period; interest on the balance, half up to 25; the rest is
    # principal; the last installment clears the balance:
    #   100000: interest 5000                      principal 14700 -> 85300
    #    85300: 4265    = 170.6 units  -> 4275,    principal 15425 -> 69875
    #    69875: 3493.75 = 139.75 units -> 3500,    principal 16200 -> 53675
    #    53675: 2683.75 = 107.35 units -> 2675,    principal 17025 -> 36650
    #    36650: 1832.5  = 73.3 units   -> 1825,    principal 17875 -> 18775
    #    18775: 938.75  = 37.55 units  -> 950,     principal 18775 (all)  total 19725
    assert table(schedule(100_000, Decimal("0.05"), 6, "declining_equal_installment", 25)) == [
        (14_700, 5_000, 19_700, 85_300),
        (15_425, 4_275, 19_700, 69_875),
        (16_200, 3_500, 19_700, 53_675),
        (17_025, 2_675, 19_700, 36_650),
        (17_875, 1_825, 19_700, 18_775),
        (18_775, 950, 19_725, 0),
    ]


def test_declining_equal_installment_ngn_in_kobo():
    # 12 345.67 NGN = 1 234 567 kobo at 2.5% over 3 periods, unit 1 kobo.
    # 1.025**3 = 1.076890625; annuity = 1234567 * 0.025 * 1.076890625 / 0.076890625
    # = 432267.79 -> 432268 kobo.
    #   1234567: interest 30864.175 -> 30864, principal 401404 -> 833163
    #    833163: interest 20829.075 -> 20829, principal 411439 -> 421724
    #    421724: interest 10543.1   -> 10543, principal 421724 (all), total 432267
    assert table(schedule(1_234_567, Decimal("0.025"), 3, "declining_equal_installment")) == [
        (401_404, 30_864, 432_268, 833_163),
        (411_439, 20_829, 432_268, 421_724),
        (421_724, 10_543, 432_267, 0),
    ]


def test_declining_equal_principal_ngn_in_kobo():
    # 1234567 / 3 = 411522.33 -> 411522; the last takes 1234567 - 823044 = 411523.
    # Interest 2.5%: 30864.175 -> 30864; 823045 -> 20576.125 -> 20576; 411523 -> 10288.075 -> 10288
    assert table(schedule(1_234_567, Decimal("0.025"), 3, "declining_equal_principal")) == [
        (411_522, 30_864, 442_386, 823_045),
        (411_522, 20_576, 432_098, 411_523),
        (411_523, 10_288, 421_811, 0),
    ]


def test_flat_ngn_with_a_unit_of_5_naira():
    # 1 234 567 kobo at 3% flat over 4 periods, unit 500 kobo (5 NGN).
    # Principal 1234567/4 = 308641.75 = 617.28 units -> 617 units = 308500; the last takes
    # 1234567 - 3 * 308500 = 309067. Interest 3% of 1234567 = 37037.01 = 74.07 units -> 37000.
    assert table(schedule(1_234_567, Decimal("0.03"), 4, "flat", 500)) == [
        (308_500, 37_000, 345_500, 926_067),
        (308_500, 37_000, 345_500, 617_567),
        (308_500, 37_000, 345_500, 309_067),
        (309_067, 37_000, 346_067, 0),
    ]


@pytest.mark.parametrize(("unit", "interest"), [(1, 13), (25, 25), (5, 15)])
def test_interest_rounds_half_up(unit, interest):
    # 1000 at 1.25% = 12.5 exactly: half up gives 13 (banker's rounding would give 12); with a
    # unit of 25 it is half a unit -> 25; with 5 it is 2.5 units -> 3 units = 15.
    installments = schedule(1_000, Decimal("0.0125"), 2, "flat", unit)
    assert [i.interest for i in installments] == [interest, interest]


def test_equal_installment_at_rate_zero_is_principal_over_periods():
    assert table(schedule(100_000, Decimal(0), 3, "declining_equal_installment", 25)) == [
        (33_325, 0, 33_325, 66_675),
        (33_325, 0, 33_325, 33_350),
        (33_350, 0, 33_350, 0),
    ]


def test_rate_of_100_percent_over_one_period():
    # Annuity over one period = principal * (1 + rate) = 2000: all principal and 1000 interest.
    assert table(schedule(1_000, Decimal(1), 1, "declining_equal_installment")) == [
        (1_000, 1_000, 2_000, 0)
    ]


def test_a_tiny_loan_never_gets_a_negative_part():
    # 70 / 4 = 17.5 = 0.7 units of 25 -> 1 unit would leave 70 - 75 = -5 for the last: the parts
    # are rounded down instead (0 units) and the last takes everything.
    assert [i.principal for i in schedule(70, Decimal("0.1"), 4, "flat", 25)] == [0, 0, 0, 70]
    # Same at rate 0 for equal installments: 2/4 = 0.5 -> 1 would clear the loan after two.
    assert [i.principal for i in schedule(2, Decimal(0), 4, "declining_equal_installment")] == [
        0,
        0,
        0,
        2,
    ]
    # Interest rounds to nothing (19 * 10% = 1.9 < half of 5), so even the rounded-down
    # payment of 5 repays early: the installment that reaches 0 takes what remains.
    assert table(schedule(19, Decimal("0.1"), 5, "declining_equal_installment", 5)) == [
        (5, 0, 5, 14),
        (5, 0, 5, 9),
        (5, 0, 5, 4),
        (4, 0, 4, 0),
        (0, 0, 0, 0),
    ]


def test_installment_is_frozen():
    installment = schedule(1_000, Decimal("0.1"), 1, "flat")[0]
    with pytest.raises(AttributeError):
        installment.total = 0


# -- bad terms ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "rate", "periods", "method", "unit", "field"),
    [
        (0, Decimal("0.1"), 3, "flat", 1, "principal"),
        (-100, Decimal("0.1"), 3, "flat", 1, "principal"),
        (1000, Decimal("-0.01"), 3, "flat", 1, "rate"),
        (1000, Decimal("1.01"), 3, "flat", 1, "rate"),
        (1000, Decimal("NaN"), 3, "flat", 1, "rate"),
        (1000, Decimal("Infinity"), 3, "flat", 1, "rate"),
        (1000, Decimal("0.1"), 0, "flat", 1, "periods"),
        (1000, Decimal("0.1"), -2, "flat", 1, "periods"),
        (1000, Decimal("0.1"), 3, "flat", 0, "unit"),
        (1000, Decimal("0.1"), 3, "balloon", 1, None),
        (1000, Decimal("0.1"), 3, "declining", 1, None),
    ],
)
def test_bad_terms_are_refused_with_a_message(principal, rate, periods, method, unit, field):
    with pytest.raises(ValueError) as caught:
        schedule(principal, rate, periods, method, unit)
    assert isinstance(caught.value, LoanError)
    assert isinstance(caught.value, DomainError)
    assert caught.value.field == field
    assert str(caught.value)


@pytest.mark.parametrize(
    ("principal", "rate", "periods", "unit"),
    [
        (1000.0, Decimal("0.1"), 3, 1),
        (1000, 0.1, 3, 1),
        (1000, "0.1", 3, 1),
        (1000, Decimal("0.1"), 3.0, 1),
        (1000, Decimal("0.1"), 3, 2.5),
        (True, Decimal("0.1"), 3, 1),
    ],
)
def test_floats_are_a_bug_not_data(principal, rate, periods, unit):
    with pytest.raises(TypeError):
        schedule(principal, rate, periods, "flat", unit)


# -- properties ---------------------------------------------------------------------------------

principals = st.integers(min_value=1, max_value=10**12)
rates = st.decimals(min_value=0, max_value=1, places=4)
periods_ = st.integers(min_value=1, max_value=36)
units = st.sampled_from([1, 5, 10, 25, 50, 100, 500])
methods = st.sampled_from(METHODS)


@given(principals, rates, periods_, methods, units)
def test_schedule_invariants(principal, rate, periods, method, unit):
    installments = schedule(principal, rate, periods, method, unit)
    assert len(installments) == periods
    assert [i.number for i in installments] == list(range(1, periods + 1))
    assert sum(i.principal for i in installments) == principal
    assert installments[-1].balance == 0
    balance = principal
    for i in installments:
        assert i.interest >= 0
        assert i.interest % unit == 0
        assert i.principal >= 0
        assert i.total == i.principal + i.interest
        assert i.balance == balance - i.principal >= 0
        balance = i.balance
    # Every principal part is whole units, except the one that clears the balance (the last,
    # or earlier in a loan so small that it is repaid early).
    cleared = next(n for n, i in enumerate(installments) if i.balance == 0)
    assert all(i.principal % unit == 0 for i in installments[:cleared])


@given(principals, rates, periods_, units)
def test_flat_interest_is_on_the_original_principal(principal, rate, periods, unit):
    interest = round_to_unit(Decimal(principal) * rate, unit)  # exact: 4 places, 13 digits
    assert all(i.interest == interest for i in schedule(principal, rate, periods, "flat", unit))


@given(principals, rates, periods_, units)
def test_declining_interest_is_on_the_balance_before(principal, rate, periods, unit):
    for method in ("declining_equal_principal", "declining_equal_installment"):
        balance = principal
        for i in schedule(principal, rate, periods, method, unit):
            assert i.interest == round_to_unit(Decimal(balance) * rate, unit)
            balance = i.balance


@given(principals, rates, periods_, units)
def test_equal_principal_parts_are_equal(principal, rate, periods, unit):
    for method in ("flat", "declining_equal_principal"):
        parts = {i.principal for i in schedule(principal, rate, periods, method, unit)[:-1]}
        assert len(parts) <= 1


@given(principals, rates, periods_, units)
def test_equal_installments_are_equal_until_the_last(principal, rate, periods, unit):
    installments = schedule(principal, rate, periods, "declining_equal_installment", unit)
    cleared = next(n for n, i in enumerate(installments) if i.balance == 0)
    assert len({i.total for i in installments[:cleared]}) <= 1


@given(principals, rates, periods_, units)
def test_declining_interest_never_exceeds_flat_interest(principal, rate, periods, unit):
    flat = sum(i.interest for i in schedule(principal, rate, periods, "flat", unit))
    for method in ("declining_equal_principal", "declining_equal_installment"):
        declining = sum(i.interest for i in schedule(principal, rate, periods, method, unit))
        assert declining <= flat


@given(principals, periods_, units)
def test_at_rate_zero_every_method_gives_the_same_schedule(principal, periods, unit):
    schedules = [schedule(principal, Decimal(0), periods, m, unit) for m in METHODS]
    assert schedules[0] == schedules[1] == schedules[2]
    assert all(i.interest == 0 for i in schedules[0])


# -- allocation of a repayment ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "interest_due", "principal_due", "expected"),
    [
        (5_000, 1_000, 10_000, (1_000, 4_000)),
        (500, 1_000, 10_000, (500, 0)),
        (1_000, 1_000, 10_000, (1_000, 0)),
        (11_000, 1_000, 10_000, (1_000, 10_000)),
        (0, 1_000, 10_000, (0, 0)),
        (3_000, 0, 10_000, (0, 3_000)),
    ],
)
def test_repayment_goes_to_interest_first(amount, interest_due, principal_due, expected):
    assert allocate_repayment(amount, interest_due, principal_due) == expected


def test_an_overpayment_is_refused_with_the_most_that_can_be_paid():
    with pytest.raises(ValueError) as caught:
        allocate_repayment(11_025, 1_000, 10_000)
    error = caught.value
    assert isinstance(error, OverpaymentError)
    assert isinstance(error, DomainError)
    assert error.maximum == 11_000
    assert error.params == {"maximum": 11_000}
    assert "11000" in str(error)


@pytest.mark.parametrize(("amount", "interest_due", "principal_due"), [(-1, 0, 0), (0, -1, 0)])
def test_negative_amounts_are_refused(amount, interest_due, principal_due):
    with pytest.raises(LoanError):
        allocate_repayment(amount, interest_due, principal_due)


@given(st.integers(0, 10**9), st.integers(0, 10**9), st.integers(0, 10**9))
def test_allocation_properties(amount, interest_due, principal_due):
    if amount > interest_due + principal_due:
        with pytest.raises(OverpaymentError) as caught:
            allocate_repayment(amount, interest_due, principal_due)
        assert caught.value.maximum == interest_due + principal_due
        return
    interest, principal = allocate_repayment(amount, interest_due, principal_due)
    assert interest + principal == amount
    assert 0 <= interest <= interest_due and 0 <= principal <= principal_due
    assert principal == 0 or interest == interest_due


# -- flexible loans -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outstanding", "rate", "unit", "due"),
    [
        (100_000, Decimal("0.10"), 25, 10_000),
        (11_990, Decimal("0.10"), 25, 1_200),  # 1199 = 47.96 units -> 48 units
        (12_345, Decimal("0.10"), 25, 1_225),  # 1234.5 = 49.38 units -> 49 units
        (12_345, Decimal("0.10"), 1, 1_235),  # 1234.5 -> half up
        (0, Decimal("0.10"), 25, 0),
        (50_000, Decimal(0), 25, 0),
    ],
)
def test_flexible_interest_due(outstanding, rate, unit, due):
    assert flexible_interest_due(outstanding, rate, unit) == due


def test_flexible_loan_allocation_by_hand():
    # 100 000 XOF at 10% per period, unit 25, repaid when the member can:
    #   1: charge 10% of 100000 = 10000; pays 10000: all interest
    #   2: charge 10000; pays nothing: 10000 of interest left owed (no interest on it)
    #   3: charge 10000, due 20000; pays 60000: 20000 interest, 40000 principal -> 60000
    #   4: charge 6000; pays 54010: 6000 interest, 48010 principal -> 11990
    #   5: charge 1199 = 47.96 units -> 1200; pays 13190: 1200 + 11990, cleared
    #   6: nothing owed, nothing charged
    periods = flexible_allocation(
        100_000, Decimal("0.10"), [10_000, 0, 60_000, 54_010, 13_190, 0], 25
    )
    assert periods == [
        FlexiblePeriod(1, 10_000, 10_000, 10_000, 10_000, 0, 100_000, 0),
        FlexiblePeriod(2, 10_000, 10_000, 0, 0, 0, 100_000, 10_000),
        FlexiblePeriod(3, 10_000, 20_000, 60_000, 20_000, 40_000, 60_000, 0),
        FlexiblePeriod(4, 6_000, 6_000, 54_010, 6_000, 48_010, 11_990, 0),
        FlexiblePeriod(5, 1_200, 1_200, 13_190, 1_200, 11_990, 0, 0),
        FlexiblePeriod(6, 0, 0, 0, 0, 0, 0, 0),
    ]


def test_flexible_overpayment_names_the_period_and_the_maximum():
    with pytest.raises(OverpaymentError) as caught:
        flexible_allocation(100_000, Decimal("0.10"), [10_000, 0, 60_000, 54_010, 13_215], 25)
    assert caught.value.maximum == 13_190
    assert caught.value.period == 5


def test_flexible_loan_refuses_bad_terms():
    with pytest.raises(LoanError):
        flexible_allocation(0, Decimal("0.1"), [])
    with pytest.raises(LoanError):
        flexible_allocation(1000, Decimal("2"), [])
    with pytest.raises(LoanError):
        flexible_allocation(1000, Decimal("0.1"), [-5])


@given(principals, rates, units, st.lists(st.integers(0, 10**12), max_size=24))
def test_flexible_allocation_properties(principal, rate, unit, wishes):
    # Pay what the member wishes, capped at what is owed, so that no payment is refused.
    payments, balance, arrears = [], principal, 0
    for wish in wishes:
        owed = balance + arrears + flexible_interest_due(balance, rate, unit)
        paid = min(wish, owed)
        payments.append(paid)
        period = flexible_allocation(principal, rate, payments, unit)[-1]
        assert period.charge == flexible_interest_due(balance, rate, unit)
        assert period.interest_due == arrears + period.charge
        assert period.interest + period.principal == paid
        assert period.principal == 0 or period.interest == period.interest_due
        assert period.balance == balance - period.principal >= 0
        assert period.interest_arrears == period.interest_due - period.interest >= 0
        balance, arrears = period.balance, period.interest_arrears


# -- rates said with their period, converted exactly to meeting periods ------------------------


@pytest.mark.parametrize(
    "rate, per, frequency, exact",
    [
        # 10 % a month at weekly meetings: 10 × 12/52 % a week = 3/130 (2.3077 %).
        ("0.10", "month", "weekly", Fraction(3, 130)),
        ("0.10", "month", "fortnightly", Fraction(3, 65)),  # 10 × 24/52 %
        ("0.10", "month", "monthly", Fraction(1, 10)),
        ("0.10", "four_weeks", "weekly", Fraction(1, 40)),
        ("0.10", "four_weeks", "fortnightly", Fraction(1, 20)),
        ("0.10", "four_weeks", "monthly", Fraction(13, 120)),  # 10 × 52/48 %
        ("0.025", "week", "monthly", Fraction(13, 120)),  # 2.5 × 52/12 %
        ("0.05", "two_weeks", "weekly", Fraction(1, 40)),
        ("0.05", "week", "fortnightly", Fraction(1, 10)),
        ("0.075", "week", "weekly", Fraction(3, 40)),
        ("0.075", None, "weekly", Fraction(3, 40)),  # no period: per meeting period
        ("0.075", None, "monthly", Fraction(3, 40)),
    ],
)
def test_a_rate_is_converted_exactly_to_meeting_periods(rate, per, frequency, exact):
    assert period_rate(Decimal(rate), per, frequency) == exact


def test_monthly_and_weekly_rates_convert_back_and_forth_exactly():
    weekly = period_rate(Decimal("0.10"), "month", "weekly")
    assert weekly * Fraction(52, 12) == Fraction(1, 10)  # four and a third weeks make a month
    monthly = period_rate(Decimal("0.025"), "week", "monthly")
    assert monthly / Fraction(52, 12) == Fraction(1, 40)
    assert meeting_period("weekly") == "week" and meeting_period("monthly") == "month"


def test_a_rate_with_an_unknown_period_or_frequency_is_a_programming_error():
    with pytest.raises(ValueError, match="rate period"):
        period_rate(Decimal("0.1"), "year", "weekly")
    with pytest.raises(ValueError, match="meeting frequency"):
        period_rate(Decimal("0.1"), "month", "daily")
    with pytest.raises(TypeError):
        period_rate(0.1, "month", "weekly")


def test_ten_per_cent_a_month_flat_for_a_weekly_group_in_xof():
    # 100 000 XOF over 4 weeks at 10 % a month = 3/130 a week: each week's interest is
    # 100000 × 3/130 = 2307.69..., to the unit of 25 half up: 92.3 units, 2300. (At "10 a
    # period" the group would have charged 10 000 a week.)
    rate = period_rate(Decimal("0.10"), "month", "weekly")
    assert table(schedule(100_000, rate, 4, "flat", 25)) == [
        (25_000, 2_300, 27_300, 75_000),
        (25_000, 2_300, 27_300, 50_000),
        (25_000, 2_300, 27_300, 25_000),
        (25_000, 2_300, 27_300, 0),
    ]
    # To the franc: 2307.69 is 2308.
    assert {i.interest for i in schedule(100_000, rate, 4, "flat", 1)} == {2_308}


def test_ten_per_cent_a_month_declining_for_a_weekly_group_in_xof():
    # Interest on the balance at 3/130 a week, unit 25 half up:
    # 100000 → 2307.69 (92.31 units) 2300; 75000 → 1730.77 (69.23) 1725;
    # 50000 → 1153.85 (46.15) 1150; 25000 → 576.92 (23.08) 575. In all 5 750.
    rate = period_rate(Decimal("0.10"), "month", "weekly")
    assert table(schedule(100_000, rate, 4, "declining_equal_principal", 25)) == [
        (25_000, 2_300, 27_300, 75_000),
        (25_000, 1_725, 26_725, 50_000),
        (25_000, 1_150, 26_150, 25_000),
        (25_000, 575, 25_575, 0),
    ]


def test_the_exact_rate_is_not_a_rounded_decimal():
    # 130 000 XOF at 10 % a month for a weekly group: exactly 3 000 a week. A rate rounded to
    # 2.3077 % would charge 3 000.01 → 3 000 at unit 1 but shows the difference at 13 000 000:
    # the exact fraction gives 300 000, the rounded rate 300 001.
    exact = period_rate(Decimal("0.10"), "month", "weekly")
    assert schedule(130_000, exact, 1, "flat")[0].interest == 3_000
    assert schedule(13_000_000, exact, 1, "flat")[0].interest == 300_000
    assert schedule(13_000_000, Decimal("0.023077"), 1, "flat")[0].interest == 300_001
