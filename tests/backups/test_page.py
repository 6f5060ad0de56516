"""The backups page: administrators only; lists the backups (date and size the reader's way),
downloads one by its listed name only, and "Back up now" with CSRF."""

import pytest

from savings_groups.backups import files
from savings_groups.core.vocabulary import BackupReason, Role


@pytest.fixture
def backup(sqlite_file, folder, admin):
    from savings_groups.store.db import db

    with db.connection_context():
        return files.take(sqlite_file, folder, BackupReason.MANUAL)


def test_the_page_lists_the_backups_and_downloads_one(backup, web):
    web.login("admin")
    page = web.client.get("/admin/backups/").get_data(as_text=True)
    assert 'href="/admin/backups/"' in page  # in the navigation
    assert "Made by hand" in page
    kilobytes = f"{backup.size / 1000:.1f}".removesuffix(".0")
    assert f">{kilobytes} kB<" in page  # the size the reader's way
    assert backup.taken_at.strftime("%b %-d, %Y") in page
    download = web.client.get(f"/admin/backups/{backup.name}")
    assert download.status_code == 200
    assert download.data == backup.path.read_bytes()
    assert f"attachment; filename={backup.name}" in download.headers["Content-Disposition"]
    download.close()


def test_the_page_in_french(backup, web, make_user):
    make_user("lea", Role.ADMIN, locale="fr")
    web.login("lea")
    page = web.client.get("/admin/backups/").get_data(as_text=True)
    assert "Sauvegardes" in page and "Faite à la main" in page
    kilobytes = f"{backup.size / 1000:.1f}".removesuffix(".0").replace(".", ",")
    assert f">{kilobytes}\u202fko<" in page


@pytest.mark.parametrize(
    "name",
    ["..%2Fsecret_key", "%2E%2E%2Fsecret_key", "savings_groups.sqlite3", "notes.txt", "x"],
)
def test_nothing_but_a_listed_backup_is_downloaded(backup, folder, web, name):
    (folder / "notes.txt").write_text("private")
    web.login("admin")
    assert web.client.get(f"/admin/backups/{name}").status_code == 404


def test_back_up_now(sqlite_file, folder, admin, web):
    web.login("admin")
    page = web.post("/admin/backups/", follow_redirects=True).get_data(as_text=True)
    [made] = files.listing(folder)
    assert made.reason == BackupReason.MANUAL
    assert f"Backup made and checked: {made.name}." in page


def test_back_up_now_needs_the_form_token(sqlite_file, folder, admin, web):
    web.login("admin")
    assert web.client.post("/admin/backups/").status_code == 400
    assert files.listing(folder) == []


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.RECORDER, Role.VIEWER])
def test_only_administrators(backup, web, make_user, role):
    make_user("someone", role)
    web.login("someone")
    assert web.client.get("/admin/backups/").status_code == 403
    assert web.client.get(f"/admin/backups/{backup.name}").status_code == 403
    assert 'href="/admin/backups/"' not in web.client.get("/").get_data(as_text=True)


def test_logged_out_goes_to_the_login(backup, client):
    answer = client.get(f"/admin/backups/{backup.name}")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
