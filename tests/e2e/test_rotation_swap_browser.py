"""In French, a recorder swaps two turns of a running tontine through the pages (a first try
without the holders' agreement refused next to the box), sees the new order on the rotation
page, then opens a member's passbook: the tontine, not savings-group columns."""

import pytest
from playwright.sync_api import Page, expect

from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import Role
from savings_groups.rosca import rotations
from savings_groups.store.db import db
from tests.e2e.conftest import log_in
from tests.e2e.test_rosca_browser import pdf_pages
from tests.rosca.test_rounds import run_round, set_up_rotation

pytestmark = pytest.mark.e2e
NAMES = ("Awa", "Binta", "Coumba", "Djeneba", "Fanta")


def xof(amount: int) -> str:
    return format_amount(amount, "XOF", "fr")


def test_two_turns_are_swapped_then_a_passbook_opened_in_french(
    page: Page, admin, make_user, make_group, make_member
):
    group = make_group("Tontine Benkadi", kind="rosca", currency="XOF")
    people = [make_member(group, full_name=name) for name in NAMES]
    binta, fanta = people[1], people[4]
    with db.connection_context():
        rotation = set_up_rotation(admin, group, people)  # 10 000 a hand, in member order
        run_round(admin, rotation, 1)  # Awa takes the first pot of 50 000
        hands = {h.holders[0].member.id: h.id for h in rotations.hands_of(rotation)}
    make_user("mariam", role=Role.RECORDER, groups=[group], locale="fr")
    log_in(page, "mariam")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.goto(f"/groups/{group.id}/rotations/{rotation.id}")
    expect(page.locator("#next-recipient")).to_contain_text("Binta")
    page.get_by_role("link", name="Échanger deux tours").click()
    expect(page.locator("#turn-1")).to_contain_text("A reçu la cagnotte au tour 1")
    page.select_option("#first", str(hands[binta.id]))
    page.select_option("#second", str(hands[fanta.id]))
    page.fill("#note", "Binta voyage en mars")
    page.get_by_role("button", name="Échanger les tours").click()
    expect(page.locator("#agreed-error")).to_contain_text("Cochez la case")
    expect(page.locator("#agreed")).to_have_attribute("aria-invalid", "true")
    page.check("#agreed")
    page.get_by_role("button", name="Échanger les tours").click()
    expect(page.locator(".alert-success")).to_contain_text("Les deux mains ont échangé leur tour.")
    expect(page.locator("#turn-2")).to_contain_text("Fanta")
    expect(page.locator("#turn-5")).to_contain_text("Binta")
    expect(page.locator("#swaps")).to_contain_text("Binta voyage en mars")

    page.goto(f"/groups/{group.id}/rotations/{rotation.id}")
    expect(page.locator("#next-recipient")).to_contain_text("Fanta")
    expect(page.locator("#round-5")).to_contain_text("Binta")

    # Binta's passbook, from the members' list: the tontine, her turn moved to round 5.
    page.goto(f"/groups/{group.id}/members")
    page.get_by_role("link", name="Binta").click()
    expect(page.locator("h1")).to_contain_text("Livret")
    expect(page.locator("#book-1-hands")).to_contain_text("reçoit la cagnotte au tour 5")
    expect(page.locator("#book-1-paid")).to_have_text(xof(10_000))
    expect(page.locator("#book-1-balance")).to_have_text(xof(10_000))
    expect(page.locator("#passbook-lines")).to_have_count(0)  # no savings-group columns
    page.get_by_role("link", name="Page A5").click()
    expect(page).to_have_url(f"/groups/{group.id}/members/{binta.id}/passbook?size=a5")


A4_HEIGHT, A5_HEIGHT = 842, 595  # points


def test_the_printed_schedule_of_six_hands_shows_the_swaps_on_one_sheet(
    page: Page, admin, make_user, make_group, make_member
):
    """Six hands, two swaps with their notes: on A4 and on A5 the schedule says which turns
    were swapped, when and by whom, and still prints on a single sheet."""
    group = make_group("Tontine Benkadi", kind="rosca", currency="XOF")
    names = ("Awa", "Binta", "Coumba", "Djeneba", "Fanta", "Hawa")
    people = [make_member(group, full_name=name) for name in names]
    with db.connection_context():
        rotation = set_up_rotation(admin, group, people)
        run_round(admin, rotation, 1)
        ids = {h.number: h.id for h in rotations.hands_of(rotation)}
        note = "Binta voyage en mars pour les funérailles de son oncle, Djeneba accepte " * 3
        rotations.swap_turns(admin, rotation, ids[2], ids[4], True, note.strip())
        rotations.swap_turns(admin, rotation, ids[5], ids[6], True, "Fanta accouche en avril")
    make_user("mariam", role=Role.RECORDER, groups=[group], locale="fr")
    log_in(page, "mariam")
    for size, height in (("a4", A4_HEIGHT), ("a5", A5_HEIGHT)):
        page.goto(f"/groups/{group.id}/rotations/{rotation.id}/schedule?size={size}")
        swaps = page.locator("#rotation-swaps li")
        expect(swaps).to_have_count(2)
        expect(swaps.first).to_contain_text("main 2 (Binta) ↔ main 4 (Djeneba)")
        expect(swaps.last).to_contain_text("Fanta accouche en avril")
        page.emulate_media(media="print")
        assert pdf_pages(page.pdf(prefer_css_page_size=True)) == [height], size
        page.emulate_media(media="screen")
