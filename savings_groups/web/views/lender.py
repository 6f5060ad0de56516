"""A member's record for a lender: the member's own consent (recorded by a facilitator or an
admin), and the printable page, in the reader's language or one chosen for the lender
(?lang=fr), with the signed QR code that /verify confirms."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import BooleanField, DateField
from wtforms.validators import InputRequired

from savings_groups.core.dates import today
from savings_groups.core.errors import N_, Invalid, NotFound
from savings_groups.groups import consent
from savings_groups.org import access
from savings_groups.org.access import Action
from savings_groups.reports.lender_record import NoMemberConsent, lender_record
from savings_groups.store.models import Member
from savings_groups.web.forms import AppForm
from savings_groups.web.i18n import available_locales, language_names
from savings_groups.web.views import render_form, show_error, translate

bp = Blueprint("lender", __name__, url_prefix="/groups/<int:group_id>/members/<int:member_id>")


class MemberConsentForm(AppForm):
    allows = BooleanField(
        _l("The member agrees to a record for a lender (savings, loans, attendance)")
    )
    given_on = DateField(
        _l("Date of the member's decision"),
        validators=[InputRequired(message=_l("Enter the date of the decision."))],
        default=today,
    )


def _member(group, member_id: int) -> Member:
    member = Member.get_or_none(Member.id == member_id, Member.group == group)
    if member is None:
        raise NotFound(N_("This member does not exist in this group."))
    return member


def _consent_page(group, member, form, status=200, refusal=None):
    return render_form(
        "lender/consent.html",
        form,
        status,
        group=group,
        member=member,
        current=consent.member_consent(member.id),
        may_record=access.can(current_user.user, Action.EDIT_GROUP),
        refusal=refusal,
    )


@bp.route("/lender-consent", methods=["GET", "POST"])
@login_required
def member_consent(group_id: int, member_id: int):
    group = access.group_for(current_user.user, group_id)
    member = _member(group, member_id)
    form = MemberConsentForm()
    if not form.is_submitted():
        return _consent_page(group, member, form)
    access.require(current_user.user, Action.EDIT_GROUP)
    if not form.validate():
        return _consent_page(group, member, form)
    try:
        consent.record_member_consent(
            current_user.user, member, form.allows.data, form.given_on.data
        )
    except Invalid as error:
        for each in error.errors:
            show_error(form, each)
        return _consent_page(group, member, form, 422)
    flash(_("The member's decision is recorded."), "success")
    return redirect(url_for("lender.member_consent", group_id=group.id, member_id=member.id))


@bp.route("/lender-record")
@login_required
def record(group_id: int, member_id: int):
    group = access.group_for(current_user.user, group_id)
    member = _member(group, member_id)
    try:
        report = lender_record(group, member, today())
    except NoMemberConsent as error:
        return _consent_page(group, member, MemberConsentForm(), 403, refusal=translate(error))
    lang = request.args.get("lang")
    if lang not in available_locales():
        lang = None
    context = {
        "group": group,
        "member": member,
        "report": report,
        "languages": language_names(),
        "lang": lang,
    }
    if lang:
        with force_locale(lang):
            return render_template("lender/record.html", **context)
    return render_template("lender/record.html", **context)
