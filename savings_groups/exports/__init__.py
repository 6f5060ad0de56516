"""Files the organization takes away: the indicator table, a group's ledger, member lists, as CSV
and XLSX. Member-level files only for groups that consented (groups.consent)."""
