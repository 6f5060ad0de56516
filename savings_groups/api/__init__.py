"""The read-only JSON API, v1: a blueprint under /api/v1/, a bearer token on every call but the
OpenAPI document's, errors as JSON. CSRF does not apply: nothing here writes, and no cookie
authenticates a call."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(app) -> None:
    from savings_groups.api import views  # noqa: F401  (its routes on bp)

    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)
