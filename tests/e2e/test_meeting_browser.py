"""A recorder records a whole meeting in French with the keyboard alone, and closes it."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from savings_groups.core import dates
from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import EntryKind, Role
from savings_groups.store.db import db
from savings_groups.store.models import Entry, FineType, Meeting
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

NAMES = [
    "Awa Traoré",
    "Binta Diallo",
    "Coumba Sow",
    "Djénéba Keïta",
    "Fatoumata Camara",
    "Hawa Coulibaly",
    "Kadiatou Barry",
    "Mariama Bah",
    "Nafissatou Cissé",
    "Oumou Sangaré",
    "Rokia Touré",
    "Salimata Konaté",
]
# Shares per member; the fourth is absent (and pays no social fund); the second and ninth
# were late (fined); the seventh receives a welfare grant of 300 F.
SHARES = [2, 1, 3, 0, 5, 1, 2, 4, 1, 3, 2, 5]
SHARE_VALUE, SOCIAL, FINE, GRANT = 500, 100, 100, 300
LOAN_FUND = sum(SHARES) * SHARE_VALUE + 2 * FINE  # 14,700 F
SOCIAL_FUND = 11 * SOCIAL - GRANT  # 800 F


def xof(amount: int) -> str:
    return format_amount(amount, "XOF", "fr")


def press(page: Page, *keys: str) -> None:
    for key in keys:
        page.keyboard.press(key)


def test_a_recorder_records_a_meeting_in_french_with_the_keyboard_only(
    page: Page, admin, make_user, make_group, make_member, make_cycle
):
    today = dates.today()
    group = make_group("Benkadi", currency="XOF")
    people = [make_member(group, full_name=name) for name in NAMES]
    cycle = make_cycle(
        group,
        start_date=today - timedelta(days=60),
        planned_end=today + timedelta(days=200),
        share_value=SHARE_VALUE,
        social_fund_contribution=SOCIAL,
    )
    with db.connection_context():
        late = FineType.create(cycle=cycle, name="Retard", amount=FINE)
    make_user("mariam", role=Role.RECORDER, groups=[group], locale="fr")

    # Log in with the keyboard.
    page.goto("/login")
    expect(page.locator("#username")).to_be_focused()  # the cursor starts there
    page.keyboard.type("mariam")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    # A new meeting, today by default: skip to the content, then the date, then the button.
    page.goto(f"/groups/{group.id}/meetings/new")
    press(page, "Tab", "Enter", "Tab", "Tab")
    expect(page.locator("#held_on")).to_be_focused()
    expect(page.locator("#held_on")).to_have_value(f"{today.day:02}/{today.month:02}/{today.year}")
    press(page, "Tab", "Enter")
    expect(page).to_have_url(re.compile(r"/meetings/\d+(#main)?$"))

    # The grid: the cursor starts in the first cell, the first member's attendance.
    first = people[0].id
    expect(page.locator(f"#m{first}-attendance")).to_be_focused()
    for index, (member, shares) in enumerate(zip(people, SHARES, strict=True)):
        m = f"m{member.id}"
        expect(page.locator(f"#{m}-attendance")).to_be_focused()
        if index == 3:
            page.keyboard.press("a")  # Absent
            expect(page.locator(f"#{m}-attendance")).to_have_value("absent")
        page.keyboard.press("Tab")  # the social fund: blank means the rule's 100 F if there
        expect(page.locator(f"#{m}-social_fund")).to_have_value("")
        expect(page.locator(f"#{m}-social_fund")).to_have_attribute(
            "placeholder", "" if index == 3 else "100"
        )
        page.keyboard.press("Tab")
        expect(page.locator(f"#{m}-shares")).to_be_focused()
        if shares:
            page.keyboard.type(str(shares))
        if index == 10:
            # Up and down move within the column: on to the last member's shares and back.
            page.keyboard.press("ArrowDown")
            expect(page.locator(f"#m{people[11].id}-shares")).to_be_focused()
            page.keyboard.press("ArrowUp")
            expect(page.locator(f"#{m}-shares")).to_be_focused()
        page.keyboard.press("Tab")
        expect(page.locator(f"#{m}-fine-{late.id}")).to_be_focused()
        if index in (1, 8):
            page.keyboard.press("Space")
        page.keyboard.press("Tab")
        expect(page.locator(f"#{m}-welfare")).to_be_focused()
        if index == 6:
            page.keyboard.type(str(GRANT))
        page.keyboard.press("Tab")

    # The boxes as they will be, computed in the page before anything is saved.
    expect(page.locator("#preview-loan_fund")).to_have_text(xof(LOAN_FUND))
    expect(page.locator("#preview-social_fund")).to_have_text(xof(SOCIAL_FUND))

    # Past the two folded sections (expenses and other income, the account), one Tab each.
    expect(page.locator("#group-money-toggle")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#account-transfers-toggle")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#notes")).to_be_focused()
    page.keyboard.type("Réunion ordinaire.")
    page.keyboard.press("Tab")
    expect(page.locator("#counted-loan_fund")).to_be_focused()
    page.keyboard.type(str(LOAN_FUND - 500))  # 500 F are missing from the box
    page.keyboard.press("Tab")
    page.keyboard.type(str(SOCIAL_FUND))
    expect(page.locator("#difference-loan_fund")).to_have_text(xof(-500))
    page.keyboard.press("Tab")
    expect(page.locator("#difference_note")).to_be_focused()
    page.keyboard.type("500 F manquants après deux comptages")
    press(page, "Tab", "Tab")  # past "Save draft", to "Close the meeting"
    expect(page.locator("button[value=close]")).to_be_focused()
    page.keyboard.press("Enter")

    # The closed meeting, read-only, with the boxes' balances.
    expect(page.locator("#box-loan_fund")).to_be_visible()
    expect(page.locator("#box-loan_fund")).to_contain_text(xof(LOAN_FUND - 500))
    expect(page.locator("#box-loan_fund")).to_contain_text(xof(-500))
    expect(page.locator("#box-social_fund")).to_contain_text(xof(SOCIAL_FUND))
    # The last column is the box as the meeting left it, not "now": an old meeting keeps it.
    expect(page.locator("table.box-balances thead th").last).to_have_text(
        "En caisse à la fin de la réunion"
    )
    expect(page.locator("input[name$='-shares']")).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text="Oumou Sangaré")).to_contain_text(xof(1500))
    with db.connection_context():
        meeting = Meeting.get(Meeting.group == group)
        assert meeting.status == "closed"
        difference = Entry.get(
            (Entry.meeting == meeting) & (Entry.kind == EntryKind.CASH_DIFFERENCE.value)
        )
        assert (difference.amount, difference.note) == (
            -500,
            "500 F manquants après deux comptages",
        )

    # The member reads her passbook: from the members list, with the keyboard.
    page.goto(f"/groups/{group.id}/members")
    page.get_by_role("link", name="Oumou Sangaré", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/members/\d+/passbook$"))
    expect(page.locator("h1")).to_contain_text("Oumou Sangaré")
    totals = page.locator("tr.passbook-totals")
    expect(totals).to_contain_text(xof(3 * SHARE_VALUE))
    expect(totals).to_contain_text(xof(SOCIAL))
    expect(page.get_by_role("row").filter(has_text=re.compile(r"Présente?"))).to_have_count(1)


def test_marking_a_member_absent_takes_the_social_fund_off_the_box(
    page: Page, admin, make_user, make_group, make_member, make_cycle
):
    """In French: the contribution shows in each blank cell and in the box's preview; marking a
    member absent clears both, marking them represented brings it back (the representative
    pays), and an amount typed on purpose stays whatever the attendance."""
    today = dates.today()
    group = make_group("Benkadi", currency="XOF")
    awa, binta, coumba = (make_member(group, full_name=n) for n in NAMES[:3])
    make_cycle(
        group,
        start_date=today - timedelta(days=60),
        planned_end=today + timedelta(days=200),
        share_value=SHARE_VALUE,
        social_fund_contribution=SOCIAL,
    )
    make_user("mariam", role=Role.RECORDER, groups=[group], locale="fr")
    log_in(page, "mariam")
    page.goto(f"/groups/{group.id}/meetings/new")
    page.locator("button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+(#main)?$"))
    page.wait_for_load_state("load")  # meeting.js listens from DOMContentLoaded on
    expect(page.locator("#social-fund-help")).to_contain_text("absent ou excusé ne paie rien")
    preview = page.locator("#preview-social_fund")
    expect(preview).to_have_text(xof(3 * SOCIAL))

    binta_cell = page.locator(f"#m{binta.id}-social_fund")
    page.select_option(f"#m{binta.id}-attendance", "absent")
    expect(binta_cell).to_have_attribute("placeholder", "")
    expect(binta_cell).to_have_value("")
    expect(preview).to_have_text(xof(2 * SOCIAL))
    page.select_option(f"#m{binta.id}-attendance", "represented")
    expect(binta_cell).to_have_attribute("placeholder", "100")
    expect(preview).to_have_text(xof(3 * SOCIAL))

    # Coumba sent 50 F with a neighbour: typed, it stays when she is marked absent.
    page.fill(f"#m{coumba.id}-social_fund", "50")
    page.select_option(f"#m{coumba.id}-attendance", "absent")
    expect(page.locator(f"#m{coumba.id}-social_fund")).to_have_value("50")
    expect(preview).to_have_text(xof(2 * SOCIAL + 50))

    # Saved, the server reads the grid the same way.
    page.locator("button[value=save]").click()
    expect(page.get_by_text("Le brouillon est enregistré.")).to_be_visible()
    page.wait_for_load_state("load")
    expect(page.locator(f"#m{coumba.id}-social_fund")).to_have_value("50")
    expect(page.locator(f"#m{awa.id}-social_fund")).to_have_attribute("placeholder", "100")
    expect(preview).to_have_text(xof(2 * SOCIAL + 50))
