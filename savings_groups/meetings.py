"""Meetings of an accumulating group: open, save a draft, preview, close (post), reopen."""

import json
import unicodedata
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date

from peewee import JOIN, Case, IntegrityError, fn

from . import audit, ledger
from .access import Action, require
from .clock import utcnow
from .cycles import current_cycle
from .db import db
from .errors import N_, DomainError
from .members import is_current
from .models import (
    Attendance,
    AttendanceStatus,
    CashCount,
    Cycle,
    Entry,
    EntryKind,
    FineType,
    Fund,
    GroupKind,
    Meeting,
    MeetingStatus,
    Member,
    SavingsGroup,
    User,
)
from .money import MAX_AMOUNT

# The boxes of an accumulating group, counted at every meeting.
BOXES = (Fund.LOAN_FUND, Fund.SOCIAL_FUND)
# Members who are not there buy no shares; someone may pay for a represented member.
AWAY = (AttendanceStatus.ABSENT.value, AttendanceStatus.EXCUSED.value)


class Conflict(DomainError):
    """The meeting was saved by someone else (another tab) since this sheet was loaded."""


class MeetingClosed(DomainError):
    """A closed meeting is read-only until a facilitator reopens it."""


class SheetInvalid(DomainError):
    """Some cells of the sheet break a rule; `errors` holds one DomainError per cell."""

    def __init__(self, errors: list[DomainError]):
        super().__init__(N_("Nothing was saved: correct the entries marked below."))
        self.errors = errors


CONFLICT = N_(
    "Someone else saved this meeting since you opened it. Nothing was saved: your entries are "
    "shown below; save again to keep them, or reload the page to see theirs."
)
CLOSED = N_("This meeting is closed: it can no longer be changed. A facilitator can reopen it.")


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

    def is_empty(self) -> bool:
        return not (self.shares or self.social_fund or self.fines or self.welfare)


@dataclass
class MeetingSheet:
    """The whole meeting as entered: one line per member, and the notes."""

    lines: list[MemberLine] = field(default_factory=list)
    notes: str = ""

    def to_dict(self) -> dict:
        return {"lines": [asdict(line) for line in self.lines], "notes": self.notes}

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
            )
            for line in data.get("lines", [])
        ]
        return cls(lines=lines, notes=str(data.get("notes", "")))

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

    @property
    def key(self) -> tuple:
        return (self.member_id, self.kind.value, self.fund.value)

    @property
    def value(self) -> tuple:
        return (self.amount, self.shares, self.note)


# Reading -------------------------------------------------------------------------------------


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


def fine_types(cycle: Cycle) -> list[FineType]:
    return list(FineType.select().where(FineType.cycle == cycle).order_by(FineType.id))


def balances_before(meeting: Meeting) -> dict[Fund, int]:
    """What each box held when the meeting began: the cycle's entries of earlier meetings and
    those of no meeting (opening balances), one SUM query."""
    query = (
        Entry.select(Entry.fund, fn.SUM(Entry.amount).alias("total"))
        .join(Meeting, JOIN.LEFT_OUTER, on=(Entry.meeting == Meeting.id))
        .where(
            (Entry.group == meeting.group_id)
            & (Entry.cycle == meeting.cycle_id)
            & (Entry.meeting.is_null() | (Meeting.held_on < meeting.held_on))
        )
        .group_by(Entry.fund)
    )
    totals = {Fund(row.fund): int(row.total or 0) for row in query}
    return {fund: totals.get(fund, 0) for fund in Fund}


def meeting_net(meeting: Meeting) -> dict[Fund, int]:
    """What the meeting's own entries added to each box (one SUM query)."""
    query = (
        Entry.select(Entry.fund, fn.SUM(Entry.amount).alias("total"))
        .where(Entry.meeting == meeting)
        .group_by(Entry.fund)
    )
    totals = {Fund(row.fund): int(row.total or 0) for row in query}
    return {fund: totals.get(fund, 0) for fund in Fund}


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
    return [*social, *shares, *fined, *grants]


def add_effect(balances: dict[Fund, int], entries) -> dict[Fund, int]:
    result = dict(balances)
    for posting in entries:
        result[posting.fund] = result.get(posting.fund, 0) + posting.amount
    return result


def preview(meeting: Meeting, sheet: MeetingSheet) -> dict[Fund, int]:
    """What each box will hold once this sheet is posted (before any cash difference)."""
    cycle = meeting.cycle
    fines = {fine.id: fine for fine in fine_types(cycle)}
    return add_effect(balances_before(meeting), postings(sheet, cycle, fines))


# Checking -----------------------------------------------------------------------------------


def _amount_error(value, name: str) -> DomainError | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return DomainError(N_("Enter an amount."), field=name)
    if value < 0:
        return DomainError(N_("The amount cannot be negative."), field=name)
    if value > MAX_AMOUNT:
        return DomainError(N_("This amount is too large."), field=name)
    return None


def check_sheet(meeting: Meeting, sheet: MeetingSheet, final: bool) -> list[DomainError]:
    """Every broken rule of the sheet, each next to its cell; `final` adds what closing needs."""
    cycle = meeting.cycle
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
                        date=member.joined_on.isoformat(),
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
                        date=member.left_on.isoformat(),
                    )
                )
            continue
        errors.extend(_check_line(line, cycle, fines, final))
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
        error = _amount_error(getattr(line, column), cell(line.member_id, column))
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


def _check_welfare(meeting: Meeting, sheet: MeetingSheet, members: dict) -> list[DomainError]:
    """Grants come out of the social fund after this meeting's contributions, in sheet order."""
    lines = [
        line
        for line in sheet.lines
        if line.member_id in members
        and isinstance(line.social_fund, int)
        and isinstance(line.welfare, int)
        and line.social_fund >= 0
        and line.welfare >= 0
    ]
    available = balances_before(meeting)[Fund.SOCIAL_FUND] + sum(x.social_fund for x in lines)
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


def clean_text(text: str) -> str:
    """Free text as it can be stored anywhere: no control characters (PostgreSQL refuses NUL)
    but line breaks and tabs, and no spaces around."""
    text = (text or "").replace("\r\n", "\n")
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc").strip()


def _raise_if(errors: list[DomainError]) -> None:
    if errors:
        raise SheetInvalid(errors)


def _bump_version(meeting: Meeting, version: int, expected: MeetingStatus, **values) -> None:
    """Raise the version of a meeting in the `expected` status only if nobody saved in between, else
    MeetingClosed or Conflict. The row stays locked until the transaction ends, so a second tab
    waits, then finds the version changed."""
    updated = (
        Meeting.update(version=Meeting.version + 1, **values)
        .where(
            (Meeting.id == meeting.id)
            & (Meeting.version == version)
            & (Meeting.status == expected.value)
        )
        .execute()
    )
    if not updated:
        current = Meeting.get_by_id(meeting.id)
        if current.status != expected.value:
            if current.status == MeetingStatus.CLOSED.value:
                raise MeetingClosed(CLOSED)
            raise DomainError(N_("This meeting is not closed."), field="reason")
        raise Conflict(CONFLICT, version=current.version)
    meeting.version = version + 1
    for name, value in values.items():
        setattr(meeting, name, value)


# Writing ------------------------------------------------------------------------------------


@contextmanager
def _transaction(meeting: Meeting):
    """One transaction; if it rolls back, the meeting object forgets what it was told too."""
    kept = dict(meeting.__data__)
    try:
        with db.atomic():
            yield
    except BaseException:
        meeting.__data__.clear()
        meeting.__data__.update(kept)
        raise


def open_meeting(actor: User, group: SavingsGroup, held_on: date) -> Meeting:
    """Start a meeting of the group's open cycle on a day inside the cycle, one per day."""
    if group.kind != GroupKind.SAVINGS.value:
        raise DomainError(N_("Meetings with shares are for savings groups."), field="held_on")
    if group.archived_at is not None:
        raise DomainError(N_("This group is archived: it holds no more meetings."), field="held_on")
    if not isinstance(held_on, date):
        raise DomainError(N_("Enter the date of the meeting."), field="held_on")
    cycle = current_cycle(group)
    if cycle is None:
        raise DomainError(
            N_("This group has no open cycle: start a cycle and set its rules first."),
            field="held_on",
        )
    if not cycle.start_date <= held_on <= cycle.planned_end:
        raise DomainError(
            N_("The date must be inside the cycle, from %(start)s to %(end)s."),
            field="held_on",
            start=cycle.start_date.isoformat(),
            end=cycle.planned_end.isoformat(),
        )
    taken = DomainError(
        N_("There is already a meeting on %(date)s."), field="held_on", date=held_on.isoformat()
    )
    if Meeting.select().where((Meeting.group == group) & (Meeting.held_on == held_on)).exists():
        raise taken
    try:
        with db.atomic():
            meeting = Meeting.create(group=group, cycle=cycle, held_on=held_on, draft="{}")
            audit.record(
                actor, "meeting.open", meeting, group=group, held_on=held_on, cycle=cycle.number
            )
    except IntegrityError:  # the same day opened at the same moment by someone else
        raise taken from None
    return meeting


def save_draft(
    actor: User,
    meeting: Meeting,
    sheet: MeetingSheet,
    version: int,
    counted: dict | None = None,
    difference_note: str = "",
) -> Meeting:
    """Keep the sheet as it is so far; Conflict if someone saved since `version` was read."""
    sheet = MeetingSheet(sheet.lines, clean_text(sheet.notes))
    with _transaction(meeting):
        _bump_version(meeting, version, MeetingStatus.DRAFT)
        _raise_if(check_sheet(meeting, sheet, final=False))
        data = {**stored_draft(Meeting.get_by_id(meeting.id)), **sheet.to_dict()}
        data["counted"] = {Fund(k).value: v for k, v in (counted or {}).items()}
        data["difference_note"] = clean_text(difference_note)
        meeting.draft, meeting.notes = json.dumps(data), sheet.notes
        Meeting.update(draft=meeting.draft, notes=meeting.notes).where(
            Meeting.id == meeting.id
        ).execute()
        audit.record(actor, "meeting.save_draft", meeting, group=meeting.group_id, version=version)
    return meeting


def close_meeting(
    actor: User,
    meeting: Meeting,
    sheet: MeetingSheet,
    counted: dict,
    difference_note: str,
    version: int,
) -> Meeting:
    """Post the whole meeting and the cash counts in one transaction, or nothing at all.

    A meeting closed before (then reopened) gets only what changed: entries whose figures
    differ are reversed and the right ones posted, so the ledger never loses its history.
    """
    difference_note = clean_text(difference_note)
    sheet = MeetingSheet(sheet.lines, clean_text(sheet.notes))
    with _transaction(meeting):
        stored = stored_draft(Meeting.get_by_id(meeting.id))
        _bump_version(
            meeting,
            version,
            MeetingStatus.DRAFT,
            status=MeetingStatus.CLOSED.value,
            closed_at=utcnow(),
            closed_by=actor.id,
        )
        cycle = meeting.cycle
        errors = check_sheet(meeting, sheet, final=True)
        counts = _check_counts(counted, errors)
        _raise_if(errors)
        fines = {fine.id: fine for fine in fine_types(cycle)}
        wanted = postings(sheet, cycle, fines)
        computed = add_effect(balances_before(meeting), wanted)
        differences = {box: counts[box] - computed[box] for box in BOXES}
        if any(differences.values()) and not difference_note:
            raise SheetInvalid(
                [
                    DomainError(
                        N_(
                            "The cash counted differs from what the books say: explain the "
                            "difference in a note."
                        ),
                        field="difference_note",
                    )
                ]
            )
        for box, difference in differences.items():
            if abs(difference) > MAX_AMOUNT:
                raise SheetInvalid(
                    [DomainError(N_("This amount is too large."), field=f"counted-{box.value}")]
                )
            if difference:
                wanted.append(
                    Posting(None, EntryKind.CASH_DIFFERENCE, box, difference, note=difference_note)
                )
        reason = stored.get("reopen_reason") or difference_note or sheet.notes or "-"
        changed = _apply(actor, meeting, wanted, reason)
        Attendance.delete().where(Attendance.meeting == meeting).execute()
        members = {m.id: m for m in grid_members(meeting)}
        rows = [
            {"meeting": meeting.id, "member": line.member_id, "status": line.attendance}
            for line in sheet.lines
            if line.member_id in members
        ]
        if rows:
            Attendance.insert_many(rows).execute()
        CashCount.delete().where(CashCount.meeting == meeting).execute()
        for box in BOXES:
            CashCount.create(
                meeting=meeting, fund=box.value, counted=counts[box], computed=computed[box]
            )
        Meeting.update(draft=json.dumps(sheet.to_dict()), notes=sheet.notes).where(
            Meeting.id == meeting.id
        ).execute()
        meeting.draft, meeting.notes = json.dumps(sheet.to_dict()), sheet.notes
        if cycle.rules_fixed_at is None:
            Cycle.update(rules_fixed_at=utcnow()).where(Cycle.id == cycle.id).execute()
        audit.record(
            actor,
            "meeting.close",
            meeting,
            group=meeting.group_id,
            held_on=meeting.held_on,
            counted={box.value: counts[box] for box in BOXES},
            computed={box.value: computed[box] for box in BOXES},
            difference_note=difference_note,
            entries_changed=changed,
        )
    return meeting


def _check_counts(counted: dict | None, errors: list[DomainError]) -> dict[Fund, int]:
    counts = {Fund(key): value for key, value in (counted or {}).items()}
    for box in BOXES:
        name = f"counted-{box.value}"
        if counts.get(box) is None:
            errors.append(DomainError(N_("Enter the cash counted in this box."), field=name))
            counts[box] = 0
            continue
        error = _amount_error(counts[box], name)
        if error:
            errors.append(error)
            counts[box] = 0
    return counts


def _live_entries(meeting: Meeting) -> dict[tuple, list[Entry]]:
    """The meeting's entries that count: neither reversals nor reversed (one query)."""
    reversal = Entry.alias()
    query = (
        Entry.select(Entry)
        .join(reversal, JOIN.LEFT_OUTER, on=(reversal.reverses == Entry.id))
        .where((Entry.meeting == meeting) & Entry.reverses.is_null() & reversal.id.is_null())
        .order_by(Entry.id)
    )
    live = defaultdict(list)
    for entry in query:
        live[(entry.member_id, entry.kind, entry.fund)].append(entry)
    return live


def _apply(actor: User, meeting: Meeting, wanted: list[Posting], reason: str) -> int:
    """Make the meeting's entries say `wanted`: reverse what differs, post what is missing."""
    live = _live_entries(meeting)
    want = defaultdict(list)
    for posting in wanted:
        want[posting.key].append(posting)
    members = {m.id: m for m in Member.select().where(Member.group == meeting.group_id)}
    changed = 0
    for key in [*want, *(key for key in live if key not in want)]:
        have = sorted((e.amount, e.shares, e.note) for e in live.get(key, []))
        if have == sorted(p.value for p in want.get(key, [])):
            continue
        for entry in live.get(key, []):
            ledger.reverse(actor, entry, reason)
            changed += 1
        for posting in want.get(key, []):
            ledger.post(
                actor,
                meeting.group,
                posting.fund,
                posting.kind,
                posting.amount,
                cycle=meeting.cycle_id,
                meeting=meeting,
                member=members.get(posting.member_id),
                shares=posting.shares,
                note=posting.note,
            )
            changed += 1
    return changed


def reopen_meeting(actor: User, meeting: Meeting, reason: str) -> Meeting:
    """Make a closed meeting a draft again, its sheet restored; recorded with the reason."""
    require(actor, Action.EDIT_GROUP)
    reason = clean_text(reason)
    if not reason:
        raise DomainError(N_("Say why the meeting is reopened."), field="reason")
    with _transaction(meeting):
        current = Meeting.get_by_id(meeting.id)
        if current.status != MeetingStatus.CLOSED.value:
            raise DomainError(N_("This meeting is not closed."), field="reason")
        if Cycle.get_by_id(current.cycle_id).closed_at is not None:
            raise DomainError(N_("The cycle of this meeting is closed."), field="reason")
        later = (
            Meeting.select()
            .where(
                (Meeting.cycle == current.cycle_id)
                & (Meeting.held_on > current.held_on)
                & (Meeting.status == MeetingStatus.CLOSED.value)
            )
            .order_by(Meeting.held_on)
            .first()
        )
        if later is not None:
            raise DomainError(
                N_(
                    "The meeting of %(date)s is closed after this one: only the latest closed "
                    "meeting can be reopened."
                ),
                field="reason",
                date=later.held_on.isoformat(),
            )
        data = stored_draft(current)
        data["reopen_reason"] = reason
        _bump_version(
            meeting,
            current.version,
            MeetingStatus.CLOSED,
            status=MeetingStatus.DRAFT.value,
            closed_at=None,
            closed_by=None,
            draft=json.dumps(data),
        )
        audit.record(
            actor,
            "meeting.reopen",
            meeting,
            group=meeting.group_id,
            held_on=meeting.held_on,
            reason=reason,
        )
    return meeting


# After the meeting -------------------------------------------------------------------------


@dataclass
class MemberFigures:
    """One member at one meeting, from the ledger: what they paid and received."""

    member: Member
    attendance: str | None = None
    shares: int = 0
    savings: int = 0
    social_fund: int = 0
    fines: int = 0
    welfare: int = 0
    shares_to_date: int = 0
    savings_to_date: int = 0

    @property
    def paid(self) -> int:
        return self.savings + self.social_fund + self.fines


@dataclass
class Summary:
    meeting: Meeting
    members: list[MemberFigures]
    opening: dict[Fund, int]
    closing: dict[Fund, int]
    counts: dict[Fund, CashCount]

    def total(self, name: str) -> int:
        return sum(getattr(figures, name) for figures in self.members)


def summary(meeting: Meeting) -> Summary:
    """Who attended, what each member paid and received, the boxes before and after (from the
    ledger; a fixed number of queries)."""
    opening = balances_before(meeting)
    net = meeting_net(meeting)
    closing = {fund: opening[fund] + net[fund] for fund in Fund}
    attendance = {
        row.member_id: row.status
        for row in Attendance.select().where(Attendance.meeting == meeting)
    }
    sums = (
        Entry.select(
            Entry.member,
            Entry.kind,
            Entry.fund,
            fn.SUM(Entry.amount).alias("total"),
            fn.SUM(Entry.shares).alias("share_count"),
        )
        .where((Entry.meeting == meeting) & Entry.member.is_null(False))
        .group_by(Entry.member, Entry.kind, Entry.fund)
    )
    per_member: dict[int, dict] = defaultdict(lambda: dict.fromkeys(TOTAL_NAMES, 0))
    for row in sums:
        ledger.add_to_totals(
            per_member[row.member_id],
            row.kind,
            row.fund,
            int(row.total or 0),
            int(row.share_count or 0),
        )
    to_date = (
        Entry.select(
            Entry.member,
            fn.SUM(Entry.amount).alias("total"),
            fn.SUM(Entry.shares).alias("share_count"),
        )
        .join(Meeting, JOIN.LEFT_OUTER, on=(Entry.meeting == Meeting.id))
        .where(
            (Entry.cycle == meeting.cycle_id)
            & Entry.member.is_null(False)
            & Entry.kind.in_([k.value for k in ledger.SAVINGS_KINDS])
            & (Entry.fund == Fund.LOAN_FUND.value)
            & (Entry.meeting.is_null() | (Meeting.held_on <= meeting.held_on))
        )
        .group_by(Entry.member)
    )
    saved = {row.member_id: (int(row.share_count or 0), int(row.total or 0)) for row in to_date}
    ids = set(attendance) | set(per_member)
    members = Member.select().where(Member.id.in_(list(ids))).order_by(Member.number) if ids else []
    figures = []
    for member in members:
        totals = per_member.get(member.id, dict.fromkeys(TOTAL_NAMES, 0))
        shares_to_date, savings_to_date = saved.get(member.id, (0, 0))
        figures.append(
            MemberFigures(
                member=member,
                attendance=attendance.get(member.id),
                shares=totals["shares"],
                savings=totals["savings"],
                social_fund=totals["social_fund"],
                fines=totals["fines"],
                welfare=totals["welfare_received"],
                shares_to_date=shares_to_date,
                savings_to_date=savings_to_date,
            )
        )
    counts = {
        Fund(count.fund): count for count in CashCount.select().where(CashCount.meeting == meeting)
    }
    return Summary(meeting, figures, opening, closing, counts)


TOTAL_NAMES = tuple(ledger.MemberTotals.__dataclass_fields__)


def meetings_of(group: SavingsGroup):
    """The group's meetings, newest first, with how many attended (one query)."""
    there = fn.SUM(
        Case(
            None,
            [
                (
                    Attendance.status.in_(
                        [
                            AttendanceStatus.PRESENT.value,
                            AttendanceStatus.LATE.value,
                            AttendanceStatus.REPRESENTED.value,
                        ]
                    ),
                    1,
                )
            ],
            0,
        )
    )
    return (
        Meeting.select(
            Meeting,
            fn.COUNT(Attendance.id).alias("listed"),
            there.alias("attended"),
        )
        .join(Attendance, JOIN.LEFT_OUTER)
        .where(Meeting.group == group)
        .group_by(Meeting.id)
        .order_by(Meeting.held_on.desc())
    )
