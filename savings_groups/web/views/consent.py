"""A group's decision on what member-level data may leave the app: the decision in force, its
history, and a form to record a new one (facilitators and admins; others read it)."""

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import DateField, StringField
from wtforms.validators import InputRequired

from savings_groups.core.dates import today
from savings_groups.core.errors import DomainError, Invalid
from savings_groups.core.vocabulary import ConsentScope
from savings_groups.exports import files, ledger, members
from savings_groups.groups import consent
from savings_groups.org import access
from savings_groups.org.access import Action
from savings_groups.store.models import GroupConsent
from savings_groups.web.forms import AppForm, MultiCheckboxField
from savings_groups.web.views import render_form, show_error, translate

bp = Blueprint("consent", __name__)


class ConsentForm(AppForm):
    scopes = MultiCheckboxField(_l("What may leave the app"))
    given_on = DateField(
        _l("Date of the group's decision"),
        validators=[InputRequired(message=_l("Enter the date of the decision."))],
        default=today,
    )
    given_by = StringField(_l("Who gave it (for example: the members' meeting, the chair)"))

    def fill_choices(self) -> None:
        self.scopes.choices = [(s.value, _(s.label)) for s in ConsentScope]


def _page(group, form, status=200):
    history = list(
        GroupConsent.select().where(GroupConsent.group == group).order_by(GroupConsent.id.desc())
    )
    return render_form(
        "consent/group.html",
        form,
        status,
        group=group,
        current=history[0] if history else None,
        history=history,
        may_record=access.can(current_user.user, Action.EDIT_GROUP),
        scopes=list(ConsentScope),
    )


@bp.route("/groups/<int:group_id>/consent", methods=["GET", "POST"])
@login_required
def group_consent(group_id: int):
    group = access.group_for(current_user.user, group_id)
    form = ConsentForm()
    form.fill_choices()
    if not form.is_submitted():
        return _page(group, form)
    group = access.group_for(current_user.user, group_id, Action.EDIT_GROUP)
    if not form.validate():
        return _page(group, form)
    try:
        consent.record_consent(
            current_user.user,
            group,
            {ConsentScope(v) for v in form.scopes.data or []},
            form.given_on.data,
            form.given_by.data,
        )
    except Invalid as error:
        for each in error.errors:
            show_error(form, each)
        return _page(group, form, 422)
    flash(_("The group's decision is recorded."), "success")
    return redirect(url_for("consent.group_consent", group_id=group.id))


def _send(table, fmt: str, name: str):
    if fmt == "csv":
        data, mimetype = files.to_csv(table), files.CSV_TYPE
    else:
        data, mimetype = files.to_xlsx([table]), files.XLSX_TYPE
    return send_file(
        BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=f"{name}.{fmt}"
    )


def _export(group_id: int, fmt: str, make, name: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    # Member-level data leaves the app: those who manage the group (facilitators, admins).
    group = access.group_for(current_user.user, group_id, Action.EDIT_GROUP)
    try:
        table = make(group, _)
    except DomainError as error:
        flash(translate(error), "danger")
        return redirect(url_for("consent.group_consent", group_id=group.id)), 303
    return _send(table, fmt, f"{name}-{group.id}")


@bp.route("/groups/<int:group_id>/export/members.<fmt>")
@login_required
def export_members(group_id: int, fmt: str):
    return _export(group_id, fmt, members.member_table, "members")


@bp.route("/groups/<int:group_id>/export/ledger.<fmt>")
@login_required
def export_ledger(group_id: int, fmt: str):
    return _export(group_id, fmt, ledger.ledger_table, "ledger")
