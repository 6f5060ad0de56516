"""Setting a ROSCA's rotation up: its terms, who holds which hand, a fixed order, the start.

Until the rotation starts, hands and order may be changed freely (no money has moved); from the
start they are frozen, because every round's contributions and payouts depend on them.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from hashlib import sha256
from typing import NamedTuple

from peewee import fn

from savings_groups.core.dates import add_periods, parse_date, utcnow
from savings_groups.core.errors import N_, Amount, DomainError, Number
from savings_groups.core.money import amount_of
from savings_groups.core.numbers import parse_whole
from savings_groups.core.vocabulary import (
    DiscountRule,
    EndRule,
    GroupKind,
    MeetingFrequency,
    RotationOrder,
)
from savings_groups.groups.members import current_members
from savings_groups.org import audit
from savings_groups.rosca.compute import RoscaError, contribution_parts, fixed_order
from savings_groups.store.db import db, lock
from savings_groups.store.models import (
    Hand,
    HandHolder,
    Member,
    Rotation,
    Round,
    SavingsGroup,
    TurnSwap,
    User,
)

MAX_WHOLE_HANDS = 10  # per member: more is surely a typing mistake
MAX_HANDS = 200  # rounds in one rotation: years of meetings already
NOTES_MAX = 2000


# --- the rotation's terms -------------------------------------------------------------------


@dataclass(frozen=True)
class RotationTerms:
    """A rotation's terms as entered: amounts as minor units (int) or text in the reader's
    locale; `clean()` checks them and returns the Rotation's fields."""

    contribution: int | str | None
    frequency: MeetingFrequency | str | None
    start_date: date | str | None
    order: RotationOrder | str | None
    discount_rule: DiscountRule | str | None = DiscountRule.SHARED
    late_fine: int | str | None = None
    notes: str = ""
    end_rule: EndRule | str | None = EndRule.SHARED

    def clean(self, currency: str, locale: str = "en") -> dict:
        contribution = amount_of(self.contribution, currency, locale, "contribution")
        if contribution <= 0:
            raise DomainError(
                N_("The contribution per hand must be more than zero."), field="contribution"
            )
        try:
            frequency = MeetingFrequency(self.frequency)
        except ValueError:
            raise DomainError(N_("Choose how often the rounds come."), field="frequency") from None
        start = parse_date(self.start_date, "start_date")
        try:
            order = RotationOrder(self.order)
        except ValueError:
            raise DomainError(
                N_("Choose how the order of the payouts is decided."), field="order"
            ) from None
        rule = DiscountRule.SHARED
        if order is RotationOrder.BIDDING:
            try:
                rule = DiscountRule(self.discount_rule)
            except ValueError:
                raise DomainError(
                    N_("Choose what becomes of a winning bid's discount."), field="discount_rule"
                ) from None
        late_fine = 0
        if self.late_fine is not None and str(self.late_fine).strip():
            late_fine = amount_of(self.late_fine, currency, locale, "late_fine")
        end_rule = clean_end_rule(self.end_rule)
        notes = (self.notes or "").strip()
        if len(notes) > NOTES_MAX:
            raise DomainError(
                N_("The notes are too long (%(count)s characters at most)."),
                field="notes",
                count=Number(NOTES_MAX),
            )
        return {
            "contribution": contribution,
            "frequency": frequency.value,
            "start_date": start,
            "order": order.value,
            "discount_rule": rule.value,
            "late_fine": late_fine,
            "end_rule": end_rule.value,
            "notes": notes,
        }


def clean_end_rule(value: EndRule | str | None) -> EndRule:
    """What becomes of what stays in the pot at the end, as chosen (refused when unknown)."""
    try:
        return EndRule(value)
    except ValueError:
        raise DomainError(
            N_("Choose what becomes of what stays in the pot at the end."), field="end_rule"
        ) from None


def default_terms(group: SavingsGroup, on: date) -> RotationTerms:
    """What the new rotation form starts with: the group's meeting frequency, starting on `on`."""
    return RotationTerms(
        contribution=None,
        frequency=group.meeting_frequency,
        start_date=on,
        order=RotationOrder.FIXED,
    )


def _check_rosca(group: SavingsGroup) -> None:
    if group.kind != GroupKind.ROSCA.value:
        raise DomainError(
            N_("Rotations are for ROSCAs (tontines); this is a savings group, which has cycles.")
        )
    if group.archived_at is not None:
        raise DomainError(N_("This group is archived: nothing can be changed in it."))


def create_rotation(
    actor: User, group: SavingsGroup, terms: RotationTerms, locale: str = "en"
) -> Rotation:
    """A new rotation of a ROSCA, numbered after the group's earlier ones; hands come next."""
    _check_rosca(group)
    values = terms.clean(group.currency, locale)
    with db.atomic():
        highest = Rotation.select(fn.MAX(Rotation.number)).where(Rotation.group == group).scalar()
        rotation = Rotation.create(
            group=group, number=(highest or 0) + 1, created_by=actor, **values
        )
        audit.record(actor, "rotation.create", rotation, group=group, **values)
    return rotation


def rotations_of(group: SavingsGroup) -> list[Rotation]:
    """The group's rotations, the latest first, each with `hand_count` (its rounds) and
    `paid_count` (its rounds paid out), so that the list tells which one is at which round when
    several run at once (one query)."""
    hands = Hand.select(fn.COUNT(Hand.id)).where(Hand.rotation == Rotation.id)
    paid = Round.select(fn.COUNT(Round.id)).where(
        (Round.rotation == Rotation.id) & Round.paid_out_on.is_null(False)
    )
    return list(
        Rotation.select(Rotation, hands.alias("hand_count"), paid.alias("paid_count"))
        .where(Rotation.group == group)
        .order_by(Rotation.number.desc())
    )


def rotation_of(group: SavingsGroup, rotation_id: int) -> Rotation | None:
    """The rotation if it belongs to this group (so an id from another group is not found)."""
    return Rotation.get_or_none((Rotation.id == rotation_id) & (Rotation.group == group))


# --- what C2's rounds read: hands, pot, dates -----------------------------------------------


class HolderShare(NamedTuple):
    """A holder of a hand: the member, whether it is half the hand, and what they pay a round."""

    member: Member
    half: bool
    part: int


@dataclass(frozen=True)
class HandInfo:
    id: int  # the Hand row's
    number: int
    position: int | None
    holders: list[HolderShare]  # by member number; the first pays the odd unit of a half hand


def hands_of(rotation: Rotation) -> list[HandInfo]:
    """The rotation's hands by number, each with its holders and their parts (one query)."""
    rows = (
        HandHolder.select(HandHolder, Hand, Member)
        .join(Hand)
        .switch(HandHolder)
        .join(Member)
        .where(Hand.rotation == rotation)
        .order_by(Hand.number, Member.number)
    )
    grouped: dict[int, tuple[Hand, list[HandHolder]]] = {}
    for row in rows:
        grouped.setdefault(row.hand.number, (row.hand, []))[1].append(row)
    hands = []
    for number, (hand, holders) in grouped.items():
        parts = contribution_parts(rotation.contribution, len(holders))
        shares = [
            HolderShare(h.member, h.half, part) for h, part in zip(holders, parts, strict=True)
        ]
        hands.append(HandInfo(hand.id, number, hand.position, shares))
    return hands


def stakes_of(hands: Iterable[HandInfo], excluding: int | None = None) -> dict[int, int]:
    """Each member's stake (by member id) in half hands, a whole hand counting 2, leaving out
    the hand `excluding` (a winning bid's): the weights for sharing its discount."""
    stakes: dict[int, int] = {}
    for hand in hands:
        if hand.number == excluding:
            continue
        for holder in hand.holders:
            stakes[holder.member.id] = stakes.get(holder.member.id, 0) + (1 if holder.half else 2)
    return stakes


def rounds_count(rotation: Rotation) -> int:
    """As many rounds as hands: each hand takes the pot once."""
    return Hand.select().where(Hand.rotation == rotation).count()


def pot_of(rotation: Rotation) -> int:
    """The pot of every round: the contribution of every hand."""
    return rotation.contribution * rounds_count(rotation)


def due_date(rotation: Rotation, round_number: int) -> date:
    """Round 1 is due on the start date, each next one a period (the frequency) later."""
    return add_periods(rotation.start_date, round_number - 1, rotation.frequency)


# --- hands ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HandChoice:
    """One member's row of the hands form: whole hands (a count, as int or text), and half a
    hand shared with a partner (a member id) — the partner holds the other half."""

    member_id: int
    whole: int | str | None = 0
    half: bool = False
    partner_id: int | None = None


def _check_setup_open(rotation: Rotation) -> None:
    """Refuse once started, read afresh inside the write's transaction (another user may just
    have started it)."""
    _check_rosca(rotation.group)
    started = lock(Rotation, rotation.id).started_at  # the start waits, or has happened
    if started is not None:
        raise DomainError(
            N_("This rotation has started: its hands and order can no longer be changed.")
        )


def plan_hands(
    choices: Iterable[HandChoice], members: Iterable[Member], locale: str = "en"
) -> list[list[tuple[Member, bool]]]:
    """The hands the rows describe, in order: [(member, half)] per hand (pure, no writes).

    Hands are numbered by member number: a member's whole hands, then the half hand they share,
    numbered at the first of its two holders. Whole hands typed as text are read in `locale`.
    """
    by_id = {m.id: m for m in members}
    wholes: dict[int, int] = {}
    pairs: dict[int, int] = {}  # member id -> the partner sharing their half hand
    alone: list[tuple[Member, str]] = []
    for choice in choices:
        member = by_id.get(choice.member_id)
        if member is None:
            raise DomainError(
                N_("This member is not a current member of the group."),
                field=f"whole-{choice.member_id}",
            )
        field = f"whole-{member.id}"
        count = parse_whole(
            choice.whole, field, locale=locale, maximum=MAX_WHOLE_HANDS, required=False
        )
        wholes[member.id] = count or 0
        field = f"partner-{member.id}"
        if choice.partner_id is None:
            if choice.half:
                alone.append((member, field))
            continue
        if not choice.half:
            raise DomainError(
                N_("Tick “half hand” to share a hand with a partner, or leave the partner empty."),
                field=field,
            )
        partner = by_id.get(choice.partner_id)
        if partner is None:
            raise DomainError(N_("The partner must be a current member of the group."), field=field)
        if partner.id == member.id:
            raise DomainError(N_("A member cannot share a half hand with themselves."), field=field)
        for one, other in ((member, partner), (partner, member)):
            if pairs.get(one.id, other.id) != other.id:
                raise DomainError(
                    N_("%(name)s already shares a half hand with %(other)s."),
                    field=field,
                    name=one.full_name,
                    other=by_id[pairs[one.id]].full_name,
                )
            pairs[one.id] = other.id
    for member, field in alone:
        if member.id not in pairs:
            raise DomainError(
                N_("A half hand needs its partner: choose who holds the other half."),
                field=field,
            )
    hands: list[list[tuple[Member, bool]]] = []
    for member in sorted(by_id.values(), key=lambda m: m.number):
        hands.extend([(member, False)] for _ in range(wholes.get(member.id, 0)))
        partner = by_id.get(pairs.get(member.id))
        if partner is not None and member.number < partner.number:
            hands.append([(member, True), (partner, True)])
    if len(hands) > MAX_HANDS:
        raise DomainError(
            N_("A rotation has at most %(count)d hands."), field="hands", count=MAX_HANDS
        )
    return hands


def set_hands(
    actor: User, rotation: Rotation, choices: Iterable[HandChoice], locale: str = "en"
) -> list[Hand]:
    """Replace the rotation's hands by those the rows describe (before the start only).

    Members are the group's current members; a fixed order must be set again afterwards, since
    the hands it placed are gone.
    """
    with db.atomic():
        _check_setup_open(rotation)
        planned = plan_hands(choices, current_members(rotation.group), locale)
        old = Hand.select(Hand.id).where(Hand.rotation == rotation)
        HandHolder.delete().where(HandHolder.hand.in_(old)).execute()
        Hand.delete().where(Hand.rotation == rotation).execute()
        hands = []
        for number, holders in enumerate(planned, start=1):
            hand = Hand.create(rotation=rotation, number=number)
            HandHolder.insert_many(
                [{"hand": hand, "member": member, "half": half} for member, half in holders]
            ).execute()
            hands.append(hand)
        audit.record(
            actor,
            "rotation.hands",
            rotation,
            group=rotation.group,
            hands=[[member.number for member, _half in holders] for holders in planned],
            pot=Amount(rotation.contribution * len(planned), rotation.group.currency),
        )
    return hands


def choices_of(hands: Iterable[HandInfo]) -> dict[int, HandChoice]:
    """The hands form's rows as they stand, by member id, to fill the form."""
    rows: dict[int, HandChoice] = {}
    for hand in hands:
        ids = [holder.member.id for holder in hand.holders]
        for holder in hand.holders:
            row = rows.get(holder.member.id, HandChoice(holder.member.id))
            if holder.half:
                partner = next(i for i in ids if i != holder.member.id)
                row = HandChoice(row.member_id, row.whole, True, partner)
            else:
                row = HandChoice(row.member_id, row.whole + 1, row.half, row.partner_id)
            rows[holder.member.id] = row
    return rows


# --- a fixed order, and the start -----------------------------------------------------------


def _position(value, field: str, locale: str) -> int:
    position = parse_whole(value, field, locale=locale, minimum=1, required=False)
    if position is None:
        raise DomainError(N_("Give every hand a position, like 1."), field=field)
    return position


def set_order(
    actor: User, rotation: Rotation, positions: Mapping[int, int | str], locale: str = "en"
) -> list[int]:
    """Record the agreed order of a fixed rotation: hand number -> position 1..n, each once
    (typed positions are read in `locale`).

    Returns the hand numbers in the order they will be paid.
    """
    with db.atomic():
        _check_setup_open(rotation)
        if rotation.order != RotationOrder.FIXED.value:
            raise DomainError(
                N_("Only a rotation in a fixed order has positions: the others are drawn or bid.")
            )
        hands = {hand.number: hand for hand in Hand.select().where(Hand.rotation == rotation)}
        if not hands:
            raise DomainError(N_("Give out the hands first."))
        given = {n: _position(positions.get(n), f"position-{n}", locale) for n in hands}
        try:
            order = fixed_order(given)
        except RoscaError as error:
            error.field = f"position-{error.params['hand']}"
            raise
        for number, hand in hands.items():
            if hand.position != given[number]:
                hand.position = given[number]
                hand.save()
        audit.record(actor, "rotation.order", rotation, group=rotation.group, order=order)
    return order


def start_rotation(actor: User, rotation: Rotation) -> Rotation:
    """Freeze the hands and the order: from now on rounds are recorded against them."""
    with db.atomic():
        _check_setup_open(rotation)
        hands = list(Hand.select().where(Hand.rotation == rotation))
        if len(hands) < 2:
            raise DomainError(N_("A rotation needs at least 2 hands to start."))
        if rotation.order == RotationOrder.FIXED.value and any(h.position is None for h in hands):
            raise DomainError(N_("Set the order of the hands before starting."))
        left = (
            Member.select(Member.full_name)
            .join(HandHolder)
            .join(Hand)
            .where((Hand.rotation == rotation) & Member.left_on.is_null(False))
            .first()
        )
        if left is not None:
            raise DomainError(
                N_("%(name)s has left the group: give out the hands again."), name=left.full_name
            )
        rotation.started_at = utcnow()
        rotation.save()
        audit.record(
            actor,
            "rotation.start",
            rotation,
            group=rotation.group,
            hands=len(hands),
            pot=Amount(rotation.contribution * len(hands), rotation.group.currency),
        )
    return rotation


def set_end_rule(actor: User, rotation: Rotation, rule: EndRule | str) -> Rotation:
    """Change what becomes of what stays in the pot at the end (before the start only)."""
    chosen = clean_end_rule(rule)
    with db.atomic():
        fresh = locked(rotation)
        _check_rosca(fresh.group)
        if fresh.started_at is not None:
            raise DomainError(
                N_(
                    "This rotation has started: what becomes of what stays in the pot at the "
                    "end can no longer be changed."
                ),
                field="end_rule",
            )
        rotation = fresh
        changed = audit.changes(rotation, end_rule=chosen.value)
        if changed:
            rotation.save()
            audit.record(actor, "rotation.end_rule", rotation, group=rotation.group, **changed)
    return rotation


# --- after the start: two hands swap their turns ----------------------------------------------

SWAP_NOTE_MAX = 500


def locked(rotation: Rotation) -> Rotation:
    """The rotation read afresh inside the write's transaction and held until it ends
    (store.db.lock), its group kept: two writes on one rotation wait for each other."""
    fresh = lock(Rotation, rotation.id)
    fresh.group = rotation.group
    return fresh


def served_rounds(rotation: Rotation) -> dict[int, int]:
    """Hand id -> the round in which it took the pot (one query)."""
    query = Round.select(Round.recipient, Round.number).where(
        (Round.rotation == rotation) & Round.recipient.is_null(False)
    )
    return {row.recipient_id: row.number for row in query}


def order_stamp(rotation: Rotation) -> str:
    """A short fingerprint of the rotation's order as it stands (positions, hands served, the
    end): a page posts the one it was shown, and a write refuses it once it changed (a stale
    tab), so that nobody swaps turns they no longer see (two queries)."""
    positions = sorted(
        Hand.select(Hand.id, Hand.position).where(Hand.rotation == rotation).tuples()
    )
    served = sorted(served_rounds(rotation).items())
    text = f"{rotation.id}|{rotation.finished_at}|{positions}|{served}"
    return sha256(text.encode()).hexdigest()[:16]


def _swap_hand(rotation: Rotation, hand_id: int | None, field: str) -> Hand:
    hand = None
    if isinstance(hand_id, int) and not isinstance(hand_id, bool):
        hand = Hand.get_or_none((Hand.id == hand_id) & (Hand.rotation == rotation))
    if hand is None:
        raise DomainError(N_("Choose a hand of this rotation."), field=field)
    return hand


def swap_turns(
    actor: User,
    rotation: Rotation,
    first_id: int | None,
    second_id: int | None,
    agreed: bool,
    note: str = "",
    seen: str | None = None,
) -> TurnSwap:
    """Two hands of a started fixed rotation exchange their turns, their holders agreeing.

    Both must still be waiting for the pot, and none of their holders may have left the group.
    Only a fixed order has turns: in a lottery or bidding rotation the pot is drawn or bid for
    at each round, so a swap is refused there. `seen` is the order_stamp the page showed: a
    swap from a page that no longer shows the order as it is (a stale tab) is refused.
    Nothing is written when refused.
    """
    note = (note or "").strip()
    with db.atomic():
        rotation = locked(rotation)
        _check_rosca(rotation.group)
        if rotation.order != RotationOrder.FIXED.value:
            raise DomainError(
                N_(
                    "Only a rotation in a fixed order has turns to swap: in a lottery or a "
                    "bidding rotation the hand that takes the pot is drawn or bid for at each "
                    "round."
                )
            )
        if rotation.started_at is None:
            raise DomainError(
                N_("This rotation has not started: change its order on the order page.")
            )
        if rotation.finished_at is not None:
            raise DomainError(
                N_("This rotation is finished: every hand has taken the pot, no turn is left.")
            )
        if seen is not None and seen != order_stamp(rotation):
            raise DomainError(
                N_(
                    "The order of this rotation has changed since this page was opened (a round "
                    "paid out or turns swapped): look at it again, then swap."
                )
            )
        first = _swap_hand(rotation, first_id, "first")
        second = _swap_hand(rotation, second_id, "second")
        if first.id == second.id:
            raise DomainError(N_("Choose two different hands."), field="second")
        served = served_rounds(rotation)
        holders = {}
        for hand, field in ((first, "first"), (second, "second")):
            if hand.id in served:
                raise DomainError(
                    N_(
                        "Hand %(hand)s has already taken the pot (round %(round)s): only hands "
                        "still waiting can swap turns."
                    ),
                    field=field,
                    hand=hand.number,
                    round=served[hand.id],
                )
            members = list(
                Member.select()
                .join(HandHolder)
                .where(HandHolder.hand == hand)
                .order_by(Member.number)
            )
            gone = next((m for m in members if m.left_on is not None), None)
            if gone is not None:
                raise DomainError(
                    N_("%(name)s has left the group: their hand cannot swap turns."),
                    field=field,
                    name=gone.full_name,
                )
            holders[hand.id] = ", ".join(m.full_name for m in members)
        if not agreed:
            raise DomainError(
                N_("Tick the box once the holders of both hands have agreed to the swap."),
                field="agreed",
            )
        if len(note) > SWAP_NOTE_MAX:
            raise DomainError(
                N_("The note is too long (%(count)s characters at most)."),
                field="note",
                count=Number(SWAP_NOTE_MAX),
            )
        before = (first.position, second.position)
        swap = TurnSwap.create(
            rotation=rotation,
            first_hand=first,
            second_hand=second,
            first_position=before[0],
            second_position=before[1],
            note=note,
            recorded_by=actor,
        )
        Hand.update(position=before[1]).where(Hand.id == first.id).execute()
        Hand.update(position=before[0]).where(Hand.id == second.id).execute()
        audit.record(
            actor,
            "rotation.swap",
            rotation,
            group=rotation.group,
            rotation=rotation.number,
            first_hand=first.number,
            first_members=holders[first.id],
            first_position=[before[0], before[1]],
            second_hand=second.number,
            second_members=holders[second.id],
            second_position=[before[1], before[0]],
            note=note,
        )
    return swap


def swaps_of(rotation: Rotation) -> list[TurnSwap]:
    """The turns swapped in the rotation, the first first, each with its two hands (one query)."""
    second = Hand.alias()
    return list(
        TurnSwap.select(TurnSwap, Hand, second, User)
        .join(Hand, on=(TurnSwap.first_hand == Hand.id))
        .switch(TurnSwap)
        .join(second, on=(TurnSwap.second_hand == second.id))
        .switch(TurnSwap)
        .join(User, on=(TurnSwap.recorded_by == User.id))
        .where(TurnSwap.rotation == rotation)
        .order_by(TurnSwap.id)
    )
