"""The share-out: the pure arithmetic, finalising it, member exits and the next cycle.

`savings_groups.shareout.compute` is a public function (DESIGN.md), re-exported here; so the pure
module of this area is `arithmetic.py`, not `compute.py`, which the function would shadow.
"""

from savings_groups.shareout.arithmetic import ShareOut, compute

__all__ = ["ShareOut", "compute"]
