"""Faults and attacks found when the app was probed: each test fails without its fix."""

import re

import pytest

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
