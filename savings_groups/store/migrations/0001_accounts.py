"""The organization, its users and the failed-login counters."""

from peewee import AutoField, BooleanField, CharField, DateTimeField, IntegerField, Model


def up(migrator, db):
    class Organization(Model):
        id = AutoField()
        name = CharField(max_length=200)
        default_locale = CharField(max_length=20, default="en")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "organization"

    class User(Model):
        id = AutoField()
        username = CharField(max_length=40, unique=True)
        full_name = CharField(max_length=200)
        role = CharField(max_length=20)
        locale = CharField(max_length=20, null=True)
        password_hash = CharField(max_length=255)
        session_token = CharField(max_length=64)
        must_change_password = BooleanField(default=False)
        is_active = BooleanField(default=True)
        created_at = DateTimeField()
        last_login_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "user"

    class LoginThrottle(Model):
        id = AutoField()
        username = CharField(max_length=40, unique=True)
        failures = IntegerField(default=0)
        locked_until = DateTimeField(null=True)
        last_failure_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "login_throttle"

    db.create_tables([Organization, User, LoginThrottle])


def down(migrator, db):
    db.execute_sql('DROP TABLE "login_throttle"')
    db.execute_sql('DROP TABLE "user"')
    db.execute_sql('DROP TABLE "organization"')
