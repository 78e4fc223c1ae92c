"""A shingle sketch per document (syndicated-copy candidates) and indexes on aliases.

Both keep the cost of storing one more report flat as the knowledge base grows: copies are
found by comparing sketches instead of reading every text of the week, and organizations by
looking their names and acronyms up instead of scanning every organization, and the few
names pinned by a split are found without reading every alias.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add documents.sketch and the alias index; documents stored before keep a NULL sketch."""
    op.add_column("documents", sa.Column("sketch", sa.JSON()))
    op.create_index("ix_aliases_alias", "aliases", ["alias"])
    op.create_index("ix_aliases_origin", "aliases", ["origin"])


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ix_aliases_origin", table_name="aliases")
    op.drop_index("ix_aliases_alias", table_name="aliases")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("sketch")
