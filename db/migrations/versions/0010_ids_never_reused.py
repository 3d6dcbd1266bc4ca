"""IDs are never reused on SQLite either: the tables whose rows have global IDs get
AUTOINCREMENT, so a row created after a deletion never takes the deleted row's ID (Apollo
Client's cache keys objects by `__typename:id`). PostgreSQL's sequences never reuse a value.

As in 0005, the declaration changes in place (https://www.sqlite.org/lang_altertable.html,
"writable_schema") rather than by a rebuild that would recreate the indexes in another order:
`PRIMARY KEY (id)` on an INTEGER column and `id INTEGER PRIMARY KEY AUTOINCREMENT` both make `id`
the rowid, so the stored table is the same; AUTOINCREMENT only makes SQLite keep each table's
largest ID in sqlite_sequence (which a throwaway AUTOINCREMENT table creates), seeded here with
the largest ID each table holds. IDs deleted before this migration ran above the largest remaining
one are not known, so they can still come back once.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("organizations", "api_keys", "workflows", "telephony_configs", "phone_numbers", "inbound_calls", "audit_events")
ID_COLUMN = "\tid INTEGER NOT NULL, \n"


def _id_column_key(table: str) -> str:
    return f"\tid INTEGER NOT NULL CONSTRAINT pk_{table} PRIMARY KEY AUTOINCREMENT, \n"


def _table_key(table: str) -> str:
    return f"\tCONSTRAINT pk_{table} PRIMARY KEY (id)"


def _checked_replace(sql: str, table: str, old: str, new: str) -> str:
    if old not in sql:
        raise RuntimeError(f"{table}: its declaration is not one this migration knows")
    return sql.replace(old, new, 1)


def with_autoincrement(sql: str, table: str) -> str:
    """The earlier migrations declare the key as the table's first constraint, which AUTOINCREMENT
    cannot follow: it moves onto the column."""
    key = _table_key(table)
    sql = _checked_replace(sql, table, ID_COLUMN, _id_column_key(table))
    if f", \n{key}\n)" in sql:
        return sql.replace(f", \n{key}\n)", "\n)")
    return _checked_replace(sql, table, f"{key}, \n", "")


def without_autoincrement(sql: str, table: str) -> str:
    key = _table_key(table)
    sql = _checked_replace(sql, table, _id_column_key(table), ID_COLUMN)
    if "\tCONSTRAINT " in sql:
        return sql.replace("\tCONSTRAINT ", f"{key}, \n\tCONSTRAINT ", 1)
    return _checked_replace(sql, table, "\n)", f", \n{key}\n)")


def _redeclare(autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if autoincrement:
        bind.exec_driver_sql("CREATE TABLE switchboard_sequence_seed (id INTEGER PRIMARY KEY AUTOINCREMENT)")
        bind.exec_driver_sql("DROP TABLE switchboard_sequence_seed")
    declarations = {
        table: bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar_one()
        for table in TABLES
    }
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    redeclare = with_autoincrement if autoincrement else without_autoincrement
    for table, sql in declarations.items():
        bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (redeclare(sql, table), table))
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    if autoincrement:
        # From now on: the largest ID each table holds is the largest it ever gives out again.
        for table in TABLES:
            bind.exec_driver_sql(
                f"INSERT INTO sqlite_sequence (name, seq) SELECT '{table}', MAX(id) FROM {table} HAVING MAX(id) IS NOT NULL"
            )
    else:
        bind.exec_driver_sql("DELETE FROM sqlite_sequence")


def upgrade() -> None:
    _redeclare(autoincrement=True)


def downgrade() -> None:
    _redeclare(autoincrement=False)
