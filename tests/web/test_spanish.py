"""A treasurer who reads Spanish sees the main pages in Spanish: no English sentence is left on the
group page, the meeting page, the passbook, the loans and the members list; money is written by
Babel's es locale (1.250.000 XOF); words about a member agree with her or him."""

import re

import pytest
from babel.numbers import format_currency

from tests.web.languages import (
    assert_catalog_says,
    assert_no_english_left,
    english_sentences,
    glossary_mismatches,
    member_row,
    readers_in,
    savings_books,
    visible,
)
from tests.web.test_i18n import load_po

ENGLISH = english_sentences("Rosa Quispe")
ENGLISH["group"].append("No meeting closed yet: the chart appears after the first one.")
SPANISH = {
    "group": ["Grupo de ahorro", "Cierre sesión"],
    "members": ["Agregue un miembro", "Migrante retornada", "Migrante retornado", "Tesorera"],
    "meeting": ["Guarde el borrador", "Cierre la reunión", "Asistencia", "Fondo social"],
    "passbook": ["Libreta — 1. Rosa Quispe", "Total ahorrado", "Fondo social pagado"],
    "loans": ["Cartera en riesgo (PAR>30)", "Préstamos en pago"],
    "loan": ["Préstamo de Rosa Quispe", "Monto prestado", "Tasa de interés"],
}


WORDS = {
    "Share-out": "Reparto",
    "Social fund": "Fondo social",
    "Share value": "Valor de la acción",
    "Fine": "Multa",
    "Hand": "Cupo",
    "Pot": "Pozo",
    "ROSCA (tontine)": "Tanda (ROSCA)",
}
GENDERED = (
    ("Returnee", "Migrante retornada", "Migrante retornado"),
    ("Chair", "Presidenta", "Presidente"),
    ("Present", "Presente", "Presente"),
    ("Excused", "Justificada", "Justificado"),
    ("served", "beneficiada", "beneficiado"),
)


def es_money(amount: int) -> str:
    """XOF has no minor unit: the amount is whole francs, written by Babel's es locale."""
    return format_currency(amount, "XOF", locale="es")


@pytest.fixture
def books(app, admin, make_group, make_member, make_cycle):
    """A savings group in XOF with three members, their shares, a loan and a meeting."""
    names = ("Rosa Quispe", "Jorge Mamani", "Ana Condori")
    return savings_books(admin, make_group, make_member, make_cycle, "Ahorro Andino", names)


@pytest.fixture
def readers(app, web, make_user):
    """The same pages read by Lucía (Spanish) and by the administrator (English)."""
    return readers_in(app, web, make_user, "lucia", "es")


def test_the_spanish_catalog_is_complete_and_agrees_with_the_glossary():
    catalog = load_po("es")
    assert catalog.num_plurals == 3
    messages = [m for m in catalog if m.id]
    assert all(m.string and (isinstance(m.string, str) or all(m.string)) for m in messages)
    # The words of translations/GLOSSARY.es.md, and the words about a person in both genders.
    assert_catalog_says("es", WORDS, GENDERED)


@pytest.mark.parametrize("page", sorted(ENGLISH))
def test_no_english_is_left_on_the_main_pages(books, readers, page):
    spanish, english = readers
    path = books["paths"][page]
    source, shown = visible(english(path)), visible(spanish(path))
    assert 'lang="es"' in spanish(path)
    assert_no_english_left("es", page, source, shown, ENGLISH[page], SPANISH[page])


def test_money_is_written_by_the_spanish_locale(books, readers):
    spanish, english = readers
    paths = books["paths"]
    assert es_money(1_250_000) == "1.250.000\xa0XOF"  # es groups thousands with a dot
    passbook = visible(spanish(paths["passbook"]))
    assert es_money(1_250_000).replace("\xa0", " ") in passbook
    assert "1,250,000" not in passbook
    assert "1,250,000" in visible(english(paths["passbook"]))
    loans = visible(spanish(paths["loans"]))
    assert es_money(30_000).replace("\xa0", " ") in loans
    assert "30,000" not in loans
    loan = visible(spanish(paths["loan"]))
    assert es_money(30_000).replace("\xa0", " ") in loan
    assert "10% a la semana" in loan  # Latin American usage (es_419): no space before %
    # Dates in the Spanish way too: month names in Spanish.
    assert re.search(r"\b2 feb(rero|\.)? 2026|2/2/2026|02/02/2026", loan, re.I)


def test_words_about_a_member_agree_in_spanish(books, readers):
    spanish, _ = readers
    members = spanish(books["paths"]["members"])
    rosa, jorge = member_row(members, "Rosa Quispe"), member_row(members, "Jorge Mamani")
    assert "Migrante retornada" in rosa and "Tesorera" in rosa
    assert "Migrante retornado" in jorge and "Presidente" in jorge
    meeting = spanish(books["paths"]["meeting"])
    assert re.search(rf'id="m{books["chair"].id}-attendance".*?selected>Ausente<', meeting, re.S)


# The words of translations/GLOSSARY.es.md: a message that says the English term says the Spanish.
TERMS = {
    r"\bsocial fund\b": "fondo social",
    r"\bloan fund\b": "fondo de préstamos",
    r"\bpots?\b": "pozo",
    r"\bhands?\b(?! over| to\b)": "cupo",
    r"\bfines?\b": "multa",
    r"\bpassbooks?\b": "libreta",
    r"\breturnees?\b": "retornad",
    r"\bshare-outs?\b|\bshared? out\b": "repart",
    r"\bguarantors?\b": "garante",
    r"\brotations?\b": "rotaci",
    r"\brounds?\b(?!ed|ing)": "ronda",
    r"\bROSCAs?\b": "tanda",
    r"\bcycles?\b": "ciclo",
    r"\bwr(?:ite|itten|iting) off\b|\bwrite-off\b": "pérdida",
    r"\bbid(?:s|ding)?\b": "puj",
}
# Where the English word is not the term of the trade.
NOT_THE_TERM = re.compile(r"changed hands|\bby hand\b", re.I)


def test_the_words_of_the_trade_are_the_glossary_s():
    wrong = glossary_mismatches("es", TERMS, NOT_THE_TERM)
    assert not wrong, "\n".join(wrong)
