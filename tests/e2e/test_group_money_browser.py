"""In French, a recorder records a padlock bought and cash taken to the mobile-money account
at a meeting; the boxes follow as they type, and the share-out sheet counts both."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from savings_groups.core import dates
from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import Fund, Role
from savings_groups.ledger import entries as ledger
from savings_groups.store.db import db
from savings_groups.store.models import Entry, Meeting
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def xof(amount: int) -> str:
    return format_amount(amount, "XOF", "fr")


def test_an_expense_and_a_deposit_in_french_reach_the_share_out_sheet(
    page: Page, admin, make_user, make_group, make_member, make_cycle
):
    today = dates.today()
    group = make_group("Benkadi", currency="XOF")
    awa, binta = (make_member(group, full_name=name) for name in ("Awa Traoré", "Binta Diallo"))
    cycle = make_cycle(
        group,
        start_date=today - timedelta(days=60),
        planned_end=today + timedelta(days=200),
        share_value=1_000,
        social_fund_contribution=0,
        min_shares=0,
    )
    make_user("mariam", role=Role.RECORDER, groups=[group], locale="fr")
    log_in(page, "mariam")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.goto(f"/groups/{group.id}/meetings/new")
    page.get_by_role("button", name="Ouvrir la réunion").click()
    page.fill(f"#m{awa.id}-shares", "5")
    page.fill(f"#m{binta.id}-shares", "3")
    # The two sections are folded: each opens from the keyboard.
    expect(page.get_by_label("Montant, ligne 1")).to_be_hidden()
    for toggle in ("#group-money-toggle", "#account-transfers-toggle"):
        expect(page.locator(toggle)).to_contain_text(
            "Dépenses et autres recettes" if "money" in toggle else "Banque / mobile money"
        )
        page.locator(toggle).focus()
        page.keyboard.press("Enter")

    # The padlock, approved by Awa, out of the loan fund's box, in cash.
    page.get_by_label("Dépense ou recette, ligne 1").select_option("expense")
    page.get_by_label("Montant, ligne 1").fill("2 500")
    page.get_by_label("Caisse ou compte, ligne 1").select_option("loan_fund")
    page.get_by_label("Pour quoi, ligne 1").fill("Cadenas")
    page.get_by_label("Approuvé par, ligne 1").select_option(label="1. Awa Traoré")
    # 4,000 F taken from the box to the mobile-money account.
    expect(page.locator("#account-row")).to_be_hidden()
    page.get_by_label("Sens, mouvement 1").select_option("deposit")
    page.get_by_label("Moyen, mouvement 1").select_option("mobile_money")
    page.get_by_label("Montant, mouvement 1").fill("4 000")
    page.keyboard.press("Tab")
    # The boxes follow what is typed: 8,000 of shares - 2,500 - 4,000 in the box, 4,000 away.
    expect(page.locator("#account-row")).to_be_visible()
    expect(page.locator("#preview-loan_fund")).to_have_text(xof(1_500))
    expect(page.locator("#preview-bank")).to_have_text(xof(4_000))

    page.fill("#counted-loan_fund", "1 500")
    page.fill("#counted-social_fund", "0")
    page.get_by_role("button", name="Clôturer la réunion").click()
    expect(page.locator(".group-money-figures")).to_contain_text("Cadenas")
    expect(page.locator(".group-money-figures")).to_contain_text("Awa Traoré")
    expect(page.locator("#box-bank")).to_contain_text(xof(4_000))
    with db.connection_context():
        meeting = Meeting.get(Meeting.group == group)
        assert meeting.status == "closed"
        assert ledger.balances(group, cycle)[Fund.BANK] == 4_000
        assert Entry.get(Entry.note == "Cadenas").approved_by_id == awa.id

    # The share-out sheet: the box, the account and the padlock, counted.
    page.goto(f"/groups/{group.id}/share-out?cycle={cycle.id}")
    expect(page.locator("#cash-loan_fund")).to_have_text(xof(1_500))
    expect(page.locator("#cash-bank")).to_contain_text(xof(4_000))
    expect(page.locator("#group-expenses")).to_have_text(xof(2_500))
    expect(page.locator("#balance-check")).to_have_text(xof(5_500))
    page.goto(f"/groups/{group.id}/share-out/slips?cycle={cycle.id}")
    expect(page.locator(f"#slip-{awa.id} .slip-group-money")).to_contain_text(xof(4_000))
    expect(page.locator(f"#slip-{awa.id} .slip-group-money")).to_contain_text(xof(2_500))
