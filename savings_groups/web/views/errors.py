"""Error pages in the user's language: 400 (CSRF), 403, 404, 409 (another write at the same
moment, where a view does not show it next to its form), 503 (database not writable)."""

from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from peewee import DatabaseError
from werkzeug.exceptions import HTTPException

from savings_groups.core.errors import Forbidden, NotFound
from savings_groups.store import db as database
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

    @app.errorhandler(DatabaseError)
    def database_error(error):
        if database.is_read_only_error(error):
            return _page(
                503,
                _("The database cannot be written"),
                _(
                    "Nothing was saved: the database file cannot be written. Ask the person who "
                    "looks after this computer to check the file's permissions and the free disk "
                    "space."
                ),
            )
        raise error

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
