"""Server-drawn charts: ticks, scales and the step line, as pure functions."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from savings_groups.web import charts


@pytest.mark.parametrize(
    "span, count, step",
    [
        (0, 5, 1),
        (4, 5, 1),
        (10, 5, 2),
        (11, 5, 5),
        (100, 5, 20),
        (101, 5, 50),
        (2_500_000, 5, 500_000),
        (2_500_001, 5, 1_000_000),
        (999, 4, 500),
    ],
)
def test_nice_step(span, count, step):
    assert charts.nice_step(span, count) == step


def test_nice_ticks_start_at_zero_and_cover_the_values():
    assert charts.nice_ticks(0, 0) == [0, 1]
    assert charts.nice_ticks(1_000, 9_500) == [0, 2_000, 4_000, 6_000, 8_000, 10_000]
    assert charts.nice_ticks(-300, 700) == [-400, -200, 0, 200, 400, 600, 800]


@given(low=st.integers(-(10**15), 10**15), high=st.integers(-(10**15), 10**15))
def test_ticks_are_round_few_and_cover_the_range(low, high):
    low, high = min(low, high), max(low, high)
    ticks = charts.nice_ticks(low, high)
    assert ticks[0] <= min(low, 0) and ticks[-1] >= max(high, 0)
    assert 2 <= len(ticks) <= 7
    step = ticks[1] - ticks[0]
    assert all(b - a == step for a, b in zip(ticks, ticks[1:], strict=False))
    assert 0 in ticks


def test_scale_rounds_half_up_and_keeps_ends():
    assert charts.scale(0, 0, 10, 100, 200) == 100
    assert charts.scale(10, 0, 10, 100, 200) == 300
    assert charts.scale(1, 0, 4, 0, 10) == 3  # 2.5 -> 3
    assert charts.scale(5, 5, 5, 7, 100) == 7


def test_spread_keeps_the_first_and_the_last():
    assert charts.spread(4, 6) == [0, 1, 2, 3]
    assert charts.spread(11, 6) == [0, 2, 4, 6, 8, 10]
    assert charts.spread(0, 6) == []
    labels = charts.spread(40, 6)
    assert labels[0] == 0 and labels[-1] == 39 and len(labels) == 6


def test_step_chart_coordinates():
    chart = charts.step_chart([0, 5_000, 5_000, 10_000], width=400, height=200)
    left, top, right, bottom = chart.plot
    assert (left, top, right, bottom) == (96, 16, 360, 160)
    assert chart.points == [(96, 160), (184, 88), (272, 88), (360, 16)]
    assert chart.path == "M96 160 H184 V88 H272 V88 H360 V16"
    assert chart.y_ticks[0] == (0, 160) and chart.y_ticks[-1] == (10_000, 16)
    assert chart.axis_x == 96 and chart.label_anchor == "end" and chart.label_x == 88


def test_a_mirrored_chart_runs_from_right_to_left():
    plain = charts.step_chart([100, 300, 200])
    mirrored = charts.step_chart([100, 300, 200], mirrored=True)
    assert [x for x, _ in mirrored.points] == [plain.width - x for x, _ in plain.points]
    assert [y for _, y in mirrored.points] == [y for _, y in plain.points]
    assert mirrored.axis_x == plain.width - plain.axis_x
    assert mirrored.label_anchor == "start"


def test_one_point_sits_in_the_middle_and_no_point_draws_nothing():
    one = charts.step_chart([2_500])
    left, _top, right, _bottom = one.plot
    assert one.points[0][0] == left + (right - left) // 2
    empty = charts.step_chart([])
    assert empty.points == [] and empty.path == "" and empty.x_ticks == []


def test_money_is_never_a_float():
    with pytest.raises(TypeError):
        charts.step_chart([1.5, 2])
