"""A French facilitator records the group's consent, then exports its member list; a group without
consent gets no link, and its member export is refused with a message in French."""

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from savings_groups.core.vocabulary import Role
from savings_groups.store.db import db
from savings_groups.store.models import GroupConsent
from tests.conftest import buy
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_consent_recorded_in_french_opens_the_member_export(
    page: Page, admin, world, make_group, make_member, make_user
):
    w = world()
    buy(w, w.members[0], w.meeting(date(2026, 3, 2)), 3)
    other = make_group("Jigiya")
    make_member(other, "Kadiatou Camara")
    make_user("fatou", Role.FACILITATOR, groups=[w.group, other], locale="fr")
    log_in(page, "fatou")

    # No decision yet: no export link on the group's page.
    page.goto(f"/groups/{w.group.id}")
    expect(page.locator("#group-consent")).to_contain_text("Aucune décision enregistrée")
    expect(page.get_by_role("link", name="Liste des membres (XLSX)")).to_have_count(0)

    page.goto(f"/groups/{w.group.id}/consent")
    expect(page.get_by_role("heading", name="Enregistrer une nouvelle décision")).to_be_visible()
    page.check("input[name=scopes][value=member_exports]")
    page.fill("#given_on", "01/03/2026")  # typed the French way
    page.fill("#given_by", "L’assemblée des membres")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator("body")).to_contain_text("La décision du groupe est enregistrée.")
    expect(page.locator("#group-consent")).to_contain_text("L’assemblée des membres")
    expect(page.locator("#group-consent")).to_contain_text("Donnée le 1 mars 2026")
    with db.connection_context():
        decision = GroupConsent.get(GroupConsent.group == w.group)
        assert (decision.given_on, decision.scope_set) == (date(2026, 3, 1), {"member_exports"})

    # The group's page now offers the member list; it opens with French column titles.
    page.goto(f"/groups/{w.group.id}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Liste des membres (XLSX)").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = list(sheet.values)
    assert rows[0][:2] == ("Numéro", "Nom")
    assert [row[1] for row in rows[1:]] == [m.full_name for m in w.members]
    assert rows[1][7] == 3  # shares bought this cycle

    # The other group has recorded nothing: no link, and the address itself is refused.
    page.goto(f"/groups/{other.id}")
    expect(page.get_by_role("link", name="Liste des membres (XLSX)")).to_have_count(0)
    page.goto(f"/groups/{other.id}/export/members.xlsx")
    expect(page).to_have_url(re.compile(rf"/groups/{other.id}/consent$"))
    expect(page.locator("body")).to_contain_text("Jigiya")
    expect(page.locator("body")).to_contain_text("n’a pas accepté l’export des données")
