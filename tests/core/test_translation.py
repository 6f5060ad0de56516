"""Messages outside a request (the command): the language chosen from the environment as gettext
chooses it, and domain errors written the reader's way."""

from decimal import Decimal

import pytest

from savings_groups import resource_dir
from savings_groups.core import translation
from savings_groups.core.errors import N_, Amount, DomainError, Number

AVAILABLE = ["en", "es", "fr", "pt_BR"]


@pytest.mark.parametrize(
    ("environ", "asked", "chosen"),
    [
        ({}, None, "en"),
        ({"LANG": "fr_FR.UTF-8"}, None, "fr"),
        ({"LANG": "fr"}, None, "fr"),
        ({"LANG": "es_PE.UTF-8"}, None, "es"),
        ({"LANG": "de_DE.UTF-8"}, None, "en"),  # not installed: English, no error
        ({"LANG": "C.UTF-8"}, None, "en"),
        ({"LANG": "POSIX"}, None, "en"),
        ({"LANG": "pt_BR.UTF-8"}, None, "pt_BR"),
        ({"LANG": "pt_PT.UTF-8"}, None, "en"),  # pt_BR is not Portuguese of Portugal
        ({"LANG": "fr_BE.ISO-8859-1@euro"}, None, "fr"),
        ({"LANGUAGE": "de:es:fr", "LANG": "fr_FR.UTF-8"}, None, "es"),  # the first installed
        ({"LANGUAGE": "", "LANG": "fr_FR.UTF-8"}, None, "fr"),  # empty counts as unset
        ({"LC_ALL": "es_ES.UTF-8", "LANG": "fr_FR.UTF-8"}, None, "es"),
        ({"LC_MESSAGES": "fr_FR.UTF-8", "LANG": "es_ES.UTF-8"}, None, "fr"),
        ({"LANGUAGE": "en:fr"}, None, "en"),  # English is installed: it is the source
        ({"LANG": "fr_FR.UTF-8"}, "es", "es"),  # the option beats the environment
        ({"LANG": "fr_FR.UTF-8"}, "xx", "en"),  # even when it asks for what is not here
        ({}, "FR", "fr"),
    ],
)
def test_the_language_is_chosen_as_gettext_chooses_it(environ, asked, chosen):
    assert translation.choose(AVAILABLE, environ, asked) == chosen


def test_the_installed_languages_are_english_and_those_with_a_compiled_catalog():
    assert translation.installed(resource_dir("translations"))[:1] == ["en"]
    assert {"fr", "es"} <= set(translation.installed(resource_dir("translations")))


@pytest.fixture
def french():
    return translation.Messages(resource_dir("translations"), "fr")


def test_a_domain_error_is_translated_with_its_numbers_the_readers_way(french):
    error = DomainError(
        N_("After this loan the member would owe more than %(ratio)s times their savings."),
        ratio=Number(Decimal("1.50")),
    )
    assert french.error(error) == "Après ce prêt, le membre devrait plus de 1,5 fois son épargne."
    assert french.error(DomainError(N_("Enter %(maximum)s or less."), maximum=Number(2000))) == (
        "Saisissez 2\u202f000 ou moins."
    )


def test_an_amount_is_money_in_the_readers_locale(french):
    assert french.readable(Amount(150000, "XOF")) == "150\u202f000\u00a0F\u202fCFA"
    assert translation.Messages().readable(Amount(150000, "XOF")) == "F\u202fCFA150,000"


def test_english_is_the_msgid_itself_and_params_are_filled():
    english = translation.Messages()
    assert english.gettext("Database: %(url)s", url="sqlite://") == "Database: sqlite://"
    assert english.ngettext("%(num)s group", "%(num)s groups", 2) == "2 groups"
