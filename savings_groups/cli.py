"""The `savings-groups` command: serve, init, create-user, check, backup, restore, the statement
keys. It speaks the installer's language (LANG and the like, or --language), from the web app's
catalogs: help and prompts are msgids marked with N_, translated when click shows them."""

import functools
import gc
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from savings_groups.core import translation
from savings_groups.core.errors import N_, DomainError, Number

LANGUAGE_VARIABLE = "SAVINGS_GROUPS_LANGUAGE"
# click's own words on a help page, shown through HelpFormatter.section(): marked here so that
# the catalogs carry them.
HEADINGS = (N_("Options"), N_("Commands"), N_("Positional arguments"))

_messages = translation.Messages()  # the language of this run, chosen when the command starts


def _(msgid: str, /, **params) -> str:
    """A message in the command's language, with its %(name)s params (a Number written the
    reader's way: 1 250 000 in French)."""
    return _messages.gettext(
        msgid,
        **{k: _messages.readable(v) if isinstance(v, Number) else v for k, v in params.items()},
    )


def _speak(asked: str | None) -> None:
    """Choose the language of this run: asked (--language or SAVINGS_GROUPS_LANGUAGE), else the
    environment as gettext reads it; English when the language has no catalog here."""
    global _messages
    folder = _translations()
    code = translation.choose(translation.installed(folder), os.environ, asked)
    _messages = translation.Messages(folder, code)


def _asked_language(args: list[str]) -> str | None:
    """--language among the options before the subcommand (create-user has its own --language,
    the new account's), else SAVINGS_GROUPS_LANGUAGE. Read before click parses anything, so
    that its help and its errors are in that language whatever the order of the options."""
    for index, arg in enumerate(args):
        if arg == "--language" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--language="):
            return arg.partition("=")[2]
        if not arg.startswith("-"):
            break
    return os.environ.get(LANGUAGE_VARIABLE) or None


class _Translated:
    """An attribute click reads when it shows it (a help text): stored as the msgid, read in
    the command's language."""

    def __set_name__(self, owner, name):
        self.name = f"_msgid_{name}"

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__.get(self.name)
        return _(value) if isinstance(value, str) and value else value

    def __set__(self, obj, value):
        obj.__dict__[self.name] = value


class _Formatter(click.HelpFormatter):
    def write_usage(self, prog, args="", prefix=None):
        super().write_usage(prog, args, _("Usage:") + " " if prefix is None else prefix)

    def section(self, name):
        return super().section(_(name))

    def write_heading(self, heading):
        line = _("%(label)s:", label=heading)
        self.write(f"{'':>{self.current_indent}}{line}\n")


class _Context(click.Context):
    formatter_class = _Formatter


class Option(click.Option):
    help = _Translated()

    def get_help_record(self, ctx):
        """click's own, with its bracket (default, range, required) in the command's language."""
        if self.hidden:
            return None
        extra = self.get_help_extra(ctx)
        items = []
        if "envvars" in extra:
            items.append(_("environment variable: %(name)s", name=", ".join(extra["envvars"])))
        if "default" in extra:
            items.append(_("default: %(value)s", value=extra["default"]))
        if "range" in extra:
            items.append(extra["range"])
        if "required" in extra:
            items.append(_("required"))
        help = self.help or ""
        if items:
            bracket = functools.reduce(
                lambda a, b: _("%(first)s; %(then)s", first=a, then=b), items
            )
            help = f"{help}  [{bracket}]" if help else f"[{bracket}]"
        return self.get_help_spec(ctx), help


class Argument(click.Argument):
    help = _Translated()


class Command(click.Command):
    context_class = _Context
    help = _Translated()
    short_help = _Translated()

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = _("Show this message and exit.")
        return option


class Group(Command, click.Group):
    command_class = Command


Group.group_class = Group


class Refusal(click.ClickException):
    """The command cannot do it: the reason, after "Error:" in the command's language."""

    def show(self, file=None):
        click.echo(_("Error: %(message)s", message=self.format_message()), file=file, err=True)


class _Main(Group):
    def make_context(self, info_name, args, parent=None, **extra):
        _speak(_asked_language(args))
        return super().make_context(info_name, args, parent, **extra)


def option(*names, **attrs):
    return click.option(*names, cls=Option, **attrs)


def argument(*names, **attrs):
    return click.argument(*names, cls=Argument, **attrs)


def _refused(error: DomainError) -> Refusal:
    """A refusal of the domain, in the command's language (amounts as money, numbers, dates)."""
    return Refusal(_messages.error(error))


def _app():
    """Build the app, or stop with the reason in plain words (e.g. a read-only database)."""
    from savings_groups import create_app

    try:
        return create_app()
    except DomainError as error:
        raise _refused(error) from error


@click.group(
    cls=_Main,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=N_(
        "Savings Groups: books for savings groups and ROSCAs and the organizations behind them."
    ),
)
@option(
    "--language",
    metavar="CODE",
    envvar=LANGUAGE_VARIABLE,
    show_envvar=True,
    expose_value=False,
    is_eager=True,
    help=N_(
        "Language of the command's messages, e.g. fr or es (default: the computer's, from "
        "LANGUAGE, LC_ALL, LC_MESSAGES or LANG; English when the app does not have it)."
    ),
)
def main():
    pass


@main.command(help=N_("Apply pending migrations, then serve the app with waitress."))
@option(
    "--host",
    default=None,
    help=N_("Address to listen on (default 127.0.0.1: this computer only)."),
)
@option("--port", default=None, type=int, help=N_("Port to listen on (default 5000)."))
@option("--threads", default=8, show_default=True, help=N_("Worker threads."))
def serve(host, port, threads):
    from waitress import serve as waitress_serve

    app = _app()
    gc.freeze()  # the app's own objects out of the collector's way, as in wsgi.py
    host = host or app.config["HOST"]
    port = port or int(app.config["PORT"])
    address = f"http://{host}:{port}/"
    click.echo(
        _(
            "Savings Groups on %(address)s  (instance folder: %(folder)s)",
            address=address,
            folder=app.instance_path,
        )
    )
    click.echo(_("Press Ctrl+C to stop."))
    waitress_serve(app, host=host, port=port, threads=threads, ident="savings-groups")


@main.command(
    help=N_("Create the instance folder, its secret key and the database, and apply migrations.")
)
def init():
    app = _app()
    click.echo(_("Instance folder: %(folder)s", folder=app.instance_path))
    click.echo(_("Database: %(url)s", url=app.config["DATABASE_URL"]))
    click.echo(_("The database is up to date."))


@main.command(
    "create-user", help=N_("Create an account; the first one also creates the organization.")
)
@option("--username", help=N_("Login name (letters, digits, dots, dashes)."))
@option("--full-name", help=N_("The person's full name."))
@option(
    "--role",
    type=click.Choice(["admin", "facilitator", "recorder", "viewer"]),
    default="admin",
    show_default=True,
    help=N_("What the account may do."),
)
@option("--language", default=None, help=N_("Language of the interface, e.g. fr or en."))
@option(
    "--organization",
    default=None,
    help=N_("Name of the organization; needed for the first account."),
)
@option("--password", default=None, help=N_("The password (asked twice when not given)."))
def create_user(username, full_name, role, language, organization, password):
    from savings_groups.core.vocabulary import Role
    from savings_groups.org import accounts
    from savings_groups.store.db import db

    app = _app()
    username = username or _ask(N_("Login name"))
    full_name = full_name or _ask(N_("Full name"))
    policy = accounts.LoginPolicy.from_config(app.config)
    with db.connection_context():
        try:
            if accounts.needs_setup():
                if role != "admin":
                    raise Refusal(_("The first account must be an administrator (--role admin)."))
                if not organization:
                    organization = _ask(N_("Name of the organization"))
                password = password or _ask_password()
                user = accounts.setup(
                    organization, username, full_name, password, language or "en", policy
                )
            else:
                password = password or _ask_password()
                user = accounts.create_user(
                    None, username, full_name, role, password, language, policy
                )
        except DomainError as error:
            raise _refused(error) from error
    click.echo(
        _(
            "Account “%(username)s” created (%(role)s).",
            username=user.username,
            role=_messages.readable(Role(user.role)),
        )
    )


def _ask(question: str, hide_input: bool = False) -> str:
    """A question in the command's language, its colon set the language's way."""
    return click.prompt(
        _("%(label)s:", label=_(question)), prompt_suffix=" ", hide_input=hide_input
    )


def _ask_password() -> str:
    """The password typed twice, unseen, until both agree."""
    while True:
        password = _ask(N_("Password"), hide_input=True)
        if _ask(N_("Repeat the password"), hide_input=True) == password:
            return password
        click.echo(_("The two passwords differ: type them again."), err=True)


def _plainly(call, *args, **kwargs):
    """Run call; a refusal of the domain becomes the command's error message."""
    try:
        return call(*args, **kwargs)
    except DomainError as error:
        raise _refused(error) from error


def _domain(call, *args, **kwargs):
    """Run a domain call in a database connection (see _plainly)."""
    from savings_groups.store.db import db

    with db.connection_context():
        return _plainly(call, *args, **kwargs)


@main.command(
    "export",
    help=N_("Write a bundle of groups' books (a signed zip) to PATH, e.g. on a USB stick."),
)
@option(
    "--group",
    "group_ids",
    multiple=True,
    type=int,
    help=N_("A group's id (repeat); default: all."),
)
@argument("path", type=click.Path(dir_okay=False))
def export_command(group_ids, path):
    from savings_groups.bundles import operations
    from savings_groups.store.models import SavingsGroup

    app = _app()

    def export():
        ids = group_ids or [g.id for g in SavingsGroup.select(SavingsGroup.id)]
        return operations.export_groups(ids, app.instance_path, by="command line")

    data = _domain(export)
    _write_owner_only(path, data)
    click.echo(_("Bundle written to %(path)s (%(size)s bytes).", path=path, size=Number(len(data))))


def _write_owner_only(path, data: bytes) -> None:
    """A bundle holds members' names and money: readable by its owner only, and on disk whole."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a file that was there before keeps no wider mode
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


@main.command(
    "import", help=N_("Import a bundle of groups' books made on another laptop or the server.")
)
@option("--dry-run", is_flag=True, help=N_("Only say what the bundle would add."))
@argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(dry_run, path):
    from savings_groups.bundles import archive, operations

    app = _app()
    with open(path, "rb") as handle:
        data = handle.read(archive.Limits().file_bytes + 1)
    result = _domain(operations.import_bundle, None, data, app.instance_path, dry_run=dry_run)
    for group in result.groups:
        if group.new:
            state = _("new")
        else:
            state = _("changed") if group.changed else _("already up to date")
        added = ", ".join(f"{n} {t}" for t, n in sorted(group.added.items())) or _("nothing")
        click.echo(
            _("%(group)s: %(state)s; added %(added)s.", group=group.name, state=state, added=added)
        )
    click.echo(_("Nothing was written (dry run).") if dry_run else _("Imported."))


@main.group(
    "org-key", help=N_("The organization's key that signs bundles: the same on every laptop of it.")
)
def org_key():
    pass


@org_key.command(
    "export",
    help=N_(
        "Write the organization's key (made now if there is none) to PATH, for another laptop. "
        "Keep the file secret: whoever holds it can sign bundles."
    ),
)
@argument("path", type=click.Path(dir_okay=False))
def org_key_export(path):
    from savings_groups.bundles import identity

    app = _app()
    _domain(identity.export_key, app.instance_path, path)
    click.echo(_("Organization key written to %(path)s.", path=path))


@org_key.command(
    "import", help=N_("Take the organization's key from PATH (made by `org-key export`).")
)
@option("--replace", is_flag=True, help=N_("Replace a different key this laptop holds."))
@argument("path", type=click.Path(exists=True, dir_okay=False))
def org_key_import(replace, path):
    from savings_groups.bundles import identity

    app = _app()
    changed = _domain(identity.import_key, None, app.instance_path, path, replace=replace)
    click.echo(
        _("Organization key imported.") if changed else _("This laptop already has this key.")
    )


@main.command(
    help=N_("Recompute the books from the ledger and list every difference (exit status 1 if any).")
)
def check():
    from savings_groups.reports import integrity
    from savings_groups.store.db import db

    _app()
    with db.connection_context():
        result = integrity.run()
    counts = {"groups": Number(result.groups), "entries": Number(result.entries)}
    if result.ok:
        click.echo(_("OK: %(groups)s groups, %(entries)s entries checked", **counts))
        return
    for difference in result.differences:
        click.echo(_difference_text(difference))
    click.echo(
        _messages.ngettext(
            "%(num)s difference found (%(groups)s groups, %(entries)s entries checked)",
            "%(num)s differences found (%(groups)s groups, %(entries)s entries checked)",
            len(result.differences),
            **{name: _messages.readable(count) for name, count in counts.items()},
        )
    )
    sys.exit(1)


def _difference_text(difference) -> str:
    """A difference as the log has it (plain numbers, the boxes' codes), its sentence translated."""
    from savings_groups.reports.integrity import plain

    where = {
        "code": difference.code,
        "object": difference.object_type,
        "id": difference.object_id,
        "message": _(difference.message, **plain(difference.params)),
    }
    if difference.group_id is None:
        return _("[%(code)s] %(object)s %(id)s: %(message)s", **where)
    return _(
        "[%(code)s] group %(group)s, %(object)s %(id)s: %(message)s",
        group=difference.group_id,
        **where,
    )


def _settings():
    """The settings alone, the database left as it is (no migration, no start backup)."""
    from savings_groups import config, configured_app
    from savings_groups.backups import automatic
    from savings_groups.store.db import open_database

    app = configured_app()
    try:
        database = open_database(app.config["DATABASE_URL"])
    except DomainError as error:
        raise _refused(error) from error
    return app, automatic.database_file(database), config.backup_folder(app)


@main.command(
    help=N_(
        "Back up the database now: into the backups folder, or to PATH (a folder or a file name, "
        "e.g. on a USB stick). SQLite: a checked copy made with SQLite's backup API while the app "
        "may go on running. PostgreSQL: pg_dump -Fc."
    )
)
@argument("path", required=False, type=click.Path(path_type=Path))
def backup(path):
    from savings_groups.backups import files, postgres
    from savings_groups.core.vocabulary import BackupReason

    app, database, folder = _settings()
    now = datetime.now(UTC)
    try:
        if database is None:
            click.echo(_("PostgreSQL: the backup is made with pg_dump -Fc."))
            if path is None:
                made = postgres.take(app.config["DATABASE_URL"], folder, BackupReason.MANUAL)
            elif path.is_dir():
                name = files.backup_name(BackupReason.MANUAL, now, files.DUMP_SUFFIX)
                made = postgres.dump(app.config["DATABASE_URL"], path / name, replace=False)
            else:
                made = postgres.dump(app.config["DATABASE_URL"], path)
        elif path is None:
            made = files.take(database, folder, BackupReason.MANUAL, app.config["BACKUP_KEEP"])
        elif path.is_dir():
            made = files.write_copy(database, path, files.backup_name(BackupReason.MANUAL, now))
        else:
            made = files.write_copy(database, path.parent, path.name, replace=True)
    except DomainError as error:
        raise _refused(error) from error
    click.echo(
        _(
            "Backup written and checked: %(path)s (%(size)s bytes).",
            path=made.path,
            size=Number(made.size),
        )
    )


@main.command(
    help=N_(
        "Replace the database by the backup at PATH, after checking it (integrity, schema "
        "version, same organization); the database it replaces is kept in the backups folder. "
        "Stop the app first. PostgreSQL: pg_restore --clean, in one transaction."
    )
)
@argument("path", type=click.Path(path_type=Path))
@option("--yes", is_flag=True, help=N_("Do not ask for confirmation."))
def restore(path, yes):
    from savings_groups.backups import files, postgres

    app, database, folder = _settings()
    url = app.config["DATABASE_URL"]
    target = database or url.rsplit("@", 1)[-1]
    if not yes and not click.confirm(
        _("Replace the database %(target)s by %(path)s?", target=target, path=path)
    ):
        raise Refusal(_("Nothing was replaced."))
    try:
        if database is None:
            click.echo(
                _("PostgreSQL: the backup is checked, then restored with pg_restore --clean.")
            )
            done = postgres.restore(path, url, folder)
        else:
            done = files.restore(path, database, folder)
    except DomainError as error:
        raise _refused(error) from error
    click.echo(
        _(
            "Restored %(path)s (schema %(version)s) into %(target)s.",
            path=path,
            version=done.version,
            target=target,
        )
    )
    if done.kept_aside:
        click.echo(_("The database it replaced is kept in %(path)s.", path=done.kept_aside))
    if done.upgraded_on_start:
        click.echo(_("It was made by an older version: it is upgraded when the app next starts."))


@main.command(
    "store-figures",
    help=N_(
        "Compute and store today's figures of every group, so that the first dashboard of the "
        "day opens at once (run it each night, e.g. from cron)."
    ),
)
def store_figures():
    from savings_groups.core.dates import today
    from savings_groups.indicators import reports
    from savings_groups.oversight import figures, trends
    from savings_groups.store.db import db
    from savings_groups.store.models import SavingsGroup

    _app()
    day = today()
    with db.connection_context():
        counted = list(reports.group_query(reports.Filters(), day))  # the dashboard's groups
        reports.counters(counted, day)
        trends.trends_for([g.id for g in counted], day)
        listed = [group_id for (group_id,) in SavingsGroup.select(SavingsGroup.id).tuples()]
        figures.figures_for(listed, day)  # the lists of groups show practice groups too
    click.echo(_("Today's figures of %(count)s groups are stored.", count=Number(len(listed))))


@main.command(
    "rotate-statement-key",
    help=N_("Make a new key to sign printed statements; those signed before still verify."),
)
def rotate_statement_key():
    from savings_groups.core.dates import today
    from savings_groups.qr import keys

    app = _app()
    key = keys.rotate(app.instance_path, today())
    click.echo(
        _(
            "Statements are now signed with key %(key)s; the previous keys still verify.",
            key=key.id,
        )
    )


@main.command(
    "retire-statement-key",
    help=N_("Stop trusting a key (lost or leaked): statements it signed no longer verify."),
)
@argument("key_id", type=int)
def retire_statement_key(key_id):
    from savings_groups.core.dates import today
    from savings_groups.qr import keys

    app = _app()
    try:
        key = keys.retire(app.instance_path, key_id, today())
    except KeyError:
        raise Refusal(_("There is no statement key %(key)s.", key=key_id)) from None
    click.echo(
        _("Key %(key)s is retired: statements it signed are no longer authentic.", key=key.id)
    )


@main.command(
    help=N_("Fill the database with a realistic demo organization (groups, meetings, loans...).")
)
@option(
    "--groups",
    default=5,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help=N_("Number of groups (one in twelve a ROSCA, from three groups)."),
)
@option(
    "--years",
    default=1,
    show_default=True,
    type=click.IntRange(1, 10),
    help=N_("Years of meetings, up to today."),
)
@option(
    "--seed",
    default=1,
    show_default=True,
    type=int,
    help=N_("The same seed and options (on the same day) give the same data."),
)
@option(
    "--weekly-share",
    default=0.7,
    show_default=True,
    type=click.FloatRange(0, 1),
    help=N_("Share of the savings groups that meet every week (the others monthly)."),
)
@option(
    "--until",
    "until",
    default=None,
    type=click.DateTime(["%Y-%m-%d"]),
    help=N_("The last day with data (default: today)."),
)
@option("--add", is_flag=True, help=N_("Add the demo beside the groups already in the database."))
def demo(groups, years, seed, weekly_share, until, add):
    from savings_groups.core.dates import today
    from savings_groups.demo.generate import Options
    from savings_groups.demo.operations import DEMO_PASSWORD, load
    from savings_groups.org import accounts

    app = _app()
    end = until.date() if until else today()
    options = Options(groups=groups, years=years, seed=seed, weekly_share=weekly_share, end=end)
    click.echo(_("Database: %(url)s", url=app.config["DATABASE_URL"]))
    report = _domain(load, options, accounts.LoginPolicy.from_config(app.config), add=add)
    counts = report.counts
    click.echo(
        _(
            "%(groups)s groups, %(members)s members, %(meetings)s meetings, %(loans)s loans, "
            "%(entries)s ledger entries (generated in %(generated)s s, written in %(written)s s).",
            groups=Number(counts.get("SavingsGroup", 0)),
            members=Number(counts.get("Member", 0)),
            meetings=Number(counts.get("Meeting", 0)),
            loans=Number(counts.get("Loan", 0)),
            entries=Number(counts.get("Entry", 0)),
            generated=_messages.decimal(report.generate_seconds),
            written=_messages.decimal(report.write_seconds),
        )
    )
    if report.admin:
        click.echo(
            _(
                "Log in as “%(username)s” with the password “%(password)s”.",
                username=report.admin,
                password=DEMO_PASSWORD,
            )
        )
    click.echo(
        _(
            "Facilitators facilitator1, facilitator2… have the password “%(password)s”.",
            password=DEMO_PASSWORD,
        )
    )


@main.group(
    help=N_(
        "The app's languages: start a new one, see how complete each is, compile after translating."
    )
)
def language():
    pass


def _translations() -> Path:
    from savings_groups import resource_dir

    return resource_dir("translations")


@language.command(
    "status",
    help=N_("How much of each language is translated, and whether it is complete enough to ship."),
)
def language_status():
    from savings_groups.core.catalogs import all_statuses

    statuses = all_statuses(_translations())
    for entry in statuses:
        verdict = _("ok") if entry.ships else _("needs %(percent)s %%", percent=entry.required)
        done = _("%(percent)s %%", percent=_messages.decimal(entry.percent))
        click.echo(
            f"{entry.code:6} {entry.name:20} {entry.translated:5} / {entry.total} "
            f"({done})  {verdict}"
        )
    if not all(entry.ships for entry in statuses):
        sys.exit(1)


@language.command(
    "new",
    help=N_("Start the catalog of a new language (CODE: es, pt, ar, pt_BR...) from the template."),
)
@argument("code")
def language_new(code):
    from savings_groups.core.catalogs import new_language

    path = _plainly(new_language, _translations(), code)
    click.echo(
        _(
            "Created %(path)s: translate each msgstr in it, then run `%(command)s`.",
            path=path,
            command="savings-groups language compile",
        )
    )


@language.command(
    "compile",
    help=N_("Check each catalog (all without CODES) and write the file the app reads."),
)
@argument("codes", nargs=-1)
def language_compile(codes):
    from savings_groups.core.catalogs import compile_catalog, locales

    translations = _translations()
    for code in codes or locales(translations):
        mo = _plainly(compile_catalog, translations, code)
        click.echo(_("Compiled %(path)s", path=mo))


if __name__ == "__main__":
    sys.exit(main())
