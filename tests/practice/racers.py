"""The practice group's racer (see tests/races/racing.py): a reset confirmed from a page
shown just before the race."""

from savings_groups.practice import operations as practice
from savings_groups.store.models import SavingsGroup, User


def reset(actor: int, group: int, on):
    user, found = User.get_by_id(actor), SavingsGroup.get_by_id(group)
    token = practice.reset_token(found)
    return lambda: practice.reset_practice_group(user, found, token, on=on)
