"""Meeting pages: the list, a new meeting, the grid (draft, close, reopen), summary, receipts."""

import re

from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from savings_groups.core.dates import today
from savings_groups.core.errors import DomainError
from savings_groups.core.money import (
    MAX_AMOUNT,
    MoneyError,
    currency_digits,
    format_amount,
    parse_amount,
)
from savings_groups.core.numbers import format_number, parse_whole
from savings_groups.core.vocabulary import (
    RATE_PHRASES,
    AttendanceStatus,
    Channel,
    EntryKind,
    Fund,
    LoanPurpose,
    MeetingStatus,
)
from savings_groups.cycles.operations import (
    allowed_methods,
    current_cycle,
    parse_rate_percent,
    rate_period_of,
)
from savings_groups.groups.members import is_current
from savings_groups.loans import requests as loan_requests
from savings_groups.meetings import operations as meetings
from savings_groups.meetings import sheet as meeting_sheet
from savings_groups.meetings import summary as meeting_summary
from savings_groups.meetings.operations import ACCOUNT, BOXES
from savings_groups.meetings.sheet import (
    GroupMoneyLine,
    MeetingSheet,
    MemberLine,
    TransferLine,
    cell,
    group_cell,
    transfer_cell,
)
from savings_groups.org import access
from savings_groups.org.access import Action, can
from savings_groups.reports import receipts as receipt_report
from savings_groups.store.models import Cycle, Meeting, Member
from savings_groups.web.forms import AppForm, MultiCheckboxField
from savings_groups.web.i18n import render_printed
from savings_groups.web.views import render_form, show_error, translate

bp = Blueprint("meetings", __name__, url_prefix="/groups/<int:group_id>")

LINE = re.compile(r"^m(\d+)-attendance$")
FINE = re.compile(r"^m(\d+)-fine-(\d+)$")
GROUP_MONEY_ROW = re.compile(r"^x(\d+)-kind$")
TRANSFER_ROW = re.compile(r"^t(\d+)-direction$")
BLANK_ROWS = 2  # empty rows offered for new expenses or income, and for new transfers
GROUP_MONEY_COLUMNS = ("kind", "fund", "amount", "channel", "approved_by", "purpose")
TRANSFER_COLUMNS = ("direction", "amount", "channel", "note")


class NewMeetingForm(AppForm):
    held_on = DateField(
        _l("Date of the meeting"),
        validators=[InputRequired(message=_l("Enter the date of the meeting."))],
        default=today,
    )


class LoanForm(AppForm):
    """A loan asked for at a meeting: checked first, then granted."""

    member = SelectField(
        _l("Borrower"), coerce=int, validators=[InputRequired(message=_l("Choose the borrower."))]
    )
    principal = StringField(
        _l("Amount lent"), validators=[InputRequired(message=_l("Enter the amount lent."))]
    )
    purpose = SelectField(
        _l("What the loan is for"),
        validators=[InputRequired(message=_l("Choose what the loan is for."))],
    )
    periods = StringField(
        _l("Term (meeting periods)"),
        validators=[InputRequired(message=_l("Enter the number of periods."))],
        render_kw={"inputmode": "numeric"},
    )
    # The domain says why a method is not allowed, next to the field (no WTForms choice check).
    method = SelectField(_l("How interest is charged"), validate_choice=False)
    # Left empty: the rules' rate.
    rate_percent = StringField(
        _l("Interest rate (%)"), render_kw={"inputmode": "decimal", "autocomplete": "off"}
    )
    guarantor_ids = MultiCheckboxField(_l("Guarantors"), coerce=int)


@bp.context_processor
def meeting_helpers():
    locale = _locale()
    return {
        "entry_kind": EntryKind,
        "fund_choice": Fund,
        "channel_choice": Channel,
        "attendance_status": AttendanceStatus,
        "loan_purpose": LoanPurpose,
        "meeting_status": MeetingStatus,
        "decimal_symbol": get_decimal_symbol(locale),
        "group_symbol": get_group_symbol(locale),
    }


@bp.app_context_processor
def today_link_helpers():
    """For meetings/_today_link.html, on the group and home pages: the group's open meeting."""
    return {
        "today_meeting": meeting_sheet.today_meeting,
        "today_iso": lambda: today().isoformat(),
    }


AFFIXES = re.compile(r"^(\D*)(\d.*\d|\d)(\D*)$")


def money_affixes(currency: str, locale: str) -> dict[str, str]:
    """What Babel writes before and after an amount in this locale and currency, positive and
    negative, so the page's live preview writes amounts as the server does."""
    digits = currency_digits(currency)
    affixes = {}
    for sign, amount in (("", 1234567 * 10**digits), ("neg-", -1234567 * 10**digits)):
        match = AFFIXES.match(format_amount(amount, currency, locale))
        prefix, suffix = (match[1], match[3]) if match else ("-" if sign else "", "")
        affixes[f"{sign}prefix"], affixes[f"{sign}suffix"] = prefix, suffix
    return affixes


def _meeting(group_id: int, meeting_id: int, action: Action):
    """The group (checked for the user and the action) and its meeting, with its cycle."""
    group = access.group_for(current_user.user, group_id, action)
    meeting = (
        Meeting.select(Meeting, Cycle)
        .join(Cycle)
        .where((Meeting.id == meeting_id) & (Meeting.group == group))
        .first()
    )
    if meeting is None:
        abort(404)
    meeting.group = group
    return group, meeting


def _locale() -> str:
    return str(get_locale())


@bp.route("/meetings")
@login_required
def index(group_id: int):
    group = access.group_for(current_user.user, group_id)
    return render_template(
        "meetings/index.html",
        group=group,
        meetings=list(meeting_summary.meetings_of(group)),
        cycle=current_cycle(group),
    )


@bp.route("/meetings/new", methods=["GET", "POST"])
@login_required
def new(group_id: int):
    group = access.group_for(current_user.user, group_id, Action.RECORD)
    form = NewMeetingForm()
    if form.validate_on_submit():
        try:
            meeting = meetings.open_meeting(current_user.user, group, form.held_on.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The meeting is open: record it below."), "success")
            return redirect(url_for(".edit", group_id=group.id, meeting_id=meeting.id))
    return render_form("meetings/new.html", form, group=group, cycle=current_cycle(group))


# The grid -----------------------------------------------------------------------------------


def _amount_text(amount: int, currency: str) -> str:
    return format_amount(amount, currency, _locale(), with_symbol=False) if amount else ""


def _default_sheet(meeting, members) -> MeetingSheet:
    contribution = meeting.cycle.social_fund_contribution
    return MeetingSheet([MemberLine(m.id, social_fund=contribution) for m in members])


def _values_from_sheet(
    sheet: MeetingSheet, currency: str, stored: dict, contribution: int
) -> dict[str, str]:
    """The grid's cells as text, from a saved sheet. A social fund cell holding what a blank
    cell means for the member's attendance is shown blank (the contribution is its
    placeholder), any other amount as typed, 0 included."""
    values = {"notes": sheet.notes, "difference_note": stored.get("difference_note", "")}
    for box, amount in (stored.get("counted") or {}).items():
        if amount is not None:
            values[f"counted-{box}"] = format_amount(
                int(amount), currency, _locale(), with_symbol=False
            )
    for line in sheet.lines:
        values[cell(line.member_id, "attendance")] = line.attendance
        values[cell(line.member_id, "shares")] = str(line.shares) if line.shares else ""
        blank = meeting_sheet.social_fund_paid(line.attendance, None, contribution)
        values[cell(line.member_id, "social_fund")] = (
            ""
            if line.social_fund == blank
            else format_amount(line.social_fund, currency, _locale(), with_symbol=False)
        )
        values[cell(line.member_id, "welfare")] = _amount_text(line.welfare, currency)
        values[cell(line.member_id, "repayment")] = _amount_text(line.repayment, currency)
        for fine_id in line.fines:
            values[f"m{line.member_id}-fine-{fine_id}"] = "1"
    for index, x in enumerate(sheet.group_money):
        values.update(
            {
                group_cell(index, "kind"): x.kind,
                group_cell(index, "fund"): x.fund,
                group_cell(index, "amount"): _amount_text(x.amount, currency),
                group_cell(index, "channel"): x.channel,
                group_cell(index, "approved_by"): str(x.approved_by or ""),
                group_cell(index, "purpose"): x.purpose,
            }
        )
    for index, t in enumerate(sheet.transfers):
        values.update(
            {
                transfer_cell(index, "direction"): t.direction,
                transfer_cell(index, "amount"): _amount_text(t.amount, currency),
                transfer_cell(index, "channel"): t.channel,
                transfer_cell(index, "note"): t.note,
            }
        )
    return values


def _rows(form, pattern, columns, name) -> list[dict[str, str]]:
    """The filled rows of a section (expenses and income, or transfers), in the page's order,
    as {column: text}; a row with neither an amount nor a text is left out."""
    indexes = sorted(int(match[1]) for key in form if (match := pattern.match(key)))
    rows = []
    for index in indexes:
        row = {column: form.get(name(index, column), "").strip() for column in columns}
        if row["amount"] or row.get("purpose") or row.get("note"):
            rows.append(row)
    return rows


def _parse_extras(form, currency: str, errors: dict, values: dict):
    """The expenses and income, and the transfers with the account, of the posted form; the
    rows are numbered again without the blank ones, in `values` too (errors use the new
    numbers)."""
    for key in [k for k in values if re.match(r"^[xt]\d+-", k)]:
        del values[key]
    group_money, transfers = [], []
    for index, row in enumerate(_rows(form, GROUP_MONEY_ROW, GROUP_MONEY_COLUMNS, group_cell)):
        values.update({group_cell(index, column): text for column, text in row.items()})
        approver = row["approved_by"]
        group_money.append(
            GroupMoneyLine(
                kind=row["kind"],
                fund=row["fund"],
                amount=_parse_amount(row["amount"], group_cell(index, "amount"), currency, errors),
                channel=row["channel"],
                approved_by=int(approver) if approver.isdigit() else (-1 if approver else None),
                purpose=row["purpose"],
            )
        )
    for index, row in enumerate(_rows(form, TRANSFER_ROW, TRANSFER_COLUMNS, transfer_cell)):
        values.update({transfer_cell(index, column): text for column, text in row.items()})
        transfers.append(
            TransferLine(
                direction=row["direction"],
                amount=_parse_amount(
                    row["amount"], transfer_cell(index, "amount"), currency, errors
                ),
                channel=row["channel"],
                note=row["note"],
            )
        )
    return group_money, transfers


def _parse_shares(text: str, name: str, errors: dict) -> int:
    try:
        return parse_whole(text, name, locale=_locale(), required=False) or 0
    except DomainError as error:
        errors[name] = [translate(error)]
        return 0


def _parse_amount(text: str, name: str, currency: str, errors: dict, blank=0):
    if not text.strip():
        return blank
    try:
        return parse_amount(text, currency, _locale(), field=name)
    except MoneyError as error:
        errors[name] = [translate(error)]
        return blank


def _parse_form(form, currency: str, contribution: int):
    """The posted grid as a sheet, counted cash and note; cells that cannot be read go to
    `errors` (field -> messages) and count as nothing. A blank social fund cell is read by
    meeting_sheet.social_fund_paid: the contribution for a member there or represented."""
    errors: dict[str, list[str]] = {}
    fines: dict[int, list[int]] = {}
    for name in form:
        match = FINE.match(name)
        if match and form.get(name):
            fines.setdefault(int(match[1]), []).append(int(match[2]))
    lines = []
    for name in form:
        match = LINE.match(name)
        if not match:
            continue
        member_id = int(match[1])
        attendance = form.get(name, "")
        typed = _parse_amount(
            form.get(cell(member_id, "social_fund"), ""),
            cell(member_id, "social_fund"),
            currency,
            errors,
            None,
        )
        lines.append(
            MemberLine(
                member_id=member_id,
                attendance=attendance,
                shares=_parse_shares(
                    form.get(cell(member_id, "shares"), ""), cell(member_id, "shares"), errors
                ),
                social_fund=meeting_sheet.social_fund_paid(attendance, typed, contribution),
                fines=fines.get(member_id, []),
                welfare=_parse_amount(
                    form.get(cell(member_id, "welfare"), ""),
                    cell(member_id, "welfare"),
                    currency,
                    errors,
                ),
                repayment=_parse_amount(
                    form.get(cell(member_id, "repayment"), ""),
                    cell(member_id, "repayment"),
                    currency,
                    errors,
                ),
            )
        )
    counted = {
        box: _parse_amount(
            form.get(f"counted-{box.value}", ""), f"counted-{box.value}", currency, errors, None
        )
        for box in (*BOXES, ACCOUNT)
    }
    values = form.to_dict()
    group_money, transfers = _parse_extras(form, currency, errors, values)
    sheet = MeetingSheet(lines, form.get("notes", "").strip(), group_money, transfers)
    return sheet, counted, form.get("difference_note", "").strip(), errors, values


def _render_grid(group, meeting, sheet, values, errors=None, form_errors=(), status=200, **extra):
    """The grid page; its rows are the members current on the day and those on the sheet."""
    members = meeting_sheet.grid_members(meeting, [line.member_id for line in sheet.lines])
    fine_list = meeting_sheet.fine_types(meeting.cycle)
    before = meeting_sheet.balances_before(meeting)
    loan_total = meeting_sheet.loan_entries_total(meeting)
    preview = meetings.add_loans(
        meetings.add_effect(
            before,
            meeting_sheet.postings(sheet, meeting.cycle, {fine.id: fine for fine in fine_list}),
        ),
        loan_total,
        sheet,
    )
    editable = meeting.status == MeetingStatus.DRAFT.value and can(current_user.user, Action.RECORD)
    has_account = bool(
        before[ACCOUNT]
        or preview[ACCOUNT]
        or sheet.transfers
        or values.get(f"counted-{ACCOUNT.value}")
        or meeting_sheet.has_account(group)
    )
    if errors or form_errors:
        status = status if status != 200 else 422
    context = {
        "group": group,
        "meeting": meeting,
        "cycle": meeting.cycle,
        "members": members,
        "approvers": [m for m in members if is_current(m, meeting.held_on)],
        "fine_types": fine_list,
        "values": values,
        "errors": errors or {},
        "form_errors": list(form_errors),
        "before": before,
        "preview": preview,
        "boxes": (*BOXES, ACCOUNT) if has_account or editable else BOXES,
        "account": ACCOUNT,
        "account_hidden": not has_account,
        # The two sections are folded (one Tab each) unless they hold lines or errors.
        "money_open": bool(sheet.group_money) or any(k.startswith("x") for k in errors or {}),
        "transfers_open": bool(sheet.transfers) or any(k.startswith("t") for k in errors or {}),
        "editable": editable,
        "money_rows": len(sheet.group_money) + BLANK_ROWS if editable else len(sheet.group_money),
        "transfer_rows": len(sheet.transfers) + BLANK_ROWS if editable else len(sheet.transfers),
        "group_funds": meeting_sheet.GROUP_FUNDS,
        "channels": list(Channel),
        "account_channels": meeting_sheet.ACCOUNT_CHANNELS,
        "attendance_choices": list(AttendanceStatus),
        "away": meeting_sheet.AWAY,
        "digits": currency_digits(group.currency),
        "max_amount": MAX_AMOUNT,
        "positions": meeting_sheet.loan_positions(meeting, group),
        "loan_total": loan_total,
        "loans_granted": meetings.loans_granted(meeting),
        "previous_shares": meeting_sheet.previous_shares(meeting) if editable else {},
        "affixes": money_affixes(group.currency, _locale()),
        **extra,
    }
    return render_template("meetings/edit.html", **context), status


def _reason_not_reopened(meeting) -> str | None:
    refused = meetings.why_not_reopened(meeting)
    return translate(refused) if refused else None


def _render_closed(group, meeting, reason_errors=(), status=200):
    summary = meeting_summary.summary(meeting)
    return render_template(
        "meetings/closed.html",
        group=group,
        meeting=meeting,
        summary=summary,
        boxes=BOXES,
        reason_errors=list(reason_errors),
        not_reopened=_reason_not_reopened(meeting),
    ), (422 if reason_errors else status)


@bp.route("/meetings/<int:meeting_id>", methods=["GET", "POST"])
@login_required
def edit(group_id: int, meeting_id: int):
    action = Action.RECORD if request.method == "POST" else Action.VIEW_GROUP
    group, meeting = _meeting(group_id, meeting_id, action)
    if request.method == "GET":
        if meeting.status == MeetingStatus.CLOSED.value:
            return _render_closed(group, meeting)
        stored = meeting_sheet.stored_draft(meeting)
        sheet = meeting_sheet.stored_sheet(meeting)
        if sheet is None:
            sheet = _default_sheet(meeting, meeting_sheet.grid_members(meeting))
        values = _values_from_sheet(
            sheet, group.currency, stored, meeting.cycle.social_fund_contribution
        )
        return _render_grid(group, meeting, sheet, values, version=meeting.version)
    if meeting.status == MeetingStatus.CLOSED.value:
        flash(translate(DomainError(meetings.CLOSED)), "danger")
        return redirect(url_for(".edit", group_id=group.id, meeting_id=meeting.id))

    sheet, counted, note, errors, values = _parse_form(
        request.form, group.currency, meeting.cycle.social_fund_contribution
    )
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        return _render_grid(
            group,
            meeting,
            sheet,
            values,
            errors,
            [_("The form is incomplete: reload the page.")],
            version=meeting.version,
        )
    if errors:
        return _render_grid(group, meeting, sheet, values, errors, [], version=version)
    closing = request.form.get("action") == "close"
    to_loan = request.form.get("action") == "loan"
    try:
        if closing:
            meetings.close_meeting(current_user.user, meeting, sheet, counted, note, version)
        else:
            saved = {box: amount for box, amount in counted.items() if amount is not None}
            meetings.save_draft(current_user.user, meeting, sheet, version, saved, note)
    except meetings.Conflict as error:
        return _render_grid(
            group,
            meeting,
            sheet,
            values,
            {},
            [translate(error)],
            status=409,
            version=error.params["version"],
        )
    except meeting_sheet.SheetInvalid as error:
        for problem in error.errors:
            errors.setdefault(problem.field or "", []).append(translate(problem))
        loose = errors.pop("", [])
        return _render_grid(
            group, meeting, sheet, values, errors, [translate(error), *loose], version=version
        )
    except DomainError as error:
        return _render_grid(group, meeting, sheet, values, {}, [translate(error)], version=version)
    if closing:
        flash(_("The meeting is closed and its money recorded."), "success")
    elif to_loan:
        flash(_("The draft is saved."), "success")
        return redirect(url_for(".loan", group_id=group.id, meeting_id=meeting.id))
    else:
        flash(_("The draft is saved."), "success")
    return redirect(url_for(".edit", group_id=group.id, meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/reopen", methods=["POST"])
@login_required
def reopen(group_id: int, meeting_id: int):
    group, meeting = _meeting(group_id, meeting_id, Action.EDIT_GROUP)
    try:
        meetings.reopen_meeting(current_user.user, meeting, request.form.get("reason", ""))
    except DomainError as error:
        if meeting.status != MeetingStatus.CLOSED.value:
            flash(translate(error), "danger")
            return redirect(url_for(".edit", group_id=group.id, meeting_id=meeting.id))
        return _render_closed(group, meeting, [translate(error)])
    flash(_("The meeting is open again: correct it, then close it again."), "success")
    return redirect(url_for(".edit", group_id=group.id, meeting_id=meeting.id))


# A loan granted at the meeting ----------------------------------------------------------------


def _loan_form(group, meeting) -> LoanForm:
    form = LoanForm()
    members = meeting_sheet.grid_members(meeting)
    form.member.choices = [SelectChoice(0, _("Choose a member"))] + [
        SelectChoice(m.id, f"{m.number}. {m.full_name}") for m in members
    ]
    form.guarantor_ids.choices = [SelectChoice(m.id, f"{m.number}. {m.full_name}") for m in members]
    form.purpose.choices = [SelectChoice(p.value, _(p.label)) for p in LoanPurpose]
    cycle = meeting.cycle
    form.method.choices = [SelectChoice(m.value, _(m.label)) for m in allowed_methods(cycle)]
    if request.method == "GET":  # the rules' usual method and rate, to change if agreed
        form.member.data = request.args.get("member", type=int)  # a card scanned (cards.find)
        form.method.data = cycle.loan_method
        form.rate_percent.data = format_number((cycle.loan_rate * 100).normalize() + 0, _locale())
    return form


def _rate_help(group, cycle) -> str:
    """The rate field's period, named: "% a month", and the rules' most."""
    period = rate_period_of(cycle, group.meeting_frequency)
    most = format_number((cycle.loan_rate * 100).normalize() + 0, _locale())
    return _(
        "Per cent %(period)s: the rules charge at most %(rate)s.",
        period=_(period.label),
        rate=_(RATE_PHRASES[period], percent=most),
    )


def _loan_request(form, group) -> loan_requests.LoanRequest | None:
    """The request typed in the form, or None with the errors next to the fields."""
    principal = periods = rate = None
    try:
        principal = parse_amount(form.principal.data or "", group.currency, _locale())
    except MoneyError as error:
        form.principal.errors = [*form.principal.errors, translate(error)]
    typed_rate = (form.rate_percent.data or "").strip()
    try:
        rate = parse_rate_percent(typed_rate, _locale(), "rate_percent") if typed_rate else None
    except DomainError as error:
        form.rate_percent.errors = [*form.rate_percent.errors, translate(error)]
    try:
        periods = parse_whole(form.periods.data, "periods", locale=_locale(), minimum=1)
    except DomainError as error:
        form.periods.errors = [*form.periods.errors, translate(error)]
    member = (
        Member.select().where((Member.id == form.member.data) & (Member.group == group)).first()
    )
    if member is None:
        form.member.errors = [*form.member.errors, _("Choose the borrower.")]
    if principal is None or periods is None or member is None or form.errors:
        return None
    return loan_requests.LoanRequest(
        member=member,
        principal=principal,
        periods=periods,
        purpose=form.purpose.data,
        guarantor_ids=tuple(form.guarantor_ids.data or ()),
        method=form.method.data or None,
        rate_percent=rate,
    )


def _warning_text(warning: loan_requests.Safeguard) -> str:
    return translate(DomainError(warning.message, **warning.params))


@bp.route("/meetings/<int:meeting_id>/loan", methods=["GET", "POST"])
@login_required
def loan(group_id: int, meeting_id: int):
    group, meeting = _meeting(group_id, meeting_id, Action.RECORD)
    if meeting.status != MeetingStatus.DRAFT.value:
        flash(translate(DomainError(meetings.CLOSED)), "danger")
        return redirect(url_for(".edit", group_id=group.id, meeting_id=meeting.id))
    form = _loan_form(group, meeting)
    assessment = None
    acknowledge_error = None
    if form.validate_on_submit():
        request_ = _loan_request(form, group)
        if request_ is not None:
            granting = request.form.get("action") == "grant"
            try:
                assessment = meetings.check_loan_at(meeting, request_)
                if granting:
                    meetings.grant_loan_at(
                        current_user.user,
                        meeting,
                        request_,
                        acknowledged=request.form.getlist("acknowledged"),
                    )
            except meetings.MeetingClosed as error:
                flash(translate(error), "danger")
                return redirect(url_for(".edit", group_id=group.id, meeting_id=meeting.id))
            except loan_requests.WarningsNotAcknowledged as error:
                acknowledge_error = translate(error)
            except DomainError as error:
                assessment = None
                show_error(form, error)
            else:
                if granting:
                    flash(
                        _("The loan is granted: the money is paid out of the loan fund."), "success"
                    )
                    return redirect(url_for(".edit", group_id=group.id, meeting_id=meeting.id))
    elif request.method == "POST" and not form.errors:
        form.form_errors.append(_("The form is incomplete: reload the page."))
    warnings = (
        [(w.code.value, w.code, _warning_text(w)) for w in assessment.warnings]
        if assessment
        else []
    )
    return render_form(
        "meetings/loan.html",
        form,
        status=422 if acknowledge_error else 200,
        acknowledge_error=acknowledge_error,
        group=group,
        meeting=meeting,
        cycle=meeting.cycle,
        rate_help=_rate_help(group, meeting.cycle),
        assessment=assessment,
        warnings=warnings,
        acknowledged=set(request.form.getlist("acknowledged")),
    )


# After the meeting --------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/summary")
@login_required
def summary(group_id: int, meeting_id: int):
    group, meeting = _meeting(group_id, meeting_id, Action.VIEW_GROUP)
    return render_printed(
        "meetings/summary.html",
        group,
        meeting=meeting,
        summary=meeting_summary.summary(meeting),
        boxes=BOXES,
    )


@bp.route("/meetings/<int:meeting_id>/receipts")
@login_required
def receipts(group_id: int, meeting_id: int):
    group, meeting = _meeting(group_id, meeting_id, Action.VIEW_GROUP)
    return render_printed(
        "meetings/receipts.html",
        group,
        meeting=meeting,
        receipts=receipt_report.receipts(meeting),
        Fund=Fund,
    )
