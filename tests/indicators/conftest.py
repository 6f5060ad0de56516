"""A hand-built organization whose indicators are worked out by hand in the tests."""

from datetime import date

import pytest

from savings_groups.core.vocabulary import EntryKind, Fund, LoanStatus
from savings_groups.ledger import entries as ledger
from savings_groups.store.db import db
from savings_groups.store.models import (
    Attendance,
    Loan,
    LoanInstallment,
    Meeting,
    SavingsGroup,
)

AS_OF = date(2026, 3, 2)  # 56 days, 8 weeks, after the cycle started on 2026-01-05
MEETINGS = [
    date(2026, 1, 5),
    date(2026, 1, 12),
    date(2026, 1, 19),
    date(2026, 1, 26),
    date(2026, 2, 2),
]
# Attendance of m1, m2 (returnees) and m3 (community) at the five meetings.
ATTENDANCE = [
    ("present", "present", "present"),
    ("present", "absent", "present"),
    ("present", "represented", "absent"),
    ("late", "present", "present"),
    ("present", "absent", "represented"),
]


@pytest.fixture
def org(conn, admin, make_group, make_member, make_cycle, make_user):
    """Group A (XOF, facilitated by fatou), group B (NGN, no meeting), a practice group."""
    with db.atomic():
        fatou = make_user("fatou", groups=())
        a = make_group("Group A", country="SN", district="Thiès")
        SavingsGroup.update(facilitator=fatou).where(SavingsGroup.id == a.id).execute()
        a = SavingsGroup.get_by_id(a.id)
        from savings_groups.store.models import GroupAssignment

        GroupAssignment.create(user=fatou, group=a)
        cycle = make_cycle(a, start_date=date(2026, 1, 5))
        m1 = make_member(a, member_type="returnee", gender="female")
        m2 = make_member(a, member_type="returnee", gender="male")
        m3 = make_member(a, member_type="community", gender="female")
        m4 = make_member(a, member_type="community", gender="male", left_on=date(2026, 2, 10))
        meetings = []
        for day, states in zip(MEETINGS, ATTENDANCE, strict=True):
            meeting = Meeting.create(group=a, cycle=cycle, held_on=day, status="closed")
            for member, state in zip((m1, m2, m3), states, strict=True):
                Attendance.create(meeting=meeting, member=member, status=state)
            meetings.append(meeting)

        def post(meeting, fund, kind, amount, member=None, shares=0, loan=None):
            ledger.post(
                admin,
                a,
                fund,
                kind,
                amount,
                cycle=cycle,
                meeting=meeting,
                member=member,
                shares=shares,
                loan=loan,
            )

        L, S = Fund.LOAN_FUND, Fund.SOCIAL_FUND
        for member, shares in ((m1, 2), (m2, 1), (m3, 3), (m4, 1)):
            post(meetings[0], L, EntryKind.SHARE_PURCHASE, shares * 1000, member, shares)
            post(meetings[0], S, EntryKind.SOCIAL_FUND_CONTRIBUTION, 100, member)
        post(meetings[1], L, EntryKind.SHARE_PURCHASE, 2000, m1, 2)
        post(meetings[2], S, EntryKind.WELFARE_GRANT, -150, m3)
        post(meetings[2], L, EntryKind.FINE, 300, m2)
        post(meetings[4], L, EntryKind.GROUP_EXPENSE, -100)

        def loan(member, meeting, principal, due_on, purpose, **fields):
            row = Loan.create(
                group=a,
                cycle=cycle,
                member=member,
                meeting=meeting,
                principal=principal,
                rate="0.10",
                method="flat",
                periods=1,
                frequency="weekly",
                purpose=purpose,
                granted_on=meeting.held_on,
                granted_by=admin,
                **fields,
            )
            LoanInstallment.create(
                loan=row, number=1, due_on=due_on, principal=principal, interest=principal // 10
            )
            post(meeting, L, EntryKind.LOAN_DISBURSEMENT, -principal, member, loan=row)
            return row

        l1 = loan(m1, meetings[1], 4000, date(2026, 1, 26), "business")
        post(meetings[3], L, EntryKind.LOAN_INTEREST, 400, m1, loan=l1)
        l2 = loan(m3, meetings[2], 2000, date(2026, 3, 16), "education")
        post(meetings[4], L, EntryKind.LOAN_PRINCIPAL, 500, m3, loan=l2)
        post(meetings[4], L, EntryKind.LOAN_INTEREST, 200, m3, loan=l2)
        l3 = loan(
            m2,
            meetings[1],
            1000,
            date(2026, 1, 19),
            "health",
            status=LoanStatus.WRITTEN_OFF.value,
            written_off=400,
            closed_on=date(2026, 2, 2),
        )
        post(meetings[3], L, EntryKind.LOAN_PRINCIPAL, 600, m2, loan=l3)

        b = make_group("Group B", currency="NGN", country="NG")
        make_cycle(b, start_date=date(2026, 2, 2))
        make_member(b, member_type="community", gender="female")
        practice = make_group("Practice", country="SN")
        SavingsGroup.update(is_practice=True).where(SavingsGroup.id == practice.id).execute()
        make_cycle(practice, start_date=date(2026, 1, 5))
        make_member(practice)
    return {"a": a, "b": b, "practice": practice, "fatou": fatou}
