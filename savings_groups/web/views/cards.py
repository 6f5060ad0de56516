"""Member cards: the printable sheet, re-issuing a card, and finding a member by scanning one."""

from flask import (
    Blueprint,
    flash,
    jsonify,
    make_response,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from savings_groups.core.errors import N_, DomainError, NotFound
from savings_groups.groups import photos
from savings_groups.groups.members import current_members
from savings_groups.meetings.sheet import grid_members
from savings_groups.org import access
from savings_groups.org.access import Action
from savings_groups.qr import cards
from savings_groups.store.models import Meeting, Member
from savings_groups.web.i18n import render_printed
from savings_groups.web.views import translate

bp = Blueprint("cards", __name__, url_prefix="/groups/<int:group_id>")

# Where a scanned card leads: the page to go to with the member chosen (no script), and the
# page to come back to with the message when the card selects nobody.
TARGETS = ("grid", "passbook", "loan")
CARDS_PER_PAGE = 10  # two columns of five cards of 85 × 54 mm on an A4 page
FORM_OVERHEAD = 64 * 1024  # a photo's upload: the form's fields and boundaries besides the file


@bp.route("/cards")
@login_required
def sheet(group_id: int):
    group = access.group_for(current_user.user, group_id, Action.EDIT_GROUP)
    chosen = request.args.getlist("member", type=int)
    members = list(current_members(group))
    return render_printed(
        "cards/sheet.html",
        group,
        members=members,
        chosen=set(chosen),
        cards=cards.cards(group, chosen or None),
        per_page=CARDS_PER_PAGE,
    )


def _member(group_id: int, member_id: int):
    """The group (the user may edit it) and its member; 404 for another group's member."""
    group = access.group_for(current_user.user, group_id, Action.EDIT_GROUP)
    member = Member.get_or_none((Member.id == member_id) & (Member.group == group))
    if member is None:
        raise NotFound(N_("This member does not exist in this group."))
    return group, member


@bp.route("/members/<int:member_id>/card", methods=["POST"])
@login_required
def reissue(group_id: int, member_id: int):
    group, member = _member(group_id, member_id)
    try:
        code = cards.reissue(current_user.user, member)
    except DomainError as error:
        flash(translate(error), "danger")
        return redirect(url_for(".sheet", group_id=group.id))
    flash(
        _(
            "%(name)s has a new card, %(code)s: print it; the old card no longer works.",
            name=member.full_name,
            code=code,
        ),
        "success",
    )
    return redirect(url_for(".sheet", group_id=group.id, member=member.id))


@bp.route("/members/<int:member_id>/photo")
@login_required
def photo(group_id: int, member_id: int):
    _group, member = _member(group_id, member_id)
    found = photos.photo_of(member)
    if found is None:
        raise NotFound(N_("This member has no photo."))
    kind, data = found
    response = make_response(data)
    response.headers["Content-Type"] = kind
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.route("/members/<int:member_id>/photo", methods=["POST"])
@login_required
def change_photo(group_id: int, member_id: int):
    """Add, replace or remove the photo printed on the member's card."""
    group, member = _member(group_id, member_id)
    back = url_for("members.edit", group_id=group.id, member_id=member.id, _anchor="photo")
    try:
        if request.form.get("action") == "remove":
            photos.remove_photo(current_user.user, member)
            flash(_("The photo of %(name)s is removed.", name=member.full_name), "success")
            return redirect(back)
        photos.check_size((request.content_length or 0) - FORM_OVERHEAD)
        upload = request.files.get("photo")
        data = upload.read(photos.MAX_BYTES + 1) if upload else b""
        photos.set_photo(current_user.user, member, data)
    except DomainError as error:
        flash(translate(error), "danger")
        return redirect(back)
    flash(
        _("The photo of %(name)s is saved: it is printed on the card.", name=member.full_name),
        "success",
    )
    return redirect(back)


@bp.route("/cards/find")
@login_required
def find(group_id: int):
    """A scanned card: JSON for the page's script, else a redirect to the member's row or page."""
    group = access.group_for(current_user.user, group_id)
    to = request.args.get("to") if request.args.get("to") in TARGETS else "passbook"
    meeting = None
    if to != "passbook":
        meeting = Meeting.get_or_none(
            (Meeting.id == request.args.get("meeting", type=int)) & (Meeting.group == group)
        )
        if meeting is None:
            raise NotFound(N_("This meeting does not exist in this group."))
    wants_json = request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )
    try:
        member = cards.find(group, request.args.get("code"))
        if meeting is not None and member not in grid_members(meeting):
            raise DomainError(
                N_("No. %(number)s, %(name)s, is not on this meeting's list."),
                number=member.number,
                name=member.full_name,
            )
    except DomainError as error:
        if wants_json:
            return jsonify(error=translate(error)), 422
        flash(translate(error), "danger")
        return redirect(_back(group, to, meeting))
    found = _("No. %(number)s, %(name)s.", number=member.number, name=member.full_name)
    url = _destination(group, to, meeting, member)
    if wants_json:
        return jsonify(
            member=member.id, number=member.number, name=member.full_name, url=url, message=found
        )
    flash(found, "success")
    return redirect(url)


def _back(group, to: str, meeting) -> str:
    if to == "grid":
        return url_for("meetings.edit", group_id=group.id, meeting_id=meeting.id)
    if to == "loan":
        return url_for("meetings.loan", group_id=group.id, meeting_id=meeting.id)
    return url_for("members.index", group_id=group.id)


def _destination(group, to: str, meeting, member) -> str:
    if to == "grid":
        return url_for(
            "meetings.edit", group_id=group.id, meeting_id=meeting.id, _anchor=f"row-m{member.id}"
        )
    if to == "loan":
        return url_for("meetings.loan", group_id=group.id, meeting_id=meeting.id, member=member.id)
    return url_for("ledger.passbook", group_id=group.id, member_id=member.id)
