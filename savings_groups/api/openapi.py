"""The OpenAPI 3.1 document of /api/v1/, served at /api/v1/openapi.json; the tests check every
response they see against it."""

VERSION = "1.0.0"

_date = {"type": "string", "format": "date"}
_nullable_date = {"type": ["string", "null"], "format": "date"}
_amount = {"type": "integer", "description": "In the currency's minor units (XOF: francs)."}


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
    "GroupFigures": {
        "type": "object",
        "required": ["group_id", "currency", "members", "savings_this_cycle", "loans_outstanding"],
        "properties": {
            "group_id": {"type": "integer"},
            "currency": {"type": "string"},
            "members": {"type": "integer", "minimum": 0},
            "savings_this_cycle": _amount,
            "loans_outstanding": _amount,
        },
        "additionalProperties": False,
    },
    "CurrencyTotals": {
        "type": "object",
        "required": ["currency", "groups", "members", "savings_this_cycle", "loans_outstanding"],
        "properties": {
            "currency": {"type": "string"},
            "groups": {"type": "integer", "minimum": 0},
            "members": {"type": "integer", "minimum": 0},
            "savings_this_cycle": _amount,
            "loans_outstanding": _amount,
        },
        "additionalProperties": False,
    },
    "Indicators": {
        "type": "object",
        "required": ["as_of", "groups", "totals"],
        "properties": {
            "as_of": _date,
            "groups": {"type": "array", "items": {"$ref": "#/components/schemas/GroupFigures"}},
            "totals": {"type": "array", "items": {"$ref": "#/components/schemas/CurrencyTotals"}},
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
            "summary": "Each covered group's aggregates as of a day (practice groups left out), "
            "and totals per currency. Aggregates need no consent.",
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
            "tokens on the API tokens page). Amounts are integers in minor units. Errors are "
            "JSON: {error: {status, message}}.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
