"""A French-speaking officer filters the dashboard by facilitator and downloads the XLSX table."""

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from savings_groups.core.vocabulary import Role
from tests.e2e.conftest import log_in
from tests.indicators.conftest import AS_OF, org  # noqa: F401  (the hand-built organization)

pytestmark = pytest.mark.e2e


def test_dashboard_by_facilitator_in_french_and_its_xlsx(page: Page, org, make_user):  # noqa: F811
    make_user("awa", role=Role.VIEWER, groups=[org["a"], org["b"]], locale="fr")
    log_in(page, "awa")
    page.goto(f"/dashboard?as_of={AS_OF.isoformat()}")
    expect(page.locator("h1")).to_have_text("Tableau de bord")
    members = page.locator('tr[data-key="members"] td[data-segment="all"]')
    expect(members).to_have_text("4")
    page.select_option("#filter-facilitator", label="Fatou")
    page.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(re.compile(rf"facilitator={org['fatou'].id}&"))
    expect(members).to_have_text("3")
    expect(page.locator('tr[data-key="groups"] td[data-segment="all"]')).to_have_text("1")
    expect(
        page.locator('tr[data-key="par30"][data-currency="XOF"] td[data-segment="all"]')
    ).to_contain_text("72,7")
    expect(page.locator('tr[data-key="par30"]')).to_contain_text("Capital restant dû")
    with page.expect_download() as info:
        page.click("#export-xlsx")
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Groupe", "Pays")
    assert [row[0] for row in rows[1:]] == ["Group A"]
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Épargne de ce cycle"] == 9000
    assert record["Encours des prêts"] == 5500
