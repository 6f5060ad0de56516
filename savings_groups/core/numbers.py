"""Numbers typed by people: the one whole-number parser (shares, periods, hands, positions...),
the reading rules it shares with the amount parser (money.parse_amount), and numbers as text."""

import re
import unicodedata
from decimal import Decimal
from typing import NamedTuple

from babel.numbers import NumberFormatError, format_decimal, get_decimal_symbol, get_group_symbol
from babel.numbers import parse_decimal as babel_parse_decimal

from savings_groups.core.errors import N_, DomainError, Number

# Spaces that people (or the browser, or a copy-paste of our own output) use to group thousands.
SPACES = "\u0020\u00a0\u202f\u2007\u2009\u200a"
# Direction marks Babel puts around numbers in right-to-left locales; invisible, so ignored.
BIDI_MARKS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
MINUS_SIGNS = "-\u2212"
DIGITS = frozenset("0123456789")
# Largest whole number read from a form: far inside a BigIntegerField, like money.MAX_AMOUNT.
MAX_WHOLE = 10**15
# More characters than any number within MAX_WHOLE takes; spares Babel and int() the work.
LONGEST = 40

BLANK = N_("Enter a whole number.")
NOT_WHOLE = N_("%(text)s is not a whole number: write it in figures only.")
TOO_SMALL = N_("Enter %(minimum)s or more.")
TOO_LARGE = N_("Enter %(maximum)s or less.")


class Typed(NamedTuple):
    """A number as typed, tidied: the sign apart, digits of any script (Arabic-Indic,
    Bengali...) as ASCII, and any kind of space as the locale's group symbol when the locale
    groups with a space. `body` may still hold anything else that was typed."""

    negative: bool
    body: str

    def is_plain(self, locale: str) -> bool:
        """Only digits and the locale's grouping and decimal symbols, with at least one digit:
        in French "1.000" is not a number, in English "1 000" is not one either."""
        allowed = DIGITS | {get_group_symbol(locale), get_decimal_symbol(locale)}
        return bool(self.body) and set(self.body) <= allowed and not DIGITS.isdisjoint(self.body)

    def value(self, locale: str) -> Decimal | None:
        """The number (without its sign), or None when a separator is where the locale never
        puts one: "1 2" or "12 00" in French, "1,2" in English. Call is_plain() first."""
        try:
            return babel_parse_decimal(self.body, locale=locale, strict=True)
        except NumberFormatError:
            return None

    def decimals_written(self, locale: str) -> int:
        """How many digits were written after the decimal symbol (0 when there is none)."""
        return len(self.body.partition(get_decimal_symbol(locale))[2])


def require_int(name: str, value: object) -> int:
    """An int given by code (amounts, counts, ids): a float or a bool is a bug, not bad input."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return value


def ascii_digits(text: str) -> str:
    """Any decimal digits (Arabic-Indic, Bengali...) as ASCII, which is what is checked next."""
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)


def read(text: str, locale: str, suffix: str = "") -> Typed | None:
    """Text typed in the reader's locale, tidied for checking; None when it is blank. A
    leading minus (or U+2212) is the sign; `suffix` (like "%") may end the text."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    cleaned = ascii_digits(BIDI_MARKS.sub("", text)).strip(SPACES)
    if suffix:
        cleaned = cleaned.removesuffix(suffix).rstrip(SPACES)
    if not cleaned:
        return None
    negative = cleaned[0] in MINUS_SIGNS
    body = cleaned[1:].lstrip(SPACES) if negative else cleaned
    group = get_group_symbol(locale)
    if group in SPACES:
        body = re.sub(f"[{SPACES}]", group, body)
    return Typed(negative, body)


def parse_whole(
    value: int | str | None,
    field: str | None = None,
    *,
    locale: str,
    minimum: int | None = 0,
    maximum: int = MAX_WHOLE,
    required: bool = True,
) -> int | None:
    """A whole number typed in the reader's locale (or an int given by code), within
    [minimum, maximum]; None when left blank and not required.

    Grouping symbols are read only where the locale puts them: French "1 200" (any space) is
    1200, "1 2" is refused; English "1,200" is 1200, "1,2" is refused. A decimal symbol is
    refused even before zeros ("12,0" in French), and so is anything else but digits of any
    script and a leading minus. A DomainError for `field` says what is wrong, the same words
    wherever a whole number is typed.
    """
    if isinstance(value, bool):
        raise TypeError("a whole number cannot be a bool")
    if isinstance(value, int):
        number = value
    else:
        typed = read(value or "", locale)
        if typed is None:
            if required:
                raise DomainError(BLANK, field=field)
            return None
        if not typed.is_plain(locale) or get_decimal_symbol(locale) in typed.body:
            raise DomainError(NOT_WHOLE, field=field, text=value.strip())
        if len(typed.body) > LONGEST:
            raise DomainError(TOO_LARGE, field=field, maximum=Number(maximum))
        magnitude = typed.value(locale)
        if magnitude is None:
            raise DomainError(NOT_WHOLE, field=field, text=value.strip())
        number = -int(magnitude) if typed.negative else int(magnitude)
    if minimum is not None and number < minimum:
        raise DomainError(TOO_SMALL, field=field, minimum=Number(minimum))
    if number > maximum:
        raise DomainError(TOO_LARGE, field=field, maximum=Number(maximum))
    return number


def format_number(value: Decimal | int, locale: str) -> str:
    """A number that is not money in the reader's locale ("1,5" in French), every decimal kept."""
    return format_decimal(value, locale=locale, decimal_quantization=False)
