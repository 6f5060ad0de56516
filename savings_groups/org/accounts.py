"""The organization and its user accounts: first run, login with lockout, passwords, roles."""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from savings_groups.core.dates import utcnow
from savings_groups.core.errors import N_, DomainError, NotFound
from savings_groups.core.vocabulary import Role
from savings_groups.org import audit, passwords
from savings_groups.store.db import db
from savings_groups.store.models import (
    GroupAssignment,
    LoginThrottle,
    Organization,
    SavingsGroup,
    User,
)

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
BAD_LOGIN = N_("Unknown username or wrong password.")


class LoginRefused(DomainError):
    """The same message for an unknown user and a wrong password; a lock says how long."""


@dataclass(frozen=True)
class LoginPolicy:
    min_password_length: int = 10
    lockout_threshold: int = 5
    lockout_base_seconds: int = 60
    lockout_max_seconds: int = 3600

    @classmethod
    def from_config(cls, config) -> "LoginPolicy":
        return cls(
            min_password_length=config["PASSWORD_MIN_LENGTH"],
            lockout_threshold=config["LOCKOUT_THRESHOLD"],
            lockout_base_seconds=config["LOCKOUT_BASE_SECONDS"],
            lockout_max_seconds=config["LOCKOUT_MAX_SECONDS"],
        )

    def lock_seconds(self, failures: int) -> int:
        """No lock below the threshold, then a lock that doubles with each further failure."""
        if failures < self.lockout_threshold:
            return 0
        doublings = min(failures - self.lockout_threshold, 30)
        return min(self.lockout_base_seconds * 2**doublings, self.lockout_max_seconds)


def organization() -> Organization | None:
    return Organization.select().order_by(Organization.id).first()


def needs_setup() -> bool:
    """True until the first user exists: the browser then shows the setup page."""
    return not User.select().exists()


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


def setup(
    organization_name: str,
    username: str,
    full_name: str,
    password: str,
    locale: str,
    policy: LoginPolicy,
) -> User:
    """Create the organization and its first administrator; only while no user exists."""
    with db.atomic():
        if not needs_setup():
            raise DomainError(N_("This installation is already set up. Please log in."))
        name = _required(
            organization_name, "organization_name", N_("Enter the organization's name.")
        )
        org = organization()
        if org is None:
            org = Organization.create(name=name, default_locale=locale)
        admin = create_user(None, username, full_name, Role.ADMIN, password, locale, policy)
        audit.record(admin, "organization.create", org, name=org.name)
        return admin


def create_user(
    actor: User | None,
    username: str,
    full_name: str,
    role: Role | str,
    password: str,
    locale: str | None,
    policy: LoginPolicy,
    group_ids: list[int] = (),
) -> User:
    """Create an account, assigned to the given groups; the username is case-insensitive."""
    username = normalize_username(username)
    if not USERNAME_PATTERN.match(username):
        raise DomainError(
            N_(
                "A username has 2 to 40 characters: letters a–z, digits, dots, dashes or "
                "underscores, starting with a letter or a digit."
            ),
            field="username",
        )
    full_name = _required(full_name, "full_name", N_("Enter the person's full name."))
    role = _role(role)
    check_password_strength(password, policy)
    with db.atomic():
        if User.select().where(User.username == username).exists():
            raise DomainError(
                N_("The username “%(username)s” is already taken."),
                field="username",
                username=username,
            )
        user = User.create(
            username=username,
            full_name=full_name,
            role=role.value,
            locale=locale or None,
            password_hash=passwords.hash_password(password),
            session_token=secrets.token_hex(16),
        )
        audit.record(actor or user, "user.create", user, username=username, role=role.value)
        if group_ids:
            assign_groups(actor, user, group_ids)
        return user


def check_password_strength(password: str, policy: LoginPolicy) -> None:
    if len(password or "") < policy.min_password_length:
        raise DomainError(
            N_("A password needs at least %(count)d characters."),
            field="password",
            count=policy.min_password_length,
        )


def authenticate(
    username: str,
    password: str,
    policy: LoginPolicy,
    now: datetime | None = None,
    device: str = "",
) -> User:
    """Return the active user with this password, or raise LoginRefused.

    Failures are counted per username in the database, known or not, so that a lock says
    nothing about whether an account exists and survives a restart or a second worker; and per
    `device`: a browser where this username logged in before counts apart, every other browser
    shares the count of "" (so a stranger's tries do not lock the owner out of their laptop).
    """
    now = now or utcnow()
    username = normalize_username(username)
    with db.atomic():
        throttle = LoginThrottle.get_or_none(
            (LoginThrottle.username == username) & (LoginThrottle.device == device)
        )
        if throttle and throttle.locked_until and throttle.locked_until > now:
            raise _locked(throttle.locked_until - now)
        user = User.get_or_none(User.username == username)
        if user is None:
            passwords.dummy_verify(password or "")
            ok = False
        else:
            ok = passwords.verify_password(user.password_hash, password or "") and user.is_active
        if ok:
            if throttle:
                throttle.delete_instance()
            user.last_login_at = now
            if passwords.needs_rehash(user.password_hash):
                user.password_hash = passwords.hash_password(password)
            user.save()
            return user
        _count_failure(username, device, throttle, policy, now)
    # Raised after the commit, so that the failure stays counted.
    raise LoginRefused(BAD_LOGIN)


def _count_failure(username, device, throttle, policy: LoginPolicy, now: datetime) -> None:
    if not username:
        return
    if throttle is None:
        throttle = LoginThrottle(username=username[:40], device=device, failures=0)
    throttle.failures += 1
    throttle.last_failure_at = now
    seconds = policy.lock_seconds(throttle.failures)
    throttle.locked_until = now + timedelta(seconds=seconds) if seconds else None
    throttle.save()


def _locked(remaining: timedelta) -> LoginRefused:
    minutes = max(1, -(-int(remaining.total_seconds()) // 60))
    return LoginRefused(
        N_(
            "Too many failed attempts for this username. Try again in %(minutes)d min, "
            "or ask an administrator."
        ),
        minutes=minutes,
    )


def locked_accounts(now: datetime | None = None) -> dict[str, datetime]:
    """Usernames locked now on some browser, with the end of their longest lock."""
    now = now or utcnow()
    locked: dict[str, datetime] = {}
    for throttle in LoginThrottle.select().where(LoginThrottle.locked_until > now):
        previous = locked.get(throttle.username)
        locked[throttle.username] = max(throttle.locked_until, previous or throttle.locked_until)
    return locked


def unlock(actor: User, user: User) -> bool:
    """An administrator ends every lock and count of failed logins of an account; False when
    there was none."""
    with db.atomic():
        removed = LoginThrottle.delete().where(LoginThrottle.username == user.username).execute()
        if removed:
            audit.record(actor, "user.unlock", user)
    return bool(removed)


def change_own_password(user: User, current: str, new: str, policy: LoginPolicy) -> None:
    if not passwords.verify_password(user.password_hash, current or ""):
        raise DomainError(N_("The current password is wrong."), field="current_password")
    if current == new:
        raise DomainError(N_("Choose a new password, not the current one."), field="password")
    _set_password(user, user, new, policy, must_change=False, action="user.change_password")


def reset_password(actor: User, user: User, new: str, policy: LoginPolicy) -> None:
    """An administrator sets a temporary password; the user must change it at next login."""
    _set_password(actor, user, new, policy, must_change=True, action="user.reset_password")
    LoginThrottle.delete().where(LoginThrottle.username == user.username).execute()


def _set_password(actor, user, new, policy, must_change, action) -> None:
    check_password_strength(new, policy)
    with db.atomic():
        user.password_hash = passwords.hash_password(new)
        user.must_change_password = must_change
        user.session_token = secrets.token_hex(16)
        user.save()
        audit.record(actor, action, user)


def update_user(
    actor: User,
    user: User,
    full_name: str,
    role: Role | str,
    locale: str | None,
    group_ids: list[int] | None = None,
) -> None:
    """Change an account's details and, when group_ids is given, exactly which groups it has."""
    full_name = _required(full_name, "full_name", N_("Enter the person's full name."))
    role = _role(role)
    with db.atomic():
        if user.role == Role.ADMIN and role != Role.ADMIN:
            _keep_one_admin(user)
        changed = audit.changes(user, full_name=full_name, role=role.value, locale=locale or None)
        if changed:
            user.save()
            audit.record(actor, "user.update", user, **changed)
        if group_ids is not None:
            assign_groups(actor, user, group_ids)


def set_locale(user: User, locale: str | None) -> None:
    """The user's own choice of language, kept for their next login."""
    with db.atomic():
        changed = audit.changes(user, locale=locale or None)
        if changed:
            user.save()
            audit.record(user, "user.set_locale", user, **changed)


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivate (never delete) or reactivate an account."""
    with db.atomic():
        if not active:
            if user.id == actor.id:
                raise DomainError(N_("You cannot deactivate your own account."))
            if user.role == Role.ADMIN:
                _keep_one_admin(user)
        if user.is_active == active:
            return
        user.is_active = active
        user.session_token = secrets.token_hex(16)
        user.save()
        audit.record(actor, "user.activate" if active else "user.deactivate", user)


def _keep_one_admin(user: User) -> None:
    others = User.select().where((User.role == Role.ADMIN) & User.is_active & (User.id != user.id))
    if not others.exists():
        raise DomainError(
            N_("This is the last active administrator; make another administrator first."),
            field="role",
        )


def assign_groups(actor: User, user: User, group_ids: list[int]) -> None:
    """Set exactly which groups the user is assigned to."""
    wanted = set(group_ids)
    with db.atomic():
        known = {
            g.id for g in SavingsGroup.select(SavingsGroup.id).where(SavingsGroup.id.in_(wanted))
        }
        if known != wanted:
            raise NotFound(N_("One of the chosen groups does not exist."), field="groups")
        current = {a.group_id for a in GroupAssignment.select().where(GroupAssignment.user == user)}
        for group_id in sorted(wanted - current):
            GroupAssignment.create(user=user, group=group_id, assigned_by=actor)
            audit.record(actor, "group.assign", user, group=group_id)
        removed = sorted(current - wanted)
        if removed:
            GroupAssignment.delete().where(
                (GroupAssignment.user == user) & GroupAssignment.group.in_(removed)
            ).execute()
            for group_id in removed:
                audit.record(actor, "group.unassign", user, group=group_id)


def get_user(user_id: int) -> User:
    user = User.get_or_none(User.id == user_id)
    if user is None:
        raise NotFound(N_("This account does not exist."))
    return user


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, field=field)
    return value


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise DomainError(N_("Choose a role from the list."), field="role") from None


def update_organization(actor: User, org: Organization, name: str, default_locale: str) -> None:
    name = _required(name, "name", N_("Enter the organization's name."))
    with db.atomic():
        changed = audit.changes(org, name=name, default_locale=default_locale)
        if changed:
            org.save()
            audit.record(actor, "organization.update", org, **changed)
