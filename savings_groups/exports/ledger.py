"""A group's full ledger, every entry with its reversals, as a Table; only for a group whose
decision allows member exports (entries name members)."""

from peewee import JOIN

from savings_groups.core.errors import N_
from savings_groups.core.vocabulary import Channel, EntryKind, Fund
from savings_groups.exports.files import Table
from savings_groups.exports.members import PRACTICE_MARK, major, require_consent, title
from savings_groups.store.models import Entry, Member, SavingsGroup

HEADERS = [
    N_("Entry"),
    N_("Date"),
    N_("Cycle"),
    N_("Meeting"),
    N_("Member number"),
    N_("Member"),
    N_("Kind"),
    N_("Fund"),
    N_("Channel"),
    N_("Amount"),
    N_("Shares"),
    N_("Reverses entry"),
    N_("Note"),
    N_("Recorded at"),
]


def _label(choice, value: str, gettext) -> str:
    try:
        return gettext(choice(value).label)
    except ValueError:
        return value


def ledger_table(group: SavingsGroup, gettext) -> Table:
    require_consent(group)
    table = Table(title(group, gettext), [gettext(h) for h in HEADERS])
    entries = (
        Entry.select(Entry, Member)
        .join(Member, JOIN.LEFT_OUTER, on=(Entry.member == Member.id))
        .where(Entry.group == group)
        .order_by(Entry.effective_on, Entry.id)
    )
    for e in entries:
        member = e.member if e.member_id else None
        table.rows.append(
            [
                e.id,
                e.effective_on,
                e.cycle_id,
                e.meeting_id,
                member.number if member else None,
                member.full_name if member else None,
                _label(EntryKind, e.kind, gettext),
                _label(Fund, e.fund, gettext),
                _label(Channel, e.channel, gettext),
                major(e.amount, group.currency),
                e.shares,
                e.reverses_id,
                e.note,
                e.recorded_at,
            ]
        )
    if group.is_practice:
        table.rows.append([gettext(PRACTICE_MARK)] + [None] * (len(HEADERS) - 1))
    return table
