"""The ROSCA round pages: a rotation's rounds and positions, recording a round (contributions,
bids, the draw, the payout), and paper (the schedule, a round's receipt)."""

from decimal import Decimal

from babel.numbers import format_percent
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.validators import Length

from savings_groups.core.dates import today
from savings_groups.core.errors import N_, DomainError, NotFound
from savings_groups.core.money import MoneyError, format_amount, parse_amount
from savings_groups.core.vocabulary import ContributionStatus, RotationOrder
from savings_groups.org import access
from savings_groups.org.access import Action
from savings_groups.rosca import commission as rosca_commission
from savings_groups.rosca import debts as rosca_debts
from savings_groups.rosca import reports as rosca_reports
from savings_groups.rosca import rotations
from savings_groups.rosca import rounds as rosca_rounds
from savings_groups.rosca.rounds import ContributionLine
from savings_groups.web.forms import AppForm
from savings_groups.web.i18n import render_printed
from savings_groups.web.views import paper_size, render_form, show_error, translate
from savings_groups.web.views.rotations import ROTATION_ENUMS

bp = Blueprint("rosca_rounds", __name__, url_prefix="/groups/<int:group_id>")
ID_DIGITS = 12  # more than any id; spares int() a thousand digits


@bp.context_processor
def helpers():
    return {
        **ROTATION_ENUMS,
        "ContributionStatus": ContributionStatus,
        "hands_words": hands_words,
    }


def hands_words(stake: int) -> str:
    """A stake counted in half hands, as people say it: 1, ½, 1½, 2..."""
    whole, half = divmod(stake, 2)
    if not half:
        return str(whole)
    return f"{whole}½" if whole else "½"


def _rotation(group_id: int, rotation_id: int, action: Action = Action.VIEW_GROUP):
    group = access.group_for(current_user.user, group_id, action)
    rotation = rotations.rotation_of(group, rotation_id)
    if rotation is None:
        raise NotFound(N_("This rotation does not exist in this group."))
    rotation.group = group
    return group, rotation


def _summary(setup) -> dict:
    """What rotations/_terms.html shows under the terms."""
    count = setup.count
    end = rotations.due_date(setup.rotation, count) if count else None
    return {"rounds": count, "pot": setup.pot, "end": end}


def _sheet(rotation, number: int):
    sheet = rosca_reports.round_sheet(rotation, number)
    if not 1 <= number <= sheet.setup.count:
        raise NotFound(N_("This rotation has no such round."))
    return sheet


def _swaps(report) -> list[dict]:
    """The turns swapped in the rotation, the first first, each with the two hands as they are
    now (their holders), for the rotation page and its printed schedule (one query)."""
    return [
        {
            "swap": swap,
            "first": report.setup.hand(swap.first_hand.number),
            "second": report.setup.hand(swap.second_hand.number),
        }
        for swap in rotations.swaps_of(report.setup.rotation)
    ]


def _whole_rotation(template: str, group_id: int, rotation_id: int, printed=False, **context):
    """A page of the whole rotation as it stands today: its page, or its printable schedule
    (printed: in the group's print language)."""
    group, rotation = _rotation(group_id, rotation_id)
    report = rosca_reports.rotation_report(rotation, today())
    return (render_printed if printed else render_template)(
        template,
        group=group,
        rotation=rotation,
        report=report,
        summary=_summary(report.setup),
        swaps=_swaps(report),
        **context,
    )


class RepaymentForm(AppForm):
    """A member repaying one who paid a contribution for them."""

    debt = SelectField(_l("Debt repaid"), choices=[], validate_choice=False)
    amount = StringField(_l("Amount repaid"), render_kw={"inputmode": "decimal"})
    on = DateField(_l("Date of the repayment"), default=today)

    def fill(self, report, currency: str) -> "RepaymentForm":
        self.debt.choices = [("", "—")] + [
            (
                f"{debt.debtor.id}-{debt.creditor.id}",
                _(
                    "%(debtor)s owes %(amount)s to %(creditor)s",
                    debtor=debt.debtor.full_name,
                    creditor=debt.creditor.full_name,
                    amount=format_amount(debt.outstanding, currency, str(get_locale())),
                ),
            )
            for p in report.positions
            for debt in p.owes
        ]
        return self


class UndoRepaymentForm(AppForm):
    """Undoing a repayment between members recorded by mistake."""

    repayment = SelectField(_l("Repayment undone"), choices=[], validate_choice=False)
    repayment_reason = StringField(_l("Why the repayment is undone"), validators=[Length(max=500)])

    def fill(self, repayments, currency: str) -> "UndoRepaymentForm":
        self.repayment.choices = [("", "—")] + [
            (
                str(repayment.id),
                _(
                    "%(date)s: %(debtor)s repaid %(amount)s to %(creditor)s",
                    date=format_date(repayment.paid_on),
                    debtor=repayment.debtor.full_name,
                    creditor=repayment.creditor.full_name,
                    amount=format_amount(repayment.amount, currency, str(get_locale())),
                ),
            )
            for repayment in repayments
        ]
        return self


class CommissionForm(AppForm):
    """The organiser's commission: an amount per round or a share of the pot, and to whom."""

    commission_amount = StringField(
        _l("Commission per round (an amount)"), render_kw={"inputmode": "decimal"}
    )
    commission_share = StringField(
        _l("Or a share of each pot (percent)"), render_kw={"inputmode": "decimal"}
    )
    organiser = SelectField(_l("Organiser paid the commission"), choices=[], validate_choice=False)

    def fill(self, report) -> "CommissionForm":
        self.organiser.choices = [("", _("— not a member —"))] + [
            (str(m.id), f"{m.number}. {m.full_name}") for m in report.setup.members()
        ]
        return self


def _rotation_forms(report, group, rotation, **forms) -> dict:
    """The forms of the rotation page, filled: those given (posted, with their errors) or new."""
    repayment = forms.get("repayment_form") or RepaymentForm(formdata=None)
    commission = forms.get("commission_form")
    if commission is None:
        commission = CommissionForm(formdata=None)
        if rotation.commission_amount:
            commission.commission_amount.data = format_amount(
                rotation.commission_amount, group.currency, str(get_locale()), with_symbol=False
            )
        if rotation.commission_share:
            commission.commission_share.data = format_decimal(
                rosca_commission.share_text(rotation.commission_share)
            )
        commission.organiser.data = str(rotation.organiser_id or "")
    undo_repayment = forms.get("undo_repayment_form") or UndoRepaymentForm(formdata=None)
    return {
        "repayment_form": repayment.fill(report, group.currency),
        "commission_form": commission.fill(report),
        "undo_repayment_form": undo_repayment.fill(
            rosca_debts.live_repayments(rotation), group.currency
        ),
    }


@bp.route("/rotations/<int:rotation_id>")
@login_required
def show(group_id: int, rotation_id: int):
    group, rotation = _rotation(group_id, rotation_id)
    report = rosca_reports.rotation_report(rotation, today())
    return _show_page(group, rotation, report)


def _show_page(group, rotation, report, status: int = 200, **forms):
    return (
        render_template(
            "rosca_rounds/show.html",
            group=group,
            rotation=rotation,
            report=report,
            summary=_summary(report.setup),
            swaps=_swaps(report),
            paid_any=any(line.paid_out for line in report.rounds),
            commission_percent=format_percent(
                Decimal(rotation.commission_share).scaleb(-4),
                locale=str(get_locale()),
                decimal_quantization=False,
            ),
            **_rotation_forms(report, group, rotation, **forms),
        ),
        status,
    )


def _debt_pair(value: str | None) -> tuple[int | None, int | None]:
    debtor, _sep, creditor = (value or "").partition("-")
    return _whole(debtor), _whole(creditor)


def _rotation_form_post(group, rotation, form, form_name: str, write, done: str):
    """A form of the rotation page posted: the domain `write` called with the valid form, then
    back to the page with `done` flashed; or the page again with the form's errors (422)."""
    if form.validate_on_submit():
        try:
            write()
        except DomainError as error:
            show_error(form, error)
        else:
            flash(done, "success")
            return redirect(url_for(".show", group_id=group.id, rotation_id=rotation.id))
    report = rosca_reports.rotation_report(rotation, today())
    return _show_page(group, rotation, report, 422, **{form_name: form})


@bp.route("/rotations/<int:rotation_id>/repayments", methods=["POST"])
@login_required
def repay(group_id: int, rotation_id: int):
    group, rotation = _rotation(group_id, rotation_id, Action.RECORD)
    form = RepaymentForm()

    def write():
        debtor, creditor = _debt_pair(form.debt.data)
        amount = parse_amount(
            form.amount.data or "", group.currency, str(get_locale()), field="amount"
        )
        rosca_debts.repay_debt(
            current_user.user,
            rotation,
            debtor,
            creditor,
            amount,
            form.on.data,
            rosca_debts.RepaymentNotes(
                debtor=_("Repaid to %(name)s, who paid a contribution for them"),
                creditor=_("Repaid by %(name)s, for a contribution paid for them"),
            ),
        )

    return _rotation_form_post(
        group, rotation, form, "repayment_form", write, _("The repayment is recorded.")
    )


@bp.route("/rotations/<int:rotation_id>/repayments/undo", methods=["POST"])
@login_required
def undo_repayment(group_id: int, rotation_id: int):
    group, rotation = _rotation(group_id, rotation_id, Action.EDIT_GROUP)
    form = UndoRepaymentForm()

    def write():
        chosen = _whole(form.repayment.data)
        repayment = next((r for r in rosca_debts.live_repayments(rotation) if r.id == chosen), None)
        if repayment is None:
            raise DomainError(N_("Choose a repayment to undo."), field="repayment")
        rosca_debts.undo_repayment(current_user.user, repayment, form.repayment_reason.data or "")

    return _rotation_form_post(
        group,
        rotation,
        form,
        "undo_repayment_form",
        write,
        _("The repayment is undone: the debt is owed again."),
    )


@bp.route("/rotations/<int:rotation_id>/commission", methods=["POST"])
@login_required
def commission(group_id: int, rotation_id: int):
    group, rotation = _rotation(group_id, rotation_id, Action.EDIT_GROUP)
    form = CommissionForm()

    def write():
        rosca_commission.set_commission(
            current_user.user,
            rotation,
            form.commission_amount.data or "",
            form.commission_share.data or "",
            _whole(form.organiser.data),
            str(get_locale()),
        )

    return _rotation_form_post(
        group, rotation, form, "commission_form", write, _("The organiser's commission is saved.")
    )


@bp.route("/rotations/<int:rotation_id>/schedule")
@login_required
def schedule(group_id: int, rotation_id: int):
    return _whole_rotation(
        "rosca_rounds/schedule.html", group_id, rotation_id, printed=True, size=paper_size()
    )


class RoundForm(AppForm):
    """The fields of the round page that are the same every round; the per-holder and per-hand
    fields (status-*, paid_by-*, bid-*) are read from the request."""

    on = DateField(_l("Date of the payout"), default=today)  # required only to pay out
    parts_on = DateField(_l("Date the rest of a part was paid"), default=today)
    seed = StringField(
        _l("Numbers called out by the members (the seed of the draw)"),
        validators=[Length(max=rosca_rounds.SEED_MAX)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    reason = StringField(
        _l("Why a contribution recorded before is changed"),
        validators=[Length(max=500)],
    )
    version = HiddenField()


class UndoForm(AppForm):
    """Undoing a payout made by mistake."""

    undo_reason = StringField(_l("Why the payout is undone"), validators=[Length(max=500)])


def _whole(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdecimal() and len(text) <= ID_DIGITS else None


def _lines(paid: dict[str, int]) -> list[ContributionLine]:
    """A line per holder whose status is chosen; the holders shown and any other posted."""
    lines = []
    for name, value in request.form.items():
        prefix, _sep, key = name.partition("-")
        hand, _sep, member = key.partition("-")
        if prefix != "status" or not value or _whole(hand) is None or _whole(member) is None:
            continue
        payer = _whole(request.form.get(f"paid_by-{key}"))
        lines.append(ContributionLine(int(hand), int(member), value, payer, paid.get(key)))
    return lines


def _paid_parts(currency: str) -> tuple[dict[str, int], list[DomainError]]:
    """The amounts typed as paid so far for a part paid (paid-<hand>-<member>), read only for
    the lines marked so, and the errors of those that cannot be read."""
    paid, unread = {}, []
    for name, value in request.form.items():
        prefix, _sep, key = name.partition("-")
        status = request.form.get(f"status-{key}")
        if prefix != "paid" or status != ContributionStatus.PARTIAL.value:
            continue
        if (value or "").strip():
            try:
                paid[key] = parse_amount(value, currency, str(get_locale()), field=name)
            except MoneyError as error:
                unread.append(error)
    return paid, unread


def _bids(currency: str) -> tuple[dict[int, int], list[DomainError]]:
    """The offers typed for the hands still waiting (blank: no offer), and the errors of those
    that cannot be read, for the domain to report with its own."""
    bids, unread = {}, []
    for name, value in request.form.items():
        prefix, _sep, hand = name.partition("-")
        if prefix == "bid" and (value or "").strip() and _whole(hand) is not None:
            field = rosca_rounds.bid_field(int(hand))
            try:
                bids[int(hand)] = parse_amount(value, currency, str(get_locale()), field=field)
            except MoneyError as error:
                unread.append(error)
    return bids, unread


def _show_errors(form, error: DomainError, sheet) -> dict[str, list[str]]:
    """Each error next to its field: the form's own (date, seed, reason) through show_error, a
    holder's line or a hand's offer in the returned dict (field -> messages); any other above
    the form, and there too the summary when there are several."""
    on_page = {
        f"{column}-{line.key}" for line in sheet.lines for column in ("status", "paid_by", "paid")
    }
    if sheet.setup.rotation.order == RotationOrder.BIDDING.value and len(sheet.waiting) > 1:
        on_page |= {rosca_rounds.bid_field(hand.number) for hand in sheet.waiting} | {"bids"}
    problems = getattr(error, "errors", None)
    if problems:
        form.form_errors.append(translate(error))
    else:
        problems = [error]
    errors: dict[str, list[str]] = {}
    for problem in problems:
        if problem.field in on_page:
            errors.setdefault(problem.field, []).append(translate(problem))
        else:
            show_error(form, problem)
    return errors


def _notes() -> rosca_rounds.RoundNotes:
    """The notes of the round's entries in the reader's language; the domain fills in the
    round's number and, for a contribution paid by another member, the holder's name."""
    return rosca_rounds.RoundNotes(
        contribution=_("Round %(number)d"),
        covered=_("Round %(number)d, for %(name)s"),
        late_fine=_("Round %(number)d, late fine"),
        payout=_("Round %(number)d, pot"),
        discount=_("Round %(number)d, share of the winning bid"),
        commission=_("Round %(number)d, organiser's commission"),
    )


@bp.route(
    "/rotations/<int:rotation_id>/rounds/<int:number>", methods=["GET", "POST"], endpoint="round"
)
@login_required
def round_page(group_id: int, rotation_id: int, number: int):
    action = Action.RECORD if request.method == "POST" else Action.VIEW_GROUP
    group, rotation = _rotation(group_id, rotation_id, action)
    sheet = _sheet(rotation, number)
    form = RoundForm()
    errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        pay = "pay" in request.form
        bids, unread = _bids(group.currency) if pay else ({}, [])
        paid, unread_parts = _paid_parts(group.currency)
        unread += unread_parts
        try:
            rosca_rounds.save_round(
                current_user.user,
                rotation,
                number,
                _lines(paid),
                form.on.data,
                form.reason.data or "",
                pay=pay,
                seed=form.seed.data or "",
                bids=bids,
                notes=_notes(),
                unread=unread,
                seen=form.version.data or None,
                parts_on=form.parts_on.data,
            )
        except DomainError as error:
            errors = _show_errors(form, error, sheet)
        else:
            if pay:
                flash(_("Round %(number)d is paid out.", number=number), "success")
            else:
                flash(_("The contributions are saved."), "success")
            return redirect(
                url_for(".round", group_id=group.id, rotation_id=rotation.id, number=number)
            )
    return _round_form(group, rotation, sheet, form, errors)


def _round_form(group, rotation, sheet, form, errors=None, undo_form=None, status=200):
    """The round page: its form as posted (with its errors) or new, and the undo form."""
    errors = errors or {}
    posted = request.form if request.method == "POST" and undo_form is None else None
    if posted is None:
        form.version.data = sheet.version
    return render_form(
        "rosca_rounds/round.html",
        form,
        422 if errors else status,
        group=group,
        rotation=rotation,
        sheet=sheet,
        posted=posted,
        errors=errors,
        undo_form=undo_form or UndoForm(formdata=None),
    )


@bp.route("/rotations/<int:rotation_id>/rounds/<int:number>/undo", methods=["POST"])
@login_required
def undo(group_id: int, rotation_id: int, number: int):
    group, rotation = _rotation(group_id, rotation_id, Action.EDIT_GROUP)
    sheet = _sheet(rotation, number)
    undo_form = UndoForm()
    if undo_form.validate_on_submit():
        try:
            rosca_rounds.undo_payout(
                current_user.user, rotation, number, undo_form.undo_reason.data or ""
            )
        except DomainError as error:
            show_error(undo_form, error)
        else:
            flash(_("The payout of round %(number)d is undone.", number=number), "success")
            return redirect(
                url_for(".round", group_id=group.id, rotation_id=rotation.id, number=number)
            )
    return _round_form(
        group, rotation, sheet, RoundForm(formdata=None), undo_form=undo_form, status=422
    )


@bp.route("/rotations/<int:rotation_id>/rounds/<int:number>/receipt")
@login_required
def receipt(group_id: int, rotation_id: int, number: int):
    group, rotation = _rotation(group_id, rotation_id)
    sheet = _sheet(rotation, number)
    return render_printed(
        "rosca_rounds/receipt.html", group, rotation=rotation, sheet=sheet, size=paper_size()
    )
