"""Country-pair counts, kept by the write path in Python: the network and partner pages read small tables.

Two tables of pairs of country entity ids:

- `country_pairs` (topic, x, y), x < y: how many events and agreements both countries took part in,
  among those on `topic` ('' for any topic). Ranking a network or a partner list reads these rows.
  One row per pair, not both ways round: they are most of the rows written, and a topic holds at
  most one row per pair of countries (a few tens of thousands), so a partner list scans it for y.
- `country_pair_sets` (x, y, topics), both ways round (read by x): the same events and agreements
  grouped by their whole topic
  set (sorted codes as a JSON array, '[]' for none). How often a pair's items on topic f were also
  about topic c is the sum over the sets holding both: a few rows per pair, where a table per pair,
  filter topic and co-topic grew to millions of rows and tripled the file.

An item (event or agreement) with countries C and topics T adds 1 to (f, x, y) for every f in T and
'' and every pair x < y of C, and to (x, y, T) for every ordered pair x != y of C. The write path
tells `linking` which links an item gains (and which it had), and `apply` sends the difference of the items' old and new
contributions as one upsert per table at the end of the transaction. Code that removes links (a
split moving a participant) wraps the change in `recounting`, which reads the items' contributions
from the link tables before and after. `count_all` counts both tables from scratch (the migration's
backfill and the tests' reference).
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from accordia.store import activity
from accordia.store import schema as t

__all__ = ["apply", "contributions", "count_all", "linking", "recounting", "topic_key", "topics_of"]

# Link table -> (kind, side): which item kind it links and whether it holds countries or topics.
_TABLES: dict[str, tuple[str, str]] = {
    "event_participants": ("events", "countries"),
    "event_topics": ("events", "topics"),
    "agreement_parties": ("agreements", "countries"),
    "agreement_topics": ("agreements", "topics"),
}
# kind -> (participants table, topics table, key column)
_LINKS: dict[str, tuple[sa.Table, sa.Table, str]] = {
    "events": (t.event_participants, t.event_topics, "event_id"),
    "agreements": (t.agreement_parties, t.agreement_topics, "agreement_id"),
}
# Connection.info key of the open transaction's link changes.
_CHANGES = "accordia.pair_changes"

# (topic, x, y) or (x, y, topics) -> [events, agreements]
Counts = dict[tuple[Any, ...], list[int]]
# The same being summed: one dict of changes per column (events, agreements), cheaper to add to.
Deltas = tuple[dict[tuple[Any, ...], int], dict[tuple[Any, ...], int]]


@dataclass
class _Changes:
    """Links items gained in one transaction: their values before it, and those added since."""

    # The transaction they belong to: one that failed before `apply` leaves its changes on the
    # connection (`Connection.info` outlives it), and the next transaction must not count them.
    transaction: Any = None
    before: dict[tuple[str, int], frozenset[Any]] = field(default_factory=dict)
    added: dict[tuple[str, int], set[Any]] = field(default_factory=dict)


def topic_key(topics: Iterable[str]) -> str:
    """The `country_pair_sets.topics` value of a topic set: its sorted codes as a compact JSON array,
    which both databases split in SQL."""
    return json.dumps(sorted(topics), separators=(",", ":"))


def topics_of(key: str) -> list[str]:
    """The topics of a `country_pair_sets.topics` value."""
    return list(json.loads(key))


def linking(conn: Connection, table: str, item_id: int, present: Collection[Any], values: Collection[Any]) -> None:
    """Note that the write path links `values` to an item that already has `present` in `table`."""
    new = [value for value in values if value not in present]
    if not new:
        return
    changes = conn.info.get(_CHANGES)
    if changes is None or changes.transaction is not conn.get_transaction():
        changes = conn.info[_CHANGES] = _Changes(conn.get_transaction())
    slot = (table, item_id)
    if slot not in changes.before:
        changes.before[slot] = frozenset(present)
        changes.added[slot] = set()
    changes.added[slot].update(new)


def apply(conn: Connection, created: Collection[int] = ()) -> None:
    """Add what the transaction's new links change to the pair tables (one upsert per table), and to
    `event_months` what they and the events `created` by the transaction change (`activity`)."""
    changes: _Changes | None = conn.info.pop(_CHANGES, None)
    if changes is None or changes.transaction is not conn.get_transaction():
        changes = _Changes()
    if not changes.before and not created:
        return
    items: dict[str, set[int]] = defaultdict(set)
    for name, item_id in changes.before:
        items[_TABLES[name][0]].add(item_id)
    # An event stored without any link counts in `event_months` all the same.
    items["events"].update(created)
    countries = _country_ids(conn)
    pairs: Deltas = ({}, {})
    sets: Deltas = ({}, {})
    months: activity.Deltas = {}
    for kind, ids in items.items():
        participants, topics, _key = _LINKS[kind]
        # A side the transaction did not touch is as stored (read for all such items at once).
        untouched = {side: [i for i in ids if (table.name, i) not in changes.before]
                     for side, table in (("countries", participants), ("topics", topics))}
        stored = _links_of(conn, kind, untouched["countries"], untouched["topics"], countries)
        column = 0 if kind == "events" else 1
        described = activity.events_of(conn, ids) if kind == "events" else {}
        for item_id in ids:
            old: list[frozenset[Any]] = []
            new: list[frozenset[Any]] = []
            for side, table in (("countries", participants), ("topics", topics)):
                slot = (table.name, item_id)
                if slot in changes.before:
                    before = changes.before[slot]
                    after = before | changes.added[slot]
                    if side == "countries":
                        before, after = before & countries, after & countries
                else:
                    before = after = stored[side].get(item_id, frozenset())
                old.append(before)
                new.append(after)
            if old != new:
                _count(pairs, sets, old[0], old[1], column, -1)
                _count(pairs, sets, new[0], new[1], column, 1)
            if kind == "events" and item_id in described:
                month, event_type = described[item_id]
                activity.changed(months, {item_id: None if item_id in created
                                          else (old[0], old[1], month, event_type)},
                                 {item_id: (new[0], new[1], month, event_type)})
    _upsert(conn, pairs, sets)
    activity.write(conn, months)


@contextlib.contextmanager
def recounting(conn: Connection, kind: str, ids: Iterable[int]) -> Iterator[None]:
    """Keep the pair tables (and `event_months`) right while the block changes or removes links of these items."""
    wanted = sorted(set(ids))
    countries = _country_ids(conn)
    before = contributions(conn, kind, wanted, countries)
    described = activity.events_of(conn, wanted) if kind == "events" else {}
    yield
    after = contributions(conn, kind, wanted, countries)
    pairs: Deltas = ({}, {})
    sets: Deltas = ({}, {})
    column = 0 if kind == "events" else 1
    for item_id in wanted:
        old, new = before.get(item_id), after.get(item_id)
        if old != new:
            if old is not None:
                _count(pairs, sets, old[0], old[1], column, -1)
            if new is not None:
                _count(pairs, sets, new[0], new[1], column, 1)
    _upsert(conn, pairs, sets)
    if kind == "events":
        # An event's month and type never change; it may be gone (removed in the block).
        remaining = activity.events_of(conn, wanted)
        months: activity.Deltas = {}
        activity.changed(months, {i: (*before[i], *described[i]) for i in described},
                         {i: (*after[i], *remaining[i]) for i in remaining})
        activity.write(conn, months)


def contributions(conn: Connection, kind: str, ids: Collection[int],
                  countries: frozenset[int] | None = None) -> dict[int, tuple[frozenset[int], frozenset[str]]]:
    """Item id -> (its country entity ids, its topics), as the link tables hold them now."""
    countries = _country_ids(conn) if countries is None else countries
    stored = _links_of(conn, kind, ids, ids, countries)
    return {i: (stored["countries"].get(i, frozenset()), stored["topics"].get(i, frozenset())) for i in ids}


def count_all(conn: Connection) -> tuple[Counts, Counts]:
    """Both tables counted from every stored link: ((topic, x, y) -> counts, (x, y, topics) -> counts)."""
    pairs, sets = _counted(conn)
    return _merged(pairs), _merged(sets)


def _counted(conn: Connection) -> tuple[Deltas, Deltas]:
    countries = _country_ids(conn)
    pairs: Deltas = ({}, {})
    sets: Deltas = ({}, {})
    for column, kind in enumerate(("events", "agreements")):
        participants, topics, key = _LINKS[kind]
        members: dict[int, set[int]] = defaultdict(set)
        for item_id, entity_id in conn.execute(sa.select(participants.c[key], participants.c.entity_id)):
            if entity_id in countries:
                members[int(item_id)].add(int(entity_id))
        item_topics: dict[int, set[str]] = defaultdict(set)
        for item_id, topic in conn.execute(sa.select(topics.c[key], topics.c.topic)):
            if item_id in members:
                item_topics[int(item_id)].add(str(topic))
        for item_id, found in members.items():
            _count(pairs, sets, frozenset(found), frozenset(item_topics.get(item_id, ())), column, 1)
    return pairs, sets


def write_all(conn: Connection) -> None:
    """Fill both (empty) tables from the stored links."""
    _upsert(conn, *_counted(conn))


def _country_ids(conn: Connection) -> frozenset[int]:
    # A few hundred at most: read once per transaction rather than joined into every lookup.
    return frozenset(int(i) for i in conn.execute(sa.select(t.entities.c.id).where(t.entities.c.kind == "country"))
                     .scalars())


def _links_of(conn: Connection, kind: str, country_items: Collection[int], topic_items: Collection[int],
              countries: frozenset[int]) -> dict[str, dict[int, frozenset[Any]]]:
    """The stored country links of `country_items` and topic links of `topic_items`."""
    participants, topics, key = _LINKS[kind]
    found: dict[str, dict[int, set[Any]]] = {"countries": defaultdict(set), "topics": defaultdict(set)}
    for side, table, column, ids in (("countries", participants, "entity_id", country_items),
                                     ("topics", topics, "topic", topic_items)):
        ordered = sorted(ids)
        # Chunks keep PostgreSQL under its 65,535 parameters a statement.
        for start in range(0, len(ordered), 10_000):
            for item_id, value in conn.execute(sa.select(table.c[key], table.c[column])
                                               .where(table.c[key].in_(ordered[start:start + 10_000]))):
                if side == "topics" or value in countries:
                    found[side][int(item_id)].add(value)
    return {side: {i: frozenset(values) for i, values in by_item.items()} for side, by_item in found.items()}


def _count(pairs: Deltas, sets: Deltas, countries: frozenset[int], topics: frozenset[str], column: int,
           sign: int) -> None:
    """Add (sign 1) or take away (-1) one item's contribution to both tables."""
    if len(countries) < 2:
        return
    filters = ("", *topics)
    key = _KEYS.get(topics)
    if key is None:
        key = _KEYS[topics] = topic_key(topics)
    by_topic, by_set = pairs[column], sets[column]
    for x, y in itertools.permutations(countries, 2):
        if x < y:
            for topic in filters:
                slot = (topic, x, y)
                by_topic[slot] = by_topic.get(slot, 0) + sign
        pair = (x, y, key)
        by_set[pair] = by_set.get(pair, 0) + sign


# Topic set -> its `country_pair_sets.topics` value (the sets met are few).
_KEYS: dict[frozenset[str], str] = {}


def _merged(deltas: Deltas) -> Counts:
    """Key -> [events, agreements], leaving out keys whose changes cancel."""
    events, agreements = deltas
    return {slot: [events.get(slot, 0), agreements.get(slot, 0)] for slot in sorted(events.keys() | agreements.keys())
            if events.get(slot, 0) or agreements.get(slot, 0)}


_UPSERTS = {
    "country_pairs": ("topic", "x", "y"),
    "country_pair_sets": ("x", "y", "topics"),
}


def _upsert(conn: Connection, pairs: Deltas, sets: Deltas) -> None:
    """Add the counts to the rows of both tables (creating the rows missing), one executemany each."""
    # The driver's own placeholders and plain tuples: SQLAlchemy's handling of a dict of parameters
    # per row cost more than the upserts themselves.
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    for table, counts in (("country_pairs", pairs), ("country_pair_sets", sets)):
        # Sorted, so that concurrent writers lock rows in the same order.
        rows = [(*slot, n[0], n[1]) for slot, n in _merged(counts).items()]
        if not rows:
            continue
        names = ", ".join(_UPSERTS[table])
        conn.exec_driver_sql(
            f"INSERT INTO {table} ({names}, events, agreements) VALUES ({', '.join([mark] * 5)}) "
            f"ON CONFLICT ({names}) DO UPDATE SET events = {table}.events + excluded.events, "
            f"agreements = {table}.agreements + excluded.agreements", rows)
