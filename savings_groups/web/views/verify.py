"""Statements anyone can verify: the QR code printed on a document, and the public page that
says whether a token is authentic, with no login and nothing the paper did not show."""

import threading
import time
from collections import deque
from decimal import Decimal

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale, gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from savings_groups.core.dates import today
from savings_groups.core.errors import N_
from savings_groups.core.money import format_amount
from savings_groups.core.numbers import format_number
from savings_groups.qr import keys, statements
from savings_groups.qr.svg import svg
from savings_groups.qr.tokens import FIELDS, TokenError, grouped, normalise, sign, verify
from savings_groups.web.views import rate_text

bp = Blueprint("verify", __name__)

# Public and without login: a few dozen checks a minute from one address is plenty for people
# scanning paper; more is someone guessing. Kept in the app's memory, per worker: cheap, and
# nothing is stored but the times of the last checks.
RATE_LIMIT = 30
RATE_WINDOW_SECONDS = 60

# The figures' names on the page, in the reader's language (tokens.FIELDS names them).
FIGURE_LABELS = {
    "cycle_number": _l("Cycle"),
    "rotation_number": _l("Rotation"),
    "round_number": _l("Round"),
    "member_number": _l("Member no."),
    "initials": _l("Member's initials"),
    "shares": _l("Shares"),
    "savings": _l("Saved"),
    "saved": _l("Saved"),
    "social_fund": _l("Social fund"),
    "repaid": _l("Loan repaid"),
    "fines": _l("Fines"),
    "paid": _l("Paid in"),
    "loan_received": _l("Loan received"),
    "welfare": _l("Welfare grant received"),
    "welfare_received": _l("Welfare received"),
    "shares_to_date": _l("Shares this cycle"),
    "savings_to_date": _l("Saved this cycle"),
    "profit": _l("Profit"),
    "deducted": _l("Deducted (loans)"),
    "received": _l("Received"),
    "paid_out": _l("Paid to the member"),
    "principal": _l("Amount lent"),
    "rate": _l("Interest rate"),
    "periods": _l("Number of periods"),
    "balance": _l("Balance"),
    "collected": _l("Total in the pot"),
    "payout": _l("Pot paid out"),
    "recipients": _l("Pot paid to member no."),
    "date": _l("Date"),
    "cycles": _l("Cycles"),
    "loans_taken": _l("Loans taken"),
    "borrowed": _l("Total borrowed"),
    "loans_late": _l("Loans repaid late or in arrears"),
    "attendance_percent": _l("Attendance (%)"),
}
KIND_LABELS = {
    "receipt": _l("Meeting receipt"),
    "slip": _l("Share-out slip"),
    "loan": _l("Loan agreement"),
    "passbook": _l("Passbook"),
    "tontine_passbook": _l("Passbook"),
    "rosca_receipt": _l("Round receipt"),
    "lender_record": _l("Member's record for a lender"),
}
COUNTS = {"shares", "shares_to_date", "periods", "cycles", "loans_taken", "loans_late"}
NUMBERS = {
    "cycle_number",
    "rotation_number",
    "round_number",
    "member_number",
    "attendance_percent",
}
NOT_SHOWN = {"currency", "rate_period"}  # shown with the amounts and the rate
REASONS = {
    "malformed": N_("This is not a code of a document of this application."),
    "truncated": N_("The code is incomplete: part of it is missing."),
    "version": N_("The code was made by a different version of the application."),
    "altered": N_(
        "The code does not match its signature: a figure, the date or the member was changed."
    ),
    "unknown_key": N_("The code was signed with a key this installation does not know."),
    "retired": N_(
        "The code was signed with a key that was withdrawn on %(date)s: it is no longer trusted."
    ),
    "missing": N_("The document is no longer in the books."),
    "reopened": N_(
        "The meeting was reopened since this receipt was printed: its figures may change."
    ),
    "reversed": N_("The money of this document was reversed in the books since it was printed."),
    "written_off": N_("The loan was written off since this agreement was printed."),
    "changed": N_(
        "The books were corrected since this document was printed: "
        "these figures differ now: %(names)s."
    ),
}


def init_app(app) -> None:
    app.jinja_env.globals["statement_qr"] = statement_qr
    app.jinja_env.globals["statements"] = statements
    app.jinja_env.globals["statement_day"] = today
    app.extensions["verify_seen"] = ({}, threading.Lock())


def _signing_key() -> keys.Key:
    if "statement_key" not in g:
        g.statement_key = keys.current(current_app.instance_path, today())
    return g.statement_key


def _link(token: str) -> str:
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for("verify.show", token=token)
    return url_for("verify.show", token=token, _external=True)


def _form_link() -> str:
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for("verify.form")
    return url_for("verify.form", _external=True)


def statement_qr(statement) -> Markup:
    """The printed QR code of a statement (None: nothing, e.g. a share-out still a preview):
    the link to the verification page, and the code to type there."""
    if statement is None:
        return Markup("")
    key = _signing_key()
    token = sign(statement, key.id, key.secret)
    link = _link(token)
    # The template alone, without the page's context processors (a query each): one code per
    # member on a page of receipts must not cost a query each.
    template = current_app.jinja_env.get_template("verify/_qr.html")
    return Markup(
        template.render(
            code=svg(link, size="24mm", label=gettext("Code to check this document")),
            token=token,
            typed=grouped(token),
            on=statement.on,
            form_link=_form_link(),
        )
    )


def _too_many() -> bool:
    address = request.remote_addr or "?"
    now = time.monotonic()
    everyone, guard = current_app.extensions["verify_seen"]
    with guard:
        if len(everyone) > 10_000:  # never grows without bound
            everyone.clear()
        seen = everyone.setdefault(address, deque())
        while seen and now - seen[0] > RATE_WINDOW_SECONDS:
            seen.popleft()
        if len(seen) >= RATE_LIMIT:
            return True
        seen.append(now)
        return False


@bp.route("/verify")
def form():
    """Type or paste the code printed under the QR code."""
    code = request.args.get("code", "")
    token = normalise(code)
    if token:
        return redirect(url_for("verify.show", token=token))
    error = gettext(REASONS["malformed"]) if code.strip() else None
    return render_template("verify/form.html", code=code, error=error), 422 if error else 200


@bp.route("/verify/<path:token>")
def show(token: str):
    if _too_many():
        return render_template("verify/form.html", code="", too_many=True), 429
    all_keys = keys.all_keys(current_app.instance_path)
    usable = {key.id: key.secret for key in all_keys.values() if not key.retired_on}
    try:
        verified = verify(token, usable)
    except TokenError as error:
        reason = error.reason
        retired = all_keys.get(error.key_id) if reason == "unknown_key" else None
        if retired is not None and retired.retired_on:
            reason = "retired"
        params = {"date": format_date(retired.retired_on)} if reason == "retired" else {}
        message = gettext(REASONS[reason], **params)
        return render_template("verify/show.html", authentic=False, reason=message), 200
    statement = verified.statement
    standing = statements.check(statement)
    key = all_keys[verified.key_id]
    reason = None
    if standing.problem:
        names = ", ".join(str(FIGURE_LABELS[name]) for name in standing.changed)
        params = {"names": names} if standing.problem == "changed" else {}
        reason = gettext(REASONS[standing.problem], **params)
    return render_template(
        "verify/show.html",
        authentic=standing.problem is None,
        reason=reason,
        kind=KIND_LABELS[statement.kind],
        on=statement.on,
        group_name=standing.group_name,
        figures=_figures(statement),
        rotated_on=key.rotated_on,
    )


def _figures(statement) -> list[tuple[str, str]]:
    """The statement's figures as the reader reads them: (label, value)."""
    locale = str(get_locale())
    currency = statement.figures["currency"]
    rows = []
    for name, kind in FIELDS[statement.kind]:
        value = statement.figures[name]
        if name in NOT_SHOWN:
            continue
        if name == "rate":
            shown = rate_text(Decimal(value), statement.figures["rate_period"], "")
        elif kind == "text":
            shown = value
        elif name in COUNTS or name in NUMBERS:
            shown = format_number(value, locale)
        else:
            shown = format_amount(value, currency, locale)
        rows.append((str(FIGURE_LABELS[name]), shown))
    return rows
