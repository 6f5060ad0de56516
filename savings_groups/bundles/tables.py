"""Which tables a group's books are made of, how to find a group's rows in each, and how a row
is written to a bundle and read back (plain JSON values; references as row identities).

A row's identity ("uid") is "<installation UUID>:<id there>" of the installation where it was
first written: the same on every laptop and server it travels to (bundles.operations maps it
to the local id through BundleRow).
"""

import base64
import datetime as dt
from decimal import Decimal

from peewee import BlobField, BooleanField, DateField, DateTimeField, ForeignKeyField, Model

from savings_groups.store import models as m

# Every table that belongs to a group, in an order where a row's references come before it
# (rows of one table: by id, so that a row referring to an earlier one of its table, a
# reversal or the cycle it follows, comes after it).
# The key: how a row of the table reaches its group (a field to SavingsGroup, or to a table
# above it in this order).
PARENT = {
    m.SavingsGroup: None,
    m.Member: m.Member.group,
    m.GroupConsent: m.GroupConsent.group,
    m.Cycle: m.Cycle.group,
    m.FineType: m.FineType.cycle,
    m.RuleDecision: m.RuleDecision.cycle,
    m.Meeting: m.Meeting.group,
    m.Attendance: m.Attendance.meeting,
    m.CashCount: m.CashCount.meeting,
    m.Loan: m.Loan.group,
    m.LoanInstallment: m.LoanInstallment.loan,
    m.LoanGuarantor: m.LoanGuarantor.loan,
    m.LoanFlag: m.LoanFlag.loan,
    m.Entry: m.Entry.group,
    m.CycleShareOut: m.CycleShareOut.cycle,
    m.ShareOutLine: m.ShareOutLine.share_out,
    m.MemberExit: m.MemberExit.member,
    m.MemberPhoto: m.MemberPhoto.member,
    m.MemberConsent: m.MemberConsent.member,
    m.Rotation: m.Rotation.group,
    m.Hand: m.Hand.rotation,
    m.HandHolder: m.HandHolder.hand,
    m.Round: m.Round.rotation,
    m.Bid: m.Bid.round,
    m.Contribution: m.Contribution.round,
    m.RoundEntry: m.RoundEntry.round,
    m.TurnSwap: m.TurnSwap.rotation,
    m.RotationEnd: m.RotationEnd.rotation,
    m.RotationEntry: m.RotationEntry.rotation,
    m.DebtRepayment: m.DebtRepayment.rotation,
    m.AuditEntry: m.AuditEntry.group,
}


def references(model) -> list[ForeignKeyField]:
    return [f for f in model._meta.sorted_fields if isinstance(f, ForeignKeyField)]


def _referenced_first(tables) -> list[type[Model]]:
    """The tables ordered so that each comes after every table it refers to (ties: as listed)."""
    ordered, left = [], list(tables)
    while left:
        ready = next(
            t
            for t in left
            if all(
                f.rel_model in ordered or f.rel_model is t or f.rel_model not in tables
                for f in references(t)
            )
        )
        ordered.append(ready)
        left.remove(ready)
    return ordered


GROUP_TABLES: list[type[Model]] = _referenced_first(list(PARENT))

# The tables that do not travel: the organization, its accounts and who sees what (users are
# written by name only), and the bundles' own bookkeeping of this installation.
NOT_EXPORTED = {
    m.Organization,
    m.User,
    m.LoginThrottle,
    m.GroupAssignment,
    m.BundleRow,
    m.BundleExchange,
    m.ApiToken,  # the organization's, not a group's
    m.BooksVersion,  # derived: the triggers raise it where the rows are written
    m.StoredFigures,
}

# Rows the app deletes and writes again while a meeting is a draft or a rotation is set up:
# a row of these the bundle no longer has was deleted where the bundle was made.
REWRITTEN = [m.Bid, m.HandHolder, m.Hand, m.Attendance, m.CashCount, m.FineType]

# Never changed once written (the ledger, the audit log): a different copy is refused.
APPEND_ONLY = {m.Entry, m.AuditEntry, m.GroupConsent}

BY_TABLE = {model._meta.table_name: model for model in GROUP_TABLES}
BY_CLASS = {model.__name__: model for model in GROUP_TABLES}
USER = "user"


def rows_of(model, group_ids):
    """A query of the rows of `model` that belong to these groups."""
    parent = PARENT[model]
    if parent is None:
        return model.select().where(model.id.in_(group_ids))
    if parent.rel_model is m.SavingsGroup:
        return model.select().where(parent.in_(group_ids))
    return model.select().where(
        parent.in_(rows_of(parent.rel_model, group_ids).select(parent.rel_model.id))
    )


def plain(field, value):
    """A column's value as JSON."""
    if value is None:
        return None
    if isinstance(field, BlobField):  # a member's photo
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def typed(field, value):
    """A JSON value back as the column's Python value (ValueError when it is not one)."""
    if value is None:
        return None
    if isinstance(field, DateTimeField):
        return dt.datetime.fromisoformat(value)
    if isinstance(field, DateField):
        return dt.date.fromisoformat(value)
    if isinstance(field, m.DecimalText):
        return Decimal(value)
    if isinstance(field, BlobField):
        return base64.b64decode(value, validate=True)
    if isinstance(field, BooleanField):
        if not isinstance(value, bool):
            raise ValueError(f"{field.name}: not true or false")
        return value
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError(f"{field.name}: not a plain value")
    return value
