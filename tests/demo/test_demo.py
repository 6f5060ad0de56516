"""The demo organization: its books keep every invariant the app relies on, its pages open, and
the same seed gives the same rows."""

from datetime import date

import pytest
from peewee import fn

from savings_groups.core.vocabulary import GroupKind, LoanStatus, MeetingStatus
from savings_groups.demo.generate import Actors, Options, facilitator_users, generate
from savings_groups.demo.operations import HasGroups, load
from savings_groups.demo.rows import Rows
from savings_groups.reports import integrity
from savings_groups.store.db import db
from savings_groups.store.models import (
    Cycle,
    CycleShareOut,
    Entry,
    Loan,
    Meeting,
    Member,
    MemberExit,
    Rotation,
    SavingsGroup,
    User,
)
from tests.demo.invariants import differences

OPTIONS = Options(groups=6, years=2, seed=7, end=date(2026, 11, 30))


@pytest.fixture
def demo(conn, admin, policy):
    return load(OPTIONS, policy)


def test_the_books_keep_every_invariant(demo):
    assert differences() == []


def test_the_check_of_the_books_finds_nothing_to_report(demo):
    """The app's own integrity check (savings-groups check) over everything the demo wrote."""
    result = integrity.run()
    assert result.differences == []
    assert (result.groups, result.entries) == (6, demo.counts["Entry"])


def test_the_demo_has_what_a_new_user_should_see(demo):
    assert SavingsGroup.select().count() == 6
    assert SavingsGroup.select().where(SavingsGroup.kind == GroupKind.ROSCA.value).count() == 1
    assert {g.currency for g in SavingsGroup.select()} <= {"XOF", "NGN", "BDT"}
    sizes = [Member.select().where(Member.group == g).count() for g in SavingsGroup.select()]
    assert all(15 <= size <= 30 for size in sizes)
    assert CycleShareOut.select().count() >= 3
    assert Cycle.select().where(Cycle.follows.is_null(False)).count() >= 3
    assert Meeting.select().where(Meeting.status == MeetingStatus.DRAFT.value).count() == 1
    statuses = {row.status for row in Loan.select(Loan.status).distinct()}
    assert statuses == {s.value for s in LoanStatus}
    assert {row.method for row in Loan.select(Loan.method).distinct()} >= {
        "flat",
        "declining_equal_installment",
    }
    assert MemberExit.select().count() >= 1
    assert Rotation.select().where(Rotation.finished_at.is_null(False)).count() >= 1
    assert demo.counts["Entry"] == Entry.select().count()
    # the facilitators see their groups
    facilitator = User.get(User.username == "facilitator1")
    assert SavingsGroup.select().where(SavingsGroup.facilitator == facilitator).count() == 6


def test_a_database_with_groups_is_refused_unless_added_to(demo, policy):
    before = Entry.select().count()
    with pytest.raises(HasGroups):
        load(OPTIONS, policy)
    assert Entry.select().count() == before
    load(Options(groups=2, years=1, seed=8, end=OPTIONS.end), policy, add=True)
    assert SavingsGroup.select().count() == 8
    assert differences() == []


def _rows(seed):
    rows = Rows({})
    options = Options(groups=4, years=2, seed=seed, end=OPTIONS.end)
    generate(options, rows, Actors(1, facilitator_users(options, rows, {}, "hash", 1)))
    return rows.rows


def test_the_same_seed_gives_the_same_rows():
    first, second = _rows(3), _rows(3)
    assert first.keys() == second.keys()
    for model in first:
        assert first[model] == second[model], model.__name__
    assert _rows(4)[Entry] != first[Entry]


def test_the_pages_open(demo, web, client):
    web.login("admin")
    with db.connection_context():
        groups = list(SavingsGroup.select().order_by(SavingsGroup.id))
        pages = []
        for group in groups:
            base = f"/groups/{group.id}"
            pages.append(base)
            member = Member.select().where(Member.group == group).order_by(Member.id).first()
            pages.append(f"{base}/members/{member.id}/passbook")
            if group.kind == GroupKind.ROSCA.value:
                pages.append(f"{base}/rotations")
                for rotation in Rotation.select().where(Rotation.group == group):
                    pages.append(f"{base}/rotations/{rotation.id}")
            else:
                pages += [f"{base}/loans", f"{base}/share-out", f"{base}/meetings"]
                cycle = Cycle.select().where(Cycle.group == group).order_by(Cycle.number).first()
                if cycle.closed_at is not None:
                    pages.append(f"{base}/share-out?cycle={cycle.id}")
                last = (
                    Meeting.select()
                    .where(Meeting.group == group)
                    .order_by(Meeting.held_on.desc())
                    .first()
                )
                pages.append(f"{base}/meetings/{last.id}")
                pages.append(f"{base}/meetings/{last.id}/summary")
                loan = Loan.select().where(Loan.group == group).first()
                pages.append(f"{base}/loans/{loan.id}")
        assert Meeting.select(fn.COUNT(Meeting.id)).scalar() > 100
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
