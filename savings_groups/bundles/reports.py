"""Where each laptop stands: a group's last export from here, what was closed since, and on the
server, per group and laptop, the last bundle brought and the state of the books then.
Each function answers with a fixed number of queries, whatever the number of groups."""

import json
from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN, fn

from savings_groups.core.vocabulary import MeetingStatus
from savings_groups.store.models import (
    AuditEntry,
    BundleExchange,
    Entry,
    Meeting,
    Member,
    SavingsGroup,
)

EXPORT, IMPORT = "export", "import"


def counts(group_id: int) -> dict:
    """The state of a group's books, kept with each exchange."""
    closed = Meeting.select().where(
        (Meeting.group == group_id) & (Meeting.status == MeetingStatus.CLOSED.value)
    )
    last = closed.select(fn.MAX(Meeting.held_on)).scalar()
    return {
        "members": Member.select().where(Member.group == group_id).count(),
        "closed_meetings": closed.count(),
        "entries": Entry.select().where(Entry.group == group_id).count(),
        "last_meeting": last.isoformat() if last else None,
    }


def marks(group_id: int) -> tuple[int, int]:
    """The group's highest audit id and entry id: higher later means it changed here since."""
    audit = AuditEntry.select(fn.MAX(AuditEntry.id)).where(AuditEntry.group == group_id).scalar()
    entry = Entry.select(fn.MAX(Entry.id)).where(Entry.group == group_id).scalar()
    return audit or 0, entry or 0


@dataclass(frozen=True)
class Pending:
    """What this laptop holds of a group that no bundle made here carries yet."""

    last_export: datetime | None
    closed_meetings: int
    entries: int


def pending(group_ids) -> dict[int, Pending]:
    """Per group: when it was last exported from here, and the meetings closed and entries
    written since (all of them when it never was)."""
    group_ids = list(group_ids)
    last = {
        row.group_id: (row.at, row.entry_mark)
        for row in BundleExchange.select(
            BundleExchange.group, BundleExchange.at, BundleExchange.entry_mark
        ).where(
            BundleExchange.id.in_(
                BundleExchange.select(fn.MAX(BundleExchange.id))
                .where((BundleExchange.direction == EXPORT) & BundleExchange.group.in_(group_ids))
                .group_by(BundleExchange.group)
            )
        )
    }
    exported = (
        BundleExchange.select(
            BundleExchange.group.alias("gid"),
            fn.MAX(BundleExchange.at).alias("at"),
            fn.MAX(BundleExchange.entry_mark).alias("mark"),
        )
        .where(BundleExchange.direction == EXPORT)
        .group_by(BundleExchange.group)
        .alias("exported")
    )
    meetings = dict(
        Meeting.select(Meeting.group, fn.COUNT(Meeting.id))
        .join(exported, JOIN.LEFT_OUTER, on=(exported.c.gid == Meeting.group))
        .where(
            Meeting.group.in_(group_ids)
            & (Meeting.status == MeetingStatus.CLOSED.value)
            & (exported.c.at.is_null() | (Meeting.closed_at > exported.c.at))
        )
        .group_by(Meeting.group)
        .tuples()
    )
    entries = dict(
        Entry.select(Entry.group, fn.COUNT(Entry.id))
        .join(exported, JOIN.LEFT_OUTER, on=(exported.c.gid == Entry.group))
        .where(
            Entry.group.in_(group_ids) & (exported.c.mark.is_null() | (Entry.id > exported.c.mark))
        )
        .group_by(Entry.group)
        .tuples()
    )
    return {
        gid: Pending(last.get(gid, (None, 0))[0], meetings.get(gid, 0), entries.get(gid, 0))
        for gid in group_ids
    }


@dataclass(frozen=True)
class Brought:
    """The last bundle of a group brought from one laptop, and the state of its books then."""

    group_id: int
    group_name: str
    instance: str
    at: datetime
    by: str
    sequence: int
    counts: dict


def brought(group_ids) -> list[Brought]:
    """Per group and per laptop it came from, the last import here; by group name, then time."""
    latest = (
        BundleExchange.select(fn.MAX(BundleExchange.id))
        .where((BundleExchange.direction == IMPORT) & BundleExchange.group.in_(list(group_ids)))
        .group_by(BundleExchange.group, BundleExchange.instance)
    )
    rows = (
        BundleExchange.select(BundleExchange, SavingsGroup.id, SavingsGroup.name)
        .join(SavingsGroup)
        .where(BundleExchange.id.in_(latest))
        .order_by(SavingsGroup.name, BundleExchange.at.desc())
    )
    return [
        Brought(
            row.group_id,
            row.group.name,
            row.instance,
            row.at,
            row.by,
            row.sequence,
            json.loads(row.counts),
        )
        for row in rows
    ]
