"""SAVIX-style indicators for one group, a set of groups or the organization, as of a date."""
