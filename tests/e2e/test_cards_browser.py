"""A French recorder finds members on the meeting grid by scanning their cards: a card reader
types the code and Enter into the search box, and the member's row is chosen."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from savings_groups.core import dates
from savings_groups.core.vocabulary import Role
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_a_scanned_card_selects_the_members_row_on_the_meeting_grid(
    page: Page, admin, make_user, make_group, make_member, make_cycle
):
    today = dates.today()
    group = make_group("Espoir", currency="XOF")
    people = [
        make_member(group, full_name=name)
        for name in ("Fatou Diop", "Khady Ba", "Awa Sow", "Moussa Ndiaye", "Ibrahima Fall")
    ]
    other_group = make_group("Ailleurs")
    stranger = make_member(other_group, full_name="Kadi Ailleurs")
    make_cycle(
        group, start_date=today - timedelta(days=30), planned_end=today + timedelta(days=200)
    )
    make_user("aminata", role=Role.RECORDER, groups=[group], locale="fr")
    log_in(page, "aminata")
    page.goto(f"/groups/{group.id}/meetings/new")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#meeting-form")).to_be_visible()

    box = page.get_by_label("Carte de membre")
    expect(page.get_by_role("button", name="Scanner avec la caméra")).to_be_visible()
    awa = people[2]
    # The reader types lowercase with a stray character before, as some do, then Enter.
    box.click()
    page.keyboard.type(f"]{awa.card_code.lower()}")
    page.keyboard.press("Enter")
    row = page.locator(f"#row-m{awa.id}")
    expect(row).to_have_class("scan-selected")
    expect(page.locator(f"#m{awa.id}-attendance")).to_be_focused()
    expect(page.locator(".scan-status")).to_have_text(f"N° {awa.number}, Awa Sow.")
    assert "#" not in page.url  # chosen in the page: no reload, nothing typed lost

    # The recorder types on: the row chosen takes what they type.
    page.locator(f"#m{awa.id}-attendance").select_option("late")
    box.fill(people[4].card_code)
    box.press("Enter")
    expect(page.locator(f"#row-m{people[4].id}")).to_have_class("scan-selected")
    expect(row).not_to_have_class("scan-selected")
    expect(page.locator(f"#m{awa.id}-attendance")).to_have_value("late")  # nothing lost

    # A card of another group: told so in French, nothing chosen, nothing changed.
    box.fill(stranger.card_code)
    box.press("Enter")
    expect(page.locator(".scan-status")).to_contain_text("appartient à un membre d’un autre groupe")
    expect(page.locator(".scan-selected")).to_have_count(1)


def test_the_camera_reader_is_served_offline(page: Page, admin, make_group, make_member):
    group = make_group("Espoir")
    make_member(group, full_name="Fatou Diop")
    log_in(page, "admin")
    outside = []
    page.on("request", lambda r: outside.append(r.url) if "127.0.0.1" not in r.url else None)
    page.goto(f"/groups/{group.id}/members")
    expect(page.get_by_role("button", name="Scan with the camera")).to_be_visible()
    src = page.get_by_role("button", name="Scan with the camera").get_attribute("data-jsqr")
    loaded = page.evaluate(
        """src => new Promise(resolve => {
            const s = document.createElement("script");
            s.src = src;
            s.onload = () => resolve(typeof window.jsQR);
            s.onerror = () => resolve("failed");
            document.head.appendChild(s);
        })""",
        src,
    )
    assert loaded == "function"
    assert outside == []
