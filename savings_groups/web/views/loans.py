"""The loan pages: the group's portfolio, one loan, write-off and rescheduling, and paper (the
loan agreement, the installments due at the next meeting)."""

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from savings_groups.core.dates import today
from savings_groups.core.errors import N_, DomainError, NotFound
from savings_groups.core.numbers import parse_whole
from savings_groups.core.vocabulary import (
    EntryKind,
    GroupKind,
    LoanMethod,
    LoanPurpose,
    LoanStatus,
    LoanWarning,
    MeetingFrequency,
)
from savings_groups.cycles.operations import MAX_PERIODS
from savings_groups.loans import book as loan_book
from savings_groups.loans import operations as lending
from savings_groups.loans import reports as loan_reports
from savings_groups.loans.portfolio import AGE_BUCKETS, portfolio
from savings_groups.org import access
from savings_groups.org.access import Action
from savings_groups.store.models import Cycle
from savings_groups.web.forms import AppForm, required
from savings_groups.web.i18n import render_printed
from savings_groups.web.views import render_form, show_error

bp = Blueprint("loans", __name__, url_prefix="/groups/<int:group_id>")


@bp.context_processor
def enums():
    return {
        "LoanStatus": LoanStatus,
        "LoanPurpose": LoanPurpose,
        "LoanMethod": LoanMethod,
        "LoanWarning": LoanWarning,
        "EntryKind": EntryKind,
        "AGE_BUCKETS": AGE_BUCKETS,
        "percent": percent,
        "period_words": period_words,
    }


def percent(share):
    """A share (0.6 for 60%) as a number of percent, or None."""
    if share is None:
        return None
    return (share * 100).normalize() + 0  # + 0 turns 6E+1 into 60


def period_words(frequency: str) -> tuple[str, str]:
    """(per period, the unit of a term) in the reader's language: ("per week", "weeks")."""
    words = {
        MeetingFrequency.WEEKLY.value: (_("per week"), _("weeks")),
        MeetingFrequency.FORTNIGHTLY.value: (_("per fortnight"), _("fortnights")),
        MeetingFrequency.MONTHLY.value: (_("per month"), _("months")),
    }
    return words.get(frequency, (_("per period"), _("periods")))


def _day(name: str) -> date | None:
    """A date from the query string (?on=YYYY-MM-DD), None when absent; 404 when unreadable."""
    text = request.args.get(name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise NotFound(N_("This date cannot be read: write it as YYYY-MM-DD.")) from None


def _loan(group, loan_id: int):
    loan = loan_reports.loan_of(group, loan_id)
    if loan is None:
        raise NotFound(N_("This loan does not exist in this group."))
    return loan


@bp.route("/loans")
@login_required
def index(group_id: int):
    group = access.group_for(current_user.user, group_id)
    if group.kind == GroupKind.ROSCA.value:  # a ROSCA does not lend: the page says where to go
        return render_template("loans/index.html", group=group)
    on = _day("on") or today()
    cycles = list(Cycle.select().where(Cycle.group == group).order_by(Cycle.number.desc()))
    cycle_id = request.args.get("cycle", type=int)
    if cycle_id is not None:
        cycle = next((c for c in cycles if c.id == cycle_id), None)
        if cycle is None:
            raise NotFound(N_("This cycle does not exist in this group."))
    else:
        cycle = next((c for c in cycles if c.closed_at is None), cycles[0] if cycles else None)
    report = portfolio(group, cycle, on)
    return render_template(
        "loans/index.html",
        group=group,
        cycles=cycles,
        cycle=cycle,
        on=on,
        report=report,
        flags=loan_reports.flags_of([line.loan for line in report.lines]),
        closed=loan_reports.closed_in(report),
    )


@bp.route("/loans/<int:loan_id>")
@login_required
def show(group_id: int, loan_id: int):
    group = access.group_for(current_user.user, group_id)
    loan = _loan(group, loan_id)
    on = _day("on") or today()
    return render_template(
        "loans/show.html", group=group, loan=loan, on=on, detail=loan_reports.loan_detail(loan, on)
    )


class DecisionForm(AppForm):
    on = DateField(
        _l("Date of the decision"),
        validators=[InputRequired(message=_l("Enter the date of the decision."))],
        default=today,
    )
    reason = TextAreaField(
        _l("Why? (the group's decision)"),
        validators=[*required(_l("Say why: the group's decision is recorded.")), Length(max=500)],
    )


class RescheduleForm(DecisionForm):
    periods = StringField(_l("New number of periods"), render_kw={"inputmode": "numeric"})


def _decide(template: str, form, group, loan, decide, done: str):
    if form.validate_on_submit():
        try:
            decide(form)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(done, "success")
            return redirect(url_for("loans.show", group_id=group.id, loan_id=loan.id))
    standing = loan_book.standing(loan, today())
    return render_form(template, form, group=group, loan=loan, standing=standing)


@bp.route("/loans/<int:loan_id>/write-off", methods=["GET", "POST"])
@login_required
def write_off(group_id: int, loan_id: int):
    group = access.group_for(current_user.user, group_id, Action.EDIT_GROUP)
    loan = _loan(group, loan_id)
    form = DecisionForm()

    def decide(form):
        lending.write_off(current_user.user, loan, form.reason.data, form.on.data)

    return _decide("loans/write_off.html", form, group, loan, decide, _("The loan is written off."))


@bp.route("/loans/<int:loan_id>/reschedule", methods=["GET", "POST"])
@login_required
def reschedule(group_id: int, loan_id: int):
    group = access.group_for(current_user.user, group_id, Action.EDIT_GROUP)
    loan = _loan(group, loan_id)
    form = RescheduleForm()

    def decide(form):
        periods = parse_whole(
            form.periods.data, "periods", locale=str(get_locale()), minimum=1, maximum=MAX_PERIODS
        )
        lending.reschedule(current_user.user, loan, periods, form.reason.data, form.on.data)

    return _decide(
        "loans/reschedule.html",
        form,
        group,
        loan,
        decide,
        _("The loan is rescheduled: the new schedule is below, the old one is kept."),
    )


@bp.route("/loans/<int:loan_id>/agreement")
@login_required
def agreement(group_id: int, loan_id: int):
    group = access.group_for(current_user.user, group_id)
    loan = _loan(group, loan_id)
    detail = loan_reports.loan_detail(loan, loan.rescheduled_on or loan.granted_on)
    return render_printed("loans/agreement.html", group, loan=loan, detail=detail)


@bp.route("/loans/due")
@login_required
def due(group_id: int):
    group = access.group_for(current_user.user, group_id)
    on = _day("on") or loan_reports.next_meeting_day(group, today())
    lines = loan_reports.due_list(group, on)
    return render_printed("loans/due.html", group, on=on, lines=lines)
