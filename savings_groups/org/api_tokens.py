"""The JSON API's tokens: made by an admin, shown once, kept as their SHA-256, scoped to some
groups or all, allowed phone numbers or not, revocable. Read-only: a token never writes."""

import hashlib
import secrets

from savings_groups.core.dates import utcnow
from savings_groups.core.errors import N_, DomainError, Invalid
from savings_groups.core.vocabulary import Role
from savings_groups.org import audit
from savings_groups.store.db import db
from savings_groups.store.models import ApiToken, SavingsGroup, User

PREFIX = "sgapi_"  # says what the secret is, in a log or a leaked file


def digest(secret: str) -> str:
    """SHA-256 is enough for 32 random bytes: nothing to guess, nothing to stretch."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _require_admin(actor: User) -> None:
    if actor.role_enum is not Role.ADMIN or not actor.is_active:
        raise DomainError(N_("Only an administrator manages API tokens."))


def create_token(
    actor: User, name: str, group_ids: list[int], all_groups: bool, allows_phones: bool
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is shown once and never stored."""
    _require_admin(actor)
    name = (name or "").strip()
    errors = []
    if not name:
        errors.append(
            DomainError(N_("Give the token a name (the system that will use it)."), "name")
        )
    elif len(name) > 200:
        errors.append(DomainError(N_("Use at most 200 characters."), "name"))
    ids = sorted(set(group_ids or []))
    if not all_groups and not ids:
        errors.append(DomainError(N_("Choose the groups the token may read, or all."), "groups"))
    if ids and SavingsGroup.select().where(SavingsGroup.id.in_(ids)).count() != len(ids):
        errors.append(DomainError(N_("A chosen group does not exist."), "groups"))
    if errors:
        raise Invalid(errors)
    secret = PREFIX + secrets.token_urlsafe(32)
    with db.atomic():
        token = ApiToken.create(
            name=name,
            token_hash=digest(secret),
            prefix=secret[: len(PREFIX) + 4],
            all_groups=bool(all_groups),
            group_ids="" if all_groups else ",".join(str(i) for i in ids),
            allows_phones=bool(allows_phones),
            created_by=actor,
            created_at=utcnow(),
        )
        audit.record(
            actor,
            "api_token.create",
            token,
            name=name,
            all_groups=bool(all_groups),
            group_ids=token.group_ids,
            allows_phones=bool(allows_phones),
        )
    return token, secret


def revoke_token(actor: User, token_id: int) -> ApiToken:
    _require_admin(actor)
    with db.atomic():
        token = ApiToken.get_or_none(ApiToken.id == token_id)
        if token is None:
            raise DomainError(N_("This token does not exist."))
        if token.revoked_at is not None:
            raise DomainError(N_("This token is already revoked."))
        token.revoked_at, token.revoked_by = utcnow(), actor
        token.save()
        audit.record(actor, "api_token.revoke", token, name=token.name)
    return token


def authenticate(secret: str | None) -> ApiToken | None:
    """The live token with this secret, or None (missing, wrong or revoked)."""
    if not secret:
        return None
    token = ApiToken.get_or_none(ApiToken.token_hash == digest(secret))
    if token is None or token.revoked_at is not None:
        return None
    return token


def tokens() -> list[ApiToken]:
    return list(ApiToken.select().order_by(ApiToken.revoked_at.is_null(False), ApiToken.id.desc()))


def covers(token: ApiToken, group_id: int) -> bool:
    return token.all_groups or group_id in token.group_id_set
