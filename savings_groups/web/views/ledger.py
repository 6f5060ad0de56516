"""The ledger as people read it: the group's money history, the correction screen, passbooks."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from savings_groups.core import money
from savings_groups.core.dates import today
from savings_groups.core.errors import N_, DomainError, NotFound
from savings_groups.core.numbers import parse_whole
from savings_groups.core.vocabulary import Channel, EntryKind, Fund, GroupKind, RotationOrder
from savings_groups.ledger import corrections
from savings_groups.ledger import reports as ledger_reports
from savings_groups.org import access
from savings_groups.org.access import Action
from savings_groups.reports import passbook as passbooks
from savings_groups.reports.arrears import arrears_of
from savings_groups.store.models import Cycle, Member
from savings_groups.web.forms import AppForm, required
from savings_groups.web.i18n import render_printed
from savings_groups.web.views import cycle_asked, paper_size, render_form, show_error

bp = Blueprint("ledger", __name__, url_prefix="/groups/<int:group_id>")


@bp.context_processor
def enums():
    return {"EntryKind": EntryKind, "Fund": Fund, "Channel": Channel}


def _cycles(group) -> list[Cycle]:
    return list(Cycle.select().where(Cycle.group == group).order_by(Cycle.number.desc()))


def _member(group, member_id: int) -> Member:
    member = Member.get_or_none((Member.id == member_id) & (Member.group == group))
    if member is None:
        raise NotFound(N_("This member does not exist in this group."))
    return member


@bp.route("/ledger")
@login_required
def history(group_id: int):
    group = access.group_for(current_user.user, group_id)
    cycles = _cycles(group)
    members = list(Member.select().where(Member.group == group).order_by(Member.number))
    cycle_id = request.args.get("cycle", type=int)
    member_id = request.args.get("member", type=int)
    cycle = next((c for c in cycles if c.id == cycle_id), None)
    member = next((m for m in members if m.id == member_id), None)
    page = ledger_reports.history_page(group, cycle, member, request.args.get("page", 1, type=int))
    return render_template(
        "ledger/history.html",
        group=group,
        cycles=cycles,
        members=members,
        cycle=cycle,
        member=member,
        history=page,
        closed_cycles={c.id for c in cycles if c.closed_at is not None},
        why_not_correctable=corrections.why_not_correctable,
    )


class CorrectionForm(AppForm):
    amount = StringField(_l("Right amount"))
    shares = StringField(_l("Right number of shares"))
    reason = TextAreaField(
        _l("Why is it corrected?"),
        validators=[*required(_l("Say why this entry is corrected.")), Length(max=500)],
    )


@bp.route("/ledger/<int:entry_id>/correct", methods=["GET", "POST"])
@login_required
def correct(group_id: int, entry_id: int):
    group = access.group_for(current_user.user, group_id, Action.EDIT_GROUP)
    entry = ledger_reports.entry_of(group, entry_id)
    if entry is None:
        raise NotFound(N_("This entry does not exist in this group."))
    reversal = ledger_reports.reversal_of(entry)
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            locale = str(get_locale())
            signed = entry.kind in corrections.SIGNED_KINDS
            amount = shares = None
            if entry.kind != EntryKind.SHARE_PURCHASE and (form.amount.data or "").strip():
                amount = money.parse_amount(
                    form.amount.data, group.currency, locale, allow_negative=signed, field="amount"
                )
            if corrections.takes_shares(entry):
                shares = parse_whole(form.shares.data, "shares", locale=locale, required=False)
            corrections.correct_entry(current_user.user, entry, form.reason.data, amount, shares)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The entry is corrected: the reversal is in the history."), "success")
            return redirect(url_for("ledger.history", group_id=group.id))
    return render_form(
        "ledger/correct.html",
        form,
        group=group,
        entry=entry,
        reversal=reversal,
        refusal=corrections.why_not_correctable(entry),
        takes_shares=corrections.takes_shares(entry),
        share_purchase=entry.kind == EntryKind.SHARE_PURCHASE,
    )


@bp.route("/members/<int:member_id>/passbook")
@login_required
def passbook(group_id: int, member_id: int):
    group = access.group_for(current_user.user, group_id)
    member = _member(group, member_id)
    if group.kind == GroupKind.ROSCA.value:  # a tontine's member: rotations, not cycles
        return render_printed(
            "ledger/tontine_passbook.html",
            group,
            member=member,
            books=passbooks.tontine_passbook(group, member),
            size=paper_size(),
            RotationOrder=RotationOrder,
        )
    cycle_id = request.args.get("cycle", type=int)
    cycle = cycle_asked(group, cycle_id)
    book = passbooks.passbook(group, member, cycle)
    return render_printed(
        "ledger/passbook.html",
        group,
        member=member,
        cycles=_cycles(group),
        book=book,
        loan_arrears=arrears_of([item.loan for item in book.loans], today()),
        size=paper_size(),
    )
