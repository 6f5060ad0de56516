"""Domain messages reach the reader in their language, with amounts written as money."""

from savings_groups.core.errors import N_, Amount, DomainError
from savings_groups.web.views import translate


def test_amounts_in_a_message_are_shown_as_money_in_the_readers_locale(app):
    error = DomainError(
        N_("There is not enough cash in the loan fund: %(cash)s at most."),
        cash=Amount(150000, "XOF"),
    )
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        shown = translate(error)
    assert shown == (
        "Il n’y a pas assez d’argent dans la caisse de crédit\u00a0: "
        "150\u202f000\u00a0F\u202fCFA au maximum."
    )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "NGN1,234.56" in translate(DomainError("%(x)s", x=Amount(123456, "NGN")))
    assert Amount(5, "XOF") + 1 == 6  # still an int for the code that computes with it
