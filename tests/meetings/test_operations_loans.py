"""Loans inside the meeting: repayments in the grid, loans granted at a meeting, the summary."""

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from playhouse.test_utils import count_queries

from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import EntryKind, Fund, LoanStatus, Role
from savings_groups.ledger import entries as ledger
from savings_groups.loans import requests as loan_requests
from savings_groups.loans.requests import LoanRequest, WarningsNotAcknowledged
from savings_groups.meetings import operations as meetings
from savings_groups.meetings import sheet as meeting_sheet
from savings_groups.meetings import summary as meeting_summary
from savings_groups.meetings.operations import MeetingClosed
from savings_groups.meetings.sheet import MeetingSheet, MemberLine, SheetInvalid
from savings_groups.store.models import (
    AuditEntry,
    Entry,
    Loan,
    LoanFlag,
    LoanInstallment,
    Meeting,
)

LOAN, SOCIAL = Fund.LOAN_FUND, Fund.SOCIAL_FUND
M1, M2, M3 = date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)
RULES = {
    "loan_rate": Decimal("0.10"),
    "loan_method": "flat",
    "loan_max_multiple": Decimal(3),
    "loan_max_periods": 4,
    "debt_warning_ratio": Decimal(2),
    "social_fund_contribution": 0,
    "min_shares": 0,
}


@pytest.fixture
def club(conn, admin, make_group, make_member, make_cycle):
    """A weekly group whose members saved `savings` each before the first meeting."""

    def make(currency="XOF", unit=25, members=3, savings=10_000, **rules):
        group = make_group(currency=currency, rounding_unit=unit, meeting_frequency="weekly")
        cycle = make_cycle(group, **{**RULES, **rules})
        people = [make_member(group, full_name=f"Member {i + 1}") for i in range(members)]
        for member in people:
            ledger.post(
                admin,
                group,
                LOAN,
                EntryKind.SHARE_PURCHASE,
                savings,
                cycle=cycle,
                member=member,
                shares=1,
                effective_on=cycle.start_date,  # before the first meeting
            )
        return group, cycle, people

    return make


def blank(people, **repayments):
    """A sheet with nothing but the repayments given as m<id>=amount."""
    return MeetingSheet([MemberLine(p.id, repayment=repayments.get(f"m{p.id}", 0)) for p in people])


def close(actor, meeting, sheet, loan_fund, social=0, note=""):
    return meetings.close_meeting(
        actor, meeting, sheet, {LOAN: loan_fund, SOCIAL: social}, note, meeting.version
    )


def grant(actor, meeting, member, principal, periods=3, purpose="business", **kwargs):
    request = LoanRequest(member, principal, periods, purpose, kwargs.pop("guarantors", ()))
    return meetings.grant_loan_at(actor, meeting, request, **kwargs)


def paid(meeting):
    return [
        (e.member_id, e.kind, e.amount, e.loan_id)
        for e in Entry.select()
        .where(
            (Entry.meeting == meeting)
            & Entry.kind.in_([EntryKind.LOAN_INTEREST.value, EntryKind.LOAN_PRINCIPAL.value])
        )
        .order_by(Entry.id)
    ]


def written():
    return (Entry.select().count(), Loan.select().count(), AuditEntry.select().count())


def test_a_loan_at_a_meeting_may_use_the_shares_bought_at_it(conn, admin, club):
    """Shares come before loans in the meeting's order: the saved draft's shares (and its
    repayments and fines) count in the cash and the member's savings, though posted at close."""
    group, _cycle, people = club(savings=1_000, loan_max_multiple=Decimal(10))
    ada = people[0]
    meeting = meetings.open_meeting(admin, group, M1)
    with pytest.raises(loan_requests.LoanError, match="not enough cash") as refused:
        grant(admin, meeting, ada, 5_000)
    assert refused.value.field == "principal"
    shares = {ada.id: 3, people[1].id: 2}
    sheet = MeetingSheet([MemberLine(p.id, shares=shares.get(p.id, 0)) for p in people])
    meetings.save_draft(admin, meeting, sheet, meeting.version)
    assert meetings.pending_money(meeting) == loan_requests.Pending(
        5_000, {ada.id: 3_000, people[1].id: 2_000}
    )
    assessment = meetings.check_loan_at(meeting, LoanRequest(ada, 5_000, 3, "business"))
    assert (assessment.cash, assessment.savings) == (3_000 + 5_000, 1_000 + 3_000)
    loan = grant(admin, meeting, ada, 5_000, acknowledged={"debt_ratio"})
    assert loan.principal == 5_000
    # At close the shares are posted and the box holds what the preview said.
    close(admin, Meeting.get_by_id(meeting.id), sheet, 3_000 + 5_000 - 5_000)
    assert ledger.balances(group)[LOAN] == 3_000


# --- a whole loan at meetings, exact amounts ----------------------------------------------------


def test_a_loan_granted_at_a_meeting_and_repaid_at_the_next_two_in_xof(conn, admin, club):
    group, _cycle, people = club()
    ada = people[0]
    first = meetings.open_meeting(admin, group, M1)
    loan = grant(admin, first, ada, 10_000)
    # Hand-computed, unit 25: 10,000 / 3 = 3,333.33 -> 3,325, 3,325 and the rest 3,350;
    # interest 10 % of 10,000 = 1,000 each period.
    assert [
        (i.number, i.principal, i.interest)
        for i in loan_requests.plan(10_000, Decimal("0.1"), 3, "flat", 25)
    ] == [(1, 3_325, 1_000), (2, 3_325, 1_000), (3, 3_350, 1_000)]
    # The disbursement is an entry of the meeting: the preview and the cash count include it.
    assert meetings.preview(first, blank(people))[LOAN] == 30_000 - 10_000
    with pytest.raises(SheetInvalid):  # counting the cash as if nothing was lent: a difference
        close(admin, first, blank(people), 30_000)
    close(admin, Meeting.get_by_id(first.id), blank(people), 20_000)
    assert Entry.select().where(Entry.kind == EntryKind.CASH_DIFFERENCE.value).count() == 0

    second = meetings.open_meeting(admin, group, M2)
    owed = meeting_sheet.loan_positions(second, group)[ada.id]
    assert (owed.interest_due, owed.principal_due, owed.outstanding) == (1_000, 3_325, 10_000)
    assert owed.most_payable == 11_000
    sheet = blank(people, **{f"m{ada.id}": 4_325})
    assert meetings.preview(second, sheet)[LOAN] == 24_325
    close(admin, second, sheet, 24_325)
    assert paid(second) == [
        (ada.id, "loan_interest", 1_000, loan.id),
        (ada.id, "loan_principal", 3_325, loan.id),
    ]

    third = meetings.open_meeting(admin, group, M3)
    owed = meeting_sheet.loan_positions(third, group)[ada.id]
    # Repaying everything early: the interest due now and all the principal left.
    assert (owed.interest_due, owed.outstanding, owed.most_payable) == (1_000, 6_675, 7_675)
    close(admin, third, blank(people, **{f"m{ada.id}": 7_675}), 24_325 + 7_675)
    assert paid(third) == [
        (ada.id, "loan_interest", 1_000, loan.id),
        (ada.id, "loan_principal", 6_675, loan.id),
    ]
    assert Loan.get_by_id(loan.id).status == LoanStatus.REPAID.value
    assert ledger.balances(group)[LOAN] == 32_000  # 30,000 saved + 2,000 of interest

    figures = {f.member.id: f for f in meeting_summary.summary(third).members}
    assert (figures[ada.id].interest_repaid, figures[ada.id].principal_repaid) == (1_000, 6_675)
    assert figures[ada.id].paid == 7_675
    first_summary = meeting_summary.summary(first)
    assert [f.loan_received for f in first_summary.members if f.member.id == ada.id] == [10_000]
    assert [loan.id for loan in first_summary.loans] == [loan.id]


def test_a_repayment_in_ngn_with_kobo(conn, admin, club):
    group, _cycle, people = club(
        "NGN", unit=1, savings=1_000_050, loan_rate=Decimal("0.05"), loan_max_multiple=Decimal(1)
    )
    bola = people[1]
    first = meetings.open_meeting(admin, group, M1)
    loan = grant(admin, first, bola, 1_000_050, periods=2)  # ₦10,000.50
    close(admin, first, blank(people), 3_000_150 - 1_000_050)
    second = meetings.open_meeting(admin, group, M2)
    # 5 % of 1,000,050 kobo = 50,002.5 -> 50,003 (half up); principal 500,025 a period.
    owed = meeting_sheet.loan_positions(second, group)[bola.id]
    assert (owed.interest_due, owed.principal_due) == (50_003, 500_025)
    close(admin, second, blank(people, **{f"m{bola.id}": 550_028}), 2_000_100 + 550_028)
    assert paid(second) == [
        (bola.id, "loan_interest", 50_003, loan.id),
        (bola.id, "loan_principal", 500_025, loan.id),
    ]


# --- repayments refused -------------------------------------------------------------------------


def test_an_overpayment_is_refused_with_the_most_that_can_be_paid(conn, admin, club):
    group, _cycle, people = club()
    ada = people[0]
    first = meetings.open_meeting(admin, group, M1)
    grant(admin, first, ada, 10_000)
    close(admin, first, blank(people), 20_000)
    second = meetings.open_meeting(admin, group, M2)
    before = written()
    for action in ("draft", "close"):
        with pytest.raises(SheetInvalid) as caught:
            sheet = blank(people, **{f"m{ada.id}": 11_001})
            if action == "draft":
                meetings.save_draft(admin, second, sheet, second.version)
            else:
                close(admin, second, sheet, 31_001)
        (error,) = caught.value.errors
        assert error.field == f"m{ada.id}-repayment"
        assert error.params["maximum"] == 11_000 and error.params["maximum"].currency == "XOF"
        assert written() == before
    assert Meeting.get_by_id(second.id).status == "draft"


def test_a_repayment_without_a_loan_or_negative_is_refused(conn, admin, club):
    group, _cycle, people = club()
    meeting = meetings.open_meeting(admin, group, M1)
    before = written()
    sheet = blank(people, **{f"m{people[0].id}": 500, f"m{people[1].id}": -5})
    with pytest.raises(SheetInvalid) as caught:
        close(admin, meeting, sheet, 30_000)
    messages = {e.field: e.message for e in caught.value.errors}
    assert messages == {
        f"m{people[0].id}-repayment": "This member has no loan being repaid.",
        f"m{people[1].id}-repayment": "The amount cannot be negative.",
    }
    assert written() == before


def test_several_loans_are_repaid_oldest_first(conn, admin, club):
    group, _cycle, people = club(one_loan_at_a_time=False, debt_warning_ratio=Decimal(10))
    ada = people[0]
    first = meetings.open_meeting(admin, group, M1)
    old = grant(admin, first, ada, 2_000, periods=1)
    new = grant(admin, first, ada, 1_000, periods=1)
    close(admin, first, blank(people), 27_000)
    second = meetings.open_meeting(admin, group, M2)
    # The old loan takes 200 + 2,000, the new one the rest: 100 of interest, 200 of principal.
    close(admin, second, blank(people, **{f"m{ada.id}": 2_500}), 29_500)
    assert paid(second) == [
        (ada.id, "loan_interest", 200, old.id),
        (ada.id, "loan_principal", 2_000, old.id),
        (ada.id, "loan_interest", 100, new.id),
        (ada.id, "loan_principal", 200, new.id),
    ]
    assert Loan.get_by_id(old.id).status == "repaid"
    assert Loan.get_by_id(new.id).status == "active"


def test_old_drafts_without_repayments_still_load():
    sheet = MeetingSheet.from_dict({"lines": [{"member_id": 3, "shares": 2}]})
    assert sheet.lines[0].repayment == 0
    assert MeetingSheet.from_dict(sheet.to_dict()) == sheet


# --- granting at a meeting ----------------------------------------------------------------------


def test_warnings_must_be_acknowledged_and_are_recorded(conn, admin, club):
    group, _cycle, people = club()
    meeting = meetings.open_meeting(admin, group, M1)
    before = written()
    with pytest.raises(WarningsNotAcknowledged) as caught:
        grant(admin, meeting, people[0], 1_000, purpose="repay_debt")
    assert caught.value.codes == ["repay_debt"]
    assert written() == before
    loan = grant(
        admin, meeting, people[0], 1_000, purpose="repay_debt", acknowledged={"repay_debt"}
    )
    assert [f.code for f in LoanFlag.select().where(LoanFlag.loan == loan)] == ["repay_debt"]
    assert loan.meeting_id == meeting.id and loan.granted_on == M1


def test_a_rule_broken_writes_nothing_and_names_the_field(conn, admin, club):
    group, _cycle, people = club()
    meeting = meetings.open_meeting(admin, group, M1)
    before = written()
    with pytest.raises(DomainError) as caught:
        grant(admin, meeting, people[0], 30_001)  # more than 3 x 10,000 of savings
    assert caught.value.field == "principal"
    assert written() == before


def test_no_loan_once_the_meeting_is_closed(conn, admin, club):
    group, _cycle, people = club()
    meeting = meetings.open_meeting(admin, group, M1)
    close(admin, meeting, blank(people), 30_000)
    with pytest.raises(MeetingClosed):
        grant(admin, meeting, people[0], 1_000)
    assert Loan.select().count() == 0


# --- reopening ----------------------------------------------------------------------------------


def test_reopening_keeps_the_loans_granted_and_refuses_once_repayments_were_posted(
    conn, admin, club
):
    group, _cycle, people = club()
    ada = people[0]
    first = meetings.open_meeting(admin, group, M1)
    loan = grant(admin, first, ada, 10_000)
    close(admin, first, blank(people), 20_000)
    meetings.reopen_meeting(admin, first, "a share was forgotten")
    sheet = MeetingSheet(
        [MemberLine(people[1].id, shares=1)] + blank(people[:1] + people[2:]).lines
    )
    close(admin, first, sheet, 21_000)
    disbursements = Entry.select().where(Entry.loan == loan)
    assert [(e.kind, e.amount) for e in disbursements] == [("loan_disbursement", -10_000)]

    second = meetings.open_meeting(admin, group, M2)
    close(admin, second, blank(people, **{f"m{ada.id}": 4_325}), 25_325)
    before = written()
    with pytest.raises(DomainError, match="repayments were recorded"):
        meetings.reopen_meeting(admin, second, "a mistake")
    assert written() == before
    assert Meeting.get_by_id(second.id).status == "closed"


# --- the pages ----------------------------------------------------------------------------------


def test_a_loan_is_checked_then_granted_through_the_meeting_page(web, app, admin, club):
    from savings_groups.store.db import db

    with db.connection_context():
        group, _cycle, people = club()
        meeting = meetings.open_meeting(admin, group, M1)
    ada, bola, _chidi = people
    web.login("admin")
    edit = f"/groups/{group.id}/meetings/{meeting.id}"
    path = f"{edit}/loan"
    form = {
        "member": str(ada.id),
        "principal": "10000",
        "purpose": "repay_debt",
        "periods": "3",
        "guarantor_ids": str(bola.id),
        "action": "check",
    }
    page = web.post(path, form, form_path=path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "3,325" in text and "3,350" in text and "1,000" in text  # the schedule
    assert 'name="acknowledged" value="repay_debt"' in text
    with db.connection_context():
        assert Loan.select().count() == 0

    # Granting without ticking the warning: 422, nothing written.
    page = web.post(path, {**form, "action": "grant"}, form_path=path)
    assert page.status_code == 422
    assert "acknowledged-error" in page.get_data(as_text=True)
    # A rule broken: the message next to the amount.
    page = web.post(path, {**form, "principal": "40000"}, form_path=path)
    assert page.status_code == 422
    assert 'id="principal-error"' in page.get_data(as_text=True)
    with db.connection_context():
        assert Loan.select().count() == 0

    page = web.post(path, {**form, "action": "grant", "acknowledged": "repay_debt"}, form_path=path)
    assert page.status_code == 302 and page.location.endswith(edit)
    text = web.client.get(edit).get_data(as_text=True)
    assert "loans-granted" in text and "Member 1" in text
    assert 'data-loans="-10000"' in text  # the preview of the loan fund includes it
    assert f'id="m{ada.id}-repayment"' in text and f'id="m{bola.id}-repayment"' not in text


def test_an_overpayment_typed_in_the_grid_shows_the_maximum_as_money(web, app, admin, club):
    from savings_groups.store.db import db

    with db.connection_context():
        group, _cycle, people = club()
        first = meetings.open_meeting(admin, group, M1)
        grant(admin, first, people[0], 10_000)
        close(admin, first, blank(people), 20_000)
        second = meetings.open_meeting(admin, group, M2)
    web.login("admin")
    edit = f"/groups/{group.id}/meetings/{second.id}"
    text = web.client.get(edit).get_data(as_text=True)
    assert re.search(r"Due now: [^<(]*4,325", text) and re.search(r"At most [^<]*11,000", text)
    form = {"version": "0", "action": "save"}
    for member in people:
        form[f"m{member.id}-attendance"] = "present"
    form[f"m{people[0].id}-repayment"] = "12000"
    page = web.post(edit, form, form_path=edit)
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert f'id="m{people[0].id}-repayment-error"' in text
    assert "11,000" in text


def test_the_grid_issues_the_same_number_of_queries_with_5_or_40_loans(web, app, admin, club):
    from savings_groups.store.db import db

    web.login("admin")
    web.client.get("/")
    counts = {}
    for size in (5, 40):
        with db.connection_context():
            group, _cycle, people = club(members=size)
            first = meetings.open_meeting(admin, group, M1)
            for member in people:
                grant(admin, first, member, 3_000)
            close(admin, first, blank(people), size * 7_000)
            second = meetings.open_meeting(admin, group, M2)
            grant_to = people[0]
            meetings.save_draft(
                admin, second, blank(people, **{f"m{grant_to.id}": 500}), second.version
            )
        base = f"/groups/{group.id}/meetings"
        for name, path in {
            "draft": f"{base}/{second.id}",
            "loan": f"{base}/{second.id}/loan",
            "summary": f"{base}/{first.id}/summary",
            "receipts": f"{base}/{first.id}/receipts",
        }.items():
            with count_queries() as counter:
                assert web.client.get(path).status_code == 200
            counts[size, name] = counter.count
    for name in ("draft", "loan", "summary", "receipts"):
        assert counts[5, name] == counts[40, name], (name, counts)


def loan_page(web, admin, club, make_user, locale="en", **rules):
    """A recorder reading `locale`, logged in, and the path of the loan form of a new meeting."""
    from savings_groups.store.db import db

    with db.connection_context():
        group, _cycle, people = club(**rules)
        meeting = meetings.open_meeting(admin, group, M1)
    make_user("rec", role=Role.RECORDER, groups=[group], locale=locale)
    web.login("rec")
    return f"/groups/{group.id}/meetings/{meeting.id}/loan", people


def field_error(response, name):
    found = re.search(rf'id="{name}-error"[^>]*>([^<]+)<', response.get_data(as_text=True))
    return html.unescape(found.group(1)).strip() if found else None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1_2", "1_2 is not a whole number: write it in figures only."),  # int() read it as 12
        ("1 2", "1 2 is not a whole number: write it in figures only."),
        ("-3", "Enter 1 or more."),  # was "Enter a number of periods from 1."
        ("0", "Enter 1 or more."),
    ],
)
def test_the_term_of_a_loan_at_the_meeting_is_read_as_every_typed_whole_number(
    web, app, admin, club, make_user, typed, message
):
    path, (ada, *_others) = loan_page(web, admin, club, make_user)
    form = {"member": str(ada.id), "principal": "1000", "purpose": "business", "periods": typed}
    response = web.post(path, {**form, "action": "check"}, form_path=path)
    assert response.status_code == 422
    assert field_error(response, "periods") == message


@pytest.mark.parametrize(
    ("locale", "above_the_rules", "warning"),
    [
        ("en", "at most 2.5 times the member's savings", "more than 1.5 times their savings"),
        ("fr", "au plus 2,5 fois l’épargne du membre", "plus de 1,5 fois son épargne"),
    ],
)
def test_the_ratios_in_the_loan_messages_are_written_the_readers_way(
    web, app, admin, club, make_user, locale, above_the_rules, warning
):
    """Each member saved 10,000: the rules lend 2.5 times that and warn above 1.5 times."""
    path, (ada, *_others) = loan_page(
        web,
        admin,
        club,
        make_user,
        locale,
        loan_max_multiple=Decimal("2.5"),
        debt_warning_ratio=Decimal("1.5"),
    )
    form = {"member": str(ada.id), "purpose": "business", "periods": "3", "action": "check"}
    refused = web.post(path, {**form, "principal": "30000"}, form_path=path)
    assert refused.status_code == 422
    assert above_the_rules in field_error(refused, "principal")
    checked = web.post(path, {**form, "principal": "20000"}, form_path=path)
    assert checked.status_code == 200
    assert warning in html.unescape(checked.get_data(as_text=True))


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        (
            "en",
            {
                "help": "Per cent a month: the rules charge at most 10% a month.",
                "rules": "interest at most 10% a month ≈ 2.3077% a week",
                "rate": "Interest: 8% a month ≈ 1.8462% a week, charged at each meeting.",
                "above": "The rules charge at most 10% a month.",
                "method": "The cycle's rules do not allow this way of charging interest.",
                "typed": "8",
                "loan": "8% a month ≈ 1.8462% a week",
            },
        ),
        (
            "fr",
            {
                "help": "En pourcentage par mois\u202f; le règlement applique au plus 10\u00a0% par mois.",
                "rules": "intérêt d’au plus 10\u00a0% par mois ≈ 2,3077\u00a0% par semaine",
                "rate": "Taux d’intérêt\u202f: 8\u00a0% par mois ≈ 1,8462\u00a0% par semaine, compté",
                "above": "Le règlement applique au plus 10\u00a0% par mois.",
                "method": "Le règlement du cycle n’autorise pas ce mode de calcul des intérêts.",
                "typed": "8",
                "loan": "8\u00a0% par mois ≈ 1,8462\u00a0% par semaine",
            },
        ),
    ],
)
def test_a_loan_at_the_meeting_has_its_own_terms_within_the_rules(
    web, app, admin, club, make_user, locale, words
):
    """Rules: flat or declining, at most 10 % a month, for a weekly group."""
    from savings_groups.store.db import db

    path, (ada, *_others) = loan_page(
        web,
        admin,
        club,
        make_user,
        locale,
        loan_rate_period="month",
        loan_methods="flat,declining_equal_principal",
    )
    page = web.client.get(path)
    text = html.unescape(page.get_data(as_text=True))
    assert 'value="flat" selected' in text or 'selected value="flat"' in text
    assert 'value="declining_equal_principal"' in text and 'value="flexible"' not in text
    assert 'name="rate_percent" type="text" value="10"' in text
    assert words["help"] in text and words["rules"] in text

    form = {
        "member": str(ada.id),
        "principal": "10000",
        "purpose": "business",
        "periods": "3",
        "method": "declining_equal_principal",
        "rate_percent": words["typed"],
        "action": "check",
    }
    checked = web.post(path, form, form_path=path)
    assert checked.status_code == 200
    assert words["rate"] in html.unescape(checked.get_data(as_text=True))
    with db.connection_context():
        before = (Loan.select().count(), Entry.select().count())
    for change, field, message in (
        ({"rate_percent": "12"}, "rate_percent", words["above"]),
        ({"method": "flexible"}, "method", words["method"]),
    ):
        refused = web.post(path, {**form, **change, "action": "grant"}, form_path=path)
        assert refused.status_code == 422
        assert field_error(refused, field) == message
    with db.connection_context():
        assert (Loan.select().count(), Entry.select().count()) == before

    granted = web.post(path, {**form, "action": "grant"}, form_path=path)
    assert granted.status_code == 302
    with db.connection_context():
        loan = Loan.get()
        assert (loan.method, loan.rate, loan.rate_period) == (
            "declining_equal_principal",
            Decimal("0.08"),
            "month",
        )
        # 8 % a month = 6/325 a week, unit 25: parts 3325, 3325, 3350; interest on 10000:
        # 184.62 (7.38 units) 175; on 6675: 123.23 (4.93) 125; on 3350: 61.85 (2.47) 50.
        assert [
            (i.principal, i.interest) for i in loan.installments.order_by(LoanInstallment.number)
        ] == [
            (3_325, 175),
            (3_325, 125),
            (3_350, 50),
        ]
    shown = web.client.get(f"/groups/{loan.group_id}/loans/{loan.id}")
    assert words["loan"] in html.unescape(shown.get_data(as_text=True))
