"""The list of groups a user may see, a group's page, and creating, editing, archiving a group."""

import json

from babel import Locale
from babel.dates import get_day_names
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import SelectField, StringField, TextAreaField

from savings_groups.bundles import reports as bundle_reports
from savings_groups.core.dates import today
from savings_groups.core.errors import DomainError
from savings_groups.core.money import country_currencies, currencies_in_use, format_amount
from savings_groups.core.vocabulary import ConsentScope, GroupKind, MeetingFrequency, Role
from savings_groups.groups import consent as group_consent
from savings_groups.groups import operations as groups
from savings_groups.groups.operations import COUNTRY_CODES
from savings_groups.loans import portfolio
from savings_groups.org import access
from savings_groups.org.access import Action
from savings_groups.reports import group_summary
from savings_groups.store.models import GroupAssignment, User
from savings_groups.web import charts
from savings_groups.web.forms import AppForm, required
from savings_groups.web.i18n import language_names, text_direction
from savings_groups.web.views import oversight, render_form, show_error


def optional_int(value):
    """A select's value as an int, or None for the empty choice."""
    if value is None or value in ("", "None"):
        return None
    return int(value)


class GroupForm(AppForm):
    name = StringField(_l("Name of the group"), validators=required(_l("Enter the group's name.")))
    kind = SelectField(_l("Kind of group"))
    currency = SelectField(_l("Currency"))
    village = StringField(_l("Village or neighbourhood"))
    district = StringField(_l("District or region"))
    country = SelectField(_l("Country"))
    rounding_unit = StringField(_l("Rounding unit"), render_kw={"inputmode": "decimal"})
    meeting_frequency = SelectField(_l("Meetings"))
    meeting_day = SelectField(_l("Day of the meeting"), coerce=optional_int)
    formed_on = StringField(_l("Date formed"), render_kw={"type": "date"})
    facilitator_id = SelectField(_l("Facilitator"), coerce=optional_int)
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 3})
    print_locale = SelectField(_l("Language of the print-outs members receive"), default="")

    def fill_choices(self, group=None) -> None:
        """Currencies, countries and days named in the reader's language, sorted as they read.

        The currencies are those in use today, the country's own first (XOF for Senegal), and
        none chosen for a new group. group-form.js reads the data attributes: each country's
        currencies, and each currency's smallest unit as the reader writes it (the rounding
        unit's pre-fill)."""
        locale = Locale.parse(str(get_locale()))
        self.kind.choices = [(k.value, _(k.label)) for k in GroupKind]
        codes = set(currencies_in_use())
        if group is not None:
            codes.add(group.currency)  # kept, even if no longer in use
        own = [code for code in country_currencies(self.country.data or "") if code in codes]
        names = {code: f"{locale.currencies.get(code, code)} ({code})" for code in codes}
        others = sorted(set(codes) - set(own), key=lambda code: names[code].casefold())
        self.currency.choices = [
            ("", _("Choose a currency")),
            *((code, names[code]) for code in own + others),
        ]
        self.rounding_unit.render_kw = {
            **(self.rounding_unit.render_kw or {}),
            "data-units": json.dumps(
                {
                    code: format_amount(1, code, str(locale), with_symbol=False)
                    for code in sorted(codes)
                },
                ensure_ascii=False,
            ),
        }
        countries = sorted(
            ((code, locale.territories.get(code, code)) for code in COUNTRY_CODES),
            key=lambda choice: choice[1].casefold(),
        )
        self.country.choices = [("", _("Not set")), *countries]
        self.country.render_kw = {
            "data-currencies": json.dumps(
                {code: country_currencies(code) for code in sorted(COUNTRY_CODES)}
            )
        }
        self.print_locale.choices = [
            ("", _("The language of whoever prints them")),
            *language_names(),
        ]
        self.meeting_frequency.choices = [(f.value, _(f.label)) for f in MeetingFrequency]
        days = get_day_names("wide", locale=locale)
        self.meeting_day.choices = [(None, _("Not set")), *((d, days[d]) for d in range(7))]
        people = groups.facilitator_choices(group, current_user.user)
        if group is not None and group.facilitator_id not in {None, *(p.id for p in people)}:
            people.append(group.facilitator)  # named before, since deactivated or unassigned
        self.facilitator_id.choices = [
            (None, _("Nobody")),
            *((p.id, f"{p.full_name} — {_(p.role_enum.label)}") for p in people),
        ]

    def show_amounts(self, group) -> None:
        """The rounding unit as an amount of the currency, as the reader writes it."""
        self.rounding_unit.data = format_amount(
            group.rounding_unit, group.currency, str(get_locale()), with_symbol=False
        )

    def details(self) -> groups.GroupDetails:
        values = {name: getattr(self, name).data for name in groups.GROUP_FIELDS}
        values["rounding_unit"] = values["rounding_unit"] or 1  # blank: the smallest unit
        return groups.GroupDetails(**values)


bp = Blueprint("groups", __name__)


@bp.route("/")
@login_required
def index():
    """The home page: the user's warnings, then the paged groups list (oversight)."""
    context, status = oversight.list_context()
    warnings = oversight.own_warnings(current_user.user, context["page"])
    visible = list(access.visible_groups(current_user.user).limit(2))
    return render_template(
        "groups/index.html",
        warnings=warnings,
        any_group=bool(visible),
        only_group=visible[0] if len(visible) == 1 else None,  # today's meeting, one press away
        list_endpoint="groups.index",
        **context,
    ), status


@bp.route("/groups/new", methods=["GET", "POST"])
@login_required
def new():
    access.require(current_user.user, Action.CREATE_GROUP)
    form = GroupForm()
    form.fill_choices()
    if request.method == "GET" and current_user.user.role_enum is Role.FACILITATOR:
        form.facilitator_id.data = current_user.user.id
    if form.validate_on_submit():
        try:
            group = groups.create_group(current_user.user, form.details(), str(get_locale()))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The group “%(name)s” is created.", name=group.name), "success")
            return redirect(url_for("groups.show", group_id=group.id))
    return render_form("groups/form.html", form, group=None)


@bp.route("/groups/<int:group_id>")
@login_required
def show(group_id: int):
    group = access.group_for(current_user.user, group_id)
    team = (
        User.select()
        .join(GroupAssignment, on=GroupAssignment.user)
        .where(GroupAssignment.group == group)
        .order_by(User.full_name)
    )
    summary = group_summary.group_summary(group)
    chart = charts.step_chart(
        [amount for _day, amount in summary.savings_series], mirrored=text_direction() == "rtl"
    )
    loans = portfolio.outstanding(group, summary.cycle, today())
    return render_template(
        "groups/show.html",
        group=group,
        team=list(team),
        summary=summary,
        chart=chart,
        loans=loans,
        current=group_consent.current_consent(group.id),
        scopes=list(ConsentScope),
        # What this laptop holds of the group that no bundle carries yet (for those who export).
        pending=(
            bundle_reports.pending([group.id])[group.id]
            if access.can(current_user.user, Action.EDIT_GROUP)
            else None
        ),
    )


@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
@login_required
def edit(group_id: int):
    group = access.group_for(current_user.user, group_id, Action.EDIT_GROUP)
    form = GroupForm(obj=group)
    form.fill_choices(group)
    if request.method == "GET":
        form.show_amounts(group)
    if form.validate_on_submit():
        try:
            groups.update_group(current_user.user, group, form.details(), str(get_locale()))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The group is saved."), "success")
            return redirect(url_for("groups.show", group_id=group.id))
    return render_form("groups/form.html", form, group=group)


@bp.route("/groups/<int:group_id>/archive", methods=["POST"])
@login_required
def archive(group_id: int):
    group = access.group_for(current_user.user, group_id, Action.EDIT_GROUP)
    archived = request.form.get("archived") == "1"
    if groups.archive_group(current_user.user, group, archived):
        if archived:
            flash(_("The group is archived. Its history is kept."), "success")
        else:
            flash(_("The group is taken out of the archive."), "success")
    return redirect(url_for("groups.show", group_id=group.id))


@bp.app_template_filter("meeting_schedule")
def meeting_schedule(group) -> str:
    """How often and on which day the group meets, in the reader's language."""
    try:
        frequency = _(MeetingFrequency(group.meeting_frequency).label)
    except ValueError:
        frequency = group.meeting_frequency
    if group.meeting_day is None:
        return frequency
    day = get_day_names("wide", locale=str(get_locale()))[group.meeting_day]
    return _("%(frequency)s, on %(day)s", frequency=frequency, day=day)
