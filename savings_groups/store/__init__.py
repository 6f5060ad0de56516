"""Storage: the peewee models, the database connection, the schema and its migrations."""
