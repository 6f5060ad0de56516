"""Loans outstanding at the opening from paper books: a loan like any other, no cash moved."""

import json
from datetime import date
from decimal import Decimal

import pytest

from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import EntryKind, Fund, LoanStatus, Role
from savings_groups.ledger import entries as ledger
from savings_groups.ledger.entries import MemberTotals
from savings_groups.loans import book as loan_book
from savings_groups.loans import operations as lending
from savings_groups.loans import portfolio as loan_portfolio
from savings_groups.loans.book import Arrears, Standing
from savings_groups.loans.compute import LoanError
from savings_groups.loans.operations import Repayment
from savings_groups.meetings import opening
from savings_groups.meetings.opening import MemberOpening
from savings_groups.store.db import db
from savings_groups.store.models import AuditEntry, Entry, Loan, LoanInstallment

NOTE = "Ouverture depuis les cahiers"
REST = "Ouverture : argent non attribué aux membres"
FLAT = {"loan_rate": Decimal("0.10"), "loan_method": "flat", "loan_max_periods": 4}


def record(actor, group, cycle, loan_fund, social, rows, **kwargs):
    return opening.record_opening(
        actor,
        group,
        cycle,
        loan_fund_cash=loan_fund,
        social_fund_cash=social,
        members=rows,
        note=NOTE,
        remainder_note=REST,
        **kwargs,
    )


def schedule_of(loan):
    return [
        (i.number, i.due_on, i.principal, i.interest)
        for i in LoanInstallment.select()
        .where(LoanInstallment.loan == loan)
        .order_by(LoanInstallment.number)
    ]


def nothing_written():
    return (
        Entry.select().count() == 0
        and Loan.select().count() == 0
        and LoanInstallment.select().count() == 0
        and AuditEntry.select()
        .where(AuditEntry.action.in_(["cycle.opening", "loan.opening"]))
        .count()
        == 0
    )


def test_a_loan_outstanding_in_xof_becomes_a_loan_like_any_other(
    conn, admin, make_group, make_member, make_cycle
):
    group = make_group(currency="XOF", rounding_unit=25, meeting_frequency="weekly")
    cycle = make_cycle(group, share_value=500, **FLAT)
    awa, binta = make_member(group, "Awa"), make_member(group, "Binta")
    # Awa still owes 12,000 of principal, 6 weeks left (longer than today's 4-period rule).
    entries = record(
        admin,
        group,
        cycle,
        6000,
        2000,
        {awa.id: MemberOpening(10, 1000, 12_000, 6), binta.id: MemberOpening(4)},
        loan_note=lambda amount: f"Prêt en cours dans les cahiers : {amount}",
        on=date(2026, 3, 2),
    )
    # No cash moved: the boxes hold exactly the cash counted; Awa's savings are unchanged.
    assert ledger.balances(group) == {
        Fund.LOAN_FUND: 6000,
        Fund.SOCIAL_FUND: 2000,
        Fund.POT: 0,
        Fund.BANK: 0,
    }
    assert ledger.member_totals(group, cycle)[awa.id] == MemberTotals(10, 5000, 1000)
    loan = Loan.get()
    assert (loan.member_id, loan.principal, loan.rate, loan.method, loan.periods) == (
        awa.id,
        12_000,
        Decimal("0.10"),
        "flat",
        6,
    )
    assert (loan.unit, loan.frequency, loan.granted_on, loan.meeting_id, loan.status) == (
        25,
        "weekly",
        date(2026, 3, 2),
        None,
        LoanStatus.ACTIVE.value,
    )
    # Flat 10% of 12,000 = 1,200 a week; 12,000 / 6 = 2,000 of principal a week.
    weeks = [(3, 9), (3, 16), (3, 23), (3, 30), (4, 6), (4, 13)]
    assert schedule_of(loan) == [
        (n, date(2026, m, d), 2000, 1200) for n, (m, d) in enumerate(weeks, 1)
    ]
    last = entries[-1]
    assert (last.kind, last.fund, last.amount, last.member_id, last.loan_id, last.note) == (
        EntryKind.OPENING_BALANCE.value,
        Fund.LOAN_FUND.value,
        0,
        awa.id,
        loan.id,
        "Prêt en cours dans les cahiers : 12000",
    )
    assert not Entry.select().where(Entry.kind == EntryKind.LOAN_DISBURSEMENT.value).exists()
    audit = AuditEntry.get(AuditEntry.action == "loan.opening")
    assert (audit.object_id, audit.group_id) == (loan.id, group.id)
    details = json.loads(AuditEntry.get(AuditEntry.action == "cycle.opening").details)
    assert (details["loans"], details["loans_outstanding"]) == ([loan.id], 12_000)

    assert loan_book.standing(loan, date(2026, 3, 2)) == Standing(12_000, 0, 0, Arrears(0, 0))
    assert loan_book.due_now(loan, date(2026, 3, 9)) == (1200, 2000)
    assert lending.record_repayment(admin, loan, 3200, date(2026, 3, 9)) == Repayment(
        1200, 2000, False
    )
    assert ledger.balances(group)[Fund.LOAN_FUND] == 6000 + 3200
    # The second week unpaid: late from the day after.
    assert loan_book.standing(loan, date(2026, 3, 17)) == Standing(
        10_000, 1200, 2000, Arrears(3200, 1, 1200, 2000)
    )
    report = loan_portfolio.portfolio(group, cycle, date(2026, 3, 17))
    assert (report.loans_outstanding, report.principal_outstanding) == (1, 10_000)
    assert report.arrears["1_30"] == loan_portfolio.Bucket(1, 3200, 10_000)
    assert report.repayment_rate == Decimal("0.5000")  # 3,200 paid of 6,400 due before the 17th


def test_a_loan_outstanding_in_ngn_counts_kobo_and_can_be_repaid_at_once(
    conn, admin, make_group, make_member, make_cycle
):
    group = make_group(currency="NGN", rounding_unit=1, meeting_frequency="monthly")
    rules = {"loan_rate": Decimal("0.02"), "loan_method": "declining_equal_principal"}
    cycle = make_cycle(group, share_value=50_000, **rules)
    ada = make_member(group, "Ada")
    entries = record(
        admin,
        group,
        cycle,
        500_000,
        12_345,
        {ada.id: MemberOpening(3, 1_005, 1_234_550, 3)},
        on=date(2026, 1, 31),
    )
    assert ledger.balances(group) == {
        Fund.LOAN_FUND: 500_000,
        Fund.SOCIAL_FUND: 12_345,
        Fund.POT: 0,
        Fund.BANK: 0,
    }
    assert entries[-1].note == "Loan outstanding from the paper books: NGN12,345.50"
    loan = Loan.get()
    # 1,234,550 / 3 = 411,516.67 -> 411,517; the last part takes 411,516. Interest 2% of the
    # balance: 24,691; 2% of 823,033 = 16,460.66 -> 16,461; 2% of 411,516 = 8,230.32 -> 8,230.
    assert schedule_of(loan) == [
        (1, date(2026, 2, 28), 411_517, 24_691),
        (2, date(2026, 3, 31), 411_517, 16_461),
        (3, date(2026, 4, 30), 411_516, 8_230),
    ]
    assert loan_book.standing(loan, date(2026, 2, 28)) == Standing(
        1_234_550, 24_691, 411_517, Arrears(0, 0)
    )
    assert lending.record_repayment(admin, loan, 1_259_241, date(2026, 2, 28)) == Repayment(
        24_691, 1_234_550, True
    )
    assert Loan.get_by_id(loan.id).status == LoanStatus.REPAID.value
    assert ledger.balances(group)[Fund.LOAN_FUND] == 500_000 + 1_259_241
    assert loan_portfolio.portfolio(group, cycle, date(2026, 3, 1)).loans_outstanding == 0


@pytest.mark.parametrize(
    "row, field",
    [
        (MemberOpening(2, 0, -5, 3), "loan"),
        (MemberOpening(2, 0, 5000, 0), "periods"),  # a loan without periods
        (MemberOpening(2, 0, 5000, -1), "periods"),
        (MemberOpening(2, 0, 5000, 53), "periods"),
        (MemberOpening(2, 0, 0, 3), "loan"),  # periods without a loan
        (MemberOpening(2, 0, 10**16, 3), "loan"),
    ],
)
def test_bad_loans_are_refused_next_to_their_cell_and_nothing_is_written(
    conn, admin, make_group, make_member, make_cycle, row, field
):
    group = make_group(currency="XOF")
    cycle = make_cycle(group, **FLAT)
    awa = make_member(group, "Awa")
    with pytest.raises(DomainError) as error:
        record(admin, group, cycle, 1000, 0, {awa.id: row}, on=date(2026, 3, 2))
    assert error.value.field == f"{field}-{awa.id}"
    assert nothing_written()


def test_a_loan_refused_inside_the_transaction_rolls_the_whole_opening_back(
    conn, admin, make_group, make_member, make_cycle
):
    group = make_group(currency="XOF")
    cycle = make_cycle(group, start_date=date(2026, 1, 5), **FLAT)
    awa = make_member(group, "Awa")
    with pytest.raises(LoanError, match="before the cycle started") as error:
        record(
            admin,
            group,
            cycle,
            1000,
            0,
            {awa.id: MemberOpening(2, 0, 500, 2)},
            on=date(2025, 12, 1),
        )
    assert error.value.field is None
    assert nothing_written()


def test_record_opening_loan_checks_its_terms(conn, admin, make_group, make_member, make_cycle):
    group, other = make_group(currency="XOF"), make_group(currency="XOF")
    cycle = make_cycle(group, **FLAT)
    awa, stranger = make_member(group, "Awa"), make_member(other, "Zeinab")
    left = make_member(group, "Binta", left_on=date(2026, 2, 1))
    on = date(2026, 3, 2)
    cases = [
        (awa, 0, 3, "outstanding"),
        (awa, 1000, 0, "periods"),
        (awa, 1000, 53, "periods"),
        (stranger, 1000, 3, "member"),
        (left, 1000, 3, "member"),
    ]
    for member, outstanding, periods, field in cases:
        with pytest.raises(LoanError) as error:
            lending.record_opening_loan(admin, group, cycle, member, outstanding, periods, on, "n")
        assert error.value.field == field
    assert nothing_written()
    loan = lending.record_opening_loan(admin, group, cycle, awa, 1000, 52, on, "paper")
    assert (loan.periods, len(schedule_of(loan))) == (52, 52)


# Pages


@pytest.fixture
def kankan(make_user, make_group):
    group = make_group("Femmes de Kankan", currency="XOF")
    make_user("fatou", role=Role.FACILITATOR, groups=[group])
    return group


def test_a_facilitator_enters_loans_outstanding_on_the_opening_page(
    web, kankan, make_member, make_cycle
):
    make_cycle(kankan, share_value=500, **FLAT)
    awa, binta = make_member(kankan, "Awa"), make_member(kankan, "Binta")
    web.login("fatou")
    path = f"/groups/{kankan.id}/opening"
    form = web.client.get(path).get_data(as_text=True)
    assert f'id="loan-{awa.id}"' in form and f'for="periods-{binta.id}"' in form
    assert "Loan outstanding" in form and "Periods left" in form
    response = web.post(
        path,
        {
            "loan_fund_cash": "3,000",
            "social_fund_cash": "0",
            f"shares-{awa.id}": "10",
            f"loan-{awa.id}": "12,000",
            f"periods-{awa.id}": "6",
            f"shares-{binta.id}": "4",
        },
    )
    assert response.status_code == 302
    with db.connection_context():
        loan = Loan.get()
        assert (loan.member_id, loan.principal, loan.periods) == (awa.id, 12_000, 6)
        assert ledger.balances(kankan)[Fund.LOAN_FUND] == 3000
        note = Entry.get(Entry.loan == loan).note
    assert note == "Loan outstanding from the paper books: F\u202fCFA12,000"
    page = web.client.get(path).get_data(as_text=True)
    assert "already been entered" in page and "Loan outstanding from the paper books" in page
    shown = web.client.get(f"/groups/{kankan.id}/loans/{loan.id}").get_data(as_text=True)
    assert "Loan outstanding from the paper books" in shown


def test_bad_loan_cells_come_back_next_to_their_cell_and_nothing_is_written(
    web, kankan, make_member, make_cycle
):
    make_cycle(kankan, **FLAT)
    awa, binta, coumba = (make_member(kankan, n) for n in ("Awa", "Binta", "Coumba"))
    web.login("fatou")
    path = f"/groups/{kankan.id}/opening"
    response = web.post(
        path,
        {
            "loan_fund_cash": "1000",
            "social_fund_cash": "0",
            f"loan-{awa.id}": "-5",
            f"periods-{awa.id}": "3",
            f"loan-{binta.id}": "2000",
            f"periods-{binta.id}": "six",
            f"loan-{coumba.id}": "",
            f"periods-{coumba.id}": "2",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="loan-{awa.id}-error"' in page and f'id="periods-{binta.id}-error"' in page
    assert 'value="six"' in page
    # A loan without its periods: refused by the domain, shown in the row.
    again = web.post(
        path,
        {"loan_fund_cash": "1000", "social_fund_cash": "0", f"loan-{awa.id}": "2000"},
    )
    assert again.status_code == 422
    assert f'id="periods-{awa.id}-error"' in again.get_data(as_text=True)
    with db.connection_context():
        assert nothing_written()
