"""peewee models: the organization, its users, groups and who may see them, the audit log."""

from enum import StrEnum

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from .clock import utcnow
from .db import db
from .errors import N_


class Role(StrEnum):
    ADMIN = "admin"
    FACILITATOR = "facilitator"
    RECORDER = "recorder"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: N_("Administrator"),
    Role.FACILITATOR: N_("Facilitator"),
    Role.RECORDER: N_("Recorder"),
    Role.VIEWER: N_("Viewer"),
}


class GroupKind(StrEnum):
    SAVINGS = "savings"
    ROSCA = "rosca"

    @property
    def label(self) -> str:
        return GROUP_KIND_LABELS[self]


GROUP_KIND_LABELS = {
    GroupKind.SAVINGS: N_("Savings group"),
    GroupKind.ROSCA: N_("ROSCA (tontine)"),
}


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class Organization(BaseModel):
    """The facilitating organization that runs this installation; there is one."""

    id = AutoField()
    name = CharField(max_length=200)
    default_locale = CharField(max_length=20, default="en")
    created_at = DateTimeField(default=utcnow)


class User(BaseModel):
    """A person who logs in. Never deleted: deactivated, so history keeps who did what."""

    id = AutoField()
    username = CharField(max_length=40, unique=True)
    full_name = CharField(max_length=200)
    role = CharField(max_length=20, choices=[(r.value, r.value) for r in Role])
    locale = CharField(max_length=20, null=True)
    password_hash = CharField(max_length=255)
    # Changed on every password change or deactivation: old sessions stop working.
    session_token = CharField(max_length=64)
    must_change_password = BooleanField(default=False)
    is_active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    last_login_at = DateTimeField(null=True)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class LoginThrottle(BaseModel):
    """Failed logins per username (known or not), kept in the database to survive restarts."""

    id = AutoField()
    username = CharField(max_length=40, unique=True)
    failures = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    last_failure_at = DateTimeField(null=True)


class SavingsGroup(BaseModel):
    """A savings group or a ROSCA supported by the organization."""

    id = AutoField()
    name = CharField(max_length=200)
    kind = CharField(max_length=20, choices=[(k.value, k.value) for k in GroupKind])
    currency = CharField(max_length=3)
    village = CharField(max_length=200, default="")
    district = CharField(max_length=200, default="")
    country = CharField(max_length=2, default="")
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")

    @property
    def kind_enum(self) -> GroupKind:
        return GroupKind(self.kind)


class GroupAssignment(BaseModel):
    """A user may see and work on a group they are assigned to (admins see all groups)."""

    id = AutoField()
    user = ForeignKeyField(User, backref="assignments", on_delete="CASCADE")
    group = ForeignKeyField(SavingsGroup, backref="assignments", on_delete="CASCADE")
    assigned_at = DateTimeField(default=utcnow)
    assigned_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")

    class Meta:
        indexes = ((("user", "group"), True),)


class AuditEntry(BaseModel):
    """One write: who, when, what. Written in the same transaction as the write itself."""

    id = AutoField()
    at = DateTimeField(default=utcnow, index=True)
    actor = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    action = CharField(max_length=60)
    object_type = CharField(max_length=40)
    object_id = IntegerField(null=True)
    group = ForeignKeyField(SavingsGroup, null=True, on_delete="RESTRICT")
    details = TextField(default="{}")


ALL_MODELS = [Organization, User, LoginThrottle, SavingsGroup, GroupAssignment, AuditEntry]
