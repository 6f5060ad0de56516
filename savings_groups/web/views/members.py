"""A group's members (list, add, edit, departure, settlement on leaving) and the opening from
paper books."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields import DateField, TelField
from wtforms.validators import InputRequired

from savings_groups.core.dates import today
from savings_groups.core.errors import DomainError
from savings_groups.core.money import format_amount, parse_amount
from savings_groups.core.numbers import parse_whole
from savings_groups.core.vocabulary import Fund, Gender, GroupRole, MemberType
from savings_groups.cycles import operations as cycles
from savings_groups.groups import members, photos
from savings_groups.meetings import opening
from savings_groups.org import access
from savings_groups.org.access import Action
from savings_groups.reports.member_figures import NONE as NO_FIGURES
from savings_groups.reports.member_figures import member_figures
from savings_groups.shareout import exits
from savings_groups.store.models import Member
from savings_groups.web.forms import AppForm
from savings_groups.web.views import render_form, show_error, translate

bp = Blueprint("members", __name__, url_prefix="/groups/<int:group_id>")


class MemberForm(AppForm):
    number = StringField(_l("Number in the group"))
    full_name = StringField(_l("Full name"))
    member_type = SelectField(_l("Member type"))
    gender = SelectField(_l("Gender"))
    birth_year = StringField(_l("Year of birth (optional)"))
    phone = TelField(_l("Phone (optional)"))
    group_role = SelectField(_l("Role in the group"))
    joined_on = DateField(
        _l("Date joined"), validators=[InputRequired(_l("Enter the date the member joined."))]
    )

    def fill_choices(self) -> None:
        self.member_type.choices = [
            ("", _("Choose…")),
            *((t.value, _(t.label)) for t in MemberType),
        ]
        self.gender.choices = [(g.value, _(g.label)) for g in Gender]
        self.group_role.choices = [(r.value, _(r.label)) for r in GroupRole]

    def details(self) -> members.MemberDetails:
        return members.MemberDetails(
            **{name: getattr(self, name).data for name in members.MEMBER_FIELDS}
        )


class DepartureForm(AppForm):
    left_on = DateField(
        _l("Date left"), validators=[InputRequired(_l("Enter the date the member left."))]
    )
    reason = StringField(_l("Why the member left"))


class ExitForm(AppForm):
    settled_on = DateField(
        _l("Date of the settlement"),
        validators=[InputRequired(_l("Enter the date of the settlement."))],
    )
    reason = StringField(_l("Why the member leaves"))
    expected = HiddenField()  # the payout shown, confirmed as it was seen


class OpeningForm(AppForm):
    loan_fund_cash = StringField(_l("Cash counted in the loan fund"))
    social_fund_cash = StringField(_l("Cash counted in the social fund"))


def member_of(group, member_id: int) -> Member:
    """The member if they belong to this group; any other id is simply not found."""
    member = Member.get_or_none((Member.id == member_id) & (Member.group == group))
    if member is None:
        abort(404)
    return member


@bp.route("/members")
@login_required
def index(group_id: int):
    group = access.group_for(current_user.user, group_id)
    current, left = members.members_of(group)
    return render_template(
        "members/index.html",
        group=group,
        current=current,
        left=left,
        figures=member_figures(group, today()),
        no_figures=NO_FIGURES,
        MemberType=MemberType,
        Gender=Gender,
        GroupRole=GroupRole,
    )


@bp.route("/members/new", methods=["GET", "POST"])
@login_required
def new(group_id: int):
    group = access.group_for(current_user.user, group_id, Action.EDIT_GROUP)
    if group.archived_at is not None:
        flash(_("This group is archived: it takes no new members."), "warning")
        return redirect(url_for("members.index", group_id=group.id))
    form = MemberForm()
    form.fill_choices()
    if request.method == "GET":
        form.number.data = str(members.next_number(group))
        form.group_role.data = GroupRole.MEMBER.value
        form.gender.data = Gender.UNSTATED.value
        form.joined_on.data = today()
    if form.validate_on_submit():
        try:
            member = members.add_member(current_user.user, group, form.details(), str(get_locale()))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("%(name)s is added to the group.", name=member.full_name), "success")
            if request.form.get("another"):
                return redirect(url_for("members.new", group_id=group.id))
            return redirect(url_for("members.index", group_id=group.id))
    return render_form("members/form.html", form, group=group, member=None)


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@login_required
def edit(group_id: int, member_id: int):
    group = access.group_for(current_user.user, group_id, Action.EDIT_GROUP)
    member = member_of(group, member_id)
    form = MemberForm(obj=member)
    form.fill_choices()
    if form.validate_on_submit():
        try:
            members.update_member(current_user.user, member, form.details(), str(get_locale()))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The details of %(name)s are saved.", name=member.full_name), "success")
            return redirect(url_for("members.index", group_id=group.id))
    has_photo = bool(photos.with_photo([member.id]))
    return render_form("members/form.html", form, group=group, member=member, has_photo=has_photo)


@bp.route("/members/<int:member_id>/leave", methods=["GET", "POST"])
@login_required
def leave(group_id: int, member_id: int):
    group = access.group_for(current_user.user, group_id, Action.EDIT_GROUP)
    member = member_of(group, member_id)
    form = DepartureForm()
    if request.method == "GET":
        form.left_on.data = member.left_on or today()
        form.reason.data = member.left_reason
    if form.validate_on_submit():
        try:
            members.record_departure(current_user.user, member, form.left_on.data, form.reason.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(
                _(
                    "The departure of %(name)s is recorded. Their history is kept.",
                    name=member.full_name,
                ),
                "success",
            )
            return redirect(url_for("members.index", group_id=group.id))
    return render_form("members/leave.html", form, group=group, member=member)


@bp.route("/members/<int:member_id>/exit", methods=["GET", "POST"])
@login_required
def exit_page(group_id: int, member_id: int):
    """Settle a member who leaves during the cycle: the figures first, then confirmed as seen."""
    group = access.group_for(current_user.user, group_id, Action.RECORD)
    member = member_of(group, member_id)
    form = ExitForm()
    if request.method == "GET":
        form.settled_on.data = today()
    found = None
    if request.method == "GET" or form.validate():
        try:
            found = exits.settlement(member, form.settled_on.data)
        except DomainError as error:
            show_error(form, error)
    shown = (form.expected.data or "").strip()
    if found is not None and request.form.get("confirm") and shown.lstrip("-").isdigit():
        try:
            exits.settle(
                current_user.user,
                member,
                form.settled_on.data,
                form.reason.data,
                expected_payout=int(shown),
                note=_("Settlement on leaving"),
                repayment_note=_("Deducted from the settlement on leaving"),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(
                _(
                    "The settlement of %(name)s is recorded with the departure.",
                    name=member.full_name,
                ),
                "success",
            )
            return redirect(url_for("ledger.passbook", group_id=group.id, member_id=member.id))
    if found is not None:
        form.expected.data = str(found.payout)
    context = {"group": group, "member": member, "found": found}
    if request.method == "GET":  # a refusal on opening the page is a message, not a bad form
        return render_template("members/exit.html", form=form, **context)
    return render_form("members/exit.html", form, **context)


def _read_opening(group, people, form) -> tuple[dict, dict, dict]:
    """The page as typed: ({box field: amount}, {member id: MemberOpening}, {cell: error}).

    Every cell is read, so that all the mistakes show at once; the boxes' errors go on the form.
    """
    locale = str(get_locale())
    cash, rows, errors = {}, {}, {}
    for name in ("loan_fund_cash", "social_fund_cash"):
        try:
            cash[name] = parse_amount(
                getattr(form, name).data or "", group.currency, locale, field=name
            )
        except DomainError as error:
            show_error(form, error)
    for member in people:
        shares_name, social_name = f"shares-{member.id}", f"social-{member.id}"
        shares = social = 0
        try:
            text = request.form.get(shares_name, "")
            shares = parse_whole(text, shares_name, locale=locale, required=False) or 0
        except DomainError as error:
            errors[shares_name] = translate(error)
        text = request.form.get(social_name, "").strip()
        if text:  # an empty cell is nothing paid
            try:
                social = parse_amount(text, group.currency, locale, field=social_name)
            except DomainError as error:
                errors[social_name] = translate(error)
        loan_name, periods_name = f"loan-{member.id}", f"periods-{member.id}"
        loan = periods = 0
        text = request.form.get(loan_name, "").strip()
        if text:  # an empty cell is no loan
            try:
                loan = parse_amount(text, group.currency, locale, field=loan_name)
            except DomainError as error:
                errors[loan_name] = translate(error)
        try:
            text = request.form.get(periods_name, "")
            periods = parse_whole(text, periods_name, locale=locale, required=False) or 0
        except DomainError as error:
            errors[periods_name] = translate(error)
        rows[member.id] = opening.MemberOpening(shares, social, loan, periods)
    return cash, rows, errors


@bp.route("/opening", methods=["GET", "POST"], endpoint="opening")
@login_required
def opening_page(group_id: int):
    group = access.group_for(current_user.user, group_id, Action.EDIT_GROUP)
    cycle = cycles.current_cycle(group)
    context = {"group": group, "cycle": cycle, "Fund": Fund}
    if cycle is None:
        return render_template("members/opening.html", form=None, **context)
    refused = opening.why_closed(cycle)
    if refused is not None:
        page = render_template(
            "members/opening.html",
            form=None,
            refused=translate(refused),
            entries=list(opening.opening_entries(cycle)),
            **context,
        )
        return page, 422 if request.method == "POST" else 200
    people = list(members.current_members(group))
    form = OpeningForm()
    grid_errors: dict[str, str] = {}
    if form.validate_on_submit():
        cash, rows, grid_errors = _read_opening(group, people, form)
        if not grid_errors and not form.errors:
            try:
                opening.record_opening(
                    current_user.user,
                    group,
                    cycle,
                    **cash,
                    members=rows,
                    note=_("Opening balance from the paper books"),
                    remainder_note=_("Opening: cash not attributed to members"),
                    loan_note=lambda amount: _(
                        "Loan outstanding from the paper books: %(amount)s",
                        amount=format_amount(amount, group.currency, str(get_locale())),
                    ),
                )
            except DomainError as error:
                if (error.field or "").startswith(("shares-", "social-", "loan-", "periods-")):
                    grid_errors[error.field] = translate(error)
                else:
                    show_error(form, error)
            else:
                flash(_("The opening balances from the paper books are recorded."), "success")
                return redirect(url_for("members.opening", group_id=group.id))
    if grid_errors and not form.errors:
        form.form_errors.append(_("Some rows have mistakes: see the messages in the table."))
    return render_form(
        "members/opening.html",
        form,
        people=people,
        grid_errors=grid_errors,
        typed=request.form if request.method == "POST" else {},
        **context,
    )
