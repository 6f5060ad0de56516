"""What a person does in a browser: first run, language, accounts and groups, lock, keyboard."""

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Page, expect

from savings_groups.core.vocabulary import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

FRENCH_PO = Path(__file__).resolve().parents[2] / "translations/fr/LC_MESSAGES/messages.po"


@cache
def french() -> dict[str, str]:
    """The French catalog's translations, so the test follows the translators' wording."""
    with FRENCH_PO.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string}


def fr(msgid: str) -> str:
    text = french().get(msgid)
    assert text, f"{msgid!r} has no French translation in {FRENCH_PO}"
    return text


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def test_first_run_setup_creates_the_organization_and_logs_in(page: Page):
    page.goto("/")

    expect(page).to_have_url(re.compile(r"/setup$"))
    expect(page.get_by_role("heading", name="Welcome to Savings Groups")).to_be_visible()
    page.get_by_label("Name of the organization").fill("Programme Retour")
    page.get_by_label("Your full name").fill("Awa Diallo")
    page.get_by_label("Username").fill("awa")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create the organization").click()

    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(page.get_by_role("heading", name="Accounts", level=1)).to_be_visible()
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name="Programme Retour")).to_be_visible()
    expect(header.get_by_role("link", name=re.compile("Awa Diallo"))).to_be_visible()
    expect(header.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("The organization is ready")
    expect(page.get_by_role("cell", name="awa", exact=True)).to_be_visible()
    expect(page).to_have_title(re.compile("Programme Retour"))


def test_login_page_in_french(page: Page, make_user):
    # No language of their own: the choice made on the login page carries on after login.
    make_user("binta", role=Role.ADMIN, locale=None)
    page.goto("/login")
    switch = page.locator("form.language-switch")
    # The script hides the switch's button: choosing in the list is enough.
    expect(switch.get_by_role("button")).to_be_hidden()

    switch.get_by_label("Language").select_option(label="Français")

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", name=fr("Log in"))).to_be_visible()
    expect(switch.get_by_label(fr("Language"))).to_have_value("fr")
    page.get_by_label(fr("Username")).fill("binta")
    page.get_by_label(fr("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=fr("Log in")).click()

    expect(page.get_by_role("heading", name=fr("Groups"), level=1)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    menu = page.get_by_role("navigation", name=fr("Main menu"))
    for msgid in ("Groups", "Accounts", "Organization", "Audit log"):
        expect(menu.get_by_role("link", name=fr(msgid))).to_be_visible()
    expect(page.get_by_role("button", name=fr("Lock"))).to_be_visible()
    expect(page.get_by_role("button", name=fr("Log out"))).to_be_visible()


def test_admin_creates_a_facilitator_who_sees_only_their_group(page: Page, admin, make_group):
    mine = make_group("Jigiya Women's Group")
    other = make_group("Benkadi Tontine", kind="rosca")

    page.goto("/")
    log_in(page, "admin")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Accounts").click()
    page.get_by_role("link", name="New account").click()
    expect(page.get_by_role("heading", name="New account")).to_be_visible()
    page.get_by_label("Full name").fill("Fatou Camara")
    page.get_by_label("Username").fill("fatou")
    page.get_by_label("Role").select_option(label="Facilitator")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("checkbox", name="Jigiya Women's Group").check()
    page.get_by_role("button", name="Create the account").click()

    expect(page.get_by_role("status")).to_contain_text("The account “fatou” is created.")
    row = page.get_by_role("row").filter(has_text="Fatou Camara")
    expect(row.get_by_role("cell").nth(2)).to_have_text("Facilitator")
    expect(row.get_by_role("cell").nth(3)).to_have_text("1")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged out.")

    log_in(page, "fatou")
    expect(page.get_by_role("heading", name="Groups", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=mine.name)).to_be_visible()
    expect(page.get_by_role("link", name=other.name)).to_have_count(0)
    expect(page.get_by_role("link", name="Accounts")).to_have_count(0)
    page.get_by_role("link", name=mine.name).click()
    expect(page.get_by_role("heading", name=mine.name, level=1)).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Fatou Camara")).to_be_visible()

    response = page.goto(f"/groups/{other.id}")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_text(other.name)).to_have_count(0)


def test_lock_then_log_back_in_returns_to_the_same_page(page: Page, admin, make_group):
    group = make_group("Sabati Savings Group")
    page.goto("/")
    log_in(page, "admin")
    page.get_by_role("link", name=group.name).click()
    expect(page.get_by_role("heading", name=group.name, level=1)).to_be_visible()
    group_url = page.url

    page.get_by_role("button", name="Lock").click()

    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("status")).to_contain_text("The screen is locked.")
    expect(page.get_by_label("Username")).to_have_value("admin")
    expect(page.get_by_role("button", name="Lock")).to_have_count(0)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(group_url)
    expect(page.get_by_role("heading", name=group.name, level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Lock")).to_be_visible()


def test_login_with_the_keyboard_only(page: Page, admin):
    page.goto("/login")

    # The cursor starts in the username field (autofocus): one types at once.
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type("admin")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Groups", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    # On a page without a field to start in, the first Tab reaches the skip link.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the content")).to_be_focused()
