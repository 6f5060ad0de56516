"""A group's consent to member-level data leaving the app: recorded whole or refused, the latest
decision holds, and SQL filters see the same answer as the one-group check."""

from datetime import date, timedelta

import pytest

from savings_groups.core import dates
from savings_groups.core.errors import Invalid
from savings_groups.core.vocabulary import ConsentScope
from savings_groups.groups import consent
from savings_groups.groups import operations as groups
from savings_groups.groups.operations import GroupDetails
from savings_groups.store.models import AuditEntry, GroupConsent, SavingsGroup

EXPORTS, API, BUNDLES = ConsentScope.MEMBER_EXPORTS, ConsentScope.API, ConsentScope.BUNDLES


@pytest.fixture
def two_groups(conn, admin):
    return [
        groups.create_group(admin, GroupDetails(name, "savings", "XOF"))
        for name in ("Kankan", "Labé")
    ]


def allowed_ids(scope):
    return {
        group.id
        for group in SavingsGroup.select().where(
            SavingsGroup.id.in_(consent.groups_allowing(scope))
        )
    }


def test_without_a_decision_nothing_member_level_may_leave(two_groups):
    kankan, _ = two_groups
    assert consent.current_consent(kankan.id) is None
    assert not consent.allows(kankan.id, EXPORTS)
    assert allowed_ids(EXPORTS) == set()


def test_the_latest_decision_holds_and_a_decision_without_scopes_withdraws(admin, two_groups):
    kankan, labe = two_groups
    day = dates.today()
    consent.record_consent(admin, kankan, {EXPORTS, API}, day, "Members at the meeting, by Awa")
    consent.record_consent(admin, labe, {BUNDLES}, day, "The chair")
    assert consent.allows(kankan.id, EXPORTS) and consent.allows(kankan.id, API)
    assert not consent.allows(kankan.id, BUNDLES)
    assert allowed_ids(EXPORTS) == {kankan.id}
    assert allowed_ids(BUNDLES) == {labe.id}

    consent.record_consent(admin, kankan, set(), day, "Members at the next meeting")
    assert not consent.allows(kankan.id, EXPORTS)
    assert allowed_ids(EXPORTS) == set() and allowed_ids(API) == set()
    assert GroupConsent.select().where(GroupConsent.group == kankan).count() == 2
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.group == kankan)]
    assert actions.count("group.consent") == 2


@pytest.mark.parametrize(
    "given_on, given_by, fields",
    [
        (dates.today() + timedelta(days=1), "Awa", {"given_on"}),
        (date(2020, 1, 1), "  ", {"given_on", "given_by"}),
        (dates.today(), "x" * 201, {"given_by"}),
    ],
)
def test_a_bad_decision_is_refused_whole(admin, two_groups, given_on, given_by, fields):
    kankan, _ = two_groups
    kankan.formed_on = date(2024, 3, 1)
    kankan.save()
    with pytest.raises(Invalid) as refused:
        consent.record_consent(admin, kankan, {EXPORTS}, given_on, given_by)
    assert {error.field for error in refused.value.errors} == fields
    assert GroupConsent.select().count() == 0
