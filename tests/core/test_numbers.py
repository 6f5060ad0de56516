"""Whole numbers typed by people: one parser, the reader's grouping, one set of messages."""

from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from savings_groups.core.errors import DomainError, Number
from savings_groups.core.numbers import (
    BLANK,
    MAX_WHOLE,
    NOT_WHOLE,
    TOO_LARGE,
    TOO_SMALL,
    format_number,
    parse_whole,
    read,
)

NNBSP, NBSP = "\u202f", "\xa0"


def refusal(value, locale="en", **limits) -> DomainError:
    with pytest.raises(DomainError) as refused:
        parse_whole(value, "shares", locale=locale, **limits)
    assert refused.value.field == "shares"
    return refused.value


# The cases every place that takes a whole number used to read differently.


@pytest.mark.parametrize(
    ("locale", "typed", "number"),
    [
        ("fr", "1 200", 1200),
        ("fr", f"1{NBSP}200", 1200),
        ("fr", f"1{NNBSP}200", 1200),  # as Babel writes it, copied back
        ("fr", f"1{NNBSP}234{NNBSP}567", 1234567),
        ("en", "1,200", 1200),
        ("en", "1200", 1200),
        ("fr", "1200", 1200),  # grouping is never required
        ("de", "1.200", 1200),
        ("en", " 12 ", 12),
        ("en", "007", 7),
        ("en", "١٢", 12),  # Arabic-Indic digits
        ("fr", "১২০০", 1200),  # Bengali digits
        ("en", "３", 3),  # a full-width digit
        ("en", "\u200e12\u200f", 12),  # direction marks around a number in a right-to-left page
        ("en", "-0", 0),
    ],
)
def test_whole_numbers_are_read_as_the_reader_writes_them(locale, typed, number):
    assert parse_whole(typed, locale=locale) == number


@pytest.mark.parametrize(
    ("locale", "typed"),
    [
        ("en", "1 2"),
        ("fr", "1 2"),  # a space groups thousands in French, not single digits
        ("fr", f"12{NNBSP}00"),
        ("en", "1,2"),
        ("en", "1 200"),  # English does not group with a space
        ("en", "1.200"),
        ("fr", "1.200"),
        ("fr", "1,200"),  # a decimal comma in French
        ("fr", "12,5"),
        ("fr", "12,0"),  # refused even before zeros: a decimal symbol was typed
        ("en", "12.0"),
        ("en", "abc"),
        ("en", "12a"),
        ("en", "+3"),
        ("en", "1_2"),  # Python's int() would read 12
        ("en", "-"),
        ("en", ","),
    ],
)
def test_anything_but_a_whole_number_in_the_readers_way_is_refused(locale, typed):
    error = refusal(typed, locale)
    assert (error.message, error.params) == (NOT_WHOLE, {"text": typed.strip()})


def test_a_number_below_the_minimum_gets_one_message_whatever_its_sign():
    for typed in ("-3", "\u22123", "- 3", -3):
        error = refusal(typed)
        assert (error.message, error.params) == (TOO_SMALL, {"minimum": 0})
        assert isinstance(error.params["minimum"], Number)
    assert refusal("0", minimum=1).params == {"minimum": 1}
    assert parse_whole("-3", locale="en", minimum=None) == -3


def test_a_number_above_the_maximum_names_it():
    error = refusal("51", maximum=50)
    assert (error.message, error.params) == (TOO_LARGE, {"maximum": 50})
    assert parse_whole("50", locale="en", maximum=50) == 50
    assert refusal("9" * 5000).params == {"maximum": MAX_WHOLE}  # without reading 5000 digits
    assert refusal(str(MAX_WHOLE + 1)).message == TOO_LARGE


def test_blank_is_refused_or_none_as_the_caller_says():
    for blank in ("", "   ", f"{NNBSP}", None):
        assert refusal(blank).message == BLANK
        assert parse_whole(blank, locale="en", required=False) is None


def test_an_int_from_code_is_checked_against_the_same_limits():
    assert parse_whole(7, locale="en", maximum=10) == 7
    assert refusal(11, maximum=10).message == TOO_LARGE
    with pytest.raises(TypeError):
        parse_whole(True, locale="en")
    with pytest.raises(TypeError):
        parse_whole(2.0, locale="en")


@given(st.integers(-MAX_WHOLE, MAX_WHOLE), st.sampled_from(["en", "fr", "de", "es", "hi", "ar"]))
def test_any_whole_number_written_by_babel_is_read_back(number, locale):
    written = format_decimal(number, locale=locale)
    assert parse_whole(written, locale=locale, minimum=None) == number


@given(st.integers(0, MAX_WHOLE))
def test_a_number_written_with_plain_digits_is_read_in_any_locale(number):
    for locale in ("en", "fr"):
        assert parse_whole(str(number), locale=locale) == number


def test_read_sets_the_sign_apart_and_drops_a_suffix():
    assert read(f" −{NBSP}1 200,5 % ", "fr", suffix="%") == (True, f"1{NNBSP}200,5")
    assert read("%", "fr", suffix="%") is None
    assert read("  ", "en") is None


# Numbers in messages


@pytest.mark.parametrize(
    ("value", "locale", "text"),
    [
        (Decimal("1.5"), "en", "1.5"),
        (Decimal("1.5"), "fr", "1,5"),
        (Decimal("2.50"), "fr", "2,5"),
        (Decimal("1.2345"), "fr", "1,2345"),  # every decimal kept: a rule's ratio as it was set
        (100000, "fr", f"100{NNBSP}000"),
        (100000, "en", "100,000"),
    ],
)
def test_numbers_are_written_the_readers_way(value, locale, text):
    assert format_number(Number(value), locale) == text


def test_a_number_is_a_decimal_and_never_a_float():
    assert Number(3) == 3 and str(Number("1.5")) == "1.5" and isinstance(Number(3), Decimal)
    with pytest.raises(TypeError):
        Number(1.5)
