"""What members and facilitators read from the ledger: passbooks, history, the group's figures."""

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from peewee import JOIN, fn

from savings_groups.core.errors import N_, DomainError
from savings_groups.core.vocabulary import (
    AttendanceStatus,
    EntryKind,
    Fund,
    Gender,
    MeetingStatus,
    MemberType,
)
from savings_groups.cycles.operations import current_cycle
from savings_groups.ledger import entries as ledger
from savings_groups.loans import reports as loan_reports
from savings_groups.store.models import (
    Attendance,
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

HISTORY_PAGE_SIZE = 50
# Attendance that counts as being at the meeting, for the attendance rate.
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.REPRESENTED)
# Kinds whose corrected amount may take either sign as typed; others keep the original's direction.
SIGNED_KINDS = (EntryKind.CASH_DIFFERENCE,)


def cycle_of(group: SavingsGroup, cycle_id: int | None) -> Cycle | None:
    """The cycle asked for (None if it is not the group's), else the open one, else the latest."""
    if cycle_id is not None:
        return Cycle.get_or_none((Cycle.id == cycle_id) & (Cycle.group == group))
    return (
        current_cycle(group)
        or Cycle.select().where(Cycle.group == group).order_by(Cycle.number.desc()).first()
    )


# --- the passbook -----------------------------------------------------------------------------

TOTAL_FIELDS = tuple(ledger.MemberTotals.__dataclass_fields__)


# Lines of a passbook outside any meeting, by the kind of their entries, in the order shown:
# the opening from paper books or the shares reinvested from the last share-out first, then the
# meetings, then anything else outside a meeting, then a settlement on leaving or the share-out.
OUTSIDE_MEETINGS = {
    EntryKind.OPENING_BALANCE: "opening",
    EntryKind.SHARE_PURCHASE: "reinvested",  # in a cycle that follows another (next_cycle)
    EntryKind.EXIT_SETTLEMENT: "exit",
    EntryKind.SHARE_OUT: "share_out",
    EntryKind.SOCIAL_FUND_SHARE_OUT: "share_out",
}
BEFORE_MEETINGS = ("opening", "reinvested")
AFTER_MEETINGS = ("other", "exit", "share_out")


@dataclass(frozen=True)
class PassbookLine:
    """One line of a passbook: a meeting, or entries outside any meeting (see OUTSIDE_MEETINGS).
    `moved` is what this line adds, `totals` the running totals after it."""

    # "opening", "reinvested", "meeting", "exit", "share_out", "other", or "share_out_loans" /
    # "exit_loans": the part of the member's share kept back to clear their loans
    kind: str
    moved: ledger.MemberTotals
    totals: ledger.MemberTotals
    meeting: Meeting | None = None
    attendance: AttendanceStatus | None = None
    deducted: int = 0  # on a "…_loans" line: kept back for the loans, never paid to the member


@dataclass(frozen=True)
class Passbook:
    member: Member
    cycle: Cycle | None
    lines: list[PassbookLine] = field(default_factory=list)
    totals: ledger.MemberTotals = ledger.MemberTotals()
    loans: list[loan_reports.LoanSummary] = field(default_factory=list)  # every cycle's
    share_out: ShareOutLine | None = None  # the member's line of the cycle's share-out
    exit: MemberExit | None = None  # the member's settlement on leaving during the cycle

    @property
    def deducted(self) -> int:
        """Kept back from the member's share at the share-out or on leaving to clear loans."""
        return sum(line.deducted for line in self.lines)

    @property
    def ledger_totals(self) -> ledger.MemberTotals:
        """The totals as ledger.member_totals counts them: there `paid_out` is the gross share
        the ledger's entries took out, what was deducted for loans included."""
        return replace(self.totals, paid_out=self.totals.paid_out + self.deducted)


def passbook(group: SavingsGroup, member: Member, cycle: Cycle | None) -> Passbook:
    """A member's passbook for a cycle (or all time): every meeting of the cycle in date order
    with the member's attendance and what they put in or received, with running totals; what
    the member took home at the share-out (from the loan fund and their social fund share) or
    on leaving is in `paid_out`, with its details in `share_out` / `exit`.
    When loans were deducted at the share-out or on leaving, the ledger's entry is the gross
    share: its line shows what the member was paid, and a "…_loans" line of its own what was
    kept back for the loans, in `deducted` and never in `paid_out`: that money cleared the
    member's loans, it was not handed over.

    Five queries whatever the number of meetings: the meetings with the member's attendance,
    the member's entries summed per meeting, kind and fund, the member's loans (in every
    cycle) with what was paid on them, and for a cycle the member's share-out line and exit.
    Where an entry counts is decided by ledger.add_to_totals, so the totals equal
    ledger.member_totals for the member except `paid_out`, which there is the gross share
    (deductions included): `ledger_totals` gives the totals as the ledger counts them.
    """
    meetings = (
        Meeting.select(Meeting, Attendance.status.alias("attendance_status"))
        .join(
            Attendance,
            JOIN.LEFT_OUTER,
            on=(Attendance.meeting == Meeting.id) & (Attendance.member == member),
        )
        .where(Meeting.group == group)
        .order_by(Meeting.held_on, Meeting.id)
    )
    entries = (
        Entry.select(
            Entry.meeting,
            Entry.kind,
            Entry.fund,
            fn.SUM(Entry.amount).alias("total"),
            fn.SUM(Entry.shares).alias("share_count"),
        )
        .where((Entry.group == group) & (Entry.member == member))
        .group_by(Entry.meeting, Entry.kind, Entry.fund)
    )
    if cycle is not None:
        meetings = meetings.where(Meeting.cycle == cycle)
        entries = entries.where(Entry.cycle == cycle)
    else:
        meetings = meetings.where(False)  # no cycle yet: no meetings either
    meetings = list(meetings.objects())
    status = {m.id: AttendanceStatus(m.attendance_status) for m in meetings if m.attendance_status}

    blank = dict.fromkeys(TOTAL_FIELDS, 0)
    outside = {kind: dict(blank) for kind in BEFORE_MEETINGS + AFTER_MEETINGS}
    per_meeting: dict[int, dict[str, int]] = {m.id: dict(blank) for m in meetings}
    for row in entries:
        amount, shares = int(row.total or 0), int(row.share_count or 0)
        if row.meeting_id in per_meeting:
            into = per_meeting[row.meeting_id]
        elif row.meeting_id is None and row.kind in OUTSIDE_MEETINGS:
            kind = OUTSIDE_MEETINGS[row.kind]
            if kind == "reinvested" and (cycle is None or cycle.follows_id is None):
                kind = "other"  # shares bought outside a meeting, not from a share-out
            into = outside[kind]
        else:  # no meeting, or a meeting outside the cycle: still the member's money
            into = outside["other"]
        ledger.add_to_totals(into, row.kind, row.fund, amount, shares)

    share_out = settled = None
    if cycle is not None:
        share_out = (
            ShareOutLine.select(ShareOutLine, CycleShareOut)
            .join(CycleShareOut)
            .where((ShareOutLine.member == member) & (CycleShareOut.cycle == cycle))
            .first()
        )
        settled = MemberExit.get_or_none(
            (MemberExit.member == member) & (MemberExit.cycle == cycle)
        )
    deducted = {
        "share_out": share_out.deducted if share_out else 0,
        "exit": settled.deducted if settled else 0,
    }

    lines: list[PassbookLine] = []
    running = ledger.MemberTotals()

    def add(kind, moved, **extra):
        nonlocal running
        moved = ledger.MemberTotals(**moved)
        running = ledger.MemberTotals(
            **{name: getattr(running, name) + getattr(moved, name) for name in TOTAL_FIELDS}
        )
        lines.append(PassbookLine(kind, moved, running, **extra))

    for kind in BEFORE_MEETINGS:
        if outside[kind] != blank:
            add(kind, outside[kind])
    for meeting in meetings:
        add("meeting", per_meeting[meeting.id], meeting=meeting, attendance=status.get(meeting.id))
    for kind in AFTER_MEETINGS:
        if outside[kind] == blank:
            continue
        kept = deducted.get(kind, 0)
        add(kind, {**outside[kind], "paid_out": outside[kind]["paid_out"] - kept})
        if kept:
            add(f"{kind}_loans", blank, deducted=kept)
    return Passbook(
        member, cycle, lines, running, loan_reports.member_loans(member), share_out, settled
    )


# --- the history and corrections --------------------------------------------------------------


@dataclass(frozen=True)
class HistoryPage:
    entries: list[Entry]
    reversed_by: dict[int, int]  # entry id -> id of the entry that reverses it
    page: int
    has_next: bool


def history_page(
    group: SavingsGroup,
    cycle: Cycle | None = None,
    member: Member | None = None,
    page: int = 1,
    per_page: int = HISTORY_PAGE_SIZE,
) -> HistoryPage:
    """One page of the group's entries, newest first, with meeting, member and recorder (two
    queries): the second says which entries of the page have been reversed."""
    page = max(page, 1)
    query = (
        ledger.history(group, cycle=cycle, member=member)
        .select_extend(Member, Meeting, Loan)
        .switch(Entry)
        .join(Member, JOIN.LEFT_OUTER, on=Entry.member)
        .switch(Entry)
        .join(Meeting, JOIN.LEFT_OUTER, on=Entry.meeting)
        .switch(Entry)
        .join(Loan, JOIN.LEFT_OUTER, on=Entry.loan)  # a write-off shows the principal written off
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    )
    entries = list(query)
    has_next = len(entries) > per_page
    entries = entries[:per_page]
    reversed_by = {}
    if entries:
        rows = Entry.select(Entry.id, Entry.reverses).where(
            Entry.reverses.in_([entry.id for entry in entries])
        )
        reversed_by = {row.reverses_id: row.id for row in rows}
    return HistoryPage(entries, reversed_by, page, has_next)


def entry_of(group: SavingsGroup, entry_id: int) -> Entry | None:
    """An entry of this group (None for another group's), with who recorded it."""
    return (
        Entry.select(Entry, User)
        .join(User, on=Entry.recorded_by)
        .where((Entry.id == entry_id) & (Entry.group == group))
        .first()
    )


def reversal_of(entry: Entry) -> Entry | None:
    """The entry that reverses this one, if any."""
    return Entry.get_or_none(Entry.reverses == entry)


def takes_shares(entry: Entry) -> bool:
    """A share purchase, or a member's opening savings: its correction says how many shares."""
    return entry.kind in ledger.SAVINGS_KINDS and entry.fund == Fund.LOAN_FUND


# Some entries carry a state kept elsewhere (a loan's repayments, a round's contributions, a
# signed share-out or settlement, a closed cycle's books): a reversal here would leave that
# state out of step with its money, so they are not corrected on this screen.
LOAN_ENTRY = N_(
    "This entry belongs to a loan: it cannot be corrected here, or the loan would no longer "
    "match its money. Ask a facilitator to write off or reschedule the loan instead."
)
ROUND_ENTRY = N_(
    "This entry belongs to a round of a rotation: correct it on the round's page, where "
    "recording a contribution again reverses the old one with a reason."
)
SETTLEMENT_ENTRY = N_(
    "This entry belongs to a share-out, a member's settlement or a carry-over to the next "
    "cycle: it is final and cannot be corrected."
)
CLOSED_CYCLE = N_(
    "This entry belongs to a cycle that is shared out and closed: its books are final and "
    "cannot be corrected."
)
SETTLEMENT_KINDS = frozenset(
    {
        EntryKind.SHARE_OUT,
        EntryKind.SOCIAL_FUND_SHARE_OUT,
        EntryKind.EXIT_SETTLEMENT,
        EntryKind.CARRY_OVER,
    }
)


def why_not_correctable(entry: Entry, closed_cycles: set[int] | None = None) -> str | None:
    """Why this entry may not be corrected on the correction screen (a msgid), or None.

    `closed_cycles`, the ids of the group's closed cycles, spares a query per entry in a list.
    """
    if entry.loan_id is not None:
        return LOAN_ENTRY
    if entry.fund == Fund.POT:
        return ROUND_ENTRY
    if entry.kind in SETTLEMENT_KINDS:
        return SETTLEMENT_ENTRY
    if entry.cycle_id is not None:
        if closed_cycles is None:
            closed = entry.cycle.closed_at is not None
        else:
            closed = entry.cycle_id in closed_cycles
        if closed:
            return CLOSED_CYCLE
    return None


def correct_entry(
    actor: User,
    entry: Entry,
    reason: str,
    amount: int | None = None,
    shares: int | None = None,
) -> tuple[Entry, Entry | None]:
    """Reverse an entry and, when the right amount or number of shares is given, post it instead.

    `amount` is what the treasurer reads (a welfare grant of 5,000 is typed 5000): it takes the
    direction of the original entry, except a cash difference, whose sign is as typed. A share
    purchase is corrected by its number of shares: the amount is shares x the cycle's share value.
    A member's opening savings may be corrected in amount, in shares or both. Nothing given, or
    zero: the entry is only reversed. Returns (reversal, corrected entry or None).
    """
    refusal = why_not_correctable(entry)
    if refusal is not None:
        raise DomainError(refusal)
    if shares is not None:
        if not takes_shares(entry):
            raise DomainError(N_("This entry carries no shares."), field="shares")
        if shares < 0:
            raise DomainError(N_("The number of shares cannot be negative."), field="shares")
    if amount is not None and amount < 0 and entry.kind not in SIGNED_KINDS:
        raise DomainError(N_("The amount cannot be negative."), field="amount")
    if entry.kind == EntryKind.SHARE_PURCHASE:
        if amount is not None:
            raise DomainError(
                N_("Give the number of shares: the amount follows from the share value."),
                field="amount",
            )
        if shares is not None and entry.cycle_id is None:
            raise DomainError(N_("This entry has no cycle, so no share value."), field="shares")
        if shares is not None:
            amount = shares * entry.cycle.share_value
    elif amount is not None and entry.kind not in SIGNED_KINDS and entry.amount < 0:
        amount = -amount
    if takes_shares(entry) and entry.kind != EntryKind.SHARE_PURCHASE:
        if amount is None and shares is not None:
            amount = entry.amount
        elif amount is not None and shares is None:
            shares = entry.shares
    if not amount and not shares:
        return ledger.reverse(actor, entry, reason), None
    return ledger.correct(actor, entry, amount or 0, shares or 0, reason)


# --- the group page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupSummary:
    """The figures of the group page, for the open cycle (or all time when none is open)."""

    cycle: Cycle | None
    balances: dict[Fund, int]
    members_by_type: dict[MemberType, int]  # every type, in the enum's order
    members_by_gender: dict[Gender, int]
    members: int
    meetings_held: int
    attendance_rate: Fraction | None
    savings: int
    # (date, cumulative savings): the opening savings, then after each closed meeting.
    savings_series: list[tuple[date, int]]

    @property
    def attendance_percent(self) -> Decimal | None:
        """The attendance rate in percent, to one decimal, rounded half up."""
        if self.attendance_rate is None:
            return None
        rate = self.attendance_rate
        percent = Decimal(rate.numerator * 100) / Decimal(rate.denominator)
        return percent.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _choice(enum, value):
    """A stored value as its enum member; an unknown one counts as OTHER rather than vanish."""
    try:
        return enum(value)
    except ValueError:
        return enum.OTHER


def group_summary(group: SavingsGroup) -> GroupSummary:
    """The group page's figures in a fixed number of queries (six), whatever the data size.

    - balances: ledger.balances for the open cycle, else for all time;
    - members: current members (not left), counted by member type and by gender;
    - meetings held: closed meetings of the cycle;
    - attendance rate: attendance rows of closed meetings of the cycle marked present, late or
      represented, over all attendance rows of those meetings (None when there is none);
    - savings: share purchases and opening savings of members (ledger.SAVINGS_KINDS in the loan
      fund), i.e. the sum of the members' savings in ledger.member_totals;
    - savings series: the savings posted outside any meeting (paper books) as the starting point,
      then the running total after each closed meeting in date order.
    """
    cycle = current_cycle(group)
    balances = ledger.balances(group, cycle)

    members = (
        Member.select(Member.member_type, Member.gender, fn.COUNT(Member.id).alias("count"))
        .where((Member.group == group) & Member.left_on.is_null())
        .group_by(Member.member_type, Member.gender)
    )
    by_type = dict.fromkeys(MemberType, 0)
    by_gender = dict.fromkeys(Gender, 0)
    for row in members:
        by_type[_choice(MemberType, row.member_type)] += row.count
        by_gender[_choice(Gender, row.gender)] += row.count

    closed = Meeting.select(Meeting.id, Meeting.held_on).where(
        (Meeting.group == group) & (Meeting.status == MeetingStatus.CLOSED)
    )
    if cycle is not None:
        closed = closed.where(Meeting.cycle == cycle)
    closed_meetings = list(closed.order_by(Meeting.held_on, Meeting.id))

    counts = (
        Attendance.select(Attendance.status, fn.COUNT(Attendance.id).alias("count"))
        .join(Meeting)
        .where((Meeting.group == group) & (Meeting.status == MeetingStatus.CLOSED))
        .group_by(Attendance.status)
    )
    if cycle is not None:
        counts = counts.where(Meeting.cycle == cycle)
    by_status = {row.status: row.count for row in counts}
    rows = sum(by_status.values())
    attended = sum(by_status.get(status.value, 0) for status in ATTENDED)
    rate = Fraction(attended, rows) if rows else None

    saved = (
        Entry.select(Entry.meeting, fn.SUM(Entry.amount).alias("total"))
        .where(
            (Entry.group == group)
            & Entry.member.is_null(False)
            & Entry.kind.in_([kind.value for kind in ledger.SAVINGS_KINDS])
            & (Entry.fund == Fund.LOAN_FUND.value)
        )
        .group_by(Entry.meeting)
    )
    if cycle is not None:
        saved = saved.where(Entry.cycle == cycle)
    per_meeting = {row.meeting_id: int(row.total or 0) for row in saved}
    savings = sum(per_meeting.values())

    running = per_meeting.get(None, 0)
    start = cycle.start_date if cycle is not None else None
    series = []
    if closed_meetings:
        series.append((start or closed_meetings[0].held_on, running))
    for meeting in closed_meetings:
        running += per_meeting.get(meeting.id, 0)
        series.append((meeting.held_on, running))
    if series and series[0][0] == series[1][0]:
        series = series[1:]  # opened on the day of the first meeting: one point is enough
    return GroupSummary(
        cycle=cycle,
        balances=balances,
        members_by_type=by_type,
        members_by_gender=by_gender,
        members=sum(by_type.values()),
        meetings_held=len(closed_meetings),
        attendance_rate=rate,
        savings=savings,
        savings_series=series,
    )
