"""In French, a recorder grants a loan at one meeting and records its repayment at the next two."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from savings_groups.core import dates
from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import EntryKind, Fund, Role
from savings_groups.ledger import entries as ledger
from savings_groups.store.db import db
from savings_groups.store.models import Loan, Meeting
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def xof(amount: int) -> str:
    return format_amount(amount, "XOF", "fr")


def test_a_loan_is_granted_and_repaid_over_three_meetings_in_french(
    page: Page, admin, make_user, make_group, make_member, make_cycle
):
    today = dates.today()
    group = make_group("Benkadi", currency="XOF", rounding_unit=25, meeting_frequency="weekly")
    cycle = make_cycle(
        group,
        start_date=today - timedelta(days=60),
        planned_end=today + timedelta(days=200),
        social_fund_contribution=0,
        min_shares=0,
        loan_rate=Decimal("0.10"),
        loan_method="flat",
        loan_max_multiple=Decimal(3),
        loan_max_periods=4,
    )
    people = [make_member(group, full_name=name) for name in ("Awa Traoré", "Binta Diallo")]
    awa = people[0]
    with db.connection_context():
        for member in people:
            ledger.post(
                admin,
                group,
                Fund.LOAN_FUND,
                EntryKind.SHARE_PURCHASE,
                10_000,
                cycle=cycle,
                member=member,
                shares=10,
                effective_on=cycle.start_date,  # before the meetings
            )
    make_user("mariam", role=Role.RECORDER, groups=[group], locale="fr")
    log_in(page, "mariam")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    def open_meeting(held_on: date) -> None:
        page.goto(f"/groups/{group.id}/meetings/new")
        page.fill("#held_on", held_on.isoformat())
        page.locator("#held_on").press("Enter")
        expect(page).to_have_url(re.compile(r"/meetings/\d+(#main)?$"))

    def close(loan_fund: int) -> None:
        page.fill("#counted-loan_fund", str(loan_fund))
        page.fill("#counted-social_fund", "0")
        expect(page.locator("#difference-loan_fund")).to_have_text(xof(0))
        page.locator("button[value=close]").click()
        expect(page.locator("#box-loan_fund")).to_contain_text(xof(loan_fund))

    # The first meeting: the loan is requested, checked, then granted.
    first = today - timedelta(days=28)
    open_meeting(first)
    page.locator("button[value=loan]").click()
    expect(page).to_have_url(re.compile(r"/loan$"))
    page.select_option("#member", str(awa.id))
    page.fill("#principal", "10 000")
    page.select_option("#purpose", "repay_debt")
    page.fill("#periods", "2")
    page.get_by_label("Binta Diallo").check()
    page.locator("button[value=check]").click()
    schedule = page.locator("table.loan-schedule")
    # 10 % flat over 2 weeks: 1 000 F of interest and 5 000 F of principal each week.
    expect(schedule.locator("tbody tr")).to_have_count(2)
    expect(schedule.locator("tbody tr").first).to_contain_text(xof(6_000))
    expect(page.locator("#assessment-savings")).to_have_text(xof(10_000))
    page.locator("button[value=grant]").click()  # the warning is not ticked yet
    expect(page.locator("#acknowledged-error")).to_be_visible()
    page.locator("#acknowledged-repay_debt").check()
    page.locator("button[value=grant]").click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+(#main)?$"))
    expect(page.locator("table.loans-granted")).to_contain_text("Awa Traoré")
    expect(page.locator("#preview-loan_fund")).to_have_text(xof(10_000))
    close(10_000)

    # The next two meetings: 6 000 F each, interest first.
    for week, in_box in ((1, 16_000), (2, 22_000)):
        open_meeting(first + timedelta(weeks=week))
        repayment = page.locator(f"#m{awa.id}-repayment")
        expect(page.locator(f"#m{awa.id}-repayment-due")).to_contain_text(xof(6_000))
        repayment.fill("6000")
        expect(page.locator("#preview-loan_fund")).to_have_text(xof(in_box))
        close(in_box)

    with db.connection_context():
        loan = Loan.get(Loan.member == awa.id)
        assert loan.status == "repaid"
        assert Meeting.select().where(Meeting.status == "closed").count() == 3
        assert ledger.balances(group)[Fund.LOAN_FUND] == 22_000
