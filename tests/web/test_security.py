"""Faults and attacks found when the app was probed: each test fails without its fix."""

import os
import re
import sqlite3
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from peewee import CharField, OperationalError, TextField
from werkzeug.datastructures import MultiDict

from savings_groups import create_app
from savings_groups.cli import main
from savings_groups.core.vocabulary import Role
from savings_groups.org import accounts
from savings_groups.store.db import db, is_unwritable_error
from savings_groups.store.models import (
    AuditEntry,
    BaseModel,
    Cycle,
    LoginThrottle,
    SavingsGroup,
    User,
)
from savings_groups.web.auth import DEVICE_COOKIE
from savings_groups.web.i18n import LANGUAGE_COOKIE
from tests.conftest import CHEAP_ARGON2, PASSWORD, Browser, app_settings, database_url
from tests.web.test_access import MATRIX, world  # noqa: F401 (the fixture)


def page(response) -> str:
    return response.get_data(as_text=True)


# --- the page after login stays on this site -------------------------------------------------

OFF_SITE = [
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/%0A/evil.example",
    "/%0D%0A/evil.example",
    "/\\evil.example",
    "/%5Cevil.example",
    "\\\\evil.example",
    "//evil.example",
    "///evil.example",
    "/%2F/evil.example",
    "%2F%2Fevil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\u00a0/evil.example",
    "/\u3000/evil.example",
    "/ /evil.example",
    " //evil.example",
    "/groups\x00",
    "",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_sends_the_browser_off_site(web, admin, target):
    web.client.get("/login", query_string={"next": target})
    token = web.csrf("/login")
    response = web.client.post(
        "/login",
        data={"csrf_token": token, "username": "admin", "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert response.location == "/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_login_page_drops_an_off_site_next(client, admin, target):
    response = client.get("/login", query_string={"next": target})
    assert response.status_code == 200
    hidden = re.search(
        r'<input id="next" name="next" type="hidden" value="([^"]*)"', page(response)
    )
    assert hidden.group(1) == ""


@pytest.mark.parametrize("target", ["/groups/1/cycles?x=1", "/groups/1/members?q=Awa%20Diallo"])
def test_a_page_of_this_site_is_where_login_goes_back_to(web, admin, target):
    token = web.csrf("/login")
    response = web.client.post(
        "/login",
        data={"csrf_token": token, "username": "admin", "password": PASSWORD, "next": target},
    )
    assert response.location == target


# --- the rules the group voted are for everyone who sees the group ---------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.RECORDER])
def test_viewers_and_recorders_read_a_cycles_rules_but_cannot_change_them(
    web, make_user, make_group, make_cycle, role
):
    group = make_group()
    cycle = make_cycle(group, share_value=1500)
    make_user("reader", role, groups=[group])
    web.login("reader")
    path = f"/groups/{group.id}/cycles/{cycle.id}/rules"
    response = web.client.get(path)
    assert response.status_code == 200
    text = page(response)
    assert "Rules of cycle 1" in text
    assert "Save the rules" not in text
    assert "disabled" in text
    token = web.csrf(f"/groups/{group.id}/cycles")
    response = web.client.post(path, data={"csrf_token": token, "share_value": "2000"})
    assert response.status_code == 403
    with db.connection_context():
        assert Cycle.get_by_id(cycle.id).share_value == 1500


def test_a_group_someone_is_not_assigned_to_stays_hidden(web, make_user, make_group, make_cycle):
    group = make_group()
    cycle = make_cycle(group)
    make_user("reader", Role.VIEWER)
    web.login("reader")
    assert web.client.get(f"/groups/{group.id}/cycles/{cycle.id}/rules").status_code == 404


# --- bad input gives a clear 4xx or a message next to the field, never a 500 ------------------


class Forms(HTMLParser):
    """The POST forms of a page: action, and each field's name, kind and value."""

    def __init__(self):
        super().__init__()
        self.forms, self.current, self.textarea, self.select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.current = {"action": a.get("action"), "fields": []}
            self.forms.append(self.current)
        elif self.current is None or "name" not in a or "disabled" in a:
            if tag == "option" and self.select is not None and self.select[2] is None:
                self.select[2] = a.get("value", "")
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "reset", "file"):
                self.current["fields"].append([a["name"], kind, a.get("value") or ""])
        elif tag == "textarea":
            self.textarea = [a["name"], "textarea", ""]
            self.current["fields"].append(self.textarea)
        elif tag == "select":
            self.select = [a["name"], "select", None]
            self.current["fields"].append(self.select)
        elif tag == "button" and a.get("name"):
            self.current["fields"].append([a["name"], "button", a.get("value", "")])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[2] += data


def post_forms(client, page_path: str, typed):
    """Post every POST form of a page, each text field replaced by typed(kind, value)."""
    found = Forms()
    found.feed(page(client.get(page_path)))
    results = []
    for form in found.forms:
        action = form["action"] or page_path
        if action.endswith(("/logout", "/lock", "/language")):
            continue
        data = MultiDict()
        for name, kind, value in form["fields"]:
            if name == "csrf_token" or kind in ("select", "checkbox", "radio", "button"):
                data.add(name, value or "")
            else:
                data.add(name, typed(kind, value))
        results.append((action, client.post(action, data=data)))
    return results


@pytest.fixture
def admin_in_every_page(web, admin, world):  # noqa: F811 (the fixture imported)
    """The admin logged in, and the GET pages of the access matrix the admin may open."""
    web.login("admin")
    return [
        template.format(**world)
        for method, template, _endpoint, expected in MATRIX
        if method == "GET" and expected[0] == 200
    ]


def text_columns():
    for model in BaseModel.__subclasses__():
        for field in model._meta.sorted_fields:
            if isinstance(field, CharField | TextField):
                yield model, field


def test_a_nul_character_in_any_text_field_of_any_form_is_refused_next_to_it(
    web, admin_in_every_page
):
    """PostgreSQL refuses NUL in text: it used to answer 500; SQLite stored it."""
    failures, refused = [], 0
    for path in admin_in_every_page:
        for action, response in post_forms(
            web.client, path, lambda kind, value: value if kind == "hidden" else "Awa\x00 Diallo"
        ):
            if response.status_code >= 500:
                failures.append(f"{path} -> {action}: {response.status_code}")
            if response.status_code == 422 and "cannot be saved" in page(response):
                refused += 1
    assert not failures, failures
    assert refused >= 10
    with db.connection_context():
        for model, field in text_columns():
            rows = [getattr(row, field.name) for row in model.select(field)]
            assert not any(isinstance(v, str) and "\x00" in v for v in rows), (model, field)


def test_thirty_digit_numbers_in_forms_are_refused_clearly(web, admin_in_every_page):
    """Too big for SQLite's 64-bit integers: it used to raise OverflowError, a 500."""
    failures = []
    for path in admin_in_every_page:
        for action, response in post_forms(web.client, path, lambda kind, value: "9" * 30):
            if response.status_code >= 500:
                failures.append(f"{path} -> {action}: {response.status_code}")
    assert not failures, failures


def test_thirty_digit_ids_in_addresses_are_not_found(web, admin, world):  # noqa: F811
    web.login("admin")
    token = web.csrf("/account")
    failures = []
    for method, template, _endpoint, _expected in MATRIX:
        path = re.sub(r"/\d+", "/" + "9" * 30, template.format(**world))
        if "9" * 30 not in path:
            continue
        if method == "GET":
            response = web.client.get(path)
        else:
            response = web.client.post(path, data={"csrf_token": token})
        if response.status_code not in (404, 405):  # no such page (or not for this method)
            failures.append(f"{method} {path}: {response.status_code}")
    assert not failures, failures


# --- texts of the size a person writes ---------------------------------------------------------


def test_a_one_megabyte_note_is_refused_next_to_the_field(web, admin, make_group):
    group = make_group("Kafo")
    web.login("admin")
    form = {"name": "Kafo", "notes": "x" * 1_000_000}
    response = web.post(f"/groups/{group.id}/edit", form)
    assert response.status_code == 422
    assert "At most 4000 characters here; this text has 1000000." in page(response)
    with db.connection_context():
        assert SavingsGroup.get_by_id(group.id).notes == ""


def test_a_name_longer_than_a_person_writes_is_refused(web, admin, make_group):
    group = make_group()
    web.login("admin")
    response = web.post(
        f"/groups/{group.id}/members/new",
        {"full_name": "A" * 201, "member_type": "returnee", "joined_on": "2026-01-05"},
    )
    assert response.status_code == 422
    assert "At most 200 characters here; this text has 201." in page(response)


# --- files owner-only, init with the key in the environment, HTTPS, the size of a request -------


def sqlite_app(tmp_path, **settings):
    return create_app(
        {
            "INSTANCE_PATH": tmp_path / "instance",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'books.sqlite3'}",
            "SECRET_KEY": "k",
            **CHEAP_ARGON2,
            **settings,
        }
    )


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_database_and_its_write_ahead_log_are_readable_by_their_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        sqlite_app(tmp_path)
        with db.connection_context():
            db.execute_sql("CREATE TABLE probe (i INTEGER)")  # the log exists while connected
            for suffix in ("", "-wal", "-shm"):
                assert mode(f"{tmp_path / 'books.sqlite3'}{suffix}") == 0o600, suffix
    finally:
        os.umask(old)


def test_a_database_readable_by_everyone_is_made_owner_only_on_start(tmp_path):
    path = tmp_path / "books.sqlite3"
    other = sqlite3.connect(path)  # another process, its log open while the app starts
    other.execute("PRAGMA journal_mode=wal")
    other.execute("CREATE TABLE probe (i INTEGER)")
    try:
        for suffix in ("", "-wal", "-shm"):
            os.chmod(f"{path}{suffix}", 0o644)
        sqlite_app(tmp_path)
        for suffix in ("", "-wal", "-shm"):
            assert mode(f"{path}{suffix}") == 0o600, suffix
    finally:
        other.close()


def test_init_works_with_the_secret_key_in_the_environment(tmp_path, monkeypatch):
    instance = tmp_path / "new-instance"
    monkeypatch.setenv("SAVINGS_GROUPS_INSTANCE", str(instance))
    monkeypatch.setenv("SAVINGS_GROUPS_SECRET_KEY", "a key kept by the server's manager")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    assert (instance / "savings_groups.sqlite3").exists()
    assert not (instance / "secret_key").exists()  # the key stays where the manager put it
    assert mode(instance) == 0o700


def cookies_set(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


@pytest.mark.parametrize("https", [True, False])
def test_cookies_are_secure_when_the_app_is_served_over_https(app_config, https):
    app = create_app({**app_config, "HTTPS": https})
    with db.connection_context():
        policy = accounts.LoginPolicy.from_config(app.config)
        accounts.setup("Programme Retour", "admin", "Awa Admin", PASSWORD, "fr", policy)
    client = app.test_client()
    base = "https://localhost" if https else "http://localhost"
    token = Browser(client).csrf(f"{base}/login")
    response = client.post(
        f"{base}/login",
        data={"csrf_token": token, "username": "admin", "password": PASSWORD},
        headers={"Referer": f"{base}/login"},  # Flask-WTF checks it over HTTPS
    )
    assert response.status_code == 302
    cookies = cookies_set(response)
    assert {"session", LANGUAGE_COOKIE} <= set(cookies)
    for header in cookies.values():
        assert ("; Secure" in header) is https, header


def test_https_is_a_setting_of_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SAVINGS_GROUPS_HTTPS", "true")
    app = sqlite_app(tmp_path)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["PREFERRED_URL_SCHEME"] == "https"


def test_a_request_too_large_says_what_and_the_limit_in_the_users_language(
    tmp_path, fresh_databases
):
    url = database_url(tmp_path)
    fresh_databases.migrated(url)
    app = create_app({**app_settings(tmp_path, url), "MAX_CONTENT_LENGTH": 1024 * 1024})
    client = app.test_client()
    client.set_cookie(LANGUAGE_COOKIE, "fr")
    response = client.post("/login", data={"username": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    text = page(response)
    assert "trop volumineux\u202f: 3\u202fMo, pour une limite de 1\u202fMo." in text
    assert "Rien n’a été enregistré" in text


def test_the_size_limit_is_twenty_megabytes_unless_set(tmp_path):
    assert sqlite_app(tmp_path).config["MAX_CONTENT_LENGTH"] == 20 * 1024 * 1024


# --- a full disk or an unwritable database: a clear page in the user's language ----------------

NOT_WRITTEN = "The books cannot be written: the disk is full or read-only. Nothing was saved."
SQLITE_ONLY = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="the files of a SQLite database"
)


@SQLITE_ONLY
def test_a_full_disk_after_start_gives_a_clear_page_and_writes_nothing(web, admin, conn):
    web.login("admin")
    token = web.csrf("/groups/new")
    pages = db.execute_sql("PRAGMA page_count").fetchone()[0]
    db.execute_sql(f"PRAGMA max_page_count = {pages}")  # SQLite answers SQLITE_FULL from now on
    form = {
        "csrf_token": token,
        "name": "Kafo",
        "kind": "savings",
        "currency": "XOF",
        "meeting_frequency": "weekly",
        "meeting_day": "",
        "facilitator_id": "",
        "country": "",
        "notes": "n" * 4000,
    }
    response = web.client.post("/groups/new", data=form)
    assert response.status_code == 503
    assert NOT_WRITTEN in page(response)
    assert "Awa Admin" in page(response)  # the page knows who is logged in, as before
    assert SavingsGroup.select().count() == 0


@SQLITE_ONLY
def test_an_unopenable_database_after_start_gives_the_clear_page_on_login_too(app, client, admin):
    path = Path(db.obj.database)
    client.get("/login")
    if not db.is_closed():
        db.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    Path(f"{path}-wal").mkdir()  # the log cannot be made: no page can read or write
    try:
        client.set_cookie(LANGUAGE_COOKIE, "fr")
        response = client.get("/login")
        assert response.status_code == 503
        assert "Rien n’a été enregistré" in page(response)
        response = client.post("/login", data={"username": "admin", "password": PASSWORD})
        assert response.status_code == 503
    finally:
        Path(f"{path}-wal").rmdir()


@pytest.mark.parametrize(
    "message",
    [
        "disk I/O error",
        "database or disk is full",
        "attempt to write a readonly database",
        "unable to open database file",
    ],
)
def test_every_way_sqlite_says_it_cannot_write_is_recognised(message):
    assert is_unwritable_error(OperationalError(message))


def test_other_database_errors_are_not_taken_for_a_full_disk():
    assert not is_unwritable_error(OperationalError("no such table: member"))


# --- a stranger cannot lock an owner out of their own laptop; an administrator unlocks ---------

LOCKED = "Too many failed attempts for this username"


def try_login(browser, username, password):
    response = browser.login(username, password)
    return response.status_code == 302, page(response)


def fail_until_locked(browser, username):
    for _attempt in range(5):
        logged_in, _text = try_login(browser, username, "wrong password")
        assert not logged_in


@pytest.fixture
def owner_and_stranger(app, admin, make_user):
    """Fatou's laptop, where she logged in before (its device cookie), and a stranger's browser."""
    make_user("fatou", Role.RECORDER)
    laptop = Browser(app.test_client())
    assert try_login(laptop, "fatou", PASSWORD)[0]
    laptop.post("/logout", form_path="/account")
    return laptop, Browser(app.test_client())


def test_a_strangers_failures_do_not_lock_the_owner_on_her_own_laptop(owner_and_stranger):
    laptop, stranger = owner_and_stranger
    fail_until_locked(stranger, "fatou")
    logged_in, text = try_login(stranger, "fatou", PASSWORD)
    assert not logged_in and LOCKED in text  # the lockout stays for other browsers
    assert try_login(laptop, "fatou", PASSWORD)[0]


def test_failures_on_the_owners_laptop_lock_it_too(owner_and_stranger):
    laptop, _stranger = owner_and_stranger
    fail_until_locked(laptop, "fatou")
    logged_in, text = try_login(laptop, "fatou", PASSWORD)
    assert not logged_in and LOCKED in text


def test_a_forged_or_borrowed_device_cookie_counts_as_an_unknown_browser(
    owner_and_stranger, app, make_user
):
    laptop, stranger = owner_and_stranger
    fail_until_locked(stranger, "fatou")
    forger = Browser(app.test_client())
    forger.client.set_cookie(DEVICE_COOKIE, "forged")
    assert LOCKED in try_login(forger, "fatou", PASSWORD)[1]
    # A device cookie of one's own account gives no separate count for another's.
    make_user("bob", Role.VIEWER)
    insider = Browser(app.test_client())
    assert try_login(insider, "bob", PASSWORD)[0]
    insider.post("/logout", form_path="/account")
    assert LOCKED in try_login(insider, "fatou", PASSWORD)[1]


def test_an_administrator_sees_a_locked_account_and_unlocks_it(owner_and_stranger, app):
    _laptop, stranger = owner_and_stranger
    fail_until_locked(stranger, "fatou")
    boss = Browser(app.test_client())
    assert try_login(boss, "admin", PASSWORD)[0]
    text = page(boss.client.get("/admin/users"))
    assert "Locked until" in text
    with db.connection_context():
        fatou = User.get(User.username == "fatou")
    response = boss.post(f"/admin/users/{fatou.id}/unlock", form_path="/admin/users")
    assert response.status_code == 302
    assert "Locked until" not in page(boss.client.get("/admin/users"))
    with db.connection_context():
        assert not LoginThrottle.select().where(LoginThrottle.username == "fatou").exists()
        entry = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
        assert (entry.action, entry.object_id) == ("user.unlock", fatou.id)
    assert try_login(stranger, "fatou", PASSWORD)[0]


def test_unlocking_needs_the_forms_token(owner_and_stranger, app):
    _laptop, stranger = owner_and_stranger
    fail_until_locked(stranger, "fatou")
    boss = Browser(app.test_client())
    assert try_login(boss, "admin", PASSWORD)[0]
    with db.connection_context():
        fatou = User.get(User.username == "fatou")
    assert boss.client.post(f"/admin/users/{fatou.id}/unlock").status_code == 400
    with db.connection_context():
        assert LoginThrottle.select().where(LoginThrottle.username == "fatou").exists()
