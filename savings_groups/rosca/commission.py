"""The organiser's commission, a rule of a rotation: an amount or a share of each round's pot,
taken from the pot at the payout and posted as its own entry (EntryKind.COMMISSION)."""

from decimal import Decimal

from savings_groups.core.errors import N_, DomainError
from savings_groups.core.money import amount_of
from savings_groups.core.numbers import read
from savings_groups.org import audit
from savings_groups.rosca.compute import RoscaError
from savings_groups.rosca.compute import commission_of as compute_commission
from savings_groups.store.db import db, lock
from savings_groups.store.models import Member, Rotation, Round, User

MAX_SHARE = 2_000  # hundredths of a percent: 20 % of a pot is already far above the custom


def commission_for(rotation: Rotation, pot: int) -> int:
    """The commission of one round of `rotation` whose pot (before any discount) is `pot`."""
    return compute_commission(
        pot, rotation.commission_amount, rotation.commission_share, rotation.group.rounding_unit
    )


def share_text(share: int) -> Decimal:
    """A share in hundredths of a percent as the percent people read: 250 -> 2.5."""
    return (Decimal(share) / 100).normalize() if share else Decimal(0)


def _share(value: str, locale: str) -> int:
    """A percent typed in the reader's locale ("2,5" in French, a trailing % allowed) in
    hundredths of a percent."""
    typed = read(value, locale, suffix="%")
    if typed is None:
        return 0
    number = typed.value(locale) if typed.is_plain(locale) and not typed.negative else None
    if (
        number is None
        or number.as_tuple().exponent < -2
        and number != number.quantize(Decimal("0.01"))
    ):
        raise DomainError(
            N_("Enter a percent with at most two decimals, like 2.5."), field="commission_share"
        )
    share = int(number * 100)
    if share > MAX_SHARE:
        raise DomainError(
            N_("Enter a percent from 0 to %(maximum)s."),
            field="commission_share",
            maximum=MAX_SHARE // 100,
        )
    return share


def set_commission(
    actor: User,
    rotation: Rotation,
    amount: int | str | None,
    share: str | None,
    organiser_id: int | None,
    locale: str = "en",
) -> Rotation:
    """Set the organiser's commission: an amount per round, or a share of the pot (not both),
    paid to the organiser (a member of the group, or nobody named). Only before any round is
    paid out: every round of a rotation takes the same commission. Nothing given: none."""
    currency = rotation.group.currency
    fixed = 0
    if amount is not None and str(amount).strip():
        fixed = amount_of(amount, currency, locale, "commission_amount")
    percent = _share(share, locale) if isinstance(share, str) else int(share or 0)
    if fixed and percent:
        raise DomainError(
            N_("Give the commission as an amount or as a share of the pot, not both."),
            field="commission_share",
        )
    with db.atomic():
        rotation = lock(Rotation, rotation.id)  # two writes on one rotation wait in turn
        if rotation.group.archived_at is not None:
            raise RoscaError(N_("This group is archived: nothing can be recorded in it."))
        pot = rotation.contribution * rotation.hands.count()
        if fixed and pot and fixed >= pot:
            raise DomainError(
                N_("The commission must be less than the pot."), field="commission_amount"
            )
        paid = Round.select().where((Round.rotation == rotation) & Round.paid_out_on.is_null(False))
        if paid.exists():
            raise RoscaError(
                N_("A round is paid out already: the commission is the same for every round."),
                field="commission_amount",
            )
        organiser = None
        if organiser_id is not None:
            organiser = Member.get_or_none(
                (Member.id == organiser_id) & (Member.group == rotation.group_id)
            )
            if organiser is None:
                raise DomainError(
                    N_("Choose the organiser among the group's members."), field="organiser"
                )
        Rotation.update(
            commission_amount=fixed, commission_share=percent, organiser=organiser
        ).where(Rotation.id == rotation.id).execute()
        rotation.commission_amount, rotation.commission_share = fixed, percent
        rotation.organiser = organiser
        audit.record(
            actor,
            "rotation.commission",
            rotation,
            group=rotation.group_id,
            rotation=rotation.number,
            amount=fixed,
            share=percent,
            organiser=organiser.number if organiser else None,
        )
        return rotation
