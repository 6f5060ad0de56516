"""An admin makes an API token for one group on the API tokens page, sees it once, uses it, and
revokes it: the next call with it is 401."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_a_token_for_one_group_shown_once_then_revoked(page: Page, admin, make_group):
    mine = make_group("Benkadi")
    other = make_group("Jigiya")
    log_in(page, "admin")
    page.goto("/admin/api-tokens/")
    expect(page.locator("tbody")).to_contain_text("No token yet.")
    page.fill("#name", "M&E system")
    page.check(f"input[name=groups][value='{mine.id}']")
    page.get_by_role("button", name="Make the token").click()
    expect(page.get_by_role("alert")).to_contain_text("Copy the token now: it is shown only once.")
    secret = page.locator("#new-token").inner_text().strip()
    assert secret.startswith("sgapi_")
    row = page.locator("tbody tr", has_text="M&E system")
    expect(row).to_contain_text("Active")
    expect(row.locator("td").nth(2)).to_have_text("1")  # one group
    expect(row.locator("td").nth(1)).to_contain_text(secret[:8])

    # Shown once: not on the page any more, nor anywhere in it.
    page.goto("/admin/api-tokens/")
    expect(page.locator("#new-token")).to_have_count(0)
    assert secret not in page.content()

    # The token reads its group only.
    bearer = {"Authorization": f"Bearer {secret}"}
    answer = page.request.get("/api/v1/groups", headers=bearer)
    assert answer.status == 200
    assert [g["name"] for g in answer.json()["items"]] == ["Benkadi"]
    assert page.request.get(f"/api/v1/groups/{other.id}", headers=bearer).status == 403

    page.locator("tbody tr", has_text="M&E system").get_by_role("button", name="Revoke").click()
    expect(page.locator("tbody tr", has_text="M&E system")).to_contain_text("Revoked")
    expect(
        page.locator("tbody tr", has_text="M&E system").get_by_role("button", name="Revoke")
    ).to_have_count(0)
    refused = page.request.get("/api/v1/groups", headers=bearer)
    assert refused.status == 401
    assert refused.headers["content-type"].startswith("application/json")
    assert "API token" in refused.json()["error"]["message"]
