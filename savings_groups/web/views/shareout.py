"""The share-out pages: the preview, finalising, the sheet and the slips."""

from copy import copy
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import BooleanField, DateField, HiddenField
from wtforms.validators import DataRequired, InputRequired

from savings_groups.core.dates import parse_date, today
from savings_groups.core.errors import N_, DomainError, NotFound
from savings_groups.core.money import currency_digits, format_amount
from savings_groups.core.vocabulary import GroupKind
from savings_groups.org import access
from savings_groups.org.access import Action
from savings_groups.shareout import operations as closing
from savings_groups.store.models import Cycle
from savings_groups.web.forms import AppForm
from savings_groups.web.i18n import render_printed
from savings_groups.web.views import cycle_asked, paper_size, render_form, show_error, translate

bp = Blueprint("shareout", __name__, url_prefix="/groups/<int:group_id>")

PERCENT_PLACES = Decimal("0.1")


class DayForm(AppForm):
    """The day of the share-out to preview (a GET form: nothing is written)."""

    class Meta:
        csrf = False

    on = DateField(_l("Day of the share-out"))


class FinaliseForm(AppForm):
    cycle = HiddenField()
    on = DateField(
        _l("Day of the share-out"),
        validators=[InputRequired(message=_l("Enter the day of the share-out."))],
    )
    confirm = BooleanField(
        _l("The members have seen this sheet and agree: post the payouts and close the cycle."),
        validators=[DataRequired(message=_l("Tick the box to confirm the share-out."))],
    )


@bp.context_processor
def helpers():
    return {
        "percent": percent,
        "exact_money": exact_money,
        "problem_text": translate,
    }


def exact_money(minor: Decimal, currency: str) -> str:
    """An exact value in minor units (a share's value, 53761.9047...) as money with two decimals
    more than the currency has ("F CFA 537.62", "$537.6190"), so that shares x value is the
    figure the reader expects, not one off by the rounding of the value."""
    digits = currency_digits(currency)
    places = Decimal(1).scaleb(-(digits + 2))
    value = minor.scaleb(-digits).quantize(places, ROUND_HALF_UP)
    locale = Locale.parse(str(get_locale()))
    pattern = copy(locale.currency_formats["standard"])
    pattern.frac_prec = (digits + 2, digits + 2)
    return pattern.apply(value, locale, currency=currency, currency_digits=False)


def percent(ratio: Decimal | None) -> Decimal | None:
    """A ratio (0.06575) as percent with one decimal (6.6), or None."""
    if ratio is None:
        return None
    return (ratio * 100).quantize(PERCENT_PLACES, ROUND_HALF_UP)


def payout_note(currency: str) -> closing.PayoutNote:
    """The note of a share-out entry with a loan deducted, in the reader's language."""
    locale = str(get_locale())

    def note(payout: int, deducted: int) -> str:
        amounts = {
            "deducted": format_amount(deducted, currency, locale),
            "paid": format_amount(abs(payout), currency, locale),
        }
        if payout >= 0:
            return _("%(deducted)s deducted for loans, %(paid)s paid to the member", **amounts)
        return _("%(deducted)s deducted for loans, %(paid)s paid in by the member", **amounts)

    return note


def _savings_group(group_id: int, action: Action = Action.VIEW_GROUP):
    group = access.group_for(current_user.user, group_id, action)
    if group.kind != GroupKind.SAVINGS.value:
        raise NotFound(N_("Only savings groups share out a cycle."))
    return group


def _sheet(group, cycle, on):
    """The finalised sheet when there is one, else the preview on that day."""
    if cycle is None:
        return None
    return closing.stored(cycle) or closing.preview(group, cycle, on)


def _day():
    """The day asked for (?on=), else today, and the day's form; a day that is no date is
    said next to the field (the third value, the error), rather than silently replaced."""
    form = DayForm(formdata=None, on=today())
    text = request.args.get("on", "")
    if not text.strip():
        return form, today(), None
    try:
        on = parse_date(text, "on")
    except DomainError as error:
        form.on.raw_data, form.on.errors = [text], [translate(error)]
        return form, today(), error
    form.on.data = on
    return form, on, None


def _cycles(group) -> list[Cycle]:
    """The group's cycles, latest first, to open another cycle's share-out (one query)."""
    return list(Cycle.select().where(Cycle.group == group).order_by(Cycle.number.desc()))


@bp.route("/share-out")
@login_required
def preview(group_id: int):
    group = _savings_group(group_id)
    cycle = cycle_asked(group, request.args.get("cycle", type=int))
    day_form, on, _error = _day()
    sheet = _sheet(group, cycle, on)
    form = FinaliseForm(formdata=None, cycle=cycle.id if cycle else "", on=on)
    return render_template(
        "shareout/preview.html",
        group=group,
        cycle=cycle,
        sheet=sheet,
        form=form,
        day=day_form,
        cycles=_cycles(group),
    )


@bp.route("/share-out", methods=["POST"])
@login_required
def finalise(group_id: int):
    group = _savings_group(group_id, Action.RECORD)
    form = FinaliseForm()
    cycle_id = form.cycle.data if (form.cycle.data or "").isdecimal() else None
    cycle = cycle_asked(group, int(cycle_id) if cycle_id else None)
    if form.validate_on_submit() and cycle is not None:
        try:
            closing.finalise(
                current_user.user,
                group,
                cycle,
                form.on.data,
                note=payout_note(group.currency),
                repayment_note=_("Deducted from the share-out"),
                account_note=_("Brought back from the account for the share-out"),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The share-out is final: the payouts are posted and the cycle is closed."))
            return redirect(url_for("shareout.preview", group_id=group.id, cycle=cycle.id))
    on = form.on.data or today()
    day_form = DayForm(formdata=None, on=on)
    return render_form(
        "shareout/preview.html",
        form,
        status=422,
        group=group,
        cycle=cycle,
        sheet=_sheet(group, cycle, on),
        day=day_form,
        cycles=_cycles(group),
    )


def _paper(template: str, group_id: int):
    group = _savings_group(group_id)
    cycle = cycle_asked(group, request.args.get("cycle", type=int))
    if cycle is None:
        raise NotFound(N_("This group has no cycle yet."))
    _form, on, error = _day()
    if error is not None:  # no day field on paper: the page says why there is nothing to print
        raise NotFound(error.message, **error.params)
    sheet = _sheet(group, cycle, on)
    return render_printed(template, group, cycle=cycle, sheet=sheet, size=paper_size())


@bp.route("/share-out/sheet")
@login_required
def sheet(group_id: int):
    return _paper("shareout/sheet.html", group_id)


@bp.route("/share-out/slips")
@login_required
def slips(group_id: int):
    return _paper("shareout/slips.html", group_id)
