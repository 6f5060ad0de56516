"""Creating and editing groups (more of a group's life comes with meetings and cycles)."""

from dataclasses import dataclass, fields

from babel import Locale
from babel.core import get_global
from babel.numbers import list_currencies

from . import audit
from .db import db
from .errors import N_, DomainError
from .models import GroupAssignment, GroupKind, Role, SavingsGroup, User

# Countries: CLDR territories that have a currency of their own, less "unknown" and the EU.
COUNTRY_CODES = frozenset(
    code
    for code in Locale("en").territories
    if len(code) == 2 and code in get_global("territory_currencies") and code not in ("ZZ", "EU")
)


@dataclass(frozen=True)
class GroupDetails:
    """What a facilitator enters about a group, as typed; `clean()` checks and normalises it."""

    name: str
    kind: GroupKind | str
    currency: str
    village: str = ""
    district: str = ""
    country: str = ""

    def clean(self) -> dict:
        name = (self.name or "").strip()
        if not name:
            raise DomainError(N_("Enter the group's name."), field="name")
        try:
            kind = GroupKind(self.kind)
        except ValueError:
            raise DomainError(N_("Choose the kind of group."), field="kind") from None
        currency = (self.currency or "").strip().upper()
        if currency not in list_currencies():
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
        }


GROUP_FIELDS = tuple(f.name for f in fields(GroupDetails))


def create_group(actor: User, details: GroupDetails) -> SavingsGroup:
    """Create a group; a facilitator who creates one is assigned to it."""
    values = details.clean()
    with db.atomic():
        group = SavingsGroup.create(created_by=actor, **values)
        audit.record(actor, "group.create", group, group=group, **values)
        if actor.role_enum is not Role.ADMIN:
            GroupAssignment.create(user=actor, group=group, assigned_by=actor)
        return group


def update_group(actor: User, group: SavingsGroup, details: GroupDetails) -> None:
    values = details.clean()
    with db.atomic():
        changed = audit.changes(group, **values)
        if changed:
            group.save()
            audit.record(actor, "group.update", group, group=group, **changed)
