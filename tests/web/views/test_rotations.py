"""The ROSCA setup pages through the browser client: the rotations list, a new rotation, its
hands, a fixed order and the start, with the messages next to the fields."""

import html
import re

import pytest
from playhouse.test_utils import count_queries

from savings_groups.core.money import format_amount
from savings_groups.rosca import rotations
from savings_groups.rosca.rotations import HandChoice, RotationTerms
from savings_groups.store.db import db
from savings_groups.store.models import AuditEntry, Hand, HandHolder, Rotation
from tests.rosca.test_rounds import run_round, set_up_rotation
from tests.web.views.test_loans import part

TERMS = RotationTerms(10_000, "weekly", "2026-03-02", "fixed")


def xof(amount):
    return format_amount(amount, "XOF", "en")


def text(response):
    """The page as a reader sees it: tags out, entities decoded, spaces squeezed."""
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(page))


def error_of(response, name):
    """The message shown under a field (its id-error block)."""
    found = re.search(rf'id="{name}-error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    return html.unescape(found.group(1)) if found else None


@pytest.fixture
def tontine(admin, make_group, make_member, make_user):
    group = make_group("Tontine du marché", kind="rosca")
    make_user("fanta", groups=[group])  # a facilitator
    make_user("vera", role="viewer", groups=[group])
    return group, [make_member(group, f"Member {n}") for n in range(1, 7)]


@pytest.fixture
def rotation(admin, tontine):
    with db.connection_context():
        return rotations.create_rotation(admin, tontine[0], TERMS)


def base(group, rotation=None):
    path = f"/groups/{group.id}/rotations"
    return f"{path}/{rotation.id}" if rotation else path


def hands_form(members, **rows):
    """Form data: one whole hand each unless rows say otherwise ({member: (whole, partner)})."""
    data = {}
    for member in members:
        whole, partner = rows.get(member.full_name, (1, None))
        data[f"whole-{member.id}"] = str(whole)
        if partner is not None:
            data[f"half-{member.id}"] = "y"
            data[f"partner-{member.id}"] = str(partner.id)
    return data


def saved():
    with db.connection_context():
        return (Rotation.select().count(), Hand.select().count(), HandHolder.select().count())


def test_a_facilitator_sets_a_rotation_up_and_starts_it(web, tontine):
    group, members = tontine
    web.login("fanta")
    page = web.client.get(f"{base(group)}/new")
    assert page.status_code == 200
    assert '<option selected value="weekly">' in page.get_data(
        as_text=True
    )  # the group's frequency
    created = web.post(
        f"{base(group)}/new",
        {
            "contribution": "10,000",
            "frequency": "weekly",
            "start_date": "2026-03-02",
            "order": "fixed",
            "discount_rule": "shared",
            "late_fine": "500",
            "notes": "",
        },
    )
    assert created.status_code == 302
    with db.connection_context():
        rotation = Rotation.get()
    assert created.location.endswith(f"{base(group, rotation)}/hands")

    a, b, c, d, e, f = members
    data = hands_form(members, **{"Member 2": (0, c), "Member 3": (0, None), "Member 1": (2, None)})
    done = web.post(f"{base(group, rotation)}/hands", data)
    assert done.status_code == 302 and done.location.endswith("/order")
    page = web.client.get(f"{base(group, rotation)}/hands")
    shown = text(page)
    assert "Hands, so rounds 6" in shown
    assert f"Pot of each round {xof(60_000)}" in shown
    assert "Last round Apr 6, 2026" in shown
    assert f"Member 2 0 1 {xof(5_000)}" in shown
    assert f"Member 1 2 0 {xof(20_000)}" in shown

    order = web.client.get(f"{base(group, rotation)}/order")
    assert order.status_code == 200
    assert 'name="position-6"' in order.get_data(as_text=True)
    positions = {f"position-{n}": str(7 - n) for n in range(1, 7)}
    assert web.post(f"{base(group, rotation)}/order", positions).status_code == 302

    started = web.post(f"{base(group, rotation)}/start", form_path=f"{base(group, rotation)}/hands")
    assert started.status_code == 302
    page = web.client.get(f"{base(group, rotation)}/hands")
    assert "Save the hands" not in text(page)
    assert "the hands and the order are fixed" in text(page)
    assert "Save the order" not in text(web.client.get(f"{base(group, rotation)}/order"))
    with db.connection_context():
        assert Rotation.get().started_at is not None
        assert [h.position for h in rotations.hands_of(rotation)] == [6, 5, 4, 3, 2, 1]
    listing = text(web.client.get(base(group)))
    assert "Rotation 1" in listing and xof(60_000) in listing and "Running round 1 of 6" in listing


def test_bad_terms_come_back_with_the_message_and_nothing_saved(web, tontine):
    group, _members = tontine
    web.login("fanta")
    form = {"contribution": "10.000", "frequency": "weekly", "start_date": "2026-03-02"}
    page = web.post(f"{base(group)}/new", {**form, "order": "fixed"})
    assert page.status_code == 422
    assert "Too many decimals" in error_of(page, "contribution")
    page = web.post(f"{base(group)}/new", {**form, "contribution": "5", "start_date": "x"})
    assert page.status_code == 422
    assert "x is not a date" in error_of(page, "start_date")
    assert saved() == (0, 0, 0)


def test_a_savings_group_is_refused_a_rotation(web, make_group):
    group = make_group("Épargne", kind="savings")
    web.login("admin")
    page = web.client.get(f"{base(group)}/new")
    assert page.status_code == 200
    assert "this is a savings group" in text(page)
    assert 'name="contribution"' not in page.get_data(as_text=True)
    form = {"contribution": "1000", "frequency": "weekly", "start_date": "2026-03-02"}
    refused = web.post(f"{base(group)}/new", {**form, "order": "fixed"})
    assert refused.status_code == 422
    assert "this is a savings group" in text(refused)
    assert saved() == (0, 0, 0)
    assert "Only ROSCAs (tontines) have rotations" in text(web.client.get(base(group)))


def test_bad_hands_come_back_next_to_the_field_and_nothing_saved(
    web, tontine, rotation, make_group, make_member
):
    group, members = tontine
    outsider = make_member(make_group(kind="rosca"), "Outsider")
    web.login("fanta")
    path = f"{base(group, rotation)}/hands"
    alone = hands_form(members)
    alone[f"half-{members[0].id}"] = "y"
    page = web.post(path, alone)
    assert page.status_code == 422
    assert "needs its partner" in error_of(page, f"partner-{members[0].id}")
    assert f'id="half-{members[0].id}" name="half-{members[0].id}" value="y" checked' in (
        page.get_data(as_text=True)
    )  # the rows come back as posted
    foreign = hands_form(members, **{"Member 1": (0, outsider)})
    page = web.post(path, foreign)
    assert page.status_code == 422
    assert "must be a current member" in error_of(page, f"partner-{members[0].id}")
    page = web.post(path, {**hands_form(members), f"whole-{outsider.id}": "1"})
    assert page.status_code == 422
    assert "This member is not a current member of the group." in text(page)
    page = web.post(path, {**hands_form(members), f"whole-{members[2].id}": "lots"})
    assert "lots is not a whole number" in error_of(page, f"whole-{members[2].id}")
    assert saved() == (1, 0, 0)


def test_a_bad_order_comes_back_next_to_the_position(web, admin, tontine, rotation):
    group, members = tontine
    with db.connection_context():
        rotations.set_hands(admin, rotation, [HandChoice(m.id, 1) for m in members[:3]])
    web.login("fanta")
    page = web.post(
        f"{base(group, rotation)}/order", {"position-1": "1", "position-2": "1", "position-3": "2"}
    )
    assert page.status_code == 422
    assert error_of(page, "position-2") == "Position 1 is given to two hands (1 and 2)."
    assert 'id="position-3" name="position-3" value="2"' in page.get_data(as_text=True)
    with db.connection_context():
        assert [h.position for h in rotations.hands_of(rotation)] == [None, None, None]


def test_a_start_before_the_order_is_refused_with_the_reason(web, admin, tontine, rotation):
    group, members = tontine
    with db.connection_context():
        rotations.set_hands(admin, rotation, [HandChoice(m.id, 1) for m in members])
    web.login("fanta")
    hands = f"{base(group, rotation)}/hands"
    page = web.post(f"{base(group, rotation)}/start", form_path=hands)
    assert page.status_code == 422
    assert "Set the order of the hands before starting." in text(page)
    with db.connection_context():
        assert Rotation.get().started_at is None
        assert not AuditEntry.select().where(AuditEntry.action == "rotation.start").exists()


def test_a_viewer_reads_the_hands_without_a_form(web, admin, tontine, rotation):
    group, members = tontine
    with db.connection_context():
        rotations.set_hands(admin, rotation, [HandChoice(m.id, 1) for m in members])
    web.login("vera")
    page = web.client.get(f"{base(group, rotation)}/hands")
    assert page.status_code == 200
    assert "Member 6" in text(page)
    assert "Save the hands" not in text(page) and "Start the rotation" not in text(page)


def test_the_group_page_links_a_rosca_to_its_rotations(web, tontine, make_group):
    group, _members = tontine
    savings = make_group(kind="savings")
    web.login("admin")
    link = f'href="{base(group)}"'
    assert link in web.client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert f'href="{base(savings)}"' not in web.client.get(f"/groups/{savings.id}").get_data(
        as_text=True
    )


def test_the_pages_take_the_same_number_of_queries_at_6_and_30_hands(
    web, admin, make_group, make_member
):
    group = make_group(kind="rosca")
    web.login("admin")

    def setup(count):
        with db.connection_context():
            members = [make_member(group) for _ in range(count)]
            rotation = rotations.create_rotation(admin, group, TERMS)
            half = [HandChoice(members[0].id, 0, True, members[1].id)]
            rest = [HandChoice(m.id, 1) for m in members[2:]]
            rotations.set_hands(admin, rotation, half + rest)
            hands = rotations.hands_of(rotation)
            rotations.set_order(admin, rotation, {h.number: h.number for h in hands})
            return rotation, len(hands)

    def queries(rotation) -> list[int]:
        counts = []
        for path in (
            base(group),
            f"{base(group, rotation)}/hands",
            f"{base(group, rotation)}/order",
        ):
            with count_queries() as counter:
                assert web.client.get(path).status_code == 200
            counts.append(counter.count)
        return counts

    small, hands = setup(7)
    assert hands == 6
    queries(small)  # the first request of the app checks once whether it is set up
    few = queries(small)
    large, hands = setup(31)
    assert hands == 30
    assert queries(large) == few


def test_the_list_shows_where_each_rotation_stands_when_several_run_at_once(
    web, admin, make_group, make_member
):
    group = make_group(kind="rosca")
    with db.connection_context():
        people = [make_member(group) for _ in range(3)]
        finished = set_up_rotation(admin, group, people)
        for number in (1, 2, 3):
            run_round(admin, finished, number)
        running = set_up_rotation(admin, group, people)
        run_round(admin, running, 1)
        set_up_rotation(admin, group, people)  # started, nothing paid out yet
        set_up_rotation(admin, group, people, start=False)
    web.login("admin")
    page = web.client.get(base(group))
    assert "Finished on" in part(page, "state-1")
    assert "Running round 2 of 3" in part(page, "state-2")
    assert f'href="{base(group, running)}/rounds/2"' in page.get_data(as_text=True)
    assert "Running round 1 of 3" in part(page, "state-3")
    assert "Being set up" in part(page, "state-4")
    assert "running at the same time" in part(page, "running-together")
    with count_queries() as counter:
        web.client.get(base(group))
    with db.connection_context():
        more = set_up_rotation(admin, group, people)
        run_round(admin, more, 1)
    with count_queries() as again:
        web.client.get(base(group))
    assert again.count == counter.count
