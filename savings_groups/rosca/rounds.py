"""ROSCA rounds: recording contributions and the payout of each round, bids included (DB).

The setup (hands, order, start) is in rotations.py, the arithmetic in rosca.py and what the
pages show (positions, arrears) in rosca_reports.py; this module records rounds. What its
writes mean:

- Every coin is a ledger entry in the pot fund (group = the ROSCA, no cycle, no meeting), tied
  to its round by a RoundEntry, so that a rotation's money is read from the ledger alone.
- A contribution row is never edited: a change is a new row that replaces it, and the entries
  of the old one are reversed (with the reason given). The money of a contribution paid by
  someone else for the holder is that payer's: the holder then owes them.
- A round is paid out once, in order, when each holder's part is in (paid on time, late, or
  covered by another member); the winning bid's discount is shared by stakes or stays in the
  pot as the group's fund, by the rotation's rule; what cannot be split stays in the pot.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from peewee import JOIN, IntegrityError, fn

from savings_groups.core.dates import today, utcnow
from savings_groups.core.errors import N_, Amount, DomainError, Invalid
from savings_groups.core.vocabulary import (
    ContributionStatus,
    DiscountRule,
    EntryKind,
    Fund,
    RotationOrder,
)
from savings_groups.ledger import entries as ledger
from savings_groups.org import audit
from savings_groups.rosca import compute as rosca
from savings_groups.rosca.commission import commission_for
from savings_groups.rosca.compute import RoscaError
from savings_groups.rosca.rotations import (
    HandInfo,
    HolderShare,
    due_date,
    hands_of,
    locked,
    stakes_of,
)
from savings_groups.store.db import db
from savings_groups.store.models import (
    Bid,
    Contribution,
    Entry,
    Member,
    Rotation,
    Round,
    RoundEntry,
    User,
)

PAID = (ContributionStatus.ON_TIME.value, ContributionStatus.LATE.value)
IN_THE_POT = (*PAID, ContributionStatus.COVERED.value)
SEED_MAX = 200


class RoundInvalid(Invalid, RoscaError):
    """Several fields of a round's save are wrong (see errors.Invalid)."""


def line_field(column: str, hand: int, member_id: int) -> str:
    """The name of a holder's field on the round page, shared by the page and the errors:
    status-2-17, paid_by-2-17."""
    return f"{column}-{hand}-{member_id}"


def bid_field(hand: int) -> str:
    return f"bid-{hand}"


def _raise_if(errors: list[DomainError]) -> None:
    """Nothing is written when a check failed: one error as it is, several together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise RoundInvalid(errors)


# --- reading a rotation -----------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """A rotation with its hands (by number) and their ids: what every round is recorded on."""

    rotation: Rotation
    hands: list[HandInfo]
    hand_ids: dict[int, int]  # hand number -> Hand id

    @property
    def count(self) -> int:
        return len(self.hands)

    @property
    def pot(self) -> int:
        return self.rotation.contribution * len(self.hands)

    def hand(self, number: int) -> HandInfo | None:
        return next((hand for hand in self.hands if hand.number == number), None)

    def number_of(self, hand_id: int) -> int | None:
        return next((n for n, i in self.hand_ids.items() if i == hand_id), None)

    def members(self) -> list[Member]:
        """Everyone holding a hand or half a hand, by member number."""
        seen = {h.member.id: h.member for hand in self.hands for h in hand.holders}
        return sorted(seen.values(), key=lambda m: m.number)


def commission_of(setup: Setup) -> int:
    """The organiser's commission taken from each round's pot of this rotation."""
    return commission_for(setup.rotation, setup.pot)


def setup_of(rotation: Rotation) -> Setup:
    """The rotation's hands and holders (one query)."""
    hands = hands_of(rotation)
    return Setup(rotation, hands, {hand.number: hand.id for hand in hands})


def rounds_of(rotation: Rotation) -> dict[int, Round]:
    """The rounds recorded so far, by number (one query), each holding this rotation."""
    rounds = {}
    for found in Round.select().where(Round.rotation == rotation).order_by(Round.number):
        found.rotation = rotation
        rounds[found.number] = found
    return rounds


def current_contributions(
    rotation: Rotation, round_number: int | None = None
) -> list[Contribution]:
    """The contribution rows that no later row replaces, for the rotation or one round (one
    query); each has `round_number`."""
    newer = Contribution.alias()
    query = (
        Contribution.select(Contribution, Round.number.alias("round_number"))
        .join(Round)
        .switch(Contribution)
        .join(newer, JOIN.LEFT_OUTER, on=(newer.replaces == Contribution.id))
        .where((Round.rotation == rotation) & newer.id.is_null())
        .order_by(Contribution.id)
    )
    if round_number is not None:
        query = query.where(Round.number == round_number)
    return list(query.objects())


def next_round(setup: Setup, rounds: Mapping[int, Round]) -> int | None:
    """The first round not paid out yet (None when all are)."""
    for number in range(1, setup.count + 1):
        found = rounds.get(number)
        if found is None or found.paid_out_on is None:
            return number
    return None


def served_hands(rounds: Mapping[int, Round], setup: Setup) -> list[int]:
    return sorted(
        setup.number_of(r.recipient_id) for r in rounds.values() if r.recipient_id is not None
    )


def entry_sums(
    rotation: Rotation, round_number: int | None = None
) -> dict[tuple[int, int | None, str], int]:
    """(round number, member id, kind) -> the sum of the rotation's entries, or one round's
    (one query); a reversal counts in the round of the entry it reverses, wherever it was made."""
    query = (
        Entry.select(Round.number, Entry.member, Entry.kind, fn.SUM(Entry.amount).alias("total"))
        .join(
            RoundEntry,
            on=((RoundEntry.entry == Entry.id) | (RoundEntry.entry == Entry.reverses)),
        )
        .join(Round)
        .where(Round.rotation == rotation)
        .group_by(Round.number, Entry.member, Entry.kind)
        .tuples()
    )
    if round_number is not None:
        query = query.where(Round.number == round_number)
    return {(number, member, kind): int(total or 0) for number, member, kind, total in query}


# --- recording a round ------------------------------------------------------------------------


@dataclass(frozen=True)
class ContributionLine:
    """A holder's row of the round form: the hand, the holder (member id), how they paid, and
    who paid for them when someone else did."""

    hand: int
    member_id: int
    status: ContributionStatus | str
    paid_by_id: int | None = None
    amount: int | None = None  # paid so far, for a part paid (ContributionStatus.PARTIAL)


def _check_running(rotation: Rotation) -> None:
    if rotation.group.archived_at is not None:
        raise RoscaError(N_("This group is archived: nothing can be recorded in it."))
    if rotation.started_at is None:
        raise RoscaError(
            N_("This rotation has not started: give out the hands, set the order, then start it.")
        )


def _check_number(setup: Setup, number: int) -> None:
    if not 1 <= number <= setup.count:
        raise RoscaError(
            N_("This rotation has no round %(number)s (it has %(count)s)."),
            field="round",
            number=number,
            count=setup.count,
        )


def _check_in_order(setup: Setup, rounds: Mapping[int, Round], number: int) -> None:
    current = next_round(setup, rounds)
    if current is not None and number > current:
        raise RoscaError(
            N_(
                "Round %(current)s is not paid out yet: record the rounds in order, round "
                "%(current)s before round %(number)s."
            ),
            field="round",
            number=number,
            current=current,
        )


def _round_row(setup: Setup, rounds: dict[int, Round], number: int) -> Round:
    """The round's row, written the first time something is recorded in it."""
    found = rounds.get(number)
    if found is None:
        found = Round.create(
            rotation=setup.rotation,
            number=number,
            due_on=due_date(setup.rotation, number),
            pot=setup.pot,
        )
        rounds[number] = found
    return found


@dataclass(frozen=True)
class RoundNotes:
    """The notes of a round's ledger entries, so that the money history says which round each
    belongs to and for whom a member paid. The view gives them in the user's language (the
    domain has no locale; English by default); each is formatted with the round's `number` and,
    for a contribution paid by another member, the holder's `name`."""

    contribution: str = "Round %(number)d"
    covered: str = "Round %(number)d, for %(name)s"
    late_fine: str = "Round %(number)d, late fine"
    payout: str = "Round %(number)d, pot"
    discount: str = "Round %(number)d, share of the winning bid"
    commission: str = "Round %(number)d, organiser's commission"


def _post(
    actor: User,
    round_: Round,
    kind: EntryKind,
    amount: int,
    member: Member | None,
    note: str,
    on: date | None = None,
    **names,
) -> Entry:
    """A round's entry in the pot, dated `on` (a payout's day) or the round's date: its due
    date, or today for a round recorded before it is due."""
    rotation = round_.rotation
    note = note % {"number": round_.number, **names}
    effective_on = on or min(round_.due_on, today())
    entry = ledger.post(
        actor,
        rotation.group,
        Fund.POT,
        kind,
        amount,
        member=member,
        note=note,
        effective_on=effective_on,
    )
    RoundEntry.create(round=round_, entry=entry)
    return entry


def _check_date(rotation: Rotation, rounds: Mapping[int, Round], number: int, on: date) -> None:
    """A payout is dated between the rotation's start (and the previous round's payout) and
    today: a date typed wrong would put the round out of its place in the history."""
    _check_not_future(on)
    if on < rotation.start_date:
        raise RoscaError(N_("The pot cannot be paid out before the rotation starts."), field="on")
    before = rounds.get(number - 1)
    if before is not None and before.paid_out_on is not None and on < before.paid_out_on:
        raise RoscaError(
            N_(
                "Round %(previous)s was paid out on %(date)s: round %(number)s cannot be paid "
                "out before it."
            ),
            field="on",
            previous=number - 1,
            number=number,
            date=before.paid_out_on,
        )


def _check_not_future(on: date) -> None:
    if on > today():
        raise RoscaError(
            N_("This date is in the future: enter the day the money changed hands."), field="on"
        )


def record_contributions(
    actor: User,
    rotation: Rotation,
    number: int,
    lines: Iterable[ContributionLine],
    reason: str = "",
    notes: RoundNotes = RoundNotes(),
    parts_on: date | None = None,
) -> list[Contribution]:
    """Record how each holder paid their part of round `number`; returns the rows written.

    A line like the current row is left alone; a changed one replaces it, its entries reversed
    with the reason (required then). Lines left out are not recorded yet. Refused, nothing
    written, every wrong line reported (RoundInvalid when several): a member who does not hold
    the hand, a payer outside the rotation, "not paid" in a round already paid out, a round
    before the start or after the one to record now. The entries' notes are `notes` (see
    RoundNotes).
    """
    reason = (reason or "").strip()
    with db.atomic():
        setup, rounds = _open(rotation, number)
        errors: list[DomainError] = []
        planned = _plan_lines(setup, rounds, number, lines, reason, errors)
        parts_on = _check_parts_on(planned, parts_on, errors)
        _raise_if(errors)
        return _write_lines(actor, setup, rounds, number, planned, reason, notes, parts_on)


def _open(rotation: Rotation, number: int) -> tuple[Setup, dict[int, Round]]:
    """The rotation's hands and rounds as they are now, when round `number` may be recorded."""
    rotation = locked(rotation)
    _check_running(rotation)
    setup = setup_of(rotation)
    _check_number(setup, number)
    rounds = rounds_of(rotation)
    _check_in_order(setup, rounds, number)
    return setup, rounds


class _Planned(NamedTuple):
    """A holder's line to write: how they paid now, and the row it replaces."""

    hand_id: int
    holder: HolderShare
    status: ContributionStatus
    payer: Member | None
    old: Contribution | None
    amount: int = 0  # what the row says is in: the part, what was paid of it, or 0
    continues: bool = False  # the rest of a part paid before: the old entries stay


def _plan_lines(
    setup: Setup,
    rounds: Mapping[int, Round],
    number: int,
    lines: Iterable[ContributionLine],
    reason: str,
    errors: list[DomainError],
) -> list[_Planned]:
    """The lines that change something, checked; what is wrong goes to `errors`, each next to
    its field (the holder's status or payer, or the reason)."""
    paid_out = number in rounds and rounds[number].paid_out_on is not None
    current = {(c.hand_id, c.member_id): c for c in current_contributions(setup.rotation, number)}
    in_rotation = {m.id: m for m in setup.members()}
    planned = []
    seen = set()
    for line in lines:
        hand = setup.hand(line.hand)
        holders = hand.holders if hand is not None else []
        holder = next((h for h in holders if h.member.id == line.member_id), None)
        status_field = line_field("status", line.hand, line.member_id)
        if holder is None:
            errors.append(
                RoscaError(
                    N_("Only the holders of hand %(hand)s contribute for it."),
                    field=status_field,
                    hand=line.hand,
                )
            )
            continue
        if (line.hand, line.member_id) in seen:
            raise ValueError("a holder's line is given twice")
        seen.add((line.hand, line.member_id))
        name = holder.member.full_name
        try:
            status = ContributionStatus(line.status)
        except ValueError:
            errors.append(
                RoscaError(N_("Choose how %(name)s contributed."), field=status_field, name=name)
            )
            continue
        payer = None
        if status is ContributionStatus.COVERED:
            payer_field = line_field("paid_by", line.hand, line.member_id)
            payer = in_rotation.get(line.paid_by_id)
            if payer is None:
                errors.append(
                    RoscaError(
                        N_("Choose the member of the rotation who paid for %(name)s."),
                        field=payer_field,
                        name=name,
                    )
                )
                continue
            if payer.id == holder.member.id:
                errors.append(
                    RoscaError(
                        N_("%(name)s paid for themselves: choose on time or late."),
                        field=payer_field,
                        name=name,
                    )
                )
                continue
        paid = _amount_of(status, holder, line.amount)
        if status is ContributionStatus.PARTIAL and not 0 < paid < holder.part:
            errors.append(
                RoscaError(
                    N_(
                        "Enter what %(name)s has paid so far: more than zero and less than "
                        "the %(amount)s due."
                    ),
                    field=line_field("paid", line.hand, line.member_id),
                    name=name,
                    amount=Amount(holder.part, setup.rotation.group.currency),
                )
            )
            continue
        if status in (ContributionStatus.MISSING, ContributionStatus.PARTIAL) and paid_out:
            errors.append(
                RoscaError(
                    N_(
                        "Round %(number)s is paid out: its pot was complete. If %(name)s did "
                        "not pay, record who paid for them."
                    ),
                    field=status_field,
                    number=number,
                    name=name,
                )
            )
            continue
        hand_id = setup.hand_ids[hand.number]
        old = current.get((hand_id, holder.member.id))
        if old is not None and (old.status, old.paid_by_id, old.amount) == (
            status.value,
            payer.id if payer else None,
            paid,
        ):
            continue
        continues = (
            old is not None
            and old.status == ContributionStatus.PARTIAL.value
            and (status.value in PAID or status is ContributionStatus.PARTIAL)
            and paid > old.amount
        )
        changed = old is not None and (old.entry_id or old.fine_entry_id) and not continues
        if changed and not reason and "reason" not in _fields(errors):
            errors.append(
                RoscaError(
                    N_("Say why the contribution of %(name)s recorded before is changed."),
                    field="reason",
                    name=name,
                )
            )
        planned.append(_Planned(hand_id, holder, status, payer, old, paid, continues))
    return planned


def _check_parts_on(
    planned: list[_Planned], on: date | None, errors: list[DomainError], payout: date | None = None
) -> date | None:
    """The day the rest of a part paid before was paid: the day the money changed hands, not
    the round's date. When it is given (the round page's date, today by default there), it is
    refused, to `errors`, if a line pays such a rest and it is in the future, before the part
    paid before it (itself dated the round's date or the day it was recorded, so never before
    the rotation starts) or after `payout`, the day the pot is handed over in the same save.
    Not given (a caller with no such date), it is inferred: the payout's day, else today, and
    never before the part paid before."""
    rests = [line for line in planned if line.continues]
    if not rests:
        return on
    ids = [line.old.entry_id for line in rests if line.old.entry_id is not None]
    earlier = max(
        (e.effective_on for e in Entry.select(Entry.effective_on).where(Entry.id.in_(ids))),
        default=None,
    )
    if on is None:
        inferred = payout or today()
        return max(inferred, earlier) if earlier else inferred
    if on > today():
        errors.append(
            RoscaError(
                N_("This date is in the future: enter the day the money changed hands."),
                field="parts_on",
            )
        )
    elif earlier is not None and on < earlier:
        errors.append(
            RoscaError(
                N_(
                    "The part paid before was paid on %(date)s: the rest cannot be dated before it."
                ),
                field="parts_on",
                date=earlier,
            )
        )
    elif payout is not None and on > payout:
        errors.append(
            RoscaError(
                N_("The rest of a part cannot be dated after the payout (%(date)s)."),
                field="parts_on",
                date=payout,
            )
        )
    return on


def _amount_of(status: ContributionStatus, holder: HolderShare, paid: int | None) -> int:
    """What a contribution row says is in the pot for the holder."""
    if status.value in IN_THE_POT:
        return holder.part
    if status is ContributionStatus.PARTIAL:
        return paid or 0
    return 0


def _live_entries(row: Contribution) -> list[Entry]:
    """The entries of a contribution row not reversed yet: its own, and those of the parts
    paid before it that it continues (two queries)."""
    rows = {
        c.id: c
        for c in Contribution.select().where(
            (Contribution.round == row.round_id)
            & (Contribution.hand == row.hand_id)
            & (Contribution.member == row.member_id)
        )
    }
    ids, found = [], rows.get(row.id, row)
    while found is not None:
        ids += [i for i in (found.entry_id, found.fine_entry_id) if i is not None]
        found = rows.get(found.replaces_id)
    reversal = Entry.alias()
    return list(
        Entry.select(Entry)
        .join(reversal, JOIN.LEFT_OUTER, on=(reversal.reverses == Entry.id))
        .where(Entry.id.in_(ids or [0]) & reversal.id.is_null())
        .order_by(Entry.id)
    )


def _write_lines(
    actor: User,
    setup: Setup,
    rounds: dict[int, Round],
    number: int,
    planned: list[_Planned],
    reason: str,
    notes: RoundNotes,
    parts_on: date | None = None,
) -> list[Contribution]:
    if not planned:
        return []
    round_ = _round_row(setup, rounds, number)
    written = [
        _write_contribution(actor, round_, line, reason, notes, parts_on) for line in planned
    ]
    audit.record(
        actor,
        "round.contributions",
        round_,
        group=setup.rotation.group_id,
        rotation=setup.rotation.number,
        round=number,
        lines=[
            {
                "member": row.member.number,
                "status": row.status,
                "paid_by": row.paid_by.number if row.paid_by_id else None,
                "amount": row.amount,
            }
            for row in written
        ],
        reason=reason,
    )
    return written


def _write_contribution(
    actor: User,
    round_: Round,
    line: _Planned,
    reason: str,
    notes: RoundNotes,
    parts_on: date | None = None,
) -> Contribution:
    """A holder's row and its entries: dated the round's date, except the rest of a part paid
    before, dated the day it was paid (`parts_on`, today by default)."""
    hand_id, holder, status, payer, old, amount, continues = line
    if old is not None and not continues:
        for entry in _live_entries(old):
            ledger.reverse(actor, entry, reason)
    before = old.amount if continues else 0
    paid_on = (parts_on or today()) if continues else None
    entry = fine = None
    rotation = round_.rotation
    if status.value in PAID or status is ContributionStatus.PARTIAL:
        entry = _post(
            actor,
            round_,
            EntryKind.CONTRIBUTION,
            amount - before,
            holder.member,
            notes.contribution,
            on=paid_on,
        )
        if status is ContributionStatus.LATE and rotation.late_fine:
            fine = _post(
                actor,
                round_,
                EntryKind.LATE_FINE,
                rotation.late_fine,
                holder.member,
                notes.late_fine,
                on=paid_on,
            )
    elif status is ContributionStatus.COVERED:
        entry = _post(
            actor,
            round_,
            EntryKind.CONTRIBUTION,
            holder.part,
            payer,
            notes.covered,
            name=holder.member.full_name,
        )
    return Contribution.create(
        round=round_,
        hand=hand_id,
        member=holder.member,
        amount=amount,
        status=status.value,
        paid_by=payer,
        entry=entry,
        fine_entry=fine,
        replaces=old,
        recorded_by=actor,
    )


def pay_out(
    actor: User,
    rotation: Rotation,
    number: int,
    on: date,
    seed: str = "",
    bids: Mapping[int, int] | None = None,
    notes: RoundNotes = RoundNotes(),
) -> Round:
    """Pay round `number`'s pot to its hand: the hand at this position (fixed), the hand drawn
    with the seed among those waiting (lottery), or the highest bid (bidding; a tie drawn with
    the seed). Refused, nothing written, every wrong field reported (RoundInvalid when
    several): the pot not complete, a round already paid out or out of order, no bid, a bid
    from a hand already served, above the pot or negative, no seed when one is needed, a date
    in the future, before the start or before the previous round's payout.
    The last round finishes the rotation.
    """
    seed = _clean_seed(seed)
    bids = dict(bids or {})
    with db.atomic():
        setup, rounds = _open(rotation, number)
        rotation = setup.rotation
        _check_unpaid(setup, rounds, number)
        errors = _payout_errors(setup, rounds, number, on, seed, bids)
        current = current_contributions(rotation, number)
        errors += _missing(setup, _in_pot(current), partial=_parts_paid(current))
        _raise_if(errors)
        waiting = rosca.unserved([h.number for h in setup.hands], served_hands(rounds, setup))
        winner, discount, used_seed, tied = _recipient(setup, number, waiting, seed, bids)
        round_ = _round_row(setup, rounds, number)
        hand = setup.hand(winner)
        commission = commission_of(setup)
        payout = setup.pot - discount - commission
        if payout <= 0:
            raise RoscaError(
                N_("The commission and the discount leave nothing to pay out."), field="bids"
            )
        if commission:
            _post(
                actor,
                round_,
                EntryKind.COMMISSION,
                -commission,
                rotation.organiser,
                notes.commission,
                on=on,
            )
        parts = rosca.holder_parts(payout, rotation.contribution, len(hand.holders))
        for holder, part in zip(hand.holders, parts, strict=True):
            _post(actor, round_, EntryKind.POT_PAYOUT, -part, holder.member, notes.payout, on=on)
        kept = discount
        if discount and rotation.discount_rule == DiscountRule.SHARED.value:
            stakes = {k: v for k, v in stakes_of(setup.hands, excluding=winner).items() if v}
            shares, kept = rosca.split_discount(discount, stakes, rotation.group.rounding_unit)
            members = {m.id: m for m in setup.members()}
            for member_id, share in shares.items():
                if share:
                    _post(
                        actor,
                        round_,
                        EntryKind.BID_DISCOUNT,
                        -share,
                        members[member_id],
                        notes.discount,
                        on=on,
                    )
        for hand_number, offered in sorted(bids.items()):
            Bid.create(
                round=round_, hand=setup.hand_ids[hand_number], discount=offered, recorded_by=actor
            )
        paid = {
            "recipient": setup.hand_ids[winner],
            "seed": used_seed,
            "discount": discount,
            "paid_out_on": on,
            "paid_out_by": actor,
            "paid_out_at": utcnow(),
        }
        # Only if nobody paid it out meanwhile (two tabs, two laptops on one server).
        unpaid = (Round.id == round_.id) & Round.paid_out_on.is_null()
        if not Round.update(paid).where(unpaid).execute():
            raise _recorded_meanwhile()
        for name, value in paid.items():
            setattr(round_, name, value)
        if number == setup.count:
            rotation.finished_at = paid["paid_out_at"]
            Rotation.update(finished_at=rotation.finished_at).where(
                Rotation.id == rotation.id
            ).execute()
        audit.record(
            actor,
            "round.pay_out",
            round_,
            group=rotation.group_id,
            rotation=rotation.number,
            round=number,
            hand=winner,
            payout=payout,
            discount=discount,
            kept_in_pot=kept,
            commission=commission,
            seed=used_seed,
            tied=list(tied),
            bids={str(k): v for k, v in sorted(bids.items())},
            finished=number == setup.count,
        )
        return round_


def _clean_seed(seed: str) -> str:
    return " ".join((seed or "").split())


def _check_unpaid(setup: Setup, rounds: Mapping[int, Round], number: int) -> None:
    done = rounds.get(number)
    if done is not None and done.paid_out_on is not None:
        raise RoscaError(
            N_("Round %(number)s has already been paid out, to hand %(hand)s: once only."),
            number=number,
            hand=setup.number_of(done.recipient_id),
        )


def _in_pot(contributions: Iterable[Contribution]) -> set[tuple[int, int]]:
    """(hand id, member id) of the holders whose part is in the pot."""
    return {(c.hand_id, c.member_id) for c in contributions if c.status in IN_THE_POT}


def _parts_paid(
    current: Iterable[Contribution], planned: Iterable[_Planned] = ()
) -> dict[tuple[int, int], int]:
    """(hand id, member id) -> what is in of a part paid, once the planned lines are written."""
    paid = {
        (c.hand_id, c.member_id): c.amount
        for c in current
        if c.status == ContributionStatus.PARTIAL.value
    }
    for line in planned:
        key = (line.hand_id, line.holder.member.id)
        paid.pop(key, None)
        if line.status is ContributionStatus.PARTIAL:
            paid[key] = line.amount
    return paid


def _missing(
    setup: Setup,
    inside: set[tuple[int, int]],
    skip: Iterable[str] = (),
    partial: Mapping[tuple[int, int], int] | None = None,
) -> list[DomainError]:
    """A round is paid out only when every holder's part is in the pot: an error next to each
    holder whose part is not (but those in `skip`, already marked wrong); `partial` says what
    is in of a part paid."""
    partial = partial or {}
    currency = setup.rotation.group.currency
    skip = set(skip)
    errors: list[DomainError] = []
    for hand in setup.hands:
        for holder in hand.holders:
            field = line_field("status", hand.number, holder.member.id)
            payer = line_field("paid_by", hand.number, holder.member.id)
            key = (setup.hand_ids[hand.number], holder.member.id)
            if key in inside or {field, payer} & skip:
                continue
            if key in partial:
                errors.append(
                    RoscaError(
                        N_(
                            "The pot is not complete: %(name)s has paid %(paid)s of %(amount)s. "
                            "Record the rest before paying out."
                        ),
                        field=field,
                        name=holder.member.full_name,
                        paid=Amount(partial[key], currency),
                        amount=Amount(holder.part, currency),
                    )
                )
                continue
            errors.append(
                RoscaError(
                    N_(
                        "The pot is not complete: nothing is recorded in it for %(names)s. "
                        "Record their contributions, or who paid for them, before paying out."
                    ),
                    field=field,
                    names=holder.member.full_name,
                )
            )
    return errors


def _payout_errors(
    setup: Setup,
    rounds: Mapping[int, Round],
    number: int,
    on: date | None,
    seed: str,
    bids: Mapping[int, int],
    unread_bids: bool = False,
) -> list[DomainError]:
    """What is wrong with the payout's date, seed and bids (the pot aside), each next to its
    field. `unread_bids`: some offers could not be read, so none is not "no bid"."""
    errors: list[DomainError] = []
    if on is None:
        errors.append(RoscaError(N_("Enter the date of the payout."), field="on"))
    else:
        try:
            _check_date(setup.rotation, rounds, number, on)
        except RoscaError as error:
            errors.append(error)
    if len(seed) > SEED_MAX:
        errors.append(
            RoscaError(
                N_("The seed is too long (%(count)s characters at most)."),
                field="seed",
                count=SEED_MAX,
            )
        )
    waiting = rosca.unserved([h.number for h in setup.hands], served_hands(rounds, setup))
    order = RotationOrder(setup.rotation.order)
    if order is RotationOrder.LOTTERY and not seed and len(waiting) > 1:
        errors.append(
            RoscaError(
                N_(
                    "Enter the seed of the draw: for example numbers called out by a few "
                    "members, written one after the other with spaces."
                ),
                field="seed",
            )
        )
    if order is RotationOrder.BIDDING:
        errors += _bid_errors(setup, number, waiting, seed, bids, unread_bids)
    return errors


def _bid_errors(
    setup: Setup,
    number: int,
    waiting: list[int],
    seed: str,
    bids: Mapping[int, int],
    unread_bids: bool,
) -> list[DomainError]:
    """Each offer checked next to its hand (rosca.resolve_bids says what a bid may be), then
    the tie that needs a seed; no offer at all when more than one hand may take the pot."""
    currency = setup.rotation.group.currency
    available = setup.pot - commission_of(setup)  # what a bid is taken from
    errors: list[DomainError] = []
    for hand_number, offered in sorted(bids.items()):
        if setup.hand(hand_number) is None:
            message = N_("This rotation has no hand %(hand)s.")
        elif hand_number not in waiting:
            message = N_("Hand %(hand)s has already received the pot: it cannot bid for it again.")
        else:
            try:
                rosca.resolve_bids(available, {hand_number: offered}, None, number, currency)
            except RoscaError as error:
                errors.append(
                    RoscaError(error.message, field=bid_field(hand_number), **error.params)
                )
            continue
        errors.append(RoscaError(message, field=bid_field(hand_number), hand=hand_number))
    if not bids and len(waiting) > 1 and not unread_bids:
        errors.append(RoscaError(NO_BIDS, field="bids"))
    if bids and not errors and not unread_bids:
        try:
            rosca.resolve_bids(available, bids, seed, number, currency)
        except RoscaError as error:  # a tie and no seed
            errors.append(error)
    return errors


NO_BIDS = N_(
    "No hand has bid for this round: enter an offer (0 is an offer) for each hand that wants "
    "the pot; equal offers are drawn by lot with the seed."
)


def _recipient(
    setup: Setup, number: int, waiting: list[int], seed: str, bids: dict[int, int]
) -> tuple[int, int, str, tuple[int, ...]]:
    """(winning hand, discount, seed used, hands tied) by the rotation's order; the seed and the
    bids are checked already (_payout_errors)."""
    order = RotationOrder(setup.rotation.order)
    if order is RotationOrder.FIXED:
        winner = next(h.number for h in setup.hands if h.position == number)
        if winner not in waiting:
            raise RoscaError(
                N_("Hand %(hand)s has already received the pot."), field="round", hand=winner
            )
        return winner, 0, "", ()
    if order is RotationOrder.LOTTERY:
        if len(waiting) == 1:  # the last hand: nothing left to draw
            return waiting[0], 0, "", ()
        return rosca.draw(seed, number, waiting), 0, seed, ()
    if len(waiting) == 1 and not bids:
        return waiting[0], 0, "", ()
    available = setup.pot - commission_of(setup)
    outcome = rosca.resolve_bids(available, bids, seed, number, setup.rotation.group.currency)
    return outcome.winner, outcome.discount, seed if outcome.tied else "", outcome.tied


def save_round(
    actor: User,
    rotation: Rotation,
    number: int,
    lines: Iterable[ContributionLine],
    on: date | None,
    reason: str = "",
    pay: bool = False,
    seed: str = "",
    bids: Mapping[int, int] | None = None,
    notes: RoundNotes = RoundNotes(),
    unread: Iterable[DomainError] = (),
    seen: str | None = None,
    parts_on: date | None = None,
) -> Round | None:
    """The round page's save: the contributions and, when asked, the payout, all or nothing.
    Every wrong field is reported at once (RoundInvalid when several), with `unread`: the
    fields the page could not read (an offer typed wrong), so nothing is written then either.
    `on` is the payout's date; without a payout it is not stored, only refused in the future
    (the contributions are recorded now, their round says when they were due). `seen`: the
    round_version the page was drawn from; another save since then refuses this one.
    `parts_on`: the day the rest of a part paid before was paid (see _check_parts_on)."""
    reason = (reason or "").strip()
    seed = _clean_seed(seed)
    bids = dict(bids or {})
    errors = list(unread)
    try:
        with db.atomic():
            setup, rounds = _open(rotation, number)
            check_version(setup.rotation, number, seen)
            if pay:
                _check_unpaid(setup, rounds, number)
            elif on is not None:
                try:
                    _check_not_future(on)
                except RoscaError as error:
                    errors.append(error)
            planned = _plan_lines(setup, rounds, number, lines, reason, errors)
            parts_on = _check_parts_on(planned, parts_on, errors, on if pay else None)
            if pay:
                unread_bids = any((e.field or "").startswith("bid-") for e in errors)
                errors += _payout_errors(setup, rounds, number, on, seed, bids, unread_bids)
                current = current_contributions(setup.rotation, number)
                errors += _missing(
                    setup,
                    _after(current, planned),
                    _fields(errors),
                    _parts_paid(current, planned),
                )
            _raise_if(errors)
            _write_lines(actor, setup, rounds, number, planned, reason, notes, parts_on)
            if pay:
                return pay_out(actor, setup.rotation, number, on, seed, bids, notes)
            return rounds.get(number)
    except IntegrityError:  # the same row written by another save at the same moment
        raise _recorded_meanwhile() from None


def _after(current: list[Contribution], planned: list[_Planned]) -> set[tuple[int, int]]:
    """The holders whose part will be in the pot once the planned lines are written."""
    inside = _in_pot(current)
    for line in planned:
        key = (line.hand_id, line.holder.member.id)
        if line.status.value in IN_THE_POT:
            inside.add(key)
        else:
            inside.discard(key)
    return inside


def _fields(errors: Iterable[DomainError]) -> set[str]:
    return {error.field for error in errors if error.field}


def _recorded_meanwhile() -> RoscaError:
    return RoscaError(
        N_("Someone else has just recorded this round: open it again to see what was saved.")
    )


# --- undoing a payout, a stale page -------------------------------------------------------------

UNDONE_KINDS = (EntryKind.POT_PAYOUT, EntryKind.BID_DISCOUNT, EntryKind.COMMISSION)


def undo_payout(actor: User, rotation: Rotation, number: int, reason: str) -> Round:
    """Undo a payout made by mistake (the wrong hand, the wrong day): its entries (the pot paid
    out, the discount shares, the commission) are reversed with the reason, its bids dropped,
    and the round is open again with its hand waiting; the contributions stay. Only the last
    round paid out can be undone. Refused, nothing written: no reason, a round not paid out,
    a later round paid out already."""
    reason = (reason or "").strip()
    with db.atomic():
        rotation = locked(rotation)
        if rotation.group.archived_at is not None:
            raise RoscaError(N_("This group is archived: nothing can be recorded in it."))
        setup = setup_of(rotation)
        _check_number(setup, number)
        rounds = rounds_of(rotation)
        found = rounds.get(number)
        if found is None or found.paid_out_on is None:
            raise RoscaError(N_("Round %(number)s is not paid out."), field="round", number=number)
        later = [n for n, r in rounds.items() if n > number and r.paid_out_on is not None]
        if later:
            raise RoscaError(
                N_("Round %(later)s is paid out after it: undo round %(later)s first."),
                field="round",
                later=max(later),
            )
        if not reason:
            raise RoscaError(N_("Say why the payout is undone."), field="undo_reason")
        reversal = Entry.alias()
        undone = list(
            Entry.select(Entry)
            .join(RoundEntry, on=(RoundEntry.entry == Entry.id))
            .switch(Entry)
            .join(reversal, JOIN.LEFT_OUTER, on=(reversal.reverses == Entry.id))
            .where(
                (RoundEntry.round == found)
                & Entry.kind.in_([kind.value for kind in UNDONE_KINDS])
                & Entry.reverses.is_null()
                & reversal.id.is_null()
            )
            .order_by(Entry.id)
        )
        cleared = {
            "recipient": None,
            "seed": "",
            "discount": 0,
            "paid_out_on": None,
            "paid_out_by": None,
            "paid_out_at": None,
        }
        # Only if it is still paid out as read (two tabs undoing it at once).
        still = (Round.id == found.id) & (Round.paid_out_at == found.paid_out_at)
        if not Round.update(cleared).where(still).execute():
            raise _recorded_meanwhile()
        for entry in undone:
            ledger.reverse(actor, entry, reason)
        bids = {setup.number_of(b.hand_id): b.discount for b in found.bids}
        Bid.delete().where(Bid.round == found).execute()
        if rotation.finished_at is not None:
            Rotation.update(finished_at=None).where(Rotation.id == rotation.id).execute()
        audit.record(
            actor,
            "round.undo_payout",
            found,
            group=rotation.group_id,
            rotation=rotation.number,
            round=number,
            hand=setup.number_of(found.recipient_id),
            paid_out_on=found.paid_out_on,
            discount=found.discount,
            seed=found.seed,
            bids={str(k): v for k, v in sorted(bids.items())},
            reversed=[entry.id for entry in undone],
            reason=reason,
        )
        for name, value in cleared.items():
            setattr(found, name, value)
        return found


def round_version(rotation: Rotation, number: int) -> str:
    """What the round page was drawn from (one query): changes with every contribution, entry
    and payout of the round, so that a save from a page opened before is refused (stale tab)."""
    row = (
        Round.select(
            Round.paid_out_at,
            fn.MAX(Contribution.id).alias("contribution"),
            fn.MAX(RoundEntry.id).alias("entry"),
        )
        .join(Contribution, JOIN.LEFT_OUTER, on=(Contribution.round == Round.id))
        .switch(Round)
        .join(RoundEntry, JOIN.LEFT_OUTER, on=(RoundEntry.round == Round.id))
        .where((Round.rotation == rotation) & (Round.number == number))
        .group_by(Round.id, Round.paid_out_at)
        .dicts()
        .first()
    )
    if row is None:
        return "new"
    paid = row["paid_out_at"].isoformat() if row["paid_out_at"] else "open"
    return f"{row['contribution'] or 0}.{row['entry'] or 0}.{paid}"


def check_version(rotation: Rotation, number: int, seen: str | None) -> None:
    """Refuse a save from a page drawn before another save of the round (`seen` is None when
    the caller has no page: code, tests)."""
    if seen is not None and seen != round_version(rotation, number):
        raise _recorded_meanwhile()
