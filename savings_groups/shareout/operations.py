"""Closing a cycle: the share-out sheet read from the books (preview), and finalising it.

What finalising writes, in one transaction, after every check is made again:

- with the rule `deduct`, each loan still owed is cleared from its borrower's payout by
  lending.record_repayment (interest due first, then all the principal): the loan shows repaid
  and the ledger has its interest and principal entries (+ into the loan fund);
- one SHARE_OUT entry per member of minus the gross share (the payout plus what was deducted),
  so that the member's net cash movement is the payout (a negative payout: the member pays in);
- with the rule `split_equally`, one SOCIAL_FUND_SHARE_OUT entry per member;
- the sheet as the members saw it (CycleShareOut and a ShareOutLine per member), the cycle's
  closed_at, and the audit entry "cycle.share_out".

The group's bank or mobile-money account (Fund.BANK) is the loan fund's money kept outside
the box: it counts in the value of a share (cash = box + account), and finalising first brings
its whole balance back to the box (an ACCOUNT_WITHDRAWAL, out of the account and into the loan
fund, on the share-out day), so that the payouts are paid from the box: the treasurer withdraws
it before paying the members. Group expenses and other income of the cycle are already in
those balances; the sheet shows their totals.

Afterwards the loan fund of the cycle holds exactly the carry-over and the social fund what is
kept; moving them into the next cycle (CARRY_OVER) belongs to starting that cycle.
Members settled during the cycle (a MemberExit row) are left out: their shares no longer count.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from peewee import JOIN, IntegrityError, fn

from savings_groups.backups import automatic
from savings_groups.core.dates import add_periods, today, utcnow
from savings_groups.core.errors import N_, Amount, DomainError
from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import (
    BackupReason,
    Channel,
    EntryKind,
    Fund,
    GroupKind,
    LeftoverRule,
    LoansAtShareOut,
    LoanStatus,
    MeetingStatus,
    ProfitMethod,
    SocialFundRule,
)
from savings_groups.cycles.operations import lock_cycle
from savings_groups.ledger import entries as ledger
from savings_groups.loans import operations as lending
from savings_groups.loans.book import books_of, standing_of
from savings_groups.org import audit
from savings_groups.shareout.arithmetic import (
    ShareOutError,
    compute,
    compute_time_weighted,
    return_on_savings,
    share_value,
    split_social_fund,
)
from savings_groups.store.db import db
from savings_groups.store.models import (
    Cycle,
    CycleShareOut,
    Entry,
    Loan,
    Meeting,
    Member,
    MemberExit,
    SavingsGroup,
    ShareOutLine,
    User,
)

ALREADY_FINAL = N_("The share-out of this cycle is already final: nothing is posted twice.")
# English defaults of the note on a share-out entry with a loan deducted; the view passes its
# own (finalise's `note`), in the user's language, as next_cycle does with its notes.
PAID_NOTE = "%(deducted)s deducted for loans, %(paid)s paid to the member"
PAID_IN_NOTE = "%(deducted)s deducted for loans, %(paid)s paid in by the member"

# A share-out entry's note from the member's payout and what was deducted (minor units).
PayoutNote = Callable[[int, int], str]


def english_note(currency: str) -> PayoutNote:
    def note(payout: int, deducted: int) -> str:
        text = PAID_NOTE if payout >= 0 else PAID_IN_NOTE
        amounts = (("deducted", deducted), ("paid", abs(payout)))
        return text % {name: format_amount(x, currency, "en") for name, x in amounts}

    return note


@dataclass(frozen=True)
class MemberLine:
    """One member's line of the sheet; amounts in minor units, `payout` negative: pays in."""

    member: Member | None  # None for the totals
    shares: int = 0
    saved: int = 0
    profit: int = 0
    deducted: int = 0
    social_fund: int = 0
    payout: int = 0

    @property
    def received(self) -> int:
        """What the member takes home: the payout and their part of the social fund."""
        return self.payout + self.social_fund

    @property
    def to_pay_in(self) -> int:
        """What the member must pay in when they owe more than they receive."""
        return max(0, -self.received)


@dataclass(frozen=True)
class LoanOwed:
    """A loan still owed on the share-out day: what clears it (interest due and principal)."""

    loan: Loan
    interest: int
    principal: int

    @property
    def total(self) -> int:
        return self.interest + self.principal


@dataclass
class Sheet:
    """The share-out of a cycle on a day: a preview from the books, or the finalised one."""

    group: SavingsGroup
    cycle: Cycle
    on: date
    loan_fund: int  # cash in the loan fund's box before the share-out
    social_fund: int  # cash in the social fund before the share-out
    profit_method: ProfitMethod
    leftover_rule: LeftoverRule
    social_fund_rule: SocialFundRule
    loans_at_share_out: LoansAtShareOut
    loans: list[LoanOwed] = field(default_factory=list)
    owed: int = 0
    lines: list[MemberLine] = field(default_factory=list)
    value_per_share: Decimal | None = None
    carry_over: int = 0
    social_fund_carry_over: int = 0
    profit: int = 0  # what the fund is worth above the members' savings (negative: a loss)
    return_cycle: Decimal | None = None
    return_year: Decimal | None = None
    problems: list[DomainError] = field(default_factory=list)
    final: CycleShareOut | None = None
    bank: int = 0  # in the group's account, brought back to the box when finalising
    expenses: int = 0  # group expenses of the cycle out of the loan fund or the account (> 0)
    income: int = 0  # other income of the cycle into the loan fund or the account

    @property
    def cash(self) -> int:
        """What the loan fund holds, in the box and in the account: what is shared."""
        return self.loan_fund + self.bank

    @property
    def totals(self) -> MemberLine:
        return MemberLine(
            None,
            *(
                sum(getattr(line, name) for line in self.lines)
                for name in ("shares", "saved", "profit", "deducted", "social_fund", "payout")
            ),
        )

    @property
    def paid_out(self) -> int:
        """Paid out of the loan fund to the members whose share is more than they owe."""
        return sum(max(0, line.payout) for line in self.lines)

    @property
    def paid_in(self) -> int:
        """Paid into the loan fund by the members who owe more than their share."""
        return sum(max(0, -line.payout) for line in self.lines)

    @property
    def received(self) -> int:
        """What the members take home, the social fund included (those who pay in aside)."""
        return sum(max(0, line.received) for line in self.lines)

    @property
    def to_pay_in(self) -> int:
        return sum(line.to_pay_in for line in self.lines)

    @property
    def social_fund_shared(self) -> bool:
        return self.social_fund_rule == SocialFundRule.SPLIT_EQUALLY


# --- reading ----------------------------------------------------------------------------------


def _weights(cycle: Cycle, on: date, frequency: str) -> dict[int, int]:
    """Share-periods per member id: for each purchase, shares x meeting periods from the day it
    was bought (its meeting, or the start of the cycle for an opening or an entry outside a
    meeting) to the share-out day. One query."""
    bought = (
        Entry.select(Entry.member, Meeting.held_on, fn.SUM(Entry.shares).alias("count"))
        .join(Meeting, JOIN.LEFT_OUTER, on=(Entry.meeting == Meeting.id))
        .where(
            (Entry.cycle == cycle)
            & Entry.member.is_null(False)
            & (Entry.fund == Fund.LOAN_FUND.value)
            & Entry.kind.in_([kind.value for kind in ledger.SAVINGS_KINDS])
        )
        .group_by(Entry.member, Meeting.held_on)
    )
    weights: dict[int, int] = {}
    periods: dict[date, int] = {}
    for row in bought:
        day = row.meeting.held_on if row.meeting and row.meeting.held_on else cycle.start_date
        if day not in periods:
            periods[day] = periods_held(day, on, frequency)
        weights[row.member_id] = weights.get(row.member_id, 0) + int(row.count) * periods[day]
    return weights


def periods_held(bought_on: date, on: date, frequency: str) -> int:
    """Meeting periods a share bought on `bought_on` is held until the share-out on `on`: the
    meetings from that day (counted) to the share-out day (not counted), one a period."""
    count = 0
    while add_periods(bought_on, count, frequency) < on:
        count += 1
    return count


def _problems(group: SavingsGroup, cycle: Cycle, on: date, final) -> list[DomainError]:
    """What blocks finalising, apart from the figures (loans, shares: see preview)."""
    problems = []
    if final is not None or cycle.closed_at is not None:
        problems.append(DomainError(ALREADY_FINAL))
    if group.kind != GroupKind.SAVINGS.value:
        problems.append(DomainError(N_("Only savings groups share out a cycle.")))
    if group.archived_at is not None:
        problems.append(
            DomainError(N_("This group is archived: take it out of the archive first."))
        )
    drafts = Meeting.select(Meeting.held_on).where(
        (Meeting.cycle == cycle) & (Meeting.status == MeetingStatus.DRAFT.value)
    )
    draft = drafts.order_by(Meeting.held_on).first()
    if draft is not None:
        problems.append(
            DomainError(
                N_("The meeting of %(day)s is still open: close it before the share-out."),
                day=draft.held_on,
            )
        )
    last = Meeting.select(fn.MAX(Meeting.held_on)).where(Meeting.cycle == cycle).scalar()
    if on < cycle.start_date or (last is not None and on < last):
        problems.append(
            DomainError(
                N_("The share-out cannot be before %(day)s: the cycle's start or last meeting."),
                field="on",
                day=last or cycle.start_date,
            )
        )
    settled = (
        MemberExit.select(fn.MAX(MemberExit.settled_on)).where(MemberExit.cycle == cycle).scalar()
    )
    if settled is not None and on < settled:  # the share-out is made from the books after it
        problems.append(
            DomainError(
                N_("A member was settled on %(day)s: the share-out cannot be dated before it."),
                field="on",
                day=settled,
            )
        )
    if on > today():
        problems.append(
            DomainError(
                N_("The share-out day is in the future: it can be previewed, not finalised yet."),
                field="on",
            )
        )
    return problems


def preview(group: SavingsGroup, cycle: Cycle, on: date) -> Sheet:
    """The share-out of the cycle as it would be on `on`, from the ledger and the loans, with
    the problems that block finalising it (nothing is written). A bounded number of queries."""
    if cycle.group_id != group.id:
        raise ValueError("the cycle is not this group's")
    boxes = ledger.balances(group, cycle)
    sheet = Sheet(
        group,
        cycle,
        on,
        loan_fund=boxes[Fund.LOAN_FUND],
        social_fund=boxes[Fund.SOCIAL_FUND],
        profit_method=ProfitMethod(cycle.profit_method),
        leftover_rule=LeftoverRule(cycle.leftover_rule),
        social_fund_rule=SocialFundRule(cycle.social_fund_rule),
        loans_at_share_out=LoansAtShareOut(cycle.loans_at_share_out),
        bank=boxes[Fund.BANK],
    )
    sheet.expenses, sheet.income = group_money_totals(cycle)
    final = CycleShareOut.select().where(CycleShareOut.cycle == cycle).first()
    sheet.problems = _problems(group, cycle, on, final)
    if sheet.bank < 0:
        sheet.problems.append(
            DomainError(
                N_("The books say the account holds %(amount)s, below zero: correct them first."),
                amount=Amount(sheet.bank, group.currency),
            )
        )

    exited = {row.member_id for row in MemberExit.select().where(MemberExit.cycle == cycle)}
    active = list(
        Loan.select(Loan, Member)
        .join(Member)
        .where((Loan.cycle == cycle) & (Loan.status == LoanStatus.ACTIVE.value))
        .order_by(Member.number, Loan.id)
    )
    for book in books_of(active).values():
        standing = standing_of(book, on)
        sheet.loans.append(
            LoanOwed(book.loan, standing.interest_due, standing.principal_outstanding)
        )
    sheet.loans.sort(key=lambda owed: (owed.loan.member.number, owed.loan.id))
    owed: dict[int, int] = {}
    for loan_owed in sheet.loans:
        owed[loan_owed.loan.member_id] = owed.get(loan_owed.loan.member_id, 0) + loan_owed.total
    sheet.owed = sum(owed.values())
    if sheet.loans and sheet.loans_at_share_out == LoansAtShareOut.REPAY_FIRST:
        sheet.problems.append(
            DomainError(
                N_(
                    "The group's rules say every loan is repaid before the share-out: "
                    "%(count)d loans are still owed (%(amount)s)."
                ),
                count=len(sheet.loans),
                amount=Amount(sheet.owed, group.currency),
            )
        )

    totals = {
        member_id: totals
        for member_id, totals in ledger.member_totals(group, cycle).items()
        if member_id not in exited and (totals.shares or totals.savings)
    }
    ids = set(totals) | set(owed)
    members = list(Member.select().where(Member.id.in_(list(ids))).order_by(Member.number))
    shares = {m.id: totals[m.id].shares if m.id in totals else 0 for m in members}
    saved = {m.id: totals[m.id].savings if m.id in totals else 0 for m in members}
    total_shares, total_saved = sum(shares.values()), sum(saved.values())
    fund = sheet.cash + sheet.owed
    sheet.profit = fund - total_saved
    days = (on - cycle.start_date).days
    sheet.return_cycle, sheet.return_year = return_on_savings(sheet.profit, total_saved, days)
    if total_shares <= 0:
        sheet.problems.append(
            DomainError(N_("No shares were bought in this cycle: there is nothing to share."))
        )
        return sheet
    sheet.value_per_share = share_value(fund, total_shares)
    unit, leftover = group.rounding_unit, sheet.leftover_rule.value
    try:
        if sheet.profit_method == ProfitMethod.TIME_WEIGHTED:
            weights = _weights(cycle, on, group.meeting_frequency)
            weights = {m.id: weights.get(m.id, 0) for m in members}
            result = compute_time_weighted(sheet.cash, owed, saved, weights, unit, leftover)
        else:
            result = compute(sheet.cash, owed, shares, unit, leftover)
    except ShareOutError as error:
        sheet.problems.append(error)
        return sheet
    sheet.carry_over = result.carry_over

    social = dict.fromkeys(shares, 0)
    sheet.social_fund_carry_over = sheet.social_fund
    if sheet.social_fund_shared:
        if sheet.social_fund < 0:
            sheet.problems.append(
                DomainError(N_("The social fund is below zero: it cannot be shared out."))
            )
        else:
            holders = [member_id for member_id, count in shares.items() if count > 0]
            parts, sheet.social_fund_carry_over = split_social_fund(
                sheet.social_fund, holders, unit
            )
            social.update(parts)

    for member in members:
        payout, deducted = result.payouts[member.id], owed.get(member.id, 0)
        sheet.lines.append(
            MemberLine(
                member,
                shares=shares[member.id],
                saved=saved[member.id],
                profit=payout + deducted - saved[member.id],
                deducted=deducted,
                social_fund=social[member.id],
                payout=payout,
            )
        )
    return sheet


# Group expenses and other income of a cycle that the share-out counts: the loan fund's and
# the account's (the social fund's stay with the social fund).
SHARED_FUNDS = (Fund.LOAN_FUND.value, Fund.BANK.value)


def group_money_totals(cycle: Cycle) -> tuple[int, int]:
    """The cycle's group expenses (as a positive amount) and other income, of the loan fund
    and the account, reversals netted (one query)."""
    rows = (
        Entry.select(Entry.kind, fn.SUM(Entry.amount).alias("total"))
        .where(
            (Entry.cycle == cycle)
            & Entry.fund.in_(SHARED_FUNDS)
            & Entry.kind.in_([EntryKind.GROUP_EXPENSE.value, EntryKind.OTHER_INCOME.value])
        )
        .group_by(Entry.kind)
    )
    totals = {row.kind: int(row.total or 0) for row in rows}
    return -totals.get(EntryKind.GROUP_EXPENSE.value, 0), totals.get(
        EntryKind.OTHER_INCOME.value, 0
    )


def stored(cycle: Cycle) -> Sheet | None:
    """The finalised share-out of a cycle as it was signed, or None (three queries)."""
    final = (
        CycleShareOut.select(CycleShareOut, User)
        .join(User, on=CycleShareOut.finalised_by)
        .where(CycleShareOut.cycle == cycle)
        .first()
    )
    if final is None:
        return None
    group = SavingsGroup.get_by_id(cycle.group_id)
    lines = [
        MemberLine(
            line.member,
            line.shares,
            line.saved,
            line.profit,
            line.deducted,
            line.social_fund,
            line.payout,
        )
        for line in ShareOutLine.select(ShareOutLine, Member)
        .join(Member)
        .where(ShareOutLine.share_out == final)
        .order_by(Member.number)
    ]
    saved = sum(line.saved for line in lines)
    profit = final.cash + final.owed - saved
    returns = return_on_savings(profit, saved, (final.held_on - cycle.start_date).days)
    expenses, income = group_money_totals(cycle)
    return Sheet(
        group,
        cycle,
        final.held_on,
        loan_fund=final.cash - final.bank,
        social_fund=final.social_fund,
        profit_method=ProfitMethod(final.profit_method),
        leftover_rule=LeftoverRule(final.leftover_rule),
        social_fund_rule=SocialFundRule(final.social_fund_rule),
        loans_at_share_out=LoansAtShareOut(final.loans_at_share_out),
        owed=final.owed,
        lines=lines,
        value_per_share=final.value_per_share,
        carry_over=final.carry_over,
        social_fund_carry_over=final.social_fund_carry_over,
        profit=profit,
        return_cycle=returns[0],
        return_year=returns[1],
        final=final,
        bank=final.bank,
        expenses=expenses,
        income=income,
    )


# --- finalising -------------------------------------------------------------------------------


def finalise(
    actor: User,
    group: SavingsGroup,
    cycle: Cycle,
    on: date,
    note: PayoutNote | None = None,
    repayment_note: str = "Deducted from the share-out",
    account_note: str = "Brought back from the account for the share-out",
) -> CycleShareOut:
    """Post the share-out and close the cycle, all in one transaction or nothing.

    Everything is checked again after the cycle's row is locked, so two clicks (or two
    laptops) cannot both pass; the first problem found is raised as a DomainError. A member's
    share-out entry with a loan deducted carries `note(payout, deducted)` (English by default),
    so that the ledger says what the member was paid, not only the gross share; the loan
    repayments it makes carry `repayment_note`, and the account's balance brought back to the
    box `account_note` (all in the user's language, given by the view)."""
    if not isinstance(on, date):
        raise DomainError(N_("Enter the day of the share-out."), field="on")
    given = cycle
    # A copy of the books as they were before: a share-out cannot be undone by a reversal.
    automatic.before(BackupReason.SHAREOUT)
    with db.atomic():
        cycle = lock_cycle(cycle)
        sheet = preview(group, cycle, on)
        if sheet.problems:
            raise sheet.problems[0]
        for loan_owed in sheet.loans:
            repayment = lending.record_repayment(
                actor, loan_owed.loan, loan_owed.total, on, note=repayment_note
            )
            if not repayment.repaid:  # the sheet and the loan's book disagree: post nothing
                raise DomainError(
                    N_("The loan of %(name)s could not be cleared: reload the share-out."),
                    name=loan_owed.loan.member.full_name,
                )
        if sheet.bank:
            _bring_back_account(actor, sheet, account_note)
        note = note or english_note(group.currency)
        for line in sheet.lines:
            gross = line.payout + line.deducted
            if gross:
                text = note(line.payout, line.deducted) if line.deducted else ""
                _post(actor, sheet, Fund.LOAN_FUND, EntryKind.SHARE_OUT, -gross, line.member, text)
            if line.social_fund:
                _post(
                    actor,
                    sheet,
                    Fund.SOCIAL_FUND,
                    EntryKind.SOCIAL_FUND_SHARE_OUT,
                    -line.social_fund,
                    line.member,
                )
        try:
            with db.atomic():
                final = CycleShareOut.create(
                    cycle=cycle,
                    held_on=on,
                    cash=sheet.cash,
                    bank=sheet.bank,
                    owed=sheet.owed,
                    value_per_share=sheet.value_per_share,
                    carry_over=sheet.carry_over,
                    social_fund=sheet.social_fund,
                    social_fund_carry_over=sheet.social_fund_carry_over,
                    profit_method=sheet.profit_method.value,
                    leftover_rule=sheet.leftover_rule.value,
                    social_fund_rule=sheet.social_fund_rule.value,
                    loans_at_share_out=sheet.loans_at_share_out.value,
                    finalised_by=actor,
                )
        except IntegrityError:  # the backstop: the check above saw no share-out
            raise DomainError(ALREADY_FINAL) from None
        ShareOutLine.insert_many(
            [
                {
                    "share_out": final.id,
                    "member": line.member.id,
                    "shares": line.shares,
                    "saved": line.saved,
                    "profit": line.profit,
                    "deducted": line.deducted,
                    "social_fund": line.social_fund,
                    "payout": line.payout,
                }
                for line in sheet.lines
            ]
        ).execute()
        cycle.closed_at = given.closed_at = utcnow()
        Cycle.update(closed_at=cycle.closed_at).where(Cycle.id == cycle.id).execute()
        audit.record(
            actor,
            "cycle.share_out",
            final,
            group=group,
            cycle=cycle.id,
            on=on,
            cash=sheet.cash,
            bank=sheet.bank,
            owed=sheet.owed,
            paid_out=sheet.totals.payout,
            carry_over=sheet.carry_over,
            social_fund=sheet.social_fund,
            social_fund_paid=sheet.totals.social_fund,
            social_fund_carry_over=sheet.social_fund_carry_over,
            profit_method=sheet.profit_method.value,
            leftover_rule=sheet.leftover_rule.value,
            social_fund_rule=sheet.social_fund_rule.value,
            loans_at_share_out=sheet.loans_at_share_out.value,
        )
        return final


def _post(actor, sheet: Sheet, fund: Fund, kind: EntryKind, amount: int, member, note=""):
    """A share-out entry, dated the share-out day (not the day it was typed)."""
    ledger.post(
        actor,
        sheet.group,
        fund,
        kind,
        amount,
        cycle=sheet.cycle,
        member=member,
        note=note,
        effective_on=sheet.on,
    )


def _bring_back_account(actor, sheet: Sheet, note: str) -> None:
    """The account's whole balance taken back to the loan fund's box on the share-out day,
    through the channel the account was last used by (bank or mobile money)."""
    last = (
        Entry.select(Entry.channel)
        .where((Entry.cycle == sheet.cycle) & (Entry.fund == Fund.BANK.value))
        .order_by(Entry.id.desc())
        .first()
    )
    channel = last.channel if last is not None and last.channel != Channel.CASH else Channel.BANK
    for fund, amount in ((Fund.BANK, -sheet.bank), (Fund.LOAN_FUND, sheet.bank)):
        ledger.post(
            actor,
            sheet.group,
            fund,
            EntryKind.ACCOUNT_WITHDRAWAL,
            amount,
            cycle=sheet.cycle,
            note=note,
            effective_on=sheet.on,
            channel=channel,
        )
