"""Pages of a group's cycles: the list with the current rules, starting a cycle, changing rules."""

import re
from datetime import date
from decimal import Decimal

from babel.lists import format_list
from babel.numbers import format_percent
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)

from savings_groups.core.dates import today
from savings_groups.core.errors import N_, DomainError, NotFound
from savings_groups.core.money import format_amount
from savings_groups.core.numbers import format_number
from savings_groups.core.vocabulary import LoanMethod, RatePeriod
from savings_groups.cycles import operations as cycles
from savings_groups.cycles.operations import CHOICE_RULES, CycleRules, FineInput, RuleDecisionInput
from savings_groups.org import access
from savings_groups.org.access import Action
from savings_groups.shareout import next_cycle
from savings_groups.store.models import Cycle, CycleShareOut, FineType
from savings_groups.web.forms import AppForm, MultiCheckboxField
from savings_groups.web.views import rate_in_meetings, render_form, show_error, translate

bp = Blueprint("cycles", __name__, url_prefix="/groups/<int:group_id>")
BLANK_FINE_ROWS = 3
AMOUNT = {"inputmode": "decimal", "autocomplete": "off"}
WHOLE = {"inputmode": "numeric", "autocomplete": "off"}
AMOUNT_FIELDS = ("share_value", "social_fund_contribution", "guarantor_threshold")


class FineRowForm(Form):
    id = HiddenField()
    name = StringField(_l("Fine"))
    amount = StringField(_l("Amount"), render_kw=AMOUNT)
    remove = BooleanField(_l("Remove"))


class RulesForm(AppForm):
    start_date = StringField(_l("Start date"), render_kw={"type": "date"})
    planned_end = StringField(_l("Planned end"), render_kw={"type": "date"})
    share_value = StringField(_l("Share value"), render_kw=AMOUNT)
    min_shares = StringField(_l("Fewest shares per meeting"), render_kw=WHOLE)
    max_shares = StringField(_l("Most shares per meeting"), render_kw=WHOLE)
    social_fund_contribution = StringField(
        _l("Social fund contribution per meeting"), render_kw=AMOUNT
    )
    loan_rate_percent = StringField(_l("Interest rate, at most (%)"), render_kw=AMOUNT)
    loan_rate_period = SelectField(_l("The rate is said"))
    loan_methods = MultiCheckboxField(_l("Ways of charging interest a loan may use"))
    loan_method = SelectField(_l("How interest is charged"))
    loan_max_multiple = StringField(
        _l("Largest loan, times the member's savings"), render_kw=AMOUNT
    )
    loan_max_periods = StringField(_l("Longest term, in periods"), render_kw=WHOLE)
    one_loan_at_a_time = BooleanField(_l("One loan at a time per member"))
    guarantor_threshold = StringField(_l("Guarantors needed above"), render_kw=AMOUNT)
    debt_warning_ratio = StringField(
        _l("Warn when debt passes this many times the savings"), render_kw=AMOUNT
    )
    profit_method = SelectField(_l("How the profit is shared"))
    leftover_rule = SelectField(_l("Units left over at the share-out"))
    social_fund_rule = SelectField(_l("The social fund at the share-out"))
    loans_at_share_out = SelectField(_l("Loans at the share-out"))
    exit_rule = SelectField(_l("A member who leaves during the cycle receives"))
    fines = FieldList(FormField(FineRowForm))
    decided_on = StringField(_l("Date of the group's decision"), render_kw={"type": "date"})
    reason = TextAreaField(_l("Reason for the change"), render_kw={"rows": 2})

    def fill_choices(self) -> None:
        self.loan_method.choices = [(m.value, _(m.label)) for m in LoanMethod]
        self.loan_methods.choices = [(m.value, _(m.label)) for m in LoanMethod]
        self.loan_rate_period.choices = [(p.value, _(p.label)) for p in RatePeriod]
        for name, (enum, _message) in CHOICE_RULES.items():
            getattr(self, name).choices = [(m.value, _(m.label)) for m in enum]

    def show(self, rules: CycleRules, currency: str) -> None:
        """Fill the form with rules, amounts and numbers written as the reader writes them."""
        for name in (
            "start_date",
            "planned_end",
            "min_shares",
            "max_shares",
            "loan_rate_period",
            "loan_method",
            "loan_max_periods",
            "one_loan_at_a_time",
            *CHOICE_RULES,
        ):
            getattr(self, name).data = getattr(rules, name)
        self.loan_methods.data = list(rules.loan_methods or (rules.loan_method,))
        for name in AMOUNT_FIELDS:
            value = getattr(rules, name)
            getattr(self, name).data = "" if value is None else _amount_text(value, currency)
        for name in ("loan_rate_percent", "loan_max_multiple", "debt_warning_ratio"):
            getattr(self, name).data = _number_text(getattr(rules, name))
        for fine in rules.fines:
            self.fines.append_entry(
                {
                    "id": fine.id or "",
                    "name": fine.name,
                    "amount": _amount_text(fine.amount, currency),
                }
            )
        for _row in range(BLANK_FINE_ROWS):
            self.fines.append_entry({"id": "", "name": "", "amount": ""})

    def rules(self) -> CycleRules:
        fines = tuple(
            FineInput(
                row.form.name.data or "",
                row.form.amount.data or "",
                id=int(row.form.id.data) if (row.form.id.data or "").isdigit() else None,
                remove=bool(row.form.remove.data),
            )
            for row in self.fines
        )
        return CycleRules(
            start_date=self.start_date.data,
            planned_end=self.planned_end.data,
            share_value=self.share_value.data or "",
            min_shares=self.min_shares.data or "",
            max_shares=self.max_shares.data or "",
            social_fund_contribution=self.social_fund_contribution.data or "",
            loan_rate_percent=self.loan_rate_percent.data or "",
            loan_rate_period=self.loan_rate_period.data or "",
            loan_method=self.loan_method.data or "",
            loan_methods=tuple(self.loan_methods.data or ()),
            loan_max_multiple=self.loan_max_multiple.data or "",
            loan_max_periods=self.loan_max_periods.data or "",
            one_loan_at_a_time=bool(self.one_loan_at_a_time.data),
            guarantor_threshold=self.guarantor_threshold.data or "",
            debt_warning_ratio=self.debt_warning_ratio.data or "",
            fines=fines,
            **{name: getattr(self, name).data or "" for name in CHOICE_RULES},
        )

    def decision(self) -> RuleDecisionInput:
        return RuleDecisionInput(self.decided_on.data, self.reason.data or "")


def _number_text(number) -> str:
    return format_number(number, str(get_locale()))


def _amount_text(amount: int, currency: str) -> str:
    return format_amount(amount, currency, str(get_locale()), with_symbol=False)


def show_rules_error(form: RulesForm, error: DomainError) -> None:
    """A domain error next to its field, a fine's row included (fields "fines-<row>-<name>")."""
    found = re.fullmatch(r"fines-(\d+)-(name|amount)", error.field or "")
    if found and int(found[1]) < len(form.fines):
        row = form.fines[int(found[1])].form[found[2]]
        row.errors = [*row.errors, translate(error)]
    else:
        show_error(form, error)


# Names of the rules, for the list of a decision's changes.
RULE_LABELS = {
    "start_date": _l("Start date"),
    "planned_end": _l("Planned end"),
    "share_value": _l("Share value"),
    "min_shares": _l("Fewest shares per meeting"),
    "max_shares": _l("Most shares per meeting"),
    "social_fund_contribution": _l("Social fund contribution per meeting"),
    "loan_rate": _l("Interest rate, at most"),
    "loan_rate_period": _l("The rate is said"),
    "loan_method": _l("How interest is charged"),
    "loan_methods": _l("Ways of charging interest a loan may use"),
    "loan_max_multiple": _l("Largest loan, times the member's savings"),
    "loan_max_periods": _l("Longest term, in periods"),
    "one_loan_at_a_time": _l("One loan at a time per member"),
    "guarantor_threshold": _l("Guarantors needed above"),
    "debt_warning_ratio": _l("Warn when debt passes this many times the savings"),
    "profit_method": _l("How the profit is shared"),
    "leftover_rule": _l("Units left over at the share-out"),
    "social_fund_rule": _l("The social fund at the share-out"),
    "loans_at_share_out": _l("Loans at the share-out"),
    "exit_rule": _l("A member who leaves during the cycle receives"),
    "fines": _l("Fines"),
}


def rule_text(name: str, value, currency: str, cycle=None, frequency: str = "") -> str:
    """A rule's value (as stored, or as kept in a decision's JSON) as the reader writes it; the
    rate of a `cycle` with its period named (and per meeting period of `frequency`)."""
    if name == "loan_rate" and cycle is not None:
        return rate_in_meetings(value, cycle.loan_rate_period, frequency)
    if name == "loan_methods" and cycle is not None:
        value = ",".join(m.value for m in cycles.allowed_methods(cycle))
    if value is None or value == "":
        return "—"
    locale = str(get_locale())
    if name in AMOUNT_FIELDS:
        return format_amount(int(value), currency, locale)
    if name in ("start_date", "planned_end"):
        return format_date(value if isinstance(value, date) else date.fromisoformat(value))
    if name == "loan_rate":
        return format_percent(Decimal(value), locale=locale, decimal_quantization=False)
    if name == "loan_method":
        try:
            return _(LoanMethod(value).label)
        except ValueError:
            return str(value)
    if name == "loan_methods":
        named = str(value).split(",")
        return format_list([_(m.label) for m in LoanMethod if m.value in named], locale=locale)
    if name == "loan_rate_period":
        try:
            return _(RatePeriod(value).label)
        except ValueError:
            return str(value)
    if name in CHOICE_RULES:
        try:
            return _(CHOICE_RULES[name][0](value).label)
        except ValueError:
            return str(value)
    if name == "one_loan_at_a_time":
        return _("Yes") if value else _("No")
    if name == "fines":
        if not value:
            return _("none")
        return format_list(
            [
                _("%(name)s: %(amount)s", name=n, amount=format_amount(int(a), currency, locale))
                for n, a in value
            ],
            locale=locale,
        )
    if name in ("loan_max_multiple", "debt_warning_ratio"):
        return _number_text(Decimal(value))
    return _number_text(value)


def _cycle_in(group, cycle_id: int) -> Cycle:
    cycle = Cycle.get_or_none((Cycle.id == cycle_id) & (Cycle.group == group))
    if cycle is None:
        raise NotFound(N_("This cycle does not exist."))
    return cycle


@bp.route("/cycles")
@login_required
def index(group_id: int):
    group = access.group_for(current_user.user, group_id)
    found = list(Cycle.select().where(Cycle.group == group))
    found.sort(key=lambda c: (c.closed_at is not None, -c.number))  # the open one first
    fines: dict[int, list[FineType]] = {}
    query = FineType.select().where(FineType.cycle.in_([c.id for c in found]))
    for fine in query.order_by(FineType.id):
        fines.setdefault(fine.cycle_id, []).append(fine)
    current = found[0] if found and found[0].closed_at is None else None
    shared = {
        row.cycle_id: row
        for row in CycleShareOut.select().where(CycleShareOut.cycle.in_([c.id for c in found]))
    }
    followed = {c.follows_id for c in found}
    latest = max(found, key=lambda c: c.number) if found else None
    next_from = latest if latest and latest.id in shared and latest.id not in followed else None
    return render_template(
        "cycles/index.html",
        group=group,
        cycles=found,
        current=current,
        shared=shared,
        next_from=next_from,
        fines=fines,
        decisions=cycles.decisions_of(found) if found else {},
        rule_text=rule_text,
        rule_labels=RULE_LABELS,
    )


@bp.route("/cycles/new", methods=["GET", "POST"])
@login_required
def new(group_id: int):
    group = access.group_for(current_user.user, group_id, Action.EDIT_GROUP)
    form = RulesForm()
    form.fill_choices()
    if request.method == "GET":
        form.show(cycles.default_rules(group), group.currency)
    status = 200
    if form.validate_on_submit():
        try:
            cycle = cycles.start_cycle(current_user.user, group, form.rules(), str(get_locale()))
        except DomainError as error:
            show_rules_error(form, error)
            status = 422
        else:
            flash(_("Cycle %(number)d is started.", number=cycle.number), "success")
            return redirect(url_for("cycles.index", group_id=group.id))
    return render_form(
        "cycles/rules.html",
        form,
        status,
        group=group,
        cycle=None,
        open_cycle=cycles.current_cycle(group),
    )


@bp.route("/cycles/<int:cycle_id>/rules", methods=["GET", "POST"])
@login_required
def rules(group_id: int, cycle_id: int):
    """The rules the group voted, for every role that sees the group; changed by editors only."""
    group = access.group_for(current_user.user, group_id)
    editable = access.can(current_user.user, Action.EDIT_GROUP)
    if request.method == "POST":
        access.require(current_user.user, Action.EDIT_GROUP)
    cycle = _cycle_in(group, cycle_id)
    form = RulesForm()
    form.fill_choices()
    if request.method == "GET":
        form.show(cycles.rules_of(cycle), group.currency)
        form.decided_on.data = today().isoformat()
    status = 200
    if form.validate_on_submit():
        decision = form.decision() if cycle.rules_fixed_at else None
        try:
            changes = cycles.update_rules(
                current_user.user, cycle, form.rules(), decision, str(get_locale())
            )
        except DomainError as error:
            show_rules_error(form, error)
            status = 422
        else:
            if not changes:
                flash(_("Nothing was changed."), "info")
            elif decision:
                flash(_("The group's decision is recorded and the rules are changed."), "success")
            else:
                flash(_("The rules are saved."), "success")
            return redirect(url_for("cycles.index", group_id=group.id))
    return render_form(
        "cycles/rules.html", form, status, group=group, cycle=cycle, editable=editable
    )


class NextCycleForm(RulesForm):
    leave_reason = StringField(_l("Why the members ticked leave"))


@bp.route("/cycles/<int:cycle_id>/next", methods=["GET", "POST"])
@login_required
def next_cycle_page(group_id: int, cycle_id: int):
    """Start the cycle that follows a shared-out one: rules, carry-over, reinvested payouts."""
    group = access.group_for(current_user.user, group_id, Action.EDIT_GROUP)
    cycle = _cycle_in(group, cycle_id)
    context = {"group": group, "cycle": cycle}
    refused = next_cycle.why_not(group, cycle)
    if refused is not None:
        page = render_template("cycles/next.html", form=None, refused=translate(refused), **context)
        return page, 422 if request.method == "POST" else 200
    share_out = next_cycle.share_out_of(cycle)
    rows = next_cycle.rows_of(group, share_out)
    form = NextCycleForm()
    form.fill_choices()
    if request.method == "GET":
        form.show(next_cycle.proposed_rules(cycle, share_out), group.currency)
        form.leave_reason.data = _("Left at the share-out of cycle %(number)d", number=cycle.number)
    grid_errors: dict[str, str] = {}
    if form.validate_on_submit():
        choices = {
            row.member.id: next_cycle.NextMember(
                request.form.get(f"reinvest-{row.member.id}", ""),
                bool(request.form.get(f"leaves-{row.member.id}")),
            )
            for row in rows
        }
        try:
            new = next_cycle.start_next_cycle(
                current_user.user,
                group,
                cycle,
                form.rules(),
                choices,
                form.leave_reason.data or "",
                str(get_locale()),
                carry_note=_("Carried over from cycle %(number)d", number=cycle.number),
                reinvest_note=_(
                    "Reinvested from the share-out of cycle %(number)d", number=cycle.number
                ),
            )
        except DomainError as error:
            if (error.field or "").startswith(("reinvest-", "leaves-")):
                grid_errors[error.field] = translate(error)
                form.form_errors.append(_("A member's row has a mistake: see the table."))
            else:
                show_rules_error(form, error)
        else:
            flash(_("Cycle %(number)d is started.", number=new.number), "success")
            return redirect(url_for("cycles.index", group_id=group.id))
    return render_form(
        "cycles/next.html",
        form,
        rows=rows,
        share_out=share_out,
        carried=next_cycle.carried(group, cycle),
        grid_errors=grid_errors,
        typed=request.form if request.method == "POST" else {},
        **context,
    )
