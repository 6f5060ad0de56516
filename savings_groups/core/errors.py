"""Named, translatable errors raised by the domain and shown by the views."""

from decimal import Decimal


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def NP_(context: str, message: str) -> str:
    """Mark a message with its context (msgctxt) for extraction (`-k NP_:1c,2`); it is
    translated where it is shown, with pgettext."""
    return message


class Amount(int):
    """An amount in minor units among a message's params, shown as money where the message is
    shown (in the reader's locale); still an int for whoever computes with it."""

    currency: str

    def __new__(cls, value: int, currency: str) -> "Amount":
        amount = super().__new__(cls, value)
        amount.currency = currency
        return amount


class Number(Decimal):
    """A number that is not money among a message's params (a ratio, a limit), shown with the
    reader's decimal symbol and grouping where the message is shown: "1,5" in French, "1.5" in
    English; still a Decimal for whoever computes with it."""

    def __new__(cls, value: Decimal | int) -> "Number":
        if isinstance(value, float):
            raise TypeError("a Number is made from a Decimal or an int, not a float")
        return super().__new__(cls, value)


class DomainError(Exception):
    """A rule of the domain was broken; `message` is an English msgid with %(name)s fields."""

    def __init__(self, message: str, field: str | None = None, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.field = field
        self.params = params

    def translate(self, gettext) -> str:
        """The message in the reader's language, given a gettext(msgid, **params)."""
        return gettext(self.message, **self.params)


class Invalid(DomainError):
    """Several fields of one save break a rule; `errors` holds one DomainError per field, so that
    a page shows them all at once, each next to its field. Nothing was written."""

    def __init__(self, errors: list[DomainError]):
        super().__init__(N_("Nothing was saved: correct the entries marked below."))
        self.errors = errors


class NotFound(DomainError):
    """The object does not exist or the user may not know that it does."""


class Forbidden(DomainError):
    """The user may see the object but their role may not do this."""
