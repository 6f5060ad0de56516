"""The bundles page: download a bundle, bring one in (checked first, then imported), and what
is not yet exported, on the bundles page and the group's page."""

import io

from savings_groups import create_app
from savings_groups.core.vocabulary import Role
from savings_groups.store.db import db
from savings_groups.store.models import SavingsGroup
from tests.bundles.conftest import second_url
from tests.bundles.helpers import unzip
from tests.conftest import Browser, app_settings


def test_an_admin_downloads_a_bundle_and_the_page_says_what_is_not_yet_in_one(client, web, books):
    (group, *_), _rosca = books
    web.login("admin")
    page = client.get("/bundles/").get_data(as_text=True)
    assert "3 closed meetings not yet exported" in page
    assert "3 closed meetings not yet exported" in client.get(f"/groups/{group.id}").get_data(
        as_text=True
    )
    answer = web.post("/bundles/export", {"groups": [group.id]}, form_path="/bundles/")
    assert answer.status_code == 200
    assert answer.mimetype == "application/zip"
    assert "attachment" in answer.headers["Content-Disposition"]
    assert {"manifest.json", "manifest.sig", "users.json", f"group-{group.id}.json"} == set(
        unzip(answer.data)
    )
    page = client.get("/bundles/").get_data(as_text=True)
    assert "Everything is in the last bundle" in page


def test_nothing_ticked_is_said(client, web, books):
    web.login("admin")
    answer = web.post("/bundles/export", {}, form_path="/bundles/")
    assert answer.status_code == 422
    assert "Choose at least one group to export." in answer.get_data(as_text=True)


def test_recorders_and_viewers_may_not_move_books(client, web, make_user, books):
    (group, *_), _rosca = books
    make_user("rita", Role.RECORDER, groups=[group])
    web.login("rita")
    assert client.get("/bundles/").status_code == 403
    assert "not yet exported" not in client.get(f"/groups/{group.id}").get_data(as_text=True)


def test_a_bad_file_is_refused_in_the_readers_language(client, web, make_user, books):
    (group, *_), _rosca = books
    make_user("fatou", Role.FACILITATOR, groups=[group], locale="fr")
    web.login("fatou")
    answer = web.post(
        "/bundles/import",
        {"bundle": (io.BytesIO(b"not a zip"), "books.zip"), "submit": "1"},
        form_path="/bundles/",
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    assert "n’est pas un paquet complet" in answer.get_data(as_text=True)


def test_the_server_checks_then_imports_an_uploaded_bundle(client, web, books, server, tmp_path):
    (group, *_), (tontine, _r) = books
    web.login("admin")
    bundle = web.post(
        "/bundles/export", {"groups": [group.id, tontine.id]}, form_path="/bundles/"
    ).data
    settings = app_settings(tmp_path / "srv", second_url(tmp_path))
    settings["INSTANCE_PATH"] = server.instance
    there = Browser(create_app(settings).test_client())
    served = db.obj  # the second app's database: the factory made it the one `db` stands for
    try:
        serve_and_check(there, bundle)
    finally:
        print("open at the end:", not served.is_closed())
        served.close()


def serve_and_check(there, bundle):
    there.login("boss")

    def upload(button):
        return there.post(
            "/bundles/import",
            {"bundle": (io.BytesIO(bundle), "books.zip"), button: "1"},
            form_path="/bundles/",
            content_type="multipart/form-data",
        )

    checked = upload("check").get_data(as_text=True)
    assert "rien n’a encore été importé" in checked
    assert SavingsGroup.select().count() == 0
    imported = upload("submit").get_data(as_text=True)
    assert "Paquet importé" in imported and "Nouveau groupe" in imported
    assert SavingsGroup.select().count() == 2
    again = upload("submit").get_data(as_text=True)
    assert "Déjà à jour" in again
    page = there.client.get("/bundles/").get_data(as_text=True)
    assert "Benkadi" in page and page.count("<code>") == 2  # one line per group and laptop
