"""Failed logins counted per username and browser: a browser where the user logged in before
(its signed device cookie) has its own count, every other browser shares the username's count
of unknown devices (device ""), so that a stranger's tries do not lock the owner out of their
own laptop."""

from peewee import CharField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("login_throttle", "device", CharField(max_length=64, default="")),
        migrator.drop_index("login_throttle", "loginthrottle_username"),
        migrator.add_index("login_throttle", ("username", "device"), True),
    )


def down(migrator, db):
    db.execute_sql("DELETE FROM login_throttle WHERE device <> ''")
    migrator.migrate(
        migrator.drop_index("login_throttle", "login_throttle_username_device"),
        migrator.drop_column("login_throttle", "device"),
    )
    db.execute_sql('CREATE UNIQUE INDEX "loginthrottle_username" ON "login_throttle" ("username")')
