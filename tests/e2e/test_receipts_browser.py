"""The receipts as texts: a copy button per member that copies the text, or leaves it selected
for the reader to copy; its length in SMS is shown."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in
from tests.reports.test_receipts import club  # noqa: F401  (a fixture)

pytestmark = pytest.mark.e2e


def test_a_members_text_is_copied_or_left_selected(page: Page, club):  # noqa: F811
    log_in(page, "admin")
    page.goto(f"/groups/{club.group.id}/meetings/{club.second.id}/texts")
    area = page.locator("#sms-1")
    text = area.input_value()
    assert text == (
        "Group 1 2/9, Awa. Paid: shares 2,000, social fund 200, fines 100, repaid 1,300. "
        "Savings 12,000. Still to repay 2,000. Next 1,300 on 2/16. (F CFA)"
    )
    expect(page.locator("#sms-1-length")).to_have_text(f"{len(text)} characters in GSM-7: 1 SMS")
    page.get_by_role("button", name="Copy").first.click()
    status = page.locator('[data-copy-status="sms-1"]')
    expect(status).not_to_be_empty()
    assert status.inner_text() in (
        "Copied.",
        "The text is selected: copy it with Ctrl+C (or a long press on a phone).",
    )
    selected = page.evaluate(
        "() => { const a = document.getElementById('sms-1'); return a.value.substring(a.selectionStart, a.selectionEnd); }"
    )
    assert selected == text
    # The slips to print link to the texts and carry each member's loan.
    page.goto(f"/groups/{club.group.id}/meetings/{club.second.id}/receipts")
    expect(page.locator("#receipt-1 .receipt-loan-balance")).to_have_text("F CFA2,000")
    expect(page.locator("#receipt-1 .receipt-next")).to_contain_text("Feb 16, 2026")
