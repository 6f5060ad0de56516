"""Every error under /api/v1 is JSON ({error: {status, message}}) with the right status: 404 for
an address the API does not have, 405 for a method it does not take, 401 and 403 for token
problems, 400 for a bad parameter; never an HTML page."""

import pytest
from jsonschema import Draft202012Validator

from savings_groups.api.openapi import document
from savings_groups.org import api_tokens
from savings_groups.store.db import db
from savings_groups.store.models import ApiToken


def error_of(response, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:200]
    assert response.mimetype == "application/json"
    body = response.get_json()
    doc = document()
    Draft202012Validator({**doc, "$ref": "#/components/schemas/Error"}).validate(body)
    assert body["error"]["status"] == status
    assert body["error"]["message"]
    return body["error"]["message"]


@pytest.fixture
def secret(token, make_group):
    return token([make_group("Benkadi")])


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nothing",
        "/api/v1/groups/abc",
        "/api/v1/groups/1/loans",
        "/api/v1/groups/-1",
        "/api/v1",
        "/api/v1/",
        "/api/v1/groups/99999999999999999999999",
    ],
)
def test_an_unknown_address_is_404(client, secret, path):
    assert "No such address" in error_of(client.get(path, headers=bearer(secret)), 404)
    assert "No such address" in error_of(client.get(path), 404)  # before any token check


def test_a_group_that_does_not_exist_is_404(client, secret):
    message = error_of(client.get("/api/v1/groups/99999", headers=bearer(secret)), 404)
    assert message == "This group does not exist."
    huge = client.get(f"/api/v1/groups/{2**63}", headers=bearer(secret))  # beyond any id
    assert error_of(huge, 404) == "No such address in the API."


def test_the_pages_keep_their_html_error_pages(web, admin):
    web.login("admin")
    for path in ("/nothing", "/api/v1x", "/api"):
        response = web.client.get(path)
        assert (response.status_code, response.mimetype) == (404, "text/html")
    response = web.client.delete("/")
    assert (response.status_code, response.mimetype) == (405, "text/html")
    assert "Something went wrong (error 405)" in response.get_data(as_text=True)  # the app's page
    assert "This page does not exist" in web.client.get("/nothing").get_data(as_text=True)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "path", ["/api/v1/groups", "/api/v1/groups/1", "/api/v1/indicators", "/api/v1/openapi.json"]
)
def test_a_write_is_405_with_the_methods_allowed(client, secret, method, path):
    for headers in (bearer(secret), {}):
        response = client.open(path, method=method, headers=headers)
        assert "only reads" in error_of(response, 405)
        assert response.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_an_unknown_address_written_to_is_404(client, secret):
    error_of(client.post("/api/v1/nothing", headers=bearer(secret)), 404)


def test_token_problems_are_401_and_a_group_out_of_scope_403(
    client, admin, secret, token, make_group
):
    for headers in (
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
        bearer("sgapi_not-a-token"),
    ):
        response = client.get("/api/v1/groups", headers=headers)
        assert "API token" in error_of(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    other = make_group("Jigiya")
    assert "does not cover" in error_of(
        client.get(f"/api/v1/groups/{other.id}", headers=bearer(secret)), 403
    )
    with db.connection_context():
        api_tokens.revoke_token(admin, ApiToken.get(ApiToken.name == "M&E system").id)
    error_of(client.get("/api/v1/groups", headers=bearer(secret)), 401)


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/groups?page=0",
        "/api/v1/groups?page=x",
        "/api/v1/groups?per_page=201",
        "/api/v1/groups?kind=bank",
        "/api/v1/groups?country=SEN",
        "/api/v1/groups?colour=red",
        "/api/v1/groups/1/members?x=1",
        "/api/v1/indicators?as_of=2026-13-01",
        "/api/v1/indicators?as_of=yesterday",
        "/api/v1/indicators?as_of=2999-01-01",
        "/api/v1/indicators?as_of=1990-01-01",
        "/api/v1/indicators?date=2026-01-01",
    ],
)
def test_a_bad_parameter_is_400(client, secret, query):
    error_of(client.get(query, headers=bearer(secret)), 400)


def test_a_page_past_the_last_is_404(client, secret):
    assert "no page 2" in error_of(client.get("/api/v1/groups?page=2", headers=bearer(secret)), 404)
