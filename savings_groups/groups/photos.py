"""A member's photo for their card: optional, JPEG or PNG only (checked by its first bytes, not
its name), small, kept in the database; adding, replacing and removing it are audited."""

from savings_groups.core.errors import N_, DomainError
from savings_groups.org import audit
from savings_groups.store.db import db, lock
from savings_groups.store.models import Member, MemberPhoto, User

MAX_BYTES = 2 * 1024 * 1024  # a phone's photo, made smaller; a card prints it 20 mm wide
SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


def check_size(size: int) -> None:
    """Refuse a photo larger than MAX_BYTES (`size` in bytes), before reading it."""
    if size > MAX_BYTES:
        raise DomainError(
            N_("The photo is too large (%(most)s MB at most): send a smaller one."),
            field="photo",
            most=MAX_BYTES // (1024 * 1024),
        )


def content_type(data: bytes) -> str:
    """The image's type read from its first bytes; a DomainError for anything else."""
    if not data:
        raise DomainError(N_("Choose a photo to add."), field="photo")
    check_size(len(data))
    for signature, kind in SIGNATURES.items():
        if data.startswith(signature):
            return kind
    raise DomainError(N_("The photo must be a JPEG or PNG image."), field="photo")


def set_photo(actor: User, member: Member, data: bytes) -> None:
    """Add the member's photo, or replace the one there."""
    kind = content_type(data)
    with db.atomic():
        member = lock(Member, member.id)
        replaced = MemberPhoto.delete().where(MemberPhoto.member == member).execute() > 0
        MemberPhoto.create(member=member, content_type=kind, data=data, uploaded_by=actor)
        audit.record(
            actor, "member.photo", member, group=member.group_id, replaced=replaced, size=len(data)
        )


def remove_photo(actor: User, member: Member) -> bool:
    """Take the member's photo away; False when there was none."""
    with db.atomic():
        member = lock(Member, member.id)
        removed = MemberPhoto.delete().where(MemberPhoto.member == member).execute() > 0
        if removed:
            audit.record(actor, "member.photo_remove", member, group=member.group_id)
        return removed


def photo_of(member: Member) -> tuple[str, bytes] | None:
    """(content type, bytes) of the member's photo, or None."""
    photo = MemberPhoto.get_or_none(MemberPhoto.member == member)
    return (photo.content_type, bytes(photo.data)) if photo else None


def with_photo(member_ids: list[int]) -> set[int]:
    """Which of these members have a photo, in one query (the data not read)."""
    if not member_ids:
        return set()
    query = MemberPhoto.select(MemberPhoto.member).where(MemberPhoto.member.in_(member_ids))
    return {row.member_id for row in query}
