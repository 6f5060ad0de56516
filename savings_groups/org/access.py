"""Who may see which group and who may do what: one table, checked by every view."""

from enum import StrEnum

from savings_groups.core.errors import N_, Forbidden, NotFound
from savings_groups.core.vocabulary import Role
from savings_groups.store.models import GroupAssignment, SavingsGroup, User


class Action(StrEnum):
    MANAGE_USERS = "manage_users"
    MANAGE_ORGANIZATION = "manage_organization"
    READ_AUDIT = "read_audit"
    CREATE_GROUP = "create_group"
    EDIT_GROUP = "edit_group"
    VIEW_GROUP = "view_group"
    RECORD = "record"
    CHECK_BOOKS = "check_books"


PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.FACILITATOR: frozenset(
        {
            Action.CREATE_GROUP,
            Action.EDIT_GROUP,
            Action.VIEW_GROUP,
            Action.RECORD,
            Action.READ_AUDIT,  # the actions in their groups only (reports.audit_trail)
        }
    ),
    Role.RECORDER: frozenset({Action.VIEW_GROUP, Action.RECORD}),
    Role.VIEWER: frozenset({Action.VIEW_GROUP}),
}


def can(user: User, action: Action) -> bool:
    return user.is_active and action in PERMISSIONS[user.role_enum]


def require(user: User, action: Action) -> None:
    """Raise Forbidden (403) when the user's role may not do this."""
    if not can(user, action):
        raise Forbidden(N_("Your role does not allow this."))


def sees_all_groups(user: User) -> bool:
    return user.role_enum is Role.ADMIN


def visible_groups(user: User):
    """The groups the user may see: all for an administrator, else those assigned."""
    query = SavingsGroup.select().order_by(SavingsGroup.name, SavingsGroup.id)
    if sees_all_groups(user):
        return query
    return query.join(GroupAssignment).where(GroupAssignment.user == user)


def group_for(user: User, group_id: int, action: Action = Action.VIEW_GROUP) -> SavingsGroup:
    """The group if the user may see it (else NotFound: 404), and if the role may act (else 403)."""
    group = visible_groups(user).where(SavingsGroup.id == group_id).first()
    if group is None:
        raise NotFound(N_("This group does not exist or is not assigned to you."))
    require(user, action)
    return group
