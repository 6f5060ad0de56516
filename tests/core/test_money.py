"""Money: currency digits, half-up rounding, largest-remainder splits, parsing and formatting."""

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from babel import Locale
from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st

from savings_groups.core.errors import DomainError
from savings_groups.core.money import (
    MAX_AMOUNT,
    MoneyError,
    currency_digits,
    format_amount,
    parse_amount,
    round_to_unit,
    split_largest_remainder,
    to_major,
    to_minor,
)

NNBSP = "\u202f"  # what CLDR's French groups thousands with
NBSP = "\xa0"

# -- currency_digits ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "digits"),
    [
        ("XOF", 0),
        ("XAF", 0),
        ("GNF", 0),
        ("JPY", 0),
        ("NGN", 2),
        ("BDT", 2),
        ("EUR", 2),
        ("KWD", 3),
    ],
)
def test_currency_digits_come_from_cldr(code, digits):
    assert currency_digits(code) == digits


@pytest.mark.parametrize("code", ["ZZZ", "xof", "", "CFA", None])
def test_unknown_currency_is_refused(code):
    with pytest.raises(ValueError, match="unknown currency"):
        currency_digits(code)


# -- round_to_unit ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        # 25 XOF
        (0, 25, 0),
        (12, 25, 0),
        (Decimal("12.4999"), 25, 0),
        (Decimal("12.5"), 25, 25),
        (13, 25, 25),
        (37, 25, 25),
        (Decimal("37.5"), 25, 50),
        (1234, 25, 1225),
        (1238, 25, 1250),
        (1250, 25, 1250),
        # 500 kobo (5 NGN)
        (1249, 500, 1000),
        (1250, 500, 1500),
        (750, 500, 1000),
        (Decimal("749.999"), 500, 500),
        # unit 1: plain half-up rounding of a Decimal amount of minor units
        (Decimal("2.5"), 1, 3),
        (Decimal("3.5"), 1, 4),  # not half-even, which would give 4 and 2 for 3.5 and 2.5
        (Decimal("2.4999999999999999999999999999999"), 1, 2),  # beyond Decimal's 28 digits
        (Decimal("1E+3"), 1, 1000),
    ],
)
def test_round_to_unit_half_up(amount, unit, expected):
    assert round_to_unit(amount, unit) == expected
    assert type(round_to_unit(amount, unit)) is int


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        (Decimal("-12.5"), 25, -25),
        (Decimal("-12.4"), 25, 0),
        (-13, 25, -25),
        (Decimal("-37.5"), 25, -50),
        (-1250, 500, -1500),
        (-1249, 500, -1000),
        (Decimal("-2.5"), 1, -3),
    ],
)
def test_round_to_unit_rounds_a_negative_half_away_from_zero(amount, unit, expected):
    assert round_to_unit(amount, unit) == expected


@pytest.mark.parametrize(
    ("amount", "unit", "error"),
    [
        (12.5, 25, TypeError),
        (12, 25.0, TypeError),
        (True, 25, TypeError),
        ("12", 25, TypeError),
        (12, 0, ValueError),
        (12, -25, ValueError),
        (Decimal("NaN"), 25, ValueError),
        (Decimal("Infinity"), 25, ValueError),
    ],
)
def test_round_to_unit_refuses_floats_and_bad_units(amount, unit, error):
    with pytest.raises(error):
        round_to_unit(amount, unit)


amounts = st.integers(-(10**15), 10**15) | st.decimals(
    min_value=-(10**15), max_value=10**15, allow_nan=False, allow_infinity=False, places=4
)
units = st.integers(1, 10_000)


@given(amounts, units)
def test_round_to_unit_is_the_nearest_multiple(amount, unit):
    rounded = round_to_unit(amount, unit)
    assert rounded % unit == 0
    assert abs(Fraction(rounded) - Fraction(amount)) <= Fraction(unit, 2)
    assert round_to_unit(-amount, unit) == -rounded


@given(amounts, units)
def test_round_to_unit_agrees_with_decimal_round_half_up(amount, unit):
    with localcontext() as context:
        context.prec = 60
        expected = int((Decimal(amount) / unit).quantize(Decimal(1), ROUND_HALF_UP)) * unit
    assert round_to_unit(amount, unit) == expected


# -- split_largest_remainder --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "unit", "parts", "carry"),
    [
        # quotas 33⅓ each: the one unit left goes to the first of three equal remainders
        (100, [1, 1, 1], 1, [34, 33, 33], 0),
        # quotas 10/7, 20/7, 40/7 = 1+3/7, 2+6/7, 5+5/7: two units left, to 6/7 then 5/7
        (10, [1, 2, 4], 1, [1, 3, 6], 0),
        # quotas 1, ½, ½: one unit left, a tie between the 2nd and 3rd, the earlier wins
        (2, [2, 1, 1], 1, [1, 1, 0], 0),
        # quotas 1½, ¾, ¾: remainders ½, ¾, ¾; two units left go to the ¾s, not the first
        (3, [2, 1, 1], 1, [1, 1, 1], 0),
        # 25 XOF: 40 units, quotas 4, 8, 12, 16 exactly
        (1000, [1, 2, 3, 4], 25, [100, 200, 300, 400], 0),
        # 25 XOF not dividing the total: 1010 = 40 units + 10 carried over
        (1010, [1, 1], 25, [500, 500], 10),
        # 25 XOF, 4 units for three equal weights: 1⅓ each, the first gets the unit left
        (100, [1, 1, 1], 25, [50, 25, 25], 0),
        # 25 XOF, a zero weight: quotas 13⅓, 0, 26⅔, the unit left to ⅔
        (1000, [1, 0, 2], 25, [325, 0, 675], 0),
        (10_010, [3, 5, 0, 2], 25, [3000, 5000, 0, 2000], 10),
        # 500 kobo: 1,000,100 kobo = 2000 units + 100 kobo; 666⅔ units each, two units left
        (1_000_100, [1, 1, 1], 500, [333_500, 333_500, 333_000], 100),
        # 500 kobo, two units for weights 2, 1, 1: quotas 1, ½, ½, the earlier ½ wins
        (1030, [2, 1, 1], 500, [500, 500, 0], 30),
        # less than one unit: nothing to split, all carried over
        (20, [1, 1], 25, [0, 0], 20),
        (0, [1, 2], 1, [0, 0], 0),
        # a single weight takes every whole unit
        (1234, [7], 25, [1225], 9),
    ],
)
def test_split_largest_remainder_by_hand(total, weights, unit, parts, carry):
    assert split_largest_remainder(total, weights, unit) == (parts, carry)


def test_split_with_all_weights_zero_carries_everything_over():
    assert split_largest_remainder(1234, [0, 0, 0], 25) == ([0, 0, 0], 1234)


def test_split_without_weights_carries_everything_over():
    assert split_largest_remainder(1234, [], 25) == ([], 1234)


def test_split_does_not_change_the_weights():
    weights = [3, 1, 2]
    split_largest_remainder(100, weights)
    assert weights == [3, 1, 2]


@pytest.mark.parametrize(
    ("total", "weights", "unit", "error"),
    [
        (-1, [1, 1], 1, ValueError),
        (100, [1, -1], 1, ValueError),
        (100, [1, 1], 0, ValueError),
        (100, [1, 1], -25, ValueError),
        (100.0, [1, 1], 1, TypeError),
        (100, [1.5, 1], 1, TypeError),
        (100, [1, 1], 2.5, TypeError),
        (Decimal(100), [1, 1], 1, TypeError),
    ],
)
def test_split_refuses_negatives_and_non_integers(total, weights, unit, error):
    with pytest.raises(error):
        split_largest_remainder(total, weights, unit)


def reference_split(total, weights, unit):
    """The method as DESIGN.md states it, in Fractions: floors of quotas, then largest remainders."""
    units = total // unit
    if sum(weights) == 0:
        return [0] * len(weights), total
    quotas = [Fraction(units * w, sum(weights)) for w in weights]
    counts = [int(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - counts[i]), i))
    for i in order[: units - sum(counts)]:
        counts[i] += 1
    return [c * unit for c in counts], total - units * unit


totals = st.integers(0, 10**15)
weight_lists = st.lists(st.integers(0, 10**6), max_size=30)


@given(totals, weight_lists, units)
def test_split_adds_up_in_whole_units(total, weights, unit):
    parts, carry = split_largest_remainder(total, weights, unit)
    assert len(parts) == len(weights)
    assert sum(parts) + carry == total
    assert all(part % unit == 0 and part >= 0 for part in parts)
    if any(weights):
        assert 0 <= carry < unit
        assert carry == total % unit
    else:
        assert parts == [0] * len(weights)
        assert carry == total


@given(totals, weight_lists, units)
def test_each_part_is_within_one_unit_of_its_quota(total, weights, unit):
    parts, _ = split_largest_remainder(total, weights, unit)
    if not any(weights):
        return
    shared = total // unit * unit
    for part, weight in zip(parts, weights, strict=True):
        quota = Fraction(shared * weight, sum(weights))
        assert quota - unit < part < quota + unit
        if weight == 0:
            assert part == 0


@given(totals, weight_lists, units)
def test_a_larger_weight_never_gets_less(total, weights, unit):
    parts, _ = split_largest_remainder(total, weights, unit)
    for i, (part_i, weight_i) in enumerate(zip(parts, weights, strict=True)):
        for part_j, weight_j in zip(parts[i + 1 :], weights[i + 1 :], strict=True):
            if weight_i == weight_j:
                assert part_j <= part_i <= part_j + unit  # a tie goes to the earlier weight
            elif weight_i < weight_j:
                assert part_i <= part_j
            else:
                assert part_i >= part_j


@given(st.integers(0, 10**9), st.lists(st.integers(0, 50), max_size=12), st.integers(1, 100))
def test_split_matches_the_method_as_written(total, weights, unit):
    assert split_largest_remainder(total, weights, unit) == reference_split(total, weights, unit)


# -- to_major / to_minor ------------------------------------------------------------------------


def test_to_major_is_exact_with_the_currency_decimals():
    assert to_major(123456, "NGN") == Decimal("1234.56")
    assert to_major(123450, "NGN").as_tuple().exponent == -2
    assert str(to_major(123450, "NGN")) == "1234.50"
    assert str(to_major(1234500, "XOF")) == "1234500"
    assert str(to_major(-5, "NGN")) == "-0.05"
    assert to_major(10**18 + 1, "NGN") == Decimal("10000000000000000.01")


@pytest.mark.parametrize(
    ("major", "currency", "expected"),
    [
        ("1234.56", "NGN", 123456),
        ("1234.5", "NGN", 123450),
        ("-0.05", "NGN", -5),
        (Decimal("12.500"), "NGN", 1250),
        (12, "NGN", 1200),
        (1234500, "XOF", 1234500),
        ("1234500", "XOF", 1234500),
        (Decimal("1E+3"), "XOF", 1000),
    ],
)
def test_to_minor(major, currency, expected):
    assert to_minor(major, currency) == expected


@pytest.mark.parametrize(
    ("major", "currency", "error"),
    [
        ("12.5", "XOF", ValueError),
        ("0.001", "NGN", ValueError),
        ("1e3", "XOF", ValueError),
        ("1,234", "XOF", ValueError),
        ("", "XOF", ValueError),
        ("NaN", "XOF", ValueError),
        (Decimal("NaN"), "XOF", ValueError),
        (12.5, "NGN", TypeError),
        (True, "NGN", TypeError),
    ],
)
def test_to_minor_refuses_to_round_or_guess(major, currency, error):
    with pytest.raises(error):
        to_minor(major, currency)


@given(st.integers(-(10**18), 10**18), st.sampled_from(["XOF", "NGN", "KWD"]))
def test_to_minor_undoes_to_major(amount, currency):
    assert to_minor(to_major(amount, currency), currency) == amount


# -- format_amount ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "text"),
    [
        (1234500, "XOF", "fr", f"1{NNBSP}234{NNBSP}500{NBSP}F{NNBSP}CFA"),
        (-1234500, "XOF", "fr", f"-1{NNBSP}234{NNBSP}500{NBSP}F{NNBSP}CFA"),
        (1234500, "XOF", "en", f"F{NNBSP}CFA1,234,500"),
        (123456, "NGN", "en", "NGN1,234.56"),
        (123450, "NGN", "en", "NGN1,234.50"),
        (123450, "NGN", "fr", f"1{NNBSP}234,50{NBSP}NGN"),
        (5, "NGN", "en", "NGN0.05"),
        (0, "NGN", "en", "NGN0.00"),
        (125, "EUR", "en", "€1.25"),  # a half-even rounding to 1 decimal would show €1.2
        (10**15 + 5, "NGN", "en", "NGN10,000,000,000,000.05"),  # a float would lose the 5 kobo
    ],
)
def test_format_amount(amount, currency, locale, text):
    assert format_amount(amount, currency, locale) == text


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "text"),
    [
        (1234500, "XOF", "fr", f"1{NNBSP}234{NNBSP}500"),
        (1234500, "XOF", "en", "1,234,500"),
        (123450, "NGN", "en", "1,234.50"),
        (123450, "NGN", "fr", f"1{NNBSP}234,50"),
        (0, "NGN", "fr", "0,00"),
        (-5, "NGN", "en", "-0.05"),
        (123456700, "BDT", "en_IN", "12,34,567.00"),
    ],
)
def test_format_amount_without_symbol_keeps_the_currency_decimals(amount, currency, locale, text):
    assert format_amount(amount, currency, locale, with_symbol=False) == text


# Babel's own formatting of the exact Decimal: what format_amount writes faster.
def babel_amount(amount, currency, locale, with_symbol):
    value = to_major(amount, currency)
    if with_symbol:
        return format_currency(value, currency, locale=locale)
    pattern = Locale.parse(locale).decimal_formats[None]
    return format_currency(value, currency, format=pattern, locale=locale)


# The app's languages, and locales with other patterns: the symbol after the number or before
# it with a space, Indian grouping (3 then 2), direction marks, a quote as the group (de_CH).
LOCALES = ["en", "fr", "es", "ar", "pt_PT", "pt", "en_IN", "hi", "bn", "fa", "he", "de_CH"]
CURRENCIES = ["XOF", "NGN", "BDT", "EUR", "GNF", "KWD", "USD", "JPY", "CHF", "INR"]


@given(
    st.one_of(st.integers(-(10**18), 10**18), st.integers(-1000, 1000)),
    st.sampled_from(CURRENCIES),
    st.sampled_from(LOCALES),
    st.booleans(),
)
def test_format_amount_writes_what_babel_writes(amount, currency, locale, with_symbol):
    expected = babel_amount(amount, currency, locale, with_symbol)
    assert format_amount(amount, currency, locale, with_symbol=with_symbol) == expected


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("currency", CURRENCIES)
def test_format_amount_writes_what_babel_writes_at_each_length(locale, currency):
    for with_symbol in (True, False):
        for amount in [0, *(sign * int("1" * n) for n in range(1, 20) for sign in (1, -1))]:
            expected = babel_amount(amount, currency, locale, with_symbol)
            assert format_amount(amount, currency, locale, with_symbol=with_symbol) == expected


def test_format_amount_refuses_an_unknown_currency():
    with pytest.raises(ValueError):
        format_amount(100, "ZZZ", "en")


@pytest.mark.parametrize("amount", [12.5, Decimal(12), "12", True])
def test_format_amount_takes_minor_units_only(amount):
    with pytest.raises(TypeError):
        format_amount(amount, "NGN", "en")


# -- parse_amount -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "currency", "locale", "amount"),
    [
        ("1 234 500", "XOF", "fr", 1234500),  # a plain space groups in French
        (f"1{NBSP}234{NBSP}500", "XOF", "fr", 1234500),
        (f"1{NNBSP}234{NNBSP}500", "XOF", "fr", 1234500),
        ("1234500", "XOF", "fr", 1234500),
        ("  25  ", "XOF", "fr", 25),
        ("1,234,500", "XOF", "en", 1234500),
        ("1234500", "XOF", "en", 1234500),
        ("1234.56", "NGN", "en", 123456),
        ("1,234.5", "NGN", "en", 123450),
        ("0.05", "NGN", "en", 5),
        (".5", "NGN", "en", 50),
        ("1 234,56", "NGN", "fr", 123456),
        ("0,05", "NGN", "fr", 5),
        ("1.234,56", "NGN", "de", 123456),
        ("12,34,567.00", "BDT", "en_IN", 123456700),
        ("١٢٣٤", "XOF", "en", 1234),  # Arabic-Indic digits
        ("\u200f1,234.50", "NGN", "ar", 123450),  # a right-to-left mark from a copy-paste
        ("0", "XOF", "fr", 0),
        ("-0", "XOF", "fr", 0),
        (str(MAX_AMOUNT), "XOF", "en", MAX_AMOUNT),
    ],
)
def test_parse_amount(text, currency, locale, amount):
    assert parse_amount(text, currency, locale) == amount


@pytest.mark.parametrize(
    ("text", "amount"), [("-1 234,50", -123450), ("\u22125", -500), ("- 5", -500)]
)
def test_parse_amount_allows_negatives_when_asked(text, amount):
    assert parse_amount(text, "NGN", "fr", allow_negative=True) == amount


NOT_AN_AMOUNT = "%(text)s is not an amount: write it like %(example)s."
TOO_MANY_DECIMALS = "Too many decimals: write %(currency)s amounts like %(example)s."
NEGATIVE = "The amount cannot be negative."
TOO_LARGE = "The amount cannot be more than %(maximum)s."


@pytest.mark.parametrize(
    ("text", "currency", "locale", "message"),
    [
        ("", "XOF", "fr", "Enter an amount."),
        (f" {NBSP} ", "XOF", "fr", "Enter an amount."),
        ("abc", "XOF", "fr", NOT_AN_AMOUNT),
        ("12 F CFA", "XOF", "fr", NOT_AN_AMOUNT),
        ("1.000", "XOF", "fr", NOT_AN_AMOUNT),  # "." is no French separator: not read as 1
        ("12.50", "NGN", "fr", NOT_AN_AMOUNT),
        ("1,23", "NGN", "en", NOT_AN_AMOUNT),  # grouping in the wrong place
        ("1 234", "NGN", "en", NOT_AN_AMOUNT),  # a space does not group in English
        ("1e5", "XOF", "en", NOT_AN_AMOUNT),
        ("NaN", "XOF", "en", NOT_AN_AMOUNT),
        ("Infinity", "XOF", "en", NOT_AN_AMOUNT),
        ("1_000", "XOF", "en", NOT_AN_AMOUNT),
        ("+5", "XOF", "en", NOT_AN_AMOUNT),
        ("--5", "XOF", "en", NOT_AN_AMOUNT),
        ("-", "XOF", "en", NOT_AN_AMOUNT),
        (",", "XOF", "fr", NOT_AN_AMOUNT),
        ("1.2.3", "NGN", "en", NOT_AN_AMOUNT),
        ("1.000", "XOF", "en", TOO_MANY_DECIMALS),  # even zeros: likely meant a thousand
        ("12,5", "XOF", "fr", TOO_MANY_DECIMALS),
        ("12,345", "NGN", "fr", TOO_MANY_DECIMALS),
        ("12.345", "NGN", "en", TOO_MANY_DECIMALS),
        ("12.500", "NGN", "en", TOO_MANY_DECIMALS),
        ("-5", "XOF", "fr", NEGATIVE),
        ("-0,05", "NGN", "fr", NEGATIVE),
        ("1000000000000001", "XOF", "en", TOO_LARGE),
        ("10 000 000 000 000,01", "NGN", "fr", TOO_LARGE),
        ("9" * 100, "XOF", "en", TOO_LARGE),
    ],
)
def test_parse_amount_refuses(text, currency, locale, message):
    with pytest.raises(MoneyError) as caught:
        parse_amount(text, currency, locale)
    assert caught.value.message == message
    assert str(caught.value) == message % caught.value.params


def test_money_error_is_a_translatable_domain_error():
    with pytest.raises(MoneyError) as caught:
        parse_amount("12,5", "XOF", "fr")
    error = caught.value
    assert isinstance(error, DomainError)
    assert isinstance(error, ValueError)
    assert error.field is None
    assert error.params == {"currency": "XOF", "example": f"1{NNBSP}234"}
    assert error.translate(lambda msgid, **params: "«" + msgid % params + "»") == (
        f"«Too many decimals: write XOF amounts like 1{NNBSP}234.»"
    )


def test_money_error_examples_follow_the_locale():
    with pytest.raises(MoneyError) as caught:
        parse_amount("x", "NGN", "en", field="amount")
    assert caught.value.params == {"text": "x", "example": "1,234.50"}
    assert caught.value.field == "amount"
    with pytest.raises(MoneyError) as caught:
        parse_amount("999999999999999999", "NGN", "fr")
    assert caught.value.params == {
        "maximum": f"10{NNBSP}000{NNBSP}000{NNBSP}000{NNBSP}000,00{NBSP}NGN"
    }


def test_parse_amount_needs_text():
    with pytest.raises(TypeError):
        parse_amount(1234, "XOF", "fr")


@given(
    st.integers(-MAX_AMOUNT, MAX_AMOUNT),
    st.sampled_from(["XOF", "NGN", "KWD"]),
    st.sampled_from(["en", "fr", "de", "ar", "en_IN"]),
)
def test_parse_amount_reads_back_format_amount(amount, currency, locale):
    text = format_amount(amount, currency, locale, with_symbol=False)
    assert parse_amount(text, currency, locale, allow_negative=True) == amount
