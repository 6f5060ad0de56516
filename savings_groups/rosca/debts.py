"""Who owes whom in a rotation: a member who paid a contribution for another is owed it by
them until it is repaid; a repayment goes through the pot as two entries (DEBT_REPAYMENT):
+ from the one who owed, - to the one who paid for them."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from peewee import JOIN, fn

from savings_groups.core.dates import today
from savings_groups.core.errors import N_, Amount, DomainError
from savings_groups.core.vocabulary import ContributionStatus, EntryKind, Fund
from savings_groups.ledger import entries as ledger
from savings_groups.org import audit
from savings_groups.rosca.compute import RoscaError
from savings_groups.store.db import db, lock
from savings_groups.store.models import (
    Contribution,
    DebtRepayment,
    Entry,
    Member,
    Rotation,
    Round,
    User,
)


@dataclass(frozen=True)
class Debt:
    """What `debtor` still owes `creditor`, who paid contributions for them."""

    debtor: Member
    creditor: Member
    covered: int  # contributions the creditor paid for the debtor
    repaid: int

    @property
    def outstanding(self) -> int:
        return self.covered - self.repaid


def debts_of(rotation: Rotation, members: Mapping[int, Member] | None = None) -> list[Debt]:
    """Every pair of members with a contribution paid by one for the other, by debtor then
    creditor number (two queries, three without `members`: the rotation's members by id);
    settled debts too (outstanding 0)."""
    newer = Contribution.alias()
    covered = (
        Contribution.select(
            Contribution.member, Contribution.paid_by, fn.SUM(Contribution.amount).alias("total")
        )
        .join(Round)
        .switch(Contribution)
        .join(newer, JOIN.LEFT_OUTER, on=(newer.replaces == Contribution.id))
        .where(
            (Round.rotation == rotation)
            & newer.id.is_null()
            & (Contribution.status == ContributionStatus.COVERED.value)
        )
        .group_by(Contribution.member, Contribution.paid_by)
        .tuples()
    )
    pairs: dict[tuple[int, int], list[int]] = {}
    for debtor, creditor, total in covered:
        pairs[debtor, creditor] = [int(total or 0), 0]
    reversal = Entry.alias()
    repaid = (
        DebtRepayment.select(
            DebtRepayment.debtor, DebtRepayment.creditor, fn.SUM(DebtRepayment.amount)
        )
        .join(reversal, JOIN.LEFT_OUTER, on=(reversal.reverses == DebtRepayment.debtor_entry))
        .where((DebtRepayment.rotation == rotation) & reversal.id.is_null())
        .group_by(DebtRepayment.debtor, DebtRepayment.creditor)
        .tuples()
    )
    for debtor, creditor, total in repaid:
        pairs.setdefault((debtor, creditor), [0, 0])[1] = int(total or 0)
    if members is None:
        ids = {member_id for pair in pairs for member_id in pair}
        members = {m.id: m for m in Member.select().where(Member.id.in_(ids or [0]))}
    debts = [
        Debt(members[debtor], members[creditor], covered_, repaid_)
        for (debtor, creditor), (covered_, repaid_) in pairs.items()
    ]
    debts.sort(key=lambda d: (d.debtor.number, d.creditor.number))
    return debts


def repaid_by_member(debts: Iterable[Debt]) -> dict[int, int]:
    """Member id -> what they paid into the pot (+) or were paid back (-) as repayments between
    members: part of what they paid in, for their position."""
    net: dict[int, int] = {}
    for debt in debts:
        net[debt.debtor.id] = net.get(debt.debtor.id, 0) + debt.repaid
        net[debt.creditor.id] = net.get(debt.creditor.id, 0) - debt.repaid
    return net


def owes_lines(debts: list[Debt]) -> tuple[dict[int, list[Debt]], dict[int, list[Debt]]]:
    """Per member id: the debts they owe, and those owed to them, outstanding only."""
    owes: dict[int, list[Debt]] = {}
    owed: dict[int, list[Debt]] = {}
    for debt in debts:
        if debt.outstanding > 0:
            owes.setdefault(debt.debtor.id, []).append(debt)
            owed.setdefault(debt.creditor.id, []).append(debt)
    return owes, owed


@dataclass(frozen=True)
class RepaymentNotes:
    """The notes of a repayment's two entries, in the reader's language (see RoundNotes)."""

    debtor: str = "Repaid to %(name)s, who paid a contribution for them"
    creditor: str = "Repaid by %(name)s, for a contribution paid for them"


def repay_debt(
    actor: User,
    rotation: Rotation,
    debtor_id: int | None,
    creditor_id: int | None,
    amount: int | None,
    on: date | None,
    notes: RepaymentNotes = RepaymentNotes(),
) -> DebtRepayment:
    """Record that `debtor` repaid `creditor` `amount` of the contributions the creditor paid
    for them. Refused, nothing written: no such debt, an amount of 0 or above what is still
    owed, a date in the future or before the rotation's start."""
    with db.atomic():
        rotation = lock(Rotation, rotation.id)  # two writes on one rotation wait in turn
        if rotation.group.archived_at is not None:
            raise RoscaError(N_("This group is archived: nothing can be recorded in it."))
        debt = next(
            (
                d
                for d in debts_of(rotation)
                if (d.debtor.id, d.creditor.id) == (debtor_id, creditor_id)
            ),
            None,
        )
        if debt is None or debt.outstanding <= 0:
            raise DomainError(N_("Choose a debt still owed."), field="debt")
        currency = rotation.group.currency
        if amount is None or amount <= 0:
            raise DomainError(N_("Enter the amount repaid."), field="amount")
        if amount > debt.outstanding:
            raise DomainError(
                N_("%(name)s owes %(amount)s at most to this member."),
                field="amount",
                name=debt.debtor.full_name,
                amount=Amount(debt.outstanding, currency),
            )
        if on is None:
            raise DomainError(N_("Enter the date of the repayment."), field="on")
        if on > today():
            raise DomainError(
                N_("This date is in the future: enter the day the money changed hands."),
                field="on",
            )
        if on < rotation.start_date:
            raise DomainError(
                N_("The repayment cannot be dated before the rotation starts."), field="on"
            )
        group = rotation.group

        def post(member: Member, signed: int, note: str, name: str):
            return ledger.post(
                actor,
                group,
                Fund.POT,
                EntryKind.DEBT_REPAYMENT,
                signed,
                member=member,
                note=note % {"name": name},
                effective_on=on,
            )

        repayment = DebtRepayment.create(
            rotation=rotation,
            debtor=debt.debtor,
            creditor=debt.creditor,
            amount=amount,
            paid_on=on,
            debtor_entry=post(debt.debtor, amount, notes.debtor, debt.creditor.full_name),
            creditor_entry=post(debt.creditor, -amount, notes.creditor, debt.debtor.full_name),
            recorded_by=actor,
        )
        audit.record(
            actor,
            "rotation.repay_debt",
            repayment,
            group=group.id,
            rotation=rotation.number,
            debtor=debt.debtor.number,
            creditor=debt.creditor.number,
            amount=amount,
            on=on,
        )
        return repayment


def live_repayments(rotation: Rotation) -> list[DebtRepayment]:
    """The rotation's repayments not undone, the latest first, with debtor and creditor (one
    query)."""
    debtor, creditor, reversal = Member.alias(), Member.alias(), Entry.alias()
    return list(
        DebtRepayment.select(DebtRepayment, debtor, creditor)
        .join(debtor, on=(DebtRepayment.debtor == debtor.id))
        .switch(DebtRepayment)
        .join(creditor, on=(DebtRepayment.creditor == creditor.id))
        .switch(DebtRepayment)
        .join(reversal, JOIN.LEFT_OUTER, on=(reversal.reverses == DebtRepayment.debtor_entry))
        .where((DebtRepayment.rotation == rotation) & reversal.id.is_null())
        .order_by(DebtRepayment.paid_on.desc(), DebtRepayment.id.desc())
    )


def undo_repayment(actor: User, repayment: DebtRepayment, reason: str) -> DebtRepayment:
    """Undo a repayment recorded by mistake: both its entries reversed with `reason`, so the
    debt is owed again. Refused, nothing written: no reason, a repayment already undone, an
    archived group."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(N_("Say why the repayment is undone."), field="repayment_reason")
    with db.atomic():
        rotation = lock(Rotation, repayment.rotation_id)
        if rotation.group.archived_at is not None:
            raise RoscaError(N_("This group is archived: nothing can be recorded in it."))
        repayment = DebtRepayment.get_by_id(repayment.id)
        entries = [repayment.debtor_entry, repayment.creditor_entry]
        if Entry.select().where(Entry.reverses.in_([e.id for e in entries])).exists():
            raise DomainError(N_("This repayment has already been undone."), field="repayment")
        for entry in entries:
            ledger.reverse(actor, entry, reason)
        audit.record(
            actor,
            "rotation.undo_repayment",
            repayment,
            group=rotation.group_id,
            rotation=rotation.number,
            debtor=repayment.debtor.number,
            creditor=repayment.creditor.number,
            amount=repayment.amount,
            on=repayment.paid_on,
            reason=reason,
        )
        return repayment
