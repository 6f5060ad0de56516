"""Cycles and the rules a group votes for each one."""
