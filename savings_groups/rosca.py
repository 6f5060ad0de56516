"""ROSCAs: rotations, lottery draws and rounds (pure core)."""

from hashlib import sha256


def draw(seed: str, round_number: int, candidates: list[int]) -> int:
    """The hand drawn by lot for a round, re-checkable by anyone with a SHA-256 tool.

    h = int(sha256(f"{seed}:{round_number}" in UTF-8).hexdigest(), 16), and the winner is
    sorted(candidates)[h % len(candidates)]: sorting first makes the order the hands were listed
    in irrelevant, so the seed, the round and the set of hands decide alone.
    """
    if not isinstance(seed, str):
        raise TypeError(f"seed must be a str, not {type(seed).__name__}")
    if not candidates:
        raise ValueError("there is no hand left to draw from")
    digest = sha256(f"{seed}:{round_number}".encode()).hexdigest()
    ordered = sorted(candidates)
    return ordered[int(digest, 16) % len(ordered)]
