"""Reads across areas: passbooks and the group summary."""
