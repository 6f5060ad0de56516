"""The read-only JSON API, v1: a blueprint under /api/v1/, a bearer token on every call but the
OpenAPI document's, errors as JSON. CSRF does not apply: nothing here writes, and no cookie
authenticates a call."""

from flask import Blueprint, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(app) -> None:
    """Register the blueprint (after the pages' error handlers: see _json_under_api)."""
    from savings_groups.api import views

    app.register_blueprint(bp)
    for error in (NotFound, MethodNotAllowed):
        _json_under_api(app, error, views.routing_error)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)


def _json_under_api(app, error: type, answer) -> None:
    """Answer `error` under /api/v1 with `answer` (JSON), elsewhere with the page the app had.

    A routing error (an unknown address, a method not taken) comes before any blueprint is
    chosen, so the blueprint's own handlers never see it; and the app's handler for a status
    code wins over a blueprint's for HTTPException. Hence one app handler per code, that looks
    at the path, and elsewhere calls the app's handler for that code, or for any HTTP error."""
    handlers = app.error_handler_spec[None]
    page = handlers[error.code].get(error) or handlers[None].get(HTTPException)

    def handle(exception):
        if request.path == bp.url_prefix or request.path.startswith(bp.url_prefix + "/"):
            return answer(exception)
        return page(exception) if page is not None else exception

    app.register_error_handler(error, handle)
