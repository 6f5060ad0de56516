"""The cards page and scanning a card on the pages where a member is chosen."""

import re
from datetime import date

import pytest

from savings_groups.core.card_codes import new_code
from savings_groups.core.vocabulary import Role
from savings_groups.store.db import db
from savings_groups.store.models import Meeting, Member

JSON = {"Accept": "application/json"}


@pytest.fixture
def groups(app, admin, make_group, make_member, make_cycle):
    ours, theirs = make_group("Kankan"), make_group("Siguiri")
    cycle = make_cycle(ours)
    awa = make_member(ours, "Awa Diallo")
    left = make_member(ours, "Binta Partie", left_on=date(2026, 3, 1), left_reason="moved")
    moussa = make_member(ours, "Moussa Camara")
    later = make_member(ours, "Nouvelle Venue", joined_on=date(2026, 6, 1))
    other = make_member(theirs, "Kadi Ailleurs")
    with db.connection_context():
        meeting = Meeting.create(group=ours, cycle=cycle, held_on=date(2026, 4, 6))
    return {
        "ours": ours,
        "theirs": theirs,
        "awa": awa,
        "left": left,
        "moussa": moussa,
        "later": later,
        "other": other,
        "meeting": meeting,
    }


def test_the_cards_page_prints_one_card_per_current_member(web, groups):
    web.login("admin")
    page = web.client.get(f"/groups/{groups['ours'].id}/cards")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    cards = re.findall(r'<section class="member-card" id="card-(\d+)"', html)
    current = [groups[k] for k in ("awa", "moussa", "later")]
    assert cards == [str(m.id) for m in current]
    assert html.count("<svg") == 3
    for member in current:
        assert member.full_name in html and member.card_code in html
    assert f"No. {groups['awa'].number}" in html
    assert "Binta Partie" not in html and groups["left"].card_code not in html
    assert "Kadi Ailleurs" not in html and groups["other"].card_code not in html
    assert "Kankan" in html
    assert "css/cards-print.css" in html


def test_only_the_members_chosen(web, groups):
    web.login("admin")
    g = groups
    html = web.client.get(
        f"/groups/{g['ours'].id}/cards?member={g['moussa'].id}&member={g['other'].id}"
    ).get_data(as_text=True)
    assert re.findall(r'id="card-(\d+)"', html) == [str(g["moussa"].id)]


def test_the_group_page_and_the_members_list_link_to_the_cards(web, groups):
    web.login("admin")
    url = f"/groups/{groups['ours'].id}/cards"
    assert url in web.client.get(f"/groups/{groups['ours'].id}").get_data(as_text=True)
    assert url in web.client.get(f"/groups/{groups['ours'].id}/members").get_data(as_text=True)


def test_who_may_print_cards(web, groups, make_user):
    ours, theirs = groups["ours"], groups["theirs"]
    make_user("fanta", role=Role.FACILITATOR, groups=[ours])
    make_user("rita", role=Role.RECORDER, groups=[ours])
    web.login("fanta")
    assert web.client.get(f"/groups/{ours.id}/cards").status_code == 200
    assert web.client.get(f"/groups/{theirs.id}/cards").status_code == 404
    web.client.post("/logout", data={"csrf_token": web.csrf("/")})
    web.login("rita")
    assert web.client.get(f"/groups/{ours.id}/cards").status_code == 403
    assert web.client.get("/logout").status_code in (302, 405)


def test_a_card_is_reissued_and_the_old_one_finds_nobody(web, groups):
    web.login("admin")
    g = groups
    old = g["awa"].card_code
    answer = web.post(
        f"/groups/{g['ours'].id}/members/{g['awa'].id}/card",
        form_path=f"/groups/{g['ours'].id}/cards",
    )
    assert answer.status_code == 302
    with db.connection_context():
        new = Member.get_by_id(g["awa"].id).card_code
    assert new != old
    html = web.client.get(answer.headers["Location"]).get_data(as_text=True)
    assert new in html and "the old card no longer works" in html
    found = web.client.get(f"/groups/{g['ours'].id}/cards/find?code={old}", headers=JSON)
    assert found.status_code == 422 and "replaced" in found.get_json()["error"]


def find(web, group, code, **args):
    return web.client.get(
        f"/groups/{group.id}/cards/find", query_string={"code": code, **args}, headers=JSON
    )


def test_a_scan_finds_the_member_through_noise(web, groups):
    web.login("admin")
    g = groups
    answer = find(web, g["ours"], f"  ]{g['moussa'].card_code.lower()}\r\n")
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["member"], body["number"], body["name"]) == (
        g["moussa"].id,
        g["moussa"].number,
        "Moussa Camara",
    )
    assert body["url"] == f"/groups/{g['ours'].id}/members/{g['moussa'].id}/passbook"


@pytest.mark.parametrize(
    "who, says",
    [
        ("other", "another group"),
        ("left", "has left the group"),
        ("unknown", "No member has the card"),
        ("noise", "is not a member's card"),
    ],
)
def test_a_scan_that_selects_nobody_says_why(web, groups, who, says):
    web.login("admin")
    code = {
        "other": groups["other"].card_code,
        "left": groups["left"].card_code,
        "unknown": new_code(),
        "noise": "SG-23456789A",
    }[who]
    answer = find(web, groups["ours"], code)
    assert answer.status_code == 422
    assert says in answer.get_json()["error"]


def test_a_scan_in_french(web, groups, make_user):
    make_user("francoise", role=Role.FACILITATOR, groups=[groups["ours"]], locale="fr")
    web.login("francoise")
    answer = find(web, groups["ours"], groups["other"].card_code)
    assert "autre groupe" in answer.get_json()["error"]


def test_without_script_the_grid_scan_answers_with_the_members_row(web, groups):
    web.login("admin")
    g = groups
    meeting_url = f"/groups/{g['ours'].id}/meetings/{g['meeting'].id}"
    answer = web.client.get(
        f"/groups/{g['ours'].id}/cards/find",
        query_string={"code": g["moussa"].card_code, "to": "grid", "meeting": g["meeting"].id},
    )
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"{meeting_url}#row-m{g['moussa'].id}"
    html = web.client.get(meeting_url).get_data(as_text=True)
    assert f'id="row-m{g["moussa"].id}"' in html
    assert 'data-scan-to="grid"' in html and "Scan with the camera" in html
    # A member who joined after the meeting is not on its list: back to the grid, told so.
    answer = web.client.get(
        f"/groups/{g['ours'].id}/cards/find",
        query_string={"code": g["later"].card_code, "to": "grid", "meeting": g["meeting"].id},
    )
    assert answer.headers["Location"] == meeting_url
    assert "is not on this meeting" in web.client.get(meeting_url).get_data(as_text=True)


def test_without_script_a_loan_scan_chooses_the_borrower(web, groups):
    web.login("admin")
    g = groups
    answer = web.client.get(
        f"/groups/{g['ours'].id}/cards/find",
        query_string={"code": g["awa"].card_code, "to": "loan", "meeting": g["meeting"].id},
    )
    loan_url = f"/groups/{g['ours'].id}/meetings/{g['meeting'].id}/loan?member={g['awa'].id}"
    assert answer.headers["Location"] == loan_url
    html = web.client.get(loan_url).get_data(as_text=True)
    assert re.search(
        rf'<option selected value="{g["awa"].id}">|<option value="{g["awa"].id}" selected', html
    )
    assert 'data-scan-to="loan"' in html


def test_without_script_a_passbook_scan_opens_the_passbook_or_says_why(web, groups):
    web.login("admin")
    g = groups
    members_url = f"/groups/{g['ours'].id}/members"
    assert 'data-scan-to="passbook"' in web.client.get(members_url).get_data(as_text=True)
    answer = web.client.get(f"/groups/{g['ours'].id}/cards/find?code={g['awa'].card_code}")
    assert answer.headers["Location"] == f"{members_url}/{g['awa'].id}/passbook"
    answer = web.client.get(f"/groups/{g['ours'].id}/cards/find?code={g['other'].card_code}")
    assert answer.headers["Location"] == members_url
    assert "another group" in web.client.get(members_url).get_data(as_text=True)


def test_a_scan_in_a_group_not_assigned_or_a_meeting_of_another_group_is_not_found(
    web, groups, make_user
):
    g = groups
    make_user("fanta", role=Role.FACILITATOR, groups=[g["theirs"]])
    web.login("fanta")
    assert find(web, g["ours"], g["awa"].card_code).status_code == 404
    other_meeting = find(web, g["theirs"], g["other"].card_code, to="grid", meeting=g["meeting"].id)
    assert other_meeting.status_code == 404


def test_the_camera_script_is_served_from_the_app(web, groups):
    web.login("admin")
    html = web.client.get(f"/groups/{groups['ours'].id}/members").get_data(as_text=True)
    src = re.search(r'data-jsqr="([^"]+)"', html).group(1)
    for path, holds in ((src, b"jsQR"), ("/static/vendor/jsqr/LICENSE", b"Apache License")):
        with web.client.get(path) as served:  # static files are streamed: close them
            assert served.status_code == 200 and holds in served.get_data()
    with web.client.get("/static/js/scan.js") as served:
        assert served.status_code == 200
