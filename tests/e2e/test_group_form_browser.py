"""The new-group form in French: the country's currencies first, the rounding unit following the
currency's smallest unit until the user types one."""

import pytest
from playwright.sync_api import Page, expect

from savings_groups.core.vocabulary import Role
from savings_groups.store.db import db
from savings_groups.store.models import SavingsGroup
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_the_country_chooses_the_currency_and_the_currency_the_rounding_unit(page: Page, make_user):
    make_user("fatou", role=Role.FACILITATOR, locale="fr")
    log_in(page, "fatou")
    page.goto("/groups/new")
    currency, unit = page.locator("#currency"), page.locator("#rounding_unit")
    expect(currency).to_have_value("")  # no currency chosen for the user, least of all XTS
    expect(unit).to_have_value("")

    page.select_option("#country", "SN")
    expect(currency).to_have_value("XOF")
    expect(currency.locator("option").nth(1)).to_have_attribute("value", "XOF")
    expect(unit).to_have_value("1")
    page.select_option("#currency", "EUR")
    expect(unit).to_have_value("0,01")
    page.select_option("#country", "NG")  # the user chose the euro: it stays
    expect(currency).to_have_value("EUR")
    expect(currency.locator("option").nth(1)).to_have_attribute("value", "NGN")

    page.fill("#rounding_unit", "0,05")  # typed: kept when the currency changes
    page.select_option("#currency", "NGN")
    expect(unit).to_have_value("0,05")
    page.fill("#name", "Benkadi")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("h1")).to_contain_text("Benkadi")
    with db.connection_context():
        group = SavingsGroup.get(SavingsGroup.name == "Benkadi")
        assert (group.country, group.currency, group.rounding_unit) == ("NG", "NGN", 5)
