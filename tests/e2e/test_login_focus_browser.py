"""The login page puts the cursor in the username field: one can type at once."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_the_cursor_starts_in_the_username_field(page: Page, admin):
    page.goto("/login")
    expect(page.locator("#username")).to_be_focused()
    page.keyboard.type("admin")
    expect(page.locator("#username")).to_have_value("admin")
    expect(page.locator("#username[autofocus]")).to_have_count(1)
