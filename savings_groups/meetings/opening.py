"""Opening balances of a group that kept paper books: its boxes and each member's totals, once."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from peewee import JOIN

from savings_groups.core.dates import today
from savings_groups.core.errors import N_, DomainError
from savings_groups.core.money import MAX_AMOUNT, format_amount
from savings_groups.core.vocabulary import BOXES, EntryKind, Fund, GroupKind, MeetingStatus
from savings_groups.cycles.operations import MAX_PERIODS, lock_cycle
from savings_groups.ledger import entries as ledger
from savings_groups.loans import operations as lending
from savings_groups.org import audit
from savings_groups.store.db import db
from savings_groups.store.models import Cycle, Entry, Meeting, Member, SavingsGroup, User

# English defaults; the view passes them translated, as the user reads them at the time.
OPENING_NOTE = "Opening balance from the paper books"
REMAINDER_NOTE = "Opening: cash not attributed to members"
LOAN_NOTE = "Loan outstanding from the paper books: %(amount)s"
MAX_SHARES = 1_000_000


@dataclass(frozen=True)
class MemberOpening:
    """What one member had put in by the opening, from the paper books."""

    shares: int = 0
    social_fund: int = 0
    loan: int = 0  # principal still owed on a loan, repaid over loan_periods from the opening
    loan_periods: int = 0


@dataclass(frozen=True)
class Line:
    """One entry to post: a member's opening, or a box's remainder (member_id None)."""

    fund: Fund
    member_id: int | None
    amount: int
    shares: int = 0


def opening_entries(cycle: Cycle):
    """The opening entries of a cycle, as posted (member first, by number; then the boxes)."""
    return (
        Entry.select(Entry, Member)
        .join(Member, on=(Entry.member == Member.id), join_type=JOIN.LEFT_OUTER)
        .where((Entry.cycle == cycle) & (Entry.kind == EntryKind.OPENING_BALANCE.value))
        .order_by(Entry.id)
    )


def why_closed(cycle: Cycle) -> DomainError | None:
    """Why the opening of this cycle can no longer be entered, or None if it still can."""
    if cycle.closed_at is not None:
        return DomainError(N_("This cycle is closed."))
    if cycle.follows_id is not None:  # its opening is the carry-over and the reinvested shares
        return DomainError(
            N_(
                "This cycle follows the group's previous cycle: it opened with the cash carried "
                "over and the shares reinvested, not from paper books."
            )
        )
    if (
        Entry.select()
        .where((Entry.cycle == cycle) & (Entry.kind == EntryKind.OPENING_BALANCE.value))
        .exists()
    ):
        return DomainError(
            N_(
                "The opening balances of this cycle have already been entered. A mistake is "
                "corrected in the ledger's history."
            )
        )
    closed = Meeting.select().where(
        (Meeting.cycle == cycle) & (Meeting.status == MeetingStatus.CLOSED.value)
    )
    if closed.exists():
        return DomainError(
            N_(
                "A meeting of this cycle is already closed in the app: the opening balances "
                "from the paper books can no longer be entered."
            )
        )
    return None


def plan(
    share_value: int,
    cash: Mapping[Fund, int],
    members: Mapping[int, MemberOpening],
    before: Mapping[Fund, int],
) -> list[Line]:
    """The entries of an opening, so that each box then holds exactly the cash counted (pure).

    Members first (by the order given), each with their shares' value in the loan fund and
    what they paid into the social fund; then per box the remainder not attributed to members
    (negative when money is out on loans), counted against what the box held before in the
    cycle (money carried over into it, say).
    """
    lines: list[Line] = []
    for member_id, opening in members.items():
        if opening.shares:
            lines.append(
                Line(Fund.LOAN_FUND, member_id, opening.shares * share_value, opening.shares)
            )
        if opening.social_fund:
            lines.append(Line(Fund.SOCIAL_FUND, member_id, opening.social_fund))
    for fund in BOXES:
        attributed = sum(line.amount for line in lines if line.fund == fund)
        lines.append(Line(fund, None, cash[fund] - before.get(fund, 0) - attributed))
    return lines


def _check_amounts(
    share_value: int, cash: Mapping[Fund, int], members: Mapping[int, MemberOpening]
) -> None:
    fields = {Fund.LOAN_FUND: "loan_fund_cash", Fund.SOCIAL_FUND: "social_fund_cash"}
    for fund in BOXES:
        amount = cash[fund]
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise TypeError("cash counted must be an int of minor units")
        if amount < 0:
            raise DomainError(N_("The cash counted cannot be negative."), field=fields[fund])
        if amount > MAX_AMOUNT:
            raise DomainError(N_("This amount is too large."), field=fields[fund])
    for member_id, opening in members.items():
        for value in (opening.shares, opening.social_fund, opening.loan, opening.loan_periods):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError("shares, amounts and periods must be ints")
        if opening.shares < 0:
            raise DomainError(
                N_("The number of shares cannot be negative."), field=f"shares-{member_id}"
            )
        if opening.shares > MAX_SHARES or opening.shares * share_value > MAX_AMOUNT:
            raise DomainError(
                N_("This number of shares is too large."), field=f"shares-{member_id}"
            )
        if opening.social_fund < 0:
            raise DomainError(N_("The amount cannot be negative."), field=f"social-{member_id}")
        if opening.social_fund > MAX_AMOUNT:
            raise DomainError(N_("This amount is too large."), field=f"social-{member_id}")
        _check_loan(member_id, opening)


def _check_loan(member_id: int, opening: MemberOpening) -> None:
    """A loan outstanding needs its periods left; periods need a loan (lending checks again)."""
    loan_field, periods_field = f"loan-{member_id}", f"periods-{member_id}"
    if opening.loan < 0:
        raise DomainError(N_("The amount cannot be negative."), field=loan_field)
    if opening.loan > MAX_AMOUNT:
        raise DomainError(N_("This amount is too large."), field=loan_field)
    if opening.loan_periods < 0:
        raise DomainError(N_("The number of periods cannot be negative."), field=periods_field)
    if opening.loan and not opening.loan_periods:
        raise DomainError(
            N_("Enter the number of periods left to repay this loan."), field=periods_field
        )
    if opening.loan_periods and not opening.loan:
        raise DomainError(
            N_("Enter the loan outstanding, or leave the periods left empty."), field=loan_field
        )
    if opening.loan_periods > MAX_PERIODS:
        raise DomainError(
            N_("The periods left must be between 1 and %(count)d."),
            field=periods_field,
            count=MAX_PERIODS,
        )


def _opening_loan(
    actor: User,
    group: SavingsGroup,
    cycle: Cycle,
    member: Member,
    opening: MemberOpening,
    on: date,
    loan_note: Callable[[int], str],
) -> Entry:
    """The member's loan outstanding, as a loan; its opening entry (errors in the member's row)."""
    try:
        loan = lending.record_opening_loan(
            actor,
            group,
            cycle,
            member,
            opening.loan,
            opening.loan_periods,
            on,
            loan_note(opening.loan),
        )
    except DomainError as error:
        fields = {"periods": f"periods-{member.id}", "on": None}
        error.field = fields.get(error.field, f"loan-{member.id}")
        raise
    return Entry.get((Entry.loan == loan) & (Entry.kind == EntryKind.OPENING_BALANCE.value))


def record_opening(
    actor: User,
    group: SavingsGroup,
    cycle: Cycle,
    *,
    loan_fund_cash: int,
    social_fund_cash: int,
    members: Mapping[int, MemberOpening],
    note: str = OPENING_NOTE,
    remainder_note: str = REMAINDER_NOTE,
    loan_note: Callable[[int], str] | None = None,
    on: date | None = None,
) -> list[Entry]:
    """Post the opening of a cycle from the paper books, in one transaction, once.

    `members` maps member ids to what each had put in (and the loan each still owes, with its
    periods left); members left out put in nothing. Every entry carries `note` (the remainders
    carry `remainder_note`), in the user's language. Each loan outstanding becomes a loan
    repaid from `on` (today by default; see lending.record_opening_loan) with an entry of
    amount 0 noted `loan_note(amount)`; the boxes still hold the cash counted (money out on
    loans is in the loan fund's remainder). The cash entries are dated the cycle's first day:
    the opening counts before every meeting of the cycle (ledger.counted_at).
    """
    if cycle.group_id != group.id:
        raise ValueError("the cycle is not this group's")
    if group.kind != GroupKind.SAVINGS.value:
        raise DomainError(N_("Opening balances from paper books are for savings groups."))
    if group.archived_at is not None:
        raise DomainError(N_("This group is archived: nothing can be recorded for it."))
    cash = {Fund.LOAN_FUND: loan_fund_cash, Fund.SOCIAL_FUND: social_fund_cash}
    _check_amounts(cycle.share_value, cash, members)
    on = on or today()
    if loan_note is None:

        def loan_note(amount: int) -> str:
            return LOAN_NOTE % {"amount": format_amount(amount, group.currency, "en")}

    with db.atomic():
        cycle = lock_cycle(cycle)
        refused = why_closed(cycle)
        if refused is not None:
            raise refused
        found = {m.id: m for m in Member.select().where(Member.id.in_(list(members)))}
        for member_id in members:
            member = found.get(member_id)
            if member is None or member.group_id != group.id or member.left_on is not None:
                raise DomainError(
                    N_("One of the members is not a current member of this group."),
                    field=f"shares-{member_id}",
                )
        in_order = {
            member_id: members[member_id]
            for member_id in sorted(members, key=lambda i: found[i].number)
        }
        # The opening counts before every meeting of the cycle: dated its first day, it is
        # counted against what the cycle held then (ledger.balances_as_of), not what a draft
        # meeting has already lent.
        before = ledger.balances_as_of(group, cycle, cycle.start_date)
        lines = plan(cycle.share_value, cash, in_order, before)
        entries = [
            ledger.post(
                actor,
                group,
                line.fund,
                EntryKind.OPENING_BALANCE,
                line.amount,
                cycle=cycle,
                member=found[line.member_id] if line.member_id is not None else None,
                shares=line.shares,
                note=note if line.member_id is not None else remainder_note,
                effective_on=cycle.start_date,
            )
            for line in lines
        ]
        loan_entries = [
            _opening_loan(actor, group, cycle, found[member_id], member_opening, on, loan_note)
            for member_id, member_opening in in_order.items()
            if member_opening.loan
        ]
        entries += loan_entries
        audit.record(
            actor,
            "cycle.opening",
            cycle,
            group=group,
            loan_fund_cash=loan_fund_cash,
            social_fund_cash=social_fund_cash,
            members=len([m for m in members.values() if m.shares or m.social_fund or m.loan]),
            shares=sum(m.shares for m in members.values()),
            loans=[entry.loan_id for entry in loan_entries],
            loans_outstanding=sum(m.loan for m in members.values()),
            not_attributed={
                line.fund.value: line.amount for line in lines if line.member_id is None
            },
        )
        return entries
