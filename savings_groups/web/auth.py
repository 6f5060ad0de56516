"""Sessions in the browser: Flask-Login, the idle timeout of a shared laptop, and setup first."""

import secrets
import time
import unicodedata
from urllib.parse import unquote, urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_user, logout_user
from itsdangerous import BadSignature, URLSafeSerializer

from savings_groups.org import accounts
from savings_groups.store.models import User

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"

LAST_SEEN = "last_seen"
# The browser's own id, signed with the app's secret, with the usernames that logged in there:
# their failed logins in this browser count apart from a stranger's (accounts.authenticate).
DEVICE_COOKIE = "device"
DEVICE_MAX_AGE = 2 * 365 * 24 * 3600
DEVICE_USERS_MAX = 20  # a shared laptop: its recent users
# Pages anyone may open: logging in, first-run setup, choosing a language, static files.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "auth.setup", "auth.language", "static"})


class SessionUser:
    """Flask-Login's view of a User; its id carries the session token, so a reset ends sessions."""

    def __init__(self, user: User):
        self.user = user

    def __getattr__(self, name):
        return getattr(self.user, name)

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self):
        return self.user.is_active

    def get_id(self):
        return f"{self.user.id}:{self.user.session_token}"


@login_manager.user_loader
def load_user(session_id: str):
    user_id, _sep, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = User.get_or_none((User.id == int(user_id)) & User.is_active)
    if user is None or user.session_token != token:
        return None
    return SessionUser(user)


def start_session(user: User) -> None:
    session.clear()
    login_user(SessionUser(user))
    session.permanent = True
    session[LAST_SEEN] = int(time.time())


def _devices() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="device")


def _device() -> dict | None:
    """This browser's signed device cookie, or None when it has none or it was altered."""
    try:
        data = _devices().loads(request.cookies.get(DEVICE_COOKIE, ""))
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("users"), list):
        return None
    return data


def device_for(username: str) -> str:
    """Whose count of failed logins a try for `username` joins: this browser's own when the
    username logged in here before, else "" (every unknown browser shares that count)."""
    data = _device()
    if data and accounts.normalize_username(username) in data["users"]:
        return str(data["id"])
    return ""


def remember_device(response, username: str) -> None:
    """After a successful login: this browser is now known to `username` (cookie kept 2 years)."""
    data = _device() or {"id": secrets.token_urlsafe(16), "users": []}
    users = [name for name in data["users"] if name != username] + [username]
    data["users"] = users[-DEVICE_USERS_MAX:]
    response.set_cookie(
        DEVICE_COOKIE,
        _devices().dumps(data),
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )


def end_session() -> None:
    logout_user()
    session.clear()


def init_app(app) -> None:
    login_manager.init_app(app)

    @app.before_request
    def first_run_and_idle_timeout():
        if request.endpoint in PUBLIC_ENDPOINTS or request.blueprint == "api":
            return None  # the API answers with its own token, never a session
        if not app.config.get("SETUP_DONE"):
            if accounts.needs_setup():
                return redirect(url_for("auth.setup"))
            app.config["SETUP_DONE"] = True  # users are never deleted: checked once
        if current_user.is_authenticated:
            return _check_idle()
        return None


def _check_idle():
    idle_seconds = current_app.config["IDLE_TIMEOUT_MINUTES"] * 60
    now = int(time.time())
    last_seen = session.get(LAST_SEEN, 0)
    if now - last_seen > idle_seconds:
        end_session()
        flash(
            _(
                "Your session ended after %(minutes)d min without activity. Please log in again.",
                minutes=current_app.config["IDLE_TIMEOUT_MINUTES"],
            ),
            "warning",
        )
        return redirect(url_for("auth.login", next=_safe_next(request.full_path)))
    session[LAST_SEEN] = now
    if current_user.must_change_password and request.endpoint not in (
        "auth.account",
        "auth.logout",
        "auth.lock",
    ):
        flash(_("Please choose a new password before going on."), "warning")
        return redirect(url_for("auth.account"))
    return None


def _safe_next(path: str | None) -> str | None:
    """Only a path on this site, so that a link cannot send the user elsewhere after login."""
    if not path or request.method != "GET":
        return None
    return safe_next(path.rstrip("?"))


def safe_next(target: str | None) -> str | None:
    """The target when it is a path of this site, else None.

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so that
    "/%09/evil.example" or "/\\evil.example" would lead to another site: any whitespace, control
    character or backslash (also percent-encoded in the path), and any "//" at the start, refuse
    the target.
    """
    if not target or not target.startswith("/"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    # The whole target as sent, and its path decoded (a query's %20 or %2F is only data).
    for text in (target, unquote(parts.path)):
        if "\\" in text or text.startswith("//") or any(_unsafe(char) for char in text):
            return None
    return target


def _unsafe(char: str) -> bool:
    """Whitespace or a control character, in any script (U+00A0, U+3000 included)."""
    return char.isspace() or unicodedata.category(char)[0] in "CZ"
