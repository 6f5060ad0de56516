"""Error pages in the user's language: 400 (CSRF), 403, 404, 409 (another write at the same
moment, where a view does not show it next to its form), 503 (database not writable)."""

from babel.units import format_unit
from flask import current_app, g, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from peewee import DatabaseError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from savings_groups.core.errors import Forbidden, NotFound
from savings_groups.store import db as database
from savings_groups.web.auth import login_manager
from savings_groups.web.views import translate


def _page(status: int, title: str, message: str):
    return render_template("errors/error.html", status=status, title=title, message=message), status


def init_app(app) -> None:
    @app.errorhandler(NotFound)
    def not_found_domain(error):
        return _page(404, _("Not found"), translate(error))

    @app.errorhandler(Forbidden)
    def forbidden_domain(error):
        return _page(403, _("Not allowed"), translate(error))

    @app.errorhandler(404)
    def not_found(error):
        return _page(404, _("Not found"), _("This page does not exist or is not yours to see."))

    @app.errorhandler(403)
    def forbidden(error):
        return _page(403, _("Not allowed"), _("Your role does not allow this."))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _page(
            400,
            _("The form could not be accepted"),
            _(
                "The form was too old or did not come from this application, so nothing was "
                "saved. Go back, reload the page and try again."
            ),
        )

    @app.errorhandler(database.Busy)
    def busy(error):
        return _page(409, _("The form could not be accepted"), translate(error))

    @app.errorhandler(database.Unstorable)
    def unstorable(error):
        return _page(400, _("The form could not be accepted"), translate(error))

    @app.errorhandler(DatabaseError)
    def database_error(error):
        if not database.is_unwritable_error(error):
            raise error
        _without_database()
        return _page(
            503,
            _("The database cannot be written"),
            _("The books cannot be written: the disk is full or read-only. Nothing was saved.")
            + " "
            + _(
                "Ask the person who looks after this computer to check the file's permissions "
                "and the free disk space."
            ),
        )

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        limit = _megabytes(request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"])
        if request.content_length:
            message = _(
                "What was sent is too large: %(size)s, when at most %(limit)s is accepted. "
                "Nothing was saved.",
                size=_megabytes(request.content_length),
                limit=limit,
            )
        else:
            message = _(
                "What was sent is too large: at most %(limit)s is accepted. Nothing was saved.",
                limit=limit,
            )
        return _page(413, _("Too large"), message)

    @app.errorhandler(HTTPException)
    def other_http_error(error):
        code = error.code or 500
        return _page(
            code,
            _("Something went wrong (error %(code)d)", code=code),
            _(
                "The request could not be handled. Go back and try again; if it happens again, "
                "tell the person who looks after this application."
            ),
        )


def _megabytes(size: int) -> str:
    """A size in bytes as megabytes, written the reader's way ("3.5 MB", "3,5 Mo")."""
    megabytes = round(size / (1024 * 1024), 1)
    if megabytes == int(megabytes):
        megabytes = int(megabytes)
    return format_unit(megabytes, "digital-megabyte", length="short", locale=str(get_locale()))


def _without_database() -> None:
    """Let the error page render when the database is what failed: the page's shell asks
    nothing more of it (g.database_failed), and a user it could not load is shown as logged out."""
    g.database_failed = True
    try:
        current_user.is_authenticated  # noqa: B018 (loads the user when not loaded yet)
    except DatabaseError:
        login_manager._update_request_context_with_user()  # anonymous for this page
