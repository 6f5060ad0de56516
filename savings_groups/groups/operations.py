"""Creating, editing and archiving groups; cycles and meetings have modules of their own."""

from dataclasses import dataclass, fields
from datetime import date

from babel import Locale, UnknownLocaleError
from babel.core import get_global

from savings_groups.core.dates import parse_date, today, utcnow
from savings_groups.core.errors import N_, DomainError, Number
from savings_groups.core.money import currencies_in_use, parse_amount
from savings_groups.core.vocabulary import GroupKind, MeetingFrequency, Role
from savings_groups.org import audit
from savings_groups.store.db import db
from savings_groups.store.models import Cycle, GroupAssignment, SavingsGroup, User

# Countries: CLDR territories that have a currency of their own, less "unknown" and the EU.
COUNTRY_CODES = frozenset(
    code
    for code in Locale("en").territories
    if len(code) == 2 and code in get_global("territory_currencies") and code not in ("ZZ", "EU")
)
NOTES_MAX = 4000


@dataclass(frozen=True)
class GroupDetails:
    """What a facilitator enters about a group, as typed; `clean()` checks and normalises it.

    The rounding unit is either minor units (an int) or an amount typed in the group's currency
    (text, read in the reader's locale: "5" NGN is 500 kobo).
    """

    name: str
    kind: GroupKind | str
    currency: str
    village: str = ""
    district: str = ""
    country: str = ""
    rounding_unit: int | str = 1
    meeting_frequency: MeetingFrequency | str = MeetingFrequency.WEEKLY
    meeting_day: int | None = None  # 0 = Monday
    formed_on: date | str | None = None
    facilitator_id: int | None = None
    notes: str = ""
    print_locale: str = ""  # the language of the print-outs members receive; "" = the reader's

    def clean(self, locale: str = "en", kept_currency: str = "") -> dict:
        """The details checked; a currency must be in use today (currencies_in_use), unless
        it is `kept_currency`, the one an existing group already keeps its books in."""
        name = (self.name or "").strip()
        if not name:
            raise DomainError(N_("Enter the group's name."), field="name")
        try:
            kind = GroupKind(self.kind)
        except ValueError:
            raise DomainError(N_("Choose the kind of group."), field="kind") from None
        currency = (self.currency or "").strip().upper()
        if currency not in currencies_in_use() and not (currency and currency == kept_currency):
            raise DomainError(N_("Choose a currency from the list."), field="currency")
        country = (self.country or "").strip().upper()
        if country and country not in COUNTRY_CODES:
            raise DomainError(N_("Choose a country from the list."), field="country")
        return {
            "name": name,
            "kind": kind.value,
            "currency": currency,
            "village": (self.village or "").strip(),
            "district": (self.district or "").strip(),
            "country": country,
            "rounding_unit": self._rounding_unit(currency, locale),
            "meeting_frequency": self._frequency(),
            "meeting_day": self._day(),
            "formed_on": self._formed_on(),
            "facilitator_id": self.facilitator_id or None,
            "notes": self._notes(),
            "print_locale": self._print_locale(),
        }

    def _rounding_unit(self, currency: str, locale: str) -> int:
        unit = self.rounding_unit
        if isinstance(unit, str):
            unit = parse_amount(unit, currency, locale, field="rounding_unit")
        if isinstance(unit, bool) or not isinstance(unit, int) or unit <= 0:
            raise DomainError(
                N_("The rounding unit must be more than zero."), field="rounding_unit"
            )
        return unit

    def _frequency(self) -> str:
        try:
            return MeetingFrequency(self.meeting_frequency).value
        except ValueError:
            raise DomainError(
                N_("Choose how often the group meets."), field="meeting_frequency"
            ) from None

    def _day(self) -> int | None:
        day = self.meeting_day
        if day is None or day == "":
            return None
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise DomainError(N_("Choose a day of the week."), field="meeting_day")
        return day

    def _formed_on(self) -> date | None:
        formed_on = parse_date(self.formed_on, "formed_on", required=False)
        if formed_on and formed_on > today():
            raise DomainError(N_("The date formed cannot be in the future."), field="formed_on")
        return formed_on

    def _print_locale(self) -> str:
        code = (self.print_locale or "").strip()
        if not code:
            return ""
        try:
            return str(Locale.parse(code))
        except (ValueError, UnknownLocaleError):
            raise DomainError(
                N_("Choose a language from the list."), field="print_locale"
            ) from None

    def _notes(self) -> str:
        notes = (self.notes or "").strip()
        if len(notes) > NOTES_MAX:
            raise DomainError(
                N_("Keep the notes under %(count)s characters."),
                field="notes",
                count=Number(NOTES_MAX),
            )
        return notes


GROUP_FIELDS = tuple(f.name for f in fields(GroupDetails))


def real_groups(query=None):
    """The groups that count: `query` (a SavingsGroup select; all groups by default) without
    the practice groups (SavingsGroup.is_practice). Indicators, lists, the home page's
    figures and exports across groups start from this; a practice group is never counted."""
    if query is None:
        query = SavingsGroup.select()
    return query.where(SavingsGroup.is_practice == False)  # noqa: E712 (SQL, not Python)


def facilitator_choices(group: SavingsGroup | None, actor: User | None = None) -> list[User]:
    """Who may be named a group's facilitator: active administrators, active facilitators
    assigned to the group, and (for a new group) the facilitator creating it."""
    query = User.select().where(User.is_active, User.role == Role.ADMIN.value)
    if group is not None:
        assigned = GroupAssignment.select(GroupAssignment.user).where(
            GroupAssignment.group == group
        )
        query = User.select().where(
            User.is_active
            & (
                (User.role == Role.ADMIN.value)
                | ((User.role == Role.FACILITATOR.value) & User.id.in_(assigned))
            )
        )
    elif actor is not None and actor.role_enum is Role.FACILITATOR:
        query = User.select().where(
            User.is_active & ((User.role == Role.ADMIN.value) | (User.id == actor.id))
        )
    return list(query.order_by(User.full_name, User.id))


def _check_facilitator(values: dict, group: SavingsGroup | None, actor: User) -> None:
    chosen = values["facilitator_id"]
    if chosen is None or (group is not None and chosen == group.facilitator_id):
        return  # nobody, or the one already named (who may since have left)
    if chosen not in {user.id for user in facilitator_choices(group, actor)}:
        raise DomainError(
            N_("Choose a facilitator assigned to the group, or an administrator."),
            field="facilitator_id",
        )


def create_group(actor: User, details: GroupDetails, locale: str = "en") -> SavingsGroup:
    """Create a group; a facilitator who creates one is assigned to it."""
    values = details.clean(locale)
    with db.atomic():
        _check_facilitator(values, None, actor)
        group = SavingsGroup.create(created_by=actor, **values)
        audit.record(actor, "group.create", group, group=group, **values)
        if actor.role_enum is not Role.ADMIN:
            GroupAssignment.create(user=actor, group=group, assigned_by=actor)
        return group


def update_group(
    actor: User, group: SavingsGroup, details: GroupDetails, locale: str = "en"
) -> None:
    values = details.clean(locale, kept_currency=group.currency)
    with db.atomic():
        _check_facilitator(values, group, actor)
        if (
            values["currency"] != group.currency
            and Cycle.select().where(Cycle.group == group).exists()
        ):
            raise DomainError(
                N_("The currency cannot change once the group has started a cycle."),
                field="currency",
            )
        changed = audit.changes(group, **values)
        if changed:
            group.save()
            audit.record(actor, "group.update", group, group=group, **changed)


def archive_group(actor: User, group: SavingsGroup, archived: bool) -> bool:
    """Archive a group (it is kept, with all its history) or take it out of the archive.

    Returns whether anything changed: archiving an archived group changes nothing.
    """
    if bool(group.archived_at) == archived:
        return False
    with db.atomic():
        group.archived_at = utcnow() if archived else None
        group.save(only=[SavingsGroup.archived_at])
        action = "group.archive" if archived else "group.unarchive"
        audit.record(actor, action, group, group=group)
    return True
