"""Messages in one language outside a web request (the `savings-groups` command): the language
chosen from the environment the way gettext chooses it, and the web app's own Babel catalogs."""

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from savings_groups.core.errors import Amount, DomainError, Number
from savings_groups.core.money import format_amount
from savings_groups.core.numbers import format_number
from savings_groups.core.vocabulary import Choice

SOURCE = "en"
# gettext's order: the first of these that is set (and not empty) names the language.
ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def installed(translations: Path) -> list[str]:
    """English (the source) and every language with a compiled catalog in translations/."""
    found = sorted(p.parent.parent.name for p in translations.glob("*/LC_MESSAGES/messages.mo"))
    return [SOURCE, *[code for code in found if code != SOURCE]]


def _candidates(value: str) -> list[str]:
    """A locale name as gettext expands it: fr_FR.UTF-8@euro gives fr_FR, then fr."""
    name = value.strip().split("@", 1)[0].split(".", 1)[0].replace("-", "_")
    language = name.split("_", 1)[0]
    return [name, language] if language != name else [name]


def choose(available: list[str], environ: Mapping[str, str], asked: str | None = None) -> str:
    """The language asked for (an option), else the first variable of ENVIRONMENT that is set,
    read as gettext reads it (LANGUAGE may list several, fr:es); C and POSIX mean the source.
    A language without a catalog here falls through to the next wish, and in the end to
    English: never an error."""
    if asked:
        wishes = [asked]
    else:
        value = next((environ[name] for name in ENVIRONMENT if environ.get(name)), "")
        wishes = [wish for wish in value.split(":") if wish]
    by_lower = {code.lower(): code for code in available}
    for wish in wishes:
        if wish in ("C", "POSIX") or wish.startswith(("C.", "POSIX.")):
            return SOURCE
        for candidate in _candidates(wish):
            if candidate.lower() in by_lower:
                return by_lower[candidate.lower()]
    return SOURCE


class Messages:
    """The catalog of one language: gettext with %(name)s params, ngettext, pgettext, and the
    domain's errors with their amounts, numbers and dates written the reader's way."""

    def __init__(self, translations: Path | None = None, code: str = SOURCE):
        self.code = code
        self.catalog = (
            Translations.load(str(translations), [code])
            if translations is not None and code != SOURCE
            else NullTranslations()
        )

    def gettext(self, message: str, /, **params) -> str:
        text = self.catalog.gettext(message)
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, count: int, /, **params) -> str:
        text = self.catalog.ngettext(singular, plural, count)
        return text % {"num": count, **params}

    def pgettext(self, context: str, message: str) -> str:
        return self.catalog.pgettext(context, message)

    def decimal(self, value, pattern: str = "#,##0.0") -> str:
        """A measure (seconds, a percentage) with one decimal, the reader's way: 99,5 in French."""
        return format_decimal(value, format=pattern, locale=self.code)

    def readable(self, value):
        """A message's param the reader's way: money, numbers, dates, a choice's label."""
        if isinstance(value, Amount):
            return format_amount(value, value.currency, self.code)
        if isinstance(value, Number):
            return format_number(value, self.code)
        if isinstance(value, Choice):
            return self.gettext(value.label)
        if isinstance(value, date):
            return format_date(value, locale=self.code)
        return value

    def message(self, message: str, params: Mapping) -> str:
        """A msgid with its params (a DomainError's, an integrity difference's) translated."""
        return self.gettext(message, **{name: self.readable(v) for name, v in params.items()})

    def error(self, error: DomainError) -> str:
        return self.message(error.message, error.params)
