"""ROSCA lottery: draw() is re-checkable with any SHA-256 tool, and fair to the hands' order."""

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from savings_groups.rosca.compute import draw


def test_a_draw_checked_with_hashlib():
    # sha256("17 42 8:3") as an integer, modulo the 5 hands, indexes the sorted hands [2, 5, 9, 11, 14].
    digest = hashlib.sha256(b"17 42 8:3").hexdigest()
    index = int(digest, 16) % 5
    assert index == 4
    assert draw("17 42 8", 3, [9, 2, 14, 5, 11]) == [2, 5, 9, 11, 14][index] == 14


def test_the_seed_is_encoded_in_utf8():
    seed = "Aïssatou 7 ٣"
    h = int(hashlib.sha256(f"{seed}:1".encode()).hexdigest(), 16)
    hands = list(range(1, 14))
    assert draw(seed, 1, hands) == hands[h % len(hands)]


def test_one_hand_left_is_always_drawn():
    assert draw("anything", 12, [7]) == 7


def test_no_hand_left_is_refused():
    with pytest.raises(ValueError):
        draw("seed", 1, [])


def test_a_seed_must_be_text():
    with pytest.raises(TypeError):
        draw(1234, 1, [1, 2])


hands = st.lists(st.integers(min_value=1, max_value=500), min_size=1, max_size=40, unique=True)


@given(st.text(max_size=40), st.integers(min_value=1, max_value=500), hands, st.randoms())
def test_the_drawn_hand_is_a_candidate_whatever_their_order(seed, round_number, candidates, rnd):
    result = draw(seed, round_number, candidates)
    assert result in candidates
    shuffled = list(candidates)
    rnd.shuffle(shuffled)
    assert draw(seed, round_number, shuffled) == result
    h = int(hashlib.sha256(f"{seed}:{round_number}".encode()).hexdigest(), 16)
    assert result == sorted(candidates)[h % len(candidates)]
