"""A treasurer who reads Spanish sees the main pages in Spanish: no English sentence is left on the
group page, the meeting page, the passbook, the loans and the members list; money is written by
Babel's es locale (1.250.000 XOF); words about a member agree with her or him."""

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from babel.numbers import format_currency

from savings_groups.core.vocabulary import EntryKind, Fund, Role
from savings_groups.ledger import entries as ledger
from savings_groups.loans import operations as lending
from savings_groups.loans.requests import LoanRequest
from savings_groups.meetings import operations as meetings
from savings_groups.meetings.sheet import MeetingSheet, MemberLine
from savings_groups.store.db import db
from tests.conftest import Browser
from tests.web.test_i18n import load_po

RULES = {
    "loan_rate": Decimal("0.10"),
    "loan_method": "flat",
    "loan_max_multiple": Decimal(3),
    "loan_max_periods": 4,
    "debt_warning_ratio": Decimal(2),
}

# Sentences and labels known to be on these pages in English: none may be left in Spanish.
ENGLISH = {
    "group": [
        "Edit the group",
        "Cycles and rules",
        "Money history",
        "Savings to date",
        "No meeting closed yet: the chart appears after the first one.",
        "Savings group",
        "Main menu",
        "Log out",
        "Change language",
    ],
    "members": [
        "Add a member",
        "Role in the group",
        "Record a departure",
        "Community member",
        "Settle and leave",
        "Returnee",
        "Treasurer",
    ],
    "meeting": [
        "Save draft",
        "Close the meeting",
        "Attendance",
        "Shares bought",
        "Social fund",
        "Cash counted",
        "Save the draft and grant a loan",
    ],
    "passbook": [
        "Another member's passbook",
        "Total saved",
        "Social fund paid",
        "Every figure comes from the ledger: corrections are included.",
    ],
    "loans": [
        "Portfolio at risk (PAR>30)",
        "Loans being repaid",
        "Principal outstanding",
        "Interest due",
        "Repayment rate",
    ],
    "loan": [
        "Loan of Rosa Quispe",
        "Amount lent",
        "Interest rate",
        "Where the loan stands on",
        "No rescheduling or write-off.",
    ],
}
SPANISH = {
    "group": ["Grupo de ahorro", "Cierre sesión"],
    "members": ["Agregue un miembro", "Migrante retornada", "Migrante retornado", "Tesorera"],
    "meeting": ["Guarde el borrador", "Cierre la reunión", "Asistencia", "Fondo social"],
    "passbook": ["Libreta — 1. Rosa Quispe", "Total ahorrado", "Fondo social pagado"],
    "loans": ["Cartera en riesgo (PAR>30)", "Préstamos en pago"],
    "loan": ["Préstamo de Rosa Quispe", "Monto prestado", "Tasa de interés"],
}
ATTRIBUTES = re.compile(r'\s(?:aria-label|title|placeholder|alt)="([^"]*)"')


def es_money(amount: int) -> str:
    """XOF has no minor unit: the amount is whole francs, written by Babel's es locale."""
    return format_currency(amount, "XOF", locale="es")


def visible(page: str) -> str:
    """What a reader meets on the page: its text and its labels, scripts and styles left out."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    labels = " ".join(ATTRIBUTES.findall(body))
    text = re.sub(r"<[^>]+>", " ", body) + " " + labels
    return re.sub(r"\s+", " ", html.unescape(text).replace("\xa0", " "))


@pytest.fixture
def books(app, admin, make_group, make_member, make_cycle):
    """A savings group in XOF with three members, their shares, a loan and a meeting."""
    group = make_group("Ahorro Andino", rounding_unit=25, meeting_frequency="weekly")
    cycle = make_cycle(group, **RULES)
    rosa = make_member(group, "Rosa Quispe", gender="female", group_role="treasurer")
    jorge = make_member(group, "Jorge Mamani", gender="male", group_role="chair")
    ana = make_member(group, "Ana Condori", gender="female", member_type="community")
    with db.connection_context():
        for member, amount in ((rosa, 1_250_000), (jorge, 40_000), (ana, 40_000)):
            ledger.post(
                admin,
                group,
                Fund.LOAN_FUND,
                EntryKind.SHARE_PURCHASE,
                amount,
                cycle=cycle,
                member=member,
                shares=amount // 1_000,
            )
        loan = lending.grant_loan(
            admin, group, cycle, LoanRequest(rosa, 30_000, 3, "business", ()), date(2026, 2, 2)
        )
        meeting = meetings.open_meeting(admin, group, date(2026, 3, 2))
        sheet = MeetingSheet(
            [
                MemberLine(rosa.id, shares=2),
                MemberLine(jorge.id, "absent"),
                MemberLine(ana.id, "excused"),
            ]
        )
        meetings.save_draft(admin, meeting, sheet, 0)
    base = f"/groups/{group.id}"
    return {
        "paths": {
            "group": base,
            "members": f"{base}/members",
            "meeting": f"{base}/meetings/{meeting.id}",
            "passbook": f"{base}/members/{rosa.id}/passbook",
            "loans": f"{base}/loans",
            "loan": f"{base}/loans/{loan.id}",
        },
        "rosa": rosa,
        "jorge": jorge,
    }


@pytest.fixture
def readers(app, web, make_user):
    """The same pages read by Lucía (Spanish) and by the administrator (English)."""
    make_user("lucia", role=Role.ADMIN, locale="es")
    web.login("lucia")
    english = Browser(app.test_client())
    english.login("admin")

    def read(browser, path):
        response = browser.client.get(path)
        assert response.status_code == 200, path
        return response.get_data(as_text=True)

    return lambda path: read(web, path), lambda path: read(english, path)


def test_the_spanish_catalog_is_complete_and_agrees_with_the_glossary():
    catalog = load_po("es")
    assert catalog.num_plurals == 3
    messages = [m for m in catalog if m.id]
    assert all(m.string and (isinstance(m.string, str) or all(m.string)) for m in messages)
    # The words of translations/GLOSSARY.es.md, and the words about a person in both genders.
    assert catalog.get("Share-out").string == "Reparto"
    assert catalog.get("Social fund").string == "Fondo social"
    assert catalog.get("Share value").string == "Valor de la acción"
    assert catalog.get("Fine").string == "Multa"
    assert catalog.get("Hand").string == "Cupo"
    assert catalog.get("Pot").string == "Pozo"
    assert catalog.get("ROSCA (tontine)").string == "Tanda (ROSCA)"
    for word, female, male in (
        ("Returnee", "Migrante retornada", "Migrante retornado"),
        ("Chair", "Presidenta", "Presidente"),
        ("Present", "Presente", "Presente"),
        ("Excused", "Justificada", "Justificado"),
        ("served", "beneficiada", "beneficiado"),
    ):
        assert catalog.get(word, "female").string == female
        assert catalog.get(word, "male").string == male


@pytest.mark.parametrize("page", sorted(ENGLISH))
def test_no_english_is_left_on_the_main_pages(books, readers, page):
    spanish, english = readers
    path = books["paths"][page]
    source, shown = visible(english(path)), visible(spanish(path))
    assert 'lang="es"' in spanish(path)
    for sentence in ENGLISH[page]:
        assert sentence in source, f"{sentence!r} is no longer on the English {page} page"
        assert sentence not in shown, f"{sentence!r} is left in English on the {page} page"
    for sentence in SPANISH[page]:
        assert sentence in shown, f"{sentence!r} is missing from the Spanish {page} page"
    # Beyond the list: no message of several words that the English page shows is left as is.
    catalog = load_po("es")
    for message in catalog:
        if not isinstance(message.id, str) or "%" in message.id or " " not in message.id:
            continue
        if message.string == message.id or len(message.id) < 10:
            continue
        if message.id in source:
            assert message.id not in shown, f"{message.id!r} is left in English on the {page} page"


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
    rosa = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Rosa Quispe(?:(?!</tr>).)*</tr>", members, re.S)
    jorge = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Jorge Mamani(?:(?!</tr>).)*</tr>", members, re.S)
    assert "Migrante retornada" in rosa.group(0) and "Tesorera" in rosa.group(0)
    assert "Migrante retornado" in jorge.group(0) and "Presidente" in jorge.group(0)
    meeting = spanish(books["paths"]["meeting"])
    assert re.search(rf'id="m{books["jorge"].id}-attendance".*?selected>Ausente<', meeting, re.S)


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
    catalog = load_po("es")
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        english = message.id if isinstance(message.id, str) else message.id[1]
        spanish = message.string if isinstance(message.string, str) else message.string[-1]
        if NOT_THE_TERM.search(english):
            continue
        for term, word in TERMS.items():
            if re.search(term, english, re.I) and word not in spanish.lower():
                wrong.append(f"{english!r} -> {spanish!r}: expected {word!r}")
    assert not wrong, "\n".join(wrong)
