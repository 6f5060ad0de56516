"""The `savings-groups` command: serve, init, create-user."""

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
    from savings_groups.store.db import db

    app = _app()
    end = until.date() if until else today()
    options = Options(groups=groups, years=years, seed=seed, weekly_share=weekly_share, end=end)
    click.echo(f"Database: {app.config['DATABASE_URL']}")
    with db.connection_context():
        try:
            report = load(options, accounts.LoginPolicy.from_config(app.config), add=add)
        except DomainError as error:
            raise click.ClickException(str(error)) from error
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


if __name__ == "__main__":
    sys.exit(main())
