"""The initial schema: exactly what `metadata.create_all` made before Alembic came in.

Generated with `alembic revision --autogenerate` from `accordia/store/schema.py` at that time.

Revision ID: 0001
Revises: -
Create Date: 2026-11-23 11:28:39.387118
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Bring the schema forward."""
    op.create_table('agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.Column('horizon', sa.String(length=8), nullable=True),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_agreements_type_date', 'agreements', ['type', 'date'])

    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('published', sa.Date(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('format', sa.String(length=16), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('record', sa.JSON(), nullable=False),
    sa.Column('copy_of', sa.Integer(), nullable=True),
    sa.Column('ingested_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['copy_of'], ['documents.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hash')
    )
    op.create_index('ix_documents_published', 'documents', ['published'])

    op.create_table('entities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'key', name='uq_entities_kind_key')
    )
    op.create_index('ix_entities_kind_country', 'entities', ['kind', 'country'])

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('place', sa.Text(), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_events_date', 'events', ['date'])
    op.create_index('ix_events_type_date', 'events', ['type', 'date'])

    op.create_table('runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('inputs', sa.JSON(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    schema_info = op.create_table('schema_info',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('version')
    )
    # Kept for tools that read it; Alembic's own table is what counts now.
    op.bulk_insert(schema_info, [{'version': 1}])
    op.create_table('agreement_parties',
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agreement_id', 'entity_id')
    )
    op.create_index('ix_agreement_parties_entity', 'agreement_parties', ['entity_id'])

    op.create_table('agreement_sources',
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agreement_id', 'document_id')
    )
    op.create_index('ix_agreement_sources_document', 'agreement_sources', ['document_id'])

    op.create_table('agreement_topics',
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agreement_id', 'topic')
    )
    op.create_table('aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('alias', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entity_id', 'alias', name='uq_aliases_entity_alias')
    )
    op.create_table('document_countries',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'country')
    )
    op.create_index('ix_document_countries_country', 'document_countries', ['country'])

    op.create_table('document_topics',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'topic')
    )
    op.create_table('event_participants',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'entity_id')
    )
    op.create_index('ix_event_participants_entity', 'event_participants', ['entity_id'])

    op.create_table('event_sources',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'document_id')
    )
    op.create_index('ix_event_sources_document', 'event_sources', ['document_id'])

    op.create_table('event_topics',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'topic')
    )
    op.create_index('ix_event_topics_topic', 'event_topics', ['topic'])

    op.create_table('failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_failures_run', 'failures', ['run_id'])

    op.create_table('mentions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('surface', sa.Text(), nullable=False),
    sa.Column('role', sa.Text(), nullable=True),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_mentions_document', 'mentions', ['document_id'])
    op.create_index('ix_mentions_entity', 'mentions', ['entity_id'])

    op.create_table('person_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Text(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('organization', sa.Text(), nullable=True),
    sa.Column('first_seen', sa.Date(), nullable=True),
    sa.Column('last_seen', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entity_id', 'role', 'country', name='uq_person_roles')
    )
    op.create_index('ix_person_roles_role_country', 'person_roles', ['role', 'country'])



def downgrade() -> None:
    """Take the schema back."""
    op.drop_index('ix_person_roles_role_country', table_name='person_roles')

    op.drop_table('person_roles')
    op.drop_index('ix_mentions_entity', table_name='mentions')
    op.drop_index('ix_mentions_document', table_name='mentions')

    op.drop_table('mentions')
    op.drop_index('ix_failures_run', table_name='failures')

    op.drop_table('failures')
    op.drop_index('ix_event_topics_topic', table_name='event_topics')

    op.drop_table('event_topics')
    op.drop_index('ix_event_sources_document', table_name='event_sources')

    op.drop_table('event_sources')
    op.drop_index('ix_event_participants_entity', table_name='event_participants')

    op.drop_table('event_participants')
    op.drop_table('document_topics')
    op.drop_index('ix_document_countries_country', table_name='document_countries')

    op.drop_table('document_countries')
    op.drop_table('aliases')
    op.drop_table('agreement_topics')
    op.drop_index('ix_agreement_sources_document', table_name='agreement_sources')

    op.drop_table('agreement_sources')
    op.drop_index('ix_agreement_parties_entity', table_name='agreement_parties')

    op.drop_table('agreement_parties')
    op.drop_table('schema_info')
    op.drop_table('runs')
    op.drop_index('ix_events_type_date', table_name='events')
    op.drop_index('ix_events_date', table_name='events')

    op.drop_table('events')
    op.drop_index('ix_entities_kind_country', table_name='entities')

    op.drop_table('entities')
    op.drop_index('ix_documents_published', table_name='documents')

    op.drop_table('documents')
    op.drop_index('ix_agreements_type_date', table_name='agreements')

    op.drop_table('agreements')
