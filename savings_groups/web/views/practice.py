"""Practice groups: create one in one step; reset one to its starting state, once confirmed."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from savings_groups.core.errors import N_, DomainError, NotFound
from savings_groups.org import access
from savings_groups.org.access import Action
from savings_groups.practice import operations as practice
from savings_groups.web.views import translate

bp = Blueprint("practice", __name__)


@bp.route("/practice-groups/new", methods=["POST"])
@login_required
def create():
    access.require(current_user.user, Action.CREATE_GROUP)
    try:
        group = practice.create_practice_group(current_user.user, _("Practice group"))
    except DomainError as error:
        flash(translate(error), "danger")
        return redirect(url_for("groups.index"))
    flash(
        _("The practice group is ready: record a meeting in it, nothing there counts."), "success"
    )
    return redirect(url_for("groups.show", group_id=group.id))


@bp.route("/groups/<int:group_id>/practice/reset", methods=["GET", "POST"])
@login_required
def reset(group_id: int):
    group = access.group_for(current_user.user, group_id, Action.EDIT_GROUP)
    if not group.is_practice:
        raise NotFound(N_("This group is not a practice group."))
    if request.method == "POST":
        try:
            token = int(request.form.get("token", ""))
        except ValueError:
            token = -1
        try:
            practice.reset_practice_group(current_user.user, group, token)
        except DomainError as error:
            flash(translate(error), "danger")
            return redirect(url_for("practice.reset", group_id=group.id))
        flash(_("The practice group is back to its starting state."), "success")
        return redirect(url_for("groups.show", group_id=group.id))
    return render_template("practice/reset.html", group=group, token=practice.reset_token(group))
