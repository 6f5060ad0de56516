"""The database around each request: opened once by the factory, connected per request (on
PostgreSQL a connection taken from the process's pool and handed back at the end)."""

from flask import g

from savings_groups.store import db as store


def pool_settings(config) -> store.Pool:
    return store.Pool(
        size=int(config["DATABASE_POOL_SIZE"]),
        wait_seconds=int(config["DATABASE_POOL_WAIT_SECONDS"]),
        recycle_seconds=int(config["DATABASE_POOL_RECYCLE_SECONDS"]),
    )


def init_app(app) -> None:
    """Open the configured database and connect and close it around every request."""
    store.initialize(app.config["DATABASE_URL"], pool_settings(app.config))

    @app.before_request
    def connect_database():
        g.opened_database = store.db.connect(reuse_if_open=True)

    @app.teardown_request
    def close_database(exception):
        # Close only what this request opened (a CLI command or a test may hold its own).
        # Pooled: the connection goes back to the pool, rolled back if a transaction was left.
        if g.pop("opened_database", False) and not store.db.is_closed():
            store.db.close()


def keep_statistics(app) -> None:
    """The planner's statistics refreshed at start, then once a day (store.schema.optimize)."""
    from savings_groups.store import schema

    with store.db.connection_context():
        schema.optimize(store.db.obj)

    @app.before_request
    def refresh_statistics():
        schema.optimize_if_due(store.db.obj)
