"""The knowledge-base schema, one SQLAlchemy `MetaData` for SQLite and PostgreSQL alike.

    documents ─┬─ mentions ── entities ── aliases
               │                  └── person_roles (role history)
               ├─ event_sources ── events ── event_participants / event_topics
               ├─ agreement_sources ── agreements ── agreement_parties / agreement_topics
               └─ document_countries / document_topics
    runs ── failures
    aggregate_state (caches of whole-base aggregates; no reader left since event_months, kept for old versions)
    country_pairs / country_pair_sets (pair counts per topic and per topic set, kept by the write path)
    event_months (events per country, topic, month and type, kept by the write path)
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

SCHEMA_VERSION = 1
metadata = MetaData()

schema_info = Table(
    "schema_info", metadata,
    Column("version", Integer, primary_key=True),
)

documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True),
    Column("hash", String(64), nullable=False, unique=True),
    Column("source", Text, nullable=False),
    Column("url", Text),
    Column("title", Text),
    Column("published", Date),
    Column("language", String(8)),
    Column("format", String(16)),
    Column("text", Text, nullable=False),
    Column("record", JSON, nullable=False),
    Column("copy_of", Integer, ForeignKey("documents.id")),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    # The smallest hashed word 4-grams of the text (resolve.sketch): finds syndicated copies
    # without reading every text of the week.
    Column("sketch", JSON),
)
Index("ix_documents_published", documents.c.published)

entities = Table(
    "entities", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # person | organization | country
    Column("key", String(255), nullable=False),
    Column("name", Text, nullable=False),
    Column("country", String(2)),
    Column("attributes", JSON, nullable=False, default=dict),
    UniqueConstraint("kind", "key", name="uq_entities_kind_key"),
)
Index("ix_entities_kind_country", entities.c.kind, entities.c.country)

aliases = Table(
    "aliases", metadata,
    Column("id", Integer, primary_key=True),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("alias", Text, nullable=False),
    Column("origin", String(16), nullable=False, default="extracted"),
    UniqueConstraint("entity_id", "alias", name="uq_aliases_entity_alias"),
)
Index("ix_aliases_alias", aliases.c.alias)
Index("ix_aliases_origin", aliases.c.origin)

mentions = Table(
    "mentions", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("surface", Text, nullable=False),
    Column("role", Text),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("reason", Text),
)
Index("ix_mentions_entity", mentions.c.entity_id)
Index("ix_mentions_document", mentions.c.document_id)

person_roles = Table(
    "person_roles", metadata,
    Column("id", Integer, primary_key=True),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("role", Text, nullable=False),
    Column("country", String(2)),
    Column("organization", Text),
    Column("first_seen", Date),
    Column("last_seen", Date),
    UniqueConstraint("entity_id", "role", "country", name="uq_person_roles"),
)
Index("ix_person_roles_role_country", person_roles.c.role, person_roles.c.country)

# Manual resolution decisions (`accordia split`): `names` (normalised) were detached from
# `source_entity_id` into `entity_id`, and re-ingesting must not merge them back.
resolution_decisions = Table(
    "resolution_decisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("action", String(16), nullable=False),  # split
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("source_entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("names", JSON, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_resolution_decisions_source", resolution_decisions.c.source_entity_id)

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True),
    Column("type", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("date", Date),
    Column("place", Text),
    Column("confidence", Float, nullable=False),
)
Index("ix_events_type_date", events.c.type, events.c.date)
Index("ix_events_date", events.c.date)

event_sources = Table(
    "event_sources", metadata,
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("title", Text),
    Column("evidence", JSON, nullable=False),
    Column("reason", Text),
)
Index("ix_event_sources_document", event_sources.c.document_id)

event_participants = Table(
    "event_participants", metadata,
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
)
Index("ix_event_participants_entity", event_participants.c.entity_id)

event_topics = Table(
    "event_topics", metadata,
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("topic", String(32), primary_key=True),
)
Index("ix_event_topics_topic", event_topics.c.topic)

agreements = Table(
    "agreements", metadata,
    Column("id", Integer, primary_key=True),
    Column("type", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("status", String(16)),
    Column("horizon", String(8)),
    Column("date", Date),
    Column("confidence", Float, nullable=False),
)
Index("ix_agreements_type_date", agreements.c.type, agreements.c.date)
# Listings filtered by date alone, or sorted by date, without a type.
Index("ix_agreements_date", agreements.c.date)

agreement_sources = Table(
    "agreement_sources", metadata,
    Column("agreement_id", Integer, ForeignKey("agreements.id", ondelete="CASCADE"), primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("status", String(16)),
    Column("date", Date),
    Column("evidence", JSON, nullable=False),
)
Index("ix_agreement_sources_document", agreement_sources.c.document_id)

agreement_parties = Table(
    "agreement_parties", metadata,
    Column("agreement_id", Integer, ForeignKey("agreements.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
)
Index("ix_agreement_parties_entity", agreement_parties.c.entity_id)

agreement_topics = Table(
    "agreement_topics", metadata,
    Column("agreement_id", Integer, ForeignKey("agreements.id", ondelete="CASCADE"), primary_key=True),
    Column("topic", String(32), primary_key=True),
)
# `--topic` filters on agreements; the primary key leads with the agreement, so it cannot serve them.
Index("ix_agreement_topics_topic", agreement_topics.c.topic)

document_countries = Table(
    "document_countries", metadata,
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("country", String(2), primary_key=True),
)
Index("ix_document_countries_country", document_countries.c.country)

document_topics = Table(
    "document_topics", metadata,
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("topic", String(32), primary_key=True),
)
Index("ix_document_topics_topic", document_topics.c.topic)

# Whole-knowledge-base aggregates kept between reads (store/aggregates.py), one row each. Each is a cache:
# `payload` (JSON text) is valid for the state its fingerprint names (documents and split decisions stored),
# recomputed from the tables above by the first read that finds the fingerprint changed, and never edited
# by the write path.
aggregate_state = Table(
    "aggregate_state", metadata,
    Column("name", String(32), primary_key=True),
    Column("fingerprint", String(128), nullable=False),
    Column("computed_at", DateTime(timezone=True), nullable=False),
    Column("payload", Text, nullable=False),
)

# Country pairs counted per topic, kept by the write path (accordia/store/pairs.py) in the transaction that
# writes the links, over country entity ids; `topic` '' means any topic.
# country_pairs: events and agreements both countries took part in (among those on `topic`), one row
# per pair (x < y).
country_pairs = Table(
    "country_pairs", metadata,
    Column("topic", String(32), primary_key=True),
    Column("x", Integer, primary_key=True),
    Column("y", Integer, primary_key=True),
    Column("events", Integer, nullable=False),
    Column("agreements", Integer, nullable=False),
    # SQLite: the rows live in their primary key, so a lookup by key reads the counts with it.
    sqlite_with_rowid=False,
)
# country_pair_sets: the same events and agreements by their whole topic set (sorted codes, a JSON
# array), both ways round (read by x).
country_pair_sets = Table(
    "country_pair_sets", metadata,
    Column("x", Integer, primary_key=True),
    Column("y", Integer, primary_key=True),
    Column("topics", String(400), primary_key=True),
    Column("events", Integer, nullable=False),
    Column("agreements", Integer, nullable=False),
    # SQLite: the rows live in their primary key, so a lookup by key reads the counts with it.
    sqlite_with_rowid=False,
)

# Events per month, kept by the write path (accordia/store/activity.py) in the transaction that writes
# them or their links: events of `type` dated in `month` ('YYYY-MM', '' undated) that country entity
# `country` took part in (0 for any country) and that are on `topic` ('' for any topic).
event_months = Table(
    "event_months", metadata,
    Column("country", Integer, primary_key=True),
    Column("topic", String(32), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("type", String(16), primary_key=True),
    Column("events", Integer, nullable=False),
    # SQLite: the rows live in their primary key, so a range read by (country, topic) reads the counts with it.
    sqlite_with_rowid=False,
)

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("inputs", JSON, nullable=False),
    Column("added", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
)

failures = Table(
    "failures", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("source", Text, nullable=False),
    Column("code", String(8), nullable=False),
    Column("reason", Text, nullable=False),
)
Index("ix_failures_run", failures.c.run_id)
