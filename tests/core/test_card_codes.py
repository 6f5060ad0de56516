"""Card identifiers: made, read back through a scanner's noise, and a misread never accepted."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from savings_groups.core import card_codes
from savings_groups.core.card_codes import ALPHABET, LENGTH, PREFIX, check_character, parse

bodies = st.text(alphabet=ALPHABET, min_size=LENGTH - 1, max_size=LENGTH - 1)


def code_of(body: str) -> str:
    return PREFIX + body + check_character(body)


def test_a_new_code_is_the_prefix_and_nine_unambiguous_characters():
    codes = {card_codes.new_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert code.startswith("SG-") and len(code) == 12
        assert not set(code[3:]) & set("0O1IL")
        assert parse(code) == code


@given(bodies)
def test_every_code_reads_back(body):
    assert parse(code_of(body)) == code_of(body)


@given(
    bodies,
    st.sampled_from(["", " ", "  ", "\t", "\n"]),
    st.sampled_from(["", "\r\n", "\n", "\r", " ", "\t"]),
    st.sampled_from(["", "]", "*", "#", "x", "Q"]),
    st.sampled_from(["", "*", "~", "#", "k"]),
    st.booleans(),
    st.booleans(),
)
def test_a_scanners_noise_is_forgiven(body, before, after, prefix, suffix, lower, no_dash):
    code = code_of(body)
    typed = code.replace("-", "") if no_dash else code
    typed = typed.lower() if lower else typed
    assert parse(f"{before}{prefix}{typed}{suffix}{after}") == code


@given(bodies, st.data())
def test_any_one_character_changed_is_refused(body, data):
    code = code_of(body)
    at = data.draw(st.integers(min_value=3, max_value=len(code) - 1))
    other = data.draw(st.sampled_from([c for c in ALPHABET if c != code[at]]))
    misread = code[:at] + other + code[at + 1 :]
    assert parse(misread) is None


@given(bodies, st.data())
def test_two_neighbours_swapped_are_refused(body, data):
    code = code_of(body)
    at = data.draw(st.integers(min_value=3, max_value=len(code) - 2))
    swapped = code[:at] + code[at + 1] + code[at] + code[at + 2 :]
    if swapped != code:
        assert parse(swapped) is None


def test_every_single_change_and_swap_of_one_code_is_refused():
    """Exhaustively, for one code: 9 positions × 30 other characters, and the 8 swaps."""
    code = code_of("7KQ4M2XH")
    for at in range(3, len(code)):
        for other in ALPHABET.replace(code[at], ""):
            assert parse(code[:at] + other + code[at + 1 :]) is None
    for at in range(3, len(code) - 1):
        swapped = code[:at] + code[at + 1] + code[at] + code[at + 2 :]
        assert swapped == code or parse(swapped) is None


@pytest.mark.parametrize(
    "text", ["", None, "   ", "SG-", "SG-7KQ4M2X", "hello", "SG-7KQ4M2XH", "12345678901234"]
)
def test_text_that_is_no_code_is_refused(text):
    assert parse(text) is None


def test_a_us_scanner_on_a_french_keyboard_is_understood():
    """A scanner set to US English typing on an AZERTY laptop: digits come out unshifted (é for
    2…), A and Q, Z and W swapped, and the dash as ")"."""
    code = code_of("2AQ7ZW9K")
    azerty = code.translate(str.maketrans("-23456789AQZW", ")é\"'(-è_çQAWZ"))
    assert azerty != code
    assert parse(azerty) == code
