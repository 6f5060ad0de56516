"""The audit log as sentences: one translatable sentence per kind of action, with named
placeholders, and the names of members and accounts looked up in bulk for a whole page.

A sentence is an English msgid and its params: amounts as errors.Amount (shown as money in the
group's currency where the sentence is shown), days as dates, names as text. The page
translates it; an action without a sentence of its own gets the generic one.
"""

from dataclasses import dataclass
from datetime import date

from savings_groups.core.errors import N_, Amount
from savings_groups.core.vocabulary import EntryKind
from savings_groups.store.models import Loan, Member, MemberExit, SavingsGroup, User

GENERIC = N_("%(actor)s: %(action)s")
SOMEONE = N_("Someone")
A_MEMBER = N_("a member")
NO_MEMBER = N_("the group")

SENTENCES = {
    "organization.create": N_("%(actor)s set up the organization %(name)s"),
    "organization.update": N_("%(actor)s changed the organization's details"),
    "user.create": N_("%(actor)s created the account of %(user)s"),
    "user.update": N_("%(actor)s changed the account of %(user)s"),
    "user.set_locale": N_("%(actor)s chose the language of their account"),
    "user.change_password": N_("%(actor)s changed their password"),
    "user.reset_password": N_("%(actor)s reset the password of %(user)s"),
    "user.activate": N_("%(actor)s reactivated the account of %(user)s"),
    "user.deactivate": N_("%(actor)s deactivated the account of %(user)s"),
    "user.unlock": N_("%(actor)s unlocked the account of %(user)s"),
    "group.create": N_("%(actor)s created the group %(group)s"),
    "group.update": N_("%(actor)s changed the details of the group %(group)s"),
    "group.assign": N_("%(actor)s assigned %(user)s to the group %(assigned)s"),
    "group.unassign": N_("%(actor)s removed %(user)s from the group %(assigned)s"),
    "group.archive": N_("%(actor)s archived the group %(group)s"),
    "group.unarchive": N_("%(actor)s took the group %(group)s out of the archive"),
    "entry.reverse": N_("%(actor)s reversed an entry (%(kind)s, %(amount)s) for %(member)s"),
    "entry.correct": N_("%(actor)s corrected an entry (%(kind)s) for %(member)s: now %(amount)s"),
    "meeting.open": N_("%(actor)s opened the meeting of %(date)s"),
    "meeting.save_draft": N_("%(actor)s saved a draft of a meeting"),
    "meeting.close": N_("%(actor)s closed the meeting of %(date)s"),
    "meeting.reopen": N_("%(actor)s reopened the meeting of %(date)s"),
    "cycle.start": N_("%(actor)s started cycle %(number)s"),
    "cycle.update_rules": N_("%(actor)s changed the cycle's rules"),
    "cycle.rule_decision": N_("%(actor)s recorded the group's decision to change its rules"),
    "cycle.opening": N_("%(actor)s entered the opening balances from the paper books"),
    "cycle.share_out": N_("%(actor)s finalised the share-out: %(amount)s paid out to members"),
    "cycle.next": N_("%(actor)s started the next cycle from the share-out"),
    "member.create": N_("%(actor)s added %(member)s to the group"),
    "member.update": N_("%(actor)s changed the details of %(member)s"),
    "member.leave": N_("%(actor)s recorded the departure of %(member)s"),
    "member.exit": N_("%(actor)s settled %(member)s on leaving: %(amount)s paid out"),
    "member.new_card": N_("%(actor)s issued a new card to %(member)s"),
    "member.photo": N_("%(actor)s added a photo of %(member)s"),
    "member.photo_remove": N_("%(actor)s removed the photo of %(member)s"),
    "loan.grant": N_("%(actor)s lent %(amount)s to %(member)s"),
    "loan.repay": N_("%(actor)s recorded a repayment of %(amount)s by %(member)s"),
    "loan.write_off": N_("%(actor)s wrote off %(amount)s of the loan of %(member)s"),
    "loan.reschedule": N_("%(actor)s rescheduled %(amount)s of the loan of %(member)s"),
    "loan.opening": N_("%(actor)s entered the loan of %(member)s from the paper books: %(amount)s"),
}
# Where each action's amount is among its details.
AMOUNTS = {
    "entry.reverse": "amount",
    "entry.correct": "amount",
    "cycle.share_out": "paid_out",
    "member.exit": "payout",
    "loan.grant": "principal",
    "loan.repay": "amount",
    "loan.write_off": "principal",
    "loan.reschedule": "principal",
    "loan.opening": "principal",
}


@dataclass(frozen=True)
class Sentence:
    message: str  # an English msgid
    params: dict  # its values: text, Amount, date; `kind` and `action` are msgids too
    translated: tuple[str, ...] = ()  # the params that are msgids, to translate first


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


class Names:
    """The names a page of the log needs, each kind looked up in one query."""

    def __init__(self, rows):
        member_ids, loan_ids, exit_ids, user_ids, group_ids = set(), set(), set(), set(), set()
        for row in rows:
            entry, details = row.entry, row.details
            kind = entry.object_type
            if isinstance(details.get("member"), int):
                member_ids.add(details["member"])
            if kind == "Member":
                member_ids.add(entry.object_id)
            elif kind == "Loan":
                loan_ids.add(entry.object_id)
            elif kind == "MemberExit":
                exit_ids.add(entry.object_id)
            elif kind == "User":
                user_ids.add(entry.object_id)
            if isinstance(details.get("group"), int):
                group_ids.add(details["group"])
            if row.reversed is not None and row.reversed.member_id:
                member_ids.add(row.reversed.member_id)
        self.loan_members = self._pairs(Loan, loan_ids)
        self.exit_members = self._pairs(MemberExit, exit_ids)
        member_ids |= set(self.loan_members.values()) | set(self.exit_members.values())
        self.members = self._names(Member, Member.full_name, member_ids)
        self.users = self._names(User, User.full_name, user_ids)
        self.groups = self._names(SavingsGroup, SavingsGroup.name, group_ids)

    @staticmethod
    def _pairs(model, ids) -> dict[int, int]:
        # Asked even with no ids, so that every page reads the same number of queries.
        query = model.select(model.id, model.member).where(model.id.in_(sorted(ids)))
        return {row.id: row.member_id for row in query}

    @staticmethod
    def _names(model, column, ids) -> dict[int, str]:
        query = model.select(model.id, column).where(model.id.in_(sorted(ids)))
        return {row.id: getattr(row, column.name) for row in query}


def _member(row, names: Names) -> str | None:
    entry, details = row.entry, row.details
    member_id = details.get("member") if isinstance(details.get("member"), int) else None
    if entry.object_type == "Member":
        member_id = entry.object_id
    elif entry.object_type == "Loan":
        member_id = names.loan_members.get(entry.object_id, member_id)
    elif entry.object_type == "MemberExit":
        member_id = names.exit_members.get(entry.object_id, member_id)
    if row.reversed is not None:
        member_id = row.reversed.member_id
    if member_id is None:
        return None
    return names.members.get(member_id)


def sentence(row, names: Names, action_label: str | None) -> Sentence:
    """The sentence of one row of the log (a TrailRow), its names from `names`."""
    entry, details = row.entry, row.details
    actor = entry.actor.full_name if entry.actor_id else None
    params: dict = {"actor": actor or SOMEONE}
    translated = () if actor else ("actor",)
    message = SENTENCES.get(entry.action)
    if message is None:
        params["action"] = action_label or entry.action
        return Sentence(GENERIC, params, (*translated, "action") if action_label else translated)
    group = entry.group if entry.group_id else None
    currency = group.currency if group is not None else None
    amount_key = AMOUNTS.get(entry.action)
    if amount_key is not None:
        value = details.get(amount_key)
        if not isinstance(value, int) and row.reversed is not None:
            value = row.reversed.amount
        params["amount"] = Amount(abs(int(value or 0)), currency) if currency else value
    if "%(member)s" in message:
        name = _member(row, names) or details.get("full_name")
        if name:
            params["member"] = name
        else:
            params["member"] = A_MEMBER if entry.object_type != "Entry" else NO_MEMBER
            translated += ("member",)
    if "%(kind)s" in message:
        kind = row.reversed.kind if row.reversed is not None else None
        if kind in EntryKind._value2member_map_:
            params["kind"] = EntryKind(kind).label
            translated += ("kind",)
        else:
            params["kind"] = "?"
    if "%(user)s" in message:
        params["user"] = names.users.get(entry.object_id, "?")
    if "%(group)s" in message:
        params["group"] = group.name if group is not None else details.get("name", "?")
    if "%(assigned)s" in message:
        assigned = names.groups.get(details.get("group"))  # else the entry's own group
        params["assigned"] = assigned or (group.name if group is not None else "?")
    if "%(date)s" in message:
        day = _day(details.get("held_on"))
        if day is None:  # an entry written before the day was recorded: the generic sentence
            return Sentence(
                GENERIC,
                {**params, "action": action_label or entry.action},
                (*translated, "action") if action_label else translated,
            )
        params["date"] = day
    if "%(number)s" in message:
        params["number"] = details.get("number", "?")
    if "%(name)s" in message:
        params["name"] = details.get("name", "?")
    return Sentence(message, params, translated)


def sentences(rows, labels: dict[str, str]) -> dict[int, Sentence]:
    """Each row's sentence, by audit entry id (at most five queries for the whole page)."""
    names = Names(rows)
    return {row.entry.id: sentence(row, names, labels.get(row.entry.action)) for row in rows}
