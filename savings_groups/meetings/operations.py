"""A meeting's lifecycle: open, save a draft, preview, close (post), reopen; box balances.

Loans at a meeting: a loan is granted while the meeting is a draft (grant_loan_at) and its
disbursement is written at once, an entry of this meeting; repayments are typed in the grid and
posted at closing through lending.record_repayment, in the closing transaction. The sheet's own
postings (shares, fines, social fund...) never touch loan entries, so closing again after a
reopening leaves loans granted at the meeting as they are. Repayments cannot be reversed
safely here (a repayment may have closed a loan or fixed a flexible loan's charge), so a
meeting whose repayments were posted cannot be reopened: see reopen_meeting.
"""

import json
from collections import defaultdict
from contextlib import contextmanager
from datetime import date

from peewee import JOIN, IntegrityError, fn

from savings_groups.core.dates import today, utcnow
from savings_groups.core.errors import N_, DomainError
from savings_groups.core.money import MAX_AMOUNT
from savings_groups.core.vocabulary import BOXES, EntryKind, Fund, GroupKind, MeetingStatus
from savings_groups.cycles.operations import current_cycle, lock_cycle
from savings_groups.ledger import entries as ledger
from savings_groups.loans import operations as lending
from savings_groups.loans import requests as loan_requests
from savings_groups.loans.compute import LoanError
from savings_groups.meetings.sheet import (
    LOAN_KINDS,
    REPAID_KINDS,
    MeetingSheet,
    Posting,
    SheetInvalid,
    add_effect,
    add_loans,
    amount_error,
    balances_before,
    cell,
    check_sheet,
    clean_text,
    fine_types,
    grid_members,
    loan_entries_total,
    loan_positions,
    postings,
    repayment_plan,
    sheet_repayments,
    stored_draft,
    stored_sheet,
)
from savings_groups.meetings.sheet import (
    preview as preview,  # the boxes after a sheet; callers read it here
)
from savings_groups.org import audit
from savings_groups.org.access import Action, require
from savings_groups.store.db import db, lock
from savings_groups.store.models import (
    Attendance,
    CashCount,
    Cycle,
    Entry,
    Loan,
    Meeting,
    Member,
    SavingsGroup,
    User,
)

# The boxes of an accumulating group, counted at every meeting.
# The group's bank or mobile-money account: its balance is shown at closing and, when the
# treasurer enters the balance the statement (or the phone) shows, compared like a box.
ACCOUNT = Fund.BANK


class Conflict(DomainError):
    """The meeting was saved by someone else (another tab) since this sheet was loaded."""


class MeetingClosed(DomainError):
    """A closed meeting is read-only until a facilitator reopens it."""


CONFLICT = N_(
    "Someone else saved this meeting since you opened it. Nothing was saved: your entries are "
    "shown below; save again to keep them, or reload the page to see theirs."
)
CLOSED = N_("This meeting is closed: it can no longer be changed.")


# Reading -------------------------------------------------------------------------------------


def meeting_net(meeting: Meeting) -> dict[Fund, int]:
    """What the meeting's own entries added to each box (one SUM query)."""
    query = (
        Entry.select(Entry.fund, fn.SUM(Entry.amount).alias("total"))
        .where(Entry.meeting == meeting)
        .group_by(Entry.fund)
    )
    totals = {Fund(row.fund): int(row.total or 0) for row in query}
    return {fund: totals.get(fund, 0) for fund in Fund}


# Checking -----------------------------------------------------------------------------------


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


def _lock_open_cycle(meeting: Meeting) -> Cycle:
    """The meeting's cycle, locked (cycles.lock_cycle: the first lock of a meeting's write) and
    refused once shared out: its money is final."""
    cycle = lock_cycle(meeting.cycle_id)
    if cycle.closed_at is not None:
        raise MeetingClosed(
            N_("The cycle of this meeting is shared out and closed: its meetings are final.")
        )
    return cycle


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
    """Start a meeting of the group's open cycle on a day inside the cycle and not in the
    future (its money is what was handed over that day), one per day."""
    if group.kind != GroupKind.SAVINGS.value:
        raise DomainError(N_("Meetings with shares are for savings groups."), field="held_on")
    if group.archived_at is not None:
        raise DomainError(N_("This group is archived: it holds no more meetings."), field="held_on")
    if not isinstance(held_on, date):
        raise DomainError(N_("Enter the date of the meeting."), field="held_on")
    taken = DomainError(
        N_("There is already a meeting on %(date)s."), field="held_on", date=held_on
    )
    try:
        with db.atomic():
            cycle = current_cycle(group)
            if cycle is not None:  # a share-out of this cycle waits, or has closed it
                cycle = lock_cycle(cycle)
            if cycle is None or cycle.closed_at is not None:
                raise DomainError(
                    N_("This group has no open cycle: start a cycle and set its rules first."),
                    field="held_on",
                )
            if not cycle.start_date <= held_on <= cycle.planned_end:
                raise DomainError(
                    N_("The date must be inside the cycle, from %(start)s to %(end)s."),
                    field="held_on",
                    start=cycle.start_date,
                    end=cycle.planned_end,
                )
            if held_on > today():
                raise DomainError(
                    N_("%(date)s is in the future: a meeting is recorded on its day or after."),
                    field="held_on",
                    date=held_on,
                )
            settled = _last_settlement(cycle)
            if settled is not None and held_on <= settled:
                raise DomainError(
                    N_(
                        "A member's departure was settled on %(date)s from the books as they "
                        "stood then: a meeting of this cycle can no longer be dated on or "
                        "before that day."
                    ),
                    field="held_on",
                    date=settled,
                )
            same_day = (Meeting.group == group) & (Meeting.held_on == held_on)
            if Meeting.select().where(same_day).exists():
                raise taken
            meeting = Meeting.create(group=group, cycle=cycle, held_on=held_on, draft="{}")
            audit.record(
                actor, "meeting.open", meeting, group=group, held_on=held_on, cycle=cycle.number
            )
    except IntegrityError:  # the same day opened at the same moment by someone else
        raise taken from None
    return meeting


def _last_settlement(cycle) -> date | None:
    """The day of the cycle's latest settlement of a leaving member (one query): a meeting
    dated then or before would change the books the settlement was computed from."""
    return (
        Entry.select(fn.MAX(Entry.effective_on))
        .where((Entry.cycle == cycle) & (Entry.kind == EntryKind.EXIT_SETTLEMENT.value))
        .scalar()
    )


def save_draft(
    actor: User,
    meeting: Meeting,
    sheet: MeetingSheet,
    version: int,
    counted: dict | None = None,
    difference_note: str = "",
) -> Meeting:
    """Keep the sheet as it is so far; Conflict if someone saved since `version` was read."""
    sheet = sheet.cleaned()
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
    sheet = sheet.cleaned()
    with _transaction(meeting):
        cycle = _lock_open_cycle(meeting)
        stored = stored_draft(Meeting.get_by_id(meeting.id))
        _bump_version(
            meeting,
            version,
            MeetingStatus.DRAFT,
            status=MeetingStatus.CLOSED.value,
            closed_at=utcnow(),
            closed_by=actor.id,
        )
        positions = loan_positions(meeting, meeting.group)
        errors = check_sheet(meeting, sheet, final=True, positions=positions)
        counts = _check_counts(counted, errors)
        _raise_if(errors)
        fines = {fine.id: fine for fine in fine_types(cycle)}
        wanted = postings(sheet, cycle, fines)
        computed = add_loans(
            add_effect(balances_before(meeting), wanted), loan_entries_total(meeting), sheet
        )
        counted_funds = (*BOXES, ACCOUNT) if counts.get(ACCOUNT) is not None else BOXES
        differences = {box: counts[box] - computed[box] for box in counted_funds}
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
        changed += _post_repayments(actor, meeting, repayment_plan(sheet, positions))
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
        for box in counted_funds:
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
            counted={box.value: counts[box] for box in counted_funds},
            computed={box.value: computed[box] for box in counted_funds},
            difference_note=difference_note,
            entries_changed=changed,
        )
    return meeting


def _check_counts(counted: dict | None, errors: list[DomainError]) -> dict[Fund, int]:
    """The counts of the boxes (each needed) and of the account (if given: None if not)."""
    counts = {Fund(key): value for key, value in (counted or {}).items()}
    if counts.get(ACCOUNT) is not None:
        error = amount_error(counts[ACCOUNT], f"counted-{ACCOUNT.value}")
        if error:
            errors.append(error)
            counts[ACCOUNT] = None
    for box in BOXES:
        name = f"counted-{box.value}"
        if counts.get(box) is None:
            errors.append(DomainError(N_("Enter the cash counted in this box."), field=name))
            counts[box] = 0
            continue
        error = amount_error(counts[box], name)
        if error:
            errors.append(error)
            counts[box] = 0
    return counts


def _post_repayments(actor: User, meeting: Meeting, plan) -> int:
    """Post the sheet's repayments (see repayment_plan: the oldest loan first); a refusal by
    lending (the loan changed meanwhile) becomes an error under the cell."""
    posted = 0
    for line, loan, amount in plan:
        try:
            lending.record_repayment(actor, loan, amount, meeting.held_on, meeting=meeting)
        except LoanError as error:
            raise SheetInvalid(
                [
                    DomainError(
                        error.message, field=cell(line.member_id, "repayment"), **error.params
                    )
                ]
            ) from None
        posted += 1
    return posted


def _live_entries(meeting: Meeting) -> dict[tuple, list[Entry]]:
    """The meeting's entries that count: neither reversals nor reversed, loans' entries left
    out (they are lending's, not the sheet's) (one query)."""
    reversal = Entry.alias()
    query = (
        Entry.select(Entry)
        .join(reversal, JOIN.LEFT_OUTER, on=(reversal.reverses == Entry.id))
        .where(
            (Entry.meeting == meeting)
            & Entry.reverses.is_null()
            & reversal.id.is_null()
            & Entry.kind.not_in(LOAN_KINDS)
        )
        .order_by(Entry.id)
    )
    live = defaultdict(list)
    for entry in query:
        live[(entry.member_id, entry.kind, entry.fund)].append(entry)
    return live


def _apply(actor: User, meeting: Meeting, wanted: list[Posting], reason: str) -> int:
    """Make the meeting's entries say `wanted`: reverse what differs, post what is missing
    (the new entries in one statement: ledger.post_many)."""
    live = _live_entries(meeting)
    want = defaultdict(list)
    for posting in wanted:
        want[posting.key].append(posting)
    members = {m.id: m for m in Member.select().where(Member.group == meeting.group_id)}
    changed = 0
    new = []
    for key in [*want, *(key for key in live if key not in want)]:
        have = sorted(
            (e.amount, e.shares, e.note, e.channel, e.approved_by_id or 0)
            for e in live.get(key, [])
        )
        if have == sorted(p.value for p in want.get(key, [])):
            continue
        for entry in live.get(key, []):
            ledger.reverse(actor, entry, reason)
            changed += 1
        new += [
            ledger.NewEntry(
                posting.fund,
                posting.kind,
                posting.amount,
                cycle=meeting.cycle_id,
                meeting=meeting,
                member=members.get(posting.member_id),
                shares=posting.shares,
                note=posting.note,
                channel=posting.channel,
                approved_by=members.get(posting.approved_by),
            )
            for posting in want.get(key, [])
        ]
    return changed + ledger.post_many(actor, meeting.group, new)


def why_not_reopened(meeting: Meeting) -> DomainError | None:
    """Why this meeting cannot be reopened, or None: it must be closed, in a cycle not shared
    out, the latest closed one, have no loan repayments posted (reopening would leave the
    loans out of step with their money), and no member with a line at it may have left on its
    day or before (a settlement on a meeting's day comes after it, from its books: the line of
    someone who has left could not be saved again)."""
    if meeting.status != MeetingStatus.CLOSED.value:
        return DomainError(N_("This meeting is not closed."), field="reason")
    if Cycle.get_by_id(meeting.cycle_id).closed_at is not None:
        return DomainError(
            N_("The cycle of this meeting is shared out and closed: its meetings are final."),
            field="reason",
        )
    later = (
        Meeting.select()
        .where(
            (Meeting.cycle == meeting.cycle_id)
            & (Meeting.held_on > meeting.held_on)
            & (Meeting.status == MeetingStatus.CLOSED.value)
        )
        .order_by(Meeting.held_on)
        .first()
    )
    if later is not None:
        return DomainError(
            N_(
                "The meeting of %(date)s is closed after this one: only the latest closed "
                "meeting can be reopened."
            ),
            field="reason",
            date=later.held_on,
        )
    repaid = Entry.select().where((Entry.meeting == meeting.id) & Entry.kind.in_(REPAID_KINDS))
    if repaid.exists():
        return DomainError(
            N_(
                "Loan repayments were recorded at this meeting: it cannot be reopened, or the "
                "loans would no longer match their money."
            ),
            field="reason",
        )
    sheet = stored_sheet(meeting)
    ids = [line.member_id for line in sheet.lines if not line.is_empty()] if sheet else []
    gone = (
        Member.select()
        .where(Member.id.in_(ids) & (Member.left_on <= meeting.held_on))
        .order_by(Member.number)
        .first()
        if ids
        else None
    )
    if gone is not None:
        return DomainError(
            N_(
                "%(name)s left the group on %(date)s and has a line at this meeting: it "
                "cannot be reopened, or that line could not be saved again."
            ),
            field="reason",
            name=gone.full_name,
            date=gone.left_on,
        )
    return None


def reopen_meeting(actor: User, meeting: Meeting, reason: str) -> Meeting:
    """Make a closed meeting a draft again, its sheet restored; recorded with the reason."""
    require(actor, Action.EDIT_GROUP)
    reason = clean_text(reason)
    if not reason:
        raise DomainError(N_("Say why the meeting is reopened."), field="reason")
    with _transaction(meeting):
        lock_cycle(meeting.cycle_id)  # a share-out waits, or has closed the cycle
        current = lock(Meeting, meeting.id)
        refused = why_not_reopened(current)
        if refused is not None:
            raise refused
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


# Loans granted at the meeting -----------------------------------------------------------------


def _draft_or_refuse(meeting: Meeting) -> Meeting:
    current = Meeting.get_by_id(meeting.id)
    if current.status != MeetingStatus.DRAFT.value:
        raise MeetingClosed(CLOSED)
    return current


def pending_money(meeting: Meeting) -> loan_requests.Pending:
    """What the meeting's saved draft brings to the loan fund before its new loans (shares,
    fines and repayments come first in the meeting's order), and each member's shares bought:
    a loan at the meeting may use them, though they are posted only when it closes."""
    sheet = stored_sheet(meeting)
    if sheet is None:
        return loan_requests.NOTHING_PENDING
    fines = {fine.id: fine for fine in fine_types(meeting.cycle)}
    cash, savings = sheet_repayments(sheet), defaultdict(int)
    for posting in postings(sheet, meeting.cycle, fines):
        if posting.fund == Fund.LOAN_FUND:
            cash += posting.amount
            if posting.kind == EntryKind.SHARE_PURCHASE:
                savings[posting.member_id] += posting.amount
    return loan_requests.Pending(cash, dict(savings))


def check_loan_at(meeting: Meeting, request: loan_requests.LoanRequest) -> loan_requests.Assessment:
    """The assessment of a loan asked for at a draft meeting, on the meeting's day, counting
    what its draft brings in first (pending_money)."""
    current = _draft_or_refuse(meeting)
    return loan_requests.check_request(
        meeting.group, meeting.cycle, request, meeting.held_on, pending_money(current)
    )


def grant_loan_at(
    actor: User,
    meeting: Meeting,
    request: loan_requests.LoanRequest,
    acknowledged=frozenset(),
) -> Loan:
    """Grant a loan at a draft meeting, on its day: the disbursement is an entry of the
    meeting at once, so the boxes' preview and the cash count include it. Refused once the
    meeting is closed (MeetingClosed); lending's rules and warnings apply (LoanError,
    WarningsNotAcknowledged); all or nothing."""
    require(actor, Action.RECORD)
    with _transaction(meeting):
        _lock_open_cycle(meeting)  # the cycle before the meeting, as every write takes them
        current = lock(Meeting, meeting.id)  # a closing waits, or has closed it
        if current.status != MeetingStatus.DRAFT.value:
            raise MeetingClosed(CLOSED)
        if meeting.cycle_id != current.cycle_id:
            raise ValueError("the meeting changed cycle")
        # The boxes change: a tab showing the meeting before this loan must not close it as is.
        _bump_version(meeting, current.version, MeetingStatus.DRAFT)
        return lending.grant_loan(
            actor,
            meeting.group,
            meeting.cycle,
            request,
            meeting.held_on,
            meeting=meeting,
            acknowledged=acknowledged,
            pending=pending_money(current),
        )


def loans_granted(meeting: Meeting) -> list[Loan]:
    """The loans granted at the meeting, with their member, in the order granted (one query)."""
    return list(
        Loan.select(Loan, Member)
        .join(Member, on=Loan.member)
        .where(Loan.meeting == meeting)
        .order_by(Loan.id)
    )
