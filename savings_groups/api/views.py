"""The API's endpoints: groups (paged, filtered), one group, its members (when the group's
consent allows the API; phone numbers when the token does), indicators as of a day.

A page past the last is 404 (page 1 of nothing is an empty page); an unknown filter value, a
malformed or future date is 400; a missing, wrong or revoked token is 401; a group outside the
token's scope, or whose members the group has not agreed to share, is 403; an unknown address is
404 and a method other than GET 405 (routing_error). All in JSON.
"""

from datetime import date

from flask import g, jsonify, request
from flask_babel import gettext as _
from peewee import fn
from werkzeug.exceptions import HTTPException

from savings_groups.api import bp
from savings_groups.api.openapi import document
from savings_groups.core import dates
from savings_groups.core.vocabulary import ConsentScope, GroupKind, LoanPurpose
from savings_groups.groups import consent
from savings_groups.indicators import reports
from savings_groups.org import api_tokens
from savings_groups.store.models import ApiToken, Cycle, Member, Organization, SavingsGroup

PER_PAGE, MAX_PER_PAGE = 50, 200
GROUP_FILTERS = {"page", "per_page", "kind", "country", "practice", "archived"}


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return _error(error.status, error.message)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return _error(error.code or 500, error.description or error.name)


def _error(status: int, message: str):
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="savings-groups"'
    return response


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return
    header = request.headers.get("Authorization", "")
    scheme, _space, secret = header.partition(" ")
    token = api_tokens.authenticate(secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        raise ApiError(401, _("A valid API token is needed (Authorization: Bearer …)."))
    g.api_token = token
    ApiToken.update(last_used_at=dates.utcnow()).where(ApiToken.id == token.id).execute()


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/openapi.json")
def openapi():
    return jsonify(document())


def routing_error(error: HTTPException):
    """An address under /api/v1 that no endpoint takes (404), or a method an endpoint does not
    take (405, with the methods it does): raised by the routing, before the blueprint and its
    handlers are known, so api.init_app hands them here. No token is asked for: the addresses
    are those of the public OpenAPI document."""
    if error.code == 405:
        response = _error(
            405,
            _(
                "The API only reads: use GET (this address does not take %(method)s).",
                method=request.method,
            ),
        )
        response.headers["Allow"] = ", ".join(sorted(getattr(error, "valid_methods", None) or []))
        return response
    return _error(404, _("No such address in the API."))


def _scoped(query):
    token = g.api_token
    if token.all_groups:
        return query
    return query.where(SavingsGroup.id.in_(sorted(token.group_id_set) or [0]))


def _choice(name: str, values: set[str]) -> str | None:
    value = request.args.get(name)
    if value is None:
        return None
    if value not in values:
        raise ApiError(
            400,
            _(
                "Unknown value for %(name)s: use one of %(values)s.",
                name=name,
                values=", ".join(sorted(values)),
            ),
        )
    return value


def _whole(name: str, default: int, highest: int) -> int:
    text = request.args.get(name)
    if text is None:
        return default
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= highest:
        raise ApiError(
            400,
            _("%(name)s must be a whole number from 1 to %(highest)s.", name=name, highest=highest),
        )
    return int(text)


def _no_unknown_filters(known: set[str]) -> None:
    unknown = sorted(set(request.args) - known)
    if unknown:
        raise ApiError(400, _("Unknown filter: %(names)s.", names=", ".join(unknown)))


def _group_json(group: SavingsGroup, shares_members: bool) -> dict:
    return {
        "id": group.id,
        "name": group.name,
        "kind": group.kind,
        "currency": group.currency,
        "country": group.country,
        "district": group.district,
        "village": group.village,
        "formed_on": group.formed_on.isoformat() if group.formed_on else None,
        "is_practice": bool(group.is_practice),
        "archived": group.archived_at is not None,
        "member_data_shared": shares_members,
    }


@bp.route("/groups")
def groups():
    _no_unknown_filters(GROUP_FILTERS)
    page = _whole("page", 1, 10**9)
    per_page = _whole("per_page", PER_PAGE, MAX_PER_PAGE)
    query = _scoped(SavingsGroup.select())
    kind = _choice("kind", {k.value for k in GroupKind})
    if kind:
        query = query.where(SavingsGroup.kind == kind)
    country = request.args.get("country")
    if country is not None:
        if len(country) != 2 or not country.isascii() or not country.isalpha():
            raise ApiError(400, _("country must be a two-letter code (ISO 3166), e.g. SN."))
        query = query.where(SavingsGroup.country == country.upper())
    practice = _choice("practice", {"true", "false"})
    if practice:
        query = query.where(SavingsGroup.is_practice == (practice == "true"))
    archived = _choice("archived", {"true", "false"})
    if archived:
        query = query.where(SavingsGroup.archived_at.is_null(archived == "false"))
    total = query.count()
    pages = max(1, -(-total // per_page))
    if page > pages:
        raise ApiError(
            404, _("There is no page %(page)s: the last is %(pages)s.", page=page, pages=pages)
        )
    rows = list(query.order_by(SavingsGroup.id).paginate(page, per_page))
    sharing = set(
        SavingsGroup.select(SavingsGroup.id)
        .where(
            SavingsGroup.id.in_([r.id for r in rows] or [0]),
            SavingsGroup.id.in_(consent.groups_allowing(ConsentScope.API)),
        )
        .tuples()
    )
    return jsonify(
        {
            "page": page,
            "per_page": per_page,
            "pages": pages,
            "total": total,
            "items": [_group_json(r, (r.id,) in sharing) for r in rows],
        }
    )


def _group(group_id: int) -> SavingsGroup:
    group = SavingsGroup.get_or_none(SavingsGroup.id == group_id)
    if group is None:
        raise ApiError(404, _("This group does not exist."))
    if not api_tokens.covers(g.api_token, group.id):
        raise ApiError(403, _("This token does not cover this group."))
    return group


@bp.route("/groups/<int:group_id>")
def group(group_id: int):
    found = _group(group_id)
    return jsonify(_group_json(found, consent.allows(found.id, ConsentScope.API)))


@bp.route("/groups/<int:group_id>/members")
def members(group_id: int):
    _no_unknown_filters(set())
    found = _group(group_id)
    if not consent.allows(found.id, ConsentScope.API):
        raise ApiError(
            403,
            _(
                "The group “%(name)s” has not agreed to share its members' data through the "
                "API; its aggregates are in /indicators.",
                name=found.name,
            ),
        )
    phones = g.api_token.allows_phones
    items = []
    for member in Member.select().where(Member.group == found).order_by(Member.number):
        item = {
            "number": member.number,
            "full_name": member.full_name,
            "gender": member.gender,
            "member_type": member.member_type,
            "group_role": member.group_role,
            "joined_on": member.joined_on.isoformat(),
            "left_on": member.left_on.isoformat() if member.left_on else None,
        }
        if phones:
            item["phone"] = member.phone
        items.append(item)
    return jsonify({"group_id": found.id, "phones_included": phones, "items": items})


def _as_of() -> date:
    text = request.args.get("as_of")
    today = dates.today()
    if text is None:
        return today
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, _("as_of must be a date written YYYY-MM-DD.")) from None
    if len(text) != 10:
        raise ApiError(400, _("as_of must be a date written YYYY-MM-DD."))
    if day > today:
        raise ApiError(400, _("as_of cannot be in the future."))
    if day < _first_day():
        raise ApiError(400, _("as_of is before the organization kept any books here."))
    return day


def _first_day() -> date:
    days = [
        SavingsGroup.select(fn.MIN(SavingsGroup.formed_on)).scalar(),
        Cycle.select(fn.MIN(Cycle.start_date)).scalar(),
    ]
    created = Organization.select(fn.MIN(Organization.created_at)).scalar()
    if created is not None:
        days.append(
            created.date() if hasattr(created, "date") else date.fromisoformat(str(created)[:10])
        )
    days = [d if isinstance(d, date) else date.fromisoformat(str(d)[:10]) for d in days if d]
    return min(days) if days else dates.today()


def _number(value):
    """A figure for JSON: counts and amounts as integers, ratios as numbers (4 places), no data
    as null."""
    if value is None or isinstance(value, int):
        return value
    return float(value)


def _figures(*groups_of_figures) -> dict:
    return {
        key: {segment: _number(v) for segment, v in value.values.items()}
        for figures in groups_of_figures
        for key, value in figures.items()
    }


def _purposes(purposes) -> dict:
    return {
        purpose.value: dict(
            zip(("count", "value"), purposes.get(purpose.value, [0, 0]), strict=True)
        )
        for purpose in LoanPurpose
    }


@bp.route("/indicators")
def indicators():
    """The indicator set of the dashboard (indicators.reports) for the token's groups as of the
    day: counts over all of them, money figures per currency, and each group's own."""
    _no_unknown_filters({"as_of"})
    as_of = _as_of()
    ids = [gid for (gid,) in _scoped(SavingsGroup.select(SavingsGroup.id)).tuples()]
    result = reports.for_groups(ids, as_of)
    groups = []
    for counter in result.groups:
        counts, money = reports.group_indicators(counter)
        groups.append(
            {
                "group_id": counter.group.id,
                "currency": counter.group.currency,
                "indicators": _figures(counts, money),
                "loans_by_purpose": _purposes(counter.purposes),
            }
        )
    return jsonify(
        {
            "as_of": as_of.isoformat(),
            "indicators": _figures(result.counts),
            "currencies": [
                {
                    "currency": currency,
                    "indicators": _figures(result.money[currency]),
                    "loans_by_purpose": _purposes(result.purposes.get(currency, {})),
                }
                for currency in sorted(result.money)
            ],
            "groups": sorted(groups, key=lambda item: item["group_id"]),
        }
    )
