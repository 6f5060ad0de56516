"""Creating and editing groups: checked input, the creator's assignment, the audit trail."""

import json

import pytest

from savings_groups import access, groups
from savings_groups.errors import DomainError
from savings_groups.groups import GroupDetails
from savings_groups.models import AuditEntry, Role, SavingsGroup


@pytest.mark.parametrize(
    "details, field",
    [
        (GroupDetails("  ", "savings", "XOF"), "name"),
        (GroupDetails("Kankan", "bank", "XOF"), "kind"),
        (GroupDetails("Kankan", "savings", "XXY"), "currency"),
        (GroupDetails("Kankan", "savings", "GNF", country="ZZ"), "country"),
    ],
)
def test_bad_group_details_are_refused_and_nothing_is_written(conn, admin, details, field):
    with pytest.raises(DomainError) as refused:
        groups.create_group(admin, details)
    assert refused.value.field == field
    assert SavingsGroup.select().count() == 0


def test_a_facilitator_who_creates_a_group_is_assigned_to_it(conn, make_user):
    fatou = make_user("fatou", role=Role.FACILITATOR)
    group = groups.create_group(
        fatou, GroupDetails(" Femmes de Kankan ", "rosca", "gnf", "Kankan", "", "gn")
    )
    assert (group.name, group.kind, group.currency, group.country) == (
        "Femmes de Kankan",
        "rosca",
        "GNF",
        "GN",
    )
    assert [g.id for g in access.visible_groups(fatou)] == [group.id]


def test_an_edit_records_what_changed(conn, admin, make_group):
    group = make_group("Old name", currency="XOF")
    groups.update_group(admin, group, GroupDetails("New name", "savings", "XOF"))
    entry = AuditEntry.select().where(AuditEntry.action == "group.update").get()
    assert json.loads(entry.details) == {"name": ["Old name", "New name"]}
    assert entry.actor_id == admin.id and entry.group_id == group.id
