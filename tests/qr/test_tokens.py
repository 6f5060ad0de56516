"""Signed statement tokens: round trip, every kind of tampering, truncation, unknown keys."""

import base64
from datetime import date

import pytest
import qrcode
from hypothesis import given
from hypothesis import strategies as st
from qrcode.constants import ERROR_CORRECT_M

from savings_groups.qr.tokens import (
    FIELDS,
    MAC_BYTES,
    Statement,
    TokenError,
    grouped,
    normalise,
    sign,
    verify,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


def receipt(**changes) -> Statement:
    figures = {
        "currency": "XOF",
        "member_number": 12,
        "initials": "AD",
        "shares": 3,
        "savings": 3_000,
        "social_fund": 200,
        "repaid": 5_500,
        "fines": 0,
        "paid": 8_700,
        "loan_received": 0,
        "welfare": 0,
        "shares_to_date": 27,
        "savings_to_date": 27_000,
    }
    figures.update(changes)
    return Statement("receipt", 41, date(2026, 11, 28), figures)


def _bytes(token: str) -> bytes:
    return base64.b32decode(token + "=" * (-len(token) % 8))


def _token(data: bytes) -> str:
    return base64.b32encode(data).decode().rstrip("=")


def test_round_trip_gives_the_statement_and_the_key():
    token = sign(receipt(), 3, KEY)
    verified = verify(token, {3: KEY})
    assert verified.statement == receipt()
    assert verified.key_id == 3


def test_negative_amounts_long_names_and_old_dates_survive():
    statement = Statement(
        "slip",
        7,
        date(1999, 12, 31),
        {
            "currency": "NGN",
            "cycle_number": 2,
            "member_number": 130,
            "initials": "ÉNÀ",
            "shares": 0,
            "saved": 0,
            "profit": -1_250,
            "deducted": 90_000_000_000,
            "social_fund": 0,
            "received": -88_750,
        },
    )
    assert verify(sign(statement, 1, KEY), {1: KEY}).statement == statement


def test_a_typed_token_with_spaces_dashes_and_lower_case_verifies():
    token = sign(receipt(), 1, KEY)
    typed = grouped(token).lower().replace(" ", " - ")
    assert verify(typed, {1: KEY}).statement == receipt()
    assert normalise(f"https://sg.example.org/verify/{token}") == token


def test_the_mac_is_96_bits_and_the_link_fits_a_version_10_code():
    token = sign(receipt(), 1, KEY)
    assert len(_bytes(token)) - MAC_BYTES > 10
    link = f"http://192.168.100.200:5000/verify/{token}"
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
    code.add_data(link.encode())
    code.make(fit=True)
    assert code.version <= 10, (len(link), code.version)


def test_every_kind_fits_a_version_10_code_with_big_figures():
    for kind, fields in FIELDS.items():
        figures = {
            name: ("XOF" if name == "currency" else "ABCDE" if kind_ == "text" else -9 * 10**11)
            for name, kind_ in fields
        }
        token = sign(Statement(kind, 10**6, date(2030, 12, 31), figures), 99, KEY)
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
        code.add_data(f"https://savings-groups.example.org/verify/{token}".encode())
        code.make(fit=True)
        assert code.version <= 10, (kind, len(token), code.version)


@given(st.data())
def test_changing_any_byte_is_detected(data):
    token = sign(receipt(), 1, KEY)
    raw = bytearray(_bytes(token))
    at = data.draw(st.integers(0, len(raw) - 1))
    new = data.draw(st.integers(0, 255).filter(lambda b: b != raw[at]))
    raw[at] = new
    with pytest.raises(TokenError) as caught:
        verify(_token(bytes(raw)), {1: KEY, 2: OTHER_KEY})
    assert caught.value.reason in {"altered", "truncated", "version", "unknown_key", "malformed"}


@given(
    st.sampled_from(sorted(set(FIELDS["receipt"]) - {("currency", "text")})),
    st.integers(-(2**62), 2**62),
)
def test_a_token_signed_for_other_figures_never_passes_for_these(field, value):
    name, kind = field
    if kind == "text":
        value = str(value)
    changed = receipt(**{name: value})
    if changed == receipt():
        return
    token = sign(changed, 1, KEY)
    assert verify(token, {1: KEY}).statement != receipt()


def test_changing_the_key_id_the_date_or_the_member_is_detected():
    token = sign(receipt(), 1, KEY)
    raw = bytearray(_bytes(token))
    raw[2] = 2  # the key id: another key the installation knows
    with pytest.raises(TokenError) as caught:
        verify(_token(bytes(raw)), {1: KEY, 2: OTHER_KEY})
    assert caught.value.reason == "altered"
    raw[2] = 9  # a key it does not know
    with pytest.raises(TokenError) as caught:
        verify(_token(bytes(raw)), {1: KEY, 2: OTHER_KEY})
    assert caught.value.reason == "unknown_key"
    for change in ({"member_number": 13}, {"initials": "AB"}, {"paid": 8_701}):
        forged_payload = _bytes(sign(receipt(**change), 1, OTHER_KEY))[:-MAC_BYTES]
        mac = _bytes(token)[-MAC_BYTES:]
        with pytest.raises(TokenError) as caught:
            verify(_token(forged_payload + mac), {1: KEY})
        assert caught.value.reason == "altered"


def test_changing_the_mac_is_detected():
    raw = bytearray(_bytes(sign(receipt(), 1, KEY)))
    for at in range(len(raw) - MAC_BYTES, len(raw)):
        altered = bytearray(raw)
        altered[at] ^= 1
        with pytest.raises(TokenError) as caught:
            verify(_token(bytes(altered)), {1: KEY})
        assert caught.value.reason == "altered"


def test_a_token_cut_short_is_refused():
    token = sign(receipt(), 1, KEY)
    for length in range(0, len(token)):
        with pytest.raises(TokenError) as caught:
            verify(token[:length], {1: KEY})
        assert caught.value.reason in {"truncated", "malformed", "altered"}, length
    assert _reason(token[: len(token) - 8]) == "truncated"
    assert _reason(token[:20]) == "truncated"


def test_an_unknown_key_and_rubbish_are_refused_with_their_reason():
    token = sign(receipt(), 5, KEY)
    with pytest.raises(TokenError) as caught:
        verify(token, {1: KEY})
    assert (caught.value.reason, caught.value.key_id) == ("unknown_key", 5)
    assert _reason("hello, world!") == "malformed"
    assert _reason("") == "malformed"


def _reason(token: str) -> str:
    with pytest.raises(TokenError) as caught:
        verify(token, {1: KEY})
    return caught.value.reason


def test_every_byte_of_every_kind_changed_in_every_bit_is_detected():
    for kind, fields in FIELDS.items():
        figures = {name: ("XOF" if t == "text" else 1_234) for name, t in fields}
        raw = _bytes(sign(Statement(kind, 9, date(2026, 5, 1), figures), 1, KEY))
        for at in range(len(raw)):
            for bit in range(8):
                altered = bytearray(raw)
                altered[at] ^= 1 << bit
                with pytest.raises(TokenError):
                    verify(_token(bytes(altered)), {1: KEY, 2: OTHER_KEY, 3: KEY[::-1]})


def test_sizes_stay_small():
    """A big slip's token is 80 characters at most: its link on a local network is a version 6
    code at level M (well under 10), and the code printed under it stays typeable."""
    figures = {
        "currency": "XOF", "cycle_number": 12, "member_number": 140, "initials": "MBD",
        "shares": 250, "saved": 2_500_000, "profit": 312_500, "deducted": 150_000,
        "social_fund": 25_000, "received": 2_687_500,
    }  # fmt: skip
    token = sign(Statement("slip", 12_345, date(2027, 6, 30), figures), 3, KEY)
    assert len(token) <= 80, len(token)
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
    code.add_data(f"http://192.168.100.200:5000/verify/{token}".encode())
    code.make(fit=True)
    assert code.version <= 6
