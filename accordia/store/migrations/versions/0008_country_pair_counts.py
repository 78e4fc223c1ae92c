"""Country-pair counts kept by the database itself, per topic: network and partners read small tables.

`country_pairs` holds, for every ordered pair of country entities (x, y) and every topic (and '' for
"any topic"), how many events and agreements both took part in (among those on that topic).
`country_pair_topics` holds, for the same pairs and filter topics, how many of those events and
agreements were about each topic (`cotopic`). Both are written by triggers on the four link tables
(event_participants, event_topics, agreement_parties, agreement_topics), so they change in the
transaction that changes a link, whichever code path writes it (an ingest, a resolution merge that
links a report to an existing event, a split that moves a participant). The migration fills them from
the rows already stored.

Each trigger counts a new link against the links of the same event already present, leaving out the
new row itself: SQLite fires row triggers AFTER each row (the row is present, and excluded by name),
PostgreSQL fires them BEFORE each row (the rows of the same statement inserted before it are present);
so a pair or topic combination is counted once, when its later half arrives, in either database.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

# (kind column, participants table, topics table, key column, items table)
_KINDS = (("events", "event_participants", "event_topics", "event_id", "events"),
          ("agreements", "agreement_parties", "agreement_topics", "agreement_id", "agreements"))
_COUNTRY = "(SELECT id FROM entities WHERE kind = 'country')"


def _upsert(table: str, keys: str, column: str, select: str, dialect: str) -> str:
    """INSERT the selected (keys..., n) rows, adding n to the `column` of rows already there."""
    other = "agreements" if column == "events" else "events"
    prefix = f"{table}." if dialect == "postgresql" else ""
    # SQLite needs a WHERE in an INSERT ... SELECT ... ON CONFLICT (else ON reads as a join constraint).
    return (f"INSERT INTO {table} ({keys}, {column}, {other}) SELECT *, 0 FROM ({select}) AS counted WHERE true "
            f"ON CONFLICT ({keys}) DO UPDATE SET {column} = {prefix}{column} + excluded.{column}")


def _statements(kind: str, participants: str, topics: str, key: str, row: str, changed: str, sign: int,
                dialect: str) -> list[str]:
    """What one inserted (sign 1) or deleted (sign -1) link row of `changed` does to the two tables."""
    if changed == participants:
        # The pairs the entity makes with the event's other countries, both ways round.
        others = (f"{participants} p CROSS JOIN entities e WHERE p.{key} = {row}.{key} "
                  f"AND p.entity_id <> {row}.entity_id AND e.id = p.entity_id AND e.kind = 'country'")
        pairs = (f"SELECT {row}.entity_id AS x, p.entity_id AS y FROM {others} "
                 f"UNION ALL SELECT p.entity_id, {row}.entity_id FROM {others}")
        filters = f"SELECT topic FROM {topics} WHERE {key} = {row}.{key} UNION ALL SELECT ''"
        combos = (f"SELECT f.topic AS topic, c.topic AS cotopic FROM ({filters}) f "
                  f"CROSS JOIN (SELECT topic FROM {topics} WHERE {key} = {row}.{key}) c")
    else:
        # Every pair of the event's countries gains the topic, as a filter and as a topic.
        # CROSS JOIN keeps SQLite on this order (the event's links, then each entity by key): left to
        # choose, it walked every country entity and probed the event's links for each.
        pairs = (f"SELECT a.entity_id AS x, b.entity_id AS y FROM {participants} a CROSS JOIN entities ea "
                 f"CROSS JOIN {participants} b CROSS JOIN entities eb WHERE a.{key} = {row}.{key} "
                 f"AND ea.id = a.entity_id AND ea.kind = 'country' AND b.{key} = a.{key} "
                 f"AND b.entity_id <> a.entity_id AND eb.id = b.entity_id AND eb.kind = 'country'")
        others = f"SELECT topic FROM {topics} WHERE {key} = {row}.{key} AND topic <> {row}.topic"
        combos = (f"SELECT {row}.topic AS topic, {row}.topic AS cotopic "
                  f"UNION ALL SELECT '', {row}.topic "
                  f"UNION ALL SELECT {row}.topic, o.topic FROM ({others}) o "
                  f"UNION ALL SELECT o.topic, {row}.topic FROM ({others}) o")
        filters = f"SELECT {row}.topic AS topic"
    return [
        _upsert("country_pairs", "topic, x, y", kind,
                f"SELECT f.topic, p.x, p.y, {sign} FROM ({pairs}) p CROSS JOIN ({filters}) f", dialect),
        _upsert("country_pair_topics", "topic, x, y, cotopic", kind,
                f"SELECT k.topic, p.x, p.y, k.cotopic, {sign} FROM ({pairs}) p CROSS JOIN ({combos}) k", dialect),
    ]


def _triggers(dialect: str) -> list[str]:
    """CREATE statements of the triggers (and PostgreSQL trigger functions)."""
    created: list[str] = []
    for kind, participants, topics, key, _items in _KINDS:
        for changed in (participants, topics):
            for operation, row, sign in (("insert", "NEW", 1), ("delete", "OLD", -1)):
                name = f"tr_pairs_{changed}_{operation}"
                body = _statements(kind, participants, topics, key, row, changed, sign, dialect)
                only_countries = (f"(SELECT kind FROM entities WHERE id = {row}.entity_id) = 'country'"
                                  if changed == participants else "true")
                if dialect == "postgresql":
                    created.append(
                        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                        f"IF {only_countries} THEN {'; '.join(body)}; END IF; RETURN {row}; END $$")
                    created.append(f"CREATE TRIGGER {name} BEFORE {operation.upper()} ON {changed} "
                                   f"FOR EACH ROW EXECUTE FUNCTION {name}()")
                else:
                    created.append(f"CREATE TRIGGER {name} AFTER {operation.upper()} ON {changed} "
                                   f"FOR EACH ROW WHEN {only_countries} BEGIN {'; '.join(body)}; END")
    return created


def _backfill() -> list[str]:
    """Count both tables from the link rows already stored (the same numbers the triggers keep)."""
    pair_rows: list[str] = []
    topic_rows: list[str] = []
    for kind, participants, topics, key, items in _KINDS:
        events, agreements = ("1", "0") if kind == "events" else ("0", "1")
        pairs = (f"SELECT a.{key} AS item, a.entity_id AS x, b.entity_id AS y FROM {participants} a "
                 f"JOIN {participants} b ON b.{key} = a.{key} AND b.entity_id <> a.entity_id "
                 f"WHERE a.entity_id IN {_COUNTRY} AND b.entity_id IN {_COUNTRY}")
        filters = f"SELECT {key} AS item, topic FROM {topics} UNION ALL SELECT id, '' FROM {items}"
        pair_rows.append(f"SELECT f.topic, p.x, p.y, {events} AS events, {agreements} AS agreements "
                         f"FROM ({pairs}) p JOIN ({filters}) f ON f.item = p.item")
        topic_rows.append(f"SELECT f.topic, p.x, p.y, c.topic AS cotopic, {events} AS events, "
                          f"{agreements} AS agreements FROM ({pairs}) p JOIN ({filters}) f ON f.item = p.item "
                          f"JOIN {topics} c ON c.{key} = p.item")
    return [
        f"INSERT INTO country_pairs (topic, x, y, events, agreements) SELECT topic, x, y, sum(events), "
        f"sum(agreements) FROM ({' UNION ALL '.join(pair_rows)}) AS counted GROUP BY topic, x, y",
        f"INSERT INTO country_pair_topics (topic, x, y, cotopic, events, agreements) SELECT topic, x, y, "
        f"cotopic, sum(events), sum(agreements) FROM ({' UNION ALL '.join(topic_rows)}) AS counted "
        f"GROUP BY topic, x, y, cotopic",
    ]


def upgrade() -> None:
    """Create the two tables, fill them from the stored links, then add the triggers that keep them."""
    op.create_table(
        "country_pairs",
        sa.Column("topic", sa.String(32), primary_key=True),
        sa.Column("x", sa.Integer, primary_key=True),
        sa.Column("y", sa.Integer, primary_key=True),
        sa.Column("events", sa.Integer, nullable=False),
        sa.Column("agreements", sa.Integer, nullable=False),
    )
    op.create_table(
        "country_pair_topics",
        sa.Column("topic", sa.String(32), primary_key=True),
        sa.Column("x", sa.Integer, primary_key=True),
        sa.Column("y", sa.Integer, primary_key=True),
        sa.Column("cotopic", sa.String(32), primary_key=True),
        sa.Column("events", sa.Integer, nullable=False),
        sa.Column("agreements", sa.Integer, nullable=False),
    )
    dialect = op.get_bind().dialect.name
    for statement in [*_backfill(), *_triggers(dialect)]:
        op.execute(statement)
    # The network is no longer kept as one JSON answer.
    op.execute("DELETE FROM aggregate_state WHERE name IN ('network', 'pairs')")


def downgrade() -> None:
    """Drop the triggers (and functions) and the tables."""
    dialect = op.get_bind().dialect.name
    for _kind, participants, topics, _key, _items in _KINDS:
        for changed in (participants, topics):
            for operation in ("insert", "delete"):
                name = f"tr_pairs_{changed}_{operation}"
                op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {changed}" if dialect == "postgresql" else ""))
                if dialect == "postgresql":
                    op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table("country_pair_topics")
    op.drop_table("country_pairs")
