"""The lottery's seed is said in plain words (« les numéros annoncés par les membres »), with the
technical check (SHA-256) one click away in a <details>."""

import re

from savings_groups.core.vocabulary import Role
from tests.web.views.test_loans import text
from tests.web.views.test_rosca_rounds import statuses, tontine, url


def details(page: str) -> str:
    return re.search(r'<details class="small seed-check"[^>]*>(.*?)</details>', page, re.S).group(1)


def test_the_seed_is_said_in_plain_words_in_french(
    web, conn, admin, make_group, make_member, make_user
):
    rotation, _people = tontine(admin, make_group, make_member, order="lottery")
    make_user("aminata", role=Role.ADMIN, locale="fr")
    web.login("aminata")
    form = url(rotation, "rounds", 1)
    before = web.client.get(form).get_data(as_text=True)
    plain = text(web.client.get(form))
    assert "Les numéros annoncés par les membres décident du tirage" in plain
    assert "SHA-256" not in plain.split("Comment vérifier le tirage")[0]  # behind the click
    assert (
        "SHA-256" in details(before) and "<summary>Comment vérifier le tirage</summary>" in before
    )
    data = {**statuses(rotation), "on": "2026-03-02", "pay": "1", "seed": "3 14 15"}
    assert web.post(form, data).status_code == 302
    after = web.client.get(form)
    shown = text(after)
    assert "Numéros annoncés par les membres 3 14 15" in shown
    assert "SHA-256" in details(after.get_data(as_text=True))
