"""Members of a group: joining, edits (audited) and departures; nobody is ever deleted."""

import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import date

from peewee import IntegrityError, fn

from savings_groups.core.dates import today
from savings_groups.core.errors import N_, DomainError
from savings_groups.core.numbers import ascii_digits, parse_whole
from savings_groups.core.vocabulary import Gender, GroupRole, MemberType
from savings_groups.org import audit
from savings_groups.store.db import db
from savings_groups.store.models import Member, SavingsGroup, User

OLDEST_BIRTH_YEAR = 1900
MAX_NUMBER = 100_000
PHONE = re.compile(r"\+?[0-9(][0-9 ().-]{2,38}")
SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class MemberDetails:
    """What a facilitator enters about a member, as typed; `clean()` checks and normalises it."""

    number: int | str | None
    full_name: str
    member_type: MemberType | str | None
    gender: Gender | str = Gender.UNSTATED
    birth_year: int | str | None = None
    phone: str = ""
    group_role: GroupRole | str = GroupRole.MEMBER
    joined_on: date | None = None

    def clean(self, this_year: int | None = None, locale: str = "en") -> dict:
        """Checked values for the Member's fields; numbers typed as text are read in `locale`."""
        number = parse_whole(
            self.number, "number", locale=locale, minimum=1, maximum=MAX_NUMBER, required=False
        )
        if number is None:
            raise DomainError(N_("Enter the member's number in the group."), field="number")
        full_name = SPACES.sub(" ", unicodedata.normalize("NFC", self.full_name or "")).strip()
        if not full_name:
            raise DomainError(N_("Enter the member's full name."), field="full_name")
        if len(full_name) > 200:
            raise DomainError(
                N_("The name is too long (200 characters at most)."), field="full_name"
            )
        try:
            member_type = MemberType(self.member_type)
        except ValueError:
            raise DomainError(
                N_("Choose the member's type: returnee, community member or other."),
                field="member_type",
            ) from None
        try:
            gender = Gender(self.gender or Gender.UNSTATED)
        except ValueError:
            raise DomainError(N_("Choose a gender from the list."), field="gender") from None
        try:
            group_role = GroupRole(self.group_role or GroupRole.MEMBER)
        except ValueError:
            raise DomainError(N_("Choose a role from the list."), field="group_role") from None
        this_year = this_year or today().year
        # No minimum of the parser's own: a year out of range, "-3" too, is told the years allowed.
        birth_year = parse_whole(
            self.birth_year, "birth_year", locale=locale, minimum=None, required=False
        )
        if birth_year is not None and not OLDEST_BIRTH_YEAR <= birth_year <= this_year:
            raise DomainError(
                N_("The year of birth must be between %(oldest)d and %(latest)d."),
                field="birth_year",
                oldest=OLDEST_BIRTH_YEAR,
                latest=this_year,
            )
        phone = SPACES.sub(" ", ascii_digits(self.phone or "")).strip()
        if phone and not PHONE.fullmatch(phone):
            raise DomainError(
                N_("Write the phone number with digits only, like +224 620 12 34 56."),
                field="phone",
            )
        if not isinstance(self.joined_on, date):
            raise DomainError(N_("Enter the date the member joined."), field="joined_on")
        return {
            "number": number,
            "full_name": full_name,
            "member_type": member_type.value,
            "gender": gender.value,
            "birth_year": birth_year,
            "phone": phone,
            "group_role": group_role.value,
            "joined_on": self.joined_on,
        }


MEMBER_FIELDS = tuple(f.name for f in fields(MemberDetails))


def next_number(group: SavingsGroup) -> int:
    """The number proposed for a new member: one more than the highest so far."""
    highest = Member.select(fn.MAX(Member.number)).where(Member.group == group).scalar()
    return (highest or 0) + 1


def _number_taken(group: SavingsGroup, number: int, member: Member | None = None) -> DomainError:
    query = Member.select(Member.full_name).where(
        (Member.group == group) & (Member.number == number)
    )
    if member is not None:
        query = query.where(Member.id != member.id)
    holder = query.first()
    return DomainError(
        N_("Number %(number)d is already taken by %(name)s. The next free number is %(free)d."),
        field="number",
        number=number,
        name=holder.full_name if holder else "?",
        free=next_number(group),
    )


def _is_taken(group: SavingsGroup, number: int, member: Member | None = None) -> bool:
    query = Member.select().where((Member.group == group) & (Member.number == number))
    if member is not None:
        query = query.where(Member.id != member.id)
    return query.exists()


def add_member(
    actor: User, group: SavingsGroup, details: MemberDetails, locale: str = "en"
) -> Member:
    """Add a member to a group; the number must be free in the group."""
    values = details.clean(locale=locale)
    if group.archived_at is not None:
        raise DomainError(N_("This group is archived: it takes no new members."))
    try:
        with db.atomic():
            if _is_taken(group, values["number"]):
                raise _number_taken(group, values["number"])
            member = Member.create(group=group, **values)
            audit.record(actor, "member.create", member, group=group, **values)
            return member
    except IntegrityError:  # another user took the number in the meantime
        raise _number_taken(group, values["number"]) from None


def update_member(actor: User, member: Member, details: MemberDetails, locale: str = "en") -> dict:
    """Change a member's details; the audit log keeps what changed. Returns {field: [old, new]}."""
    values = details.clean(locale=locale)
    if member.left_on is not None and values["joined_on"] > member.left_on:
        raise DomainError(
            N_("The date joined cannot be after the date the member left."), field="joined_on"
        )
    group = member.group
    try:
        with db.atomic():
            if _is_taken(group, values["number"], member):
                raise _number_taken(group, values["number"], member)
            changed = audit.changes(member, **values)
            if changed:
                member.save()
                audit.record(actor, "member.update", member, group=member.group_id, **changed)
            return changed
    except IntegrityError:
        raise _number_taken(group, values["number"], member) from None


def record_departure(actor: User, member: Member, left_on: date | None, reason: str) -> dict:
    """Record (or correct) the date a member left and why; the member stays in every history."""
    reason = SPACES.sub(" ", reason or "").strip()
    if not isinstance(left_on, date):
        raise DomainError(N_("Enter the date the member left."), field="left_on")
    if left_on < member.joined_on:
        raise DomainError(
            N_("The date left cannot be before the date joined (%(joined)s)."),
            field="left_on",
            joined=member.joined_on,
        )
    if not reason:
        raise DomainError(N_("Say why the member left."), field="reason")
    if len(reason) > 200:
        raise DomainError(N_("The reason is too long (200 characters at most)."), field="reason")
    with db.atomic():
        changed = audit.changes(member, left_on=left_on, left_reason=reason)
        if changed:
            member.save()
            audit.record(actor, "member.leave", member, group=member.group_id, **changed)
        return changed


def is_current(member: Member, on: date) -> bool:
    """A member of the group on that day: joined on or before it, not yet left."""
    return member.joined_on <= on and (member.left_on is None or member.left_on > on)


def current_members(group: SavingsGroup, on: date | None = None):
    """Members by number: who has not left, or, given a day, who had joined and not yet left.

    From the day they left a member is no longer counted (as is_current says).
    """
    query = Member.select().where(Member.group == group).order_by(Member.number)
    if on is None:
        return query.where(Member.left_on.is_null())
    return query.where(
        (Member.joined_on <= on) & (Member.left_on.is_null() | (Member.left_on > on))
    )


def members_of(group: SavingsGroup) -> tuple[list[Member], list[Member]]:
    """All the members of a group in one query: (current, who has left), each by number."""
    everyone = list(Member.select().where(Member.group == group).order_by(Member.number))
    current = [m for m in everyone if m.left_on is None]
    left = [m for m in everyone if m.left_on is not None]
    return current, left
