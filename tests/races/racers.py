"""What each racing process does (see racing.py): read its rows, return the write to race.

Every function takes plain values (ids, dates, amounts) and returns a callable without
arguments; the write happens only when that is called, after the barrier.
"""

from datetime import date

from savings_groups.core.vocabulary import Fund, LoanWarning
from savings_groups.cycles import operations as cycles
from savings_groups.loans import operations as lending
from savings_groups.loans.requests import LoanRequest
from savings_groups.meetings import operations as meetings
from savings_groups.meetings.sheet import MeetingSheet, MemberLine
from savings_groups.rosca import debts as rosca_debts
from savings_groups.rosca import rounds as rosca_rounds
from savings_groups.shareout import exits, next_cycle
from savings_groups.shareout import operations as closing
from savings_groups.store.models import (
    Cycle,
    DebtRepayment,
    Loan,
    Meeting,
    Member,
    Rotation,
    SavingsGroup,
    User,
)

EVERY_WARNING = tuple(warning.value for warning in LoanWarning)


def grant_at(actor: int, meeting: int, member: int, principal: int):
    """A loan granted at a draft meeting (the meeting page's "Grant")."""
    user, found = User.get_by_id(actor), Meeting.get_by_id(meeting)
    request = LoanRequest(Member.get_by_id(member), principal, 3, "business")
    return lambda: meetings.grant_loan_at(user, found, request, acknowledged=EVERY_WARNING)


def close(actor: int, meeting: int, loan_fund: int, shares: int = 0, repaid: dict | None = None):
    """The meeting closed from a tab opened now: every member present, buying `shares`, and
    repaying what `repaid` says (member id -> amount)."""
    user, found = User.get_by_id(actor), Meeting.get_by_id(meeting)
    people = Member.select().where(Member.group == found.group_id).order_by(Member.number)
    repaid = repaid or {}
    sheet = MeetingSheet(
        [MemberLine(p.id, shares=shares, repayment=repaid.get(p.id, 0)) for p in people]
    )
    counted = {Fund.LOAN_FUND: loan_fund, Fund.SOCIAL_FUND: 0}
    version = found.version
    return lambda: meetings.close_meeting(user, found, sheet, counted, "", version)


def write_off(actor: int, loan: int, on: date):
    user, found = User.get_by_id(actor), Loan.get_by_id(loan)
    return lambda: lending.write_off(user, found, "The member went away", on)


def reopen(actor: int, meeting: int):
    user, found = User.get_by_id(actor), Meeting.get_by_id(meeting)
    return lambda: meetings.reopen_meeting(user, found, "A figure was typed wrong")


def open_meeting(actor: int, group: int, held_on: date):
    user, found = User.get_by_id(actor), SavingsGroup.get_by_id(group)
    return lambda: meetings.open_meeting(user, found, held_on)


def finalise(actor: int, cycle: int, on: date):
    user, found = User.get_by_id(actor), Cycle.get_by_id(cycle)
    group = SavingsGroup.get_by_id(found.group_id)
    return lambda: closing.finalise(user, group, found, on)


def settle(actor: int, member: int, on: date):
    user, found = User.get_by_id(actor), Member.get_by_id(member)
    return lambda: exits.settle(user, found, on, "Moved to the city")


def start_next(actor: int, cycle: int):
    user, found = User.get_by_id(actor), Cycle.get_by_id(cycle)
    group = SavingsGroup.get_by_id(found.group_id)
    rules = cycles.default_rules(group)
    return lambda: next_cycle.start_next_cycle(user, group, found, rules, {})


def pay_out(actor: int, rotation: int, number: int, on: date):
    user, found = User.get_by_id(actor), Rotation.get_by_id(rotation)
    return lambda: rosca_rounds.pay_out(user, found, number, on, seed="race")


def undo_repayment(actor: int, repayment: int):
    user, found = User.get_by_id(actor), DebtRepayment.get_by_id(repayment)
    return lambda: rosca_debts.undo_repayment(user, found, "race")


def read_figures(group: int, on: date):
    """The dashboard's and the groups list's figures of the group, through the stored figures
    (computed and stored when its books changed since)."""
    from savings_groups.indicators import reports
    from savings_groups.oversight import figures

    def read():
        reports.counters(SavingsGroup.select().where(SavingsGroup.id == group), on)
        figures.figures_for([group], on)

    return read
