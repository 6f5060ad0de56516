"""An API token and a client that checks every response against the OpenAPI document."""

import re
from datetime import date

import pytest
from jsonschema import Draft202012Validator

from savings_groups.api.openapi import document
from savings_groups.core.vocabulary import ConsentScope
from savings_groups.groups import consent
from savings_groups.org import api_tokens
from savings_groups.store.db import db

SEEN = []  # (method, path, status) of every response checked in the session


def operation_of(path: str):
    """The documented path template matching a path under /api/v1, or None."""
    for template in document()["paths"]:
        pattern = "^" + re.sub(r"\{[^}]+\}", r"[0-9]+", template) + "$"
        if re.match(pattern, path):
            return template
    return None


def check_against_schema(path: str, response) -> None:
    doc = document()
    relative = path.split("?")[0].removeprefix("/api/v1")
    template = operation_of(relative)
    assert template is not None, f"{relative} is not documented"
    responses = doc["paths"][template]["get"]["responses"]
    status = str(response.status_code)
    assert status in responses, f"{status} of {path} is not documented"
    schema = responses[status]["content"]["application/json"]["schema"]
    assert response.mimetype == "application/json"
    Draft202012Validator({**doc, **schema}).validate(response.get_json())
    SEEN.append((path, response.status_code))


class Api:
    def __init__(self, client):
        self.client = client

    def get(self, path: str, token: str | None = None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.client.get(path, headers=headers)
        check_against_schema(path, response)
        return response


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def token(app, admin):
    def make(groups=(), all_groups=False, phones=False, name="M&E system"):
        with db.connection_context():
            return api_tokens.create_token(admin, name, [g.id for g in groups], all_groups, phones)[
                1
            ]

    return make


@pytest.fixture
def agree(app, admin):
    def record(group, *scopes):
        with db.connection_context():
            consent.record_consent(admin, group, set(scopes), date(2026, 1, 5), "The members")

    return record


__all__ = ["ConsentScope"]
