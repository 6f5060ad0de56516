"""ROSCAs (tontines): the pure draw and bids, rotations, rounds and positions.

`savings_groups.rosca.draw` is a public name (see DESIGN.md): it stays importable here.
"""

from savings_groups.rosca.compute import draw

__all__ = ["draw"]
