"""ROSCA pure core by hand-computed cases: contributions, orders, bids, discounts, positions."""

import pytest

from savings_groups.core.errors import Amount
from savings_groups.rosca.compute import (
    BidOutcome,
    Position,
    RoscaError,
    contribution_parts,
    draw,
    fixed_order,
    holder_parts,
    positions,
    resolve_bids,
    split_discount,
    unserved,
)


def test_one_holder_pays_the_whole_contribution():
    assert contribution_parts(10_000, 1) == [10_000]


def test_two_holders_pay_half_each_the_first_the_odd_unit():
    assert contribution_parts(10_000, 2) == [5_000, 5_000]
    assert contribution_parts(1_001, 2) == [501, 500]


@pytest.mark.parametrize("holders", [0, 3])
def test_a_hand_has_one_or_two_holders(holders):
    with pytest.raises(RoscaError) as caught:
        contribution_parts(10_000, holders)
    assert caught.value.field == "hands"


def test_a_half_hand_gets_back_in_proportion_to_what_each_pays():
    # 1 001 kobo a round over 4 rounds: one pays 501 x 4, the other 500 x 4.
    assert holder_parts(4 * 1_001, 1_001, 2) == [2_004, 2_000]
    assert holder_parts(4 * 1_001, 1_001, 1) == [4_004]
    assert sum(holder_parts(3_999, 1_001, 2)) == 3_999


def test_a_fixed_order_lists_the_hands_by_position():
    assert fixed_order({1: 3, 2: 1, 3: 2}) == [2, 3, 1]
    assert fixed_order({}) == []


@pytest.mark.parametrize(
    "positions, words",
    [
        ({1: 1, 2: 1, 3: 2}, "given to two hands"),
        ({1: 1, 2: 4, 3: 2}, "outside 1 to 3"),
        ({1: 0, 2: 1}, "outside 1 to 2"),
        ({1: 1, 2: None}, "from 1 to 2"),
    ],
)
def test_a_fixed_order_needs_each_position_once(positions, words):
    with pytest.raises(RoscaError) as caught:
        fixed_order(positions)
    assert caught.value.field == "position"
    assert words in str(caught.value)


def test_the_highest_discount_wins():
    outcome = resolve_bids(60_000, {1: 3_000, 4: 7_500, 6: 0}, None, 2)
    assert outcome == BidOutcome(winner=4, discount=7_500, payout=52_500, tied=())


def test_a_single_bid_of_nothing_takes_the_whole_pot():
    assert resolve_bids(60_000, {5: 0}, "", 1) == BidOutcome(5, 0, 60_000)


def test_the_tontine_of_six_hands_a_tie_decided_by_the_draw():
    # 6 hands x 10 000 XOF; hands 2 and 3 both offer 5 000, hand 1 offers 3 000.
    pot = 6 * 10_000
    seed = "12 7 33"
    outcome = resolve_bids(pot, {1: 3_000, 2: 5_000, 3: 5_000}, seed, 1)
    assert outcome.tied == (2, 3)
    assert outcome.winner == draw(seed, 1, [2, 3])
    assert outcome.discount == 5_000
    assert outcome.payout == 55_000
    # The discount shared among the 5 other members, each holding one whole hand (2 halves).
    others = {hand: 2 for hand in range(1, 7) if hand != outcome.winner}
    shares, carry = split_discount(outcome.discount, others)
    assert shares == dict.fromkeys(others, 1_000)
    assert carry == 0


def test_a_tie_needs_a_seed():
    for seed in (None, "", "   "):
        with pytest.raises(RoscaError) as caught:
            resolve_bids(60_000, {2: 5_000, 3: 5_000}, seed, 1)
        assert caught.value.field == "seed"


@pytest.mark.parametrize("bid", [-1, 60_000, 70_000])
def test_a_bid_must_be_below_the_pot_and_not_negative(bid):
    with pytest.raises(RoscaError) as caught:
        resolve_bids(60_000, {1: 1_000, 2: bid}, "seed", 1)
    assert caught.value.field == "bid"
    assert caught.value.params["amount"] == bid


def test_a_bid_error_shows_amounts_as_money_given_the_currency():
    with pytest.raises(RoscaError) as caught:
        resolve_bids(60_000, {2: 70_000}, None, 1, currency="XOF")
    assert isinstance(caught.value.params["amount"], Amount)
    assert caught.value.params["pot"].currency == "XOF"


def test_no_bid_is_refused():
    with pytest.raises(RoscaError) as caught:
        resolve_bids(60_000, {}, "seed", 1)
    assert caught.value.field == "bid"


def test_a_discount_is_shared_by_stakes_with_the_carry_shown():
    # Ana holds two whole hands (4 halves), Bo one (2), Cy half a hand (1): 7 halves in all.
    shares, carry = split_discount(1_000, {"Ana": 4, "Bo": 2, "Cy": 1, "Di": 0}, unit=25)
    # 40 units of 25: quotas 22.86, 11.43, 5.71 -> 22, 11, 5 then the 2 left to Cy and Ana.
    assert shares == {"Ana": 575, "Bo": 275, "Cy": 150, "Di": 0}
    assert carry == 0
    shares, carry = split_discount(1_010, {"Ana": 1, "Bo": 1}, unit=25)
    assert shares == {"Ana": 500, "Bo": 500}
    assert carry == 10


def test_positions_say_who_owes_whom():
    result = positions({"Ana": 30_000, "Bo": 30_000}, {"Ana": 60_000, "Cy": 0})
    assert result == {
        "Ana": Position(30_000, 60_000),
        "Bo": Position(30_000, 0),
        "Cy": Position(0, 0),
    }
    assert result["Ana"].balance == -30_000  # served: Ana owes the others
    assert result["Bo"].balance == 30_000  # the others owe Bo


def test_unserved_hands_in_number_order():
    assert unserved([5, 1, 3, 2, 4], [3, 1]) == [2, 4, 5]
    assert unserved([1, 2], [1, 2]) == []
