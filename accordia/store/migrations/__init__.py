"""Schema migrations with Alembic: `upgrade(engine)` brings any knowledge base to the newest schema.

The revisions live in `versions/`; the first one is the schema the pre-Alembic `create_all` path made,
so a database that has `schema_info` but no `alembic_version` is stamped at that revision and then
upgraded like any other. The full-text index (SQLite FTS5 table, PostgreSQL GIN expression index) is
not part of `schema.metadata`, because it differs by dialect; `include_object` hides it from
autogenerate and from the schema comparison test.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

__all__ = ["BASELINE", "alembic_config", "current", "head", "include_object", "upgrade"]

MIGRATIONS_DIR = Path(__file__).resolve().parent
# The revision that matches what `metadata.create_all` made before Alembic came in.
BASELINE = "0001"
# Objects owned by the full-text migration rather than by `schema.metadata`.
FTS_OBJECTS = ("documents_fts", "ix_documents_fts", "text_vector")
# Serialises concurrent upgrades of one PostgreSQL database (any constant shared by all processes).
_PG_LOCK = 4242001


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Leave the dialect-specific full-text objects (and FTS5's shadow tables) out of comparisons."""
    return not (name or "").startswith(FTS_OBJECTS)


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic configuration pointing at the bundled revisions, optionally bound to a connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    # Parsing the revision files costs a few milliseconds; every Store.open needs only the head.
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    """The newest revision shipped with this version of Accordia."""
    revision = _scripts().get_current_head()
    assert revision is not None
    return revision


def current(connection: sa.Connection) -> str | None:
    """The revision a database is at (None for an empty database or one made before Alembic)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: sa.Engine, revision: str = "head") -> str | None:
    """Migrate the database to `revision` (newest by default); returns the revision it was at before."""
    if revision == "head":
        # The common case, a database already at head, costs one read and takes no lock.
        with engine.connect() as conn:
            if (at := current(conn)) == head():
                return at
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Two processes opening a new database at once must not both create the tables.
            conn.execute(sa.text(f"SELECT pg_advisory_xact_lock({_PG_LOCK})"))
        elif conn.dialect.name == "sqlite":
            # Python's sqlite3 would run each CREATE outside a transaction; one write-locked transaction
            # makes the upgrade all-or-nothing and makes a second process wait for it.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        before = current(conn)
        if before is None and sa.inspect(conn).has_table("schema_info"):
            # Made by the old create_all path: its tables are exactly the baseline revision's.
            command.stamp(alembic_config(conn), BASELINE)
            before = BASELINE
        command.upgrade(alembic_config(conn), revision)
        return before
