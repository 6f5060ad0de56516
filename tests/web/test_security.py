"""Faults and attacks found when the app was probed: each test fails without its fix."""

import re

import pytest

from savings_groups.core.vocabulary import Role
from savings_groups.store.db import db
from savings_groups.store.models import Cycle
from tests.conftest import PASSWORD


def page(response) -> str:
    return response.get_data(as_text=True)


# --- the page after login stays on this site -------------------------------------------------

OFF_SITE = [
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/%0A/evil.example",
    "/%0D%0A/evil.example",
    "/\\evil.example",
    "/%5Cevil.example",
    "\\\\evil.example",
    "//evil.example",
    "///evil.example",
    "/%2F/evil.example",
    "%2F%2Fevil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\u00a0/evil.example",
    "/\u3000/evil.example",
    "/ /evil.example",
    " //evil.example",
    "/groups\x00",
    "",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_sends_the_browser_off_site(web, admin, target):
    web.client.get("/login", query_string={"next": target})
    token = web.csrf("/login")
    response = web.client.post(
        "/login",
        data={"csrf_token": token, "username": "admin", "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert response.location == "/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_login_page_drops_an_off_site_next(client, admin, target):
    response = client.get("/login", query_string={"next": target})
    assert response.status_code == 200
    hidden = re.search(r'<input id="next" name="next" type="hidden" value="([^"]*)"', page(response))
    assert hidden.group(1) == ""


def test_a_page_of_this_site_is_where_login_goes_back_to(web, admin):
    token = web.csrf("/login")
    response = web.client.post(
        "/login",
        data={
            "csrf_token": token,
            "username": "admin",
            "password": PASSWORD,
            "next": "/groups/1/cycles?x=1",
        },
    )
    assert response.location == "/groups/1/cycles?x=1"


# --- the rules the group voted are for everyone who sees the group ---------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.RECORDER])
def test_viewers_and_recorders_read_a_cycles_rules_but_cannot_change_them(
    web, make_user, make_group, make_cycle, role
):
    group = make_group()
    cycle = make_cycle(group, share_value=1500)
    make_user("reader", role, groups=[group])
    web.login("reader")
    path = f"/groups/{group.id}/cycles/{cycle.id}/rules"
    response = web.client.get(path)
    assert response.status_code == 200
    text = page(response)
    assert "Rules of cycle 1" in text
    assert "Save the rules" not in text
    assert 'disabled' in text
    token = web.csrf(f"/groups/{group.id}/cycles")
    response = web.client.post(path, data={"csrf_token": token, "share_value": "2000"})
    assert response.status_code == 403
    with db.connection_context():
        assert Cycle.get_by_id(cycle.id).share_value == 1500


def test_a_group_someone_is_not_assigned_to_stays_hidden(web, make_user, make_group, make_cycle):
    group = make_group()
    cycle = make_cycle(group)
    make_user("reader", Role.VIEWER)
    web.login("reader")
    assert web.client.get(f"/groups/{group.id}/cycles/{cycle.id}/rules").status_code == 404
