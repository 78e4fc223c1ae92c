"""Events per country, topic, month and type: timelines and topic profiles read a small table.

`event_months` holds, for every country entity (0 for any country), topic ('' for any topic), month
('YYYY-MM', '' for undated events) and event type, how many events fall there. The write path keeps it
(`accordia.store.activity`, through `accordia.store.pairs`) in the transaction that writes the events
and their links; the migration fills it from the rows already stored. The unfiltered timeline and topic
profile were kept as JSON answers in `aggregate_state`; those copies are dropped.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accordia.store import activity

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the table and fill it from the stored events."""
    op.create_table(
        "event_months",
        sa.Column("country", sa.Integer, primary_key=True),
        sa.Column("topic", sa.String(32), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("type", sa.String(16), primary_key=True),
        sa.Column("events", sa.Integer, nullable=False),
        sqlite_with_rowid=False,
    )
    activity.write_all(op.get_bind())
    op.execute("DELETE FROM aggregate_state WHERE name LIKE 'periods:%'")


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("event_months")
