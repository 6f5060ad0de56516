"""A French facilitator searches, filters and pages the groups list on the home page."""

import pytest
from playwright.sync_api import Page, expect

from savings_groups.core.vocabulary import Role
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_search_filter_and_page_in_french(page: Page, admin, make_user, make_group):
    mine = [make_group(f"Groupe {i:02d}", village="Thiès", country="SN") for i in range(28)]
    mine.append(make_group("Espoir de Kayes", village="Kayes", country="ML"))
    make_group("Pas à moi", village="Kayes", country="ML")  # not assigned: never shown
    make_user("awa", Role.FACILITATOR, groups=mine, locale="fr")
    log_in(page, "awa")
    page.goto("/")
    expect(page.locator("#groups-count")).to_have_text("29 groupes")
    expect(page.locator("#groups-table tbody tr")).to_have_count(25)
    expect(page.locator("#groups-table thead")).to_contain_text("Épargne de ce cycle")
    expect(page.locator("#groups-table tbody tr").first).to_contain_text("pas de données")
    # page 2 by its link
    page.get_by_role("navigation", name="Pages de groupes").get_by_role("link", name="2").click()
    expect(page.locator("#groups-table tbody tr")).to_have_count(4)
    expect(page.locator("#groups-table tbody")).to_contain_text("Groupe 27")
    # search by village
    page.fill("#filter-q", "kayes")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("#groups-table tbody tr")).to_have_count(1)
    expect(page.locator("#groups-table tbody")).to_contain_text("Espoir de Kayes")
    expect(page.locator("#groups-table tbody")).not_to_contain_text("Pas à moi")
    # filter by country, the search cleared
    page.fill("#filter-q", "")
    page.select_option("#filter-country", "SN")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("#groups-count")).to_have_text("28 groupes")
    # a wrong value in the address: a clear message in French
    page.goto("/?cycle=moitie")
    expect(page.locator("#list-error")).to_contain_text("État de cycle inconnu")
