"""In French, a recorder runs three rounds of a six-member tontine by bidding: one member late
(and fined), the first round won by the highest bid, the third by a tie drawn with a seed; the
fourth's payout dated in the future is refused; a part paid by another member is owed to her
until repaid."""

import re

import pytest
from playwright.sync_api import Page, expect

from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import Role
from savings_groups.rosca import compute as rosca
from savings_groups.rosca import rotations
from savings_groups.store.db import db
from tests.e2e.conftest import log_in
from tests.rosca.test_rounds import run_round, set_up_rotation

pytestmark = pytest.mark.e2e
NAMES = ("Awa", "Binta", "Coumba", "Djeneba", "Fanta", "Hawa")
A5_HEIGHT = 595  # points: 210 mm


def pdf_pages(pdf: bytes) -> list[int]:
    """The heights of the pages of a PDF, in points, rounded (from their MediaBox)."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]", pdf)
    return [round(float(height)) for _width, height in boxes]


def xof(amount: int) -> str:
    return format_amount(amount, "XOF", "fr")


def test_a_tontine_runs_three_rounds_in_french(
    page: Page, admin, make_user, make_group, make_member
):
    group = make_group("Tontine Benkadi", kind="rosca", currency="XOF")
    people = [make_member(group, full_name=name) for name in NAMES]
    with db.connection_context():
        rotation = set_up_rotation(admin, group, people, order="bidding", late_fine=500)
        hands = {h.holders[0].member.full_name: h.number for h in rotations.hands_of(rotation)}
    make_user("mariam", role=Role.RECORDER, groups=[group], locale="fr")
    log_in(page, "mariam")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    def record(number: int, bids: dict[str, str], seed: str = "", late=()) -> None:
        page.goto(f"/groups/{group.id}/rotations/{rotation.id}")
        page.locator("#record-round").click()
        expect(page).to_have_url(f"/groups/{group.id}/rotations/{rotation.id}/rounds/{number}")
        for member in people:
            status = "late" if member.full_name in late else "on_time"
            page.select_option(f"#status-{hands[member.full_name]}-{member.id}", status)
        for name, offer in bids.items():
            page.fill(f"#bid-{hands[name]}", offer)
        if seed:
            page.fill("#seed", seed)
        page.locator("#pay").click()
        expect(page.locator("#round-status")).to_contain_text(xof(60_000))

    # Round 1: Binta offers 5 000 off the pot, Djeneba 3 000: Binta takes 55 000 and the five
    # others get 1 000 each.
    record(1, {"Binta": "5 000", "Djeneba": "3 000"})
    expect(page.locator("#recipient")).to_contain_text("Binta")
    expect(page.locator("#payout-amount")).to_have_text(xof(55_000))
    expect(page.locator("#received")).to_contain_text(f"Awa\u00a0: {xof(1_000)}")

    # Round 2: Coumba pays late (a fine of 500); Fanta alone bids 2 000.
    record(2, {"Fanta": "2 000"}, late=("Coumba",))
    expect(page.locator("#recipient")).to_contain_text("Fanta")
    expect(page.locator("#payout-amount")).to_have_text(xof(58_000))
    expect(page.locator(f"#line-{hands['Coumba']}-{people[2].id}")).to_contain_text(xof(500))

    # Round 3: Awa and Hawa both offer 1 000; without a seed the tie is refused, with one the
    # draw decides, and the seed is shown.
    record(3, {"Awa": "1 000", "Hawa": "1 000"}, seed="")
    expect(page.locator("#seed-error")).to_be_visible()
    page.fill("#seed", "12 7 33")
    page.locator("#pay").click()
    winner = NAMES[rosca.draw("12 7 33", 3, [hands["Awa"], hands["Hawa"]]) - 1]
    expect(page.locator("#recipient")).to_contain_text(winner)
    expect(page.locator("#seed")).to_have_text("12 7 33")

    # The rotation page: three rounds paid, three hands waiting, everyone's position.
    page.goto(f"/groups/{group.id}/rotations/{rotation.id}")
    expect(page.locator("#current-round")).to_contain_text("4")
    expect(page.locator("#waiting li")).to_have_count(3)
    expect(page.locator("#in-pot")).to_have_text(xof(500))  # Coumba's fine
    binta = page.locator(f"#position-{people[1].number}")
    # Binta paid in 30 000 and received 55 000 + 400 (a fifth of round 2's 2 000) + 200
    # (a fifth of round 3's 1 000): owes the others 25 600.
    expect(binta).to_contain_text(xof(-25_600))
    page.goto(f"/groups/{group.id}/rotations/{rotation.id}/schedule")
    expect(page.locator("#schedule")).to_contain_text("12 7 33")

    # Round 4: the payout date shows the day the round was due; a date in the future is refused
    # next to it and nothing is paid out.
    page.goto(f"/groups/{group.id}/rotations/{rotation.id}/rounds/4")
    expect(page.locator("#on-help")).to_contain_text("23 mars 2026")
    for member in people:
        page.select_option(f"#status-{hands[member.full_name]}-{member.id}", "on_time")
    page.fill("#on", "2030-01-01")
    page.locator("#pay").click()
    expect(page.locator("#on-error")).to_be_visible()
    expect(page.locator("#round-status")).not_to_contain_text("2030")

    # Awa pays Djeneba's part of round 4: both positions say who owes whom, until Djeneba
    # repays her.
    page.goto(f"/groups/{group.id}/rotations/{rotation.id}/rounds/4")
    djeneba, awa = people[3], people[0]
    for member in people:
        status = "covered" if member == djeneba else "on_time"
        page.select_option(f"#status-{hands[member.full_name]}-{member.id}", status)
    page.select_option(f"#paid_by-{hands['Djeneba']}-{djeneba.id}", str(awa.id))
    page.locator("button[name=save]").click()
    page.goto(f"/groups/{group.id}/rotations/{rotation.id}")
    expect(page.locator(f"#position-{djeneba.number} .owes")).to_have_text(
        f"doit {xof(10_000)} à Awa"
    )
    expect(page.locator(f"#position-{awa.number} .owed-by")).to_have_text(
        f"Djeneba lui doit {xof(10_000)}"
    )
    page.select_option("#debt", f"{djeneba.id}-{awa.id}")
    page.fill("#amount", "10 000")
    page.locator("#repay").click()
    expect(page.locator(f"#position-{djeneba.number} .owes")).to_have_count(0)
    expect(page.locator(f"#position-{awa.number} .owed-by")).to_have_count(0)

    # The money history says each entry's round (and the group page offers only what a
    # tontine has: members, the money history, the rotations).
    page.goto(f"/groups/{group.id}/ledger")
    expect(page.locator(".ledger-history")).to_contain_text("Tour 2")
    page.goto(f"/groups/{group.id}")
    expect(page.locator(".group-nav a")).to_have_count(3)


def login(page: Page, username: str) -> None:
    log_in(page, username)


def test_the_round_errors_are_next_to_their_fields_and_the_focus_on_the_first(
    page: Page, admin, make_user, make_group, make_member
):
    group = make_group("Tontine Kafo", kind="rosca", currency="XOF")
    people = [make_member(group, full_name=name) for name in NAMES[:3]]
    with db.connection_context():
        rotation = set_up_rotation(admin, group, people, order="bidding", contribution=1_000)
        hands = {h.holders[0].member.id: h.number for h in rotations.hands_of(rotation)}
    make_user("mariam", role=Role.RECORDER, groups=[group])
    login(page, "mariam")
    page.goto(f"/groups/{group.id}/rotations/{rotation.id}/rounds/1")
    expect(page.locator("#bids-help")).to_contain_text("0 is an offer")
    binta = f"{hands[people[1].id]}-{people[1].id}"
    for member in people:
        status = "covered" if member == people[1] else "on_time"
        page.select_option(f"#status-{hands[member.id]}-{member.id}", status)
    page.fill("#bid-1", "abc")
    page.fill("#bid-3", "5,000")
    page.locator("#pay").click()
    # all three wrong fields at once, each marked and described; the cursor on the first
    payer = page.locator(f"#paid_by-{binta}")
    expect(payer).to_be_focused()
    for field in (payer, page.locator("#bid-1"), page.locator("#bid-3")):
        expect(field).to_have_attribute("aria-invalid", "true")
        error = field.get_attribute("aria-describedby").split()[-1]
        expect(page.locator(f"#{error}")).to_be_visible()
    expect(page.locator("#bid-3-error")).to_contain_text("3,000")
    expect(page.locator("#round-status")).to_contain_text("To record")


def test_the_a5_receipt_keeps_its_signatures_on_one_sheet_without_overlap(
    page: Page, admin, make_group, make_member, tmp_path
):
    """Five holders, the pot to a half hand: four signature boxes, all on the one A5 sheet,
    and in each the thumbprint box beside the signature line, not across it."""
    group = make_group("Esusu Ayo", kind="rosca", currency="NGN")
    names = ("Ade", "Bola", "Chidi", "Dayo", "Emeka")
    people = [make_member(group, full_name=name) for name in names]
    with db.connection_context():
        # hands by member number: Ade 1, Bola 2, Chidi and Dayo 3, Emeka 4; hand 3 first
        positions = {3: 1, 1: 2, 2: 3, 4: 4}
        rotation = set_up_rotation(
            admin, group, people, contribution=250_151, half=[people[2:4]], positions=positions
        )
        run_round(admin, rotation, 1)
    login(page, "admin")
    page.set_viewport_size({"width": 499, "height": 800})  # A5's width less its margins
    page.goto(f"/groups/{group.id}/rotations/{rotation.id}/rounds/1/receipt?size=a5")
    expect(page.locator(".signature")).to_have_count(4)
    page.emulate_media(media="print")
    page.screenshot(path=str(tmp_path / "receipt_a5_print.png"), full_page=True)
    pdf = page.pdf(prefer_css_page_size=True)
    (tmp_path / "receipt_a5.pdf").write_bytes(pdf)
    assert pdf_pages(pdf) == [A5_HEIGHT]  # one A5 sheet
    for box in page.locator(".signature").all():
        thumb = box.locator(".thumbprint").bounding_box()
        line = box.locator(".signature-line").bounding_box()
        assert line["x"] + line["width"] <= thumb["x"], (line, thumb)
