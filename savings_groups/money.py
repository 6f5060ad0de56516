"""The public money functions under their documented name (DESIGN.md); they live in core.money."""

from savings_groups.core.money import currency_digits, round_to_unit, split_largest_remainder

__all__ = ["currency_digits", "round_to_unit", "split_largest_remainder"]
