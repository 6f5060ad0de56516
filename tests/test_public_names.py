"""The pure functions that DESIGN.md fixes keep their documented import paths after the move."""

from decimal import Decimal

from savings_groups.loans import schedule
from savings_groups.money import currency_digits, round_to_unit, split_largest_remainder
from savings_groups.rosca import draw
from savings_groups.shareout import compute


def test_the_documented_names_still_compute():
    assert currency_digits("XOF") == 0 and currency_digits("NGN") == 2
    assert round_to_unit(Decimal("37.5"), 25) == 50
    assert split_largest_remainder(10, [1, 1, 1]) == ([4, 3, 3], 0)
    assert [line.total for line in schedule(1000, Decimal("0.1"), 2, "flat")] == [600, 600]
    assert draw("12 7 33", 3, [5, 1, 3]) in (1, 3, 5)
    assert compute(11, {}, {"a": 1, "b": 3}, unit=5).payouts == {"a": 0, "b": 10}
