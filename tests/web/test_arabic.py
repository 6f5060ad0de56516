"""A treasurer who reads Arabic sees the main pages in Arabic, right to left: no English sentence
is left on the group page, the members list, the meeting page, the passbook, the loans, the
share-out preview and the ROSCA rotation page; <html> says dir="rtl" and Bootstrap's RTL sheet is
loaded; money is written by Babel's ar locale; words about a member agree with her or him; the
catalog has the six plural forms of Arabic and keeps to translations/GLOSSARY.ar.md."""

import re
from datetime import date
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_currency

from savings_groups.core.vocabulary import EntryKind, Fund, Role
from savings_groups.ledger import entries as ledger
from savings_groups.loans import operations as lending
from savings_groups.loans.requests import LoanRequest
from savings_groups.meetings import operations as meetings
from savings_groups.meetings.sheet import MeetingSheet, MemberLine
from savings_groups.practice import operations as practice
from savings_groups.store.db import db
from tests.conftest import Browser
from tests.rosca.test_rounds import run_round, set_up_rotation
from tests.web.test_i18n import load_po
from tests.web.test_spanish import visible

RULES = {
    "loan_rate": Decimal("0.10"),
    "loan_method": "flat",
    "loan_max_multiple": Decimal(3),
    "loan_max_periods": 4,
    "debt_warning_ratio": Decimal(2),
}

# Sentences and labels known to be on these pages in English: none may be left in Arabic.
ENGLISH = {
    "group": [
        "Edit the group",
        "Cycles and rules",
        "Money history",
        "Savings to date",
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
        "Loan of Fatima Benali",
        "Amount lent",
        "Interest rate",
        "Where the loan stands on",
        "No rescheduling or write-off.",
    ],
    "share-out": [
        "Preview — not final",
        "Each member",
        "Finalise the share-out",
        "The rules the group chose",
    ],
    "rotation": [
        "Contribution per hand, each round",
        "Where the rotation stands",
        "Every member's position",
        "Organiser's commission",
    ],
}
ARABIC = {
    "group": ["مجموعة ادخار", "تسجيل الخروج", "تعديل المجموعة", "المدخرات حتى الآن"],
    "members": ["إضافة عضو", "مهاجرة عائدة", "مهاجر عائد", "أمينة الصندوق", "الرئيس"],
    "meeting": ["حفظ المسودة", "إغلاق الاجتماع", "الحضور", "الصندوق الاجتماعي"],
    "passbook": ["دفتر العضو", "مجموع المدَّخر", "المدفوع للصندوق الاجتماعي"],
    "loans": ["المحفظة المعرَّضة للخطر (PAR>30)", "القروض قيد السداد"],
    "loan": ["قرض Fatima Benali", "المبلغ المقرَض", "نسبة الفائدة"],
    "share-out": ["معاينة — غير نهائية", "كل عضو", "إتمام التوزيع"],
    "rotation": ["الاشتراك لكل حصة، في كل جولة", "وضع دورة التناوب", "وضع كل عضو"],
}


def ar_money(amount: int, currency: str = "XOF") -> str:  # in major units
    """As visible() shows it: Babel's ar pattern, its (narrow) no-break spaces as spaces."""
    return re.sub(r"\s+", " ", format_currency(amount, currency, locale="ar"))


@pytest.fixture
def books(app, admin, make_group, make_member, make_cycle):
    """A savings group in XOF with three members, their shares, a loan and a meeting being
    recorded; and a dārat (ROSCA) in MAD that has run its first round."""
    group = make_group("جمعية الأمل", rounding_unit=25, meeting_frequency="weekly")
    cycle = make_cycle(group, **RULES)
    fatima = make_member(group, "Fatima Benali", gender="female", group_role="treasurer")
    youssef = make_member(group, "Youssef Amrani", gender="male", group_role="chair")
    khadija = make_member(group, "Khadija Idrissi", gender="female", member_type="community")
    with db.connection_context():
        for member, amount in ((fatima, 1_250_000), (youssef, 40_000), (khadija, 40_000)):
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
            admin, group, cycle, LoanRequest(fatima, 30_000, 3, "business", ()), date(2026, 2, 2)
        )
        meeting = meetings.open_meeting(admin, group, date(2026, 3, 2))
        sheet = MeetingSheet(
            [
                MemberLine(fatima.id, shares=2),
                MemberLine(youssef.id, "absent"),
                MemberLine(khadija.id, "excused"),
            ]
        )
        meetings.save_draft(admin, meeting, sheet, 0)
    darat = make_group("دارت الخير", kind="rosca", currency="MAD")
    people = [make_member(darat, full_name=n) for n in ("Amina", "Zineb", "Meryem", "Houda")]
    with db.connection_context():
        rotation = set_up_rotation(admin, darat, people)
        run_round(admin, rotation, 1)
    base = f"/groups/{group.id}"
    return {
        "paths": {
            "group": base,
            "members": f"{base}/members",
            "meeting": f"{base}/meetings/{meeting.id}",
            "passbook": f"{base}/members/{fatima.id}/passbook",
            "loans": f"{base}/loans",
            "loan": f"{base}/loans/{loan.id}",
            "share-out": f"{base}/share-out",
            "rotation": f"/groups/{darat.id}/rotations/{rotation.id}",
        },
        "fatima": fatima,
        "youssef": youssef,
        "khadija": khadija,
    }


@pytest.fixture
def readers(app, web, make_user):
    """The same pages read by Salma (Arabic) and by the administrator (English)."""
    make_user("salma", role=Role.ADMIN, locale="ar")
    web.login("salma")
    english = Browser(app.test_client())
    english.login("admin")

    def read(browser, path):
        response = browser.client.get(path)
        assert response.status_code == 200, path
        return response.get_data(as_text=True)

    return lambda path: read(web, path), lambda path: read(english, path)


def test_the_arabic_catalog_is_complete_with_six_plural_forms():
    catalog = load_po("ar")
    assert catalog.num_plurals == 6
    messages = [m for m in catalog if m.id]
    assert all(m.string and (isinstance(m.string, str) or all(m.string)) for m in messages)
    plurals = [m for m in messages if isinstance(m.id, tuple)]
    assert plurals and all(len(m.string) == 6 for m in plurals)
    members = catalog.get(("%(num)d current member", "%(num)d current members"))
    assert members.string[2] == "%(num)d عضوان حاليان"  # the dual
    assert members.string[3] == "%(num)d أعضاء حاليين"  # 3 to 10
    assert members.string[4] == "%(num)d عضوًا حاليًا"  # 11 to 99


def test_the_words_of_the_trade_are_those_of_the_glossary():
    catalog = load_po("ar")
    assert catalog.get("Share-out").string == "التوزيع"
    assert catalog.get("Share").string == "سهم"
    assert catalog.get("Social fund").string == "الصندوق الاجتماعي"
    assert catalog.get("Share value").string == "قيمة السهم"
    assert catalog.get("Fine").string == "غرامة"
    assert catalog.get("Pot").string == "الحصيلة"
    assert catalog.get("Hand").string == "الحصة"
    assert catalog.get("ROSCA (tontine)").string == "دارت (جمعية تناوبية)"
    assert catalog.get("Treasurer").string == "أمين/أمينة الصندوق"
    for word, female, male in (
        ("Returnee", "مهاجرة عائدة", "مهاجر عائد"),
        ("Treasurer", "أمينة الصندوق", "أمين الصندوق"),
        ("Chair", "الرئيسة", "الرئيس"),
        ("Present", "حاضرة", "حاضر"),
        ("Excused", "غائبة بعذر", "غائب بعذر"),
        ("served", "تسلّمت", "تسلّم"),
    ):
        assert catalog.get(word, "female").string == female
        assert catalog.get(word, "male").string == male


# A message that says the English term says the Arabic word (short vowels and tatweel left out).
TERMS = {
    r"\bsocial fund\b": "اجتماعي",
    r"\bloan fund\b": "صندوق القروض",
    r"\bpots?\b": "حصيل",
    r"\bhands?\b(?! over| to\b)": "حص",
    r"\bfines?\b": "غرام",
    r"\bpassbooks?\b": "دفتر|دفاتر",
    r"\breturnees?\b": "عائد",
    r"\bshare-outs?\b|\bshared? out\b": "وزع|توزيع",
    r"\bguarantors?\b": "كفيل|كفلاء",
    r"\brotations?\b": "تناوب",
    r"\brounds?\b(?!ed|ing)": "جول",
    r"\bROSCAs?\b": "دارت",
    r"\bcycles?\b": "دور",
    r"\bwr(?:ite|itten|iting) off\b|\bwrite-off\b": "شطب|مشطوب",
    r"\bbid(?:s|ding)?\b": "زايد|عرض",
    r"\bloans?\b": "قرض|قروض",
    r"\bshares?\b(?!-out| out| (?:a|with|of|the|among|equally|it|that)\b)": "سهم|أسهم",
}
# Where the English word is not the term of the trade (a share of something, a placeholder).
NOT_THE_TERM = re.compile(
    r"changed hands|\bby hand\b|a share, not both|their share\b|Social fund share|"
    r"small to share|share its members|%\(shares\)s",
    re.I,
)
VOWELS = re.compile("[\u064b-\u0652\u0640]")


def test_every_message_uses_the_glossary_s_words():
    wrong = []
    for message in load_po("ar"):
        if not message.id:
            continue
        english = message.id if isinstance(message.id, str) else message.id[1]
        arabic = message.string if isinstance(message.string, str) else message.string[-1]
        if NOT_THE_TERM.search(english):
            continue
        for term, word in TERMS.items():
            if re.search(term, english, re.I) and not re.search(word, VOWELS.sub("", arabic)):
                wrong.append(f"{english!r} -> {arabic!r}: expected {word!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("page", sorted(ENGLISH))
def test_no_english_is_left_on_the_main_pages(books, readers, page):
    arabic, english = readers
    path = books["paths"][page]
    page_ar = arabic(path)
    source, shown = visible(english(path)), visible(page_ar)
    assert re.search(r'<html lang="ar" dir="rtl"', page_ar)
    assert "bootstrap.rtl.min.css" in page_ar
    assert "bootstrap.rtl.min.css" not in english(path)
    for sentence in ENGLISH[page]:
        assert sentence in source, f"{sentence!r} is no longer on the English {page} page"
        assert sentence not in shown, f"{sentence!r} is left in English on the {page} page"
    for sentence in ARABIC[page]:
        assert sentence in shown, f"{sentence!r} is missing from the Arabic {page} page"
    # Beyond the list: no message of several words that the English page shows is left as is.
    for message in load_po("ar"):
        if not isinstance(message.id, str) or "%" in message.id or " " not in message.id:
            continue
        if message.string == message.id or len(message.id) < 10:
            continue
        if message.id in source:
            assert message.id not in shown, f"{message.id!r} is left in English on the {page} page"


def test_money_dates_and_rates_are_written_by_the_arabic_locale(books, readers):
    arabic, english = readers
    paths = books["paths"]
    # Babel's ar: a right-to-left mark, the amount, then the symbol (F CFA for XOF).
    assert format_currency(1_250_000, "XOF", locale="ar") == "\u200f1,250,000\xa0F\u202fCFA"
    english_money = re.sub(r"\s+", " ", format_currency(1_250_000, "XOF", locale="en"))
    assert english_money != ar_money(1_250_000)
    passbook = visible(arabic(paths["passbook"]))
    assert ar_money(1_250_000) in passbook
    assert english_money not in passbook
    assert english_money in visible(english(paths["passbook"]))
    loans = visible(arabic(paths["loans"]))
    assert ar_money(30_000) in loans
    loan = visible(arabic(paths["loan"]))
    assert ar_money(30_000) in loan
    assert "10% في الأسبوع" in loan
    assert format_date(date(2026, 2, 2), locale="ar") in loan  # 02‏/02‏/2026, marks included
    # The dārat counts in dirhams: 100.00 د.م. a hand, Babel's ar pattern.
    rotation = visible(arabic(paths["rotation"]))
    assert ar_money(100, "MAD") == "\u200f100.00 د.م.\u200f"  # major units, two decimals
    assert ar_money(100, "MAD") in rotation


def test_words_about_a_member_agree_in_arabic(books, readers):
    arabic, _ = readers
    members = arabic(books["paths"]["members"])

    def row(name):
        found = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{name}(?:(?!</tr>).)*</tr>", members, re.S)
        return visible(found.group(0))

    assert "مهاجرة عائدة" in row("Fatima Benali") and "أمينة الصندوق" in row("Fatima Benali")
    assert "مهاجر عائد" in row("Youssef Amrani") and "الرئيس" in row("Youssef Amrani")
    assert "الرئيسة" not in row("Youssef Amrani")
    meeting = arabic(books["paths"]["meeting"])
    youssef, khadija = books["youssef"].id, books["khadija"].id
    assert re.search(rf'id="m{youssef}-attendance".*?selected>غائب<', meeting, re.S)
    assert re.search(rf'id="m{khadija}-attendance".*?selected>غائبة بعذر<', meeting, re.S)


def test_the_savings_chart_is_mirrored_for_arabic(readers, admin):
    arabic, english = readers
    # A practice group has two closed meetings: its page draws the savings chart.
    with db.connection_context():
        group = practice.create_practice_group(admin, "مجموعة تدريب", on=date(2026, 3, 2))
    shown_ar, shown_en = arabic(f"/groups/{group.id}"), english(f"/groups/{group.id}")
    assert 'class="chart-svg"' in shown_ar
    # The value labels sit right of the value axis, anchored at their start; the dates under
    # the time axis are laid out right to left. In English, neither.
    assert 'text-anchor="start"' in shown_ar and 'text-anchor="end"' not in shown_ar
    assert 'text-anchor="end"' in shown_en
    assert 'direction="rtl"' in shown_ar and 'direction="rtl"' not in shown_en
