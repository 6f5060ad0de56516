"""What the ROSCA pages show: a round as it stands, and a whole rotation with every member's
position and arrears, read from the rounds, the contributions and the ledger in a fixed number
of queries."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from peewee import fn

from savings_groups.core.vocabulary import EntryKind, RotationOrder
from savings_groups.rosca.debts import Debt, debts_of, owes_lines, repaid_by_member
from savings_groups.rosca.rotations import HandInfo, HolderShare, due_date, stakes_of
from savings_groups.rosca.rounds import (
    IN_THE_POT,
    Setup,
    commission_of,
    current_contributions,
    entry_sums,
    next_round,
    round_version,
    rounds_of,
    served_hands,
    setup_of,
)
from savings_groups.store.models import (
    Bid,
    Contribution,
    Entry,
    Member,
    Rotation,
    RotationEntry,
    Round,
)


@dataclass(frozen=True)
class HolderLine:
    """A holder's part of a round, with how it was paid (None: not recorded yet)."""

    hand: HandInfo
    holder: HolderShare
    contribution: Contribution | None

    @property
    def key(self) -> str:
        return f"{self.hand.number}-{self.holder.member.id}"

    @property
    def in_pot(self) -> bool:
        return self.contribution is not None and self.contribution.status in IN_THE_POT

    @property
    def paid(self) -> int:
        """What is in the pot for this holder so far (all of it, a part, or nothing)."""
        return self.contribution.amount if self.contribution is not None else 0


@dataclass(frozen=True)
class RoundSheet:
    """One round: each holder's line, the hands that may still take the pot, and once paid
    out, who took it and what each member received (payout, share of the discount)."""

    setup: Setup
    number: int
    due_on: date
    round: Round | None
    lines: list[HolderLine]
    waiting: list[HandInfo]  # not served before this round
    current: int | None  # the round to record now
    bids: dict[int, int]  # hand number -> discount offered (a paid-out bidding round)
    received: dict[int, int]  # member id -> received in this round (payout, discount share)
    fines: dict[int, int]  # member id -> late fines paid in this round
    commission: int = 0  # the organiser's commission: taken, or to be taken at the payout
    shared: int = 0  # of a winning bid's discount, what was shared among the others
    version: str = ""  # rounds.round_version, for the page to send back (a stale tab)

    @property
    def paid_out(self) -> bool:
        return self.round is not None and self.round.paid_out_on is not None

    @property
    def recipient(self) -> HandInfo | None:
        if self.paid_out:
            return self.setup.hand(self.setup.number_of(self.round.recipient_id))
        if self.setup.rotation.order == RotationOrder.FIXED.value:
            return next((h for h in self.setup.hands if h.position == self.number), None)
        return None

    @property
    def collected(self) -> int:
        return sum(line.paid for line in self.lines)

    @property
    def kept(self) -> int:
        """Of a winning bid's discount, what stays in the pot: all of it when the group keeps
        discounts, else what could not be shared equally (the carry-over)."""
        return self.round.discount - self.shared if self.paid_out else 0

    @property
    def seed_needed(self) -> bool:
        """A draw among several hands waiting: a lottery, or a bidding round's tie."""
        order = self.setup.rotation.order
        return len(self.waiting) > 1 and order in (
            RotationOrder.LOTTERY.value,
            RotationOrder.BIDDING.value,
        )

    @property
    def complete(self) -> bool:
        return all(line.in_pot for line in self.lines)

    @property
    def payout(self) -> int:
        return self.setup.pot - (self.round.discount if self.paid_out else 0) - self.commission

    @property
    def recordable(self) -> bool:
        """Whether this round can be recorded now: a started rotation, not archived, this
        round paid out already or the one to record now."""
        rotation = self.setup.rotation
        return (
            rotation.started_at is not None
            and rotation.group.archived_at is None
            and (self.current is None or self.number <= self.current)
        )


def round_sheet(rotation: Rotation, number: int) -> RoundSheet:
    """Round `number` as it stands (seven queries whatever the number of hands)."""
    setup = setup_of(rotation)
    rounds = rounds_of(rotation)
    found = rounds.get(number)
    rows = {(c.hand_id, c.member_id): c for c in current_contributions(rotation, number)}
    lines = [
        HolderLine(hand, holder, rows.get((setup.hand_ids[hand.number], holder.member.id)))
        for hand in setup.hands
        for holder in hand.holders
    ]
    before = {n: r for n, r in rounds.items() if n < number}
    served = set(served_hands(before, setup))
    bids, received, fines = {}, {}, {}
    commission, shared, taken = commission_of(setup), 0, 0
    if found is not None:
        bids = {
            setup.number_of(bid.hand_id): bid.discount
            for bid in Bid.select().where(Bid.round == found)
        }
        for (_number, member_id, kind), total in entry_sums(rotation, number).items():
            if kind in (EntryKind.POT_PAYOUT.value, EntryKind.BID_DISCOUNT.value):
                received[member_id] = received.get(member_id, 0) - total
            elif kind == EntryKind.LATE_FINE.value:
                fines[member_id] = fines.get(member_id, 0) + total
            elif kind == EntryKind.COMMISSION.value:
                taken += total
            if kind == EntryKind.BID_DISCOUNT.value:
                shared -= total
        if found.paid_out_on is not None:
            commission = -taken
    return RoundSheet(
        setup=setup,
        number=number,
        due_on=found.due_on if found else due_date(rotation, number),
        round=found,
        lines=lines,
        waiting=[h for h in setup.hands if h.number not in served],
        current=next_round(setup, rounds),
        bids=bids,
        received=received,
        fines=fines,
        commission=commission,
        shared=shared,
        version=round_version(rotation, number),
    )


@dataclass(frozen=True)
class RoundLine:
    """A round of the rotation page and the printed schedule."""

    number: int
    due_on: date
    pot: int
    round: Round | None
    recipient: HandInfo | None  # who took the pot, or who will (a fixed order)
    collected: int  # contributions in the pot (net of reversals)
    received: int  # paid out to the recipient
    late: bool  # its date is past and it is not paid out

    @property
    def paid_out(self) -> bool:
        return self.round is not None and self.round.paid_out_on is not None


@dataclass(frozen=True)
class MemberPosition:
    """A member's money in the rotation, and what they owe the others."""

    member: Member
    stake: int  # in half hands
    paid_in: int
    received: int
    fines: int
    owed: int  # their parts due so far that they did not pay themselves (nor repaid)
    covered: int  # of which other members paid for them (they owe those members)
    served: bool
    owes: tuple[Debt, ...] = ()  # to whom they owe contributions paid for them
    owed_by: tuple[Debt, ...] = ()  # who owes them contributions they paid for them
    commission: int = 0  # the organiser's commission they were paid

    @property
    def balance(self) -> int:
        """> 0: the others owe this member; < 0: this member owes the others."""
        return self.paid_in - self.received

    @property
    def flagged(self) -> bool:
        """Served and behind: the members a ROSCA must watch first."""
        return self.served and self.owed > 0


@dataclass(frozen=True)
class RotationReport:
    setup: Setup
    rounds: list[RoundLine]
    positions: list[MemberPosition]  # the flagged first, then by member number
    current: int | None
    waiting: list[HandInfo]  # hands not served yet
    in_pot: int  # what the pot fund holds for this rotation now
    discounts_shared: int
    fines: int
    commissions: int = 0  # taken from the pots so far

    @property
    def next_hand(self) -> HandInfo | None:
        """The next recipient in a fixed order."""
        if self.current is None or self.setup.rotation.order != RotationOrder.FIXED.value:
            return None
        return next((h for h in self.setup.hands if h.position == self.current), None)

    @property
    def flagged(self) -> list[MemberPosition]:
        return [p for p in self.positions if p.flagged]

    @property
    def arrears(self) -> int:
        return sum(p.owed - p.covered for p in self.positions)


def rotation_report(rotation: Rotation, on: date) -> RotationReport:
    """The whole rotation on `on`: rounds, positions, arrears, debts between members (eight
    queries, whatever its size).

    A holder's part is due for every round paid out, and for the round being recorded once
    its date has come; rounds after it are not open yet.
    """
    setup = setup_of(rotation)
    rounds = rounds_of(rotation)
    current = next_round(setup, rounds)
    sums = entry_sums(rotation)
    contributions = current_contributions(rotation)
    by_kind: dict[str, dict[int, int]] = {}
    per_round: dict[tuple[int, str], int] = {}
    for (number, member_id, kind), total in sums.items():
        into = by_kind.setdefault(kind, {})
        into[member_id] = into.get(member_id, 0) + total
        per_round[number, kind] = per_round.get((number, kind), 0) + total
    lines = []
    for number in range(1, setup.count + 1):
        found = rounds.get(number)
        due_on = found.due_on if found else due_date(rotation, number)
        recipient = None
        if found is not None and found.recipient_id is not None:
            recipient = setup.hand(setup.number_of(found.recipient_id))
        elif rotation.order == RotationOrder.FIXED.value:
            recipient = next((h for h in setup.hands if h.position == number), None)
        paid = found is not None and found.paid_out_on is not None
        lines.append(
            RoundLine(
                number=number,
                due_on=due_on,
                pot=found.pot if found else setup.pot,
                round=found,
                recipient=recipient,
                collected=per_round.get((number, EntryKind.CONTRIBUTION.value), 0),
                received=-per_round.get((number, EntryKind.POT_PAYOUT.value), 0),
                late=not paid and due_on < on,
            )
        )
    served = set(served_hands(rounds, setup))
    missing = _arrears(setup, lines, contributions, on)
    debts = debts_of(rotation, {m.id: m for m in setup.members()})
    owes, owed_by = owes_lines(debts)
    repaid = repaid_by_member(debts)
    stakes = stakes_of(setup.hands)
    contributed = by_kind.get(EntryKind.CONTRIBUTION.value, {})
    payouts = by_kind.get(EntryKind.POT_PAYOUT.value, {})
    discounts = by_kind.get(EntryKind.BID_DISCOUNT.value, {})
    fines = by_kind.get(EntryKind.LATE_FINE.value, {})
    commissions = by_kind.get(EntryKind.COMMISSION.value, {})
    positions = []
    for member in setup.members():
        covered = sum(debt.outstanding for debt in owes.get(member.id, ()))
        positions.append(
            MemberPosition(
                member=member,
                stake=stakes.get(member.id, 0),
                paid_in=contributed.get(member.id, 0) + repaid.get(member.id, 0),
                received=-payouts.get(member.id, 0) - discounts.get(member.id, 0),
                fines=fines.get(member.id, 0),
                owed=missing.get(member.id, 0) + covered,
                covered=covered,
                served=any(
                    hand.number in served and member.id in {h.member.id for h in hand.holders}
                    for hand in setup.hands
                ),
                owes=tuple(owes.get(member.id, ())),
                owed_by=tuple(owed_by.get(member.id, ())),
                commission=-commissions.get(member.id, 0),
            )
        )
    positions.sort(key=lambda p: (not p.flagged, p.member.number))
    return RotationReport(
        setup=setup,
        rounds=lines,
        positions=positions,
        current=current,
        waiting=[h for h in setup.hands if h.number not in served],
        in_pot=sum(sums.values()) + outside_rounds(rotation),
        discounts_shared=-sum(discounts.values()),
        fines=sum(fines.values()),
        commissions=-sum(commissions.values()),
    )


def _arrears(
    setup: Setup,
    lines: list[RoundLine],
    contributions: Iterable[Contribution],
    on: date,
) -> dict[int, int]:
    """Per member id: the parts due not in the pot (the rest of a part paid, too). A part is
    due for every round paid out and every round whose date has come, even when an earlier
    round holds the rotation up: the calendar does not wait."""
    rows = {(c.round_number, c.hand_id, c.member_id): c for c in contributions}
    due = [line.number for line in lines if line.paid_out or line.due_on <= on]
    missing: dict[int, int] = {}
    for number in due:
        for hand in setup.hands:
            for holder in hand.holders:
                row = rows.get((number, setup.hand_ids[hand.number], holder.member.id))
                if row is not None and row.status in IN_THE_POT:
                    continue
                paid = row.amount if row is not None else 0
                member_id = holder.member.id
                missing[member_id] = missing.get(member_id, 0) + holder.part - paid
    return missing


# --- the pot outside the rounds: what stayed at the end, carried over in or out ---------------


def outside_rounds(rotation: Rotation) -> int:
    """The sum of the rotation's pot entries outside its rounds (one query): a carry-over in
    from an earlier rotation (+), out to a next one (-), and the shares of what stayed at the
    end (-); a reversal counts with the entry it reverses."""
    total = (
        Entry.select(fn.SUM(Entry.amount))
        .join(
            RotationEntry,
            on=((RotationEntry.entry == Entry.id) | (RotationEntry.entry == Entry.reverses)),
        )
        .where(RotationEntry.rotation == rotation)
        .scalar()
    )
    return int(total or 0)


def pot_held(rotation: Rotation) -> int:
    """What the pot holds for this rotation now, from the ledger: its rounds' entries and those
    outside its rounds (two queries)."""
    return sum(entry_sums(rotation).values()) + outside_rounds(rotation)
