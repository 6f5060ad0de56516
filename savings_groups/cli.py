"""The `savings-groups` command: serve, init, create-user, check, backup, restore, the statement
keys."""

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from savings_groups.core.errors import DomainError


def _app():
    """Build the app, or stop with the reason in plain words (e.g. a read-only database)."""
    from savings_groups import create_app

    try:
        return create_app()
    except DomainError as error:
        raise click.ClickException(str(error)) from error


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Savings Groups: books for savings groups and ROSCAs and the organizations behind them."""


@main.command()
@click.option(
    "--host", default=None, help="Address to listen on (default 127.0.0.1: this computer only)."
)
@click.option("--port", default=None, type=int, help="Port to listen on (default 5000).")
@click.option("--threads", default=8, show_default=True, help="Worker threads.")
def serve(host, port, threads):
    """Apply pending migrations, then serve the app with waitress."""
    from waitress import serve as waitress_serve

    app = _app()
    host = host or app.config["HOST"]
    port = port or int(app.config["PORT"])
    click.echo(f"Savings Groups on http://{host}:{port}/  (instance folder: {app.instance_path})")
    click.echo("Press Ctrl+C to stop.")
    waitress_serve(app, host=host, port=port, threads=threads, ident="savings-groups")


@main.command()
def init():
    """Create the instance folder, its secret key and the database, and apply migrations."""
    app = _app()
    click.echo(f"Instance folder: {app.instance_path}")
    click.echo(f"Database: {app.config['DATABASE_URL']}")
    click.echo("The database is up to date.")


@main.command("create-user")
@click.option("--username", prompt=True, help="Login name (letters, digits, dots, dashes).")
@click.option("--full-name", prompt=True, help="The person's full name.")
@click.option(
    "--role",
    type=click.Choice(["admin", "facilitator", "recorder", "viewer"]),
    default="admin",
    show_default=True,
    help="What the account may do.",
)
@click.option("--language", default=None, help="Language of the interface, e.g. fr or en.")
@click.option(
    "--organization", default=None, help="Name of the organization; needed for the first account."
)
@click.password_option(help="The password (asked twice when not given).")
def create_user(username, full_name, role, language, organization, password):
    """Create an account; the first one also creates the organization."""
    from savings_groups.org import accounts
    from savings_groups.store.db import db

    app = _app()
    policy = accounts.LoginPolicy.from_config(app.config)
    with db.connection_context():
        try:
            if accounts.needs_setup():
                if role != "admin":
                    raise click.ClickException(
                        "The first account must be an administrator (--role admin)."
                    )
                if not organization:
                    organization = click.prompt("Name of the organization")
                user = accounts.setup(
                    organization, username, full_name, password, language or "en", policy
                )
            else:
                user = accounts.create_user(
                    None, username, full_name, role, password, language, policy
                )
        except DomainError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"Account “{user.username}” created ({user.role}).")


def _plainly(call, *args, **kwargs):
    """Run call; a refusal of the domain becomes the command's error message."""
    try:
        return call(*args, **kwargs)
    except DomainError as error:
        raise click.ClickException(str(error)) from error


def _domain(call, *args, **kwargs):
    """Run a domain call in a database connection (see _plainly)."""
    from savings_groups.store.db import db

    with db.connection_context():
        return _plainly(call, *args, **kwargs)


@main.command("export")
@click.option(
    "--group", "group_ids", multiple=True, type=int, help="A group's id (repeat); default: all."
)
@click.argument("path", type=click.Path(dir_okay=False))
def export_command(group_ids, path):
    """Write a bundle of groups' books (a signed zip) to PATH, e.g. on a USB stick."""
    from savings_groups.bundles import operations
    from savings_groups.store.models import SavingsGroup

    app = _app()

    def export():
        ids = group_ids or [g.id for g in SavingsGroup.select(SavingsGroup.id)]
        return operations.export_groups(ids, app.instance_path, by="command line")

    data = _domain(export)
    _write_owner_only(path, data)
    click.echo(f"Bundle written to {path} ({len(data)} bytes).")


def _write_owner_only(path, data: bytes) -> None:
    """A bundle holds members' names and money: readable by its owner only, and on disk whole."""
    import os

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a file that was there before keeps no wider mode
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


@main.command("import")
@click.option("--dry-run", is_flag=True, help="Only say what the bundle would add.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(dry_run, path):
    """Import a bundle of groups' books made on another laptop or the server."""
    from savings_groups.bundles import archive, operations

    app = _app()
    with open(path, "rb") as handle:
        data = handle.read(archive.Limits().file_bytes + 1)
    result = _domain(operations.import_bundle, None, data, app.instance_path, dry_run=dry_run)
    for group in result.groups:
        state = "new" if group.new else ("changed" if group.changed else "already up to date")
        added = ", ".join(f"{n} {t}" for t, n in sorted(group.added.items())) or "nothing"
        click.echo(f"{group.name}: {state}; added {added}.")
    click.echo("Nothing was written (dry run)." if dry_run else "Imported.")


@main.group("org-key")
def org_key():
    """The organization's key that signs bundles: the same on every laptop of it."""


@org_key.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
def org_key_export(path):
    """Write the organization's key (made now if there is none) to PATH, for another laptop.
    Keep the file secret: whoever holds it can sign bundles."""
    from savings_groups.bundles import identity

    app = _app()
    _domain(identity.export_key, app.instance_path, path)
    click.echo(f"Organization key written to {path}.")


@org_key.command("import")
@click.option("--replace", is_flag=True, help="Replace a different key this laptop holds.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def org_key_import(replace, path):
    """Take the organization's key from PATH (made by `org-key export`)."""
    from savings_groups.bundles import identity

    app = _app()
    changed = _domain(identity.import_key, None, app.instance_path, path, replace=replace)
    click.echo("Organization key imported." if changed else "This laptop already has this key.")


@main.command()
def check():
    """Recompute the books from the ledger and list every difference (exit status 1 if any)."""
    from savings_groups.reports import integrity
    from savings_groups.store.db import db

    _app()
    with db.connection_context():
        result = integrity.run()
    if result.ok:
        click.echo(f"OK: {result.groups} groups, {result.entries} entries checked")
        return
    for difference in result.differences:
        click.echo(str(difference))
    count = len(result.differences)
    click.echo(
        f"{count} difference{'s' if count > 1 else ''} found "
        f"({result.groups} groups, {result.entries} entries checked)"
    )
    sys.exit(1)


def _settings():
    """The settings alone, the database left as it is (no migration, no start backup)."""
    from savings_groups import config, configured_app
    from savings_groups.backups import automatic
    from savings_groups.store.db import open_database

    app = configured_app()
    try:
        database = open_database(app.config["DATABASE_URL"])
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    return app, automatic.database_file(database), config.backup_folder(app)


@main.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
def backup(path):
    """Back up the database now: into the backups folder, or to PATH (a folder or a file name,
    e.g. on a USB stick). SQLite: a checked copy made with SQLite's backup API while the app
    may go on running. PostgreSQL: pg_dump -Fc."""
    from savings_groups.backups import files, postgres
    from savings_groups.core.vocabulary import BackupReason

    app, database, folder = _settings()
    now = datetime.now(UTC)
    try:
        if database is None:
            click.echo("PostgreSQL: the backup is made with pg_dump -Fc.")
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
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written and checked: {made.path} ({made.size} bytes).")


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(path, yes):
    """Replace the database by the backup at PATH, after checking it (integrity, schema
    version, same organization); the database it replaces is kept in the backups folder.
    Stop the app first. PostgreSQL: pg_restore --clean, in one transaction."""
    from savings_groups.backups import files, postgres

    app, database, folder = _settings()
    url = app.config["DATABASE_URL"]
    target = database or url.rsplit("@", 1)[-1]
    if not yes:
        click.confirm(f"Replace the database {target} by {path}?", abort=True)
    try:
        if database is None:
            click.echo("PostgreSQL: the backup is checked, then restored with pg_restore --clean.")
            done = postgres.restore(path, url, folder)
        else:
            done = files.restore(path, database, folder)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {path} (schema {done.version}) into {target}.")
    if done.kept_aside:
        click.echo(f"The database it replaced is kept in {done.kept_aside}.")
    if done.upgraded_on_start:
        click.echo("It was made by an older version: it is upgraded when the app next starts.")


@main.command("rotate-statement-key")
def rotate_statement_key():
    """Make a new key to sign printed statements; those signed before still verify."""
    from savings_groups.core.dates import today
    from savings_groups.qr import keys

    app = _app()
    key = keys.rotate(app.instance_path, today())
    click.echo(f"Statements are now signed with key {key.id}; the previous keys still verify.")


@main.command("retire-statement-key")
@click.argument("key_id", type=int)
def retire_statement_key(key_id):
    """Stop trusting a key (lost or leaked): statements it signed no longer verify."""
    from savings_groups.core.dates import today
    from savings_groups.qr import keys

    app = _app()
    try:
        key = keys.retire(app.instance_path, key_id, today())
    except KeyError:
        raise click.ClickException(f"There is no statement key {key_id}.") from None
    click.echo(f"Key {key.id} is retired: statements it signed are no longer authentic.")


@main.command()
@click.option(
    "--groups",
    default=5,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Number of groups (one in twelve a ROSCA, from three groups).",
)
@click.option(
    "--years",
    default=1,
    show_default=True,
    type=click.IntRange(1, 10),
    help="Years of meetings, up to today.",
)
@click.option(
    "--seed",
    default=1,
    show_default=True,
    type=int,
    help="The same seed and options (on the same day) give the same data.",
)
@click.option(
    "--weekly-share",
    default=0.7,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Share of the savings groups that meet every week (the others monthly).",
)
@click.option(
    "--until",
    "until",
    default=None,
    type=click.DateTime(["%Y-%m-%d"]),
    help="The last day with data (default: today).",
)
@click.option("--add", is_flag=True, help="Add the demo beside the groups already in the database.")
def demo(groups, years, seed, weekly_share, until, add):
    """Fill the database with a realistic demo organization (groups, meetings, loans...)."""
    from savings_groups.core.dates import today
    from savings_groups.demo.generate import Options
    from savings_groups.demo.operations import DEMO_PASSWORD, load
    from savings_groups.org import accounts

    app = _app()
    end = until.date() if until else today()
    options = Options(groups=groups, years=years, seed=seed, weekly_share=weekly_share, end=end)
    click.echo(f"Database: {app.config['DATABASE_URL']}")
    report = _domain(load, options, accounts.LoginPolicy.from_config(app.config), add=add)
    counts = report.counts
    click.echo(
        f"{counts.get('SavingsGroup', 0)} groups, {counts.get('Member', 0)} members, "
        f"{counts.get('Meeting', 0)} meetings, {counts.get('Loan', 0)} loans, "
        f"{counts.get('Entry', 0)} ledger entries "
        f"(generated in {report.generate_seconds:.1f} s, written in {report.write_seconds:.1f} s)."
    )
    if report.admin:
        click.echo(f"Log in as “{report.admin}” with the password “{DEMO_PASSWORD}”.")
    click.echo(f"Facilitators facilitator1, facilitator2… have the password “{DEMO_PASSWORD}”.")


@main.group()
def language():
    """The app's languages: start a new one, see how complete each is, compile after translating."""


def _translations() -> Path:
    from savings_groups import resource_dir

    return resource_dir("translations")


@language.command("status")
def language_status():
    """How much of each language is translated, and whether it is complete enough to ship."""
    from savings_groups.core.catalogs import all_statuses

    statuses = all_statuses(_translations())
    for entry in statuses:
        verdict = "ok" if entry.ships else f"needs {entry.required} %"
        click.echo(
            f"{entry.code:6} {entry.name:20} {entry.translated:5} / {entry.total} "
            f"({entry.percent:.1f} %)  {verdict}"
        )
    if not all(entry.ships for entry in statuses):
        sys.exit(1)


@language.command("new")
@click.argument("code")
def language_new(code):
    """Start the catalog of a new language (CODE: es, pt, ar, pt_BR...) from the template."""
    from savings_groups.core.catalogs import new_language

    path = _plainly(new_language, _translations(), code)
    click.echo(
        f"Created {path}: translate each msgstr in it, then run `savings-groups language compile`."
    )


@language.command("compile")
@click.argument("codes", nargs=-1)
def language_compile(codes):
    """Check each catalog (all without CODES) and write the file the app reads."""
    from savings_groups.core.catalogs import compile_catalog, locales

    translations = _translations()
    for code in codes or locales(translations):
        mo = _plainly(compile_catalog, translations, code)
        click.echo(f"Compiled {mo}")


if __name__ == "__main__":
    sys.exit(main())
