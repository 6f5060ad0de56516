"""A group's member list with each member's figures this cycle, as a Table; only for a group
whose decision allows member exports. Column titles are msgids: the caller translates them."""

from decimal import Decimal

from peewee import fn

from savings_groups.core.errors import N_, DomainError
from savings_groups.core.vocabulary import ConsentScope, EntryKind, Gender, LoanStatus, MemberType
from savings_groups.cycles.operations import cycle_of
from savings_groups.exports.files import Table
from savings_groups.groups import consent
from savings_groups.money import currency_digits
from savings_groups.store.models import Entry, Loan, Member, SavingsGroup

HEADERS = [
    N_("Number"),
    N_("Name"),
    N_("Gender"),
    N_("Member type"),
    N_("Phone"),
    N_("Joined on"),
    N_("Left on"),
    N_("Shares this cycle"),
    N_("Savings this cycle"),
    N_("Loan outstanding"),
]
PRACTICE_MARK = N_("PRACTICE GROUP (training, not real books)")


def require_consent(group: SavingsGroup) -> None:
    if not consent.allows(group.id, ConsentScope.MEMBER_EXPORTS):
        raise DomainError(
            N_(
                "The group “%(name)s” has not agreed to its members' data being exported: "
                "record its decision on the group's page first."
            ),
            name=group.name,
        )


def major(amount: int, currency: str) -> Decimal:
    """Minor units as a Decimal in major units (2500 kobo → 25.00)."""
    digits = currency_digits(currency)
    return (Decimal(amount) / (10**digits)).quantize(Decimal(1).scaleb(-digits))


def title(group: SavingsGroup, gettext) -> str:
    return group.name + (" — " + gettext(PRACTICE_MARK) if group.is_practice else "")


def member_table(group: SavingsGroup, gettext) -> Table:
    require_consent(group)
    cycle = cycle_of(group, None)
    shares, savings = {}, {}
    if cycle is not None:
        rows = (
            Entry.select(Entry.member, fn.SUM(Entry.shares), fn.SUM(Entry.amount))
            .where(
                Entry.cycle == cycle,
                Entry.kind.in_([EntryKind.SHARE_PURCHASE.value, EntryKind.OPENING_BALANCE.value]),
                Entry.member.is_null(False),
            )
            .group_by(Entry.member)
            .tuples()
        )
        for member_id, count, total in rows:
            shares[member_id], savings[member_id] = int(count or 0), int(total or 0)
    owed = dict(
        Entry.select(Entry.member, fn.SUM(Entry.amount))
        .join(Loan, on=Entry.loan == Loan.id)
        .where(
            Entry.group == group,
            Loan.status == LoanStatus.ACTIVE.value,
            Entry.kind.in_([EntryKind.LOAN_DISBURSEMENT.value, EntryKind.LOAN_PRINCIPAL.value]),
        )
        .group_by(Entry.member)
        .tuples()
    )
    table = Table(title(group, gettext), [gettext(h) for h in HEADERS])
    for m in Member.select().where(Member.group == group).order_by(Member.number):
        table.rows.append(
            [
                m.number,
                m.full_name,
                gettext(Gender(m.gender).label),
                gettext(MemberType(m.member_type).label),
                m.phone,
                m.joined_on,
                m.left_on,
                shares.get(m.id, 0),
                major(savings.get(m.id, 0), group.currency),
                major(-int(owed.get(m.id) or 0), group.currency),
            ]
        )
    if group.is_practice:
        table.rows.append([gettext(PRACTICE_MARK)] + [None] * (len(HEADERS) - 1))
    return table
