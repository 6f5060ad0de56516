"""The list of groups a user may see, a group's page, and creating or editing a group."""

from babel import Locale
from babel.numbers import list_currencies
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from .. import access, groups
from ..access import Action
from ..errors import DomainError
from ..groups import COUNTRY_CODES
from ..models import GroupAssignment, GroupKind, User
from . import render_form, show_error
from .forms import required

bp = Blueprint("groups", __name__)


class GroupForm(FlaskForm):
    name = StringField(_l("Name of the group"), validators=required(_l("Enter the group's name.")))
    kind = SelectField(_l("Kind of group"))
    currency = SelectField(_l("Currency"))
    village = StringField(_l("Village or neighbourhood"))
    district = StringField(_l("District or region"))
    country = SelectField(_l("Country"))

    def fill_choices(self) -> None:
        """Currencies and countries named in the reader's language, sorted as they read."""
        locale = Locale.parse(str(get_locale()))
        self.kind.choices = [(k.value, _(k.label)) for k in GroupKind]
        self.currency.choices = sorted(
            ((code, f"{locale.currencies.get(code, code)} ({code})") for code in list_currencies()),
            key=lambda choice: choice[1].casefold(),
        )
        countries = sorted(
            ((code, locale.territories.get(code, code)) for code in COUNTRY_CODES),
            key=lambda choice: choice[1].casefold(),
        )
        self.country.choices = [("", _("Not set")), *countries]

    def details(self) -> groups.GroupDetails:
        return groups.GroupDetails(
            **{name: getattr(self, name).data for name in groups.GROUP_FIELDS}
        )


@bp.route("/")
@login_required
def index():
    return render_template(
        "groups/index.html", groups=list(access.visible_groups(current_user.user))
    )


@bp.route("/groups/new", methods=["GET", "POST"])
@login_required
def new():
    access.require(current_user.user, Action.CREATE_GROUP)
    form = GroupForm()
    form.fill_choices()
    if form.validate_on_submit():
        try:
            group = groups.create_group(current_user.user, form.details())
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
    return render_template("groups/show.html", group=group, team=list(team))


@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
@login_required
def edit(group_id: int):
    group = access.group_for(current_user.user, group_id, Action.EDIT_GROUP)
    form = GroupForm(obj=group)
    form.fill_choices()
    if form.validate_on_submit():
        try:
            groups.update_group(current_user.user, group, form.details())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The group is saved."), "success")
            return redirect(url_for("groups.show", group_id=group.id))
    return render_form("groups/form.html", form, group=group)
