"""A member's passbook: what they paid and received, meeting by meeting, read from the ledger."""

from dataclasses import dataclass, field, replace
from datetime import date

from peewee import JOIN, fn

from savings_groups.core.vocabulary import (
    AttendanceStatus,
    ContributionStatus,
    EntryKind,
)
from savings_groups.ledger import entries as ledger
from savings_groups.loans import reports as loan_reports
from savings_groups.rosca.compute import contribution_parts
from savings_groups.rosca.rotations import due_date
from savings_groups.store.models import (
    Attendance,
    Contribution,
    Cycle,
    CycleShareOut,
    DebtRepayment,
    Entry,
    Hand,
    HandHolder,
    Meeting,
    Member,
    MemberExit,
    Rotation,
    RotationEntry,
    Round,
    RoundEntry,
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
    for meeting_id, entry_kind, fund, total, share_count in entries.tuples():
        amount, shares = int(total or 0), int(share_count or 0)
        if meeting_id in per_meeting:
            into = per_meeting[meeting_id]
        elif meeting_id is None and entry_kind in OUTSIDE_MEETINGS:
            kind = OUTSIDE_MEETINGS[entry_kind]
            if kind == "reinvested" and (cycle is None or cycle.follows_id is None):
                kind = "other"  # shares bought outside a meeting, not from a share-out
            into = outside[kind]
        else:  # no meeting, or a meeting outside the cycle: still the member's money
            into = outside["other"]
        ledger.add_to_totals(into, entry_kind, fund, amount, shares)

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


# --- a tontine member's passbook ----------------------------------------------------------------


@dataclass(frozen=True)
class TontineHand:
    """One of the member's hands in a rotation: its number, its turn (position in a fixed
    order), the member's part each round, and the round it took the pot in (once served)."""

    number: int
    position: int | None
    half: bool
    part: int
    served_in: int | None
    served_on: date | None


@dataclass(frozen=True)
class TontineLine:
    """A round as the member lived it: what they owed (their parts), paid in (their own
    contributions, and for other members), were fined and received, and the balance after."""

    number: int
    due_on: date
    due: int
    paid: int
    statuses: tuple[ContributionStatus, ...]  # of the member's own parts, recorded so far
    paid_by_others: int  # of the member's parts, paid by other members for them
    paid_for: tuple[str, ...]  # the members this one paid for
    fines: int
    received: int
    balance: int  # paid in - received, so far
    takes_pot: bool  # one of the member's hands takes this round's pot (or took it)
    paid_out: bool
    paid_on: date | None = None  # the day the member's last part came in (a part paid later)


@dataclass(frozen=True)
class TontineBook:
    rotation: Rotation
    hands: list[TontineHand]
    lines: list[TontineLine]
    end_share: int  # the member's share of what stayed in the pot at the end
    # Repayments between members (a contribution one paid for the other): what this member
    # paid back to others (+), and what others paid back to them (+).
    repaid_to_others: int = 0
    repaid_by_others: int = 0

    @property
    def paid(self) -> int:
        """The rounds' contributions, plus what the member repaid to others less what was repaid
        to them: the rotation page's "paid in"."""
        return sum(line.paid for line in self.lines) + self.repaid_to_others - self.repaid_by_others

    @property
    def received(self) -> int:
        return sum(line.received for line in self.lines)

    @property
    def fines(self) -> int:
        return sum(line.fines for line in self.lines)

    @property
    def balance(self) -> int:
        """> 0: the others owe the member; < 0: the member owes the others."""
        return self.paid - self.received

    @property
    def stake(self) -> int:
        """In half hands."""
        return sum(1 if hand.half else 2 for hand in self.hands)


def tontine_passbook(group: SavingsGroup, member: Member) -> list[TontineBook]:
    """A tontine member's passbook: every rotation they hold a hand in, the latest first, each
    with their hands and turns, and round by round their parts, what they paid in (for
    themselves and for others), fines, what they received (the pot, shares of winning bids) and
    their balance; and their share of what stayed in the pot at the end.

    Eight queries whatever the number of rotations and rounds.
    """
    held = list(
        HandHolder.select(HandHolder, Hand, Rotation)
        .join(Hand)
        .join(Rotation)
        .where((HandHolder.member == member) & (Rotation.group == group))
        .order_by(Rotation.number.desc(), Hand.number)
    )
    if not held:
        return []
    rotation_ids = list(dict.fromkeys(row.hand.rotation_id for row in held))
    hand_ids = [row.hand_id for row in held]
    co_holders: dict[int, list[int]] = {}
    for hand_id, member_id in (
        HandHolder.select(HandHolder.hand, HandHolder.member)
        .join(Member)
        .where(HandHolder.hand.in_(hand_ids))
        .order_by(HandHolder.hand, Member.number)
        .tuples()
    ):
        co_holders.setdefault(hand_id, []).append(member_id)
    counts = dict(
        Hand.select(Hand.rotation, fn.COUNT(Hand.id))
        .where(Hand.rotation.in_(rotation_ids))
        .group_by(Hand.rotation)
        .tuples()
    )
    rounds: dict[tuple[int, int], Round] = {
        (r.rotation_id, r.number): r for r in Round.select().where(Round.rotation.in_(rotation_ids))
    }
    sums: dict[tuple[int, int, str], int] = {}
    for rotation_id, number, kind, total in (
        Entry.select(Round.rotation, Round.number, Entry.kind, fn.SUM(Entry.amount))
        .join(
            RoundEntry,
            on=((RoundEntry.entry == Entry.id) | (RoundEntry.entry == Entry.reverses)),
        )
        .join(Round)
        .where((Entry.member == member) & Round.rotation.in_(rotation_ids))
        .group_by(Round.rotation, Round.number, Entry.kind)
        .tuples()
    ):
        sums[rotation_id, number, kind] = int(total or 0)
    end_shares = dict(
        Entry.select(RotationEntry.rotation, fn.SUM(Entry.amount))
        .join(
            RotationEntry,
            on=((RotationEntry.entry == Entry.id) | (RotationEntry.entry == Entry.reverses)),
        )
        .where(
            (Entry.member == member)
            & RotationEntry.rotation.in_(rotation_ids)
            & (Entry.kind == EntryKind.ROTATION_SHARE.value)
        )
        .group_by(RotationEntry.rotation)
        .tuples()
    )
    repaid: dict[tuple[int, bool], int] = {}
    for rotation_id, debtor_id, total in (
        Entry.select(DebtRepayment.rotation, DebtRepayment.debtor, fn.SUM(Entry.amount))
        .join(
            DebtRepayment,
            on=(
                (DebtRepayment.debtor_entry == Entry.id)
                | (DebtRepayment.creditor_entry == Entry.id)
                | (DebtRepayment.debtor_entry == Entry.reverses)
                | (DebtRepayment.creditor_entry == Entry.reverses)
            ),
        )
        .where((Entry.member == member) & DebtRepayment.rotation.in_(rotation_ids))
        .group_by(DebtRepayment.rotation, DebtRepayment.debtor)
        .tuples()
    ):
        key = (rotation_id, debtor_id == member.id)  # the member repaid others, or was repaid
        repaid[key] = repaid.get(key, 0) + int(total or 0)
    own, paid_for = _tontine_contributions(member, rotation_ids)

    books = []
    for rotation_id in rotation_ids:
        rows = [row for row in held if row.hand.rotation_id == rotation_id]
        rotation = rows[0].hand.rotation
        by_recipient = {r.recipient_id: r for (rid, _n), r in rounds.items() if rid == rotation_id}
        hands = []
        for row in rows:
            holders = co_holders[row.hand_id]
            parts = contribution_parts(rotation.contribution, len(holders))
            served = by_recipient.get(row.hand_id)
            hands.append(
                TontineHand(
                    number=row.hand.number,
                    position=row.hand.position,
                    half=row.half,
                    part=parts[holders.index(member.id)],
                    served_in=served.number if served else None,
                    served_on=served.paid_out_on if served else None,
                )
            )
        due_each = sum(hand.part for hand in hands)
        fixed_turns = {hand.position for hand in hands if hand.position is not None}
        served_rounds = {hand.served_in for hand in hands if hand.served_in}
        lines = []
        balance = 0
        for number in range(1, counts.get(rotation_id, 0) + 1):
            found = rounds.get((rotation_id, number))
            paid = sums.get((rotation_id, number, EntryKind.CONTRIBUTION.value), 0)
            received = -sums.get((rotation_id, number, EntryKind.POT_PAYOUT.value), 0) - sums.get(
                (rotation_id, number, EntryKind.BID_DISCOUNT.value), 0
            )
            balance += paid - received
            mine = own.get((rotation_id, number), [])
            paid_out = found is not None and found.paid_out_on is not None
            lines.append(
                TontineLine(
                    number=number,
                    due_on=found.due_on if found else due_date(rotation, number),
                    due=due_each,
                    paid=paid,
                    statuses=tuple(ContributionStatus(c.status) for c in mine),
                    paid_by_others=sum(
                        c.amount for c in mine if c.status == ContributionStatus.COVERED.value
                    ),
                    paid_for=tuple(paid_for.get((rotation_id, number), ())),
                    fines=sums.get((rotation_id, number, EntryKind.LATE_FINE.value), 0),
                    received=received,
                    balance=balance,
                    takes_pot=number in served_rounds | fixed_turns,
                    paid_out=paid_out,
                    paid_on=max((c.entry.effective_on for c in mine if c.entry_id), default=None),
                )
            )
        books.append(
            TontineBook(
                rotation,
                hands,
                lines,
                -end_shares.get(rotation_id, 0),
                repaid_to_others=repaid.get((rotation_id, True), 0),
                repaid_by_others=-repaid.get((rotation_id, False), 0),
            )
        )
    return books


def _tontine_contributions(member: Member, rotation_ids: list[int]):
    """The member's own current contribution rows by (rotation id, round number), and the
    names of the members they paid for (one query); each row's entry comes with its date (for
    a part paid later, the day the rest came in)."""
    newer = Contribution.alias()
    query = (
        Contribution.select(Contribution, Round, Member, Entry.id, Entry.effective_on)
        .join(Round)
        .switch(Contribution)
        .join(Entry, JOIN.LEFT_OUTER, on=(Contribution.entry == Entry.id))
        .switch(Contribution)
        .join(Member, on=(Contribution.member == Member.id))
        .switch(Contribution)
        .join(newer, JOIN.LEFT_OUTER, on=(newer.replaces == Contribution.id))
        .where(
            Round.rotation.in_(rotation_ids)
            & newer.id.is_null()
            & ((Contribution.member == member) | (Contribution.paid_by == member))
        )
        .order_by(Round.number, Member.number)
    )
    own: dict[tuple[int, int], list[Contribution]] = {}
    paid_for: dict[tuple[int, int], list[str]] = {}
    for row in query:
        key = (row.round.rotation_id, row.round.number)
        if row.member_id == member.id:
            own.setdefault(key, []).append(row)
        else:
            paid_for.setdefault(key, []).append(row.member.full_name)
    return own, paid_for
