"""Indexes for listings filtered by topic or date alone (agreements, document topics).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the indexes."""
    op.create_index("ix_agreements_date", "agreements", ["date"])
    op.create_index("ix_agreement_topics_topic", "agreement_topics", ["topic"])
    op.create_index("ix_document_topics_topic", "document_topics", ["topic"])


def downgrade() -> None:
    """Drop the indexes."""
    op.drop_index("ix_document_topics_topic", table_name="document_topics")
    op.drop_index("ix_agreement_topics_topic", table_name="agreement_topics")
    op.drop_index("ix_agreements_date", table_name="agreements")
