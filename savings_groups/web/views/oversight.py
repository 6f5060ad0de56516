"""The groups list with each group's key figures and warnings (the home page uses it too)."""

from babel.numbers import format_percent
from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale
from flask_login import current_user, login_required

from savings_groups.core.dates import today
from savings_groups.core.vocabulary import GroupKind, Role
from savings_groups.org import access
from savings_groups.oversight import group_list
from savings_groups.oversight import trends as oversight_trends
from savings_groups.oversight.figures import figures_for
from savings_groups.oversight.warnings import Thresholds, warnings_for
from savings_groups.store.models import SavingsGroup, User
from savings_groups.web import charts
from savings_groups.web.i18n import text_direction
from savings_groups.web.views import translate

bp = Blueprint("oversight", __name__)


def list_context() -> tuple[dict, int]:
    """What templates/oversight/_groups_table.html needs, from the query string, and the
    status: 400 with a clear message when a filter is not one the list knows."""
    user = current_user.user
    limits = Thresholds.from_config(current_app.config)
    context = {"filter_choices": filter_choices(user), "list_error": None, "page": None}
    try:
        filters = group_list.Filters.parse(request.args)
    except group_list.BadFilter as error:
        context["list_error"] = translate(error)
        context["filters"] = group_list.Filters()
        return context, 400
    context["filters"] = filters
    context["page"] = group_list.group_page(user, filters, today(), limits)
    return context, 200


def own_warnings(user: User, page) -> list:
    """The warnings of the groups the user facilitates first, then those of the page's rows."""
    limits = Thresholds.from_config(current_app.config)
    own = list(
        SavingsGroup.select()
        .where(SavingsGroup.facilitator == user, SavingsGroup.archived_at.is_null())
        .order_by(SavingsGroup.name)
    )
    on = today()
    figures = figures_for([g.id for g in own], on)
    found = warnings_for(own, figures, on, limits)
    items = [(g, w) for g in own for w in found[g.id]]
    seen = {g.id for g in own}
    if page is not None:
        items += [(r.group, w) for r in page.rows if r.group.id not in seen for w in r.warnings]
    return items


def filter_choices(user: User) -> dict:
    """The facilitators, countries and districts the filters offer, from the groups seen."""
    groups = access.visible_groups(user).order_by(None)
    countries = sorted({c for (c,) in groups.select(SavingsGroup.country).tuples() if c})
    districts = sorted(
        {d for (d,) in groups.select(SavingsGroup.district).tuples() if d}, key=str.casefold
    )
    facilitators = list(
        User.select()
        .where(User.role.in_([Role.FACILITATOR.value, Role.ADMIN.value]))
        .order_by(User.full_name)
    )
    return {
        "countries": countries,
        "districts": districts,
        "facilitators": facilitators,
        "kinds": list(GroupKind),
    }


@bp.route("/oversight/groups")
@login_required
def groups():
    context, status = list_context()
    return render_template("oversight/groups.html", **context), status


@bp.route("/oversight/trends")
@login_required
def trends():
    """Savings, loans outstanding, PAR>30 and attendance by month over the filtered groups."""
    context = {"filter_choices": filter_choices(current_user.user), "list_error": None}
    try:
        filters = group_list.Filters.parse(request.args)
    except group_list.BadFilter as error:
        context["list_error"] = translate(error)
        return render_template(
            "oversight/trends.html", filters=group_list.Filters(), **context
        ), 400
    chosen = group_list.filtered(current_user.user, filters).where(~SavingsGroup.is_practice)
    counts: dict[str, int] = {}
    for (currency,) in chosen.select(SavingsGroup.currency).tuples():
        counts[currency] = counts.get(currency, 0) + 1
    ids = [g for (g,) in chosen.select(SavingsGroup.id).tuples()]
    found = oversight_trends.trends_for(ids, today())
    mirrored = text_direction() == "rtl"
    currencies = sorted(counts, key=lambda c: (-counts[c], c))
    money_charts = []
    for currency in currencies:
        savings = found.savings.get(currency, [0] * len(found.months))
        loans = found.loans.get(currency, [0] * len(found.months))
        par = (
            [int((r or 0) * 10000) for r in found.par30(currency)]
            if currency in found.loans
            else []
        )
        money_charts.append(
            {
                "currency": currency,
                "groups": counts[currency],
                "savings": (
                    charts.step_chart(savings, mirrored=mirrored),
                    list(zip(found.months, savings, strict=True)),
                ),
                "loans": (
                    charts.step_chart(loans, mirrored=mirrored),
                    list(zip(found.months, loans, strict=True)),
                ),
                "par": (
                    charts.step_chart(par, mirrored=mirrored),
                    list(zip(found.months, found.par30(currency), strict=True)),
                )
                if par
                else None,
            }
        )
    attendance = [int((a or 0) * 10000) for a in found.attendance]
    return render_template(
        "oversight/trends.html",
        filters=filters,
        groups=len(ids),
        money_charts=money_charts,
        attendance=(
            charts.step_chart(attendance, mirrored=mirrored),
            list(zip(found.months, found.attendance, strict=True)),
        ),
        **context,
    )


@bp.app_template_filter("warning_text")
def warning_text(warning) -> str:
    return translate(warning)


@bp.app_template_filter("share")
def share(value) -> str:
    """A share (0.1234) as a percentage the reader's way: 12.3 %, « 12,3 % »."""
    return format_percent(value, format="#,##0.#%", locale=get_locale())


@bp.app_template_filter("country_name")
def country_name(code: str) -> str:
    return get_locale().territories.get(code, code)
