"""Kept copies of whole-knowledge-base aggregates, recomputed when the knowledge base changes.

The unfiltered network counts every pair of countries over every event and agreement with its topics:
hundreds of thousands of pair-topic rows on ten thousand reports, about a second of GROUP BY on every
read; the summary's pair counts and the unfiltered timeline and topic profile grow the same way. Each
answer is now stored (as JSON text) with the fingerprint of the knowledge base it was computed from, and
reads use it while the fingerprint still matches (store/aggregates.py).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the (empty) cache table; the first read fills it."""
    op.create_table(
        "aggregate_state",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("fingerprint", sa.String(128), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_table("aggregate_state")
