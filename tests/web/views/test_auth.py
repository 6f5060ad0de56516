"""Login, first run, lock, idle timeout, CSRF and security headers, through the web pages."""

import re
import time

import pytest
from flask import render_template

from savings_groups.core.vocabulary import Role
from savings_groups.store.models import AuditEntry, Organization, User
from savings_groups.web.auth import LAST_SEEN
from savings_groups.web.views.auth import language_switch_form
from tests.conftest import PASSWORD


def page(response) -> str:
    return response.get_data(as_text=True)


def test_an_empty_installation_asks_for_setup_first(client, app):
    response = client.get("/")
    assert response.status_code == 302 and response.location == "/setup"
    assert client.get("/login").location == "/setup"


def test_setup_page_creates_the_organization_and_logs_in(web, app, conn):
    response = web.post(
        "/setup",
        {
            "organization_name": "Programme Retour",
            "full_name": "Awa Diallo",
            "username": "awa",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 302 and response.location == "/admin/users"
    assert "Programme Retour" in page(web.client.get("/admin/users"))
    assert User.get().role == Role.ADMIN
    # Once set up, the setup page is gone.
    assert web.client.get("/setup").status_code == 302


def test_setup_with_a_short_password_says_so_and_writes_nothing(web, app, conn):
    response = web.post(
        "/setup",
        {
            "organization_name": "P",
            "full_name": "A",
            "username": "awa",
            "password": "short",
            "confirm": "short",
        },
    )
    assert response.status_code == 422
    assert "at least 10 characters" in page(response)
    assert User.select().count() == 0 and Organization.select().count() == 0


def test_login_and_logout(web, admin):
    response = web.login("admin")
    assert response.status_code == 302 and response.location == "/"
    assert "Awa Admin" in page(web.client.get("/"))
    response = web.post("/logout", form_path="/")
    assert response.status_code == 302
    assert web.client.get("/").location.startswith("/login")


def test_wrong_password_and_unknown_user_read_the_same(web, admin):
    wrong = page(web.login("admin", "not the password"))
    unknown = page(web.login("nobody", "not the password"))
    assert "Unknown username or wrong password." in wrong
    assert "Unknown username or wrong password." in unknown


def test_the_lock_survives_a_restart(web, admin, app_config):
    from savings_groups import create_app

    for _ in range(5):
        web.login("admin", "not the password")
    # A new app on the same database, as after a restart or on a second worker.
    other = create_app(app_config).test_client()
    from tests.conftest import Browser

    response = Browser(other).login("admin")
    assert response.status_code == 422
    assert "Too many failed attempts" in page(response)


def test_login_redirects_only_to_this_site(web, admin):
    token = web.csrf("/login")
    for target, expected in [
        ("/admin/users", "/admin/users"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
    ]:
        response = web.client.post(
            "/login",
            data={"csrf_token": token, "username": "admin", "password": PASSWORD, "next": target},
        )
        assert response.location == expected
        web.client.post("/logout", data={"csrf_token": web.csrf("/")})
        token = web.csrf("/login")


def test_idle_session_ends_and_comes_back_to_the_page(web, app, admin):
    web.login("admin")
    assert web.client.get("/admin/users").status_code == 200
    with web.client.session_transaction() as session:
        session[LAST_SEEN] = int(time.time()) - app.config["IDLE_TIMEOUT_MINUTES"] * 60 - 5
    response = web.client.get("/admin/users")
    assert response.status_code == 302
    assert response.location == "/login?next=/admin/users"
    assert "without activity" in page(web.client.get(response.location))
    assert web.client.get("/admin/users").location.startswith("/login")


def test_activity_keeps_the_session_open(web, app, admin):
    web.login("admin")
    with web.client.session_transaction() as session:
        session[LAST_SEEN] = int(time.time()) - app.config["IDLE_TIMEOUT_MINUTES"] * 60 + 30
    assert web.client.get("/").status_code == 200


def test_lock_returns_to_login_with_the_username_and_the_page(web, admin):
    web.login("admin")
    response = web.post("/lock", {"next": "/admin/audit"}, form_path="/")
    assert response.status_code == 302 and response.location == "/login?next=/admin/audit"
    login_page = page(web.client.get(response.location))
    assert 'value="admin"' in login_page and 'value="/admin/audit"' in login_page
    assert web.client.get("/").status_code == 302  # locked: nothing is shown
    token = web.csrf(response.location)
    back = web.client.post(
        "/login",
        data={
            "csrf_token": token,
            "username": "admin",
            "password": PASSWORD,
            "next": "/admin/audit",
        },
    )
    assert back.location == "/admin/audit"


def test_a_form_without_or_with_a_wrong_csrf_token_is_refused_and_nothing_is_written(
    web, admin, conn
):
    web.login("admin")
    count = User.select().count()
    data = {
        "full_name": "Eve",
        "username": "eve",
        "role": "viewer",
        "locale": "",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    missing = web.client.post("/admin/users/new", data=data)
    wrong = web.client.post("/admin/users/new", data={**data, "csrf_token": "forged"})
    for response in (missing, wrong):
        assert response.status_code == 400
        assert "nothing was saved" in page(response)
    assert User.select().count() == count


def test_a_duplicate_username_is_shown_next_to_the_field(web, admin, make_user, conn):
    make_user("bob")
    web.login("admin")
    response = web.post(
        "/admin/users/new",
        {
            "full_name": "Other Bob",
            "username": "BOB",
            "role": "viewer",
            "locale": "",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 422
    assert "already taken" in page(response)
    assert 'id="username-error"' in page(response)
    assert User.select().where(User.full_name == "Other Bob").count() == 0


def test_reset_password_then_the_user_must_change_it(web, admin, make_user, conn):
    bob = make_user("bob", role=Role.VIEWER)
    web.login("admin")
    response = web.post(
        f"/admin/users/{bob.id}/password",
        {"reset-password": "temporary 12345", "reset-confirm": "temporary 12345"},
        form_path=f"/admin/users/{bob.id}",
    )
    assert response.status_code == 302
    web.post("/logout", form_path="/")
    web.login("bob", "temporary 12345")
    response = web.client.get("/")
    assert response.status_code == 302 and response.location == "/account"
    web.post(
        "/account",
        {
            "action": "password",
            "pw-current_password": "temporary 12345",
            "pw-password": "my own secret",
            "pw-confirm": "my own secret",
        },
    )
    assert web.client.get("/").status_code == 200


def test_security_headers(web, admin):
    for path in ("/login", "/static/css/app.css"):
        response = web.client.get(path)
        response.close()
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    web.login("admin")
    assert web.client.get("/").headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_and_no_outside_address(web, admin, make_group):
    group = make_group()
    web.login("admin")
    for path in ("/", "/login", f"/groups/{group.id}", "/admin/users/new", "/account"):
        html = page(web.client.get(path))
        assert "<script>" not in html and " on" + "click=" not in html
        assert "http://" not in html and "https://" not in html, path


def test_admin_changes_are_audited_with_the_actor(web, admin, make_group, conn):
    group = make_group()
    web.login("admin")
    web.post(
        "/admin/users/new",
        {
            "full_name": "Fatou",
            "username": "fatou",
            "role": "facilitator",
            "locale": "",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "groups": [group.id],
        },
    )
    fatou = User.get(User.username == "fatou")
    entries = AuditEntry.select().where(
        AuditEntry.object_id == fatou.id, AuditEntry.object_type == "User"
    )
    assert {(e.action, e.actor_id) for e in entries} >= {
        ("user.create", admin.id),
        ("group.assign", admin.id),
    }
    assert "fatou" in page(web.client.get("/audit"))


def test_the_language_switch_shows_the_page_language_after_a_failed_form(web, make_user, conn):
    """A form sent back with errors must not reset the header's language list to the first one."""
    make_user("amina", role=Role.ADMIN, locale="fr")
    web.login("amina")
    response = web.post("/admin/users/new", {"full_name": ""})
    assert response.status_code == 422
    assert '<option selected value="fr">' in page(response)


@pytest.mark.parametrize("csrf", [True, False])
@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_the_header_switch_writes_the_language_form(app, conn, csrf, language):
    """templates/_language_switch.html writes the markup of the form /language reads
    (language_switch_form) without building it: the same fields, token, page and choice."""
    app.config["WTF_CSRF_ENABLED"] = csrf
    with app.test_request_context(
        "/groups/7?page=2&q=a%22b", headers={"Cookie": f"lang={language}"}
    ):
        written = render_template("_language_switch.html")
        form = language_switch_form()
        fields = [
            form.next(),
            form.language.label(class_="visually-hidden"),
            form.language(class_="form-select form-select-sm", **{"data-autosubmit": "1"}),
        ]
        if csrf:
            fields.insert(0, form.csrf_token())
        assert "csrf_token" in written if csrf else "csrf_token" not in written
        for field in fields:
            assert str(field) in written
        assert f'<option selected value="{language}">' in written


def test_no_template_uses_an_inline_style_or_script():
    """The Content-Security-Policy blocks both: they would silently do nothing in the browser."""
    from pathlib import Path

    offenders = [
        str(path)
        for path in Path(__file__).resolve().parents[3].joinpath("templates").rglob("*.html")
        if re.search(r"<[a-z][^>]*\sstyle=\"|<script>|\son[a-z]+=\"", path.read_text())
    ]
    assert offenders == []
