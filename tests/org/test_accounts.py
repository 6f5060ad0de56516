"""Accounts: first run, creating users, lockout, passwords, deactivation."""

from datetime import timedelta

import pytest

from savings_groups.core.dates import utcnow
from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import Role
from savings_groups.org import accounts, passwords
from savings_groups.org.accounts import LoginPolicy, LoginRefused
from savings_groups.store.models import AuditEntry, LoginThrottle, Organization, User
from tests.conftest import PASSWORD


def test_setup_creates_the_organization_and_an_administrator(conn, policy):
    assert accounts.needs_setup()
    admin = accounts.setup("Programme Retour", "Awa", "Awa Diallo", PASSWORD, "fr", policy)
    assert admin.username == "awa"
    assert admin.role == Role.ADMIN
    assert Organization.get().name == "Programme Retour"
    assert Organization.get().default_locale == "fr"
    assert not accounts.needs_setup()
    assert admin.password_hash.startswith("$argon2id$")
    assert PASSWORD not in admin.password_hash
    assert {e.action for e in AuditEntry.select()} == {"user.create", "organization.create"}


def test_setup_runs_only_once(conn, admin, policy):
    with pytest.raises(DomainError):
        accounts.setup("Another", "eve", "Eve", PASSWORD, "en", policy)
    assert User.select().count() == 1
    assert Organization.select().count() == 1


@pytest.mark.parametrize(
    "username, password, field",
    [
        ("ab cd", PASSWORD, "username"),
        ("x", PASSWORD, "username"),
        ("-dash", PASSWORD, "username"),
        ("good", "short", "password"),
        ("ADMIN", PASSWORD, "username"),  # the same as "admin": usernames ignore case
    ],
)
def test_bad_accounts_are_refused_and_nothing_is_written(
    conn, admin, policy, username, password, field
):
    users, entries = User.select().count(), AuditEntry.select().count()
    with pytest.raises(DomainError) as refused:
        accounts.create_user(admin, username, "Some One", Role.RECORDER, password, None, policy)
    assert refused.value.field == field
    assert (User.select().count(), AuditEntry.select().count()) == (users, entries)


def test_an_unknown_role_is_refused(conn, admin, policy):
    with pytest.raises(DomainError) as refused:
        accounts.create_user(admin, "bob", "Bob", "superuser", PASSWORD, None, policy)
    assert refused.value.field == "role"


def test_create_user_assigns_groups_and_audits_in_one_transaction(conn, admin, policy, make_group):
    group = make_group()
    with pytest.raises(DomainError):
        accounts.create_user(
            admin, "bob", "Bob", Role.RECORDER, PASSWORD, None, policy, group_ids=[group.id, 999]
        )
    assert not User.select().where(User.username == "bob").exists()
    bob = accounts.create_user(
        admin, "bob", "Bob", Role.RECORDER, PASSWORD, None, policy, group_ids=[group.id]
    )
    assert [a.group_id for a in bob.assignments] == [group.id]
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.object_id == bob.id)]
    assert "user.create" in actions and "group.assign" in actions


def test_authenticate_with_the_right_password(conn, admin, policy):
    user = accounts.authenticate("ADMIN ", PASSWORD, policy)
    assert user.id == admin.id
    assert User.get_by_id(admin.id).last_login_at is not None


def test_unknown_user_and_wrong_password_get_the_same_message(conn, admin, policy):
    with pytest.raises(LoginRefused) as wrong:
        accounts.authenticate("admin", "wrong password", policy)
    with pytest.raises(LoginRefused) as unknown:
        accounts.authenticate("nobody", "wrong password", policy)
    assert wrong.value.message == unknown.value.message == accounts.BAD_LOGIN


def test_lock_grows_with_each_failure():
    policy = LoginPolicy(lockout_threshold=5, lockout_base_seconds=60, lockout_max_seconds=3600)
    assert [policy.lock_seconds(n) for n in range(1, 12)] == [
        0,
        0,
        0,
        0,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]


@pytest.mark.parametrize("username", ["admin", "nobody"])
def test_repeated_failures_lock_the_username_in_the_database(conn, admin, policy, username):
    now = utcnow()
    for _ in range(policy.lockout_threshold):
        with pytest.raises(LoginRefused):
            accounts.authenticate(username, "wrong password", policy, now=now)
    throttle = LoginThrottle.get(LoginThrottle.username == username)
    assert throttle.failures == policy.lockout_threshold
    assert throttle.locked_until == now + timedelta(seconds=policy.lockout_base_seconds)
    # While locked, even the right password is refused, with a message that says how long;
    # a known and an unknown username are locked alike.
    with pytest.raises(LoginRefused) as locked:
        accounts.authenticate(username, PASSWORD, policy, now=now + timedelta(seconds=10))
    assert locked.value.params == {"minutes": 1}
    # The lock is over: the right password works and the count starts again.
    if username == "admin":
        later = now + timedelta(seconds=policy.lockout_base_seconds + 1)
        assert accounts.authenticate(username, PASSWORD, policy, now=later).id == admin.id
        assert not LoginThrottle.select().where(LoginThrottle.username == username).exists()


def test_a_failure_after_the_lock_doubles_it(conn, admin, policy):
    now = utcnow()
    for _ in range(policy.lockout_threshold):
        with pytest.raises(LoginRefused):
            accounts.authenticate("admin", "wrong", policy, now=now)
    after = now + timedelta(seconds=policy.lockout_base_seconds + 1)
    with pytest.raises(LoginRefused):
        accounts.authenticate("admin", "wrong", policy, now=after)
    throttle = LoginThrottle.get(LoginThrottle.username == "admin")
    assert throttle.locked_until == after + timedelta(seconds=2 * policy.lockout_base_seconds)


def test_a_deactivated_account_cannot_log_in(conn, admin, policy, make_user):
    bob = make_user("bob")
    accounts.set_active(admin, bob, False)
    with pytest.raises(LoginRefused) as refused:
        accounts.authenticate("bob", PASSWORD, policy)
    assert refused.value.message == accounts.BAD_LOGIN
    assert User.get_by_id(bob.id).is_active is False  # kept, never deleted


def test_deactivation_changes_the_session_token(conn, admin, make_user):
    bob = make_user("bob")
    token = bob.session_token
    accounts.set_active(admin, bob, False)
    assert User.get_by_id(bob.id).session_token != token


def test_the_last_administrator_cannot_be_removed(conn, admin, make_user):
    with pytest.raises(DomainError):
        accounts.set_active(admin, admin, False)
    with pytest.raises(DomainError):
        accounts.update_user(admin, admin, "Awa", Role.VIEWER, None)
    assert User.get_by_id(admin.id).role == Role.ADMIN
    other = make_user("other", role=Role.ADMIN)
    accounts.update_user(other, admin, "Awa", Role.FACILITATOR, None)
    assert User.get_by_id(admin.id).role == Role.FACILITATOR


def test_reset_password_forces_a_change_and_clears_the_lock(conn, admin, policy, make_user):
    bob = make_user("bob")
    for _ in range(policy.lockout_threshold):
        with pytest.raises(LoginRefused):
            accounts.authenticate("bob", "wrong", policy)
    accounts.reset_password(admin, bob, "temporary password", policy)
    user = accounts.authenticate("bob", "temporary password", policy)
    assert user.must_change_password
    with pytest.raises(DomainError) as same:
        accounts.change_own_password(user, "temporary password", "temporary password", policy)
    assert same.value.field == "password"
    with pytest.raises(DomainError) as wrong:
        accounts.change_own_password(user, "not it at all", "a brand new secret", policy)
    assert wrong.value.field == "current_password"
    accounts.change_own_password(user, "temporary password", "a brand new secret", policy)
    assert not User.get_by_id(bob.id).must_change_password
    assert accounts.authenticate("bob", "a brand new secret", policy).id == bob.id


def test_a_weaker_old_hash_is_upgraded_at_login(conn, admin, policy, app):
    passwords.configure(1, 1024, 1)
    weak = passwords.hash_password("old password 123")
    User.update(password_hash=weak).where(User.id == admin.id).execute()
    passwords.configure(2, 2048, 1)
    try:
        accounts.authenticate("admin", "old password 123", policy)
        upgraded = User.get_by_id(admin.id).password_hash
        assert upgraded != weak and "m=2048,t=2" in upgraded
    finally:
        passwords.configure(
            app.config["ARGON2_TIME_COST"],
            app.config["ARGON2_MEMORY_COST"],
            app.config["ARGON2_PARALLELISM"],
        )


def test_assign_groups_sets_exactly_the_list(conn, admin, make_user, make_group):
    first, second, third = make_group(), make_group(), make_group()
    bob = make_user("bob", groups=[first, second])
    accounts.assign_groups(admin, bob, [second.id, third.id])
    assert sorted(a.group_id for a in bob.assignments) == [second.id, third.id]
    actions = [
        (e.action, e.group_id)
        for e in AuditEntry.select().where(AuditEntry.action.startswith("group."))
    ]
    assert ("group.unassign", first.id) in actions and ("group.assign", third.id) in actions
