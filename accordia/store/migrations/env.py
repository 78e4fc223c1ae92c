"""Alembic environment: runs migrations on the connection `accordia.store.migrations` hands in.

Run from the command line (`alembic -c alembic.ini revision --autogenerate -m "..."`), it connects to
`ACCORDIA_DATABASE_URL` (or the ini's `sqlalchemy.url`) instead.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import context

from accordia.store.migrations import include_object
from accordia.store.schema import metadata

config = context.config


def _run(connection: sa.Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, include_object=include_object,
                      # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = os.environ.get("ACCORDIA_DATABASE_URL") or config.get_main_option("sqlalchemy.url") \
        or "sqlite:///accordia.db"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
