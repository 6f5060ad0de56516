"""Backups of the database and restoring one: SQLite copies made with SQLite's online backup API
(files.py), the automatic ones (automatic.py), and pg_dump / pg_restore on PostgreSQL
(postgres.py)."""
