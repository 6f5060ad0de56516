"""The OpenAPI 3.1 document of /api/v1/, served at /api/v1/openapi.json; the tests check every
response they see against it."""

from savings_groups.core.vocabulary import LoanPurpose
from savings_groups.indicators.definitions import DEFINITIONS

VERSION = "1.1.0"

_date = {"type": "string", "format": "date"}
_nullable_date = {"type": ["string", "null"], "format": "date"}
_amount = {"type": "integer", "description": "In the currency's minor units (XOF: francs)."}
_figure = {
    "type": ["number", "null"],
    "description": "A count, an amount in minor units, or a ratio to 4 places (0.1234 = "
    "12.34 %); null: no data.",
}
PURPOSES = [purpose.value for purpose in LoanPurpose]


def _indicators(money: bool | None) -> dict:
    """The indicators of docs/indicators.md, each with its definition: the counts (money=False),
    the money figures of one currency (True), or both, for one group (None)."""
    chosen = [d for d in DEFINITIONS if money is None or d.money == money]
    return {
        "type": "object",
        "required": [d.key for d in chosen],
        "properties": {
            d.key: {
                "$ref": "#/components/schemas/" + ("SplitFigure" if d.split else "Figure"),
                "description": f"{d.label}: {d.definition}",
            }
            for d in chosen
        },
        "additionalProperties": False,
    }


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _ok(ref: str) -> dict:
    return {
        "description": "OK",
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


_AUTH = {"401": _error("Missing, wrong or revoked token")}
_GROUP_ID = {
    "name": "group_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "message"],
                "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
                "additionalProperties": False,
            }
        },
        "additionalProperties": False,
    },
    "Group": {
        "type": "object",
        "required": [
            "id",
            "name",
            "kind",
            "currency",
            "country",
            "district",
            "village",
            "formed_on",
            "is_practice",
            "archived",
            "member_data_shared",
        ],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "kind": {"enum": ["savings", "rosca"]},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "country": {"type": "string"},
            "district": {"type": "string"},
            "village": {"type": "string"},
            "formed_on": _nullable_date,
            "is_practice": {"type": "boolean", "description": "A group for training recorders."},
            "archived": {"type": "boolean"},
            "member_data_shared": {
                "type": "boolean",
                "description": "The group's consent lets its members' data through the API.",
            },
        },
        "additionalProperties": False,
    },
    "GroupPage": {
        "type": "object",
        "required": ["page", "per_page", "pages", "total", "items"],
        "properties": {
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Group"}},
        },
        "additionalProperties": False,
    },
    "Member": {
        "type": "object",
        "required": [
            "number",
            "full_name",
            "gender",
            "member_type",
            "group_role",
            "joined_on",
            "left_on",
        ],
        "properties": {
            "number": {"type": "integer"},
            "full_name": {"type": "string"},
            "gender": {"enum": ["female", "male", "other", "unstated"]},
            "member_type": {"enum": ["returnee", "community", "other"]},
            "group_role": {"type": "string"},
            "joined_on": _date,
            "left_on": _nullable_date,
            "phone": {"type": "string", "description": "Only when the token allows phone numbers."},
        },
        "additionalProperties": False,
    },
    "Members": {
        "type": "object",
        "required": ["group_id", "phones_included", "items"],
        "properties": {
            "group_id": {"type": "integer"},
            "phones_included": {"type": "boolean"},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Member"}},
        },
        "additionalProperties": False,
    },
    "Figure": {
        "type": "object",
        "required": ["all"],
        "properties": {"all": _figure},
        "additionalProperties": False,
    },
    "SplitFigure": {
        "type": "object",
        "description": "The figure for all members, and for returnees and community members.",
        "required": ["all", "returnee", "community"],
        "properties": {"all": _figure, "returnee": _figure, "community": _figure},
        "additionalProperties": False,
    },
    "CountIndicators": _indicators(money=False),
    "MoneyIndicators": _indicators(money=True),
    "GroupIndicators": _indicators(money=None),
    "LoansByPurpose": {
        "type": "object",
        "description": "Loans outstanding by the purpose given: their number and principal.",
        "required": PURPOSES,
        "properties": {
            purpose: {
                "type": "object",
                "required": ["count", "value"],
                "properties": {"count": {"type": "integer", "minimum": 0}, "value": _amount},
                "additionalProperties": False,
            }
            for purpose in PURPOSES
        },
        "additionalProperties": False,
    },
    "CurrencyIndicators": {
        "type": "object",
        "required": ["currency", "indicators", "loans_by_purpose"],
        "properties": {
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "indicators": {"$ref": "#/components/schemas/MoneyIndicators"},
            "loans_by_purpose": {"$ref": "#/components/schemas/LoansByPurpose"},
        },
        "additionalProperties": False,
    },
    "GroupFigures": {
        "type": "object",
        "required": ["group_id", "currency", "indicators", "loans_by_purpose"],
        "properties": {
            "group_id": {"type": "integer"},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "indicators": {"$ref": "#/components/schemas/GroupIndicators"},
            "loans_by_purpose": {"$ref": "#/components/schemas/LoansByPurpose"},
        },
        "additionalProperties": False,
    },
    "Indicators": {
        "type": "object",
        "required": ["as_of", "indicators", "currencies", "groups"],
        "properties": {
            "as_of": _date,
            "indicators": {
                "$ref": "#/components/schemas/CountIndicators",
                "description": "Counts and shares of counts over all the groups.",
            },
            "currencies": {
                "type": "array",
                "description": "Money figures, per currency (never added across currencies).",
                "items": {"$ref": "#/components/schemas/CurrencyIndicators"},
            },
            "groups": {
                "type": "array",
                "description": "Each group counted, by id.",
                "items": {"$ref": "#/components/schemas/GroupFigures"},
            },
        },
        "additionalProperties": False,
    },
}


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


PATHS = {
    "/groups": {
        "get": {
            "operationId": "listGroups",
            "summary": "The groups the token covers, by id, a page at a time.",
            "parameters": [
                _query(
                    "page",
                    {"type": "integer", "minimum": 1, "maximum": 10**9},
                    "From 1; past the last: 404.",
                ),
                _query(
                    "per_page", {"type": "integer", "minimum": 1, "maximum": 200}, "Default 50."
                ),
                _query("kind", {"enum": ["savings", "rosca"]}, "Group kind."),
                _query("country", {"type": "string", "pattern": "^[A-Za-z]{2}$"}, "ISO 3166 code."),
                _query("practice", {"enum": ["true", "false"]}, "Practice groups only, or none."),
                _query("archived", {"enum": ["true", "false"]}, "Archived groups only, or none."),
            ],
            "responses": {
                "200": _ok("GroupPage"),
                "400": _error("An unknown filter or value"),
                **_AUTH,
                "404": _error("A page past the last"),
            },
        }
    },
    "/groups/{group_id}": {
        "get": {
            "operationId": "getGroup",
            "summary": "One group.",
            "parameters": [_GROUP_ID],
            "responses": {
                "200": _ok("Group"),
                **_AUTH,
                "403": _error("The token does not cover the group"),
                "404": _error("No such group"),
            },
        }
    },
    "/groups/{group_id}/members": {
        "get": {
            "operationId": "listMembers",
            "summary": "A group's members, when the group's consent allows the API; phone "
            "numbers only when the token allows them.",
            "parameters": [_GROUP_ID],
            "responses": {
                "200": _ok("Members"),
                "400": _error("An unknown filter"),
                **_AUTH,
                "403": _error("Out of the token's scope, or the group has not consented"),
                "404": _error("No such group"),
            },
        }
    },
    "/indicators": {
        "get": {
            "operationId": "getIndicators",
            "summary": "The dashboard's indicators as of a day for the groups the token covers "
            "(practice groups, and groups not formed yet on the day, left out): counts over all, "
            "money figures per currency, and each group's own; returnees and community members "
            "side by side where the figure has them. Aggregates need no consent.",
            "parameters": [_query("as_of", _date, "Default today; not in the future.")],
            "responses": {
                "200": _ok("Indicators"),
                "400": _error("A malformed date, a future one, or one before any books"),
                **_AUTH,
            },
        }
    },
}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Savings Groups API",
            "version": VERSION,
            "description": "Read-only. Send `Authorization: Bearer <token>` (an admin makes "
            "tokens on the API tokens page). Amounts are integers in minor units. Every error "
            "is JSON, {error: {status, message}}: 400 a bad parameter, 401 a missing, wrong or "
            "revoked token, 403 a group outside the token's scope (or without consent for its "
            "members), 404 an unknown address, group or page, 405 any method but GET.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
