"""The ROSCA setup pages: the rotations of a group, a new rotation, its hands, a fixed order and
the start."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length

from savings_groups.core.dates import today
from savings_groups.core.errors import N_, DomainError, NotFound
from savings_groups.core.vocabulary import (
    DiscountRule,
    EndRule,
    GroupKind,
    MeetingFrequency,
    RotationOrder,
)
from savings_groups.groups.members import current_members
from savings_groups.org import access
from savings_groups.org.access import Action
from savings_groups.rosca import ending, rotations
from savings_groups.web.forms import AppForm
from savings_groups.web.views import render_form, show_error, translate

bp = Blueprint("rotations", __name__, url_prefix="/groups/<int:group_id>")
AMOUNT = {"inputmode": "decimal", "autocomplete": "off"}


# The choices a rotation's pages name, here and on its rounds' pages (views/rosca_rounds.py).
ROTATION_ENUMS = {
    "RotationOrder": RotationOrder,
    "DiscountRule": DiscountRule,
    "MeetingFrequency": MeetingFrequency,
    "EndRule": EndRule,
}


@bp.context_processor
def helpers():
    return {**ROTATION_ENUMS, "rotation_url": rotation_url}


def rotation_url(rotation) -> str:
    """A started rotation's own page (its rounds), else its hands (it is being set up)."""
    if rotation.started_at:
        return url_for("rosca_rounds.show", group_id=rotation.group_id, rotation_id=rotation.id)
    return url_for("rotations.hands", group_id=rotation.group_id, rotation_id=rotation.id)


def _rotation(group, rotation_id: int):
    rotation = rotations.rotation_of(group, rotation_id)
    if rotation is None:
        raise NotFound(N_("This rotation does not exist in this group."))
    return rotation


def _group(group_id: int):
    """The group; reading needs VIEW_GROUP, a change (POST) EDIT_GROUP."""
    action = Action.EDIT_GROUP if request.method == "POST" else Action.VIEW_GROUP
    return access.group_for(current_user.user, group_id, action)


@bp.route("/rotations")
@login_required
def index(group_id: int):
    group = access.group_for(current_user.user, group_id)
    return render_template(
        "rotations/index.html", group=group, rotations=rotations.rotations_of(group)
    )


class RotationForm(AppForm):
    contribution = StringField(_l("Contribution per hand, each round"), render_kw=AMOUNT)
    # The domain checks the choices, with its own messages.
    frequency = SelectField(_l("How often the rounds come"), validate_choice=False)
    start_date = StringField(_l("Date of the first round"), render_kw={"type": "date"})
    order = SelectField(_l("Who takes the pot, in what order"), validate_choice=False)
    discount_rule = SelectField(_l("A winning bid's discount is"), validate_choice=False)
    late_fine = StringField(_l("Fine for a late contribution (optional)"), render_kw=AMOUNT)
    end_rule = SelectField(_l("What stays in the pot at the end"), validate_choice=False)
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 3})

    def fill_choices(self) -> None:
        self.frequency.choices = [(f.value, _(f.label)) for f in MeetingFrequency]
        self.order.choices = [(o.value, _(o.label)) for o in RotationOrder]
        self.discount_rule.choices = [(r.value, _(r.label)) for r in DiscountRule]
        self.end_rule.choices = end_rule_choices()

    def terms(self) -> rotations.RotationTerms:
        return rotations.RotationTerms(
            contribution=self.contribution.data or "",
            frequency=self.frequency.data,
            start_date=self.start_date.data,
            order=self.order.data,
            discount_rule=self.discount_rule.data,
            late_fine=self.late_fine.data or "",
            notes=self.notes.data or "",
            end_rule=self.end_rule.data or EndRule.SHARED,  # not posted: the default
        )


def end_rule_choices() -> list[tuple[str, str]]:
    return [(r.value, _(r.label)) for r in EndRule]


@bp.route("/rotations/new", methods=["GET", "POST"])
@login_required
def new(group_id: int):
    group = access.group_for(current_user.user, group_id, Action.EDIT_GROUP)
    form = RotationForm()
    form.fill_choices()
    if request.method == "GET":
        terms = rotations.default_terms(group, today())
        form.frequency.data = terms.frequency
        form.start_date.data = terms.start_date.isoformat()
        form.order.data = terms.order.value
        form.end_rule.data = terms.end_rule.value
    elif form.validate_on_submit():
        try:
            rotation = rotations.create_rotation(
                current_user.user, group, form.terms(), str(get_locale())
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(
                _(
                    "Rotation %(number)d is created: now give out the hands.",
                    number=rotation.number,
                ),
                "success",
            )
            return redirect(url_for("rotations.hands", group_id=group.id, rotation_id=rotation.id))
    refused = group.kind != GroupKind.ROSCA.value or group.archived_at is not None
    return render_form("rotations/new.html", form, group=group, refused=refused)


def _summary(rotation, hands) -> dict:
    """What the hands page shows: rounds, pot, end date and each member's part per round."""
    per_member: dict[int, list] = {}
    for hand in hands:
        for holder in hand.holders:
            row = per_member.setdefault(holder.member.id, [holder.member, 0, 0, 0])
            row[1 if not holder.half else 2] += 1
            row[3] += holder.part
    count = len(hands)
    return {
        "rounds": count,
        "pot": rotation.contribution * count,
        "end": rotations.due_date(rotation, count) if count else None,
        "members": sorted(per_member.values(), key=lambda row: row[0].number),
    }


def _hand_choices(form_data, members) -> list[rotations.HandChoice]:
    """The hands form's rows: whole-<id>, half-<id> and partner-<id> for each member shown,
    and for any other member id posted (which the domain refuses)."""
    ids = {m.id for m in members}
    for name in form_data:
        prefix, _sep, rest = name.partition("-")
        if prefix in ("whole", "half", "partner") and rest.isdecimal() and len(rest) < 12:
            ids.add(int(rest))
    choices = []
    for member_id in sorted(ids):
        partner = (form_data.get(f"partner-{member_id}") or "").strip()
        choices.append(
            rotations.HandChoice(
                member_id,
                form_data.get(f"whole-{member_id}", ""),
                bool(form_data.get(f"half-{member_id}")),
                int(partner) if partner.isdecimal() and len(partner) < 12 else None,
            )
        )
    return choices


def _hands_page(group, rotation, form, members, errors=None, rows=None):
    """The hands page: the form (rows as posted, or as saved) and what the hands add up to.

    An error about a field the page does not show (a member posted who is not listed) goes
    above the form.
    """
    shown = {f"{name}-{m.id}" for m in members for name in ("whole", "partner")}
    if rotation.started_at is None:
        shown.add("end_rule")  # its form is on the page until the start
    errors = {(field if field in shown else None): text for field, text in (errors or {}).items()}
    hands = rotations.hands_of(rotation)
    return render_template(
        "rotations/hands.html",
        group=group,
        rotation=rotation,
        form=form,
        members=members,
        rows=rotations.choices_of(hands) if rows is None else rows,
        errors=errors or {},
        hands=hands,
        summary=_summary(rotation, hands),
        end_rules=end_rule_choices(),
    ), (422 if errors else 200)


@bp.route("/rotations/<int:rotation_id>/hands", methods=["GET", "POST"])
@login_required
def hands(group_id: int, rotation_id: int):
    group = _group(group_id)
    rotation = _rotation(group, rotation_id)
    form = FlaskForm()
    members = list(current_members(group))
    if form.validate_on_submit():
        choices = _hand_choices(request.form, members)
        try:
            rotations.set_hands(current_user.user, rotation, choices, str(get_locale()))
        except DomainError as error:
            rows = {c.member_id: c for c in choices}
            return _hands_page(
                group, rotation, form, members, {error.field: translate(error)}, rows
            )
        flash(_("The hands are saved."), "success")
        next_page = (
            "rotations.order" if rotation.order == RotationOrder.FIXED.value else "rotations.hands"
        )
        return redirect(url_for(next_page, group_id=group.id, rotation_id=rotation.id))
    return _hands_page(group, rotation, form, members)


@bp.route("/rotations/<int:rotation_id>/order", methods=["GET", "POST"])
@login_required
def order(group_id: int, rotation_id: int):
    group = _group(group_id)
    rotation = _rotation(group, rotation_id)
    form = FlaskForm()
    hands = rotations.hands_of(rotation)
    errors: dict[str | None, str] = {}
    positions = {hand.number: hand.position or hand.number for hand in hands}
    if form.validate_on_submit():
        positions = {hand.number: request.form.get(f"position-{hand.number}", "") for hand in hands}
        try:
            rotations.set_order(current_user.user, rotation, positions, str(get_locale()))
        except DomainError as error:
            errors[error.field] = translate(error)
        else:
            flash(_("The order is saved."), "success")
            return redirect(url_for("rotations.hands", group_id=group.id, rotation_id=rotation.id))
    return render_template(
        "rotations/order.html",
        group=group,
        rotation=rotation,
        form=form,
        hands=sorted(hands, key=lambda h: (h.position or h.number, h.number)),
        positions=positions,
        errors=errors,
        due_dates={n: rotations.due_date(rotation, n) for n in range(1, len(hands) + 1)},
    ), (422 if errors else 200)


@bp.route("/rotations/<int:rotation_id>/start", methods=["POST"])
@login_required
def start(group_id: int, rotation_id: int):
    group = _group(group_id)
    rotation = _rotation(group, rotation_id)
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            rotations.start_rotation(current_user.user, rotation)
        except DomainError as error:
            members = list(current_members(group))
            return _hands_page(group, rotation, form, members, {None: translate(error)})
        flash(
            _(
                "Rotation %(number)d has started: the hands and the order are fixed.",
                number=rotation.number,
            ),
            "success",
        )
    return redirect(rotation_url(rotation))


@bp.route("/rotations/<int:rotation_id>/end-rule", methods=["POST"])
@login_required
def end_rule(group_id: int, rotation_id: int):
    """Change what becomes of what stays in the pot at the end (before the start)."""
    group = _group(group_id)
    rotation = _rotation(group, rotation_id)
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            rotations.set_end_rule(current_user.user, rotation, request.form.get("end_rule", ""))
        except DomainError as error:
            members = list(current_members(group))
            return _hands_page(group, rotation, form, members, {error.field: translate(error)})
        flash(_("The rule for what stays in the pot at the end is saved."), "success")
    return redirect(url_for("rotations.hands", group_id=group.id, rotation_id=rotation.id))


# --- after the start: turns swapped, and the end of the rotation ------------------------------


class SwapForm(AppForm):
    # The domain checks the hands, with its own messages (a hand served, of another rotation).
    first = SelectField(_l("This hand"), validate_choice=False)
    second = SelectField(_l("swaps its turn with this hand"), validate_choice=False)
    agreed = BooleanField(_l("The holders of both hands agree to the swap"))
    note = StringField(_l("Note (optional)"), validators=[Length(max=rotations.SWAP_NOTE_MAX)])
    seen = HiddenField()


def _recording(group_id: int):
    """The group; reading needs VIEW_GROUP, a change (POST) RECORD."""
    action = Action.RECORD if request.method == "POST" else Action.VIEW_GROUP
    return access.group_for(current_user.user, group_id, action)


def _hand_label(hand) -> str:
    names = " + ".join(
        holder.member.full_name + (" (½)" if holder.half else "") for holder in hand.holders
    )
    return _("Hand %(number)d: %(holders)s", number=hand.number, holders=names)


def _whole_id(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdecimal() and len(text) < 12 else None


@bp.route("/rotations/<int:rotation_id>/swap", methods=["GET", "POST"])
@login_required
def swap(group_id: int, rotation_id: int):
    """Two hands still waiting exchange their turns: the order as it stands, and the form."""
    group = _recording(group_id)
    rotation = _rotation(group, rotation_id)
    rotation.group = group
    hands = rotations.hands_of(rotation)
    served = rotations.served_rounds(rotation)
    waiting = sorted((h for h in hands if h.id not in served), key=lambda h: h.position or 0)
    form = SwapForm()
    choices = [("", _("Choose a hand"))] + [(str(h.id), _hand_label(h)) for h in waiting]
    form.first.choices = form.second.choices = choices
    if form.validate_on_submit():
        try:
            rotations.swap_turns(
                current_user.user,
                rotation,
                _whole_id(form.first.data),
                _whole_id(form.second.data),
                form.agreed.data,
                form.note.data or "",
                form.seen.data or "",
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The two hands have swapped their turns."), "success")
            return redirect(url_for("rotations.swap", group_id=group.id, rotation_id=rotation.id))
    form.seen.data = rotations.order_stamp(rotation)  # the order this page shows
    order = sorted(hands, key=lambda h: (h.position or h.number, h.number))
    refused = None
    if rotation.order != RotationOrder.FIXED.value:
        refused = _(
            "Only a rotation in a fixed order has turns to swap: in a lottery or a bidding "
            "rotation the hand that takes the pot is drawn or bid for at each round."
        )
    elif rotation.started_at is None:
        refused = _("This rotation has not started: change its order on the order page.")
    elif rotation.finished_at is not None:
        refused = _("This rotation is finished: every hand has taken the pot, no turn is left.")
    return render_form(
        "rotations/swap.html",
        form,
        group=group,
        rotation=rotation,
        order=order,
        served=served,
        due_dates={n: rotations.due_date(rotation, n) for n in range(1, len(hands) + 1)},
        swaps=rotations.swaps_of(rotation),
        refused=refused,
    )


class EndForm(AppForm):
    on = DateField(_l("Date"), default=today)
    carried_to = SelectField(_l("Carried over to"), validate_choice=False)
    seen = HiddenField()


def _end_notes() -> ending.EndNotes:
    """The notes of the entries in the reader's language; the domain fills in the numbers."""
    return ending.EndNotes(
        share=_("End of rotation %(number)d: share of what stayed in the pot"),
        carried_out=_("End of rotation %(number)d: carried over to rotation %(other)d"),
        carried_in=_("Carried over from rotation %(other)d"),
    )


@bp.route("/rotations/<int:rotation_id>/end", methods=["GET", "POST"])
@login_required
def end(group_id: int, rotation_id: int):
    """What stayed in the pot of a finished rotation: the amounts first, then share or carry."""
    group = _recording(group_id)
    rotation = _rotation(group, rotation_id)
    rotation.group = group
    view = ending.end_view(rotation)
    form = EndForm()
    form.carried_to.choices = [
        (str(r.id), _("Rotation %(number)d", number=r.number)) for r in view.targets
    ]
    if form.validate_on_submit():
        seen = _whole_id(form.seen.data)
        try:
            ending.end_rotation(
                current_user.user,
                rotation,
                form.on.data,
                _whole_id(form.carried_to.data),
                seen if seen is not None else -1,
                _end_notes(),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("What stayed in the pot is dealt with."), "success")
            return redirect(url_for("rotations.end", group_id=group.id, rotation_id=rotation.id))
    from savings_groups.web.views.rosca_rounds import hands_words  # it imports this module

    form.seen.data = str(view.plan.remainder)
    shares = sorted(
        (
            (view.members[k], hands_words(view.stakes[k]), part)
            for k, part in view.plan.shares.items()
        ),
        key=lambda row: row[0].number,
    )
    return render_form(
        "rotations/end.html",
        form,
        group=group,
        rotation=rotation,
        view=view,
        shares=shares,
    )
