"""A member in French checks a share-out slip on the public page, without an account: the
code typed from the paper is « Authentique », an altered one « Non authentique »."""

import pytest
from playwright.sync_api import Browser, Page, expect

from savings_groups.core.vocabulary import Role
from savings_groups.shareout import operations as closing
from savings_groups.store.db import db
from tests.e2e.conftest import log_in
from tests.web.views.test_shareout import ON
from tests.web.views.test_shareout import world as shareout_world  # noqa: F401  (a fixture)

pytestmark = pytest.mark.e2e


def test_a_slip_is_authentique_and_an_altered_code_is_not(
    page: Page,
    browser: Browser,
    live_server,
    shareout_world,  # noqa: F811
    make_user,
):
    w = shareout_world(users=False)
    with db.connection_context():
        closing.finalise(w.admin, w.group, w.cycle, ON)
    make_user("awa", role=Role.FACILITATOR, groups=[w.group], locale="fr")
    log_in(page, "awa")
    page.goto(f"/groups/{w.group.id}/share-out/slips?cycle={w.cycle.id}")
    slip = page.locator(".slip").first
    expect(slip.locator(".statement-check svg")).to_be_visible()
    typed = slip.locator(".statement-code").inner_text()
    token = slip.locator(".statement-check").get_attribute("data-token")

    member = browser.new_context(base_url=live_server, locale="fr-FR")
    reader = member.new_page()
    reader.goto("/verify")
    expect(reader.locator("h1")).to_have_text("Vérifier un document")
    reader.fill("#verify-code", typed)
    reader.get_by_role("button", name="Vérifier", exact=True).click()
    expect(reader.locator("#verify-result h1")).to_have_text("Authentique")
    expect(reader.locator("#verify-figures")).to_contain_text("Membre nº")

    altered = token[:12] + ("B" if token[12] != "B" else "C") + token[13:]
    reader.goto(f"/verify/{altered}")
    expect(reader.locator("#verify-result h1")).to_have_text("Non authentique")
    expect(reader.locator("#verify-figures")).to_have_count(0)
    member.close()
