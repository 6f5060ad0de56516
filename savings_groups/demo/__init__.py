"""The demo organization: realistic books generated in bulk (`savings-groups demo`)."""
