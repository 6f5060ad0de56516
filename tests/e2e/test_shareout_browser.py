"""In French, a facilitator previews the share-out, finalises it, and prints the slips."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from babel.numbers import format_currency
from playwright.sync_api import Page, expect

from savings_groups.core import dates
from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import EntryKind, Fund, LoanStatus, Role
from savings_groups.ledger import entries as ledger
from savings_groups.loans import operations as lending
from savings_groups.loans.requests import LoanRequest
from savings_groups.store.db import db
from savings_groups.store.models import Cycle, Loan
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

A4_HEIGHT, A5_HEIGHT = 842, 595  # points: 297 mm and 210 mm


def xof(amount: int) -> str:
    return format_amount(amount, "XOF", "fr")


def page_heights(pdf: bytes) -> set[int]:
    """The heights of the pages of a PDF, in points, rounded (from their MediaBox)."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]", pdf)
    return {round(float(height)) for _width, height in boxes}


def test_a_facilitator_closes_a_cycle_and_prints_the_slips_in_french(
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
    awa, binta = (make_member(group, full_name=name) for name in ("Awa Traoré", "Binta Diallo"))
    with db.connection_context():
        for member in (awa, binta):
            ledger.post(
                admin,
                group,
                Fund.LOAN_FUND,
                EntryKind.SHARE_PURCHASE,
                10_000,
                cycle=cycle,
                member=member,
                shares=10,
            )
        # 10,000 over 4 weeks at 10 % flat: 2,500 of principal and 1,000 of interest a week.
        loan = lending.grant_loan(
            admin, group, cycle, LoanRequest(awa, 10_000, 4, "business"), today - timedelta(21)
        )
        lending.record_repayment(admin, loan, 3_500, today - timedelta(days=14))
        lending.record_repayment(admin, loan, 3_500, today - timedelta(days=7))
    make_user("fatou", role=Role.FACILITATOR, groups=[group], locale="fr")
    log_in(page, "fatou")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    # The preview, from the group's page. Cash 17,000; Awa owes the third week's interest and
    # the principal left: 6,000. Fund 23,000 / 20 shares = 1,150 a share: Awa 11,500 - 6,000.
    page.goto(f"/groups/{group.id}")
    page.locator(f"a[href='/groups/{group.id}/share-out']").click()
    expect(page.locator("#cash-loan_fund")).to_have_text(xof(17_000))
    expect(page.locator("#owed")).to_have_text(xof(6_000))
    # With two decimals more than the franc has: 1 150,00 F CFA.
    exact = format_currency(Decimal("1150.00"), "XOF", locale="fr", currency_digits=False)
    expect(page.locator("#value-per-share")).to_have_text(exact)
    expect(page.locator(f"#line-{awa.id} .payout")).to_have_text(xof(5_500))
    expect(page.locator(f"#line-{binta.id} .payout")).to_have_text(xof(11_500))
    expect(page.locator("#balance-check")).to_have_text(xof(17_000))
    expect(page.locator("#share-out-status")).to_have_class(re.compile("not-final"))

    # Finalising without ticking the box is refused; ticked, the payouts are posted.
    page.locator("#finalise-form button[type=submit]").click()
    expect(page.locator("#confirm-error")).to_be_visible()
    page.check("#confirm")
    page.locator("#finalise-form button[type=submit]").click()
    expect(page.locator("#share-out-status")).to_have_class(re.compile(r"\bfinal\b"))
    expect(page.locator("#finalise-form")).to_have_count(0)
    expect(page.locator(f"#line-{awa.id} .payout")).to_have_text(xof(5_500))
    with db.connection_context():
        assert Loan.get_by_id(loan.id).status == LoanStatus.REPAID.value
        assert Cycle.get_by_id(cycle.id).closed_at is not None
        assert ledger.balances(group, cycle)[Fund.LOAN_FUND] == 0

    # The slips: one per member, with the amounts paid, printed on A4 and on A5.
    page.locator("#paper-links a[href*='/slips']").first.click()
    expect(page.locator(".slip")).to_have_count(2)
    expect(page.locator(f"#slip-{awa.id} .slip-paid")).to_have_text(xof(5_500))
    expect(page.locator(f"#slip-{binta.id} .slip-paid")).to_have_text(xof(11_500))
    expect(page.locator(f"#slip-{awa.id}")).to_contain_text("Awa Traoré")
    pdf = page.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF") and page_heights(pdf) == {A4_HEIGHT}
    page.locator("a[href*='size=a5']").click()
    expect(page.locator(".paper-a5")).to_have_count(1)
    pdf = page.pdf(prefer_css_page_size=True)
    assert page_heights(pdf) == {A5_HEIGHT}


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def test_the_a4_sheet_of_eight_members_fits_one_page_and_the_slips_align(
    page: Page, admin, make_user, make_group, make_member, make_cycle, tmp_path
):
    """Eight members, two of them with a loan deducted, finalised and printed in French: the
    A4 sheet is one page (the signature boxes not split off), and on a slip the member's and
    the treasurer's thumbprint boxes are level however their labels wrap."""
    from savings_groups.shareout import operations as closing

    today = dates.today()
    group = make_group("Benkadi Épargne", currency="XOF", rounding_unit=25)
    cycle = make_cycle(
        group,
        start_date=today - timedelta(days=60),
        planned_end=today + timedelta(days=200),
        share_value=500,
        social_fund_contribution=0,
        min_shares=0,
        loan_rate=Decimal("0.10"),
        loan_method="flat",
        loan_max_multiple=Decimal(3),
        loan_max_periods=4,
    )
    names = ["Awa Traoré", "Binta Diallo", "Coumba Keïta", "Djeneba Sow", "Fanta Camara"]
    names += ["Hawa Coulibaly", "Ibrahima Bah", "Moussa Konaté"]
    people = [make_member(group, full_name=name) for name in names]
    with db.connection_context():
        for count, member in zip([19, 11, 17, 8, 20, 3, 11, 16], people, strict=True):
            ledger.post(
                admin,
                group,
                Fund.LOAN_FUND,
                EntryKind.SHARE_PURCHASE,
                count * 500,
                cycle=cycle,
                member=member,
                shares=count,
            )
        for member in (people[0], people[3]):
            request = LoanRequest(member, 3_000, 2, "business")
            lending.grant_loan(admin, group, cycle, request, today - timedelta(21))
        closing.finalise(admin, group, cycle, today)
    make_user("fatou", role=Role.FACILITATOR, groups=[group], locale="fr")
    log_in(page, "fatou")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.set_viewport_size({"width": 718, "height": 1000})  # A4's width less its margins
    page.goto(f"/groups/{group.id}/share-out/sheet?cycle={cycle.id}")
    page.emulate_media(media="print")
    page.screenshot(path=str(tmp_path / "sheet_a4_print.png"), full_page=True)
    pdf = page.pdf(prefer_css_page_size=True)
    (tmp_path / "sheet_a4.pdf").write_bytes(pdf)
    assert page_heights(pdf) == {A4_HEIGHT}
    assert page_count(pdf) == 1
    level(page, "#share-out-sheet .thumbprint")

    page.goto(f"/groups/{group.id}/share-out/slips?cycle={cycle.id}")
    page.emulate_media(media="print")
    page.screenshot(path=str(tmp_path / "slips_a4_print.png"), full_page=True)
    for member in people:
        level(page, f"#slip-{member.id} .thumbprint")
    pdf = page.pdf(prefer_css_page_size=True)
    (tmp_path / "slips_a4.pdf").write_bytes(pdf)
    assert page_heights(pdf) == {A4_HEIGHT}


def level(page: Page, selector: str) -> None:
    """The thumbprint boxes side by side (two a row) have their tops at the same height."""
    boxes = page.locator(selector)
    tops = [boxes.nth(i).bounding_box()["y"] for i in range(boxes.count())]
    assert len(tops) >= 2
    for left, right in zip(tops[::2], tops[1::2], strict=False):
        assert abs(left - right) < 1, tops
