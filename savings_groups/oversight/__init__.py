"""Oversight of many groups: the paged groups list with each group's key figures, early warnings."""
