"""Blueprints, one per area the user sees, and the helpers they share."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from flask import g, render_template, request, url_for
from flask_babel import format_date, get_locale, gettext
from flask_login import current_user

from savings_groups.core.errors import N_, Amount, DomainError, NotFound, Number
from savings_groups.core.money import format_amount
from savings_groups.core.numbers import format_number
from savings_groups.core.vocabulary import GENDER_CONTEXTS, GENDERED, RATE_PHRASES, RatePeriod
from savings_groups.cycles.operations import cycle_of
from savings_groups.loans.compute import meeting_period, period_rate
from savings_groups.org import accounts
from savings_groups.org.access import Action, can
from savings_groups.org.audit import ACTION_LABELS
from savings_groups.web import i18n


def init_app(app) -> None:
    from savings_groups.web.views import (
        admin,
        api_tokens,
        audit,
        auth,
        backups,
        bundles,
        cards,
        consent,
        cycles,
        dashboard,
        errors,
        groups,
        ledger,
        lender,
        loans,
        meetings,
        members,
        oversight,
        practice,
        receipts,
        rosca_rounds,
        rotations,
        shareout,
        verify,
    )
    from savings_groups.web.views.auth import language_switch

    blueprints = (auth, groups, members, cycles, meetings, ledger, loans, shareout, oversight)
    for module in blueprints + (
        rotations,
        rosca_rounds,
        admin,
        api_tokens,
        audit,
        cards,
        backups,
        bundles,
        practice,
        dashboard,
    ):
        app.register_blueprint(module.bp)
    app.register_blueprint(receipts.bp)
    app.register_blueprint(verify.bp)
    app.register_blueprint(consent.bp)
    app.register_blueprint(lender.bp)
    verify.init_app(app)
    errors.init_app(app)
    app.jinja_env.globals.update(can=lambda action: can(current_user.user, action), Action=Action)
    app.jinja_env.filters["label"] = lambda enum_value: i18n.gettext(enum_value.label)
    app.jinja_env.filters["label_for"] = lambda enum_value, gender: gendered(
        enum_value.label, gender
    )
    app.jinja_env.globals["gendered"] = gendered
    app.jinja_env.globals["practice_group_of"] = practice_group_of
    app.jinja_env.filters["action_label"] = lambda code: (
        gettext(ACTION_LABELS[code]) if code in ACTION_LABELS else code
    )
    app.jinja_env.globals.update(row_urls=row_urls, ROW=ROW)
    app.jinja_env.filters["rate"] = rate_text
    app.jinja_env.filters["rate_in_meetings"] = rate_in_meetings

    @app.context_processor
    def shell():
        # An error page about the database itself asks it nothing more.
        org = None if g.get("database_failed") else accounts.organization()
        return {
            "organization_name": org.name if org else None,
            "language_switch": language_switch,
        }


# Stands for each row's id in row_urls: a number no other part of the app's URLs holds.
ROW = 987_654_321_987


def row_urls(endpoint: str, **values):
    """url_for for every row of a long list: `row_urls("members.edit", group_id=7,
    member_id=ROW)(member.id)`. The URL is built once with ROW for the row's id, then each
    row's id is written in its place (url_for costs about 10 µs; the members list asks for four
    URLs a member). The rows' ids are whole numbers, written as url_for writes them; when ROW
    does not appear exactly once, url_for builds each one."""
    name = next(key for key, value in values.items() if value is ROW)
    built = url_for(endpoint, **values)
    if built.count(str(ROW)) != 1:
        return lambda row_id: url_for(endpoint, **{**values, name: row_id})
    before, after = built.split(str(ROW))
    return lambda row_id: f"{before}{int(row_id)}{after}"


def gendered(message: str, gender: str | None) -> str:
    """A word about a member in the reader's language, agreed with the member's gender where
    it is known and the word has gendered forms (vocabulary.GENDERED)."""
    context = GENDER_CONTEXTS.get(gender or "")
    if context is None or message not in GENDERED:
        return i18n.gettext(message)
    return i18n.pgettext(context, message)


def practice_group_of(*shown):
    """The practice group a page shows, if it shows one (base.html's banner and title): the
    page's group, or the group of its meeting, member or loan."""
    for thing in shown:
        if thing is None:
            continue
        group = thing if hasattr(thing, "is_practice") else getattr(thing, "group", None)
        if getattr(group, "is_practice", False) is True:
            return group
    return None


def translate(error: DomainError) -> str:
    """The error in the reader's language, its amounts (errors.Amount) written as money, its
    other numbers (errors.Number) and its dates the reader's way: the domain passes the values,
    never formatted text."""
    return gettext(
        error.message, **{name: _readable(value) for name, value in error.params.items()}
    )


def _readable(value):
    if isinstance(value, Amount):
        return format_amount(value, value.currency, str(get_locale()))
    if isinstance(value, Number):
        return format_number(value, str(get_locale()))
    if isinstance(value, date):
        return format_date(value)
    return value


def show_error(form, error: DomainError) -> None:
    """Put a domain error next to its field, or above the form when it concerns no one field."""
    message = translate(error)
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


def render_form(template: str, form, status: int = 200, **context):
    """Render a form page; 422 when it comes back with errors, so tests and tools can tell."""
    if form.errors and status == 200:
        status = 422
    return render_template(template, form=form, **context), status


def paper_size() -> str:
    """The paper a printable page is asked for in (?size=a5), else A4."""
    return "a5" if request.args.get("size") == "a5" else "a4"


def cycle_asked(group, cycle_id: int | None):
    """The cycle asked for (404 when it is not the group's), else the open one, else the latest;
    None when the group has no cycle."""
    cycle = cycle_of(group, cycle_id)
    if cycle_id is not None and cycle is None:
        raise NotFound(N_("This cycle does not exist in this group."))
    return cycle


# Decimals shown of a rate converted to meeting periods (2.3077 % a week); the schedule itself
# charges the exact fraction.
RATE_PLACES = Decimal("0.0001")


def _percent_text(percent: Decimal | Fraction) -> tuple[str, bool]:
    """A number of per cent in the reader's locale, to RATE_PLACES at most; and whether that
    is exact."""
    exact = Fraction(percent)
    shown = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        RATE_PLACES, ROUND_HALF_UP
    )
    shown = shown.normalize() + 0  # 10, not 1E+1
    return format_number(shown, str(get_locale())), Fraction(shown) == exact


def rate_text(rate, period: str | None, frequency: str) -> str:
    """A rate (0.10) with its period named: "10% a month"; with no period, per meeting period
    of `frequency` ("10% a week" for a weekly group)."""
    per = RatePeriod(period) if period else meeting_period(frequency)
    text, _exact = _percent_text(Decimal(rate) * 100)
    return gettext(RATE_PHRASES[per], percent=text)


def rate_in_meetings(rate, period: str | None, frequency: str) -> str:
    """The rate with its period and, when that is not the meeting period, what it is per
    meeting period: "10% a month = 2.3077% a week" ("≈" when the figure shown is rounded; the
    schedule charges the exact rate)."""
    said = rate_text(rate, period, frequency)
    meeting = meeting_period(frequency)
    if not period or RatePeriod(period) == meeting:
        return said
    text, exact = _percent_text(period_rate(Decimal(rate), period, frequency) * 100)
    converted = gettext(RATE_PHRASES[meeting], percent=text)
    if exact:
        return gettext("%(rate)s = %(converted)s", rate=said, converted=converted)
    return gettext("%(rate)s ≈ %(converted)s", rate=said, converted=converted)
