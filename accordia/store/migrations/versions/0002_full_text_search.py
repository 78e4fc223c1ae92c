"""Full-text search on document titles and text.

SQLite: an external-content FTS5 table over `documents`, kept in step by triggers, so a document and its
index entry are written in the same transaction. PostgreSQL: a GIN index on the same `to_tsvector`
expression that `accordia.store.search` queries with `websearch_to_tsquery`.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

from accordia.store.search import FTS5_TOKENIZER, PG_DOCUMENT_VECTOR_SQL

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the full-text index and fill it from the documents already stored."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_documents_fts ON documents USING gin (({PG_DOCUMENT_VECTOR_SQL}))")
        return
    op.execute("CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, content='documents', "
               f"content_rowid='id', tokenize='{FTS5_TOKENIZER}')")
    op.execute("CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN "
               "INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END")
    op.execute("CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN "
               "INSERT INTO documents_fts(documents_fts, rowid, title, text) "
               "VALUES ('delete', old.id, old.title, old.text); END")
    op.execute("CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text ON documents BEGIN "
               "INSERT INTO documents_fts(documents_fts, rowid, title, text) "
               "VALUES ('delete', old.id, old.title, old.text); "
               "INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END")
    op.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")


def downgrade() -> None:
    """Drop the full-text index."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_documents_fts")
        return
    for trigger in ("documents_fts_insert", "documents_fts_delete", "documents_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS documents_fts")
