"""PostgreSQL: the full-text vector as a stored generated column with its own GIN index.

Matching, ranking and phrase rechecks read the stored vector instead of recomputing
`to_tsvector` over every matching document, which made searches (and the strategy tracker, one
search per key area) take seconds on a knowledge base of ten thousand reports. SQLite's FTS5
table already stores its index; nothing changes there.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

from accordia.store.search import PG_DOCUMENT_VECTOR_SQL

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add documents.text_vector (generated, stored) and index it; drop the expression index."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE documents ADD COLUMN text_vector tsvector "
               f"GENERATED ALWAYS AS ({PG_DOCUMENT_VECTOR_SQL}) STORED")
    op.execute("CREATE INDEX ix_documents_fts_vector ON documents USING gin (text_vector)")
    op.execute("DROP INDEX IF EXISTS ix_documents_fts")


def downgrade() -> None:
    """Back to the expression index."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE INDEX ix_documents_fts ON documents USING gin (({PG_DOCUMENT_VECTOR_SQL}))")
    op.execute("DROP INDEX IF EXISTS ix_documents_fts_vector")
    op.execute("ALTER TABLE documents DROP COLUMN text_vector")
