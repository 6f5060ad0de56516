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
