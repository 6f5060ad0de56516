"""The administrator's page of API tokens: make one (its secret shown once), list, revoke."""

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import BooleanField, StringField

from savings_groups.core.errors import DomainError, Invalid
from savings_groups.org import api_tokens
from savings_groups.org.access import Action, require
from savings_groups.store.models import SavingsGroup
from savings_groups.web.forms import AppForm, MultiCheckboxField, required
from savings_groups.web.views import render_form, show_error, translate

bp = Blueprint("api_tokens", __name__, url_prefix="/admin/api-tokens")


@bp.before_request
@login_required
def only_administrators():
    require(current_user.user, Action.MANAGE_USERS)


class TokenForm(AppForm):
    name = StringField(
        _l("Name (the system that will use it)"),
        validators=required(_l("Give the token a name (the system that will use it).")),
    )
    all_groups = BooleanField(_l("All groups, now and to come"))
    groups = MultiCheckboxField(_l("Groups the token may read"), coerce=int)
    allows_phones = BooleanField(_l("Members' phone numbers may be read"))

    def fill_choices(self) -> None:
        self.groups.choices = [
            (g.id, g.name) for g in SavingsGroup.select().order_by(SavingsGroup.name)
        ]


def _page(form, secret=None, status=200):
    return render_form(
        "api_tokens/index.html", form, status, tokens=api_tokens.tokens(), secret=secret
    )


@bp.route("/", methods=["GET", "POST"])
def index():
    form = TokenForm()
    form.fill_choices()
    if not form.validate_on_submit():
        return _page(form)
    try:
        _token, secret = api_tokens.create_token(
            current_user.user,
            form.name.data,
            form.groups.data or [],
            form.all_groups.data,
            form.allows_phones.data,
        )
    except Invalid as error:
        for each in error.errors:
            show_error(form, each)
        return _page(form, status=422)
    # Shown once, on this answer only: never stored, never in a redirect or a flash.
    return _page(TokenForm(formdata=None), secret=secret)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int):
    form = AppForm()
    if form.validate_on_submit():
        try:
            token = api_tokens.revoke_token(current_user.user, token_id)
        except DomainError as error:
            flash(translate(error), "danger")
        else:
            flash(_("The token “%(name)s” is revoked.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"))
