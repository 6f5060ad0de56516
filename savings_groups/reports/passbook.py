"""A member's passbook: what they paid and received, meeting by meeting, read from the ledger."""

from dataclasses import dataclass, field, replace

from peewee import JOIN, fn

from savings_groups.core.vocabulary import (
    AttendanceStatus,
    EntryKind,
)
from savings_groups.ledger import entries as ledger
from savings_groups.loans import reports as loan_reports
from savings_groups.store.models import (
    Attendance,
    Cycle,
    CycleShareOut,
    Entry,
    Meeting,
    Member,
    MemberExit,
    SavingsGroup,
    ShareOutLine,
)

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
