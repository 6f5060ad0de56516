"""The audit log: every write says who did it, when, and what changed."""

import json

from savings_groups.core.errors import N_
from savings_groups.store.models import AuditEntry

# What each action code means, for the audit log page; a code missing here is shown as it is.
ACTION_LABELS = {
    "organization.create": N_("Organization created"),
    "organization.update": N_("Organization changed"),
    "user.create": N_("Account created"),
    "user.update": N_("Account changed"),
    "user.set_locale": N_("Language chosen"),
    "user.change_password": N_("Password changed"),
    "user.reset_password": N_("Password reset"),
    "user.activate": N_("Account reactivated"),
    "user.deactivate": N_("Account deactivated"),
    "user.unlock": N_("Account unlocked"),
    "group.create": N_("Group created"),
    "group.update": N_("Group changed"),
    "group.assign": N_("Assigned to a group"),
    "group.unassign": N_("Removed from a group"),
    "entry.reverse": N_("Entry reversed"),
    "entry.correct": N_("Entry corrected"),
    "meeting.open": N_("Meeting opened"),
    "meeting.save_draft": N_("Meeting draft saved"),
    "meeting.close": N_("Meeting closed"),
    "meeting.reopen": N_("Meeting reopened"),
    "group.archive": N_("Group archived"),
    "practice.create": N_("Practice group created"),
    "practice.reset": N_("Practice group reset"),
    "group.consent": N_("Group's decision on sharing member data recorded"),
    "indicators.freeze": N_("Quarterly indicators frozen"),
    "member.consent": N_("Member's decision on a record for a lender recorded"),
    "api_token.create": N_("API token created"),
    "api_token.revoke": N_("API token revoked"),
    "group.unarchive": N_("Group taken out of the archive"),
    "cycle.start": N_("Cycle started"),
    "cycle.update_rules": N_("Cycle rules changed"),
    "cycle.rule_decision": N_("Rules changed by a decision of the group"),
    "member.create": N_("Member added"),
    "member.update": N_("Member changed"),
    "member.leave": N_("Member's departure recorded"),
    "member.new_card": N_("Member's card re-issued"),
    "member.photo": N_("Member's photo added"),
    "member.photo_remove": N_("Member's photo removed"),
    "cycle.opening": N_("Opening balances entered from paper books"),
    "loan.grant": N_("Loan granted"),
    "loan.repay": N_("Loan repayment recorded"),
    "loan.write_off": N_("Loan written off"),
    "loan.reschedule": N_("Loan rescheduled"),
    "loan.opening": N_("Loan outstanding from the paper books entered"),
    # share-out
    "cycle.share_out": N_("Share-out finalised and cycle closed"),
    # exits and the next cycle
    "member.exit": N_("Member settled on leaving during the cycle"),
    "cycle.next": N_("Next cycle started from the share-out"),
    # rotations (ROSCA setup)
    "rotation.create": N_("Rotation created"),
    "rotation.hands": N_("Rotation's hands given out"),
    "rotation.order": N_("Rotation's order set"),
    "rotation.start": N_("Rotation started"),
    "rotation.end_rule": N_("Rotation's rule for what stays in the pot changed"),
    "rotation.swap": N_("Two hands swapped their turns"),
    "rotation.end": N_("What stayed in the rotation's pot shared or carried over"),
    # rounds (ROSCA rounds)
    "round.contributions": N_("Round's contributions recorded"),
    "round.pay_out": N_("Round's pot paid out"),
    "round.undo_payout": N_("Round's payout undone by reversal"),
    "rotation.commission": N_("Organiser's commission set"),
    "rotation.repay_debt": N_("Repayment between members recorded"),
    "rotation.undo_repayment": N_("Repayment between members undone"),
    # group bundles
    "bundle.import": N_("Group's books imported from a bundle"),
    "organization.key_import": N_("Organization's key imported"),
}


def record(actor, action: str, obj, group=None, **details) -> AuditEntry:
    """Write one audit entry; call it inside the transaction of the write it describes."""
    return AuditEntry.create(
        actor=actor,
        action=action,
        object_type=type(obj).__name__,
        object_id=obj.id,
        group=group,
        details=json.dumps(details, ensure_ascii=False, sort_keys=True, default=str),
    )


def changes(obj, **new_values) -> dict:
    """Set the new values on obj and return {field: [old, new]} for those that differ."""
    changed = {}
    for name, value in new_values.items():
        old = getattr(obj, name)
        if old != value:
            changed[name] = [old, value]
            setattr(obj, name, value)
    return changed
