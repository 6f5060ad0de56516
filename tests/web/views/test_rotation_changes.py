"""The pages that change a rotation after its setup: two turns swapped, what stayed in the pot
shared or carried over at the end, the end rule, and a tontine member's passbook."""

import re

from babel.dates import format_date
from playhouse.test_utils import count_queries

from savings_groups.core.money import format_amount
from savings_groups.rosca import rotations
from savings_groups.store.db import db
from savings_groups.store.models import Entry, Hand, Rotation, RotationEnd, TurnSwap
from tests.conftest import Browser
from tests.rosca.test_ending import run_all
from tests.rosca.test_rounds import run_round, set_up_rotation
from tests.web.views.test_loans import part
from tests.web.views.test_rotations import error_of, text

NAMES = ("Awa", "Binta", "Coumba", "Djeneba")


def xof(amount):
    return format_amount(amount, "XOF", "en")


def tontine(admin, make_group, make_member, make_user, **terms):
    group = make_group("Tontine Benkadi", kind="rosca")
    make_user("mariam", role="recorder", groups=[group])
    people = [make_member(group, full_name=name) for name in NAMES]
    with db.connection_context():
        rotation = set_up_rotation(admin, group, people, **terms)
    return group, people, rotation


def path(rotation, page=""):
    return f"/groups/{rotation.group_id}/rotations/{rotation.id}{page}"


def stamp(response) -> str:
    return re.search(r'name="seen"[^>]*value="([^"]*)"', response.get_data(as_text=True)).group(1)


def test_a_recorder_swaps_two_turns_and_every_page_shows_the_new_order(
    app, web, admin, make_group, make_member, make_user
):
    group, people, rotation = tontine(admin, make_group, make_member, make_user)
    with db.connection_context():
        run_round(admin, rotation, 1)
        ids = {h.number: h.id for h in Hand.select().where(Hand.rotation == rotation)}
    web.login("mariam")
    page = web.client.get(path(rotation, "/swap"))
    assert page.status_code == 200
    assert "Took the pot in round 1" in part(page, "turn-1")
    assert f'value="{ids[1]}"' not in part(page, "first")  # a served hand is not offered
    data = {"first": ids[2], "second": ids[4], "agreed": "y", "note": "Binta travels"}
    done = web.post(path(rotation, "/swap"), {**data, "seen": stamp(page)})
    assert done.status_code == 302
    page = web.client.get(path(rotation, "/swap"))
    assert "Djeneba" in part(page, "turn-2") and "Binta" in part(page, "turn-4")
    assert "hand 2 (position 2) and hand 4 (position 4) swapped" in text(page)
    rounds = web.client.get(path(rotation))
    assert "Djeneba" in part(rounds, "next-recipient")
    assert "Binta" in part(rounds, "round-4")
    schedule = text(web.client.get(path(rotation, "/schedule")))
    assert schedule.index("Hand 4: Djeneba") < schedule.index("Hand 3: Coumba")
    assert schedule.index("Hand 3: Coumba") < schedule.index("Hand 2: Binta")
    order = web.client.get(path(rotation, "/order"))
    assert "Djeneba" in text(order).split("Hand 3")[0]
    organization = Browser(app.test_client())  # the administrator, on another laptop
    organization.login("admin")
    audit = text(organization.client.get("/audit"))
    assert "Two hands swapped their turns" in audit
    assert "first_members: Binta" in audit and "second_members: Djeneba" in audit


def test_a_swap_refused_shows_its_message_next_to_the_field_and_a_stale_tab_is_refused(
    web, admin, make_group, make_member, make_user
):
    group, people, rotation = tontine(admin, make_group, make_member, make_user)
    with db.connection_context():
        ids = {h.number: h.id for h in Hand.select().where(Hand.rotation == rotation)}
    web.login("mariam")
    page = web.client.get(path(rotation, "/swap"))
    seen = stamp(page)
    refused = web.post(path(rotation, "/swap"), {"first": ids[2], "second": ids[3], "seen": seen})
    assert refused.status_code == 422
    assert "agreed" in error_of(refused, "agreed")
    refused = web.post(
        path(rotation, "/swap"), {"first": ids[2], "second": ids[2], "agreed": "y", "seen": seen}
    )
    assert "two different hands" in error_of(refused, "second")
    with db.connection_context():
        run_round(admin, rotation, 1)  # paid out in another tab meanwhile
    stale = web.post(
        path(rotation, "/swap"), {"first": ids[2], "second": ids[3], "agreed": "y", "seen": seen}
    )
    assert stale.status_code == 422
    assert "has changed since this page was opened" in text(stale)
    with db.connection_context():
        assert TurnSwap.select().count() == 0
        assert [h.position for h in rotations.hands_of(rotation)] == [1, 2, 3, 4]


def test_a_lottery_rotation_has_no_turn_to_swap(web, admin, make_group, make_member, make_user):
    group, people, rotation = tontine(admin, make_group, make_member, make_user, order="lottery")
    web.login("mariam")
    page = web.client.get(path(rotation, "/swap"))
    assert "Only a rotation in a fixed order has turns to swap" in part(page, "swap-refused")
    assert 'id="swap"' not in page.get_data(as_text=True)
    assert 'id="swap-turns"' not in web.client.get(path(rotation)).get_data(as_text=True)


def test_the_end_page_shows_the_amounts_then_shares_them(
    web, admin, make_group, make_member, make_user
):
    group, people, rotation = tontine(admin, make_group, make_member, make_user, late_fine=500)
    with db.connection_context():
        run_all(admin, rotation, late={2: people[:3]})  # 1 500 of fines: 375 each
    web.login("mariam")
    assert 'id="rotation-end"' in web.client.get(path(rotation)).get_data(as_text=True)
    page = web.client.get(path(rotation, "/end"))
    assert part(page, "end-remainder") == xof(1_500)
    assert xof(375) in part(page, "end-share-1")
    form = {"on": "2026-04-06", "seen": "1500"}
    stale = web.post(path(rotation, "/end"), {**form, "seen": "1000"})
    assert stale.status_code == 422
    assert f"it now holds {xof(1_500)}" in text(stale)
    future = web.post(path(rotation, "/end"), {**form, "on": "2099-01-01"})
    assert "in the future" in error_of(future, "on")
    with db.connection_context():
        assert Entry.select().where(Entry.kind == "rotation_share").count() == 0
    assert web.post(path(rotation, "/end"), form).status_code == 302
    page = web.client.get(path(rotation, "/end"))
    assert "Shared on Apr 6, 2026" in part(page, "end-done")
    assert part(page, "end-shared") == xof(1_500)
    assert part(web.client.get(path(rotation)), "in-pot") == xof(0)
    again = web.post(path(rotation, "/end"), form)
    assert again.status_code == 422 and "once only" in text(again)
    with db.connection_context():
        shares = [e.amount for e in Entry.select().where(Entry.kind == "rotation_share")]
        assert shares == [-375] * 4


def test_the_end_rule_is_chosen_at_setup_changed_until_the_start_then_carried(
    web, admin, make_group, make_member, make_user
):
    group, people, rotation = tontine(
        admin, make_group, make_member, make_user, late_fine=500, start=False
    )
    make_user("fanta", groups=[group])  # a facilitator
    web.login("fanta")
    hands = path(rotation, "/hands")
    assert web.post(path(rotation, "/end-rule"), {"end_rule": "carried"}, hands).status_code == 302
    assert "Carried over to the next rotation" in part(web.client.get(hands), "end-rule")
    wrong = web.post(path(rotation, "/end-rule"), {"end_rule": "lost"}, hands)
    assert wrong.status_code == 422 and "Choose what becomes" in error_of(wrong, "end_rule")
    with db.connection_context():
        rotations.start_rotation(admin, Rotation.get_by_id(rotation.id))
    late = web.post(path(rotation, "/end-rule"), {"end_rule": "shared"}, hands)
    assert late.status_code == 422 and "has started" in text(late)
    created = web.post(
        f"/groups/{group.id}/rotations/new",
        {
            "contribution": "5,000",
            "frequency": "weekly",
            "start_date": "2026-05-04",
            "order": "fixed",
            "end_rule": "shared",
        },
    )
    assert created.status_code == 302
    with db.connection_context():
        following = Rotation.get(Rotation.number == 2)
        assert following.end_rule == "shared"
        run_all(admin, Rotation.get_by_id(rotation.id), late={1: people[:1]})
    page = web.client.get(path(rotation, "/end"))
    assert part(page, "end-carried") == xof(500)
    done = web.post(
        path(rotation, "/end"), {"on": "2026-04-06", "seen": "500", "carried_to": following.id}
    )
    assert done.status_code == 302
    with db.connection_context():
        assert RotationEnd.get().carried_to_id == following.id
    assert "Carried over to rotation 2" in part(web.client.get(path(rotation, "/end")), "end-done")


def test_a_tontine_members_passbook_shows_the_tontine_and_prints(
    web, admin, make_group, make_member, make_user
):
    group, people, rotation = tontine(admin, make_group, make_member, make_user, late_fine=500)
    awa, binta = people[:2]
    with db.connection_context():
        run_round(admin, rotation, 1, overrides={binta.id: ("late", None)})
        run_round(admin, rotation, 2, overrides={awa.id: ("covered", binta.id)})
    web.login("mariam")
    page = web.client.get(f"/groups/{group.id}/members/{binta.id}/passbook")
    assert page.status_code == 200
    assert "Shares bought" not in text(page)  # no savings-group columns
    assert part(page, "book-1-paid") == xof(30_000)
    assert part(page, "book-1-received") == xof(40_000)
    assert part(page, "book-1-balance") == xof(-10_000)
    assert "took the pot in round 2" in part(page, "book-1-hands")
    assert "Paid for Awa" in part(page, "book-1-round-2")
    assert xof(500) in part(page, "book-1-round-1")
    a5 = web.client.get(f"/groups/{group.id}/members/{binta.id}/passbook?size=a5")
    assert "print-a5.css" in a5.get_data(as_text=True)


def test_the_tontine_passbook_reads_the_same_number_of_queries_at_two_sizes(
    web, admin, make_group, make_member, make_user
):
    web.login("admin")

    def queries(count):
        group = make_group(kind="rosca")
        people = [make_member(group) for _ in range(count)]
        with db.connection_context():
            for _ in range(count // 3):
                run_round(admin, set_up_rotation(admin, group, people), 1)
        url = f"/groups/{group.id}/members/{people[0].id}/passbook"
        web.client.get(url)  # the first request of a session reads more (the setup check)
        with count_queries() as counter:
            assert web.client.get(url).status_code == 200
        return counter.count

    assert queries(3) == queries(9)


def test_swapped_turns_are_on_the_rotation_page_and_its_printed_schedule(
    web, admin, make_group, make_member, make_user
):
    group, people, rotation = tontine(admin, make_group, make_member, make_user)
    with db.connection_context():
        ids = {h.number: h.id for h in Hand.select().where(Hand.rotation == rotation)}
        rotations.swap_turns(admin, rotation, ids[2], ids[4], True, "Binta travels in March")
        on = TurnSwap.get().recorded_at.date()
    web.login("mariam")
    said = f"Turns swapped on {day(on)}: hand 2 (Binta) ↔ hand 4 (Djeneba)"
    for page in (path(rotation), path(rotation, "/schedule"), path(rotation, "/schedule?size=a5")):
        swaps = part(web.client.get(page), "rotation-swaps")
        assert said in text_of(swaps), page
        assert "Binta travels in March" in swaps


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).replace("&amp;", "&")


def day(on) -> str:
    return format_date(on, "medium", locale="en")
