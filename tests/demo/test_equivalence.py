"""The strongest proof that the bulk path keeps the rules: one demo group is played again through
the domain's own functions (open and close each meeting, grant each loan at its meeting, settle
the member who leaves, write off, share out, start the next cycle) with the same choices, and
both books must be the same, entry for entry."""

import dataclasses
from collections import Counter
from datetime import date

import pytest

from savings_groups.core.vocabulary import EntryKind, MeetingStatus
from savings_groups.cycles import operations as cycles
from savings_groups.cycles.operations import FineInput
from savings_groups.demo.generate import Options
from savings_groups.demo.operations import load
from savings_groups.loans import operations as lending
from savings_groups.loans.requests import LoanRequest
from savings_groups.meetings import operations as meetings
from savings_groups.meetings.sheet import stored_sheet
from savings_groups.shareout import exits
from savings_groups.shareout import operations as shareout
from savings_groups.shareout.next_cycle import NextMember, start_next_cycle
from savings_groups.store.models import (
    CashCount,
    Cycle,
    CycleShareOut,
    Entry,
    FineType,
    Loan,
    LoanInstallment,
    Meeting,
    Member,
    MemberExit,
    SavingsGroup,
)
from tests.demo.invariants import differences

# One monthly group over two years, and one weekly group over a year, whose stories have loans
# of each method, arrears, a write-off, a member who leaves, share-outs (the social fund split in
# the weekly one) and an open cycle with a draft meeting (checked below, not assumed).
END = date(2026, 11, 30)
STORIES = {
    "monthly": (Options(groups=1, years=2, seed=12, weekly_share=0.0, end=END), 2),
    "weekly": (Options(groups=1, years=1, seed=14, weekly_share=1.0, end=END), 1),
}
COPIED = ("kind", "currency", "rounding_unit", "meeting_frequency", "meeting_day", "formed_on")


def _rules(cycle: Cycle):
    rules = cycles.rules_of(cycle)
    fines = tuple(FineInput(f.name, f.amount) for f in rules.fines)
    return dataclasses.replace(rules, fines=fines)


def replay(actor, source: SavingsGroup) -> SavingsGroup:
    """The same group's life through the domain functions, with the choices the demo made."""
    group = SavingsGroup.create(
        name="Replayed", created_by=actor, **{f: getattr(source, f) for f in COPIED}
    )
    twin = {}
    for member in Member.select().where(Member.group == source).order_by(Member.number):
        twin[member.id] = Member.create(
            group=group,
            number=member.number,
            full_name=member.full_name,
            member_type=member.member_type,
            joined_on=member.joined_on,
        )
    loans = {}
    previous = None
    for cycle in Cycle.select().where(Cycle.group == source).order_by(Cycle.number):
        if previous is None:
            new = cycles.start_cycle(actor, group, _rules(cycle))
        else:
            reinvested = {
                twin[e.member_id].id: NextMember(reinvest=e.shares)
                for e in Entry.select().where(
                    (Entry.cycle == cycle)
                    & (Entry.kind == EntryKind.SHARE_PURCHASE.value)
                    & Entry.meeting.is_null()
                )
            }
            new = start_next_cycle(actor, group, previous, _rules(cycle), reinvested)
        fines = {
            f.id: FineType.get((FineType.cycle == new) & (FineType.name == f.name)).id
            for f in FineType.select().where(FineType.cycle == cycle)
        }
        for meeting in Meeting.select().where(Meeting.cycle == cycle).order_by(Meeting.held_on):
            _meeting(actor, group, meeting, twin, fines, loans)
            for settled in MemberExit.select().where(MemberExit.settled_on == meeting.held_on):
                if settled.cycle_id == cycle.id:
                    member = twin[settled.member_id]
                    exits.settle(actor, member, settled.settled_on, settled.member.left_reason)
        final = CycleShareOut.get_or_none(CycleShareOut.cycle == cycle)
        if final is not None:
            for loan in Loan.select().where((Loan.cycle == cycle) & (Loan.written_off > 0)):
                write_off = Entry.get(
                    (Entry.loan == loan) & (Entry.kind == EntryKind.LOAN_WRITE_OFF.value)
                )
                lending.write_off(actor, loans[loan.id], write_off.note, write_off.effective_on)
            shareout.finalise(actor, group, new, final.held_on)
            previous = Cycle.get_by_id(new.id)
    return group


def _meeting(actor, group, meeting, twin, fines, loans) -> None:
    opened = meetings.open_meeting(actor, group, meeting.held_on)
    sheet = stored_sheet(meeting)
    for line in sheet.lines:
        line.member_id = twin[line.member_id].id
        line.fines = [fines[f] for f in line.fines]
    granted = list(Loan.select().where(Loan.meeting == meeting).order_by(Loan.id))
    if meeting.status == MeetingStatus.DRAFT.value or granted:
        meetings.save_draft(actor, opened, sheet, opened.version)
    for loan in granted:
        request = LoanRequest(
            twin[loan.member_id], loan.principal, loan.periods, loan.purpose, method=loan.method
        )
        loans[loan.id] = meetings.grant_loan_at(actor, opened, request)
    if meeting.status == MeetingStatus.CLOSED.value:
        counted = {
            c.fund: c.counted for c in CashCount.select().where(CashCount.meeting == meeting)
        }
        meetings.close_meeting(actor, opened, sheet, counted, "", opened.version)


def _entries(group) -> Counter:
    numbers = {m.id: m.number for m in Member.select().where(Member.group == group)}
    return Counter(
        (e.kind, e.fund, e.amount, e.shares, numbers.get(e.member_id), e.effective_on, e.note)
        for e in Entry.select().where(Entry.group == group)
    )


def _loans(group) -> list:
    numbers = {m.id: m.number for m in Member.select().where(Member.group == group)}
    return sorted(
        (
            numbers[loan.member_id],
            loan.granted_on,
            loan.principal,
            loan.rate,
            loan.rate_period,
            loan.method,
            loan.periods,
            loan.status,
            loan.closed_on,
            loan.written_off,
            tuple(
                (i.number, i.due_on, i.principal, i.interest)
                for i in LoanInstallment.select()
                .where(LoanInstallment.loan == loan)
                .order_by(LoanInstallment.number)
            ),
        )
        for loan in Loan.select().where(Loan.group == group)
    )


def _meetings(group) -> list:
    return [
        (
            m.held_on,
            m.status,
            m.version,
            tuple(
                (c.fund, c.counted, c.computed)
                for c in CashCount.select().where(CashCount.meeting == m).order_by(CashCount.fund)
            ),
        )
        for m in Meeting.select().where(Meeting.group == group).order_by(Meeting.held_on)
    ]


def _share_outs(group) -> list:
    return [
        (s.held_on, s.cash, s.owed, s.value_per_share, s.carry_over, s.social_fund_carry_over)
        for s in CycleShareOut.select()
        .join(Cycle)
        .where(Cycle.group == group)
        .order_by(CycleShareOut.held_on)
    ]


@pytest.mark.parametrize("story", sorted(STORIES))
def test_the_bulk_path_writes_what_the_domain_writes(conn, admin, policy, story):
    options, share_outs = STORIES[story]
    load(options, policy)
    source = SavingsGroup.get()
    kinds = {e.kind for e in Entry.select(Entry.kind).distinct()}
    assert {
        EntryKind.LOAN_WRITE_OFF.value,
        EntryKind.EXIT_SETTLEMENT.value,
        EntryKind.SHARE_OUT.value,
        EntryKind.SHARE_PURCHASE.value,
        EntryKind.LOAN_INTEREST.value,
        EntryKind.FINE.value,
    } <= kinds, "the story does not cover what the test is for: choose another seed"
    # weekly: the social fund split and nothing left to carry over; monthly: a carry-over
    extra = {"weekly": EntryKind.SOCIAL_FUND_SHARE_OUT, "monthly": EntryKind.CARRY_OVER}
    assert extra[story].value in kinds
    assert Meeting.select().where(Meeting.status == MeetingStatus.DRAFT.value).count() == 1
    assert len(_share_outs(source)) == share_outs
    assert {loan[5] for loan in _loans(source)} == {
        "flat",
        "declining_equal_installment",
        "declining_equal_principal",
    }

    replayed = replay(admin, source)

    assert sum(_entries(source).values()) > 1000
    assert _entries(replayed) == _entries(source)
    assert _loans(replayed) == _loans(source)
    assert _meetings(replayed) == _meetings(source)
    assert _share_outs(replayed) == _share_outs(source)
    assert differences() == []
