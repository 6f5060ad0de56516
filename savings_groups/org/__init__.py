"""The organization: accounts, roles and access, the audit log, password hashing."""
