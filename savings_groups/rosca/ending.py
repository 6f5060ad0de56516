"""The end of a rotation: what stayed in its pot once the last round is paid out (kept bid
discounts, late fines, what could not be split) shared among the members by their hands, or
carried over to the next rotation, as the rotation's rule says.

Every coin goes through the ledger (fund: pot), each entry tied to its rotation by a
RotationEntry: a share (-) to each member, or a carry-over out of this rotation (-) and into the
next (+). Done once; what is too small to split in whole rounding units stays in the pot and
is shown.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from savings_groups.core.dates import today
from savings_groups.core.errors import N_, Amount, DomainError
from savings_groups.core.money import split_largest_remainder
from savings_groups.core.vocabulary import EndRule, EntryKind, Fund
from savings_groups.ledger import entries as ledger
from savings_groups.org import audit
from savings_groups.rosca.reports import pot_held
from savings_groups.rosca.rotations import hands_of, locked, stakes_of
from savings_groups.store.db import db
from savings_groups.store.models import (
    Member,
    Rotation,
    RotationEnd,
    RotationEntry,
    Round,
    User,
)

K = TypeVar("K")


@dataclass(frozen=True)
class EndPlan:
    """What becomes of the pot's remainder: shares by member, carried over, left (too small to
    split in whole rounding units). sum(shares) + carried + left == remainder."""

    remainder: int
    rule: EndRule
    shares: dict
    carried: int
    left: int

    @property
    def shared(self) -> int:
        return sum(self.shares.values())


def plan_end(remainder: int, stakes: Mapping[K, int], unit: int, rule: EndRule | str) -> EndPlan:
    """The remainder shared by stakes (half hands) by largest remainder in whole units, or all
    of it carried over (pure)."""
    rule = EndRule(rule)
    if remainder < 0:
        raise ValueError("a pot cannot share or carry less than nothing")
    if rule is EndRule.CARRIED:
        return EndPlan(remainder, rule, {}, remainder, 0)
    keys = [key for key, stake in stakes.items() if stake > 0]
    if not keys:
        return EndPlan(remainder, rule, {}, 0, remainder)
    parts, left = split_largest_remainder(remainder, [stakes[k] for k in keys], unit)
    return EndPlan(remainder, rule, dict(zip(keys, parts, strict=True)), 0, left)


@dataclass(frozen=True)
class EndView:
    """What the end page shows: the pot's remainder and the plan, the members by id, the
    rotations it may be carried to, and once done, what was done."""

    rotation: Rotation
    plan: EndPlan
    members: dict[int, Member]
    stakes: dict[int, int]
    targets: list[Rotation]
    done: RotationEnd | None
    last_paid_on: date | None

    @property
    def ready(self) -> bool:
        return self.rotation.finished_at is not None and self.done is None


def targets_of(rotation: Rotation) -> list[Rotation]:
    """The rotations what stays may be carried to: the group's later ones, not finished (one
    query)."""
    return list(
        Rotation.select()
        .where(
            (Rotation.group == rotation.group_id)
            & (Rotation.number > rotation.number)
            & Rotation.finished_at.is_null()
        )
        .order_by(Rotation.number)
    )


def end_view(rotation: Rotation) -> EndView:
    """The rotation's end as it stands (a fixed number of queries)."""
    hands = hands_of(rotation)
    stakes = stakes_of(hands)
    members = {h.member.id: h.member for hand in hands for h in hand.holders}
    done = RotationEnd.get_or_none(RotationEnd.rotation == rotation)
    remainder = pot_held(rotation)
    rule = EndRule(done.rule if done else rotation.end_rule)
    if done is not None:
        plan = EndPlan(done.remainder, rule, {}, done.carried, done.left)
    else:
        plan = plan_end(max(remainder, 0), stakes, rotation.group.rounding_unit, rule)
    last = (
        Round.select(Round.paid_out_on)
        .where((Round.rotation == rotation) & Round.paid_out_on.is_null(False))
        .order_by(Round.number.desc())
        .scalar()
    )
    return EndView(rotation, plan, members, stakes, targets_of(rotation), done, last)


@dataclass(frozen=True)
class EndNotes:
    """The notes of the entries, in the reader's language (the view gives them); formatted with
    the rotation's `number` and, for a carry-over, the other rotation's `other`."""

    share: str = "End of rotation %(number)d: share of what stayed in the pot"
    carried_out: str = "End of rotation %(number)d: carried over to rotation %(other)d"
    carried_in: str = "Carried over from rotation %(other)d"


def _tie(actor, rotation, kind, amount, member, note, on) -> None:
    entry = ledger.post(
        actor, rotation.group, Fund.POT, kind, amount, member=member, note=note, effective_on=on
    )
    RotationEntry.create(rotation=rotation, entry=entry)


def end_rotation(
    actor: User,
    rotation: Rotation,
    on: date | None,
    carried_to_id: int | None = None,
    seen: int | None = None,
    notes: EndNotes = EndNotes(),
) -> RotationEnd:
    """Share what stayed in the pot of a finished rotation among its members by hands, or carry
    it over to a later rotation of the group (`carried_to_id`), by the rotation's rule; once.

    Refused, nothing written: the last round not paid out, done already, the pot changed since
    the page showed `seen` (a stale tab), a date in the future or before the last payout, no
    later rotation to carry to, or one that is not a later, unfinished rotation of the group.
    """
    with db.atomic():
        rotation = locked(rotation)
        group = rotation.group
        if group.archived_at is not None:
            raise DomainError(N_("This group is archived: nothing can be changed in it."))
        if rotation.finished_at is None:
            raise DomainError(
                N_(
                    "The last round is not paid out yet: what stays in the pot is shared or "
                    "carried over once it is."
                )
            )
        done = RotationEnd.get_or_none(RotationEnd.rotation == rotation)
        if done is not None:
            raise DomainError(
                N_("What stayed in the pot was already dealt with on %(date)s: once only."),
                date=done.held_on,
            )
        view = end_view(rotation)
        remainder = pot_held(rotation)
        if seen is not None and seen != remainder:
            raise DomainError(
                N_(
                    "The pot has changed since this page was opened: it now holds %(amount)s. "
                    "Look at the amounts again."
                ),
                amount=Amount(remainder, group.currency),
            )
        if remainder < 0:
            raise DomainError(
                N_("The pot of this rotation is short by %(amount)s: check its rounds first."),
                amount=Amount(-remainder, group.currency),
            )
        if on is None:
            raise DomainError(N_("Enter the date."), field="on")
        if on > today():
            raise DomainError(
                N_("This date is in the future: enter the day the money changed hands."),
                field="on",
            )
        if view.last_paid_on is not None and on < view.last_paid_on:
            raise DomainError(
                N_("The last round was paid out on %(date)s: choose that day or a later one."),
                field="on",
                date=view.last_paid_on,
            )
        plan = plan_end(remainder, view.stakes, group.rounding_unit, rotation.end_rule)
        target = None
        if plan.rule is EndRule.CARRIED:
            if not view.targets:
                raise DomainError(
                    N_(
                        "There is no later rotation to carry it over to: create the next "
                        "rotation first."
                    ),
                    field="carried_to",
                )
            target = next((r for r in view.targets if r.id == carried_to_id), None)
            if target is None:
                raise DomainError(
                    N_("Choose a later rotation of this group that is not finished."),
                    field="carried_to",
                )
        for member_id, part in sorted(plan.shares.items()):
            if part:
                note = notes.share % {"number": rotation.number}
                member = view.members[member_id]
                _tie(actor, rotation, EntryKind.ROTATION_SHARE, -part, member, note, on)
        if plan.carried:
            names = {"number": rotation.number, "other": target.number}
            out_note = notes.carried_out % names
            in_note = notes.carried_in % {"number": target.number, "other": rotation.number}
            _tie(actor, rotation, EntryKind.POT_CARRY_OVER, -plan.carried, None, out_note, on)
            _tie(actor, target, EntryKind.POT_CARRY_OVER, plan.carried, None, in_note, on)
        end = RotationEnd.create(
            rotation=rotation,
            rule=plan.rule.value,
            remainder=remainder,
            shared=plan.shared,
            carried=plan.carried,
            left=plan.left,
            carried_to=target,
            held_on=on,
            recorded_by=actor,
        )
        audit.record(
            actor,
            "rotation.end",
            rotation,
            group=group,
            rotation=rotation.number,
            rule=plan.rule.value,
            remainder=Amount(remainder, group.currency),
            shared=Amount(plan.shared, group.currency),
            carried=Amount(plan.carried, group.currency),
            left=Amount(plan.left, group.currency),
            carried_to=target.number if target else None,
            shares={view.members[k].number: v for k, v in sorted(plan.shares.items()) if v},
        )
    return end
