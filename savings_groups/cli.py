"""The `savings-groups` command: serve, init, create-user, check."""

import sys

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


if __name__ == "__main__":
    sys.exit(main())
