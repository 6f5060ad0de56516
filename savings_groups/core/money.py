"""Money: currency digits, rounding, largest-remainder splits, and amounts to and from text."""

import functools
import re
from decimal import Decimal
from fractions import Fraction

from babel import Locale
from babel.core import get_global
from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_currency_symbol,
    get_territory_currencies,
    is_currency,
)

from savings_groups.core import numbers
from savings_groups.core.dates import today
from savings_groups.core.errors import N_, DomainError
from savings_groups.core.numbers import require_int

# Largest amount accepted from a form, in minor units: far inside a BigIntegerField (2**63 - 1),
# so that sums of many amounts still fit.
MAX_AMOUNT = 10**15

PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]*)?|-?\.[0-9]+", re.ASCII)


class MoneyError(DomainError, ValueError):
    """Text that is not an acceptable amount; the message says why, in words a treasurer knows."""


def _require_unit(unit: object) -> int:
    if require_int("unit", unit) <= 0:
        raise ValueError(f"unit must be positive, not {unit}")
    return unit


def currency_digits(code: str) -> int:
    """Decimal digits of an ISO 4217 currency, from CLDR, so that none is ever hard-coded."""
    if not is_currency(code):
        raise ValueError(f"unknown currency code {code!r}")
    return get_currency_precision(code)


def country_currencies(country: str) -> list[str]:
    """The currencies legal tender today in a country (an ISO 3166 code), its main one first,
    from CLDR: ["XOF"] for Senegal; none for an unknown or empty code."""
    return get_territory_currencies(country, today()) if country else []


def currencies_in_use() -> frozenset[str]:
    """The currencies legal tender today somewhere, from CLDR: not the test codes (XTS, XXX),
    nor currencies withdrawn (FRF, XEU), nor precious metals."""
    day = today()
    return frozenset(
        code
        for territory in get_global("territory_currencies")
        for code in get_territory_currencies(territory, day)
    )


def round_to_unit(amount: Decimal | int, unit: int) -> int:
    """Round minor units to a multiple of `unit`, half up: a half goes away from zero.

    This is Decimal's ROUND_HALF_UP: 12.5 -> 25 and -12.5 -> -25 with unit 25, so a negative
    amount rounds as the mirror image of its positive and the sign of an entry changes nothing.
    """
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal):
        raise TypeError(f"amount must be an int or a Decimal, not {type(amount).__name__}")
    if isinstance(amount, Decimal) and not amount.is_finite():
        raise ValueError(f"amount must be finite, not {amount}")
    unit = _require_unit(unit)
    quota = Fraction(amount) / unit  # exact, whatever the Decimal context's precision
    units = int(abs(quota) + Fraction(1, 2))  # int() truncates: floor, as the value is >= 0
    return (units if quota >= 0 else -units) * unit


def split_largest_remainder(total: int, weights: list[int], unit: int = 1) -> tuple[list[int], int]:
    """Split `total` in whole units in proportion to `weights`, returning (parts, carry-over).

    The whole units are `total // unit`; each weight first gets the floor of its exact quota of
    them, then the units left go one each to the largest fractional remainders, a tie to the
    earlier weight. What is below one unit, or everything when no weight is positive (or there
    are no weights), is the carry-over, so `sum(parts) + carry == total` always holds.
    """
    total = require_int("total", total)
    unit = _require_unit(unit)
    weights = [require_int("weight", weight) for weight in weights]
    if total < 0:
        raise ValueError(f"total must not be negative, not {total}")
    if any(weight < 0 for weight in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        return [0] * len(weights), total
    units = total // unit
    # quota_i = units * w_i / weight_sum = floors[i] + remainders[i] / weight_sum, exactly.
    floors = [units * weight // weight_sum for weight in weights]
    remainders = [units * weight % weight_sum for weight in weights]
    left = units - sum(floors)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[:left]:
        floors[i] += 1
    parts = [count * unit for count in floors]
    return parts, total - units * unit


def to_major(amount: int, currency: str) -> Decimal:
    """Minor units as an exact Decimal of major units, with exactly the currency's decimals."""
    amount = require_int("amount", amount)
    return Decimal(f"{amount}e-{currency_digits(currency)}")


def to_minor(major: Decimal | int | str, currency: str) -> int:
    """Major units (a Decimal, an int or a plain "1234.50") as minor units, refusing to round."""
    if isinstance(major, bool) or not isinstance(major, int | Decimal | str):
        raise TypeError(f"major must be a Decimal, an int or a str, not {type(major).__name__}")
    if isinstance(major, str) and not PLAIN_NUMBER.fullmatch(major):
        raise ValueError(f"{major!r} is not a plain number like 1234.50")
    value = Decimal(major)
    if not value.is_finite():
        raise ValueError(f"amount must be finite, not {major}")
    minor = Fraction(value) * 10 ** currency_digits(currency)
    if minor.denominator != 1:
        raise ValueError(f"{major} has more decimals than {currency} has")
    return int(minor)


def format_amount(amount: int, currency: str, locale: str, with_symbol: bool = True) -> str:
    """Minor units as text in the reader's locale, with the currency's decimals.

    The same text as Babel's format_currency of the exact Decimal (which has exactly the
    currency's decimals, so Babel's half-even rounding has nothing to round), written from
    the locale's pattern and symbols read once per currency, locale and form (_AmountFormat):
    a page shows hundreds of amounts, and Babel reads its data again for each one.
    tests/core/test_money.py checks both agree on every locale the app offers and more.
    """
    amount = require_int("amount", amount)
    form = _amount_format(currency, str(locale), with_symbol)
    if form is None:
        return _format_amount_with_babel(amount, currency, locale, with_symbol)
    return form.write(amount)


def _format_amount_with_babel(amount: int, currency: str, locale, with_symbol: bool) -> str:
    value = to_major(amount, currency)
    if with_symbol:
        return format_currency(value, currency, locale=locale)
    # The locale's plain number pattern; passing the currency only fixes the decimals.
    pattern = Locale.parse(locale).decimal_formats[None]
    return format_currency(value, currency, format=pattern, locale=locale)


class _AmountFormat:
    """How a locale writes amounts of one currency: Babel's NumberPattern.apply for a Decimal
    with exactly the currency's decimals, unrolled (grouping, symbols, affixes)."""

    __slots__ = ("digits", "minimum", "first", "other", "group", "decimal", "affixes")

    def __init__(self, digits, minimum, grouping, group, decimal, affixes):
        self.digits = digits
        self.minimum = minimum
        self.first, self.other = grouping
        self.group = group
        self.decimal = decimal
        self.affixes = affixes  # ((prefix, suffix) of a positive amount, of a negative one)

    def write(self, amount: int) -> str:
        negative = amount < 0
        text = str(-amount if negative else amount)
        digits = self.digits
        if digits:
            text = text.rjust(digits + 1, "0")
            whole, fraction = text[:-digits], self.decimal + text[-digits:]
        else:
            whole, fraction = text, ""
        if len(whole) < self.minimum:
            whole = "0" * (self.minimum - len(whole)) + whole
        size, groups = self.first, []
        while len(whole) > size:
            groups.append(whole[-size:])
            whole = whole[:-size]
            size = self.other
        if groups:
            groups.append(whole)
            groups.reverse()
            whole = self.group.join(groups)
        prefix, suffix = self.affixes[negative]
        return f"{prefix}{whole}{fraction}{suffix}"


@functools.cache
def _amount_format(currency: str, locale: str, with_symbol: bool) -> "_AmountFormat | None":
    """The locale's way with this currency, or None where the pattern is one this unrolling
    does not cover (Babel then formats): scientific, significant digits, a scale, the
    currency's long name, or a quote anywhere (Babel strips quoted text from the whole result)."""
    parsed = Locale.parse(locale)
    pattern = parsed.currency_formats["standard"] if with_symbol else parsed.decimal_formats[None]
    symbols = parsed.number_symbols["latn"]
    group, decimal = symbols["group"], symbols["decimal"]
    affixes = []
    for sign in (0, 1):
        prefix, suffix = pattern.prefix[sign], pattern.suffix[sign]
        if "¤¤¤" in prefix + suffix:
            return None
        prefix, suffix = (
            part.replace("¤¤", currency.upper()).replace("¤", get_currency_symbol(currency, parsed))
            if "¤" in prefix + suffix
            else part
            for part in (prefix, suffix)
        )
        affixes.append((prefix, suffix))
    texts = [group, decimal, *(part for pair in affixes for part in pair)]
    if (
        pattern.exp_prec
        or pattern.scale
        or "@" in pattern.pattern
        or pattern.number_pattern == ""
        or any("'" in text for text in texts)
    ):
        return None
    return _AmountFormat(
        currency_digits(currency),
        pattern.int_prec[0],
        pattern.grouping,
        group,
        decimal,
        tuple(affixes),
    )


def _example(currency: str, locale: str) -> str:
    """An amount written the way parse_amount wants it, for the error messages."""
    digits = currency_digits(currency)
    sample = 1234 * 10**digits + (5 * 10 ** (digits - 1) if digits else 0)
    return format_amount(sample, currency, locale, with_symbol=False)


def parse_amount(
    text: str,
    currency: str,
    locale: str,
    allow_negative: bool = False,
    field: str | None = None,
) -> int:
    """Text typed in the reader's locale as minor units, refusing anything ambiguous.

    Read by the rules every typed number follows (numbers.read): only digits, the locale's
    grouping and decimal separators, where the locale puts them, and a leading minus: in French
    "1.000" is refused rather than read as one franc, and "1 2" rather than read as twelve. Any
    kind of space groups when the locale groups with a space. More decimals than the currency
    has are refused, even zeros.
    """
    digits = currency_digits(currency)
    typed = numbers.read(text, locale)
    if typed is None:
        raise MoneyError(N_("Enter an amount."), field=field)
    if not typed.is_plain(locale):
        raise _not_a_number(text, currency, locale, field)
    if len(typed.body) > numbers.LONGEST:  # more digits than any sane amount
        raise _too_large(currency, locale, field)
    value = typed.value(locale)
    if value is None:
        raise _not_a_number(text, currency, locale, field)
    if typed.decimals_written(locale) > digits:  # even zeros: "1.000" XOF in English is a thousand
        raise MoneyError(
            N_("Too many decimals: write %(currency)s amounts like %(example)s."),
            field=field,
            currency=currency,
            example=_example(currency, locale),
        )
    minor = int(Fraction(value) * 10**digits)  # whole: no more decimals than digits
    amount = -minor if typed.negative else minor
    if amount < 0 and not allow_negative:
        raise MoneyError(N_("The amount cannot be negative."), field=field)
    if abs(amount) > MAX_AMOUNT:
        raise _too_large(currency, locale, field)
    return amount


def amount_of(value: int | str | None, currency: str, locale: str, field: str | None = None) -> int:
    """An amount given as minor units (an int, from code) or as text typed by a user
    (parse_amount), for the domain's inputs that take either; never negative."""
    if value is None or isinstance(value, str):
        return parse_amount(value or "", currency, locale, field=field)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{field} must be minor units (int) or text, not {type(value).__name__}")
    if value < 0:
        raise MoneyError(N_("The amount cannot be negative."), field=field)
    if value > MAX_AMOUNT:
        raise MoneyError(N_("This amount is too large."), field=field)
    return value


def _too_large(currency: str, locale: str, field: str | None) -> MoneyError:
    return MoneyError(
        N_("The amount cannot be more than %(maximum)s."),
        field=field,
        maximum=format_amount(MAX_AMOUNT, currency, locale),
    )


def _not_a_number(text: str, currency: str, locale: str, field: str | None) -> MoneyError:
    return MoneyError(
        N_("%(text)s is not an amount: write it like %(example)s."),
        field=field,
        text=text,
        example=_example(currency, locale),
    )
