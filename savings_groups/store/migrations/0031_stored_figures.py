"""Each group's figures stored as of a day (stored_figures) and kept exact by a version of its
books (books_version) that the database raises itself, with a trigger on every table the
indicators and the oversight figures read (issues 12 and 14: the dashboard at 1,000 groups).

Triggers, not the app's writers, raise the version: the demo loader, a bundle import and a
restore write rows directly, and a forgotten writer would show wrong figures without a sound.
On PostgreSQL the triggers are deferred to the commit (constraint triggers), so that a write
holds its group's version row only while it commits, never while it waits for another lock
(two writes of one group then queue for it in turn; neither can hold what the other waits for).
"""

from peewee import PostgresqlDatabase

# Each watched table, and how its row's group is found ({r} is the row: NEW, OLD or r).
WATCHED = {
    "savings_group": "{r}.id",
    "member": "{r}.group_id",
    "cycle": "{r}.group_id",
    "meeting": "{r}.group_id",
    "attendance": "(SELECT group_id FROM meeting WHERE id = {r}.meeting_id)",
    "cash_count": "(SELECT group_id FROM meeting WHERE id = {r}.meeting_id)",
    "entry": "{r}.group_id",
    "loan": "{r}.group_id",
    "loan_installment": "(SELECT group_id FROM loan WHERE id = {r}.loan_id)",
    "rotation": "{r}.group_id",
    "hand": "(SELECT group_id FROM rotation WHERE id = {r}.rotation_id)",
    "hand_holder": "(SELECT group_id FROM member WHERE id = {r}.member_id)",
    "round": "(SELECT group_id FROM rotation WHERE id = {r}.rotation_id)",
    "contribution": "(SELECT group_id FROM member WHERE id = {r}.member_id)",
}
EVENTS = {"insert": "NEW", "update": "NEW", "delete": "OLD"}
RAISE = (
    "INSERT INTO books_version (group_id, version) SELECT {group}, 1 WHERE {group} IS NOT NULL"
    " ON CONFLICT (group_id) DO UPDATE SET version = books_version.version + 1"
)


def _tables(db):
    from peewee import BigIntegerField, CharField, CompositeKey, DateField, Model, TextField

    class BooksVersion(Model):
        group_id = BigIntegerField(primary_key=True)
        version = BigIntegerField(default=0)

        class Meta:
            database = db
            table_name = "books_version"

    class StoredFigures(Model):
        group_id = BigIntegerField()
        kind = CharField(max_length=20)
        as_of = DateField()
        version = BigIntegerField()
        figures = TextField()

        class Meta:
            database = db
            table_name = "stored_figures"
            primary_key = CompositeKey("group_id", "kind", "as_of")

    return BooksVersion, StoredFigures


def statements(db) -> list[str]:
    """The SQL that makes the triggers, for this database."""
    if isinstance(db, PostgresqlDatabase):
        made = []
        for table, group in WATCHED.items():
            raise_ = RAISE.format(group=group.format(r="r"))
            made += [
                f"""CREATE FUNCTION books_version_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE r record;
                BEGIN
                    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
                    {raise_};
                    RETURN NULL;
                END $$""",
                f"""CREATE CONSTRAINT TRIGGER books_version_{table}
                AFTER INSERT OR UPDATE OR DELETE ON "{table}" DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW EXECUTE FUNCTION books_version_{table}()""",
            ]
        return made
    return [
        f"""CREATE TRIGGER books_version_{table}_{event} AFTER {event.upper()} ON "{table}"
        BEGIN {RAISE.format(group=group.format(r=row))}; END"""
        for table, group in WATCHED.items()
        for event, row in EVENTS.items()
    ]


def up(migrator, db):
    db.create_tables(_tables(db))
    for sql in statements(db):
        db.execute_sql(sql)


def down(migrator, db):
    for table in WATCHED:
        if isinstance(db, PostgresqlDatabase):
            db.execute_sql(f'DROP TRIGGER IF EXISTS books_version_{table} ON "{table}"')
            db.execute_sql(f"DROP FUNCTION IF EXISTS books_version_{table}()")
        else:
            for event in EVENTS:
                db.execute_sql(f"DROP TRIGGER IF EXISTS books_version_{table}_{event}")
    db.drop_tables(_tables(db))
