"""Lending, by property: the ledger and the loans agree after any sequence of grants and
repayments, and the database follows the pure schedule and flexible allocation exactly."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peewee import fn

from savings_groups.core.vocabulary import EntryKind, Fund, LoanMethod, LoanStatus, LoanWarning
from savings_groups.ledger import entries as ledger
from savings_groups.loans import book as loan_book
from savings_groups.loans import operations as lending
from savings_groups.loans import portfolio as loan_portfolio
from savings_groups.loans.compute import flexible_allocation, schedule
from savings_groups.loans.requests import LoanRequest
from savings_groups.store.models import Entry, Loan

PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
EVERY = frozenset(LoanWarning)
START = date(2026, 2, 2)
METHODS = list(LoanMethod)


@pytest.fixture
def setup(conn, admin, make_group, make_member, make_cycle):
    def make(method, rate, unit, savings, currency="XOF"):
        group = make_group(currency=currency, rounding_unit=unit)
        cycle = make_cycle(
            group,
            loan_method=method,
            loan_rate=rate,
            loan_max_multiple=Decimal(3),
            loan_max_periods=6,
            one_loan_at_a_time=False,
        )
        members = []
        for amount in savings:
            member = make_member(group)
            ledger.post(
                admin,
                group,
                Fund.LOAN_FUND,
                EntryKind.SHARE_PURCHASE,
                amount,
                cycle=cycle,
                member=member,
                shares=1,
            )
            members.append(member)
        return group, cycle, members

    return make


def paid(loan, kind) -> int:
    total = Entry.select(fn.SUM(Entry.amount)).where((Entry.loan == loan) & (Entry.kind == kind))
    return int(total.scalar() or 0)


steps = st.lists(
    st.tuples(
        st.sampled_from(["grant", "repay", "wait"]),
        st.integers(0, 3),  # which member / loan
        st.integers(1, 100),  # a share of what is allowed, in per cent
        st.integers(1, 6),  # periods
    ),
    min_size=1,
    max_size=12,
)


@PROPERTY
@given(
    method=st.sampled_from(METHODS),
    rate=st.sampled_from([Decimal(0), Decimal("0.02"), Decimal("0.05"), Decimal("0.1")]),
    unit=st.sampled_from([1, 25]),
    steps=steps,
)
def test_the_ledger_and_the_loans_agree_after_any_sequence(setup, admin, method, rate, unit, steps):
    group, cycle, members = setup(method, rate, unit, [40_000, 60_000, 25_000, 10_000])
    cash_before = ledger.balances(group)[Fund.LOAN_FUND]
    on, granted, repaid_principal, repaid_interest = START, 0, 0, 0
    loans = []
    for action, who, share, periods in steps:
        if action == "wait":
            on += timedelta(days=7 * (share % 5))
        elif action == "grant":
            member = members[who]
            cash = ledger.balances(group)[Fund.LOAN_FUND]
            allowed = min(cash, 3 * ledger.member_totals(group, cycle)[member.id].savings)
            principal = allowed * share // 100
            if principal <= 0:
                continue
            loan = lending.grant_loan(
                admin,
                group,
                cycle,
                LoanRequest(member, principal, periods, "business"),
                on,
                acknowledged=EVERY,
            )
            loans.append(loan)
            granted += principal
        elif loans:
            loan = loans[who % len(loans)]
            if loan.status != LoanStatus.ACTIVE.value:
                continue
            most = loan_book.standing(loan, on).most_payable
            amount = max(1, most * share // 100)
            if most == 0:
                continue
            result = lending.record_repayment(admin, loan, amount, on)
            assert result.interest + result.principal == amount
            repaid_principal += result.principal
            repaid_interest += result.interest

    # The box: what was there, less what was lent, plus principal and interest repaid.
    assert ledger.balances(group)[Fund.LOAN_FUND] == (
        cash_before - granted + repaid_principal + repaid_interest
    )
    report = loan_portfolio.portfolio(group, cycle, on)
    outstanding = 0
    for loan in loans:
        loan = Loan.get_by_id(loan.id)
        owed = loan.principal - paid(loan, EntryKind.LOAN_PRINCIPAL.value)
        assert owed >= 0
        assert -paid(loan, EntryKind.LOAN_DISBURSEMENT.value) == loan.principal
        assert (owed == 0) == (loan.status == LoanStatus.REPAID.value)
        assert loan_book.standing(loan, on).principal_outstanding == owed
        outstanding += owed
    assert report.principal_outstanding == outstanding
    assert Decimal(0) <= report.par30 <= Decimal(1)
    assert report.repayment_rate is None or Decimal(0) <= report.repayment_rate <= Decimal(1)
    # Loans are not savings.
    assert sum(t.savings for t in ledger.member_totals(group, cycle).values()) == 135_000


@PROPERTY
@given(
    method=st.sampled_from(METHODS[:3]),
    rate=st.decimals(min_value=0, max_value=Decimal("0.2"), places=3),
    unit=st.sampled_from([1, 25, 500]),
    periods=st.integers(1, 6),
    share=st.integers(1, 100),
)
def test_paying_each_installment_on_its_day_follows_the_schedule(
    setup, admin, method, rate, unit, periods, share
):
    group, cycle, (ada, _bea) = setup(method, rate, unit, [5_000_000, 5_000_000], "NGN")
    principal = max(1, 10_000_000 * share // 100)
    loan = lending.grant_loan(
        admin,
        group,
        cycle,
        LoanRequest(ada, principal, periods, "health"),
        START,
        acknowledged=EVERY,
    )
    expected = schedule(principal, rate, periods, method, unit)
    for number, installment in enumerate(expected, start=1):
        day = START + timedelta(weeks=number)
        assert loan_book.arrears(loan, day) == loan_book.Arrears(0, 0)
        assert loan_book.due_now(loan, day) == (installment.interest, installment.principal)
        result = lending.record_repayment(admin, loan, installment.total, day)
        assert (result.interest, result.principal) == (installment.interest, installment.principal)
        assert result.repaid == (number == periods)
    assert paid(loan, EntryKind.LOAN_INTEREST.value) == sum(i.interest for i in expected)
    assert Loan.get_by_id(loan.id).status == LoanStatus.REPAID.value


@PROPERTY
@given(
    rate=st.decimals(min_value=0, max_value=Decimal("0.2"), places=3),
    unit=st.sampled_from([1, 25]),
    periods=st.integers(1, 5),
    wishes=st.lists(st.integers(0, 100), min_size=1, max_size=8),
)
def test_flexible_loan_in_the_database_is_the_pure_allocation(
    setup, admin, rate, unit, periods, wishes
):
    """Paying at each meeting (each due date) splits exactly as loans.flexible_allocation."""
    group, cycle, (ada, _bea) = setup("flexible", rate, unit, [40_000, 60_000])
    principal = 90_000
    loan = lending.grant_loan(
        admin,
        group,
        cycle,
        LoanRequest(ada, principal, periods, "business"),
        START,
        acknowledged=EVERY,
    )
    payments = []
    for number, wish in enumerate(wishes, start=1):
        day = START + timedelta(weeks=number)
        most = loan_book.standing(loan, day).most_payable
        amount = most * wish // 100
        payments.append(amount)
        expected = flexible_allocation(principal, rate, payments, unit)[-1]
        if amount:
            result = lending.record_repayment(admin, loan, amount, day)
            assert (result.interest, result.principal) == (expected.interest, expected.principal)
        assert loan_book.standing(loan, day).principal_outstanding == expected.balance
        if expected.balance == 0 and expected.interest_arrears == 0:
            assert Loan.get_by_id(loan.id).status == LoanStatus.REPAID.value
            break
