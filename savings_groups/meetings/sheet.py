"""What a treasurer enters for one meeting, and the checks it must pass."""

import json
import unicodedata
from dataclasses import asdict, dataclass, field, replace

from peewee import fn

from savings_groups.core.errors import N_, Amount, DomainError, Invalid
from savings_groups.core.money import MAX_AMOUNT
from savings_groups.core.vocabulary import AttendanceStatus, Channel, EntryKind, Fund, MeetingStatus
from savings_groups.groups.members import is_current
from savings_groups.ledger import entries as ledger
from savings_groups.loans import portfolio as loan_portfolio
from savings_groups.store.models import Cycle, Entry, FineType, Loan, Meeting, Member, SavingsGroup

# Members who are not there buy no shares; someone may pay for a represented member.
AWAY = (AttendanceStatus.ABSENT.value, AttendanceStatus.EXCUSED.value)


def social_fund_paid(attendance: str, typed: int | None, contribution: int) -> int:
    """What a member pays into the social fund at a meeting: what the recorder typed, whatever
    the attendance; for a cell left blank, the cycle's contribution when the member is there
    (present or late) or represented (the representative pays it), and nothing when absent or
    excused. The page shows the contribution as the blank cell's placeholder, not as a value,
    so that a cell nobody typed in never carries money for a member who was not there."""
    if typed is not None:
        return typed
    return 0 if attendance in AWAY else contribution


class SheetInvalid(Invalid):
    """Some cells of the sheet break a rule; `errors` holds one DomainError per cell."""


def cell(member_id: int, column: str) -> str:
    """The name of a cell of the grid, shared by the page and the errors: m7-shares."""
    return f"m{member_id}-{column}"


@dataclass
class MemberLine:
    """What one member did at the meeting. Amounts in minor units; fines are fine type ids."""

    member_id: int
    attendance: str = AttendanceStatus.PRESENT.value
    shares: int = 0
    social_fund: int = 0
    fines: list[int] = field(default_factory=list)
    welfare: int = 0
    repayment: int = 0  # paid on the member's loans, interest due first (see repayment_plan)

    def is_empty(self) -> bool:
        return not (self.shares or self.social_fund or self.fines or self.welfare or self.repayment)


# Group expenses, other income and the account: lines of the meeting that are no member's.
EXPENSE, INCOME = "expense", "income"
DEPOSIT, WITHDRAWAL = "deposit", "withdrawal"
# Where a group expense is paid from, or other income paid into.
GROUP_FUNDS = (Fund.LOAN_FUND, Fund.SOCIAL_FUND, Fund.BANK)
# How money reaches or leaves the account.
ACCOUNT_CHANNELS = (Channel.BANK, Channel.MOBILE_MONEY)
TEXT_MAX = 200  # characters of what an expense or income was for, or of a transfer's note


def group_cell(index: int, column: str) -> str:
    """The name of a field of the sheet's n-th expense or income: x0-amount."""
    return f"x{index}-{column}"


def transfer_cell(index: int, column: str) -> str:
    """The name of a field of the sheet's n-th transfer with the account: t0-amount."""
    return f"t{index}-{column}"


@dataclass
class GroupMoneyLine:
    """A group expense (a padlock, passbooks, a bank fee) or other income (bank interest, a
    donation) approved at the meeting: out of or into the loan fund, the social fund or the
    account. `amount` > 0 in minor units; `approved_by` a member id, None: the meeting."""

    kind: str = EXPENSE
    fund: str = Fund.LOAN_FUND.value
    amount: int = 0
    channel: str = Channel.CASH.value
    approved_by: int | None = None
    purpose: str = ""


@dataclass
class TransferLine:
    """Cash taken from the loan fund's box to the group's account (deposit), or back."""

    direction: str = DEPOSIT
    amount: int = 0
    channel: str = Channel.BANK.value
    note: str = ""


@dataclass
class MeetingSheet:
    """The whole meeting as entered: one line per member, the group's expenses and other
    income, the transfers with the account, and the notes."""

    lines: list[MemberLine] = field(default_factory=list)
    notes: str = ""
    group_money: list[GroupMoneyLine] = field(default_factory=list)
    transfers: list[TransferLine] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "lines": [asdict(line) for line in self.lines],
            "notes": self.notes,
            "group_money": [asdict(line) for line in self.group_money],
            "transfers": [asdict(line) for line in self.transfers],
        }

    def cleaned(self) -> "MeetingSheet":
        """The sheet with its free texts as they can be stored (clean_text)."""
        return replace(
            self,
            notes=clean_text(self.notes),
            group_money=[replace(x, purpose=clean_text(x.purpose)) for x in self.group_money],
            transfers=[replace(x, note=clean_text(x.note)) for x in self.transfers],
        )

    @classmethod
    def from_dict(cls, data: dict) -> "MeetingSheet":
        lines = [
            MemberLine(
                member_id=int(line["member_id"]),
                attendance=str(line.get("attendance", AttendanceStatus.PRESENT.value)),
                shares=int(line.get("shares", 0)),
                social_fund=int(line.get("social_fund", 0)),
                fines=[int(f) for f in line.get("fines", [])],
                welfare=int(line.get("welfare", 0)),
                repayment=int(line.get("repayment", 0)),  # drafts saved before loans lack it
            )
            for line in data.get("lines", [])
        ]
        group_money = [
            GroupMoneyLine(
                kind=str(x.get("kind", EXPENSE)),
                fund=str(x.get("fund", Fund.LOAN_FUND.value)),
                amount=int(x.get("amount", 0)),
                channel=str(x.get("channel", Channel.CASH.value)),
                approved_by=None if x.get("approved_by") is None else int(x["approved_by"]),
                purpose=str(x.get("purpose", "")),
            )
            for x in data.get("group_money", [])
        ]
        transfers = [
            TransferLine(
                direction=str(x.get("direction", DEPOSIT)),
                amount=int(x.get("amount", 0)),
                channel=str(x.get("channel", Channel.BANK.value)),
                note=str(x.get("note", "")),
            )
            for x in data.get("transfers", [])
        ]
        return cls(
            lines=lines,
            notes=str(data.get("notes", "")),
            group_money=group_money,
            transfers=transfers,
        )

    def line_for(self, member_id: int) -> MemberLine | None:
        return next((line for line in self.lines if line.member_id == member_id), None)


def stored_draft(meeting: Meeting) -> dict:
    """The meeting's draft JSON: the sheet, and what else was typed (counted cash, reasons)."""
    try:
        data = json.loads(meeting.draft or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def stored_sheet(meeting: Meeting) -> MeetingSheet | None:
    """The sheet saved with the meeting (a draft, or the figures it was closed with)."""
    data = stored_draft(meeting)
    return MeetingSheet.from_dict(data) if "lines" in data else None


@dataclass(frozen=True)
class Posting:
    """An entry the meeting should have in the ledger."""

    member_id: int | None
    kind: EntryKind
    fund: Fund
    amount: int
    shares: int = 0
    note: str = ""
    channel: str = Channel.CASH.value
    approved_by: int | None = None  # a member id, for a group expense or other income

    @property
    def key(self) -> tuple:
        return (self.member_id, self.kind.value, self.fund.value)

    @property
    def value(self) -> tuple:
        return (self.amount, self.shares, self.note, self.channel, self.approved_by or 0)


def grid_members(meeting: Meeting, extra_ids=()) -> list[Member]:
    """Members current on the meeting's day, plus the given ones, by number (one query)."""
    held_on = meeting.held_on
    current = (Member.joined_on <= held_on) & (
        Member.left_on.is_null() | (Member.left_on > held_on)
    )
    ids = [int(i) for i in extra_ids]
    where = current | Member.id.in_(ids) if ids else current
    return list(
        Member.select().where((Member.group == meeting.group_id) & where).order_by(Member.number)
    )


def has_account(group: SavingsGroup) -> bool:
    """Whether the group has ever used a bank or mobile-money account (one query)."""
    return Entry.select().where((Entry.group == group) & (Entry.fund == Fund.BANK.value)).exists()


def fine_types(cycle: Cycle) -> list[FineType]:
    return list(FineType.select().where(FineType.cycle == cycle).order_by(FineType.id))


def balances_before(meeting: Meeting) -> dict[Fund, int]:
    """What each box held when the meeting began, in the ledger's order (one SUM query: see
    ledger.balances_as_of): what was recorded after it never changes it."""
    return ledger.balances_as_of(meeting.group_id, meeting.cycle_id, meeting.held_on)


def postings(sheet: MeetingSheet, cycle: Cycle, fines: dict[int, FineType]) -> list[Posting]:
    """The entries a sheet means, cash differences aside, in the order of the meeting: social
    fund, shares, fines, welfare grants. Unknown fines are left out."""
    social, shares, fined, grants = [], [], [], []
    for line in sheet.lines:
        member = line.member_id
        if line.social_fund:
            social.append(
                Posting(
                    member, EntryKind.SOCIAL_FUND_CONTRIBUTION, Fund.SOCIAL_FUND, line.social_fund
                )
            )
        if line.shares:
            amount = line.shares * cycle.share_value
            shares.append(
                Posting(
                    member, EntryKind.SHARE_PURCHASE, Fund.LOAN_FUND, amount, shares=line.shares
                )
            )
        for fine_id in line.fines:
            fine = fines.get(fine_id)
            if fine is not None and fine.amount:
                fined.append(
                    Posting(member, EntryKind.FINE, Fund.LOAN_FUND, fine.amount, note=fine.name)
                )
        if line.welfare:
            grants.append(Posting(member, EntryKind.WELFARE_GRANT, Fund.SOCIAL_FUND, -line.welfare))
    return [*social, *shares, *fined, *grants, *money_postings(sheet)]


def money_postings(sheet: MeetingSheet) -> list[Posting]:
    """The entries of the group's expenses and other income, then of the transfers with the
    account (two entries each: out of one fund, into the other). Lines that break a rule
    (see check_sheet) are left out."""
    result = []
    for line in sheet.group_money:
        if _money_line_errors(line, 0) or line.kind not in (EXPENSE, INCOME):
            continue
        kind, sign = (
            (EntryKind.GROUP_EXPENSE, -1) if line.kind == EXPENSE else (EntryKind.OTHER_INCOME, 1)
        )
        result.append(
            Posting(
                None,
                kind,
                Fund(line.fund),
                sign * line.amount,
                note=line.purpose,
                channel=line.channel,
                approved_by=line.approved_by,
            )
        )
    for line in sheet.transfers:
        if _transfer_errors(line, 0):
            continue
        kind, sign = (
            (EntryKind.ACCOUNT_DEPOSIT, 1)
            if line.direction == DEPOSIT
            else (EntryKind.ACCOUNT_WITHDRAWAL, -1)
        )
        for fund, amount in (
            (Fund.LOAN_FUND, -sign * line.amount),
            (Fund.BANK, sign * line.amount),
        ):
            result.append(Posting(None, kind, fund, amount, note=line.note, channel=line.channel))
    return result


# Loans --------------------------------------------------------------------------------------

# The entries of loans (granted, repaid): written by lending.py, never by the sheet's postings.
LOAN_KINDS = (
    EntryKind.LOAN_DISBURSEMENT.value,
    EntryKind.LOAN_INTEREST.value,
    EntryKind.LOAN_PRINCIPAL.value,
    EntryKind.LOAN_WRITE_OFF.value,
)
REPAID_KINDS = (EntryKind.LOAN_INTEREST.value, EntryKind.LOAN_PRINCIPAL.value)


@dataclass(frozen=True)
class MemberLoans:
    """A member's active loans on the meeting's day, oldest first, with where each stands."""

    lines: tuple[loan_portfolio.LoanLine, ...]

    @property
    def interest_due(self) -> int:
        return sum(line.standing.interest_due for line in self.lines)

    @property
    def principal_due(self) -> int:
        return sum(line.standing.principal_due for line in self.lines)

    @property
    def outstanding(self) -> int:
        return sum(line.standing.principal_outstanding for line in self.lines)

    @property
    def most_payable(self) -> int:
        return sum(line.standing.most_payable for line in self.lines)


def loan_positions(meeting: Meeting, group: SavingsGroup) -> dict[int, MemberLoans]:
    """Per member id, the active loans granted by the meeting's day and where they stand on it
    (loan_portfolio.portfolio of the open loans: three queries whatever the number of loans)."""
    book = loan_portfolio.portfolio(group, None, meeting.held_on, open_only=True)
    by_member: dict[int, list] = {}
    for line in book.lines:
        if line.loan.granted_on <= meeting.held_on:
            by_member.setdefault(line.loan.member_id, []).append(line)
    return {
        member_id: MemberLoans(tuple(sorted(lines, key=lambda x: (x.loan.granted_on, x.loan.id))))
        for member_id, lines in by_member.items()
    }


def repayment_plan(
    sheet: MeetingSheet, positions: dict[int, MemberLoans]
) -> list[tuple[MemberLine, Loan, int]]:
    """How each repayment of the sheet is paid: (line, loan, amount). A member with several
    active loans repays the oldest first, each up to the most it can take (its interest due and
    all its principal), then the next. The sheet is expected to have passed check_sheet."""
    plan = []
    for line in sheet.lines:
        left = line.repayment if isinstance(line.repayment, int) else 0
        position = positions.get(line.member_id)
        if left <= 0 or position is None:
            continue
        for loan_line in position.lines:
            part = min(left, loan_line.standing.most_payable)
            if part > 0:
                plan.append((line, loan_line.loan, part))
                left -= part
            if not left:
                break
    return plan


def loan_entries_total(meeting: Meeting) -> int:
    """What the loan entries already written for this meeting (loans granted at it, repayments
    posted when it was closed) added to the loan fund; one SUM query."""
    total = (
        Entry.select(fn.SUM(Entry.amount))
        .where((Entry.meeting == meeting) & Entry.kind.in_(LOAN_KINDS))
        .scalar()
    )
    return int(total or 0)


def add_effect(balances: dict[Fund, int], entries) -> dict[Fund, int]:
    result = dict(balances)
    for posting in entries:
        result[posting.fund] = result.get(posting.fund, 0) + posting.amount
    return result


def sheet_repayments(sheet: MeetingSheet) -> int:
    return sum(line.repayment for line in sheet.lines if isinstance(line.repayment, int))


def add_loans(balances: dict[Fund, int], loan_total: int, sheet: MeetingSheet) -> dict[Fund, int]:
    """The boxes with the meeting's loan entries (`loan_total`, see loan_entries_total) and the
    repayments typed in the sheet added to the loan fund."""
    result = dict(balances)
    result[Fund.LOAN_FUND] = result.get(Fund.LOAN_FUND, 0) + loan_total + sheet_repayments(sheet)
    return result


def preview(meeting: Meeting, sheet: MeetingSheet) -> dict[Fund, int]:
    """What each box will hold once this sheet is posted (before any cash difference): the
    sheet's entries, the loans granted at the meeting and the repayments typed in."""
    cycle = meeting.cycle
    fines = {fine.id: fine for fine in fine_types(cycle)}
    computed = add_effect(balances_before(meeting), postings(sheet, cycle, fines))
    return add_loans(computed, loan_entries_total(meeting), sheet)


def amount_error(value, name: str) -> DomainError | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return DomainError(N_("Enter an amount."), field=name)
    if value < 0:
        return DomainError(N_("The amount cannot be negative."), field=name)
    if value > MAX_AMOUNT:
        return DomainError(N_("This amount is too large."), field=name)
    return None


def check_sheet(
    meeting: Meeting,
    sheet: MeetingSheet,
    final: bool,
    positions: dict[int, MemberLoans] | None = None,
) -> list[DomainError]:
    """Every broken rule of the sheet, each next to its cell; `final` adds what closing needs.
    `positions` are the members' loans (loan_positions), read here when not given."""
    cycle = meeting.cycle
    if positions is None:
        positions = loan_positions(meeting, meeting.group)
    currency = meeting.group.currency
    errors: list[DomainError] = []
    seen: set[int] = set()
    ids = [line.member_id for line in sheet.lines]
    members = {m.id: m for m in grid_members(meeting, ids)}
    fines = {fine.id: fine for fine in fine_types(cycle)}
    for line in sheet.lines:
        member = members.get(line.member_id)
        if member is None or member.group_id != meeting.group_id:
            errors.append(
                DomainError(
                    N_("This member is not in this group."),
                    field=cell(line.member_id, "attendance"),
                )
            )
            continue
        if line.member_id in seen:
            errors.append(
                DomainError(
                    N_("%(name)s appears twice on the sheet."),
                    field=cell(line.member_id, "attendance"),
                    name=member.full_name,
                )
            )
            continue
        seen.add(line.member_id)
        if not is_current(member, meeting.held_on):
            if line.is_empty():
                continue  # a line left blank for someone who has gone records nothing
            if member.joined_on > meeting.held_on:
                errors.append(
                    DomainError(
                        N_("%(name)s joined the group on %(date)s, after this meeting."),
                        field=cell(member.id, "attendance"),
                        name=member.full_name,
                        date=member.joined_on,
                    )
                )
            else:
                errors.append(
                    DomainError(
                        N_(
                            "%(name)s left the group on %(date)s: nothing can be recorded for "
                            "them at this meeting."
                        ),
                        field=cell(member.id, "attendance"),
                        name=member.full_name,
                        date=member.left_on,
                    )
                )
            continue
        errors.extend(_check_line(line, cycle, fines, final))
        errors.extend(_check_repayment(line, positions.get(line.member_id), currency))
    if final:
        for member in members.values():
            if member.id not in seen and is_current(member, meeting.held_on):
                errors.append(
                    DomainError(
                        N_("The sheet has no line for %(name)s: reload the meeting."),
                        field=cell(member.id, "attendance"),
                        name=member.full_name,
                    )
                )
    errors.extend(_check_welfare(meeting, sheet, members))
    errors.extend(_check_group_money(meeting, sheet, members))
    return errors


def _check_line(line: MemberLine, cycle: Cycle, fines: dict, final: bool) -> list[DomainError]:
    errors = []
    if line.attendance not in {status.value for status in AttendanceStatus}:
        errors.append(
            DomainError(
                N_("Choose present, absent, excused, late or represented."),
                field=cell(line.member_id, "attendance"),
            )
        )
    shares_cell = cell(line.member_id, "shares")
    shares = line.shares
    if isinstance(shares, bool) or not isinstance(shares, int) or shares < 0:
        errors.append(DomainError(N_("Enter a whole number of shares."), field=shares_cell))
    elif line.attendance in AWAY and shares:
        errors.append(
            DomainError(
                N_(
                    "A member who is not there buys no shares: mark them “represented” if "
                    "someone bought shares for them."
                ),
                field=shares_cell,
            )
        )
    elif line.attendance not in AWAY and (
        shares > cycle.max_shares or (final and shares < cycle.min_shares)
    ):
        errors.append(
            DomainError(
                N_("Between %(min)d and %(max)d shares, as the cycle's rules say."),
                field=shares_cell,
                min=cycle.min_shares,
                max=cycle.max_shares,
            )
        )
    for column in ("social_fund", "welfare"):
        error = amount_error(getattr(line, column), cell(line.member_id, column))
        if error:
            errors.append(error)
    if len(set(line.fines)) != len(line.fines) or any(f not in fines for f in line.fines):
        errors.append(
            DomainError(
                N_("Choose fines from the cycle's list, each at most once."),
                field=cell(line.member_id, "fines"),
            )
        )
    return errors


def _check_repayment(
    line: MemberLine, position: MemberLoans | None, currency: str
) -> list[DomainError]:
    """A repayment needs a loan being repaid, and is at most the interest due now and all the
    principal outstanding (the error's `maximum` is in minor units, for the page to format)."""
    name = cell(line.member_id, "repayment")
    error = amount_error(line.repayment, name)
    if error:
        return [error]
    if not line.repayment:
        return []
    if position is None:
        return [DomainError(N_("This member has no loan being repaid."), field=name)]
    if line.repayment > position.most_payable:
        return [
            DomainError(
                N_(
                    "This is more than is owed: %(maximum)s at most (the interest due and all "
                    "the principal)."
                ),
                field=name,
                maximum=Amount(position.most_payable, currency),
            )
        ]
    return []


def _check_welfare(meeting: Meeting, sheet: MeetingSheet, members: dict) -> list[DomainError]:
    """Grants come out of the social fund after this meeting's contributions and the other
    income it receives at this meeting (a donation), in sheet order; its expenses are checked
    with every box at the end of the meeting."""
    lines = [
        line
        for line in sheet.lines
        if line.member_id in members
        and isinstance(line.social_fund, int)
        and isinstance(line.welfare, int)
        and line.social_fund >= 0
        and line.welfare >= 0
    ]
    income = sum(
        x.amount
        for x in sheet.group_money
        if x.kind == INCOME and x.fund == Fund.SOCIAL_FUND.value and isinstance(x.amount, int)
    )
    available = (
        balances_before(meeting)[Fund.SOCIAL_FUND]
        + sum(x.social_fund for x in lines)
        + max(income, 0)
    )
    errors = []
    for line in lines:
        if not line.welfare:
            continue
        if line.welfare > available:
            errors.append(
                DomainError(
                    N_(
                        "The social fund does not hold enough for this grant, after this "
                        "meeting's contributions and the grants above it."
                    ),
                    field=cell(line.member_id, "welfare"),
                )
            )
        else:
            available -= line.welfare
    return errors


def _money_line_errors(line: GroupMoneyLine, index: int) -> list[DomainError]:
    """What is wrong with an expense or income line by itself (its member checked apart)."""
    errors = []
    if line.kind not in (EXPENSE, INCOME):
        errors.append(
            DomainError(N_("Choose an expense or an income."), field=group_cell(index, "kind"))
        )
    if line.fund not in {fund.value for fund in GROUP_FUNDS}:
        errors.append(
            DomainError(
                N_("Choose the loan fund, the social fund or the account."),
                field=group_cell(index, "fund"),
            )
        )
    if line.channel not in {channel.value for channel in Channel}:
        errors.append(
            DomainError(
                N_("Choose cash, mobile money or bank."), field=group_cell(index, "channel")
            )
        )
    errors.extend(_positive_amount(line.amount, group_cell(index, "amount")))
    purpose = group_cell(index, "purpose")
    if not isinstance(line.purpose, str) or not line.purpose.strip():
        errors.append(DomainError(N_("Say what it was for."), field=purpose))
    elif len(line.purpose) > TEXT_MAX:
        errors.append(
            DomainError(N_("At most %(count)d characters."), field=purpose, count=TEXT_MAX)
        )
    return errors


def _transfer_errors(line: TransferLine, index: int) -> list[DomainError]:
    errors = []
    if line.direction not in (DEPOSIT, WITHDRAWAL):
        errors.append(
            DomainError(
                N_("Choose to the account or from the account."),
                field=transfer_cell(index, "direction"),
            )
        )
    if line.channel not in {channel.value for channel in ACCOUNT_CHANNELS}:
        errors.append(
            DomainError(N_("Choose bank or mobile money."), field=transfer_cell(index, "channel"))
        )
    errors.extend(_positive_amount(line.amount, transfer_cell(index, "amount")))
    if not isinstance(line.note, str) or len(line.note) > TEXT_MAX:
        errors.append(
            DomainError(
                N_("At most %(count)d characters."),
                field=transfer_cell(index, "note"),
                count=TEXT_MAX,
            )
        )
    return errors


def _positive_amount(value, name: str) -> list[DomainError]:
    error = amount_error(value, name)
    if error:
        return [error]
    if not value:
        return [DomainError(N_("Enter an amount above zero."), field=name)]
    return []


# Not enough in a fund for the expenses and transfers that take from it, per fund.
NOT_ENOUGH = {
    Fund.LOAN_FUND: N_(
        "The loan fund’s box does not hold enough for this: after the meeting it would hold "
        "%(amount)s."
    ),
    Fund.SOCIAL_FUND: N_(
        "The social fund does not hold enough for this: after the meeting it would hold %(amount)s."
    ),
    Fund.BANK: N_(
        "The account does not hold enough for this: after the meeting it would hold %(amount)s."
    ),
}


def _check_group_money(meeting: Meeting, sheet: MeetingSheet, members: dict) -> list[DomainError]:
    """Each expense, income and transfer line is whole and approved by a member of the meeting
    (or the meeting); together they leave no box nor the account below zero after everything
    else the meeting brings (its lines, its loans and repayments)."""
    errors = []
    for index, line in enumerate(sheet.group_money):
        errors.extend(_money_line_errors(line, index))
        chosen = members.get(line.approved_by) if line.approved_by is not None else None
        if line.approved_by is not None and (
            chosen is None or not is_current(chosen, meeting.held_on)
        ):
            errors.append(
                DomainError(
                    N_("Choose a member of the group at this meeting, or the meeting itself."),
                    field=group_cell(index, "approved_by"),
                )
            )
    for index, line in enumerate(sheet.transfers):
        errors.extend(_transfer_errors(line, index))
    if errors or not (sheet.group_money or sheet.transfers):
        return errors
    start = preview(meeting, MeetingSheet(sheet.lines))  # everything but these lines
    after = dict(start)
    last_taker: dict[Fund, str] = {}
    for posting, name in zip(money_postings(sheet), _posting_fields(sheet), strict=True):
        after[posting.fund] += posting.amount
        if posting.amount < 0:
            last_taker[posting.fund] = name
    for fund, name in last_taker.items():
        if after[fund] < 0 and after[fund] < start[fund]:
            errors.append(
                DomainError(
                    NOT_ENOUGH[fund],
                    field=name,
                    amount=Amount(after[fund], meeting.group.currency),
                )
            )
    return errors


def _posting_fields(sheet: MeetingSheet) -> list[str]:
    """The amount field of each of money_postings(sheet), in the same order (all lines valid)."""
    fields = [group_cell(i, "amount") for i in range(len(sheet.group_money))]
    for index in range(len(sheet.transfers)):
        fields += [transfer_cell(index, "amount")] * 2
    return fields


def clean_text(text: str) -> str:
    """Free text as it can be stored anywhere: no control characters (PostgreSQL refuses NUL)
    but line breaks and tabs, and no spaces around."""
    text = (text or "").replace("\r\n", "\n")
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc").strip()


def previous_shares(meeting: Meeting) -> dict[int, int]:
    """Each member's shares bought at the group's last closed meeting before this one (its
    ledger entries, one query each for the meeting and the sums): {member id: shares}."""
    previous = (
        Meeting.select(Meeting.id)
        .where(
            (Meeting.group == meeting.group_id)
            & (Meeting.status == MeetingStatus.CLOSED.value)
            & (Meeting.id != meeting.id)
            & (Meeting.held_on <= meeting.held_on)
        )
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
        .first()
    )
    if previous is None:
        return {}
    rows = (
        Entry.select(Entry.member, fn.SUM(Entry.shares).alias("total"))
        .where(
            (Entry.meeting == previous.id)
            & (Entry.kind == EntryKind.SHARE_PURCHASE.value)
            & Entry.member.is_null(False)
        )
        .group_by(Entry.member)
        .tuples()
    )
    return {int(member): int(total) for member, total in rows if total}


def today_meeting(group: SavingsGroup) -> Meeting | None:
    """The group's open (draft) meeting, the latest if several: the one to record today."""
    return (
        Meeting.select()
        .where((Meeting.group == group) & (Meeting.status == MeetingStatus.DRAFT.value))
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
        .first()
    )
