"""Practice groups: a ready-made savings group to learn on, reset in one click.

A practice group is an ordinary group with `is_practice` set: its members, an open cycle with
its rules and two closed meetings are written through the same domain functions a real group
goes through (so the books are consistent and the integrity check still checks them). It is
never counted: indicators, lists and exports take their groups from `real_groups()`.
"""

from datetime import date, timedelta

from savings_groups.core.dates import today
from savings_groups.core.errors import N_, DomainError
from savings_groups.core.vocabulary import BOXES, Gender, GroupKind, MemberType, Role
from savings_groups.cycles import operations as cycles
from savings_groups.groups import members as group_members
from savings_groups.groups import operations as groups
from savings_groups.meetings import operations as meetings
from savings_groups.meetings.sheet import MeetingSheet, MemberLine
from savings_groups.org import audit
from savings_groups.store.db import db, lock
from savings_groups.store.models import (
    Attendance,
    AuditEntry,
    CashCount,
    Cycle,
    CycleShareOut,
    Entry,
    FineType,
    GroupAssignment,
    Loan,
    LoanFlag,
    LoanGuarantor,
    LoanInstallment,
    Meeting,
    Member,
    MemberExit,
    MemberPhoto,
    Rotation,
    RuleDecision,
    SavingsGroup,
    ShareOutLine,
    User,
)

CURRENCY = "XOF"
SHARE_VALUE = 500
SOCIAL_FUND = 100
# (full name, type, gender, shares at the first and the second meeting)
MEMBERS = [
    ("Awa Diallo", MemberType.RETURNEE, Gender.FEMALE, 2, 3),
    ("Moussa Traoré", MemberType.RETURNEE, Gender.MALE, 1, 1),
    ("Fatou Camara", MemberType.COMMUNITY, Gender.FEMALE, 3, 2),
    ("Ibrahima Sow", MemberType.RETURNEE, Gender.MALE, 2, 2),
    ("Mariama Bah", MemberType.COMMUNITY, Gender.FEMALE, 1, 3),
    ("Ousmane Keita", MemberType.OTHER, Gender.MALE, 2, 1),
]
WEEKS_BEHIND = 3  # the cycle starts three weeks ago; the meetings were two and one weeks ago


def _check_actor(actor: User) -> None:
    if not actor.is_active or actor.role_enum not in (Role.ADMIN, Role.FACILITATOR):
        raise DomainError(N_("Only an administrator or a facilitator can set up practice groups."))


def _fill(actor: User, group: SavingsGroup, on: date) -> None:
    """Members, an open cycle with its rules and two closed meetings, as a real group has them.

    Call it inside the caller's transaction."""
    start = on - timedelta(weeks=WEEKS_BEHIND)
    people = []
    for number, (name, kind, gender, _first, _second) in enumerate(MEMBERS, start=1):
        details = group_members.MemberDetails(
            number, name, kind, gender, joined_on=start - timedelta(days=7)
        )
        people.append(group_members.add_member(actor, group, details))
    rules = cycles.CycleRules(
        start_date=start,
        planned_end=start + timedelta(weeks=52),
        share_value=SHARE_VALUE,
        min_shares=1,
        max_shares=5,
        social_fund_contribution=SOCIAL_FUND,
    )
    cycles.start_cycle(actor, group, rules)
    for week, column in ((2, 3), (1, 4)):
        meeting = meetings.open_meeting(actor, group, on - timedelta(weeks=week))
        sheet = MeetingSheet(
            [
                MemberLine(person.id, shares=row[column], social_fund=SOCIAL_FUND)
                for person, row in zip(people, MEMBERS, strict=True)
            ]
        )
        preview = meetings.preview(meeting, sheet)
        counted = {box: preview[box] for box in BOXES}
        meetings.close_meeting(actor, meeting, sheet, counted, "", meeting.version)


def create_practice_group(actor: User, name: str, on: date | None = None) -> SavingsGroup:
    """A practice group ready to record in, in one transaction (all of it or nothing).

    `name` comes from the page, in the user's language. A facilitator who creates it is
    assigned to it, as for any group they create."""
    _check_actor(actor)
    on = on or today()
    with db.atomic():
        group = groups.create_group(
            actor,
            groups.GroupDetails(
                name, GroupKind.SAVINGS, CURRENCY, formed_on=on - timedelta(weeks=4)
            ),
        )
        SavingsGroup.update(is_practice=True).where(SavingsGroup.id == group.id).execute()
        group.is_practice = True
        _fill(actor, group, on)
        audit.record(actor, "practice.create", group, group=group)
    return group


def reset_token(group: SavingsGroup) -> int:
    """What the reset form carries: the group's latest audit entry when the page was shown.

    A reset is refused if anything was written in the group since (see reset)."""
    latest = (
        AuditEntry.select(AuditEntry.id)
        .where(AuditEntry.group == group)
        .order_by(AuditEntry.id.desc())
        .first()
    )
    return latest.id if latest is not None else 0


def _delete_books(group: SavingsGroup) -> None:
    """Delete every row of the group's books: members, cycles, meetings, loans, entries.

    Ledger entries are never deleted in real books (a mistake is reversed, see ledger.entries);
    a practice group's books are not real books, so its entries are deleted here, and only here.
    The group itself, its assignments, its consent records and its audit trail are kept.
    """
    members = Member.select(Member.id).where(Member.group == group)
    cycles_ = Cycle.select(Cycle.id).where(Cycle.group == group)
    meetings_ = Meeting.select(Meeting.id).where(Meeting.group == group)
    loans = Loan.select(Loan.id).where(Loan.group == group)
    share_outs = CycleShareOut.select(CycleShareOut.id).where(CycleShareOut.cycle.in_(cycles_))
    MemberPhoto.delete().where(MemberPhoto.member.in_(members)).execute()
    for model in (LoanFlag, LoanGuarantor, LoanInstallment):
        model.delete().where(model.loan.in_(loans)).execute()
    ShareOutLine.delete().where(ShareOutLine.share_out.in_(share_outs)).execute()
    MemberExit.delete().where(MemberExit.cycle.in_(cycles_)).execute()
    CashCount.delete().where(CashCount.meeting.in_(meetings_)).execute()
    Attendance.delete().where(Attendance.meeting.in_(meetings_)).execute()
    Entry.update(reverses=None).where(Entry.group == group).execute()
    Entry.delete().where(Entry.group == group).execute()
    Loan.delete().where(Loan.group == group).execute()
    CycleShareOut.delete().where(CycleShareOut.cycle.in_(cycles_)).execute()
    Meeting.delete().where(Meeting.group == group).execute()
    RuleDecision.delete().where(RuleDecision.cycle.in_(cycles_)).execute()
    FineType.delete().where(FineType.cycle.in_(cycles_)).execute()
    Cycle.update(follows=None).where(Cycle.group == group).execute()
    Cycle.delete().where(Cycle.group == group).execute()
    Member.delete().where(Member.group == group).execute()


def reset_practice_group(
    actor: User, group: SavingsGroup, token: int, on: date | None = None
) -> None:
    """Put a practice group back to its starting state: its books deleted and written afresh.

    Only an administrator, or a facilitator assigned to the group, may reset it (a recorder
    practises in it; the trainer decides when to start over). `token` is reset_token() as the
    confirmation page showed it: if anyone wrote in the group since, nothing is done and the
    user is asked to look again, so that a reset never wipes out work they have not seen.
    """
    _check_actor(actor)
    on = on or today()
    with db.atomic():
        group = lock(SavingsGroup, group.id)
        if not group.is_practice:
            raise DomainError(N_("Only a practice group can be reset: real books never are."))
        if actor.role_enum is not Role.ADMIN and not (
            GroupAssignment.select()
            .where((GroupAssignment.user == actor) & (GroupAssignment.group == group))
            .exists()
        ):
            raise DomainError(N_("Only a facilitator of this practice group can reset it."))
        if Rotation.select().where(Rotation.group == group).exists():
            raise DomainError(N_("Only a savings practice group can be reset."))
        # The cycles first (the first lock of every write in a group's books): a write in
        # progress ends before the check below, which then sees it; one that starts later
        # waits, then finds its rows gone and fails whole (nothing of it is kept).
        for (cycle_id,) in Cycle.select(Cycle.id).where(Cycle.group == group).tuples():
            lock(Cycle, cycle_id)
        if reset_token(group) != token:
            raise DomainError(
                N_(
                    "Someone has written in this practice group since you opened the page: "
                    "look at it again, then confirm the reset."
                )
            )
        _delete_books(group)
        group.archived_at = None
        group.save(only=[SavingsGroup.archived_at])
        _fill(actor, group, on)
        audit.record(actor, "practice.reset", group, group=group)
