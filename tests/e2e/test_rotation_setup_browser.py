"""In French, a facilitator sets a tontine up through the pages: the rotation, the hands (one a
half hand shared by two members), the agreed order typed and then changed by dragging a row, and
the start."""

import pytest
from playwright.sync_api import Page, expect

from savings_groups.core import dates
from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import Role
from savings_groups.rosca import rotations
from savings_groups.store.db import db
from savings_groups.store.models import Rotation
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

NAMES = ("Awa", "Binta", "Coumba", "Djeneba")


def test_a_tontine_is_set_up_with_a_half_hand_and_an_order_dragged_in_french(
    page: Page, make_user, make_group, make_member
):
    group = make_group("Tontine Sabou", kind="rosca", currency="XOF")
    awa, binta, coumba, djeneba = (make_member(group, full_name=name) for name in NAMES)
    make_user("issa", role=Role.FACILITATOR, groups=[group], locale="fr")
    log_in(page, "issa")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.goto(f"/groups/{group.id}")
    page.get_by_role("link", name="Rotations", exact=True).click()
    page.get_by_role("link", name="Nouvelle rotation").click()
    page.fill("#contribution", "5 000")
    page.select_option("#order", "fixed")
    page.fill("#start_date", dates.today().isoformat())
    page.locator("form.narrow button[type=submit]").click()
    expect(page).to_have_url(f"/groups/{group.id}/rotations/{rotation_id(group)}/hands")

    # Awa and Binta one hand each; Coumba and Djeneba share the third.
    page.fill(f"#whole-{awa.id}", "1")
    page.fill(f"#whole-{binta.id}", "1")
    page.check(f"#half-{coumba.id}")
    page.select_option(f"#partner-{coumba.id}", str(djeneba.id))
    page.get_by_role("button", name="Enregistrer les mains").click()

    # On to the order: typed with the keyboard, then hand 3 dragged to the top: renumbered.
    expect(page).to_have_url(f"/groups/{group.id}/rotations/{rotation_id(group)}/order")
    rows = page.locator("#order tbody tr")
    expect(rows).to_have_count(3)
    for number, position in ((1, "1"), (2, "2"), (3, "3")):
        page.fill(f"#position-{number}", position)
    rows.nth(2).drag_to(rows.nth(0))
    expect(page.locator("#position-3")).to_have_value("1")
    expect(page.locator("#position-1")).to_have_value("2")
    expect(page.locator("#position-2")).to_have_value("3")
    page.get_by_role("button", name="Enregistrer l’ordre").click()
    with db.connection_context():
        rotation = Rotation.get(Rotation.group == group)
        order = {hand.number: hand.position for hand in rotations.hands_of(rotation)}
    assert order == {1: 2, 2: 3, 3: 1}

    page.goto(f"/groups/{group.id}/rotations/{rotation.id}/hands")
    expect(page.locator("#rounds-count")).to_have_text("3")
    expect(page.locator("#pot")).to_have_text(format_amount(15_000, "XOF", "fr"))
    page.get_by_role("button", name="Démarrer la rotation").click()
    expect(page).to_have_url(f"/groups/{group.id}/rotations/{rotation.id}")
    expect(page.locator("#next-recipient")).to_contain_text("Coumba")
    expect(page.locator("#next-recipient")).to_contain_text("Djeneba")


def rotation_id(group) -> int:
    with db.connection_context():
        return Rotation.get(Rotation.group == group).id
