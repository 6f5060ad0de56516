"""The administrator's backups page: the backups of the SQLite database, a download of each,
"Back up now"; on PostgreSQL, what the server's operator does instead (pg_dump)."""

from babel.units import format_unit
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from savings_groups import config
from savings_groups.backups import automatic, files
from savings_groups.core.vocabulary import BackupReason
from savings_groups.org.access import Action, require
from savings_groups.web.forms import AppForm
from savings_groups.web.views import translate

bp = Blueprint("backups", __name__, url_prefix="/admin/backups")


@bp.before_request
@login_required
def only_administrators():
    require(current_user.user, Action.MANAGE_USERS)


@bp.before_app_request
def daily_backup():
    """The daily backup is looked for on requests (at most once an hour): no thread needed."""
    automatic.daily_if_due()


@bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    """A size in kB or MB, the reader's way ("1,2 Mo" in French)."""
    unit, value = ("digital-kilobyte", size / 1000)
    if size >= 1_000_000:
        unit, value = ("digital-megabyte", size / 1_000_000)
    return format_unit(round(value, 1), unit, length="short", locale=str(get_locale()))


class BackupNowForm(AppForm):
    pass


def _folder():
    return config.backup_folder(current_app)


@bp.route("/")
def index():
    on_postgres = automatic.database_file() is None
    return render_template(
        "backups/index.html",
        on_postgres=on_postgres,
        backups=[] if on_postgres else files.listing(_folder()),
        folder=_folder(),
        keep=int(current_app.config["BACKUP_KEEP"]),
        automatic_on=current_app.config["BACKUPS_AUTOMATIC"],
        failed=translate(automatic.last_error) if automatic.last_error else None,
        form=BackupNowForm(),
    )


@bp.route("/", methods=["POST"])
def back_up_now():
    database = automatic.database_file()
    if not BackupNowForm().validate_on_submit():
        abort(400)
    if database is None:
        flash(_("On PostgreSQL, backups are made with pg_dump by the server's operator."), "info")
        return redirect(url_for("backups.index"))
    try:
        backup = files.take(
            database, _folder(), BackupReason.MANUAL, current_app.config["BACKUP_KEEP"]
        )
    except files.BackupFailed as error:
        flash(translate(error), "danger")
    else:
        flash(_("Backup made and checked: %(name)s.", name=backup.name), "success")
    return redirect(url_for("backups.index"))


@bp.route("/<name>")
def download(name: str):
    """Only a name the listing shows (never a path): nothing outside the backups folder."""
    found = {backup.name: backup for backup in files.listing(_folder())}
    if name not in found:
        abort(404)
    return send_file(
        found[name].path,
        as_attachment=True,
        download_name=name,
        mimetype="application/octet-stream",
        max_age=0,
    )
