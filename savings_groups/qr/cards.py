"""Member cards: the sheet to print, finding a member from a scanned card, re-issuing a card."""

from dataclasses import dataclass

from savings_groups.core import card_codes
from savings_groups.core.errors import N_, DomainError
from savings_groups.groups import photos
from savings_groups.groups.members import current_members
from savings_groups.org import audit
from savings_groups.qr.svg import svg
from savings_groups.store.db import db, lock
from savings_groups.store.models import Member, SavingsGroup, User

CARD_QR_SIZE = "26mm"  # scans well from a phone or a USB scanner, leaves room for the names


class NotACard(DomainError):
    """What was scanned or typed is not a card identifier (or was misread)."""


class CardNotFound(DomainError):
    """A well-formed identifier that selects no member of this group."""


@dataclass(frozen=True)
class Card:
    member: Member
    code: str
    qr_svg: str  # inline SVG of the QR code holding `code`
    photo: bool  # the member has a photo to print on the card


def find(group: SavingsGroup, scanned_text: str | None) -> Member:
    """The current member of `group` whose card was scanned; a clear error otherwise.

    The scanner's noise (spaces, line endings, lower case, a character before or after) is
    forgiven; a card of another group, of a member who has left, or one re-issued since, is not.
    """
    code = card_codes.parse(scanned_text)
    if code is None:
        shown = " ".join((scanned_text or "").split())[:40]
        if not shown:
            raise NotACard(N_("Scan a member's card, or type the code printed under its QR code."))
        raise NotACard(
            N_(
                "“%(text)s” is not a member's card, or it was misread: scan it again or type "
                "the code printed under the QR code."
            ),
            text=shown,
        )
    member = Member.get_or_none(Member.card_code == code)
    if member is None:
        raise CardNotFound(
            N_("No member has the card %(code)s: it may have been replaced by a new card."),
            code=code,
        )
    if member.group_id != group.id:
        raise CardNotFound(N_("The card %(code)s belongs to a member of another group."), code=code)
    if member.left_on is not None:
        raise CardNotFound(
            N_("No. %(number)s, %(name)s, has left the group: the card selects nobody."),
            number=member.number,
            name=member.full_name,
        )
    return member


def cards(group: SavingsGroup, member_ids: list[int] | None = None) -> list[Card]:
    """The cards of the group's current members by number, or of those chosen among them."""
    query = current_members(group)
    if member_ids is not None:
        query = query.where(Member.id.in_(member_ids))
    people = list(query)
    pictured = photos.with_photo([m.id for m in people])
    return [
        Card(
            m, m.card_code, svg(m.card_code, size=CARD_QR_SIZE, label=m.card_code), m.id in pictured
        )
        for m in people
    ]


def reissue(actor: User, member: Member) -> str:
    """Give the member a new card identifier (a lost or damaged card); the old one stops
    working at once. Returns the new identifier."""
    with db.atomic():
        member = lock(Member, member.id)
        if member.left_on is not None:
            raise DomainError(N_("This member has left the group: no new card is made."))
        old, new = member.card_code, card_codes.new_code()
        while Member.select().where(Member.card_code == new).exists():
            new = card_codes.new_code()
        member.card_code = new
        member.save()
        audit.record(actor, "member.new_card", member, group=member.group_id, card_code=[old, new])
        return new
