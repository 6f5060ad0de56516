"""The ledger itself: posting, reversing, correcting, balances and member totals, exact to the unit."""

import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import EntryKind, Fund
from savings_groups.ledger import entries as ledger
from savings_groups.store.db import db
from savings_groups.store.models import AuditEntry, Entry, Meeting

PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def setup(conn, admin, make_group, make_member, make_cycle):
    def make(currency="XOF"):
        group = make_group(currency=currency)
        cycle = make_cycle(group)
        members = [make_member(group) for _ in range(3)]
        meeting = Meeting.create(group=group, cycle=cycle, held_on=date(2026, 1, 12))
        return group, cycle, members, meeting

    return make


def entries_count():
    return Entry.select().count()


@pytest.mark.parametrize("currency, amount", [("XOF", 1_500), ("NGN", 150_075)])
def test_post_then_balances_are_exact(setup, admin, currency, amount):
    group, cycle, (ada, bea, _c), meeting = setup(currency)
    ledger.post(
        admin,
        group,
        Fund.LOAN_FUND,
        EntryKind.SHARE_PURCHASE,
        amount,
        cycle=cycle,
        meeting=meeting,
        member=ada,
        shares=3,
    )
    ledger.post(
        admin, group, "social_fund", "social_fund_contribution", 205, cycle=cycle, member=bea
    )
    ledger.post(
        admin, group, Fund.SOCIAL_FUND, EntryKind.WELFARE_GRANT, -105, cycle=cycle, member=bea
    )
    assert ledger.balances(group, cycle) == {
        Fund.LOAN_FUND: amount,
        Fund.SOCIAL_FUND: 100,
        Fund.POT: 0,
        Fund.BANK: 0,
    }
    assert ledger.balances(group) == ledger.balances(group, cycle)


def test_post_refuses_floats_too_large_amounts_and_shares_on_other_kinds(setup, admin):
    group, cycle, (ada, *_), _m = setup()
    with pytest.raises(TypeError):
        ledger.post(admin, group, Fund.LOAN_FUND, EntryKind.FINE, 10.0, member=ada)
    with pytest.raises(TypeError):
        ledger.post(admin, group, Fund.LOAN_FUND, EntryKind.FINE, True, member=ada)
    with pytest.raises(DomainError) as refused:
        ledger.post(admin, group, Fund.LOAN_FUND, EntryKind.FINE, 10**15 + 1, member=ada)
    assert refused.value.field == "amount"
    with pytest.raises(ValueError):
        ledger.post(admin, group, Fund.LOAN_FUND, EntryKind.FINE, 100, member=ada, shares=1)
    with pytest.raises(ValueError):
        ledger.post(admin, group, Fund.LOAN_FUND, "interest", 100)
    assert entries_count() == 0


def test_post_refuses_a_member_of_another_group(setup, admin, make_group, make_member):
    group, *_ = setup()
    stranger = make_member(make_group())
    with pytest.raises(ValueError):
        ledger.post(admin, group, Fund.LOAN_FUND, EntryKind.FINE, 100, member=stranger)
    assert entries_count() == 0


def test_reverse_cancels_exactly_and_is_audited(setup, admin):
    group, cycle, (ada, *_), meeting = setup("NGN")
    entry = ledger.post(
        admin,
        group,
        Fund.LOAN_FUND,
        EntryKind.SHARE_PURCHASE,
        250_050,
        cycle=cycle,
        meeting=meeting,
        member=ada,
        shares=2,
    )
    reversal = ledger.reverse(admin, entry, "  typed twice ")
    assert (reversal.amount, reversal.shares, reversal.reverses_id) == (-250_050, -2, entry.id)
    assert (reversal.member_id, reversal.meeting_id, reversal.cycle_id) == (
        ada.id,
        meeting.id,
        cycle.id,
    )
    assert reversal.note == "typed twice"
    assert ledger.balances(group)[Fund.LOAN_FUND] == 0
    assert ledger.member_totals(group)[ada.id] == ledger.MemberTotals()
    audit = AuditEntry.get(AuditEntry.action == "entry.reverse")
    assert audit.object_id == entry.id and audit.group_id == group.id
    assert json.loads(audit.details) == {"amount": 250_050, "reason": "typed twice"}


def test_reverse_needs_a_reason(setup, admin):
    group, cycle, (ada, *_), _m = setup()
    entry = ledger.post(admin, group, Fund.LOAN_FUND, EntryKind.FINE, 500, member=ada)
    with pytest.raises(DomainError) as refused:
        ledger.reverse(admin, entry, "   ")
    assert refused.value.field == "reason"
    assert (
        entries_count() == 1
        and AuditEntry.select().where(AuditEntry.action == "entry.reverse").count() == 0
    )


def test_reversing_twice_or_reversing_a_reversal_is_refused(setup, admin):
    group, cycle, (ada, *_), _m = setup()
    entry = ledger.post(admin, group, Fund.LOAN_FUND, EntryKind.FINE, 500, member=ada)
    reversal = ledger.reverse(admin, entry, "wrong member")
    with pytest.raises(DomainError, match="already been reversed"):
        ledger.reverse(admin, entry, "again")
    with pytest.raises(DomainError, match="itself a correction"):
        ledger.reverse(admin, reversal, "undo the undo")
    with pytest.raises(DomainError, match="already been reversed"):
        ledger.correct(admin, entry, 400, 0, "again")
    assert entries_count() == 2
    assert ledger.balances(group)[Fund.LOAN_FUND] == 0


@pytest.mark.parametrize("currency", ["XOF", "NGN"])
def test_correct_reverses_and_posts_the_right_entry_in_one_go(setup, admin, currency):
    group, cycle, (ada, *_), meeting = setup(currency)
    entry = ledger.post(
        admin,
        group,
        Fund.LOAN_FUND,
        EntryKind.SHARE_PURCHASE,
        3_000,
        cycle=cycle,
        meeting=meeting,
        member=ada,
        shares=3,
    )
    reversal, corrected = ledger.correct(admin, entry, 2_000, 2, "two shares, not three")
    assert reversal.reverses_id == entry.id
    assert (corrected.amount, corrected.shares, corrected.kind, corrected.meeting_id) == (
        2_000,
        2,
        "share_purchase",
        meeting.id,
    )
    assert corrected.note == "two shares, not three"
    assert ledger.balances(group, cycle)[Fund.LOAN_FUND] == 2_000
    assert ledger.member_totals(group, cycle)[ada.id].shares == 2


def test_a_failed_correction_writes_nothing(setup, admin):
    group, cycle, (ada, *_), _m = setup()
    entry = ledger.post(admin, group, Fund.LOAN_FUND, EntryKind.FINE, 500, member=ada)
    with pytest.raises(DomainError):
        ledger.correct(admin, entry, 10**16, 0, "too much")
    assert entries_count() == 1
    assert not AuditEntry.select().where(AuditEntry.action == "entry.reverse").exists()


def test_member_totals_say_where_each_kind_counts(setup, admin):
    group, cycle, (ada, bea, cy), meeting = setup("NGN")
    post = lambda *a, **k: ledger.post(admin, group, *a, cycle=cycle, **k)  # noqa: E731
    post(Fund.LOAN_FUND, EntryKind.OPENING_BALANCE, 1_000_00, member=ada, shares=10)
    post(Fund.SOCIAL_FUND, EntryKind.OPENING_BALANCE, 50_00, member=ada)
    post(Fund.LOAN_FUND, EntryKind.SHARE_PURCHASE, 200_00, member=ada, shares=2, meeting=meeting)
    post(Fund.SOCIAL_FUND, EntryKind.SOCIAL_FUND_CONTRIBUTION, 10_50, member=ada)
    post(Fund.LOAN_FUND, EntryKind.FINE, 5_25, member=ada)
    post(Fund.SOCIAL_FUND, EntryKind.WELFARE_GRANT, -30_00, member=bea)
    post(Fund.LOAN_FUND, EntryKind.CASH_DIFFERENCE, -1_00)  # no member: in no member's totals
    post(Fund.LOAN_FUND, EntryKind.OPENING_BALANCE, 77_00)  # the box's paper balance
    totals = ledger.member_totals(group, cycle)
    assert totals[ada.id] == ledger.MemberTotals(
        shares=12, savings=1_200_00, social_fund=60_50, fines=5_25, welfare_received=0
    )
    assert totals[bea.id] == ledger.MemberTotals(welfare_received=30_00)
    assert cy.id not in totals
    assert ledger.balances(group, cycle) == {
        Fund.LOAN_FUND: 1_000_00 + 200_00 + 5_25 - 1_00 + 77_00,
        Fund.SOCIAL_FUND: 50_00 + 10_50 - 30_00,
        Fund.POT: 0,
        Fund.BANK: 0,
    }


def test_balances_and_totals_of_one_cycle_leave_the_others_out(setup, admin, make_cycle):
    group, cycle, (ada, *_), _m = setup()
    later = make_cycle(group, start_date=date(2027, 1, 4), planned_end=date(2027, 12, 27))
    ledger.post(admin, group, Fund.LOAN_FUND, EntryKind.FINE, 100, cycle=cycle, member=ada)
    ledger.post(admin, group, Fund.LOAN_FUND, EntryKind.FINE, 300, cycle=later, member=ada)
    assert ledger.balances(group, cycle)[Fund.LOAN_FUND] == 100
    assert ledger.balances(group, later)[Fund.LOAN_FUND] == 300
    assert ledger.balances(group)[Fund.LOAN_FUND] == 400
    assert ledger.member_totals(group, later)[ada.id].fines == 300
    assert ledger.member_totals(group)[ada.id].fines == 400


def test_history_is_newest_first_and_filters(setup, admin, make_cycle):
    group, cycle, (ada, bea, _c), _m = setup()
    first = ledger.post(admin, group, Fund.LOAN_FUND, EntryKind.FINE, 100, cycle=cycle, member=ada)
    second = ledger.post(admin, group, Fund.LOAN_FUND, EntryKind.FINE, 200, cycle=cycle, member=bea)
    third = ledger.post(admin, group, Fund.LOAN_FUND, EntryKind.FINE, 300, member=ada)
    assert [e.id for e in ledger.history(group)] == [third.id, second.id, first.id]
    assert [e.id for e in ledger.history(group, member=ada)] == [third.id, first.id]
    assert [e.id for e in ledger.history(group, cycle=cycle)] == [second.id, first.id]
    assert ledger.history(group).first().recorded_by.full_name == admin.full_name


# --- properties -------------------------------------------------------------------------------

KINDS_AND_FUNDS = [
    (EntryKind.SHARE_PURCHASE, Fund.LOAN_FUND),
    (EntryKind.OPENING_BALANCE, Fund.LOAN_FUND),
    (EntryKind.OPENING_BALANCE, Fund.SOCIAL_FUND),
    (EntryKind.SOCIAL_FUND_CONTRIBUTION, Fund.SOCIAL_FUND),
    (EntryKind.FINE, Fund.LOAN_FUND),
    (EntryKind.FINE, Fund.SOCIAL_FUND),
    (EntryKind.WELFARE_GRANT, Fund.SOCIAL_FUND),
    (EntryKind.CASH_DIFFERENCE, Fund.LOAN_FUND),
    (EntryKind.CASH_DIFFERENCE, Fund.POT),
]

entry_specs = st.lists(
    st.tuples(
        st.sampled_from(KINDS_AND_FUNDS),
        st.integers(min_value=-(10**12), max_value=10**12),
        st.integers(min_value=0, max_value=5),  # shares, for the kinds that carry them
        st.sampled_from([0, 1, 2, None]),  # which member, or none
    ),
    min_size=1,
    max_size=25,
)


def post_all(admin, group, cycle, members, specs):
    entries = []
    for (kind, fund), amount, shares, who in specs:
        member = members[who] if who is not None else None
        carries = kind in ledger.SAVINGS_KINDS
        entries.append(
            ledger.post(
                admin,
                group,
                fund,
                kind,
                amount,
                cycle=cycle,
                member=member,
                shares=shares if carries else 0,
            )
        )
    return entries


def in_rollback(check):
    """Run one hypothesis example in a transaction that is rolled back: a clean ledger each time."""
    with db.atomic() as transaction:
        try:
            check()
        finally:
            transaction.rollback()


@pytest.mark.parametrize("currency", ["XOF", "NGN"])
@PROPERTY
@given(specs=entry_specs)
def test_each_balance_is_the_sum_of_its_entries(setup, admin, currency, specs):
    group, cycle, members, _m = setup(currency)

    def check():
        entries = post_all(admin, group, cycle, members, specs)
        expected = {fund: sum(e.amount for e in entries if e.fund == fund) for fund in Fund}
        assert ledger.balances(group, cycle) == expected
        assert ledger.balances(group) == expected
        totals = ledger.member_totals(group, cycle)
        savings = sum(
            e.amount
            for e in entries
            if e.member_id and e.kind in ledger.SAVINGS_KINDS and e.fund == Fund.LOAN_FUND
        )
        assert sum(t.savings for t in totals.values()) == savings

    in_rollback(check)


@pytest.mark.parametrize("currency", ["XOF", "NGN"])
@PROPERTY
@given(specs=entry_specs, data=st.data())
def test_reversing_any_entry_restores_every_balance_exactly(setup, admin, currency, specs, data):
    group, cycle, members, _m = setup(currency)

    def check():
        entries = post_all(admin, group, cycle, members, specs[:-1])
        before = (ledger.balances(group, cycle), ledger.member_totals(group, cycle))
        extra = post_all(admin, group, cycle, members, specs[-1:])[0]
        victim = data.draw(st.sampled_from([*entries, extra]))
        ledger.reverse(admin, victim, "property")
        if victim is extra:
            balances, totals = ledger.balances(group, cycle), ledger.member_totals(group, cycle)
            assert balances == before[0]
            zero = ledger.MemberTotals()
            assert {k: v for k, v in totals.items() if v != zero} == {
                k: v for k, v in before[1].items() if v != zero
            }
        # Whatever was reversed, the boxes hold the entries that are not cancelled, exactly.
        alive = [e for e in [*entries, extra] if e.id != victim.id]
        assert ledger.balances(group, cycle) == {
            fund: sum(e.amount for e in alive if e.fund == fund) for fund in Fund
        }
        with pytest.raises(DomainError):
            ledger.reverse(admin, victim, "twice")
        reversal = Entry.get(Entry.reverses == victim)
        with pytest.raises(DomainError):
            ledger.reverse(admin, reversal, "a reversal")

    in_rollback(check)
