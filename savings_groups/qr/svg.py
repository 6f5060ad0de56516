"""A QR code as an inline SVG string, made with the `qrcode` package.

SVG needs no raster library and prints sharp at any size. The path draws each row's dark runs
as one rectangle, which keeps a 40-character code under 3 KB. The quiet zone (4 modules, as the
standard asks) is part of the drawing, so a code printed next to text still scans.

Choosing the mask is most of the cost of a code: `qrcode` places the data eight times, once per
mask, and scores each with Python loops over every module (15 ms for a statement's link, the
half of a passbook page). _QRCode places it once from a list of the data's cells kept per
version, makes each mask's symbol from it by turning its data cells over all at once, and
scores whole rows and columns at once (bytes and integers): the same modules, the same scores,
the same mask, in a quarter of the time (the rest is qrcode's error correction);
tests/qr/test_svg.py checks both against `qrcode` itself.
"""

import functools
import re
from html import escape

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.util import mask_func

QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 asks

# Rows and columns as one binary number, a light separator between lines (for the scores below).
_DARK_BITS = bytes.maketrans(b"\x00\x01\x02", b"010")
_LIGHT_BITS = bytes.maketrans(b"\x00\x01\x02", b"100")
_FINDERS = ("10111010000", "00001011101")  # 1:1:3:1:1, four light modules after or before
_DARK = re.compile(rb"\x01+")


def _alike(bits: int) -> int:
    """The points of runs of five or more set bits: length - 2 for each run."""
    starts = bits & (bits >> 1) & (bits >> 2) & (bits >> 3) & (bits >> 4)
    return starts.bit_count() + 2 * (starts & ~(starts >> 1)).bit_count()


def lost_point(modules: list[list[bool]]) -> int:
    """`qrcode.util.lost_point` (the penalty rules of ISO/IEC 18004, 8.8.2, as qrcode scores
    them), computed on every row and column at once: each line a run of bits of one number."""
    return _lost_point(b"".join(bytes(row) for row in modules), len(modules))


def _lost_point(flat: bytes, count: int) -> int:
    """lost_point of the modules row after row, one byte each (1 dark, 0 light)."""
    rows = [flat[start : start + count] for start in range(0, count * count, count)]
    lines = b"\x02".join(rows + [flat[column::count] for column in range(count)])
    dark = int(lines.translate(_DARK_BITS), 2)
    light = int(lines.translate(_LIGHT_BITS), 2)
    points = _alike(dark) + _alike(light)  # five or more alike in a row or column
    for pattern in _FINDERS:  # a finder-like pattern in a row or column: 40 each
        found = -1
        for shift, module in enumerate(pattern):
            found &= (dark if module == "1" else light) >> shift
        points += 40 * found.bit_count()
    whole = (1 << (count - 1)) - 1
    numbers = [int(row.translate(_DARK_BITS), 2) for row in rows]
    for upper, lower in zip(numbers, numbers[1:], strict=False):  # 2x2 blocks alike: 3 each
        alike = ~(upper ^ lower)
        points += 3 * (alike & (alike >> 1) & ~(upper ^ (upper >> 1)) & whole).bit_count()
    percent = float(flat.count(1)) / (count**2)  # dark modules far from half: 10 each 5 %
    return points + int(abs(percent * 100 - 50) / 5) * 10


def _number(modules) -> int:
    """Modules row after row as one number, a byte each (1 dark, 0 light): the bytes of two
    such numbers combine module by module with &, | and ^."""
    return int.from_bytes(b"".join(bytes(row) for row in modules), "big")


_CELLS: dict[int, tuple[tuple[int, int], ...]] = {}


def _cells(version: int, modules: list[list]) -> tuple[tuple[int, int], ...]:
    """The data's cells of a symbol of this version, in the order `QRCode.map_data` fills
    them: the cells still empty (None) once the finder, timing and format patterns are drawn,
    which depend on the version alone."""
    if version not in _CELLS:
        count = len(modules)
        cells = []
        inc, row = -1, count - 1
        for col in range(count - 1, 0, -2):
            if col <= 6:
                col -= 1
            while True:
                for c in (col, col - 1):
                    if modules[row][c] is None:
                        cells.append((row, c))
                row += inc
                if row < 0 or count <= row:
                    row -= inc
                    inc = -inc
                    break
        _CELLS[version] = tuple(cells)
    return _CELLS[version]


@functools.cache
def _mask(count: int, pattern: int) -> tuple[tuple[bool, ...], ...]:
    """Where a mask pattern turns a module over, for a symbol of count x count modules."""
    turns = mask_func(pattern)
    return tuple(tuple(bool(turns(r, c)) for c in range(count)) for r in range(count))


@functools.cache
def _mask_number(count: int, pattern: int) -> int:
    """_mask as one number (_number)."""
    return _number(_mask(count, pattern))


@functools.cache
def _free_number(version: int) -> tuple[int, int]:
    """The data's cells of a symbol (_cells, once known) as one number (_number), and the
    other cells."""
    count = version * 4 + 17
    free = [[False] * count for _ in range(count)]
    for r, c in _CELLS[version]:
        free[r][c] = True
    return _number(free), _number([[not cell for cell in row] for row in free])


class _QRCode(qrcode.QRCode):
    """qrcode.QRCode, faster where it spends its time: placing the data and choosing the mask."""

    def map_data(self, data, mask_pattern):
        modules = self.modules
        cells = _cells(self.version, modules)
        if getattr(self, "_bits_of", None) is not data:
            bits = [(byte >> shift) & 1 == 1 for byte in data for shift in range(7, -1, -1)]
            bits += [False] * (len(cells) - len(bits))
            self._bits_of, self._bits = data, bits
        mask = _mask(self.modules_count, mask_pattern)
        for (r, c), dark in zip(cells, self._bits, strict=False):
            modules[r][c] = dark != mask[r][c]

    def best_mask_pattern(self):
        """The mask qrcode's best_mask_pattern chooses (the first of the lowest lost_point),
        each mask's symbol made from the first's by turning over its data cells at once."""
        self.makeImpl(True, 0)
        count = self.modules_count
        free, fixed = _free_number(self.version)
        drawn = _number(self.modules)
        data = (drawn ^ _mask_number(count, 0)) & free
        drawn &= fixed
        best, lowest = 0, None
        for pattern in range(8):
            symbol = drawn | ((data ^ _mask_number(count, pattern)) & free)
            points = _lost_point(symbol.to_bytes(count * count, "big"), count)
            if lowest is None or points < lowest:
                best, lowest = pattern, points
        return best


def matrix(data: str) -> list[list[bool]]:
    """The code's modules, True for dark, quiet zone included."""
    code = _QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(data.encode("utf-8"))
    code.make(fit=True)
    return code.get_matrix()


def svg(data: str, *, size: str = "30mm", label: str = "") -> str:
    """An `<svg>` element that encodes `data`; `size` is its printed width and height (any CSS
    length) and `label` what a screen reader says of it."""
    modules = matrix(data)
    parts = []
    for y, row in enumerate(modules):
        for run in _DARK.finditer(bytes(row)):
            start, length = run.start(), run.end() - run.start()
            parts.append(f"M{start} {y}h{length}v1h-{length}z")
    width = len(modules)
    aria = f' role="img" aria-label="{escape(label)}"' if label else ' aria-hidden="true"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {width}" '
        f'width="{escape(size)}" height="{escape(size)}" shape-rendering="crispEdges"{aria}>'
        f'<rect width="{width}" height="{width}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(parts)}"/></svg>'
    )
