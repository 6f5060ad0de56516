"""Lending in the database: granting, rules and safeguards, repayments, arrears, write-off,
rescheduling and the portfolio, with exact hand-computed amounts in XOF and NGN."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playhouse.test_utils import count_queries

from savings_groups.core.dates import utcnow
from savings_groups.core.errors import Number
from savings_groups.core.vocabulary import EntryKind, Fund, LoanStatus, LoanWarning
from savings_groups.ledger import entries as ledger
from savings_groups.loans import book as loan_book
from savings_groups.loans import operations as lending
from savings_groups.loans import portfolio as loan_portfolio
from savings_groups.loans import requests as loan_requests
from savings_groups.loans.compute import LoanError, OverpaymentError, schedule
from savings_groups.loans.requests import LoanRequest
from savings_groups.store.models import (
    AuditEntry,
    Entry,
    Loan,
    LoanFlag,
    LoanGuarantor,
    LoanInstallment,
    SavingsGroup,
)

EVERY = frozenset(LoanWarning)
XOF_RULES = {
    "loan_rate": Decimal("0.10"),
    "loan_method": "flat",
    "loan_max_multiple": Decimal(3),
    "loan_max_periods": 4,
    "debt_warning_ratio": Decimal(2),
}


@pytest.fixture
def world(conn, admin, make_group, make_member, make_cycle):
    """A group, its cycle and members who have saved; `save(member, amount)` adds savings."""

    class World:
        def __init__(self, currency="XOF", unit=25, frequency="weekly", savings=(), **rules):
            self.group = make_group(
                currency=currency, rounding_unit=unit, meeting_frequency=frequency
            )
            self.cycle = make_cycle(self.group, **{**XOF_RULES, **rules})
            self.members = []
            for amount in savings:
                member = make_member(self.group)
                self.members.append(member)
                if amount:
                    self.save(member, amount)

        def save(self, member, amount):
            ledger.post(
                admin,
                self.group,
                Fund.LOAN_FUND,
                EntryKind.SHARE_PURCHASE,
                amount,
                cycle=self.cycle,
                member=member,
                shares=1,
            )

        def cash(self):
            return ledger.balances(self.group)[Fund.LOAN_FUND]

        def request(self, member, principal, periods=3, purpose="business", guarantors=()):
            return LoanRequest(member, principal, periods, purpose, tuple(guarantors))

        def grant(self, member, principal, periods=3, on=date(2026, 2, 2), **kwargs):
            purpose = kwargs.pop("purpose", "business")
            guarantors = kwargs.pop("guarantors", ())
            return lending.grant_loan(
                admin,
                self.group,
                self.cycle,
                self.request(member, principal, periods, purpose, guarantors),
                on,
                **kwargs,
            )

        def check(self, member, principal, periods=3, on=date(2026, 2, 2), **kwargs):
            return loan_requests.check_request(
                self.group, self.cycle, self.request(member, principal, periods, **kwargs), on
            )

    return World


def rows(loan):
    return [
        (i.number, i.due_on, i.principal, i.interest)
        for i in LoanInstallment.select()
        .where((LoanInstallment.loan == loan) & LoanInstallment.replaced_on.is_null())
        .order_by(LoanInstallment.number)
    ]


def written():
    return (Loan.select().count(), Entry.select().count(), LoanInstallment.select().count())


# --- a whole loan by hand ----------------------------------------------------------------------


def test_flat_loan_in_xof_granted_repaid_late_and_paid_off(world, admin):
    w = world(savings=[40_000, 60_000])
    ada = w.members[0]
    # 50 000 XOF at 10% flat over 3 weeks, unit 25: 50000/3 = 16666.67 = 666.67 units -> 667
    # units = 16675; the last part takes 50000 - 2 * 16675 = 16650; interest 10% of 50000 = 5000.
    loan = w.grant(ada, 50_000)
    assert rows(loan) == [
        (1, date(2026, 2, 9), 16_675, 5_000),
        (2, date(2026, 2, 16), 16_675, 5_000),
        (3, date(2026, 2, 23), 16_650, 5_000),
    ]
    assert (loan.rate, loan.method, loan.unit, loan.frequency) == (
        Decimal("0.10"),
        "flat",
        25,
        "weekly",
    )
    disbursement = Entry.get(Entry.loan == loan)
    assert (disbursement.kind, disbursement.fund, disbursement.amount, disbursement.member_id) == (
        "loan_disbursement",
        "loan_fund",
        -50_000,
        ada.id,
    )
    assert w.cash() == 100_000 - 50_000
    # Loan entries are not savings.
    assert ledger.member_totals(w.group, w.cycle)[ada.id].savings == 40_000

    assert loan_book.due_now(loan, date(2026, 2, 2)) == (0, 0)
    assert loan_book.due_now(loan, date(2026, 2, 9)) == (5_000, 16_675)
    assert loan_book.arrears(loan, date(2026, 2, 9)) == loan_book.Arrears(0, 0)
    paid = lending.record_repayment(admin, loan, 21_675, date(2026, 2, 9))
    assert paid == lending.Repayment(5_000, 16_675, False)

    # Installment 2 (due 16 Feb) is unpaid: one day late on the 17th.
    assert loan_book.arrears(loan, date(2026, 2, 17)) == loan_book.Arrears(21_675, 1, 5_000, 16_675)
    # 3000 goes to interest first.
    assert lending.record_repayment(admin, loan, 3_000, date(2026, 2, 17)) == lending.Repayment(
        3_000, 0, False
    )
    assert loan_book.due_now(loan, date(2026, 2, 17)) == (2_000, 16_675)

    # The most that can be paid: interest due 2000 + principal outstanding 50000 - 16675 = 33325.
    before = written()
    with pytest.raises(OverpaymentError) as refused:
        lending.record_repayment(admin, loan, 35_326, date(2026, 2, 17))
    assert refused.value.maximum == 35_325
    assert refused.value.params == {"maximum": 35_325}
    assert refused.value.field == "amount"
    assert written() == before

    # Paid off early: interest of installment 3 (not yet due) is not owed.
    paid = lending.record_repayment(admin, loan, 35_325, date(2026, 2, 17))
    assert paid == lending.Repayment(2_000, 33_325, True)
    loan = Loan.get_by_id(loan.id)
    assert (loan.status, loan.closed_on) == ("repaid", date(2026, 2, 17))
    assert w.cash() == 100_000 - 50_000 + 21_675 + 3_000 + 35_325 == 110_000
    interest = Entry.select().where((Entry.loan == loan) & (Entry.kind == "loan_interest"))
    assert sum(e.amount for e in interest) == 10_000
    assert loan_book.standing(loan, date(2026, 3, 1)) == loan_book.Standing(
        0, 0, 0, loan_book.Arrears(0, 0)
    )

    before = written()
    with pytest.raises(LoanError) as refused:
        lending.record_repayment(admin, loan, 100, date(2026, 2, 23))
    assert "closed" in refused.value.message
    assert written() == before
    actions = [a.action for a in AuditEntry.select().where(AuditEntry.object_type == "Loan")]
    assert actions == ["loan.grant", "loan.repay", "loan.repay", "loan.repay"]


def test_declining_equal_principal_in_ngn_monthly_with_a_warning_acknowledged(world, admin):
    # Unit 5 naira = 500 kobo; monthly meetings, granted on 31 January: due dates keep the day
    # or take the last day of a shorter month.
    w = world(
        "NGN",
        500,
        "monthly",
        savings=[5_000_000, 10_000_000],
        loan_method="declining_equal_principal",
        loan_rate=Decimal("0.02"),
    )
    ada = w.members[0]
    # 123 456.00 NGN: 12345600/3 = 4115200 kobo = 8230.4 units of 500 -> 8230 units = 4115000;
    # the last part 12345600 - 2 * 4115000 = 4115600. Interest 2% of the balance, half up to 500:
    #   12345600 -> 246912 = 493.824 units -> 494 -> 247000
    #    8230600 -> 164612 = 329.224 units -> 329 -> 164500
    #    4115600 ->  82312 = 164.624 units -> 165 ->  82500
    # Debt/savings after: 12345600 / 5000000 = 2.469 -> above 2: a warning to acknowledge.
    assessment = w.check(ada, 12_345_600, on=date(2026, 1, 31))
    assert assessment.warning_codes == {"debt_ratio"}
    assert (assessment.savings, assessment.debt, assessment.max_principal) == (
        5_000_000,
        0,
        15_000_000,
    )
    assert (assessment.ratio_before, assessment.ratio_after) == (Decimal("0.00"), Decimal("2.47"))
    assert assessment.total_interest == 247_000 + 164_500 + 82_500

    before = written()
    with pytest.raises(loan_requests.WarningsNotAcknowledged) as refused:
        w.grant(ada, 12_345_600, on=date(2026, 1, 31))
    assert refused.value.codes == ["debt_ratio"]
    assert written() == before

    loan = w.grant(ada, 12_345_600, on=date(2026, 1, 31), acknowledged={LoanWarning.DEBT_RATIO})
    assert rows(loan) == [
        (1, date(2026, 2, 28), 4_115_000, 247_000),
        (2, date(2026, 3, 31), 4_115_000, 164_500),
        (3, date(2026, 4, 30), 4_115_600, 82_500),
    ]
    flag = LoanFlag.get(LoanFlag.loan == loan)
    assert (flag.code, flag.acknowledged_by_id) == ("debt_ratio", admin.id)
    assert json.loads(flag.details) == {"debt": 12_345_600, "ratio": "2", "savings": 5_000_000}
    assert utcnow() - flag.acknowledged_at < timedelta(minutes=1)

    lending.record_repayment(admin, loan, 247_000 + 4_115_000, date(2026, 2, 28))
    assert loan_book.arrears(loan, date(2026, 4, 1)) == loan_book.Arrears(
        4_279_500, 1, 164_500, 4_115_000
    )
    assert loan_book.arrears(loan, date(2026, 5, 1)) == loan_book.Arrears(
        164_500 + 4_115_000 + 82_500 + 4_115_600, 31, 247_000, 8_230_600
    )
    assert w.cash() == 15_000_000 - 12_345_600 + 4_362_000


def test_flexible_loan_charges_the_balance_at_the_start_of_each_period(world, admin):
    w = world(savings=[40_000, 60_000], loan_method="flexible", loan_rate=Decimal("0.05"))
    ada = w.members[0]
    on = date(2026, 3, 2)
    # The plan if nothing is repaid early: 5% of 30000 = 1500 each week, principal at the end.
    assessment = w.check(ada, 30_000, on=on)
    assert [(i.principal, i.interest, i.balance) for i in assessment.schedule] == [
        (0, 1_500, 30_000),
        (0, 1_500, 30_000),
        (30_000, 1_500, 0),
    ]
    loan = w.grant(ada, 30_000, on=on)
    assert rows(loan) == [
        (1, date(2026, 3, 9), 0, None),
        (2, date(2026, 3, 16), 0, None),
        (3, date(2026, 3, 23), 30_000, None),
    ]
    assert loan_book.due_now(loan, date(2026, 3, 9)) == (1_500, 0)
    # 11500: the charge 1500, then 10000 of principal (repaid whenever the member can).
    assert lending.record_repayment(admin, loan, 11_500, date(2026, 3, 9)) == lending.Repayment(
        1_500, 10_000, False
    )
    # Period 2 starts on 9 March with 20000 owed: 1000.
    assert loan_book.due_now(loan, date(2026, 3, 16)) == (1_000, 0)
    lending.record_repayment(admin, loan, 1_000, date(2026, 3, 16))
    assert loan_book.due_now(loan, date(2026, 3, 23)) == (1_000, 20_000)
    # Nothing paid on the 23rd; a fourth period past the term is charged like the others.
    assert loan_book.arrears(loan, date(2026, 3, 31)) == loan_book.Arrears(22_000, 8, 2_000, 20_000)
    assert lending.record_repayment(admin, loan, 22_000, date(2026, 3, 31)) == lending.Repayment(
        2_000, 20_000, True
    )
    # Periods 4 (30 March) and 5 (started 30 March, due 6 April) were charged on 20000 when this
    # payment was recorded; period 5 was not due yet, so paid off before, it is not owed.
    assert rows(loan)[3:] == [(4, date(2026, 3, 30), 0, 1_000), (5, date(2026, 4, 6), 0, 1_000)]
    assert w.cash() == 100_000 - 30_000 + 11_500 + 1_000 + 22_000


def test_flexible_payment_between_meetings_does_not_change_a_started_period(world, admin):
    w = world(savings=[40_000, 60_000], loan_method="flexible", loan_rate=Decimal("0.05"))
    loan = w.grant(w.members[0], 30_000, on=date(2026, 3, 2))
    # 20000 of principal on 5 March, in period 1 (started 2 March on 30000): its charge stays 1500.
    assert lending.record_repayment(admin, loan, 20_000, date(2026, 3, 5)) == lending.Repayment(
        0, 20_000, False
    )
    assert loan_book.due_now(loan, date(2026, 3, 9)) == (1_500, 0)
    # Period 2 starts on 9 March on 10000 owed: 500.
    assert loan_book.due_now(loan, date(2026, 3, 16)) == (1_500 + 500, 0)


# --- rules: refused with a message next to the field, nothing written ---------------------------


def refused(callable_, field):
    before = written()
    with pytest.raises(LoanError) as error:
        callable_()
    assert error.value.field == field, error.value.message
    assert written() == before
    return error.value


def test_absurd_amounts_and_terms_are_refused(world):
    w = world(savings=[40_000, 60_000])
    ada = w.members[0]
    refused(lambda: w.grant(ada, 0), "principal")
    refused(lambda: w.grant(ada, -100), "principal")
    refused(lambda: w.grant(ada, 1_000, periods=0), "periods")
    refused(lambda: w.grant(ada, 1_000, periods=-2), "periods")
    refused(lambda: w.grant(ada, 1_000, purpose="party"), "purpose")
    with pytest.raises(TypeError):
        w.grant(ada, 1_000.0)


def test_an_absurd_rate_in_the_rules_is_refused(world):
    w = world(savings=[40_000, 60_000], loan_rate=Decimal("1.5"))
    refused(lambda: w.grant(w.members[0], 1_000), "rate")


def test_longest_term(world):
    w = world(savings=[40_000, 60_000])
    error = refused(lambda: w.grant(w.members[0], 1_000, periods=5), "periods")
    assert error.params == {"count": 4}
    assert w.grant(w.members[0], 1_000, periods=4)


def test_multiple_of_savings(world):
    w = world(savings=[40_000, 60_000], loan_max_multiple=Decimal("1.5"))
    ada = w.members[0]
    # 1.5 * 40000 = 60000 at most.
    error = refused(lambda: w.grant(ada, 60_025), "principal")
    assert error.params == {"multiple": Number("1.5"), "maximum": 60_000}
    assert isinstance(error.params["multiple"], Number)  # shown as "1,5" to a French reader
    assert w.grant(ada, 60_000, acknowledged={"debt_ratio"})


def test_a_member_without_savings_cannot_borrow(world, make_member):
    w = world(savings=[40_000, 60_000])
    newcomer = make_member(w.group)
    error = refused(lambda: w.grant(newcomer, 25), "principal")
    assert error.params["maximum"] == 0


def test_cash_in_the_box(world):
    w = world(savings=[40_000, 60_000], loan_max_multiple=Decimal(5))
    # 5 * 40000 = 200000 allowed by savings, but the box holds 100000.
    error = refused(lambda: w.grant(w.members[0], 100_025), "principal")
    assert error.params == {"cash": 100_000}
    assert w.grant(w.members[0], 100_000, acknowledged={"debt_ratio"})
    refused(lambda: w.grant(w.members[1], 25), "principal")  # the box is empty


def test_one_loan_at_a_time_unless_the_rules_allow_more(world):
    w = world(savings=[40_000, 60_000])
    w.grant(w.members[0], 10_000)
    refused(lambda: w.grant(w.members[0], 10_000), "member")
    w.cycle.one_loan_at_a_time = False
    w.cycle.save()
    assert w.grant(w.members[0], 10_000)


def test_guarantors_above_the_threshold(world, make_group, make_member):
    w = world(savings=[40_000, 60_000, 10_000], guarantor_threshold=20_000)
    ada, bea, cat = w.members
    assert w.grant(ada, 20_000)  # at the threshold: none needed
    refused(lambda: w.grant(bea, 20_025), "guarantor_ids")
    refused(lambda: w.grant(bea, 20_025, guarantors=[bea.id]), "guarantor_ids")
    stranger = make_member(make_group())
    refused(lambda: w.grant(bea, 20_025, guarantors=[stranger.id]), "guarantor_ids")
    cat.left_on = date(2026, 1, 30)
    cat.save()
    refused(lambda: w.grant(bea, 20_025, guarantors=[cat.id]), "guarantor_ids")
    loan = w.grant(bea, 20_025, guarantors=[ada.id, ada.id])
    assert [g.member_id for g in LoanGuarantor.select().where(LoanGuarantor.loan == loan)] == [
        ada.id
    ]


def test_a_member_who_has_left_cannot_borrow(world):
    w = world(savings=[40_000, 60_000])
    ada = w.members[0]
    ada.left_on = date(2026, 2, 1)
    ada.save()
    refused(lambda: w.grant(ada, 1_000), "member")
    ada.left_on = date(2026, 3, 1)  # leaving later: still a member on 2 February
    ada.save()
    assert w.grant(ada, 1_000)


def test_a_member_of_another_group_or_a_closed_cycle(world, make_group, make_member):
    w = world(savings=[40_000, 60_000])
    stranger = make_member(make_group())
    refused(lambda: w.grant(stranger, 1_000), "member")
    w.cycle.closed_at = utcnow()
    w.cycle.save()
    with pytest.raises(LoanError):
        w.grant(w.members[0], 1_000)


# --- safeguards: flagged, granted only when acknowledged ---------------------------------------


def test_no_warning_for_a_plain_loan(world):
    w = world(savings=[40_000, 60_000])
    assessment = w.check(w.members[0], 50_000)
    assert assessment.warnings == ()
    assert (assessment.ratio_before, assessment.ratio_after) == (Decimal("0.00"), Decimal("1.25"))
    assert assessment.cash == 100_000


def test_repaying_another_debt_is_flagged(world):
    w = world(savings=[40_000, 60_000])
    assessment = w.check(w.members[0], 10_000, purpose="repay_debt")
    assert assessment.warning_codes == {"repay_debt"}
    refused(lambda: w.grant(w.members[0], 10_000, purpose="repay_debt"), "acknowledged")
    loan = w.grant(w.members[0], 10_000, purpose="repay_debt", acknowledged={"repay_debt"})
    assert [f.code for f in loan.flags] == ["repay_debt"]


def test_a_member_in_arrears_asking_again_is_flagged(world):
    w = world(savings=[40_000, 60_000], one_loan_at_a_time=False)
    ada = w.members[0]
    w.grant(ada, 10_000, on=date(2026, 2, 2))  # 3333.33 -> 3325 + interest 1000 due 9 Feb
    assert w.check(ada, 5_000, on=date(2026, 2, 9)).warnings == ()  # due today: not late yet
    assessment = w.check(ada, 5_000, on=date(2026, 2, 12))
    assert assessment.warning_codes == {"arrears"}
    assert assessment.warnings[0].params == {"amount": 3_325 + 1_000, "days": 3}
    # Debt: principal 10000 and the interest due 1000.
    assert assessment.debt == 11_000


def test_debt_ratio_counts_loans_already_owed(world):
    w = world(savings=[40_000, 60_000], one_loan_at_a_time=False)
    ada = w.members[0]
    w.grant(ada, 50_000)
    # 50000 owed + 30025 asked = 80025 > 2 * 40000.
    assert w.check(ada, 30_000).warning_codes == set()
    assert w.check(ada, 30_025).warning_codes == {"debt_ratio"}


def test_a_third_loan_in_a_row_is_flagged_not_after_a_break(world, admin):
    w = world(savings=[40_000, 60_000], loan_max_periods=4)
    ada = w.members[0]
    first = w.grant(ada, 1_000, periods=1, on=date(2026, 2, 2))
    lending.record_repayment(admin, first, 1_100, date(2026, 2, 9))
    second = w.grant(ada, 1_000, periods=1, on=date(2026, 2, 16))  # the next meeting
    lending.record_repayment(admin, second, 1_100, date(2026, 2, 23))
    # Asking again on 2 March (one week after repaying): the third in a row.
    assert w.check(ada, 1_000, periods=1, on=date(2026, 3, 2)).warning_codes == {
        "third_consecutive"
    }
    # After a whole week without a loan, it is not.
    assert w.check(ada, 1_000, periods=1, on=date(2026, 3, 9)).warning_codes == set()


def test_a_second_loan_after_a_break_is_not_a_chain(world, admin):
    w = world(savings=[40_000, 60_000])
    ada = w.members[0]
    first = w.grant(ada, 1_000, periods=1, on=date(2026, 2, 2))
    lending.record_repayment(admin, first, 1_100, date(2026, 2, 9))
    second = w.grant(ada, 1_000, periods=1, on=date(2026, 2, 23))  # a break of a week
    lending.record_repayment(admin, second, 1_100, date(2026, 3, 2))
    assert w.check(ada, 1_000, periods=1, on=date(2026, 3, 9)).warning_codes == set()


# --- write-off and rescheduling ---------------------------------------------------------------


def test_write_off_closes_the_loan_and_moves_no_cash(world, admin):
    w = world(savings=[40_000, 60_000])
    loan = w.grant(w.members[0], 50_000)
    lending.record_repayment(admin, loan, 21_675, date(2026, 2, 9))
    cash = w.cash()
    refused(lambda: lending.write_off(admin, loan, "  ", date(2026, 4, 1)), "reason")
    entry = lending.write_off(admin, loan, "Left the village", date(2026, 4, 1))
    assert (entry.kind, entry.amount, entry.note, entry.loan_id) == (
        "loan_write_off",
        0,
        "Left the village",
        loan.id,
    )
    loan = Loan.get_by_id(loan.id)
    assert (loan.status, loan.written_off, loan.closed_on) == (
        "written_off",
        33_325,
        date(2026, 4, 1),
    )
    assert w.cash() == cash
    assert loan_book.arrears(loan, date(2026, 4, 2)) == loan_book.Arrears(0, 0)
    refused(lambda: lending.record_repayment(admin, loan, 100, date(2026, 4, 2)), "amount")
    refused(lambda: lending.write_off(admin, loan, "again", date(2026, 4, 2)), "amount")
    audit = AuditEntry.get(AuditEntry.action == "loan.write_off")
    assert json.loads(audit.details)["principal"] == 33_325


def test_reschedule_keeps_the_old_installments_and_carries_interest_due(world, admin):
    w = world(savings=[40_000, 60_000])
    loan = w.grant(w.members[0], 50_000)
    lending.record_repayment(admin, loan, 21_675, date(2026, 2, 9))
    lending.record_repayment(admin, loan, 2_000, date(2026, 2, 16))  # 3000 of interest unpaid
    # On 2 March: installments 2 and 3 are due: interest 5000 + 5000 - 2000 = 8000 unpaid.
    assert loan_book.due_now(loan, date(2026, 3, 2)) == (8_000, 33_325)
    refused(lambda: lending.reschedule(admin, loan, 0, "harvest", date(2026, 3, 2)), "periods")
    refused(lambda: lending.reschedule(admin, loan, 4, "", date(2026, 3, 2)), "reason")
    new = lending.reschedule(admin, loan, 4, "Harvest failed", date(2026, 3, 2))
    # 33325 over 4 weeks, 10% flat: 33325/4 = 8331.25 = 333.25 units -> 8325, last 8350;
    # interest 10% of 33325 = 3332.5 = 133.3 units -> 133 -> 3325.
    expected = schedule(33_325, Decimal("0.10"), 4, "flat", 25)
    assert [(i.principal, i.interest) for i in expected] == [
        (8_325, 3_325),
        (8_325, 3_325),
        (8_325, 3_325),
        (8_350, 3_325),
    ]
    assert [(i.version, i.number, i.due_on, i.principal, i.interest) for i in new] == [
        (1, n, date(2026, 3, 2) + timedelta(weeks=n), i.principal, i.interest)
        for n, i in enumerate(expected, start=1)
    ]
    old = LoanInstallment.select().where(LoanInstallment.replaced_on == date(2026, 3, 2))
    assert old.count() == 3
    # Nothing is due on the day; with the first new installment, the 8000 carried as well.
    assert loan_book.due_now(loan, date(2026, 3, 2)) == (0, 0)
    assert loan_book.due_now(loan, date(2026, 3, 9)) == (8_000 + 3_325, 8_325)
    assert loan_book.arrears(loan, date(2026, 3, 10)) == loan_book.Arrears(
        8_000 + 3_325 + 8_325, 1, 11_325, 8_325
    )
    paid = lending.record_repayment(admin, loan, 11_325 + 8_325, date(2026, 3, 9))
    assert paid == lending.Repayment(11_325, 8_325, False)
    assert loan_book.arrears(loan, date(2026, 3, 10)) == loan_book.Arrears(0, 0)
    assert AuditEntry.get(AuditEntry.action == "loan.reschedule")


# --- the portfolio ------------------------------------------------------------------------------


def prepared_portfolio(w, admin, on):
    """Seven loans of 1000 XOF over 1 week, 10% flat (1100 due a week after the grant): one
    paid, and others late by 0, 10, 40, 70 and 100 days on `on`; one written off."""
    loans = {}
    for name, days_late in (("current", 0), ("d10", 10), ("d40", 40), ("d70", 70), ("d100", 100)):
        member = w.members[len(loans)]
        granted = on - timedelta(days=days_late + 7)
        loans[name] = w.grant(member, 1_000, periods=1, on=granted)
    paid = w.grant(w.members[5], 1_000, periods=1, on=on - timedelta(days=30))
    lending.record_repayment(admin, paid, 1_100, on - timedelta(days=23))
    lost = w.grant(w.members[6], 1_000, periods=1, on=on - timedelta(days=60))
    lending.record_repayment(admin, lost, 400, on - timedelta(days=53))  # interest 100, 300
    lending.write_off(admin, lost, "Died", on - timedelta(days=5))
    # d40 paid its interest: 1000 of principal late.
    lending.record_repayment(admin, loans["d40"], 100, on - timedelta(days=39))
    return loans


def test_portfolio_arrears_by_age_and_par30(world, admin):
    w = world(savings=[40_000] * 8)
    on = date(2026, 6, 1)
    prepared_portfolio(w, admin, on)
    report = loan_portfolio.portfolio(w.group, w.cycle, on)
    assert report.loans_outstanding == 5
    assert report.principal_outstanding == 5_000
    # Due on or before the day: all five (the current one is due today).
    assert (report.interest_due, report.principal_due) == (400, 5_000)
    assert report.arrears == {
        "1_30": loan_portfolio.Bucket(1, 1_100, 1_000),
        "31_60": loan_portfolio.Bucket(1, 1_000, 1_000),
        "61_90": loan_portfolio.Bucket(1, 1_100, 1_000),
        "over_90": loan_portfolio.Bucket(1, 1_100, 1_000),
    }
    # PAR>30: 3 loans of 1000 late more than 30 days / 5000 outstanding.
    assert report.par30 == Decimal("0.6000")
    # Fell due before the day: 4 late loans 4 * 1100 (the current one is due today, not late),
    # the repaid one 1100, the written-off one 400 paid + 700 written off = 1100: 6600.
    # Unpaid: 1100 + 1000 + 1100 + 1100 + 700 = 5000. Rate (6600 - 5000) / 6600 = 0.2424...
    assert report.repayment_rate == Decimal("0.2424")
    assert [line.standing.arrears.days_overdue for line in report.lines] == [0, 10, 40, 70, 100]
    assert report.lines[0].loan.member.full_name  # members come with the loans


def test_portfolio_of_nothing(world):
    w = world(savings=[40_000])
    report = loan_portfolio.portfolio(w.group, w.cycle, date(2026, 6, 1))
    assert (report.par30, report.repayment_rate, report.principal_outstanding) == (
        Decimal(0),
        None,
        0,
    )


def test_portfolio_queries_do_not_grow_with_the_loans(world, admin, make_member):
    w = world(savings=[40_000] * 8, one_loan_at_a_time=False)
    on = date(2026, 6, 1)
    prepared_portfolio(w, admin, on)

    def count():
        with count_queries() as counter:
            loan_portfolio.portfolio(w.group, w.cycle, on)
        return counter.count

    small = count()
    for member in w.members:
        for weeks in (1, 3, 5):
            loan = w.grant(
                member, 1_000, periods=2, on=on - timedelta(weeks=weeks), acknowledged=EVERY
            )
            lending.record_repayment(admin, loan, 300, on - timedelta(weeks=weeks - 1))
    assert loan_portfolio.portfolio(w.group, w.cycle, on).loans_outstanding == 5 + 24
    assert count() == small <= 3


def test_check_request_is_bounded_too(world, admin):
    w = world(savings=[40_000, 60_000], one_loan_at_a_time=False)
    ada = w.members[0]
    with count_queries() as counter:
        w.check(ada, 1_000)
    few = counter.count
    for _ in range(5):
        w.grant(ada, 1_000, acknowledged={"third_consecutive"})
    with count_queries() as counter:
        w.check(ada, 1_000)
    assert counter.count <= few + 2  # the installments and payments of the active loans


def test_a_group_whose_rounding_unit_changed_keeps_the_loan_terms(world, admin):
    w = world(savings=[40_000, 60_000])
    loan = w.grant(w.members[0], 50_000)
    SavingsGroup.update(rounding_unit=1).where(SavingsGroup.id == w.group.id).execute()
    assert Loan.get_by_id(loan.id).unit == 25
    assert loan_book.due_now(loan, date(2026, 2, 9)) == (5_000, 16_675)
    assert LoanStatus(Loan.get_by_id(loan.id).status) == LoanStatus.ACTIVE


# --- each loan its own terms, within the cycle's rules ------------------------------------------


def term_world(world, **rules):
    """A weekly XOF group whose rules allow flat and declining loans at 10 % a month at most."""
    return world(
        savings=[400_000, 600_000],
        loan_rate=Decimal("0.10"),
        loan_rate_period="month",
        loan_method="flat",
        loan_methods="flat,declining_equal_principal",
        **rules,
    )


def asked(w, member, principal, periods=4, **terms):
    return LoanRequest(member, principal, periods, "business", (), **terms)


def test_flat_and_declining_loans_side_by_side_at_a_monthly_rate(world, admin):
    w = term_world(world)
    ada, bea = w.members
    on = date(2026, 2, 2)
    # The rules' terms when none are given: flat at 10 % a month = 3/130 a week; each week
    # 100000 × 3/130 = 2307.69 -> 2300 (unit 25), as in test_compute.
    flat = lending.grant_loan(admin, w.group, w.cycle, asked(w, ada, 100_000), on)
    assert (flat.method, flat.rate, flat.rate_period) == ("flat", Decimal("0.10"), "month")
    assert [i for _n, _d, _p, i in rows(flat)] == [2_300] * 4
    # Bea, the same day: declining, at 8 % a month (below the most), as agreed.
    request = asked(w, bea, 100_000, method="declining_equal_principal", rate_percent=Decimal(8))
    declining = lending.grant_loan(admin, w.group, w.cycle, request, on)
    assert (declining.method, declining.rate, declining.rate_period) == (
        "declining_equal_principal",
        Decimal("0.08"),
        "month",
    )
    # 8 % a month = 0.08 × 3/13 = 6/325 a week: 100000 -> 1846.15 (73.85 units) 1850;
    # 75000 -> 1384.62 (55.38) 1375; 50000 -> 923.08 (36.92) 925; 25000 -> 461.54 (18.46) 450.
    assert rows(declining) == [
        (1, date(2026, 2, 9), 25_000, 1_850),
        (2, date(2026, 2, 16), 25_000, 1_375),
        (3, date(2026, 2, 23), 25_000, 925),
        (4, date(2026, 3, 2), 25_000, 450),
    ]
    audit = AuditEntry.select().where(AuditEntry.action == "loan.grant").order_by(AuditEntry.id)
    details = [json.loads(a.details) for a in audit]
    assert [(d["rate"], d["rate_period"], d["method"]) for d in details] == [
        ("0.10", "month", "flat"),
        ("0.08", "month", "declining_equal_principal"),
    ]
    # A rescheduling keeps the loan's own rate, converted again: 75000 over 3 weeks at 6/325.
    lending.record_repayment(admin, declining, 26_850, date(2026, 2, 9))
    lending.reschedule(admin, declining, 3, "Harvest late", date(2026, 2, 9))
    assert [i for _n, _d, _p, i in rows(declining)] == [1_375, 925, 450]


def test_a_method_the_rules_do_not_allow_is_refused_next_to_the_method(world, admin):
    w = term_world(world)
    ada = w.members[0]
    on = date(2026, 2, 2)
    error = refused(
        lambda: lending.grant_loan(
            admin, w.group, w.cycle, asked(w, ada, 50_000, method="flexible"), on
        ),
        "method",
    )
    assert error.message == "The cycle's rules do not allow this way of charging interest."
    refused(
        lambda: lending.grant_loan(
            admin, w.group, w.cycle, asked(w, ada, 50_000, method="usury"), on
        ),
        "method",
    )


@pytest.mark.parametrize(
    "terms",
    [
        {"rate_percent": Decimal("10.01")},  # above 10 % a month
        {"rate_percent": Decimal("2.31"), "rate_period": "week"},  # 2.31 % > 2.3077 % a week
        {"rate_percent": Decimal("9.24"), "rate_period": "four_weeks"},  # 9.24 > 120/13 = 9.2308
    ],
)
def test_a_rate_above_the_rules_is_refused_next_to_the_rate(world, admin, terms):
    w = term_world(world)
    error = refused(
        lambda: lending.grant_loan(
            admin, w.group, w.cycle, asked(w, w.members[0], 50_000, **terms), date(2026, 2, 2)
        ),
        "rate_percent",
    )
    assert error.message % error.params == "The rules charge at most 10% a month."
    assert isinstance(error.params["percent"], Number)


def test_a_rate_at_the_rules_most_in_another_period_is_accepted_exactly(world):
    w = term_world(world)
    ada = w.members[0]
    # 2.3 % a week is below 10 % a month (2.3077 % a week); 120/13 % per 4 weeks is exactly it
    # but cannot be typed: 9.2307 % per 4 weeks is below.
    for terms in (
        {"rate_percent": Decimal("2.3"), "rate_period": "week"},
        {"rate_percent": Decimal("9.2307"), "rate_period": "four_weeks"},
        {"rate_percent": Decimal(10), "rate_period": "month"},
        {"rate_percent": Decimal(0)},
    ):
        assessment = loan_requests.check_request(
            w.group, w.cycle, asked(w, ada, 50_000, **terms), date(2026, 2, 2)
        )
        assert assessment.rate == terms["rate_percent"] / 100
    refused(
        lambda: loan_requests.check_request(
            w.group, w.cycle, asked(w, ada, 50_000, rate_percent=Decimal(-1)), date(2026, 2, 2)
        ),
        "rate_percent",
    )


def test_a_loan_repaid_after_the_cycles_planned_end_is_flagged(world, admin):
    # The cycle ends on 28 December 2026; 4 weeks from 7 December end on 4 January 2027.
    w = term_world(world)
    ada = w.members[0]
    inside = w.check(ada, 50_000, periods=3, on=date(2026, 12, 7))  # last due 28 December
    assert "past_cycle_end" not in inside.warning_codes
    after = w.check(ada, 50_000, periods=4, on=date(2026, 12, 7))
    assert after.warning_codes == {"past_cycle_end"}
    warning = after.warnings[0]
    assert warning.params == {"day": date(2027, 1, 4), "end": date(2026, 12, 28)}
    before = written()
    with pytest.raises(loan_requests.WarningsNotAcknowledged) as caught:
        w.grant(ada, 50_000, periods=4, on=date(2026, 12, 7))
    assert caught.value.codes == ["past_cycle_end"] and written() == before
    loan = w.grant(ada, 50_000, periods=4, on=date(2026, 12, 7), acknowledged={"past_cycle_end"})
    flag = LoanFlag.get(LoanFlag.loan == loan)
    assert (flag.code, flag.acknowledged_by_id) == ("past_cycle_end", admin.id)
    assert json.loads(flag.details) == {"day": "2027-01-04", "end": "2026-12-28"}
