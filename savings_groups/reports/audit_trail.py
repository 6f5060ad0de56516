"""The audit trail as people read it: who did what and when, in the groups the reader may see,
a page at a time (keyset paging by id, newest first), each ledger correction with its entries."""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from peewee import JOIN

from savings_groups.core.vocabulary import Role
from savings_groups.org.access import sees_all_groups, visible_groups
from savings_groups.store.models import AuditEntry, Entry, GroupAssignment, SavingsGroup, User

PAGE_SIZE = 50
# Actions whose object, or whose `corrects` detail, is an entry that was reversed.
CORRECTIONS = ("entry.reverse", "entry.correct")


@dataclass(frozen=True)
class TrailFilter:
    """What the reader asked for; each part None when not asked (or not valid)."""

    group_id: int | None = None
    user_id: int | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None  # included


@dataclass
class TrailRow:
    entry: AuditEntry  # with its actor and group (None when the write concerned no group)
    details: dict
    reversed: Entry | None = None  # a correction: the entry it reversed
    reversal: Entry | None = None  # and the reversal entry


@dataclass
class TrailPage:
    rows: list[TrailRow] = field(default_factory=list)
    older: int | None = None  # the id to ask `before` for the next older page
    newer: int | None = None  # the id to ask `after` for the next newer page


def readable_users(user: User):
    """The accounts a reader may filter by: all for an administrator; for a facilitator, those
    assigned to one of the facilitator's groups and the administrators (one query)."""
    query = User.select().order_by(User.full_name, User.id)
    if sees_all_groups(user):
        return query
    mine = visible_groups(user).select(SavingsGroup.id).order_by()
    colleagues = GroupAssignment.select(GroupAssignment.user).where(GroupAssignment.group.in_(mine))
    return query.where(User.id.in_(colleagues) | (User.role == Role.ADMIN.value))


def trail_page(
    user: User,
    wanted: TrailFilter,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> TrailPage:
    """One page of the audit log the user may read, newest first (two queries whatever the size
    of the log): entries older than `before`, or newer than `after`, or the newest."""
    query = (
        AuditEntry.select(AuditEntry, User, SavingsGroup)
        .join(User, JOIN.LEFT_OUTER, on=(AuditEntry.actor == User.id))
        .switch(AuditEntry)
        .join(SavingsGroup, JOIN.LEFT_OUTER, on=(AuditEntry.group == SavingsGroup.id))
    )
    if not sees_all_groups(user):  # the actions in the groups the user may see (org.access)
        mine = visible_groups(user).select(SavingsGroup.id).order_by()
        query = query.where(AuditEntry.group.in_(mine))
    if wanted.group_id is not None:
        query = query.where(AuditEntry.group == wanted.group_id)
    if wanted.user_id is not None:
        query = query.where(AuditEntry.actor == wanted.user_id)
    if wanted.action is not None:
        query = query.where(AuditEntry.action == wanted.action)
    if wanted.since is not None:
        query = query.where(AuditEntry.at >= datetime.combine(wanted.since, time()))
    if wanted.until is not None:
        query = query.where(AuditEntry.at < datetime.combine(wanted.until + timedelta(1), time()))
    if after is not None:
        entries = list(
            query.where(AuditEntry.id > after).order_by(AuditEntry.id.asc()).limit(size + 1)
        )
        more_newer = len(entries) > size
        entries = entries[:size][::-1]
        page = TrailPage(
            older=entries[-1].id if entries else None,
            newer=entries[0].id if entries and more_newer else None,
        )
    else:
        if before is not None:
            query = query.where(AuditEntry.id < before)
        entries = list(query.order_by(AuditEntry.id.desc()).limit(size + 1))
        more_older = len(entries) > size
        entries = entries[:size]
        page = TrailPage(
            older=entries[-1].id if entries and more_older else None,
            newer=entries[0].id if entries and before is not None else None,
        )
    page.rows = [TrailRow(entry, _details(entry)) for entry in entries]
    _link_corrections(page.rows)
    return page


def _details(entry: AuditEntry) -> dict:
    try:
        details = json.loads(entry.details or "{}")
    except ValueError:
        return {"details": entry.details}
    return details if isinstance(details, dict) else {"details": details}


def _reversed_id(row: TrailRow) -> int | None:
    if row.entry.action == "entry.reverse":
        return row.entry.object_id
    corrects = row.details.get("corrects")
    return corrects if isinstance(corrects, int) else None


def _link_corrections(rows: list[TrailRow]) -> None:
    """Give each correction of the page the entry it reversed and its reversal (one query)."""
    wanted = [(row, _reversed_id(row)) for row in rows if row.entry.action in CORRECTIONS]
    ids = {entry_id for _row, entry_id in wanted if entry_id is not None}
    if not ids:
        return
    reversal = Entry.alias()
    found = {
        entry.id: entry
        for entry in Entry.select(Entry, reversal)
        .join(reversal, JOIN.LEFT_OUTER, on=(reversal.reverses == Entry.id).alias("reversal"))
        .where(Entry.id.in_(sorted(ids)))
    }
    for row, entry_id in wanted:
        original = found.get(entry_id)
        if original is not None and original.group_id == row.entry.group_id:
            row.reversed = original
            reversed_by = getattr(original, "reversal", None)
            row.reversal = reversed_by if reversed_by and reversed_by.id else None
