"""A member who leaves during the cycle: the settlement by the group's rule, refusals, the pages."""

import json
from datetime import date
from decimal import Decimal

import pytest
from playhouse.test_utils import count_queries

from savings_groups.core.dates import utcnow
from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import EntryKind, Fund, LoanStatus, LoanWarning, Role
from savings_groups.groups import members
from savings_groups.ledger import entries as ledger
from savings_groups.loans import operations as lending
from savings_groups.loans.requests import LoanRequest
from savings_groups.reports import passbook
from savings_groups.shareout import exits
from savings_groups.store.db import db
from savings_groups.store.models import (
    AuditEntry,
    Cycle,
    Entry,
    Loan,
    Meeting,
    Member,
    MemberExit,
    SavingsGroup,
)
from tests.conftest import Browser

RULES = {
    "loan_rate": Decimal("0.10"),
    "loan_method": "flat",
    "loan_max_multiple": Decimal(3),
    "loan_max_periods": 4,
    "max_shares": 30,
}
GRANTED, A_WEEK_LATER = date(2026, 2, 2), date(2026, 2, 9)


@pytest.fixture
def world(conn, admin, make_group, make_member, make_cycle):
    """A savings group, its open cycle and three members; helpers to save, fine and lend."""

    class World:
        def __init__(self, currency="XOF", unit=25, share_value=1_000, **rules):
            self.group = make_group(currency=currency, rounding_unit=unit)
            self.cycle = make_cycle(self.group, share_value=share_value, **{**RULES, **rules})
            self.awa, self.binta, self.chris = (
                make_member(self.group, name) for name in ("Awa", "Binta", "Chris")
            )

        def buy(self, member, shares):
            ledger.post(
                admin,
                self.group,
                Fund.LOAN_FUND,
                EntryKind.SHARE_PURCHASE,
                shares * self.cycle.share_value,
                cycle=self.cycle,
                member=member,
                shares=shares,
            )

        def fine(self, member, amount):
            ledger.post(
                admin,
                self.group,
                Fund.LOAN_FUND,
                EntryKind.FINE,
                amount,
                cycle=self.cycle,
                member=member,
            )

        def lend(self, member, principal, periods=2):
            return lending.grant_loan(
                admin,
                self.group,
                self.cycle,
                LoanRequest(member, principal, periods, "business"),
                GRANTED,
                acknowledged=frozenset(LoanWarning),
            )

        def cash(self):
            return ledger.balances(self.group, self.cycle)[Fund.LOAN_FUND]

    return World


def written():
    return (
        Entry.select().count(),
        MemberExit.select().count(),
        AuditEntry.select().count(),
        Member.select().where(Member.left_on.is_null(False)).count(),
        Loan.select().where(Loan.status == LoanStatus.ACTIVE.value).count(),
    )


def three_savers(w):
    """Awa 10 shares, Binta 20, Chris 15 (1,000 each), a fine of 1,000, Binta owes a loan of
    6,000 at 10 % flat over two weeks: on the first due date she owes 600 + 6,000."""
    w.buy(w.awa, 10)
    w.buy(w.binta, 20)
    w.buy(w.chris, 15)
    w.fine(w.chris, 1_000)
    return w.lend(w.binta, 6_000)


# --- the settlement -----------------------------------------------------------------------------


def test_savings_back_only_pays_the_savings_and_keeps_the_member_in_history(world, admin):
    w = world()
    w.buy(w.awa, 10)
    w.buy(w.binta, 20)
    w.fine(w.awa, 500)
    found = exits.settlement(w.awa, A_WEEK_LATER)
    assert (found.shares, found.saved, found.profit, found.deducted, found.payout) == (
        10,
        10_000,
        0,
        0,
        10_000,
    )
    assert found.cash == 30_500
    settled = exits.settle(admin, w.awa, A_WEEK_LATER, "Moved to Conakry")
    assert (settled.payout, settled.rule, settled.settled_on) == (
        10_000,
        "savings_only",
        A_WEEK_LATER,
    )
    assert w.cash() == 20_500
    entry = Entry.get(Entry.kind == EntryKind.EXIT_SETTLEMENT.value)
    assert (entry.amount, entry.member_id, entry.cycle_id, entry.fund) == (
        -10_000,
        w.awa.id,
        w.cycle.id,
        "loan_fund",
    )
    awa = Member.get_by_id(w.awa.id)
    assert (awa.left_on, awa.left_reason) == (A_WEEK_LATER, "Moved to Conakry")
    # What she saved stays what she saved; what she was paid is apart.
    totals = ledger.member_totals(w.group, w.cycle)[w.awa.id]
    assert (totals.shares, totals.savings, totals.paid_out) == (10, 10_000, 10_000)
    actions = [a.action for a in AuditEntry.select().order_by(AuditEntry.id)]
    assert actions[-2:] == ["member.leave", "member.exit"]
    details = json.loads(AuditEntry.select().order_by(AuditEntry.id.desc()).first().details)
    assert details["payout"] == 10_000 and details["rule"] == "savings_only"


def test_profit_to_date_is_the_share_out_arithmetic_in_xof_by_25(world, admin):
    # Cash 45,000 + 1,000 - 6,000 = 40,000; owed 6,600; the fund 46,600 over 45 shares.
    # Awa: 10 x 46,600 / 45 = 10,355.55 -> 414 units of 25 (10,350); the one unit left over
    # goes to Binta, whose remainder (.44) is the largest.
    w = world(exit_rule="savings_and_profit")
    three_savers(w)
    found = exits.settlement(w.awa, A_WEEK_LATER)
    assert (found.saved, found.profit, found.deducted, found.payout) == (10_000, 350, 0, 10_350)
    found = exits.settlement(w.binta, A_WEEK_LATER)
    # Binta: 20 x 46,600 / 45 - 6,600 = 14,111.11 -> 564 units + the leftover unit = 14,125.
    assert (found.saved, found.profit, found.deducted, found.payout) == (
        20_000,
        725,
        6_600,
        14_125,
    )


def test_a_loan_is_repaid_from_the_settlement_and_the_box_moves_by_the_payout(world, admin):
    w = world(exit_rule="savings_and_profit")
    loan = three_savers(w)
    assert w.cash() == 40_000
    exits.settle(admin, w.binta, A_WEEK_LATER, "Left for Europe")
    assert w.cash() == 40_000 - 14_125
    loan = Loan.get_by_id(loan.id)
    assert (loan.status, loan.closed_on) == (LoanStatus.REPAID.value, A_WEEK_LATER)
    paid = {e.kind: e.amount for e in Entry.select().where(Entry.loan == loan, Entry.amount > 0)}
    assert paid == {"loan_interest": 600, "loan_principal": 6_000}
    notes = {e.note for e in Entry.select().where(Entry.loan == loan, Entry.amount > 0)}
    assert notes == {"Deducted from the settlement on leaving"}
    assert Entry.get(Entry.kind == EntryKind.EXIT_SETTLEMENT.value).amount == -20_725
    settled = MemberExit.get()
    assert (settled.saved, settled.profit, settled.deducted, settled.payout) == (
        20_000,
        725,
        6_600,
        14_125,
    )
    # Awa is then settled among those who stay: Binta's shares and debt are gone.
    # Cash 25,875 over 25 shares = 1,035 a share: Awa 10,350 exactly.
    found = exits.settlement(w.awa, A_WEEK_LATER)
    assert (found.profit, found.payout) == (350, 10_350)


def test_a_member_owing_more_than_the_savings_pays_the_difference_in(world, admin):
    w = world()
    w.buy(w.awa, 20)
    w.buy(w.binta, 3)
    w.lend(w.binta, 6_000)
    assert w.cash() == 17_000
    found = exits.settlement(w.binta, A_WEEK_LATER)
    assert (found.saved, found.deducted, found.payout, found.shortfall) == (3_000, 6_600, -3_600, 0)
    exits.settle(admin, w.binta, A_WEEK_LATER, "Moved away", expected_payout=-3_600)
    assert w.cash() == 17_000 + 3_600
    assert MemberExit.get().payout == -3_600
    book = passbook.passbook(w.group, Member.get_by_id(w.binta.id), w.cycle)
    assert book.exit.payout == -3_600 and book.totals.paid_out == -3_600
    assert book.ledger_totals.paid_out == 3_000  # the ledger's entry: the gross settlement
    # The passbook says what the member paid in, and what went to the loan, apart.
    lines = {line.kind: (line.moved.paid_out, line.deducted) for line in book.lines}
    assert lines == {"other": (0, 0), "exit": (-3_600, 0), "exit_loans": (0, 6_600)}


def test_a_settlement_in_naira_is_exact_to_the_kobo(world, admin):
    # NGN, a share 1,000.00 (100,000 kobo), rounded to 5 naira (500 kobo). Cash 823,456:
    # Awa 3 x 823,456 / 7 = 352,909.71 -> 705 units = 352,500; profit 52,500 kobo.
    w = world(currency="NGN", unit=500, share_value=100_000, exit_rule="savings_and_profit")
    w.buy(w.awa, 3)
    w.buy(w.binta, 4)
    w.fine(w.chris, 123_456)
    found = exits.settlement(w.awa, A_WEEK_LATER)
    assert (found.saved, found.profit, found.payout, found.cash) == (
        300_000,
        52_500,
        352_500,
        823_456,
    )


def test_a_member_with_nothing_saved_is_settled_at_zero(world, admin):
    w = world(exit_rule="savings_and_profit")
    w.buy(w.awa, 2)
    found = exits.settlement(w.chris, A_WEEK_LATER)
    assert (found.shares, found.payout) == (0, 0)


# --- refusals: clear messages, nothing written ----------------------------------------------------


def refused(w, admin, member, on=A_WEEK_LATER, reason="Moved away", **kwargs) -> DomainError:
    before = written()
    with pytest.raises(DomainError) as caught:
        exits.settle(admin, member, on, reason, **kwargs)
    assert written() == before
    return caught.value


def test_not_enough_cash_says_how_much_there_is(world, admin):
    w = world()
    w.buy(w.awa, 10)
    w.buy(w.binta, 10)
    w.lend(w.binta, 15_000)
    found = exits.settlement(w.awa, A_WEEK_LATER)
    assert (found.payout, found.cash, found.shortfall) == (10_000, 5_000, 5_000)
    error = refused(w, admin, w.awa)
    assert error.params["cash"] == 5_000 and error.params["payout"] == 10_000
    assert "There is only" in error.message


def test_a_member_already_settled_or_already_gone_is_refused(world, admin):
    w = world()
    w.buy(w.awa, 10)
    w.buy(w.binta, 10)
    exits.settle(admin, w.awa, A_WEEK_LATER, "Moved away")
    assert "already settled" in refused(w, admin, w.awa).message
    members.record_departure(admin, w.binta, A_WEEK_LATER, "Moved away")
    assert "already left" in refused(w, admin, Member.get_by_id(w.binta.id)).message


@pytest.mark.parametrize(
    "on, words",
    [
        (date(2026, 1, 4), "within the open cycle"),
        (date(2026, 12, 29), "within the open cycle"),
        (None, "Enter the date"),
    ],
)
def test_a_date_outside_the_open_cycle_is_refused(world, admin, on, words):
    w = world()
    w.buy(w.awa, 10)
    error = refused(w, admin, w.awa, on=on)
    assert words in error.message and error.field == "settled_on"


def test_a_date_in_the_future_or_before_a_meeting_held_is_refused(world, admin):
    w = world(planned_end=date(2099, 1, 1))
    w.buy(w.awa, 10)
    assert "future" in refused(w, admin, w.awa, on=date(2098, 1, 1)).message
    Meeting.create(group=w.group, cycle=w.cycle, held_on=date(2026, 3, 2), status="closed")
    error = refused(w, admin, w.awa, on=date(2026, 3, 1))
    assert error.params["date"] == date(2026, 3, 2) and error.field == "settled_on"


def test_a_closed_cycle_or_an_archived_group_settles_nobody(world, admin):
    w = world()
    w.buy(w.awa, 10)
    SavingsGroup.update(archived_at=utcnow()).where(SavingsGroup.id == w.group.id).execute()
    assert "archived" in refused(w, admin, w.awa).message
    SavingsGroup.update(archived_at=None).where(SavingsGroup.id == w.group.id).execute()
    Cycle.update(closed_at=utcnow()).where(Cycle.id == w.cycle.id).execute()
    assert "no open cycle" in refused(w, admin, w.awa).message


def test_figures_changed_since_the_preview_or_no_reason_are_refused(world, admin):
    w = world()
    w.buy(w.awa, 10)
    shown = exits.settlement(w.awa, A_WEEK_LATER).payout
    w.buy(w.awa, 1)
    assert "changed since" in refused(w, admin, w.awa, expected_payout=shown).message
    assert refused(w, admin, w.awa, reason="  ").field == "reason"


def test_a_loan_granted_after_the_date_is_refused(world, admin):
    w = world()
    w.buy(w.awa, 10)
    w.lend(w.awa, 5_000)
    error = refused(w, admin, w.awa, on=date(2026, 1, 20))
    assert error.params["date"] == date(2026, 2, 2)


# --- the pages ------------------------------------------------------------------------------------


@pytest.fixture
def fatou(web, world, make_user):
    """A treasurer (recorder) logged in, on a group where Binta owes a loan."""
    w = world(exit_rule="savings_and_profit")
    three_savers(w)
    make_user("fatou", role=Role.RECORDER, groups=[w.group])
    web.login("fatou")
    return w


def test_the_page_shows_the_settlement_then_confirms_it(web, fatou):
    w = fatou
    path = f"/groups/{w.group.id}/members/{w.binta.id}/exit"
    page = web.client.get(path).get_data(as_text=True)
    assert "Settlement of Binta" in page and "Savings with the profit to date" in page
    data = {"settled_on": "2026-02-09", "reason": "Left for Europe", "preview": "1"}
    response = web.post(path, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "14,125" in page and "20,000" in page and "6,600" in page and 'name="confirm"' in page
    assert MemberExit.select().count() == 0
    response = web.post(path, {**data, "expected": "14125", "confirm": "1"})
    assert response.status_code == 302
    assert response.location.endswith(f"/members/{w.binta.id}/passbook")
    assert MemberExit.get().payout == 14_125
    page = web.client.get(response.location).get_data(as_text=True)
    assert "Settlement on leaving: paid to the member" in page and "14,125" in page
    assert "Settlement on leaving: deducted for loans" in page and "6,600" in page
    listing = web.client.get(f"/groups/{w.group.id}/members").get_data(as_text=True)
    assert "Members who have left" in listing and "Left for Europe" in listing


def test_a_stale_confirmation_shows_the_new_figures_and_writes_nothing(web, fatou, admin):
    w = fatou
    path = f"/groups/{w.group.id}/members/{w.awa.id}/exit"
    data = {"settled_on": "2026-02-09", "reason": "Moved", "expected": "9999", "confirm": "1"}
    before = written()
    response = web.post(path, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "changed since" in page and 'value="10350"' in page
    assert written() == before


def test_a_refusal_shows_next_to_the_date_and_a_negative_payout_says_pay_in(web, fatou):
    w = fatou
    path = f"/groups/{w.group.id}/members/{w.awa.id}/exit"
    response = web.post(path, {"settled_on": "2025-01-01", "reason": "x", "confirm": "1"})
    assert response.status_code == 422
    assert "within the open cycle" in response.get_data(as_text=True)
    assert MemberExit.select().count() == 0


def test_a_member_owing_more_sees_what_to_pay_in(web, world, make_user):
    w = world()
    w.buy(w.awa, 20)
    w.buy(w.binta, 3)
    w.lend(w.binta, 6_000)
    make_user("fatou", role=Role.FACILITATOR, groups=[w.group])
    web.login("fatou")
    path = f"/groups/{w.group.id}/members/{w.binta.id}/exit"
    response = web.post(path, {"settled_on": "2026-02-09", "reason": "x", "preview": "1"})
    page = response.get_data(as_text=True)
    assert "must pay in" in page and "3,600" in page


def test_the_page_reads_a_fixed_number_of_queries(web, fatou, make_member, admin):
    w = fatou
    path = f"/groups/{w.group.id}/members/{w.awa.id}/exit"

    def queries():
        with count_queries() as counter:
            assert web.client.get(path).status_code == 200
        return counter.count

    queries()
    few = queries()
    with db.atomic():
        for _ in range(15):
            member = make_member(w.group)
            w.buy(member, 5)
            w.lend(member, 2_000)
    assert queries() == few


def test_a_viewer_cannot_settle(web, world, make_user):
    w = world()
    make_user("vera", role=Role.VIEWER, groups=[w.group])
    web.login("vera")
    assert web.client.get(f"/groups/{w.group.id}/members/{w.awa.id}/exit").status_code == 403


def test_the_members_pages_lead_to_the_settlement(web, app, fatou, make_user):
    w = fatou
    exit_path = f"/groups/{w.group.id}/members/{w.awa.id}/exit"
    listing = web.client.get(f"/groups/{w.group.id}/members").get_data(as_text=True)
    assert exit_path in listing and "/edit" not in listing  # a treasurer settles, not edits
    passbook = web.client.get(f"/groups/{w.group.id}/members/{w.awa.id}/passbook")
    assert exit_path in passbook.get_data(as_text=True)
    make_user("faci", role=Role.FACILITATOR, groups=[w.group])
    faci = Browser(app.test_client())
    faci.login("faci")
    leave = faci.client.get(f"/groups/{w.group.id}/members/{w.awa.id}/leave")
    assert exit_path in leave.get_data(as_text=True)
