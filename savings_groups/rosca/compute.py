"""ROSCAs: rotation orders, lottery draws, bids, discount shares and positions (pure core)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from hashlib import sha256
from typing import TypeVar

from savings_groups.core.errors import N_, Amount, DomainError
from savings_groups.core.money import round_to_unit, split_largest_remainder

K = TypeVar("K")


class RoscaError(DomainError, ValueError):
    """A rotation rule was broken: a bad order, a bad bid, a missing seed."""


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


def contribution_parts(contribution: int, holders: int) -> list[int]:
    """What each holder of a hand pays per round: all of it, or two halves (the first holder
    pays the odd minor unit), so that the parts always add up to the contribution."""
    if holders == 1:
        return [contribution]
    if holders == 2:
        parts, _carry = split_largest_remainder(contribution, [1, 1])
        return parts
    raise RoscaError(
        N_("A hand has one holder or two, not %(count)s."), field="hands", count=holders
    )


def holder_parts(amount: int, contribution: int, holders: int) -> list[int]:
    """What each holder of a hand receives of an amount paid to the hand (the pot, a payout):
    in proportion to what each pays per round, so that over a whole rotation the two holders of
    a half hand get back exactly what each paid in, even when the contribution is odd."""
    if holders == 1:
        return [amount]
    parts, _carry = split_largest_remainder(amount, contribution_parts(contribution, holders))
    return parts


def fixed_order(positions: Mapping[int, int]) -> list[int]:
    """The hand numbers in the order of their agreed positions (hand number -> position).

    The positions must be exactly 1..n, each once: a gap or a repeat would leave a hand unpaid
    or paid twice. An error names the hand at fault in its `hand` param.
    """
    count = len(positions)
    seen: dict[int, int] = {}
    for hand, position in positions.items():
        if isinstance(position, bool) or not isinstance(position, int):
            raise RoscaError(
                N_("Give every hand a position from 1 to %(count)s."),
                field="position",
                count=count,
                hand=hand,
            )
        if not 1 <= position <= count:
            raise RoscaError(
                N_("Position %(position)s is outside 1 to %(count)s."),
                field="position",
                position=position,
                count=count,
                hand=hand,
            )
        if position in seen:
            raise RoscaError(
                N_("Position %(position)s is given to two hands (%(first)s and %(second)s)."),
                field="position",
                position=position,
                first=seen[position],
                second=hand,
                hand=hand,
            )
        seen[position] = hand
    return [seen[position] for position in range(1, count + 1)]


@dataclass(frozen=True)
class BidOutcome:
    """Who takes the pot at a bidding round, the discount given up and what is paid out."""

    winner: int
    discount: int
    payout: int
    tied: tuple[int, ...] = ()  # the hands that offered the top discount, when more than one did


def resolve_bids(
    pot: int,
    bids: Mapping[int, int],
    seed: str | None,
    round_number: int,
    currency: str | None = None,
) -> BidOutcome:
    """The highest discount wins the pot less that discount; a tie at the top is drawn by lot.

    A bid is a discount from 0 (the pot as it is) up to less than the pot (something must be paid
    out). A tie needs a seed, so that the draw deciding it is recorded and can be re-checked.
    With a currency, the amounts in an error are shown as money.
    """

    def money(amount: int) -> int:
        return Amount(amount, currency) if currency else amount

    if not bids:
        raise RoscaError(N_("No hand has bid for this round."), field="bid")
    for discount in bids.values():
        if isinstance(discount, bool) or not isinstance(discount, int):
            raise TypeError(f"a bid must be an int, not {type(discount).__name__}")
        if discount < 0:
            raise RoscaError(
                N_("A bid of %(amount)s is negative: bid a discount of 0 or more."),
                field="bid",
                amount=money(discount),
            )
        if discount >= pot:
            raise RoscaError(
                N_("A bid of %(amount)s is not below the pot of %(pot)s."),
                field="bid",
                amount=money(discount),
                pot=money(pot),
            )
    top = max(bids.values())
    leaders = sorted(hand for hand, discount in bids.items() if discount == top)
    if len(leaders) == 1:
        return BidOutcome(leaders[0], top, pot - top)
    if seed is None or not seed.strip():
        raise RoscaError(
            N_("%(count)s hands bid the same discount: enter a seed to draw the winner."),
            field="seed",
            count=len(leaders),
        )
    winner = draw(seed, round_number, leaders)
    return BidOutcome(winner, top, pot - top, tuple(leaders))


def split_discount(
    discount: int, stakes: Mapping[K, int], unit: int = 1
) -> tuple[dict[K, int], int]:
    """A winning bid's discount shared among the other members by their stakes (in half hands),
    in whole rounding units: the parts plus the carry-over are the discount exactly.

    Each member first gets the floor of their exact quota of units; the units left go one each
    to the largest fractional remainders, but never to one of several equal remainders ahead
    of the others: members with equal stakes always get equal parts, and a unit that cannot be
    given equally stays in the pot as the carry-over (shown on the round), instead of going to
    whoever is listed first round after round.
    """
    keys = list(stakes)
    weights = [stakes[key] for key in keys]
    parts, carry = split_largest_remainder(discount, weights, unit)
    total = sum(weights)
    if not total:
        return dict(zip(keys, parts, strict=True)), carry
    units = discount // unit
    floors = [units * weight // total for weight in weights]
    remainders = [units * weight % total for weight in weights]
    extra = [part // unit - floor for part, floor in zip(parts, floors, strict=True)]
    given = [remainders[i] for i in range(len(keys)) if extra[i]]
    if given:
        lowest = min(given)
        # A remainder equal to the lowest one given a unit, left without: that unit stays.
        if any(r == lowest and not extra[i] for i, r in enumerate(remainders)):
            for i, remainder in enumerate(remainders):
                if extra[i] and remainder == lowest:
                    parts[i] -= unit
                    carry += unit
    return dict(zip(keys, parts, strict=True)), carry


def commission_of(pot: int, amount: int, share_bp: int, unit: int = 1) -> int:
    """The organiser's commission taken from a round's pot: a fixed amount, or a share of the
    pot in hundredths of a percent (250 = 2.5 %) rounded half up to the unit; never more than
    the pot."""
    if share_bp:
        amount = round_to_unit(Decimal(pot * share_bp).scaleb(-4), unit)
    return max(0, min(amount, pot))


@dataclass(frozen=True)
class Position:
    """A member's money in a rotation so far."""

    paid_in: int
    received: int

    @property
    def balance(self) -> int:
        """> 0: the others owe this member; < 0: this member owes the others."""
        return self.paid_in - self.received


def positions(paid_in: Mapping[K, int], received: Mapping[K, int]) -> dict[K, Position]:
    """Every member's position, for everyone who paid in or received (0 where they did not)."""
    keys = list(paid_in) + [key for key in received if key not in paid_in]
    return {key: Position(paid_in.get(key, 0), received.get(key, 0)) for key in keys}


def unserved(hands: Iterable[int], served: Iterable[int]) -> list[int]:
    """The hands that have not received the pot yet, in number order."""
    done = set(served)
    return sorted(hand for hand in hands if hand not in done)
