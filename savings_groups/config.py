"""Configuration in layers: defaults, the instance folder, the environment, then the caller's."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

from savings_groups.core.once import create_file_once

DEFAULTS = {
    "HOST": "127.0.0.1",
    "PORT": 5000,
    # A shared laptop: a session left open is closed after this many idle minutes.
    "IDLE_TIMEOUT_MINUTES": 15,
    "PASSWORD_MIN_LENGTH": 10,
    # After this many failed logins an account is locked, first for LOCKOUT_BASE_SECONDS,
    # then twice as long after each further failure, never more than LOCKOUT_MAX_SECONDS.
    "LOCKOUT_THRESHOLD": 5,
    "LOCKOUT_BASE_SECONDS": 60,
    "LOCKOUT_MAX_SECONDS": 3600,
    # argon2id cost: argon2-cffi's RFC 9106 low-memory profile (64 MiB, 3 passes).
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_COST": 65536,
    "ARGON2_PARALLELISM": 4,
    "BABEL_DEFAULT_LOCALE": "en",
    # The installation's zone, an IANA name like "Africa/Dakar": it says which day today is.
    # None: the machine's own zone.
    "TIMEZONE": None,
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "WTF_CSRF_TIME_LIMIT": None,  # a meeting form stays open for hours
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_DURATION": timedelta(0),
    "PREFERRED_URL_SCHEME": "http",
    # Served over HTTPS (the organization's server behind TLS): cookies only travel encrypted.
    "HTTPS": False,
    # How many reverse proxies (nginx) stand before the app and set X-Forwarded-For and -Proto:
    # 0 trusts no such header (the app faces the network); 1 behind one nginx.
    "TRUSTED_PROXIES": 0,
    # The largest request, in bytes (forms are small); a view may set request.max_content_length.
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    "RUN_MIGRATIONS_ON_START": True,
    # PostgreSQL: the connections each server process keeps open for its requests (0: a new
    # one per request), how long a request waits when all are busy, and when one is replaced.
    # Processes × pool size must stay under the server's max_connections (100 by default).
    "DATABASE_POOL_SIZE": 8,
    "DATABASE_POOL_WAIT_SECONDS": 10,
    "DATABASE_POOL_RECYCLE_SECONDS": 600,
    # SQLite: backups at start, daily, before an upgrade and before a share-out, in
    # BACKUP_FOLDER (None: <instance>/backups); the BACKUP_KEEP newest are kept.
    "BACKUPS_AUTOMATIC": True,
    "BACKUP_KEEP": 30,
    "BACKUP_FOLDER": None,
    # The address members reach the app at (http://192.168.1.10:5000), put in the QR codes of
    # printed statements; None: the address of the page being printed.
    "PUBLIC_URL": None,
    # Early warnings on the groups list and the home page (oversight/warnings.py): PAR>30 above
    # this share; attendance of the last four meetings below the four before by this share; a
    # member in arrears for more than this many meetings, or owing more than this many times
    # their savings; no meeting for the group's period (7, 14, 31 days) and this many days more.
    "OVERSIGHT_PAR30_THRESHOLD": "0.10",
    "OVERSIGHT_ATTENDANCE_DROP": "0.10",
    "OVERSIGHT_ARREARS_MEETINGS": 2,
    "OVERSIGHT_DEBT_TO_SAVINGS": "2",
    "OVERSIGHT_MEETING_GRACE_DAYS": 3,
}

SECRET_KEY_FILE = "secret_key"


def load(app, test_config=None):
    """Fill app.config from every layer, most specific last."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SAVINGS_GROUPS")
    if os.environ.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    if test_config:
        app.config.from_mapping(test_config)
    make_instance_folder(app.instance_path)
    app.config.setdefault("DATABASE_URL", default_database_url(app.instance_path))
    if app.config["HTTPS"]:
        app.config.update(
            SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https"
        )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = read_or_create_secret_key(app.instance_path)
    app.permanent_session_lifetime = timedelta(minutes=app.config["IDLE_TIMEOUT_MINUTES"])


def backup_folder(app) -> Path:
    return Path(app.config["BACKUP_FOLDER"] or Path(app.instance_path) / "backups")


def make_instance_folder(instance_path) -> None:
    """The folder of the books and the key, made for its owner only when it is new (whether or
    not the key comes from the environment)."""
    Path(instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)


def default_database_url(instance_path):
    return "sqlite:///" + str(Path(instance_path) / "savings_groups.sqlite3")


def read_or_create_secret_key(instance_path):
    """The key signs sessions; made once per installation, readable by its owner only."""
    path = Path(instance_path) / SECRET_KEY_FILE
    if not path.exists():
        key = secrets.token_hex(32)
        if create_file_once(path, key):
            return key
    return path.read_text(encoding="ascii").strip()
