"""A QR code as an inline SVG string, made with the `qrcode` package.

SVG needs no raster library and prints sharp at any size. The path draws each row's dark runs
as one rectangle, which keeps a 40-character code under 3 KB. The quiet zone (4 modules, as the
standard asks) is part of the drawing, so a code printed next to text still scans.
"""

from html import escape

import qrcode
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 asks


def matrix(data: str) -> list[list[bool]]:
    """The code's modules, True for dark, quiet zone included."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(data.encode("utf-8"))
    code.make(fit=True)
    return code.get_matrix()


def svg(data: str, *, size: str = "30mm", label: str = "") -> str:
    """An `<svg>` element that encodes `data`; `size` is its printed width and height (any CSS
    length) and `label` what a screen reader says of it."""
    modules = matrix(data)
    parts = []
    for y, row in enumerate(modules):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    width = len(modules)
    aria = f' role="img" aria-label="{escape(label)}"' if label else ' aria-hidden="true"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {width}" '
        f'width="{escape(size)}" height="{escape(size)}" shape-rendering="crispEdges"{aria}>'
        f'<rect width="{width}" height="{width}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(parts)}"/></svg>'
    )
