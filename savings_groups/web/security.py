"""Security headers on every response, and CSRF on every form."""

from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), microphone=()",
}


# The largest id the databases hold (SQLite's INTEGER, PostgreSQL's bigint).
MAX_ID = 2**63 - 1


class BoundedInt(IntegerConverter):
    """<int:...> in an address: a 30-digit id is simply not found (404), where the database
    would raise an overflow (a 500)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits, min, max, signed)


def init_app(app) -> None:
    """CSRF, the headers; called before the blueprints are registered (the int converter)."""
    csrf.init_app(app)
    app.url_map.converters["int"] = BoundedInt
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:  # behind nginx: the visitor's address and scheme are in its X-Forwarded-* headers
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.after_request
    def add_security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if current_user and current_user.is_authenticated:
            # A shared laptop: after logout or lock, Back must not show the last page.
            response.headers["Cache-Control"] = "no-store"
        return response
