"""Events per month, type, country and topic, kept by the write path: timelines and topic profiles
read a small table instead of every matching event.

`event_months` (country, topic, month, type) -> events: events of `type` dated in `month` ('YYYY-MM',
'' when undated) that country entity `country` took part in (0: any country, so every event counts
there, with or without countries) and that are on `topic` ('' for any topic). A timeline or a topic
profile reads one (country, topic) range of its primary key: a few hundred rows however many events
there are.

An event with countries C, topics T, type y and month m adds 1 to (c, f, m, y) for every c in C and 0
and every f in T and ''. An event's type and date never change once written, so only its countries
and topics move its counts: `pairs.apply` and `pairs.recounting`, which already follow every link
change, hand the events' old and new countries and topics to `changed`, and `write` sends the sum as
one upsert. `count_all` counts the table from scratch (the migration's backfill and the tests'
reference).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from accordia.store import schema as t

__all__ = ["ANY_COUNTRY", "Deltas", "Event", "changed", "count", "count_all", "events_of", "month_of", "write",
           "write_all"]

# The `country` of rows counting every event, whatever its countries (entity ids start at 1).
ANY_COUNTRY = 0

# An event as the counts see it: its country entity ids, its topics, its month and its type.
Event = tuple[frozenset[int], frozenset[str], str, str]
# Changes being summed: (country, topic, month, type) -> events.
Deltas = dict[tuple[int, str, str, str], int]


def month_of(day: date | str | None) -> str:
    """The `month` of an event dated `day`: 'YYYY-MM', or '' without a date."""
    if day is None:
        return ""
    if isinstance(day, str):  # a date as SQLite stores it, read without SQLAlchemy's conversion
        return day[:7]
    return f"{day.year:04d}-{day.month:02d}"


def count(deltas: Deltas, event: Event, sign: int) -> None:
    """Add (sign 1) or take away (-1) one event's counts."""
    countries, topics, month, kind = event
    for country in (ANY_COUNTRY, *countries):
        for topic in ("", *topics):
            slot = (country, topic, month, kind)
            deltas[slot] = deltas.get(slot, 0) + sign


def changed(deltas: Deltas, old: Mapping[int, Event | None], new: Mapping[int, Event | None]) -> None:
    """Add to `deltas` the change from each event's `old` counts to its `new` (None: not stored)."""
    for event_id, before in old.items():
        after = new.get(event_id)
        if before == after:
            continue
        if before is not None:
            count(deltas, before, -1)
        if after is not None:
            count(deltas, after, 1)


def events_of(conn: Connection, ids: Collection[int]) -> dict[int, tuple[str, str]]:
    """Event id -> (month, type) of stored events."""
    found: dict[int, tuple[str, str]] = {}
    ordered = sorted(ids)
    # Chunks keep PostgreSQL under its 65,535 parameters a statement.
    for start in range(0, len(ordered), 10_000):
        for event_id, day, kind in conn.execute(sa.select(t.events.c.id, t.events.c.date, t.events.c.type)
                                                .where(t.events.c.id.in_(ordered[start:start + 10_000]))):
            found[int(event_id)] = (month_of(day), str(kind))
    return found


def write(conn: Connection, deltas: Deltas) -> None:
    """Add the changes to `event_months` (creating the rows missing) in one executemany."""
    # Sorted, so that concurrent writers lock rows in the same order.
    rows = [(*slot, n) for slot, n in sorted(deltas.items()) if n]
    if not rows:
        return
    # The driver's own placeholders and plain tuples, as `pairs` writes its tables: SQLAlchemy's
    # handling of a dict of parameters per row cost more than the upserts themselves.
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(
        f"INSERT INTO event_months (country, topic, month, type, events) VALUES ({', '.join([mark] * 5)}) "
        "ON CONFLICT (country, topic, month, type) DO UPDATE SET events = event_months.events + excluded.events",
        rows)


def _counted(conn: Connection) -> Deltas:
    """The table counted from every stored event and its links."""
    countries = frozenset(int(i) for i in conn.execute(
        sa.select(t.entities.c.id).where(t.entities.c.kind == "country")).scalars())
    members: dict[int, set[int]] = defaultdict(set)
    for event_id, entity_id in conn.execute(sa.select(t.event_participants.c.event_id,
                                                      t.event_participants.c.entity_id)):
        if entity_id in countries:
            members[int(event_id)].add(int(entity_id))
    topics: dict[int, set[str]] = defaultdict(set)
    for event_id, topic in conn.execute(sa.select(t.event_topics.c.event_id, t.event_topics.c.topic)):
        topics[int(event_id)].add(str(topic))
    deltas: Deltas = {}
    for event_id, day, kind in conn.execute(sa.select(t.events.c.id, t.events.c.date, t.events.c.type)):
        count(deltas, (frozenset(members.get(event_id, ())), frozenset(topics.get(event_id, ())),
                       month_of(day), str(kind)), 1)
    return deltas


def count_all(conn: Connection) -> dict[tuple[Any, ...], int]:
    """`event_months` counted from scratch: (country, topic, month, type) -> events, zeros left out."""
    return {slot: n for slot, n in sorted(_counted(conn).items()) if n}


def write_all(conn: Connection) -> None:
    """Fill the (empty) table from the stored events and links."""
    write(conn, _counted(conn))
