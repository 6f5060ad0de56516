"""A group's consent: which member-level data (names, phones, each member's figures) may leave the
app, in exports, through the API or in bundles. Aggregates never need it.

The group owns its data: without a recorded decision nothing member-level leaves. A decision is
never edited; a new one replaces it (recording no scope withdraws consent), and each is audited.
"""

from datetime import date

from peewee import Value, fn

from savings_groups.core import dates
from savings_groups.core.errors import N_, DomainError, Invalid
from savings_groups.core.vocabulary import ConsentScope
from savings_groups.org import audit
from savings_groups.store.db import db
from savings_groups.store.models import GroupConsent, Member, MemberConsent, SavingsGroup, User


def record_consent(
    actor: User,
    group: SavingsGroup,
    scopes: set[ConsentScope],
    given_on: date,
    given_by: str,
) -> GroupConsent:
    """Record the group's decision (it replaces the previous one)."""
    given_by = (given_by or "").strip()
    errors = []
    if given_on > dates.today():
        errors.append(DomainError(N_("The date cannot be in the future."), field="given_on"))
    if group.formed_on and given_on < group.formed_on:
        errors.append(
            DomainError(N_("The date cannot be before the group was formed."), field="given_on")
        )
    if not given_by:
        errors.append(DomainError(N_("Say who gave the group's decision."), field="given_by"))
    elif len(given_by) > 200:
        errors.append(DomainError(N_("Use at most 200 characters."), field="given_by"))
    if errors:
        raise Invalid(errors)
    values = ",".join(sorted(ConsentScope(scope).value for scope in scopes))
    with db.atomic():
        consent = GroupConsent.create(
            group=group,
            scopes=values,
            given_on=given_on,
            given_by=given_by,
            recorded_by=actor,
            recorded_at=dates.utcnow(),
        )
        audit.record(
            actor,
            "group.consent",
            consent,
            group=group,
            scopes=values,
            given_on=given_on,
            given_by=given_by,
        )
        return consent


def current_consent(group_id: int) -> GroupConsent | None:
    """The decision that holds now: the latest recorded, or None."""
    return (
        GroupConsent.select()
        .where(GroupConsent.group == group_id)
        .order_by(GroupConsent.id.desc())
        .first()
    )


def allows(group_id: int, scope: ConsentScope) -> bool:
    consent = current_consent(group_id)
    return consent is not None and scope in consent.scope_set


def groups_allowing(scope: ConsentScope):
    """A subquery of the ids of the groups whose latest decision allows scope, for SQL filters:
    `.where(SavingsGroup.id.in_(groups_allowing(scope)))`."""
    latest = GroupConsent.select(fn.MAX(GroupConsent.id)).group_by(GroupConsent.group)
    # scopes is a comma-separated list: match the value as a whole item
    listed = Value(",").concat(GroupConsent.scopes).concat(",")
    return GroupConsent.select(GroupConsent.group).where(
        GroupConsent.id.in_(latest), listed.contains(f",{scope.value},")
    )


def record_member_consent(
    actor: User, member: Member, allows_lender_record: bool, given_on: date
) -> MemberConsent:
    """Record a member's own decision on a record for a lender (the group's does not replace
    it); the latest holds."""
    if given_on > dates.today():
        raise Invalid([DomainError(N_("The date cannot be in the future."), field="given_on")])
    if given_on < member.joined_on:
        raise Invalid(
            [DomainError(N_("The date cannot be before the member joined."), field="given_on")]
        )
    with db.atomic():
        row = MemberConsent.create(
            member=member,
            allows_lender_record=bool(allows_lender_record),
            given_on=given_on,
            recorded_by=actor,
            recorded_at=dates.utcnow(),
        )
        audit.record(
            actor,
            "member.consent",
            row,
            group=member.group_id,
            member=member.number,
            allows_lender_record=bool(allows_lender_record),
            given_on=given_on,
        )
        return row


def member_consent(member_id: int) -> MemberConsent | None:
    """The member's decision that holds now: the latest recorded, or None."""
    return (
        MemberConsent.select()
        .where(MemberConsent.member == member_id)
        .order_by(MemberConsent.id.desc())
        .first()
    )


def member_allows_lender_record(member_id: int) -> bool:
    latest = member_consent(member_id)
    return latest is not None and latest.allows_lender_record
