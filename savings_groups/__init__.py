"""Savings Groups: books for savings groups and ROSCAs. create_app() builds the web app."""

from pathlib import Path

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """templates/ and translations/ sit beside the package in a checkout, inside it in a wheel."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


def create_app(test_config: dict | None = None) -> Flask:
    from savings_groups import api, config
    from savings_groups.backups import automatic
    from savings_groups.core import dates
    from savings_groups.org import passwords
    from savings_groups.store import db, schema
    from savings_groups.web import auth, database, i18n, security, views

    app = configured_app(test_config)
    dates.configure(app.config["TIMEZONE"])
    passwords.configure(
        app.config["ARGON2_TIME_COST"],
        app.config["ARGON2_MEMORY_COST"],
        app.config["ARGON2_PARALLELISM"],
    )
    database.init_app(app)
    automatic.configure(
        config.backup_folder(app), app.config["BACKUP_KEEP"], app.config["BACKUPS_AUTOMATIC"]
    )
    if app.config["RUN_MIGRATIONS_ON_START"]:
        with db.db.connection_context():
            schema.upgrade(db.db.obj, before=automatic.before_migration)
    database.keep_statistics(app)
    automatic.at_start()
    # What the start used goes back to the server: a worker forked from here opens its own.
    db.release_idle()
    i18n.init_app(app, resource_dir("translations"))
    security.init_app(app)
    auth.init_app(app)
    views.init_app(app)
    api.init_app(app)
    return app


def configured_app(test_config: dict | None = None) -> Flask:
    """The app with its settings only, its database not opened yet (what `restore` needs)."""
    from savings_groups import config

    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(resource_dir("templates")),
        instance_path=_instance_path(test_config),
    )
    config.load(app, test_config)
    return app


def _instance_path(test_config: dict | None) -> str | None:
    import os

    if test_config and test_config.get("INSTANCE_PATH"):
        return str(test_config["INSTANCE_PATH"])
    return os.environ.get("SAVINGS_GROUPS_INSTANCE") or None
