"""Country-pair counts per topic and per topic set: network and partners read small tables.

`country_pairs` holds, for every ordered pair of country entities (x, y) and every topic (and '' for
"any topic"), how many events and agreements both took part in (among those on that topic).
`country_pair_sets` holds the same events and agreements of each pair grouped by their whole topic
set, from which a pair's co-topic counts under any filter topic are summed. The write path keeps both
(`accordia.store.pairs`) in the transaction that changes the links; the migration fills them from the
rows already stored.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accordia.store import pairs

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the two tables and fill them from the stored links."""
    op.create_table(
        "country_pairs",
        sa.Column("topic", sa.String(32), primary_key=True),
        sa.Column("x", sa.Integer, primary_key=True),
        sa.Column("y", sa.Integer, primary_key=True),
        sa.Column("events", sa.Integer, nullable=False),
        sa.Column("agreements", sa.Integer, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "country_pair_sets",
        sa.Column("x", sa.Integer, primary_key=True),
        sa.Column("y", sa.Integer, primary_key=True),
        sa.Column("topics", sa.String(400), primary_key=True),
        sa.Column("events", sa.Integer, nullable=False),
        sa.Column("agreements", sa.Integer, nullable=False),
        sqlite_with_rowid=False,
    )
    pairs.write_all(op.get_bind())
    # The network is no longer kept as one JSON answer.
    op.execute("DELETE FROM aggregate_state WHERE name IN ('network', 'pairs')")


def downgrade() -> None:
    """Drop the tables."""
    op.drop_table("country_pair_sets")
    op.drop_table("country_pairs")
