"""Server-drawn charts: the coordinates an inline SVG needs (scales, ticks, a step line), pure.

Values are integers (minor units); coordinates are whole SVG user units. No float is involved,
so a chart of money never rounds the money, only where it is drawn.
"""

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 280
MARGINS = {"left": 96, "right": 40, "top": 16, "bottom": 40}  # room for the axis labels


def nice_step(span: int, count: int = 5) -> int:
    """The smallest 1, 2 or 5 times a power of ten that cuts `span` in at most `count` steps."""
    if span < 0 or count < 1:
        raise ValueError("span must be >= 0 and count >= 1")
    raw = max(-(-span // count), 1)  # ceiling division, at least one unit
    magnitude = 10 ** (len(str(raw)) - 1)
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def nice_ticks(low: int, high: int, count: int = 5) -> list[int]:
    """Round tick values from at or below min(low, 0) to at or above high, at most count + 1."""
    low, high = min(low, 0), max(high, 0)
    step = nice_step(high - low, count)
    first = (low // step) * step
    last = -(-high // step) * step
    if first == last:
        last = first + step
    return list(range(first, last + step, step))


def scale(value: int, low: int, high: int, start: int, length: int) -> int:
    """Where `value` of [low, high] falls on [start, start + length], rounded half up."""
    if high == low:
        return start
    numerator, denominator = 2 * (value - low) * length + (high - low), 2 * (high - low)
    return start + numerator // denominator


def spread(count: int, most: int) -> list[int]:
    """Up to `most` indices of `count` points, evenly spread, always the first and the last."""
    if count <= most:
        return list(range(count))
    if most < 2:
        return [count - 1]
    last = count - 1
    return sorted({(i * last * 2 + (most - 1)) // (2 * (most - 1)) for i in range(most)})


@dataclass(frozen=True)
class Chart:
    """A step chart: the value holds from one point until the next one changes it."""

    width: int
    height: int
    plot: tuple[int, int, int, int]  # left, top, right, bottom of the plotting area
    axis_x: int  # where the value axis is drawn (left, or right when mirrored)
    points: list[tuple[int, int]]  # one (x, y) per value
    path: str  # the SVG path of the step line
    y_ticks: list[tuple[int, int]]  # (value, y)
    x_ticks: list[tuple[int, int]]  # (index of the value, x)
    mirrored: bool

    @property
    def label_x(self) -> int:
        """Where the value labels are anchored, just outside the value axis."""
        return self.axis_x + (8 if self.mirrored else -8)

    @property
    def label_anchor(self) -> str:
        return "start" if self.mirrored else "end"


def step_chart(
    values: list[int],
    width: int = WIDTH,
    height: int = HEIGHT,
    mirrored: bool = False,
    most_x_labels: int = 6,
) -> Chart:
    """Coordinates of a step chart of `values` evenly spaced from left to right (from right to
    left when mirrored, for right-to-left languages), with round ticks on the value axis."""
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"values must be ints, not {type(value).__name__}")
    left, right = MARGINS["left"], width - MARGINS["right"]
    top, bottom = MARGINS["top"], height - MARGINS["bottom"]
    if mirrored:
        left, right = width - right, width - left
    ticks = nice_ticks(min(values, default=0), max(values, default=0))
    low, high = ticks[0], ticks[-1]

    def x_of(index: int) -> int:
        span = right - left
        x = span // 2 if len(values) == 1 else scale(index, 0, len(values) - 1, 0, span)
        return right - x if mirrored else left + x

    def y_of(value: int) -> int:
        return bottom - scale(value, low, high, 0, bottom - top)

    points = [(x_of(i), y_of(value)) for i, value in enumerate(values)]
    path = ""
    if points:
        path = f"M{points[0][0]} {points[0][1]}" + "".join(f" H{x} V{y}" for x, y in points[1:])
    return Chart(
        width=width,
        height=height,
        plot=(left, top, right, bottom),
        axis_x=right if mirrored else left,
        points=points,
        path=path,
        y_ticks=[(tick, y_of(tick)) for tick in ticks],
        x_ticks=[(i, x_of(i)) for i in spread(len(values), most_x_labels)],
        mirrored=mirrored,
    )
