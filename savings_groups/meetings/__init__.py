"""Meetings: the grid, saving and closing, the summary, and the opening of paper-book groups."""
