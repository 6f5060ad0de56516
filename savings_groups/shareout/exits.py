"""A member who leaves during a cycle: the settlement by the cycle's exit rule, previewed, then
posted with the departure in one transaction."""

from dataclasses import dataclass
from datetime import date

from peewee import IntegrityError, fn

from savings_groups.core.dates import today
from savings_groups.core.errors import N_, Amount, DomainError
from savings_groups.core.vocabulary import (
    EntryKind,
    ExitRule,
    Fund,
    GroupKind,
    LoanStatus,
    MeetingStatus,
)
from savings_groups.cycles.operations import current_cycle, lock_cycle
from savings_groups.groups import members
from savings_groups.ledger import entries as ledger
from savings_groups.loans import book as loan_book
from savings_groups.loans import operations as lending
from savings_groups.org import audit
from savings_groups.shareout import arithmetic as shareout
from savings_groups.store.db import db, lock
from savings_groups.store.models import Cycle, Loan, Meeting, Member, MemberExit, SavingsGroup, User


@dataclass(frozen=True)
class LoanClearing:
    """A loan of the leaving member, repaid from the settlement: interest due and principal."""

    loan: Loan
    amount: int


@dataclass(frozen=True)
class Settlement:
    """What a leaving member is due on a day, by the cycle's exit rule (nothing written).

    `saved` is what the member saved in the cycle (shares bought, opening savings), `profit` their
    part of the fund's growth to date (0 under "savings back only"; negative after losses), and
    `deducted` what they owe, repaid from it. `payout` is what leaves the box: negative when the
    member owes more than the settlement and must pay the difference in.
    """

    member: Member
    cycle: Cycle
    on: date
    rule: ExitRule
    shares: int
    saved: int
    profit: int
    loans: tuple[LoanClearing, ...]
    cash: int  # in the loan fund before the settlement

    @property
    def deducted(self) -> int:
        return sum(clearing.amount for clearing in self.loans)

    @property
    def gross(self) -> int:
        return self.saved + self.profit

    @property
    def payout(self) -> int:
        return self.gross - self.deducted

    @property
    def shortfall(self) -> int:
        """How much the box lacks to pay the payout (0 when it can)."""
        return max(0, self.payout - self.cash)


def _check(member: Member, group: SavingsGroup, cycle: Cycle | None, on) -> Cycle:
    """The open cycle in which the member may be settled on that day; else a DomainError."""
    if group.kind != GroupKind.SAVINGS.value:
        raise DomainError(N_("Only savings groups settle a member's savings."))
    if group.archived_at is not None:
        raise DomainError(N_("This group is archived: take it out of the archive first."))
    if cycle is None:
        raise DomainError(N_("The group has no open cycle: there is nothing to settle."))
    settled = MemberExit.get_or_none((MemberExit.member == member) & (MemberExit.cycle == cycle))
    if settled is not None:
        raise DomainError(
            N_("%(name)s was already settled on %(date)s."),
            name=member.full_name,
            date=settled.settled_on,
        )
    if member.left_on is not None:
        raise DomainError(
            N_("%(name)s already left the group on %(date)s."),
            name=member.full_name,
            date=member.left_on,
        )
    if not isinstance(on, date):
        raise DomainError(N_("Enter the date of the settlement."), field="settled_on")
    if not cycle.start_date <= on <= cycle.planned_end:
        raise DomainError(
            N_("The date must be within the open cycle, from %(start)s to %(end)s."),
            field="settled_on",
            start=cycle.start_date,
            end=cycle.planned_end,
        )
    if on > today():
        raise DomainError(N_("The date cannot be in the future."), field="settled_on")
    if on < member.joined_on:
        raise DomainError(
            N_("The date cannot be before the member joined (%(joined)s)."),
            field="settled_on",
            joined=member.joined_on,
        )
    last = (
        Meeting.select(fn.MAX(Meeting.held_on))
        .where((Meeting.cycle == cycle) & (Meeting.status == MeetingStatus.CLOSED.value))
        .scalar()
    )
    if last is not None and on < last:
        raise DomainError(
            N_(
                "A meeting of the cycle was held on %(date)s: the settlement, made from the "
                "books as they are now, cannot be dated before it."
            ),
            field="settled_on",
            date=last,
        )
    return cycle


def settlement(member: Member, on) -> Settlement:
    """What the member would receive (or pay in) on leaving on `on`, by the open cycle's rule.

    Savings back: the member's savings of the cycle, from ledger.member_totals. With profit to
    date: the member's payout in a share-out held now (shareout.compute on the loan fund's cash,
    what every member owes and the shares of the members not yet settled, with the cycle's rule
    for the units left over), plus what the member owes, which the share-out deducted; the
    profit is that less the savings. The profit is in proportion to shares whatever the cycle's
    profit method: time-weighting is for the share-out of the whole group. Either way, what
    the member owes on the cycle's loans (interest due and all the principal outstanding,
    loan_book, as closing.preview counts them) is repaid from it. A fixed number of queries.
    """
    group = SavingsGroup.get_by_id(member.group_id)
    cycle = _check(member, group, current_cycle(group), on)
    totals = ledger.member_totals(group, cycle)
    mine = totals.get(member.id, ledger.MemberTotals())
    boxes = ledger.balances(group, cycle)
    cash = boxes[Fund.LOAN_FUND]
    settled = {row.member_id for row in MemberExit.select().where(MemberExit.cycle == cycle)}
    active = list(
        Loan.select()
        .where((Loan.cycle == cycle) & (Loan.status == LoanStatus.ACTIVE.value))
        .order_by(Loan.id)
    )
    for loan in active:
        if loan.member_id == member.id and (loan.rescheduled_on or loan.granted_on) > on:
            raise DomainError(
                N_("A loan of the member is dated %(date)s, after the date of the settlement."),
                field="settled_on",
                date=(loan.rescheduled_on or loan.granted_on),
            )
    books = loan_book.books_of(active)
    owed: dict[int, int] = {}
    clearings = []
    for loan in active:
        amount = loan_book.standing_of(books[loan.id], on).most_payable
        owed[loan.member_id] = owed.get(loan.member_id, 0) + amount
        if loan.member_id == member.id and amount:
            clearings.append(LoanClearing(loan, amount))
    rule = ExitRule(cycle.exit_rule)
    profit = 0
    if rule == ExitRule.SAVINGS_AND_PROFIT and mine.shares > 0:
        shares = {
            member_id: held.shares
            for member_id, held in totals.items()
            if member_id not in settled and held.shares > 0
        }
        owing = {member_id: amount for member_id, amount in owed.items() if amount}
        # The group's account is the members' money too: it counts in the value of a share.
        worth = cash + boxes[Fund.BANK]
        split = shareout.compute(worth, owing, shares, group.rounding_unit, cycle.leftover_rule)
        profit = split.payouts[member.id] + owed.get(member.id, 0) - mine.savings
    return Settlement(
        member, cycle, on, rule, mine.shares, mine.savings, profit, tuple(clearings), cash
    )


def settle(
    actor: User,
    member: Member,
    on,
    reason: str,
    expected_payout: int | None = None,
    note: str = "",
    repayment_note: str = "Deducted from the settlement on leaving",
) -> MemberExit:
    """Settle a leaving member and record the departure, in one transaction.

    The member's loans are repaid from the settlement (lending.record_repayment); the
    EXIT_SETTLEMENT entry takes the settlement before that repayment out of the loan fund, so
    that the box moves by the payout (in, when negative). `expected_payout` is the payout the
    group was shown: if the books changed since, nothing is written and the error says so.
    `note` goes on the settlement entry and `repayment_note` on the loan repayments, in the
    user's language (the view gives them).
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(N_("Say why the member left."), field="reason")
    with db.atomic():
        group = SavingsGroup.get_by_id(member.group_id)
        open_cycle = current_cycle(group)
        if open_cycle is not None:
            lock_cycle(open_cycle)  # a share-out or another exit waits until this one is written
        member = lock(Member, member.id)  # as it is now: another screen may have settled it
        found = settlement(member, on)
        if expected_payout is not None and expected_payout != found.payout:
            raise DomainError(
                N_(
                    "The figures changed since they were shown (something was recorded in the "
                    "meantime): check the new settlement and confirm again."
                )
            )
        if found.shortfall:
            raise DomainError(
                N_(
                    "There is only %(cash)s in the loan fund: the payout of %(payout)s cannot be "
                    "paid until more loans are repaid."
                ),
                cash=Amount(found.cash, group.currency),
                payout=Amount(found.payout, group.currency),
            )
        for clearing in found.loans:
            lending.record_repayment(actor, clearing.loan, clearing.amount, on, note=repayment_note)
        ledger.post(
            actor,
            group,
            Fund.LOAN_FUND,
            EntryKind.EXIT_SETTLEMENT,
            -found.gross,
            cycle=found.cycle,
            member=member,
            note=note or reason,
            effective_on=on,
        )
        try:
            with db.atomic():
                settled = MemberExit.create(
                    member=member,
                    cycle=found.cycle,
                    settled_on=on,
                    rule=found.rule.value,
                    shares=found.shares,
                    saved=found.saved,
                    profit=found.profit,
                    deducted=found.deducted,
                    payout=found.payout,
                    recorded_by=actor,
                )
        except IntegrityError:  # settled at the same moment on another screen
            raise DomainError(
                N_("%(name)s was already settled on %(date)s."),
                name=member.full_name,
                date=on,
            ) from None
        members.record_departure(actor, member, on, reason)
        audit.record(
            actor,
            "member.exit",
            settled,
            group=group,
            member=member.id,
            cycle=found.cycle.id,
            on=on,
            rule=found.rule.value,
            shares=found.shares,
            saved=found.saved,
            profit=found.profit,
            deducted=found.deducted,
            payout=found.payout,
            loans=[clearing.loan.id for clearing in found.loans],
        )
        return settled
