"""The QR codes' modules: _QRCode places the data and chooses the mask faster than `qrcode`,
and must draw exactly the code `qrcode` draws (the same modules, so the same mask)."""

import qrcode
from hypothesis import given, settings
from hypothesis import strategies as st
from qrcode.constants import ERROR_CORRECT_M
from qrcode.util import lost_point as qrcode_lost_point

from savings_groups.qr.svg import QUIET_ZONE, _QRCode, lost_point, matrix, svg


def qrcode_matrix(data: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(data.encode("utf-8"))
    code.make(fit=True)
    return code.get_matrix()


# What the codes carry: links ending in a base32 token, card codes, and any text.
LINK = st.builds(
    lambda token: f"http://localhost:5000/verify/{token}",
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=1, max_size=300),
)
TEXT = st.one_of(LINK, st.text(min_size=1, max_size=200))


@settings(max_examples=60, deadline=None)
@given(TEXT)
def test_the_modules_are_those_qrcode_draws(data):
    assert matrix(data) == qrcode_matrix(data)


@settings(max_examples=30, deadline=None)
@given(TEXT)
def test_each_mask_scores_as_qrcode_scores_it(data):
    code = _QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(data.encode("utf-8"))
    code.best_fit()
    for pattern in range(8):
        code.makeImpl(True, pattern)
        assert lost_point(code.modules) == qrcode_lost_point(code.modules)


def test_every_version_draws_as_qrcode():
    # From 1 byte to the largest a medium-correction code holds (versions 1 to 40).
    for size in (
        1,
        14,
        26,
        42,
        62,
        84,
        106,
        122,
        152,
        180,
        213,
        251,
        287,
        331,
        362,
        412,
        1000,
        2331,
    ):
        data = "".join("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[(7 * i) % 32] for i in range(size))
        assert matrix(data) == qrcode_matrix(data), size


def test_the_svg_draws_each_dark_run_of_a_row():
    modules = matrix("HELLO")
    drawn = svg("HELLO")
    for y, row in enumerate(modules):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                assert f"M{start} {y}h{x - start}v1h-{x - start}z" in drawn
            else:
                x += 1
    assert drawn.count("z") == sum(
        1 for row in modules for x, dark in enumerate(row) if dark and (x == 0 or not row[x - 1])
    )
