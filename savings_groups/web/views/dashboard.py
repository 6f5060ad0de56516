"""The organization's dashboard: the indicators of the groups the user may see, filtered, as of a
day, with each figure's definition; and the indicator table per group as CSV or XLSX."""

from datetime import date
from decimal import Decimal

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from savings_groups.core.dates import today
from savings_groups.core.errors import N_, Forbidden, Invalid
from savings_groups.core.vocabulary import GroupKind, LoanPurpose, MemberType, Role
from savings_groups.exports import indicators as export
from savings_groups.indicators import definitions, snapshots
from savings_groups.indicators import reports as indicators
from savings_groups.org.access import Action, require, visible_groups
from savings_groups.oversight import group_list
from savings_groups.oversight.warnings import Thresholds
from savings_groups.store.models import SavingsGroup, User, groups_among
from savings_groups.web.views import translate

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
CYCLE_STATUSES = ("running", "finished")
DASHBOARD_ARGS = ("country", "district", "facilitator", "kind", "cycle", "as_of")


class BadFilter(Exception):
    pass


def _choices():
    """The values each filter may take, among the groups the user sees (one query)."""
    groups = list(
        visible_groups(current_user.user)
        .select(SavingsGroup.country, SavingsGroup.district, SavingsGroup.facilitator)
        .where(SavingsGroup.is_practice == False)  # noqa: E712
        .order_by()
        .distinct()
    )
    facilitator_ids = {g.facilitator_id for g in groups if g.facilitator_id}
    facilitators = list(
        User.select(User.id, User.full_name, User.username)
        .where(User.id.in_(list(facilitator_ids) or [-1]))
        .order_by(User.full_name)
    )
    return {
        "countries": sorted({g.country for g in groups if g.country}),
        "districts": sorted({g.district for g in groups if g.district}),
        "facilitators": facilitators,
    }


def _parse(args, choices) -> tuple[indicators.Filters, date]:
    """The filters and day asked for, or BadFilter with a message in the user's language."""
    country = args.get("country", "").strip() or None
    if country and country not in choices["countries"]:
        raise BadFilter(_("There is no group in the country “%(value)s”.", value=country))
    district = args.get("district", "").strip() or None
    if district and district not in choices["districts"]:
        raise BadFilter(_("There is no group in the district “%(value)s”.", value=district))
    facilitator = args.get("facilitator", "").strip() or None
    if facilitator:
        known = {str(u.id): u.id for u in choices["facilitators"]}
        if facilitator not in known:
            raise BadFilter(_("This facilitator is unknown or has no group you may see."))
        facilitator = known[facilitator]
    kind = args.get("kind", "").strip() or None
    if kind and kind not in {k.value for k in GroupKind}:
        raise BadFilter(_("Unknown kind of group."))
    status = args.get("cycle", "").strip() or None
    if status and status not in CYCLE_STATUSES:
        raise BadFilter(_("Unknown cycle status."))
    as_of = today()
    text = args.get("as_of", "").strip()
    if text:
        try:
            as_of = date.fromisoformat(text)
        except ValueError:
            raise BadFilter(_("“%(value)s” is not a date (year-month-day).", value=text)) from None
        if as_of > today():
            raise BadFilter(_("The day may not be in the future."))
        first = indicators.first_day()
        if first is not None and as_of < first:
            raise BadFilter(
                _(
                    "The organization did not exist yet on that day (it started on %(day)s).",
                    day=first.isoformat(),
                )
            )
    return indicators.Filters(country, district, facilitator, kind, status), as_of


def _compute():
    choices = _choices()
    filters, as_of = _parse(request.args, choices)
    query = indicators.group_query(filters, as_of, visible_groups(current_user.user))
    return choices, filters, as_of, indicators.indicators(query, as_of, filters.cycle_status)


@bp.route("")
@login_required
def index():
    choices = _choices()
    try:
        filters, as_of = _parse(request.args, choices)
    except BadFilter as problem:
        return (
            render_template(
                "dashboard/index.html",
                error=str(problem),
                result=None,
                choices=choices,
                args=request.args,
                kinds=GroupKind,
                today=today(),
            ),
            400,
        )
    query = indicators.group_query(filters, as_of, visible_groups(current_user.user))
    result = indicators.indicators(query, as_of, filters.cycle_status)
    table, status = _groups_table(result)
    return render_template(
        "dashboard/index.html",
        **table,
        error=None,
        result=result,
        choices=choices,
        args=request.args,
        kinds=GroupKind,
        today=today(),
        as_of=as_of,
        definitions=definitions,
        segments=(MemberType.RETURNEE, MemberType.COMMUNITY),
        purposes=LoanPurpose,
        is_facilitator=current_user.user.role_enum is Role.FACILITATOR,
    ), status


def _groups_table(result) -> tuple[dict, int]:
    """The groups counted, as the groups list shows them (today's key figures and warnings),
    sorted and paged by the query string's `sort` and `page`; its links keep the dashboard's
    filters. A constant number of queries whatever the number of groups."""
    context = {
        "groups_table_template": "oversight/_groups_table.html",
        "list_endpoint": "dashboard.index",
        "list_embedded": True,
        "list_error": None,
        "page": None,
    }
    try:
        asked = group_list.Filters.parse(
            {"sort": request.args.get("sort", ""), "page": request.args.get("page", "")}
        )
    except group_list.BadFilter as error:
        context["list_error"] = translate(error)
        context["filters"] = group_list.Filters()
        return context, 400
    keep = tuple((k, v) for k, v in request.args.items() if k in DASHBOARD_ARGS and v)
    filters = group_list.Filters(
        sort=asked.sort, descending=asked.descending, page=asked.page, keep=keep
    )
    counted = SavingsGroup.select().where(groups_among([c.group.id for c in result.groups]))
    limits = Thresholds.from_config(current_app.config)
    context["filters"] = filters
    context["page"] = group_list.page_of(counted, filters, today(), limits)
    return context, 200


@bp.route("/export.<any(csv, xlsx):fmt>")
@login_required
def export_table(fmt):
    choices = _choices()
    try:
        filters, as_of = _parse(request.args, choices)
    except BadFilter as problem:
        return render_template(
            "dashboard/index.html",
            error=str(problem),
            result=None,
            choices=choices,
            args=request.args,
            kinds=GroupKind,
            today=today(),
        ), 400
    query = indicators.group_query(filters, as_of, visible_groups(current_user.user))
    result = indicators.indicators(query, as_of, filters.cycle_status)
    table = export.group_table(result, _)
    name = f"indicators-{as_of.isoformat()}.{fmt}"
    if fmt == "csv":
        body, mimetype = export.files.to_csv(table), export.files.CSV_TYPE
    else:
        body, mimetype = export.files.to_xlsx([table]), export.files.XLSX_TYPE
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.context_processor
def formats():
    from babel.numbers import format_decimal, format_percent
    from flask_babel import get_locale

    from savings_groups.web.i18n import money

    def show(value, unit, currency=None):
        """A figure as the reader writes it, or "no data" when it cannot be computed."""
        if value is None:
            return _("no data")
        if isinstance(value, str):  # a frozen ratio, stored as text
            value = Decimal(value)
        locale = str(get_locale())
        if unit == "share":
            return format_percent(value, "#,##0.0%", locale=locale)
        if unit == "money":
            return money(value, currency)
        if unit == "decimal":
            return format_decimal(value, "#,##0.0", locale=locale)
        return format_decimal(value, locale=locale)

    def country_name(code):
        return get_locale().territories.get(code, code)

    return {"show": show, "country_name": country_name}


@bp.before_request
@login_required
def dashboard_roles():
    """Administrators, facilitators and viewers; a recorder keeps to the meetings."""
    if current_user.user.role_enum is Role.RECORDER:
        raise Forbidden(N_("Your role does not allow this."))


def _last_ended_quarter() -> str:
    day = today()
    year, number = day.year, (day.month - 1) // 3 + 1
    return snapshots.label(*snapshots.previous(year, number))


@bp.route("/quarters", methods=["GET", "POST"])
@login_required
def quarters():
    """The frozen figures of a quarter beside the quarter before, and (administrators) freezing."""
    quarter = request.values.get("quarter", "").strip() or _last_ended_quarter()
    if request.method == "POST":
        require(current_user.user, Action.MANAGE_ORGANIZATION)
        try:
            count = snapshots.freeze(current_user.user, quarter)
        except Invalid as error:
            flash(translate(error), "danger")
        else:
            flash(
                _("%(count)s groups frozen for %(quarter)s.", count=count, quarter=quarter),
                "success",
            )
        return redirect(url_for("dashboard.quarters", quarter=quarter))
    try:
        this, before, rows = snapshots.compare(
            quarter,
            visible_groups(current_user.user).where(SavingsGroup.is_practice == False),  # noqa: E712
        )
    except Invalid as error:
        return render_template(
            "dashboard/quarters.html", error=translate(error), rows=[], quarter=quarter
        ), 400
    return render_template(
        "dashboard/quarters.html",
        error=None,
        rows=rows,
        quarter=quarter,
        this=this,
        before=before,
        keys=snapshots.KEYS,
        definitions=definitions.BY_KEY,
    )
