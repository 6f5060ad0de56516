"""French words agree with what they are about: a woman is « présente », « présidente »,
« migrante de retour », « servie »; a loan is « clôturé »; two different dates have two names;
« la main 3 » in a sentence; the colon of a signature line spaced the French way."""

import re
from datetime import date

import pytest

from savings_groups.core.vocabulary import GENDERED, AttendanceStatus, GroupRole, MemberType, Role
from savings_groups.meetings import operations as meetings
from savings_groups.meetings.sheet import MeetingSheet, MemberLine
from savings_groups.store.db import db
from savings_groups.web.views import gendered
from tests.rosca.test_rounds import run_round, set_up_rotation
from tests.web.test_i18n import load_po


def french_page(web, path) -> str:
    page = web.client.get(path)
    assert page.status_code == 200, path
    return page.get_data(as_text=True)


@pytest.fixture
def french(web, make_user):
    """An administrator who reads French, logged in."""
    make_user("aminata", role=Role.ADMIN, locale="fr")
    web.login("aminata")
    return web


def row_of(page: str, name: str) -> str:
    return re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{name}(?:(?!</tr>).)*</tr>", page, re.S).group(0)


def test_every_gendered_word_has_both_forms_in_french():
    catalog = load_po("fr")
    for message in sorted(GENDERED):
        plain = catalog.get(message)
        female, male = catalog.get(message, "female"), catalog.get(message, "male")
        assert plain and female and male, message
        assert "/" not in female.string + male.string, message


@pytest.mark.parametrize(
    ("gender", "returnee", "chair", "present"),
    [
        ("female", "Migrante de retour", "Présidente", "Présente"),
        ("male", "Migrant de retour", "Président", "Présent"),
        ("unstated", "Migrant de retour", "Président/présidente", "Présent"),
    ],
)
def test_words_about_a_member_agree_with_the_member_s_gender(app, gender, returnee, chair, present):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert gendered(MemberType.RETURNEE.label, gender) == returnee
        assert gendered(GroupRole.CHAIR.label, gender) == chair
        assert gendered(AttendanceStatus.PRESENT.label, gender) == present
        assert gendered(GroupRole.MEMBER.label, gender) == "Membre"  # one form: plain
        assert gendered(AttendanceStatus.LATE.label, gender) == "En retard"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert gendered(GroupRole.CHAIR.label, gender) == "Chair"


def test_the_member_pages_use_each_member_s_gender(
    french, admin, make_group, make_member, make_cycle
):
    group = make_group("Benkadi")
    awa = make_member(group, "Awa Traoré", gender="female", group_role="chair")
    musa = make_member(group, "Musa Keïta", gender="male", group_role="treasurer")
    sam = make_member(group, "Sam Diallo", gender="unstated", group_role="key_holder")
    make_cycle(group)
    page = french_page(french, f"/groups/{group.id}/members")
    assert "Migrante de retour" in row_of(page, "Awa Traoré")
    assert "Présidente" in row_of(page, "Awa Traoré")
    assert "Migrant de retour" in row_of(page, "Musa Keïta")
    assert "Trésorier<" in row_of(page, "Musa Keïta")
    assert "Détenteur/détentrice de clé" in row_of(page, "Sam Diallo")

    with db.connection_context():
        meeting = meetings.open_meeting(admin, group, date(2026, 3, 2))
        sheet = MeetingSheet(
            [
                MemberLine(awa.id, shares=1),
                MemberLine(musa.id, "absent"),
                MemberLine(sam.id, "excused"),
            ]
        )
        meetings.save_draft(admin, meeting, sheet, 0)
    grid = french_page(french, f"/groups/{group.id}/meetings/{meeting.id}")
    assert re.search(rf'id="m{awa.id}-attendance".*?>Présente<', grid, re.S)
    assert re.search(rf'id="m{musa.id}-attendance".*?selected>Absent<', grid, re.S)
    assert re.search(rf'id="m{sam.id}-attendance".*?selected>Excusé<', grid, re.S)
    summary = french_page(french, f"/groups/{group.id}/meetings/{meeting.id}/summary")
    assert "Secrétaire\u202f: ___" in summary and "Président ou présidente\u202f: ___" in summary


def test_a_loan_is_closed_in_the_masculine_and_the_group_s_two_dates_differ(
    french, make_group, make_cycle
):
    group = make_group("Benkadi", formed_on="2020-05-01")
    make_cycle(group)
    loans = french_page(french, f"/groups/{group.id}/loans")
    assert '<th scope="col">Clôturé</th>' in loans and "Clôturée" not in loans
    show = french_page(french, f"/groups/{group.id}")
    assert "Date de constitution" in show and "Enregistré dans l’application" in show
    assert "Date de création" not in show


def test_a_rosca_member_served_and_the_hand_in_a_sentence(french, admin, make_group, make_member):
    group = make_group("Tontine", kind="rosca")
    people = [make_member(group, f"Personne {n}", gender="female") for n in (1, 2, 3)]
    with db.connection_context():
        rotation = set_up_rotation(admin, group, people)
        run_round(admin, rotation, 1)
    base = f"/groups/{group.id}/rotations/{rotation.id}"
    page = french_page(french, base)
    position = re.search(r'<tr id="position-1".*?</tr>', page, re.S).group(0)
    assert ">servie</span>" in position and "servi<" not in page
    # Her balance agrees with her too: « débitrice nette », « créancière nette ».
    assert "débitrice nette" in position
    assert "créancière nette" in re.search(r'<tr id="position-2".*?</tr>', page, re.S).group(0)
    assert "créancier net<" not in page and "débiteur net<" not in page
    passbook = french_page(french, f"/groups/{group.id}/members/{people[0].id}/passbook")
    assert "débitrice nette" in passbook and "débiteur net<" not in passbook
    receipt = french_page(french, f"{base}/rounds/1/receipt")
    assert "remise à la main 1 (Personne 1)" in receipt
