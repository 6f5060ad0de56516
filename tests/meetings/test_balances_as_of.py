"""Balances "as of a meeting" (ledger.balances_as_of): an earlier meeting shows what it showed,
whatever was recorded after it (a settlement, the share-out, the next cycle), to the franc."""

from datetime import date, timedelta

import pytest

from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import EntryKind, Fund
from savings_groups.ledger import entries as ledger
from savings_groups.loans import operations as lending
from savings_groups.loans.requests import LoanRequest
from savings_groups.meetings import operations as meetings
from savings_groups.meetings import summary as meeting_summary
from savings_groups.meetings.sheet import MeetingSheet, MemberLine, balances_before
from savings_groups.reports import group_summary
from savings_groups.shareout import exits, next_cycle
from savings_groups.shareout import operations as closing
from savings_groups.shareout.next_cycle import NextMember
from savings_groups.store.models import Cycle, Entry, FineType, Meeting

LOAN, SOCIAL = Fund.LOAN_FUND, Fund.SOCIAL_FUND
M1, M2, M3 = date(2026, 1, 12), date(2026, 1, 19), date(2026, 2, 2)
LEFT, SHARED_OUT, NEXT = date(2026, 1, 26), date(2026, 2, 9), date(2026, 2, 10)


@pytest.fixture
def trio(make_group, make_member, make_cycle):
    """XOF, unit 25, shares of 1,000 (0 to 5 a meeting), loans at 10 % flat, a fine "Late" of
    510: Awa, Binta, Chris."""
    group = make_group(currency="XOF", rounding_unit=25)
    cycle = Cycle.get_by_id(make_cycle(group, min_shares=0, max_shares=5, loan_rate="0.10").id)
    late = FineType.create(cycle=cycle, name="Late", amount=510)
    people = [make_member(group, name) for name in ("Awa", "Binta", "Chris")]
    return group, cycle, people, late


def hold(actor, group, day, lines, counted=None, note=""):
    """Open a meeting on `day` and close it with `lines` (member, shares, social fund, fines),
    the cash counted being what the books say unless given."""
    meeting = meetings.open_meeting(actor, group, day)
    sheet = MeetingSheet(
        [
            MemberLine(m.id, shares=s, social_fund=sf, fines=[f.id for f in fs])
            for m, s, sf, fs in lines
        ]
    )
    counted = counted or {box: amount for box, amount in meetings.preview(meeting, sheet).items()}
    return meetings.close_meeting(
        actor, meeting, sheet, {b: counted[b] for b in (LOAN, SOCIAL)}, note, meeting.version
    )


def opening_and_closing(meeting):
    shown = meeting_summary.summary(Meeting.get_by_id(meeting.id))
    return (
        (shown.opening[LOAN], shown.opening[SOCIAL]),
        (shown.closing[LOAN], shown.closing[SOCIAL]),
    )


def test_old_meetings_keep_their_opening_cash_after_an_exit_a_share_out_and_the_next_cycle(
    admin, trio
):
    group, cycle, (awa, binta, chris), late = trio
    one = hold(admin, group, M1, [(awa, 2, 200, ()), (binta, 3, 200, ()), (chris, 1, 200, ())])
    two = hold(admin, group, M2, [(awa, 1, 200, ()), (binta, 2, 200, ()), (chris, 2, 200, ())])
    # Chris leaves after the second meeting with his savings back: 3 shares, 3,000.
    exits.settle(admin, chris, LEFT, "Moved to Dakar")
    three = hold(admin, group, M3, [(awa, 1, 200, ()), (binta, 1, 200, (late,))])
    # The share-out: 10,510 in the loan fund for 10 shares (Awa 4, Binta 6), 1,051 a share;
    # in units of 25 Awa gets 4,200 (of 4,204) and Binta 6,300 (of 6,306): 10 carried over.
    # The social fund (3 x 200 + 3 x 200 + 2 x 200 = 1,600) is kept.
    closing.finalise(admin, group, cycle, SHARED_OUT)
    rules = next_cycle.proposed_rules(cycle, next_cycle.share_out_of(cycle))
    assert rules.start_date == NEXT
    new = next_cycle.start_next_cycle(
        admin, group, cycle, rules, {awa.id: NextMember(reinvest="2"), binta.id: NextMember()}
    )

    assert opening_and_closing(one) == ((0, 0), (6_000, 600))
    assert opening_and_closing(two) == ((6_000, 600), (11_000, 1_200))
    # After Chris's 3,000, before Awa's and Binta's 2,000 and Binta's fine of 510.
    assert opening_and_closing(three) == ((8_000, 1_200), (10_510, 1_600))
    for meeting, counted in ((one, 6_000), (two, 11_000), (three, 10_510)):
        assert ledger.balances_as_of(group, cycle, meeting.held_on, including=True)[LOAN] == (
            counted
        )
    # The old cycle ends empty; the new one opens with the 10 carried over, the social fund
    # kept and Awa's 2 shares reinvested, before a meeting held on its first day.
    assert ledger.balances(group, cycle)[LOAN] == ledger.balances(group, cycle)[SOCIAL] == 0
    first = meetings.open_meeting(admin, group, NEXT)
    assert balances_before(first)[LOAN] == 10 + 2 * 1_000
    assert balances_before(first)[SOCIAL] == 1_600
    assert ledger.balances_as_of(group, new, NEXT)[LOAN] == 2_010


def test_reclosing_a_meeting_after_an_exit_posts_no_false_difference(admin, trio):
    group, _cycle, (awa, binta, chris), _late = trio
    hold(admin, group, M1, [(awa, 2, 200, ()), (binta, 3, 200, ()), (chris, 1, 200, ())])
    two = hold(admin, group, M2, [(awa, 1, 0, ()), (binta, 2, 0, ()), (chris, 2, 0, ())])
    exits.settle(admin, chris, LEFT, "Moved to Dakar")  # 3,000 out of the loan fund
    assert balances_before(Meeting.get_by_id(two.id)) == {
        LOAN: 6_000,
        SOCIAL: 600,
        Fund.POT: 0,
        Fund.BANK: 0,
    }

    meetings.reopen_meeting(admin, Meeting.get_by_id(two.id), "A share was forgotten")
    two = Meeting.get_by_id(two.id)
    sheet = MeetingSheet(
        [
            MemberLine(awa.id, shares=2),
            MemberLine(binta.id, shares=2),
            MemberLine(chris.id, shares=2),
        ]
    )
    # The count of that day: 6,000 + 6,000 bought; no note needed, no difference posted.
    meetings.close_meeting(admin, two, sheet, {LOAN: 12_000, SOCIAL: 600}, "", two.version)
    kinds = [e.kind for e in Entry.select().where(Entry.kind == EntryKind.CASH_DIFFERENCE.value)]
    assert kinds == []
    assert opening_and_closing(two) == ((6_000, 600), (12_000, 600))
    assert ledger.balances(group, two.cycle)[LOAN] == 12_000 - 3_000


def test_entries_outside_a_meeting_are_dated_the_day_the_money_moved(admin, trio):
    """Typed today, dated the day chosen: a settlement and its loan's clearing, the share-out's
    payouts and loan deductions, a write-off, the carry-over and the reinvested shares."""
    group, cycle, (awa, binta, chris), _late = trio
    hold(admin, group, M1, [(awa, 5, 200, ()), (binta, 5, 200, ()), (chris, 5, 200, ())])
    every = {"arrears", "repay_debt", "debt_ratio", "third_consecutive"}

    def lend(member, principal, on):
        request = LoanRequest(member, principal, 3, "business")
        return lending.grant_loan(admin, group, cycle, request, on, acknowledged=every)

    lend(chris, 2_000, M1)
    binta_loan, awa_loan = lend(binta, 1_000, M1), lend(awa, 1_000, M1)
    lending.write_off(admin, awa_loan, "Gone", M2)
    exits.settle(admin, chris, LEFT, "Moved to Dakar")
    closing.finalise(admin, group, cycle, SHARED_OUT)
    rules = next_cycle.proposed_rules(cycle, next_cycle.share_out_of(cycle))
    new = next_cycle.start_next_cycle(
        admin, group, cycle, rules, {binta.id: NextMember(reinvest="1")}
    )

    def dated(**where):
        query = Entry.select().where(Entry.meeting.is_null())
        for name, value in where.items():
            query = query.where(getattr(Entry, name) == value)
        return {(e.kind, e.effective_on) for e in query}

    assert dated(loan=awa_loan.id) == {(EntryKind.LOAN_DISBURSEMENT.value, M1)} | {
        (EntryKind.LOAN_WRITE_OFF.value, M2)
    }
    assert dated(member=chris.id) == {
        (EntryKind.LOAN_DISBURSEMENT.value, M1),
        (EntryKind.LOAN_INTEREST.value, LEFT),
        (EntryKind.LOAN_PRINCIPAL.value, LEFT),
        (EntryKind.EXIT_SETTLEMENT.value, LEFT),
    }
    assert dated(loan=binta_loan.id) == {
        (EntryKind.LOAN_DISBURSEMENT.value, M1),
        (EntryKind.LOAN_INTEREST.value, SHARED_OUT),
        (EntryKind.LOAN_PRINCIPAL.value, SHARED_OUT),
    }
    assert dated(kind=EntryKind.SHARE_OUT.value) == {(EntryKind.SHARE_OUT.value, SHARED_OUT)}
    assert dated(kind=EntryKind.CARRY_OVER.value) == {(EntryKind.CARRY_OVER.value, NEXT)}
    assert dated(cycle=new.id, kind=EntryKind.SHARE_PURCHASE.value) == {
        (EntryKind.SHARE_PURCHASE.value, NEXT)
    }


def test_a_meeting_on_the_day_of_a_settlement_comes_before_it(admin, trio):
    """The tie rule: what is done outside a meeting on a meeting's day counts after it."""
    group, cycle, (awa, binta, chris), _late = trio
    hold(admin, group, M1, [(awa, 2, 0, ()), (binta, 2, 0, ()), (chris, 2, 0, ())])
    two = hold(admin, group, M2, [(awa, 1, 0, ()), (binta, 1, 0, ()), (chris, 1, 0, ())])
    exits.settle(admin, chris, M2, "Moved to Dakar")  # 3,000, from the books after the meeting
    assert balances_before(two)[LOAN] == 6_000
    assert ledger.balances_as_of(group, cycle, M2, including=True)[LOAN] == 9_000
    assert ledger.balances_as_of(group, cycle, M3)[LOAN] == 6_000
    # Chris's line could not be saved again once he has left: the meeting stays closed.
    refused = meetings.why_not_reopened(Meeting.get_by_id(two.id))
    assert refused is not None and refused.params == {"name": "Chris", "date": M2}
    with pytest.raises(DomainError):
        meetings.reopen_meeting(admin, Meeting.get_by_id(two.id), "A share was forgotten")


def test_savings_to_date_leave_out_a_member_paid_out_on_leaving(admin, trio):
    group, _cycle, (awa, binta, chris), _late = trio
    hold(admin, group, M1, [(awa, 2, 0, ()), (binta, 3, 0, ()), (chris, 1, 0, ())])
    hold(admin, group, M2, [(awa, 1, 0, ()), (binta, 2, 0, ()), (chris, 2, 0, ())])
    exits.settle(admin, chris, LEFT, "Moved to Dakar")
    hold(admin, group, M3, [(awa, 1, 0, ()), (binta, 1, 0, ())])
    figures = group_summary.group_summary(group)
    # Awa 4,000 and Binta 6,000; Chris's 3,000 went back to him.
    assert figures.savings == 10_000
    assert figures.savings_series == [
        (date(2026, 1, 5), 0),
        (M1, 6_000),
        (M2, 11_000),
        (LEFT, 8_000),
        (M3, 10_000),
    ]


def test_the_share_out_is_not_dated_before_a_settlement(admin, trio):
    """The share-out is made from the books after the settlement: dated before it, it would
    count before it."""
    group, cycle, (awa, binta, chris), _late = trio
    hold(admin, group, M1, [(awa, 2, 0, ()), (binta, 2, 0, ()), (chris, 2, 0, ())])
    exits.settle(admin, chris, LEFT, "Moved to Dakar")
    early = closing.preview(group, cycle, LEFT - timedelta(days=1)).problems
    assert [(p.field, p.params) for p in early] == [("on", {"day": LEFT})]
    assert closing.preview(group, cycle, LEFT).problems == []


def test_savings_to_date_after_a_settlement_before_any_meeting(admin, trio):
    group, cycle, (awa, binta, _chris), _late = trio
    for member, shares in ((awa, 2), (binta, 3)):
        ledger.post(
            admin,
            group,
            LOAN,
            EntryKind.OPENING_BALANCE,
            shares * 1_000,
            cycle=cycle,
            member=member,
            shares=shares,
            effective_on=cycle.start_date,
        )
    exits.settle(admin, binta, LEFT, "Moved to Dakar")
    figures = group_summary.group_summary(group)
    assert (figures.savings, figures.savings_series) == (2_000, [])


def test_no_meeting_is_dated_on_or_before_a_settlement(admin, trio):
    """A settlement is computed from the books as they stood on its day: a meeting recorded
    later for that day or an earlier one would change them."""
    group, cycle, (awa, binta, chris), _late = trio
    hold(admin, group, M1, [(awa, 2, 0, ()), (binta, 2, 0, ()), (chris, 2, 0, ())])
    exits.settle(admin, chris, LEFT, "Moved to Dakar")
    written = Meeting.select().count()
    for day in (M2, LEFT):
        with pytest.raises(DomainError) as refused:
            meetings.open_meeting(admin, group, day)
        assert refused.value.field == "held_on" and refused.value.params == {"date": LEFT}
    assert Meeting.select().count() == written
    assert meetings.open_meeting(
        admin, group, LEFT + timedelta(days=1)
    ).held_on == LEFT + timedelta(days=1)
