"""What each printed document's token holds, built from the figures its page shows, and the
check of a verified token against the books (was anything reversed or changed since?).

Each builder takes the objects the page renders, so the token holds exactly what is printed.
`check` rebuilds the same statement from the books as they are now and says what differs,
naming only figures the paper already shows.
"""

from dataclasses import dataclass, field
from datetime import date

from savings_groups.core.vocabulary import EntryKind, LoanStatus, MeetingStatus
from savings_groups.loans.compute import meeting_period
from savings_groups.meetings import summary as meeting_summary
from savings_groups.qr.tokens import Statement, initials
from savings_groups.rosca import reports as rosca_reports
from savings_groups.shareout import operations as shareout
from savings_groups.store.models import (
    Cycle,
    Entry,
    Loan,
    Meeting,
    Member,
    Rotation,
    Round,
    SavingsGroup,
)

# --- builders: the figures of each document, as printed ---------------------------------------


def _member(member) -> dict:
    return {"member_number": member.number, "initials": initials(member.full_name)}


def receipt(group, meeting, row) -> Statement:
    """A member's slip of the meeting receipts (meetings/receipts.html)."""
    return Statement(
        "receipt",
        meeting.id,
        meeting.held_on,
        {
            "currency": group.currency,
            **_member(row.member),
            "shares": row.shares,
            "savings": row.savings,
            "social_fund": row.social_fund,
            "repaid": row.repaid,
            "fines": row.fines,
            "paid": row.paid,
            "loan_received": row.loan_received,
            "welfare": row.welfare,
            "shares_to_date": row.shares_to_date,
            "savings_to_date": row.savings_to_date,
        },
    )


def slip(group, cycle, sheet, line) -> Statement | None:
    """A member's share-out slip; None while the share-out is a preview (not final)."""
    if sheet.final is None:
        return None
    return Statement(
        "slip",
        cycle.id,
        sheet.on,
        {
            "currency": group.currency,
            "cycle_number": cycle.number,
            **_member(line.member),
            "shares": line.shares,
            "saved": line.saved,
            "profit": line.profit,
            "deducted": line.deducted,
            "social_fund": line.social_fund,
            "received": line.received,
        },
    )


def loan_agreement(group, loan) -> Statement:
    """A loan agreement (loans/agreement.html): who, how much, at what rate, over how long."""
    period = loan.rate_period or meeting_period(loan.frequency).value
    return Statement(
        "loan",
        loan.id,
        loan.granted_on,
        {
            "currency": group.currency,
            **_member(loan.member),
            "principal": loan.principal,
            "rate": str(loan.rate.normalize() + 0),
            "rate_period": period,
            "periods": loan.periods,
        },
    )


def passbook(group, member, book, on: date) -> Statement:
    """The totals of a member's passbook for a cycle, as printed on `on`."""
    totals = book.totals
    return Statement(
        "passbook",
        book.cycle.id if book.cycle else 0,
        on,
        {
            "currency": group.currency,
            "cycle_number": book.cycle.number if book.cycle else 0,
            **_member(member),
            "shares": totals.shares,
            "savings": totals.savings,
            "social_fund": totals.social_fund,
            "fines": totals.fines,
            "welfare_received": totals.welfare_received,
            "paid_out": totals.paid_out,
        },
    )


def tontine_passbook(group, member, book, on: date) -> Statement:
    """A tontine member's position in one rotation, as printed on `on`."""
    return Statement(
        "tontine_passbook",
        book.rotation.id,
        on,
        {
            "currency": group.currency,
            "rotation_number": book.rotation.number,
            **_member(member),
            "paid": book.paid,
            "received": book.received,
            "fines": book.fines,
            "balance": book.balance,
        },
    )


def rosca_receipt(group, rotation, sheet) -> Statement | None:
    """A ROSCA round's receipt once its pot is paid out (before, nothing is final)."""
    if not sheet.paid_out:
        return None
    holders = sheet.recipient.holders if sheet.recipient else []
    return Statement(
        "rosca_receipt",
        sheet.round.id,
        sheet.round.paid_out_on,
        {
            "currency": group.currency,
            "rotation_number": rotation.number,
            "round_number": sheet.number,
            "collected": sheet.collected,
            "payout": sheet.payout,
            "recipients": "+".join(str(holder.member.number) for holder in holders),
        },
    )


# --- the check against the books --------------------------------------------------------------


def lender_record(group, member, record, on: date) -> Statement:
    """A member's record for a lender (reports.lender_record), as printed on `on`; the
    attendance rate in whole per cent, -1 when no meeting was recorded."""
    percent = record.attendance_percent
    return Statement(
        "lender_record",
        member.id,
        on,
        {
            "currency": group.currency,
            **_member(member),
            "cycles": len(record.cycles),
            "savings": record.savings,
            "loans_taken": len(record.loans),
            "borrowed": record.borrowed,
            "loans_late": record.loans_late,
            "attendance_percent": -1 if percent is None else int(percent),
        },
    )


@dataclass
class Standing:
    """What the books say of a verified statement now: the group it belongs to (its name is
    printed on every document), and `problem` when the document no longer holds: "missing",
    "reopened", "reversed", "written_off" or "changed" (with the figures that differ)."""

    group_name: str | None = None
    problem: str | None = None
    changed: list[str] = field(default_factory=list)


def _changed(printed: Statement, now: Statement | None) -> list[str]:
    if now is None:
        return ["member_number"]
    names = [name for name in printed.figures if printed.figures[name] != now.figures[name]]
    return names + (["date"] if printed.on != now.on else [])


def _reversed(*where) -> bool:
    """Whether an entry matching `where` was reversed since (one query)."""
    reversal = Entry.alias()
    return Entry.select().join(reversal, on=(reversal.reverses == Entry.id)).where(*where).exists()


def _member_of(group_id: int, number: int):
    return Member.get_or_none(Member.group == group_id, Member.number == number)


def _check_receipt(statement: Statement, standing: Standing) -> None:
    meeting = Meeting.get_or_none(Meeting.id == statement.record)
    if meeting is None:
        standing.problem = "missing"
        return
    group = SavingsGroup.get_by_id(meeting.group_id)
    standing.group_name = group.name
    if meeting.status != MeetingStatus.CLOSED.value:
        standing.problem = "reopened"
        return
    number = statement.figures["member_number"]
    row = next(
        (r for r in meeting_summary.summary(meeting).members if r.member.number == number), None
    )
    now = receipt(group, meeting, row) if row else None
    standing.changed = _changed(statement, now)
    if standing.changed:
        standing.problem = "changed"


def _check_slip(statement: Statement, standing: Standing) -> None:
    cycle = Cycle.get_or_none(Cycle.id == statement.record)
    if cycle is None:
        standing.problem = "missing"
        return
    group = SavingsGroup.get_by_id(cycle.group_id)
    standing.group_name = group.name
    sheet = shareout.stored(cycle)
    if sheet is None:
        standing.problem = "missing"
        return
    member = _member_of(group.id, statement.figures["member_number"])
    kinds = (EntryKind.SHARE_OUT.value, EntryKind.SOCIAL_FUND_SHARE_OUT.value)
    if member is not None and _reversed(
        Entry.cycle == cycle, Entry.member == member, Entry.kind.in_(kinds)
    ):
        standing.problem = "reversed"
        return
    line = next((line for line in sheet.lines if member and line.member.id == member.id), None)
    standing.changed = _changed(statement, slip(group, cycle, sheet, line) if line else None)
    if standing.changed:
        standing.problem = "changed"


def _check_loan(statement: Statement, standing: Standing) -> None:
    loan = Loan.get_or_none(Loan.id == statement.record)
    if loan is None:
        standing.problem = "missing"
        return
    group = SavingsGroup.get_by_id(loan.group_id)
    standing.group_name = group.name
    if _reversed(Entry.loan == loan, Entry.kind == EntryKind.LOAN_DISBURSEMENT.value):
        standing.problem = "reversed"
        return
    standing.changed = _changed(statement, loan_agreement(group, loan))
    if standing.changed:
        standing.problem = "changed"
    elif loan.status == LoanStatus.WRITTEN_OFF.value:
        standing.problem = "written_off"


def _check_rosca_receipt(statement: Statement, standing: Standing) -> None:
    round_ = Round.get_or_none(Round.id == statement.record)
    if round_ is None:
        standing.problem = "missing"
        return
    rotation = round_.rotation
    group = SavingsGroup.get_by_id(rotation.group_id)
    rotation.group = group
    standing.group_name = group.name
    if round_.paid_out_on is None:
        standing.problem = "reversed"
        return
    now = rosca_receipt(group, rotation, rosca_reports.round_sheet(rotation, round_.number))
    standing.changed = _changed(statement, now)
    if standing.changed:
        standing.problem = "changed"


def _check_running(statement: Statement, standing: Standing) -> None:
    """A passbook is a running statement: later meetings change it, so only the record it
    comes from is checked (its group's name is printed on it)."""
    model = Cycle if statement.kind == "passbook" else Rotation
    row = model.get_or_none(model.id == statement.record)
    if row is None:
        standing.problem = "missing"
        return
    standing.group_name = SavingsGroup.get_by_id(row.group_id).name


def _check_lender_record(statement: Statement, standing: Standing) -> None:
    """A record for a lender is a running statement like a passbook: the member it was printed
    for must still be in the books, under the number printed."""
    member = Member.get_or_none(Member.id == statement.record)
    if member is None or member.number != statement.figures["member_number"]:
        standing.problem = "missing"
        return
    standing.group_name = SavingsGroup.get_by_id(member.group_id).name


CHECKS = {
    "receipt": _check_receipt,
    "slip": _check_slip,
    "loan": _check_loan,
    "passbook": _check_running,
    "tontine_passbook": _check_running,
    "rosca_receipt": _check_rosca_receipt,
    "lender_record": _check_lender_record,
}


def check(statement: Statement) -> Standing:
    """The statement against the books as they are now (a few queries)."""
    standing = Standing()
    CHECKS[statement.kind](statement, standing)
    return standing
