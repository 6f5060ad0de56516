"""The audit trail (administrators and facilitators) and the check of the books (administrators)."""

import re
from datetime import date

from flask import Blueprint, flash, render_template, request
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from savings_groups.core.errors import N_
from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import Choice, EntryKind, Fund
from savings_groups.org.access import Action, require, visible_groups
from savings_groups.org.audit import ACTION_LABELS
from savings_groups.reports import audit_sentences, audit_trail, integrity
from savings_groups.store.models import SavingsGroup
from savings_groups.web.views import _readable

bp = Blueprint("audit", __name__, url_prefix="/audit")

# The largest id a filter or a page link may carry: anything longer is not one of ours (and
# SQLite refuses integers past 64 bits).
MAX_ID = 2**31 - 1

# Details that are amounts of money, shown in the group's currency.
MONEY = {
    "amount",
    "bank",
    "carried",
    "carried_interest",
    "carry_over",
    "cash",
    "commission",
    "computed",
    "counted",
    "deducted",
    "discount",
    "guarantor_threshold",
    "interest",
    "interest_forgone",
    "kept_in_pot",
    "loan_fund_cash",
    "loans_outstanding",
    "not_attributed",
    "owed",
    "paid_out",
    "payout",
    "pot",
    "principal",
    "profit",
    "remainder",
    "saved",
    "share_value",
    "shared",
    "social_fund",
    "social_fund_contribution",
    "social_fund_carry_over",
    "social_fund_cash",
    "social_fund_paid",
}
# What the most common details are called; others are shown by their key.
DETAIL_LABELS = {
    "amount": _l("Amount"),
    "cash": _l("Cash"),
    "carry_over": _l("Carried over"),
    "computed": _l("Books"),
    "corrects": _l("Original entry no."),
    "counted": _l("Counted"),
    "country": _l("Country"),
    "currency": _l("Currency"),
    "cycle": _l("Cycle"),
    "difference_note": _l("Note on the difference"),
    "entries_changed": _l("Entries changed"),
    "facilitator_id": _l("Facilitator"),
    "full_name": _l("Full name"),
    "held_on": _l("Held on"),
    "interest": _l("Interest"),
    "kind": _l("Kind"),
    "locale": _l("Language"),
    "member": _l("Member"),
    "name": _l("Name"),
    "notes": _l("Notes"),
    "on": _l("Date"),
    "owed": _l("Owed"),
    "paid_out": _l("Paid out"),
    "principal": _l("Principal"),
    "reason": _l("Reason"),
    "repaid": _l("Repaid"),
    "role": _l("Role"),
    "rounding_unit": _l("Rounding unit"),
    "shares": _l("Shares"),
    "social_fund": _l("Social fund"),
    "username": _l("Username"),
    "version": _l("Version"),
}
# Actions whose details are audit.changes(): each field as [before, after].
CHANGES = {
    "user.update",
    "user.set_locale",
    "organization.update",
    "group.update",
    "member.update",
    "member.leave",
    "cycle.update_rules",
    "rotation.end_rule",
}
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
BAD_FILTER = N_("“%(value)s” is not a valid choice for “%(field)s”: it is ignored.")
# What each filter is called on the page, for the message about a bad one.
FILTER_NAMES = {
    "group": _l("Group"),
    "user": _l("Who"),
    "action": _l("What"),
    "since": _l("From"),
    "until": _l("To"),
    "before": _l("Older"),
    "after": _l("Newer"),
}


def _ignored(value, name: str) -> None:
    flash(_(BAD_FILTER, value=str(value)[:40], field=FILTER_NAMES[name]), "warning")


def _whole(name: str) -> int | None:
    """An id from the query string, None when absent; an unusable one is flashed and ignored."""
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID:
        return int(text)
    _ignored(text, name)
    return None


def _day(name: str) -> date | None:
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        _ignored(text, name)
        return None


def _asked(groups, users) -> audit_trail.TrailFilter:
    """The filters of the query string; one that is not a choice offered is ignored, said."""
    group_id, user_id = _whole("group"), _whole("user")
    if group_id is not None and group_id not in {g.id for g in groups}:
        flash(_("This group does not exist or is not assigned to you."), "warning")
        group_id = None
    if user_id is not None and user_id not in {u.id for u in users}:
        _ignored(user_id, "user")
        user_id = None
    action = (request.args.get("action") or "").strip() or None
    if action is not None and action not in ACTION_LABELS:
        _ignored(action, "action")
        action = None
    since, until = _day("since"), _day("until")
    return audit_trail.TrailFilter(group_id, user_id, action, since, until)


@bp.route("")
@login_required
def index():
    user = current_user.user
    require(user, Action.READ_AUDIT)
    groups = list(visible_groups(user))
    users = list(audit_trail.readable_users(user))
    wanted = _asked(groups, users)
    page = audit_trail.trail_page(user, wanted, before=_whole("before"), after=_whole("after"))
    filters = {
        name: value
        for name, value in (
            ("group", wanted.group_id),
            ("user", wanted.user_id),
            ("action", wanted.action),
            ("since", wanted.since and wanted.since.isoformat()),
            ("until", wanted.until and wanted.until.isoformat()),
        )
        if value
    }
    actions = sorted(ACTION_LABELS.items(), key=lambda item: _(item[1]).casefold())
    return render_template(
        "audit/index.html",
        page=page,
        groups=groups,
        users=users,
        actions=actions,
        wanted=wanted,
        filters=filters,
        readable=readable,
        named=_named,
        sentences=audit_sentences.sentences(page.rows, ACTION_LABELS),
        say=say,
        sentence_actions=audit_sentences.SENTENCES,
    )


def say(sentence: audit_sentences.Sentence) -> str:
    """A sentence of the log in the reader's language: its names as they are, its amounts as
    money in the group's currency, its days the reader's way."""
    params = {
        name: _(value) if name in sentence.translated else _readable(value)
        for name, value in sentence.params.items()
    }
    return _(sentence.message, **params)


def readable(
    action: str, details: dict, currency: str | None, member_name: str | None = None
) -> list[tuple[str, str]]:
    """The details of an audit entry as (label, text) pairs: amounts in the group's currency,
    a change as "before → after", boxes and kinds of entry by their names, the member by name
    (when the sentence found it) rather than by number."""
    pairs = []
    for key, value in details.items():
        label = str(DETAIL_LABELS.get(key, key))
        if key == "member" and isinstance(value, int) and member_name:
            pairs.append((label, member_name))
            continue
        if action in CHANGES and isinstance(value, list) and len(value) == 2:
            text = " → ".join(_text(key, part, currency) for part in value)
        else:
            text = _text(key, value, currency)
        pairs.append((label, text))
    return pairs


def _text(key: str, value, currency: str | None) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None or value == "":
        return "—"
    if isinstance(value, int) and key in MONEY and currency is not None:
        return format_amount(value, currency, str(get_locale()))
    if isinstance(value, dict):
        return ", ".join(
            _("%(label)s: %(value)s", label=_named(name), value=_text(key, part, currency))
            for name, part in value.items()
        )
    if isinstance(value, str) and ISO_DAY.fullmatch(value):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:  # looks like a day but is none (a note, say)
            return value
    if isinstance(value, list):
        return ", ".join(_text(key, part, currency) for part in value)
    return str(value)


def _named(name: str) -> str:
    """A box or a kind of entry by its name in the reader's language, else as it is."""
    for choice in (Fund, EntryKind):
        if name in choice._value2member_map_:
            return _(choice(name).label)
    return name


def difference_text(difference: integrity.Difference) -> str:
    """A difference in the reader's language, its amounts as money, its boxes named."""
    params = {
        name: _(value.label) if isinstance(value, Choice) else _readable(value)
        for name, value in difference.params.items()
    }
    return _(difference.message, **params)


@bp.route("/check", methods=["GET", "POST"])
@login_required
def check():
    require(current_user.user, Action.CHECK_BOOKS)
    result = integrity.run() if request.method == "POST" else None
    names = {}
    if result is not None and result.differences:
        names = {g.id: g.name for g in SavingsGroup.select(SavingsGroup.id, SavingsGroup.name)}
    return render_template(
        "audit/check.html", result=result, difference_text=difference_text, group_names=names
    )
