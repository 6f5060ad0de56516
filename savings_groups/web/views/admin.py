"""The administrator's pages: accounts, their groups, the organization."""

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from peewee import fn
from wtforms import PasswordField, SelectField, StringField

from savings_groups.core import catalogs
from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import Role
from savings_groups.org import accounts
from savings_groups.org.access import Action, require
from savings_groups.store.models import GroupAssignment, SavingsGroup, User
from savings_groups.web.forms import AppForm, MultiCheckboxField, NewPasswordMixin, required
from savings_groups.web.i18n import language_names
from savings_groups.web.views import render_form, show_error, translate
from savings_groups.web.views.auth import login_policy

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def only_administrators():
    require(current_user.user, Action.MANAGE_USERS)


class UserDetailsForm(AppForm):
    full_name = StringField(
        _l("Full name"), validators=required(_l("Enter the person's full name."))
    )
    role = SelectField(_l("Role"))
    locale = SelectField(_l("Language"))
    groups = MultiCheckboxField(_l("Groups assigned"), coerce=int)

    def fill_choices(self) -> None:
        self.role.choices = [(role.value, _(role.label)) for role in Role]
        self.locale.choices = [("", _("As the browser asks")), *language_names()]
        self.groups.choices = [
            (group.id, group.name) for group in SavingsGroup.select().order_by(SavingsGroup.name)
        ]


class NewUserForm(NewPasswordMixin, UserDetailsForm):
    username = StringField(_l("Username"), validators=required(_l("Choose a username.")))


class ResetPasswordForm(NewPasswordMixin, AppForm):
    password = PasswordField(_l("New password"), validators=required(_l("Choose a password.")))


class OrganizationForm(AppForm):
    name = StringField(
        _l("Name of the organization"), validators=required(_l("Enter the organization's name."))
    )
    default_locale = SelectField(_l("Language of new accounts"))


@bp.route("/users")
def users():
    people = User.select().order_by(User.is_active.desc(), User.full_name)
    counts = {
        row.user_id: row.count
        for row in GroupAssignment.select(
            GroupAssignment.user, fn.COUNT(GroupAssignment.id).alias("count")
        ).group_by(GroupAssignment.user)
    }
    return render_template(
        "admin/users.html",
        people=list(people),
        counts=counts,
        locked=accounts.locked_accounts(),
    )


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
def unlock(user_id: int):
    """End the lock that failed logins put on an account (someone may have failed on purpose)."""
    user = accounts.get_user(user_id)
    if accounts.unlock(current_user.user, user):
        flash(_("“%(username)s” can try to log in again.", username=user.username), "success")
    else:
        flash(_("“%(username)s” was not locked.", username=user.username), "info")
    return redirect(url_for("admin.users"))


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = NewUserForm()
    form.fill_choices()
    if request.method == "GET":
        form.role.data = Role.RECORDER.value
        org = accounts.organization()
        form.locale.data = org.default_locale if org else ""
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                current_user.user,
                form.username.data,
                form.full_name.data,
                form.role.data,
                form.password.data,
                form.locale.data,
                login_policy(),
                group_ids=form.groups.data or [],
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The account “%(username)s” is created.", username=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_form(
        "admin/user_new.html", form, min_length=current_app.config["PASSWORD_MIN_LENGTH"]
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = accounts.get_user(user_id)
    form = UserDetailsForm(obj=user)
    form.fill_choices()
    if request.method == "GET":
        form.locale.data = user.locale or ""
        form.groups.data = [a.group_id for a in user.assignments]
    if form.validate_on_submit():
        try:
            accounts.update_user(
                current_user.user,
                user,
                form.full_name.data,
                form.role.data,
                form.locale.data,
                group_ids=form.groups.data or [],
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The account “%(username)s” is saved.", username=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_form(
        "admin/user_edit.html",
        form,
        person=user,
        password_form=ResetPasswordForm(prefix="reset"),
        min_length=current_app.config["PASSWORD_MIN_LENGTH"],
    )


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def reset_password(user_id: int):
    user = accounts.get_user(user_id)
    form = ResetPasswordForm(prefix="reset")
    if form.validate_on_submit():
        try:
            accounts.reset_password(current_user.user, user, form.password.data, login_policy())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(
                _(
                    "The password of “%(username)s” is reset. Give it to them in person; they "
                    "must choose their own at their next login.",
                    username=user.username,
                ),
                "success",
            )
            return redirect(url_for("admin.edit_user", user_id=user.id))
    details = UserDetailsForm(obj=user, formdata=None)
    details.fill_choices()
    details.locale.data = user.locale or ""
    details.groups.data = [a.group_id for a in user.assignments]
    page = render_template(
        "admin/user_edit.html",
        form=details,
        person=user,
        password_form=form,
        min_length=current_app.config["PASSWORD_MIN_LENGTH"],
    )
    return page, 422


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def set_active(user_id: int):
    user = accounts.get_user(user_id)
    active = request.form.get("active") == "1"
    try:
        accounts.set_active(current_user.user, user, active)
    except DomainError as error:
        flash(translate(error), "danger")
    else:
        message = (
            _("“%(username)s” can log in again.")
            if active
            else _("“%(username)s” is deactivated and cannot log in. Their history is kept.")
        )
        flash(message % {"username": user.username}, "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/organization", methods=["GET", "POST"])
def organization():
    org = accounts.organization() or abort(404)
    form = OrganizationForm(obj=org)
    form.default_locale.choices = language_names()
    if form.validate_on_submit():
        try:
            accounts.update_organization(
                current_user.user, org, form.name.data, form.default_locale.data
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The organization is saved."), "success")
            return redirect(url_for("admin.organization"))
    return render_form("admin/organization.html", form)


@bp.route("/languages")
def languages():
    """Each language's catalog and how complete it is: what a translator works towards."""
    translations = Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])
    return render_template("admin/languages.html", statuses=catalogs.all_statuses(translations))


@bp.route("/audit")
def audit_log():
    """The audit log moved to its own page (views.audit), open to facilitators too."""
    return redirect(url_for("audit.index", **request.args))
