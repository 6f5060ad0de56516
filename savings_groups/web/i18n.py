"""Languages: which one a request gets, and Babel's formatters for the templates."""

import re
from datetime import date

from flask import current_app, g, has_app_context, render_template, request
from flask_babel import (
    Babel,
    force_locale,
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    get_locale,
    get_translations,
)
from flask_login import current_user

from savings_groups.core.catalogs import language_name
from savings_groups.core.dates import today
from savings_groups.core.money import format_amount

LANGUAGE_COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

babel = Babel()


def available_locales(app=None) -> list[str]:
    """English (the source language) and every language with a catalog in translations/."""
    app = app or current_app
    return app.config["LANGUAGES"]


def discover_locales(translations_dir) -> list[str]:
    found = sorted(p.parent.parent.name for p in translations_dir.glob("*/LC_MESSAGES/messages.po"))
    return ["en", *[code for code in found if code != "en"]]


def language_names() -> list[tuple[str, str]]:
    """Each language in its own name, as a speaker would look for it."""
    return [(code, language_name(code)) for code in available_locales()]


def select_locale() -> str:
    """The user's setting, else the switch on the login page (a cookie), else the browser."""
    locales = available_locales()
    if current_user and current_user.is_authenticated and current_user.locale in locales:
        return current_user.locale
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in locales:
        return cookie
    return (
        request.accept_languages.best_match(locales) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def set_language_cookie(response, code: str) -> None:
    """Remember a language choice in the browser (Secure when the app is served over HTTPS)."""
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )


def date_input_pattern(locale=None) -> str:
    """How the reader types a date: the locale's short date with a four-digit year and no
    direction marks (fr "dd/MM/yyyy", en "M/d/yyyy"); static/js/dates.js reads and writes it."""
    locale = locale or get_locale()
    pattern = locale.date_formats["short"].pattern
    pattern = pattern.replace("\u200f", "").replace("\u200e", "")
    return re.sub(r"y+", "yyyy", pattern).replace("'", "")


def date_input_example() -> str:
    """The last day of this year written in date_input_pattern(), for the hint under a field."""
    return format_date(date(today().year, 12, 31), date_input_pattern())


def render_printed(template: str, group, **context) -> str:
    """A document members take home (passbook, receipts, slips), in the group's print language
    when it has one this installation speaks, else in the reader's."""
    code = group.print_locale
    if code and code in available_locales():
        with force_locale(code):
            return render_template(template, group=group, **context)
    return render_template(template, group=group, **context)


def translations():
    """flask_babel.get_translations(), looked up once per request and language. Flask-Babel's
    own lookup costs about 14 µs (three lookups of the request's state, the locale's name built
    again) and a page asks for it 100 to 250 times (each `_()`, each label); the catalogs are
    Flask-Babel's, loaded once per language. The answer is kept in Flask-Babel's state of the
    request beside the locale it is for, so a force_locale() (a print-out in the group's
    language) gets its own catalog at once, and the reader's again after it."""
    state = g.get("_flask_babel") if has_app_context() else None
    if state is not None:
        kept = getattr(state, "app_translations", None)
        if kept is not None and kept[0] is getattr(state, "babel_locale", None):
            return kept[1]
    found = get_translations()
    state = g.get("_flask_babel") if has_app_context() else None
    locale = getattr(state, "babel_locale", None)
    if locale is not None:
        state.app_translations = (locale, found)
    return found


def _written() -> dict | None:
    """The dates written so far in this request and its language (see once_a_request)."""
    state = g.get("_flask_babel") if has_app_context() else None
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        return None
    kept = getattr(state, "app_written", None)
    if kept is None or kept[0] is not locale:
        kept = state.app_written = (locale, {})
    return kept[1]


def once_a_request(formatter):
    """A date formatter of the templates that writes each value once a request and language:
    a loan portfolio shows 130 dates, 49 different ones (18 µs each through Flask-Babel)."""

    def write(value=None, *args, **kwargs):
        written = _written() if value is not None else None  # None: now, never the same
        if written is None:
            return formatter(value, *args, **kwargs)
        key = (type(value), value, getattr(value, "tzinfo", None), args, *kwargs.items())
        text = written.get(key)
        if text is None:
            text = written[key] = formatter(value, *args, **kwargs)
        return text

    return write


def gettext(string: str, **variables) -> str:
    """flask_babel.gettext, through translations()."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def pgettext(context: str, string: str, **variables) -> str:
    """flask_babel.pgettext, through translations()."""
    text = translations().upgettext(context, string)
    return text % variables if variables else text


def text_direction() -> str:
    return get_locale().text_direction if get_locale() else "ltr"


def init_app(app, translations_dir) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(translations_dir)
    app.config.setdefault("LANGUAGES", discover_locales(translations_dir))
    babel.init_app(app, locale_selector=select_locale)
    # The templates' _(), ngettext… as Flask-Babel installs them, through translations().
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(
            context, singular, plural, n
        ),
    )
    # Templates are extracted with trimmed = true (babel.cfg): look them up trimmed too.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals.update(
        text_direction=text_direction,
        date_input_pattern=date_input_pattern,
        date_input_example=date_input_example,
        language_names=language_names,
        current_locale=lambda: str(get_locale()),
    )
    app.jinja_env.filters.update(
        datetime=once_a_request(format_datetime),
        date=once_a_request(format_date),
        number=format_decimal,
        percent=format_percent,
        currency_name=currency_name,
        place=place,
        money=money,
    )


def money(amount: int, currency: str, with_symbol: bool = True) -> str:
    """An amount in minor units as the reader writes money: `{{ 150000 | money("XOF") }}`."""
    return format_amount(amount, currency, str(get_locale()), with_symbol=with_symbol)


def currency_name(code: str) -> str:
    return get_locale().currencies.get(code, code)


def place(group) -> str:
    """Village, district, country in the reader's language, leaving out what is not set."""
    country = get_locale().territories.get(group.country, group.country) if group.country else ""
    return ", ".join(part for part in (group.village, group.district, country) if part)
