"""Group bundles in the browser: download the books of groups, bring a bundle in (checked
first, or imported), and where each laptop stands. For administrators and facilitators, on
the groups they see."""

from io import BytesIO

from flask import Blueprint, current_app, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField

from savings_groups.bundles import operations, reports
from savings_groups.core.dates import utcnow
from savings_groups.core.errors import DomainError
from savings_groups.groups.operations import real_groups
from savings_groups.org import access
from savings_groups.org.access import Action
from savings_groups.web.forms import MultiCheckboxField
from savings_groups.web.views import render_form, show_error, translate

bp = Blueprint("bundles", __name__, url_prefix="/bundles")

# What the summary of an import counts, by table; the other rows are counted together.
SUMMARY = {
    "member": _l("Members"),
    "meeting": _l("Meetings"),
    "entry": _l("Entries"),
    "loan": _l("Loans"),
    "round": _l("Rounds"),
}


@bp.before_request
@login_required
def only_those_who_manage_groups():
    access.require(current_user.user, Action.EDIT_GROUP)


class ExportForm(FlaskForm):
    groups = MultiCheckboxField(_l("Groups"), coerce=int)

    def fill_choices(self, groups) -> None:
        self.groups.choices = [(g.id, g.name) for g in groups]


class ImportForm(FlaskForm):
    bundle = FileField(_l("Bundle file"), validators=[FileRequired(_l("Choose a bundle file."))])
    check = SubmitField(_l("Check what it would add"))
    submit = SubmitField(_l("Import"))


def _page(export_form=None, import_form=None, imported=None, status=200):
    groups = list(real_groups(access.visible_groups(current_user.user)))
    export_form = export_form or ExportForm()
    export_form.fill_choices(groups)
    import_form = import_form or ImportForm()
    ids = [g.id for g in groups]
    return render_form(
        "bundles/index.html",
        import_form,
        status,
        export_form=export_form,
        import_form=import_form,
        groups=groups,
        pending=reports.pending(ids),
        brought=reports.brought(ids),
        imported=imported,
        summary=SUMMARY,
    )


@bp.route("/")
def index():
    return _page()


@bp.route("/export", methods=["POST"])
def export():
    form = ExportForm()
    groups = list(real_groups(access.visible_groups(current_user.user)))
    form.fill_choices(groups)
    if not form.validate_on_submit() or not form.groups.data:
        form.groups.errors = [_("Choose at least one group to export.")]
        return _page(export_form=form, status=422)
    user = current_user.user
    try:
        data = operations.export_groups(
            form.groups.data, current_app.instance_path, by=user.username
        )
    except DomainError as error:  # the key file of another organization, say
        form.groups.errors = [translate(error)]
        return _page(export_form=form, status=422)
    name = f"savings-groups-{utcnow():%Y%m%d-%H%M%S}.zip"
    return send_file(
        BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=name
    )


@bp.route("/import", methods=["POST"])
def import_bundle():
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(import_form=form)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    data = form.bundle.data.read(limit + 1)
    try:
        imported = operations.import_bundle(
            current_user.user, data, current_app.instance_path, dry_run=bool(form.check.data)
        )
    except DomainError as error:  # BundleRefused, or the key file of another organization
        show_error(form, error)
        return _page(import_form=form)
    return _page(imported=imported)


def other_rows(group_import, kind: str) -> int:
    counted = getattr(group_import, kind)
    return sum(n for table, n in counted.items() if table not in SUMMARY)


bp.add_app_template_global(other_rows, "bundle_other_rows")
