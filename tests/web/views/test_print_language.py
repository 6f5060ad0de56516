"""A group's print language: what members take home is printed in it, whatever the language of
whoever prints it; the pages the team works in stay in the reader's language."""

import pytest

from savings_groups.core.errors import DomainError
from savings_groups.groups import operations as groups
from savings_groups.store.db import db
from savings_groups.store.models import SavingsGroup


@pytest.fixture
def french_group(make_group, make_member, make_cycle):
    group = make_group("Benkadi", print_locale="fr")
    make_cycle(group)
    return group, make_member(group, full_name="Awa Traoré")


def test_the_passbook_is_printed_in_the_groups_language_for_an_english_reader(
    web, admin, french_group
):
    group, awa = french_group
    web.login(admin.username)
    printed = web.client.get(f"/groups/{group.id}/members/{awa.id}/passbook").get_data(True)
    assert '<html lang="fr"' in printed and "Livret" in printed
    page = web.client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert '<html lang="en"' in page  # the group page is the reader's


def test_without_a_print_language_documents_follow_the_reader(web, admin, make_group, make_member):
    group = make_group("Kankan")
    awa = make_member(group, full_name="Awa Traoré")
    web.login(admin.username)
    printed = web.client.get(f"/groups/{group.id}/members/{awa.id}/passbook").get_data(True)
    assert '<html lang="en"' in printed


def test_a_language_this_installation_lacks_falls_back_to_the_reader(
    web, admin, make_group, make_member
):
    group = make_group("Kankan", print_locale="wo")  # Wolof: Babel knows it, no catalog yet
    awa = make_member(group, full_name="Awa Traoré")
    web.login(admin.username)
    printed = web.client.get(f"/groups/{group.id}/members/{awa.id}/passbook")
    assert printed.status_code == 200 and '<html lang="en"' in printed.get_data(True)


def test_the_group_form_sets_the_print_language(web, admin, make_group):
    group = make_group("Kankan")
    web.login(admin.username)
    form = web.client.get(f"/groups/{group.id}/edit").get_data(as_text=True)
    assert 'name="print_locale"' in form and "Français" in form
    response = web.post(
        f"/groups/{group.id}/edit",
        {
            "name": "Kankan",
            "kind": "savings",
            "currency": "XOF",
            "meeting_frequency": "weekly",
            "print_locale": "fr",
        },
    )
    assert response.status_code == 302
    with db.connection_context():
        assert SavingsGroup.get_by_id(group.id).print_locale == "fr"


def test_a_language_code_babel_does_not_know_is_refused():
    with pytest.raises(DomainError) as refused:
        groups.GroupDetails("Kankan", "savings", "XOF", print_locale="xx_QQ_ZZ").clean()
    assert refused.value.field == "print_locale"
