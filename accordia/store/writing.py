"""What the write path remembers, so that ingest costs the same per report whatever the size of the base.

Two kinds of memory, both private to `accordia.store`:

- `WriteCache`, one per write transaction: the rows it has read or written (entities by key,
  aliases, role rows, links, sources), so each is asked of the database once per transaction,
  and the link rows it has yet to write, sent in one multi-row insert. It is thrown away with
  the transaction, so a rollback can never leave it wrong.
- `Mirror`, one per `Store`: every agreement with its party countries, every event with what
  same-event resolution compares (type, date, place, title, participating countries and the
  surnames of participating persons; the shingles of its evidence once they have been read), and
  every original document's copy sketch by publication date. Agreement candidates ("the 100
  newest sharing half the parties"), event candidates ("the 50 first of the type within two
  days", with their participants and evidence) and syndication candidates ("originals of the
  week") are then found in memory instead of by queries whose cost grows with the base. A mirror
  is only trusted while nobody else has written: each transaction compares the count and largest
  id of the documents (every write of a report inserts a document) and the newest resolution
  decision (every split writes one) with what the mirror has seen, and reloads it from the
  database when they differ; a transaction that fails discards it.

The rows whose ids resolution needs at once (documents, entities, events, agreements) are not
inserted one statement each: `RowIds` hands out their ids and the rows wait in the write cache
with the link rows, for one multi-row insert per table (see `RowIds` for why the ids are safe).
"""

from __future__ import annotations

import bisect
import heapq
from array import array
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from accordia.resolve.names import normalise_name
from accordia.store import schema as t

__all__ = ["ALLOCATED", "AgreementEntry", "EventEntry", "Mirror", "RowIds", "WriteCache"]

# Tables whose new rows get their ids from `RowIds`, in the order pending rows are sent: none of
# them refers to a later one (a document's copy_of names an earlier document), and the other
# tables the write path fills refer to them, so these go first whatever is flushed.
ALLOCATED = ("documents", "entities", "events", "agreements")
# PostgreSQL: ids reserved by one call, doubling within a transaction from the first block (a
# batch's; one document's transaction starts at one id), up to the largest. Unused ones are left
# as gaps, as a rolled-back insert leaves them.
_FIRST_BLOCK = 16
_LARGEST_BLOCK = 256


@dataclass
class AgreementEntry:
    """One stored agreement as resolution compares it (the mutable fields kept current)."""

    id: int
    type: str
    title: str
    horizon: str | None
    date: date | None
    status: str | None
    countries: frozenset[str] = frozenset()


@dataclass(slots=True)
class EventEntry:
    """One stored event as same-event resolution compares it (the place kept current).

    `persons` are the ids of the participating persons: their surnames are the mirror's, kept
    current when an entity is renamed.
    """

    id: int
    type: str
    date: date | None
    place: str | None
    title: str
    countries: frozenset[str] = frozenset()
    persons: tuple[int, ...] = ()


@dataclass
class RowIds:
    """Ids for the new rows of one write transaction, handed out without inserting the rows.

    SQLite: the transaction first takes the database's write lock (a write that changes
    nothing), then reads each table's largest id once; nobody else can insert until it commits,
    so the ids are those SQLite itself would have given the rows inserted one by one
    (largest + 1), in the same order. PostgreSQL: each table's sequence hands out blocks of ids
    in one `nextval` call (concurrent writers get distinct ids; the sequence stays ahead of every
    id used). Other databases are not supported by the store.
    """

    # SQLite: table -> the next id to give.
    next: dict[str, int] = field(default_factory=dict)
    # PostgreSQL: table -> ids reserved and not yet given, ascending; and the next block's size.
    free: dict[str, deque[int]] = field(default_factory=dict)
    block: dict[str, int] = field(default_factory=dict)
    first_block: int = _FIRST_BLOCK
    locked: bool = False

    def take(self, conn: Connection, table: str, wanted: int = 1) -> int:
        """A new id for a row of `table`; `wanted` is how many rows this transaction still expects."""
        if conn.dialect.name == "sqlite":
            next_id = self.next.get(table)
            if next_id is None:
                if not self.locked:
                    # Python's sqlite3 begins the transaction before this UPDATE and SQLite gives it
                    # the write lock (waiting for another writer as an INSERT would) until commit.
                    conn.exec_driver_sql("UPDATE documents SET copy_of = copy_of WHERE 0")
                    self.locked = True
                largest = conn.exec_driver_sql(f"SELECT max(id) FROM {table}").scalar()
                next_id = int(largest or 0) + 1
            self.next[table] = next_id + 1
            return next_id
        free = self.free.get(table)
        if not free:
            size = max(wanted, self.block.get(table, self.first_block))
            self.block[table] = min(size * 2, _LARGEST_BLOCK)
            free = self.free[table] = deque(sorted(int(i) for i in conn.exec_driver_sql(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)",
                (size,)).scalars()))
        return free.popleft()


@dataclass
class WriteCache:
    """Rows one write transaction has read or written, and link rows it has yet to insert."""

    # (kind, key) -> [id, name], or None where the transaction found no such entity.
    entities: dict[tuple[str, str], list[Any] | None] = field(default_factory=dict)
    # entity id -> the same [id, name] list, so a name update shows wherever the entity is cached.
    records: dict[int, list[Any]] = field(default_factory=dict)
    # Person key prefix ("KZ:sat") -> [id, name] of the persons whose key starts so, by id.
    person_ranges: dict[str, list[list[Any]]] = field(default_factory=dict)
    # entity id -> its aliases (insertion-ordered), for entities whose aliases were loaded.
    aliases: dict[int, dict[str, None]] = field(default_factory=dict)
    # Entities created in this transaction: no alias, role, decision or link of theirs predates it.
    new_entities: set[int] = field(default_factory=set)
    new_events: set[int] = field(default_factory=set)
    new_agreements: set[int] = field(default_factory=set)
    # split decisions by source entity (loaded once), and split-bound aliases by entity kind.
    decisions: dict[int, list[tuple[int, list[str]]]] | None = None
    pinned: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    # (entity id, role, country) -> the person_roles row, or None where there is none.
    roles: dict[tuple[int, str, str | None], dict[str, Any] | None] = field(default_factory=dict)
    # Role rows queued for insert (updated in place until sent).
    unflushed_roles: dict[tuple[int, str, str | None], dict[str, Any]] = field(default_factory=dict)
    # (name, country) of every person of the batch, read in one go by the first person lookup.
    batch_persons: list[tuple[str, str | None]] = field(default_factory=list)
    # (table, left id) -> the right-hand values linked; pending rows wait in `pending`.
    links: dict[tuple[str, int], set[Any]] = field(default_factory=dict)
    pending: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    # (table, key id, document id) -> evidence spans of a source row this transaction wrote, and
    # by table, those rows still pending (merged evidence is written into them, not updated).
    sources: dict[tuple[str, int, int], list[list[int]]] = field(default_factory=dict)
    unflushed_sources: dict[tuple[str, int, int], dict[str, Any]] = field(default_factory=dict)
    # Ids for new documents, entities, events and agreements; their rows still pending, by id
    # (changes to one before it is sent are made to the row: see `Store._update_row`).
    ids: RowIds = field(default_factory=RowIds)
    unflushed: dict[str, dict[int, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    # How many documents the transaction may still insert (a hint for reserving their ids).
    expected: int = 1
    # Documents inserted by this transaction (for the mirror's fingerprint).
    documents: int = 0
    last_document: int = 0
    synced: bool = False
    # Whether the transaction may use the store's mirror (bulk writes only).
    bulk: bool = False

    def __post_init__(self) -> None:
        if not self.bulk:
            # One document creates a few rows: PostgreSQL ids are reserved one, two, four... at a time.
            self.ids.first_block = 1

    def remember(self, kind: str, key: str, row: list[Any] | None) -> list[Any] | None:
        """Cache an entity lookup, sharing the record with any other place it is cached."""
        if row is not None:
            row = self.records.setdefault(int(row[0]), row)
        self.entities[(kind, key)] = row
        return row

    def add_person(self, key: str, row: list[Any]) -> None:
        """A person entity just created: add it to every cached key range that holds its key."""
        for end in range(len(key) + 1):
            members = self.person_ranges.get(key[:end])
            if members is not None:
                bisect.insort(members, row, key=lambda r: int(r[0]))

    def add(self, conn: Connection, table: str, values: dict[str, Any], wanted: int = 1) -> int:
        """Queue a new row of an `ALLOCATED` table under a new id, and return the id."""
        row_id = self.ids.take(conn, table, wanted)
        row = {"id": row_id, **values}
        self.pending[table].append(row)
        self.unflushed[table][row_id] = row
        return row_id

    def flush(self, conn: Connection, *tables: str) -> None:
        """Insert the pending rows of these tables (all tables when none is named); the rows of
        `ALLOCATED` tables go first whenever another table's are sent, since those refer to them."""
        names = list(tables or self.pending)
        # Only the parents these tables refer to (a role row needs its entity, not its document).
        parents = {parent for name in names for parent in _PARENTS.get(name, ())} if tables else set(ALLOCATED)
        names = [name for name in ALLOCATED if (name in parents or name in names) and name in self.pending] + \
            [name for name in names if name not in ALLOCATED]
        for name in names:
            rows = self.pending.pop(name, None)
            if rows:
                send_rows(conn, t.metadata.tables[name], rows)
            if name in ALLOCATED:
                self.unflushed.pop(name, None)
            if name == "person_roles":
                self.unflushed_roles.clear()
            if name in ("event_sources", "agreement_sources"):
                for slot in [slot for slot in self.unflushed_sources if slot[0] == name]:
                    del self.unflushed_sources[slot]


# Table -> the `ALLOCATED` tables its rows refer to (by foreign key), which are sent before it.
_PARENTS: dict[str, tuple[str, ...]] = {
    table.name: tuple(name for name in ALLOCATED if any(fk.column.table.name == name for fk in table.foreign_keys))
    for table in t.metadata.sorted_tables}
# (dialect, table, columns) -> the driver's INSERT and SQLAlchemy's conversions of values, by column index.
_INSERTS: dict[tuple[str, str, tuple[str, ...]], tuple[str, list[tuple[int, Callable[[Any], Any]]]]] = {}


def send_rows(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows (dicts with the same keys) in one executemany through the driver.

    SQLAlchemy's own executemany builds a parameter dict per row, which cost more than the insert:
    here each row becomes a tuple, with SQLAlchemy's bind processor applied to the columns that
    have one (JSON, and dates on SQLite), so the stored values are the same. A column left out
    that has a Python-side default goes the SQLAlchemy way, which fills it in.
    """
    names = tuple(rows[0])
    slot = (conn.dialect.name, table.name, names)
    prepared = _INSERTS.get(slot)
    if prepared is None:
        if any(column.default is not None and column.name not in names for column in table.columns):
            conn.execute(table.insert(), rows)
            return
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        quote = conn.dialect.identifier_preparer.quote
        sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
               f"VALUES ({', '.join([mark] * len(names))})")
        processors = [table.c[n].type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for n in names]
        converters: list[tuple[int, Callable[[Any], Any]]] = [
            (i, p) for i, p in enumerate(processors) if p is not None]
        prepared = _INSERTS[slot] = (sql, converters)
    sql, converters = prepared
    # itemgetter of one name gives the value, not a 1-tuple.
    values: list[Sequence[Any]] = list(map(itemgetter(*names), rows)) if len(names) > 1 else \
        [(row[names[0]],) for row in rows]
    if converters:
        for n, row_values in enumerate(values):
            converted = list(row_values)
            for i, convert in converters:
                converted[i] = convert(converted[i])
            values[n] = tuple(converted)  # SQLAlchemy takes rows of parameters as tuples, not lists
    conn.exec_driver_sql(sql, values)


class Mirror:
    """Agreements and original documents' sketches held in memory, for candidate searches."""

    def __init__(self) -> None:
        self.agreements: dict[int, AgreementEntry] = {}
        # (type, country) -> ids of the agreements of that type with that party country, ascending.
        self.by_country: dict[tuple[str, str], list[int]] = defaultdict(list)
        # type -> ids of the agreements of that type with no party country, ascending.
        self.no_country: dict[str, list[int]] = defaultdict(list)
        # publication date -> (id, sketch) of the documents that are not copies, ascending ids.
        self.sketches: dict[date, list[tuple[int, array[int] | None]]] = defaultdict(list)
        # id -> event; (type, date) -> ids of the events of that type on that date, ascending.
        self.events: dict[int, EventEntry] = {}
        self.events_on: dict[tuple[str, date | None], list[int]] = defaultdict(list)
        # person id -> surname (normalised; None for an empty name), for the persons of events.
        self.surnames: dict[int, str | None] = {}
        # event id -> shingles of its sources' evidence, once read; dropped when a source is added.
        self.event_texts: dict[int, array[int]] = {}
        # entity id -> its aliases, for entities whose aliases a bulk write has read or written.
        self.aliases: dict[int, dict[str, None]] = {}
        # Country sets shared between events and agreements rather than one frozenset each.
        self._country_sets: dict[frozenset[str], frozenset[str]] = {}
        # (count, largest id) of the documents and the largest resolution decision id when the
        # mirror was last known to be complete.
        self.fingerprint: tuple[int, int, int] = (0, 0, 0)

    @classmethod
    def load(cls, conn: Connection) -> Mirror:
        """Read every agreement, its party countries and every original's sketch."""
        mirror = cls()
        for row in conn.execute(sa.select(t.agreements.c.id, t.agreements.c.type, t.agreements.c.title,
                                          t.agreements.c.horizon, t.agreements.c.date, t.agreements.c.status)
                                .order_by(t.agreements.c.id)):
            mirror.agreements[int(row.id)] = AgreementEntry(int(row.id), row.type, row.title, row.horizon,
                                                            row.date, row.status)
        for agreement_id, key in conn.execute(
                sa.select(t.agreement_parties.c.agreement_id, t.entities.c.key).join(
                    t.entities, t.entities.c.id == t.agreement_parties.c.entity_id)
                .where(t.entities.c.kind == "country").order_by(t.agreement_parties.c.agreement_id)):
            entry = mirror.agreements.get(int(agreement_id))
            if entry is not None and key not in entry.countries:
                entry.countries = mirror._shared(entry.countries | {str(key)})
                mirror.by_country[(entry.type, str(key))].append(entry.id)
        for entry in mirror.agreements.values():
            if not entry.countries:
                mirror.no_country[entry.type].append(entry.id)
        for event_id, type_, day, place, title in conn.execute(
                sa.select(t.events.c.id, t.events.c.type, t.events.c.date, t.events.c.place, t.events.c.title)
                .order_by(t.events.c.id)):
            mirror.events[int(event_id)] = EventEntry(int(event_id), type_, day, place, title)
            mirror.events_on[(type_, day)].append(int(event_id))
        countries: dict[int, set[str]] = defaultdict(set)
        persons: dict[int, list[int]] = defaultdict(list)
        for event_id, entity_id, kind, key, name in conn.execute(
                sa.select(t.event_participants.c.event_id, t.entities.c.id, t.entities.c.kind, t.entities.c.key,
                          t.entities.c.name).join(t.entities, t.entities.c.id == t.event_participants.c.entity_id)
                .where(t.entities.c.kind.in_(("country", "person")))
                .order_by(t.event_participants.c.event_id, t.entities.c.id)):
            if kind == "country":
                countries[int(event_id)].add(str(key))
            else:
                persons[int(event_id)].append(int(entity_id))
                if int(entity_id) not in mirror.surnames:
                    mirror.surnames[int(entity_id)] = _surname(name)
        for event_id, keys in countries.items():
            mirror.events[event_id].countries = mirror._shared(keys)
        for event_id, ids in persons.items():
            mirror.events[event_id].persons = tuple(ids)
        for document_id, published, sketch in conn.execute(
                sa.select(t.documents.c.id, t.documents.c.published, t.documents.c.sketch)
                .where(t.documents.c.published.is_not(None), t.documents.c.copy_of.is_(None))
                .order_by(t.documents.c.id)):
            mirror.sketches[published].append((int(document_id), _packed(sketch)))
        return mirror

    # --- agreements ---------------------------------------------------------------------

    def add_agreement(self, entry: AgreementEntry) -> None:
        """A new agreement (with no party yet); one the mirror was loaded with is left as it is."""
        if entry.id in self.agreements:
            return
        self.agreements[entry.id] = entry
        bisect.insort(self.no_country[entry.type], entry.id)

    def add_countries(self, agreement_id: int, countries: Iterable[str]) -> None:
        """Party countries linked to an agreement."""
        entry = self.agreements[agreement_id]
        for country in countries:
            if country in entry.countries:
                continue
            if not entry.countries:
                ids = self.no_country[entry.type]
                at = bisect.bisect_left(ids, agreement_id)
                if at < len(ids) and ids[at] == agreement_id:
                    del ids[at]
            entry.countries = self._shared(entry.countries | {country})
            bisect.insort(self.by_country[(entry.type, country)], agreement_id)

    def agreement_candidates(self, type_: str, countries: frozenset[str], limit: int) -> list[AgreementEntry]:
        """The `limit` newest agreements of the type sharing at least half of `countries` (or,
        for none, having no party country): what `Store._agreement_candidates` always returned."""
        if not countries:
            ids = self.no_country.get(type_, [])
            return [self.agreements[i] for i in reversed(ids[-limit:])]
        need = (len(countries) + 1) // 2
        found: list[AgreementEntry] = []
        # Each country's ids newest first, merged: an id appears once per shared country.
        merged = heapq.merge(*(reversed(self.by_country.get((type_, c), [])) for c in sorted(countries)),
                             reverse=True)
        current, seen = -1, 0
        for agreement_id in merged:
            if agreement_id != current:
                current, seen = agreement_id, 0
            seen += 1
            if seen == need:
                found.append(self.agreements[agreement_id])
                if len(found) == limit:
                    break
        return found

    # --- events -------------------------------------------------------------------------

    def _shared(self, countries: Iterable[str]) -> frozenset[str]:
        key = frozenset(countries)
        return self._country_sets.setdefault(key, key)

    def add_event(self, entry: EventEntry) -> None:
        """A new event (with no participant yet); one the mirror was loaded with is left as it is."""
        if entry.id in self.events:
            return
        self.events[entry.id] = entry
        bisect.insort(self.events_on[(entry.type, entry.date)], entry.id)

    def add_participants(self, event_id: int, countries: Iterable[str], persons: dict[int, str]) -> None:
        """Countries (by key) and persons (id -> current name) linked to an event."""
        entry = self.events[event_id]
        keys = set(countries)
        if not keys <= entry.countries:
            entry.countries = self._shared(entry.countries | keys)
        for person_id, name in persons.items():
            self.surnames[person_id] = _surname(name)
        new = [person_id for person_id in sorted(persons) if person_id not in entry.persons]
        if new:
            entry.persons = entry.persons + tuple(new)

    def renamed(self, entity_id: int, name: str) -> None:
        """An entity's name changed: a person's surname, as events compare it, follows."""
        if entity_id in self.surnames:
            self.surnames[entity_id] = _surname(name)

    def event_candidates(self, type_: str, day: date | None, days: int, limit: int) -> list[EventEntry]:
        """The `limit` first-stored events of the type dated within `days` of `day` (or, for no
        date, undated): what `_EVENT_CANDIDATES` selects."""
        if day is None:
            ids: Iterable[int] = self.events_on.get((type_, None), [])
        else:
            ids = heapq.merge(*(self.events_on.get((type_, day + timedelta(days=d)), [])
                                for d in range(-days, days + 1)))
        return [self.events[i] for _, i in zip(range(limit), ids, strict=False)]

    def event_text(self, event_id: int) -> frozenset[int] | None:
        """The shingles of an event's evidence, if they have been read since its last new source."""
        text = self.event_texts.get(event_id)
        return None if text is None else frozenset(text)

    def keep_event_text(self, event_id: int, shingled: frozenset[int]) -> None:
        """Remember an event's evidence shingles (4 bytes a hash rather than a set of ints)."""
        self.event_texts[event_id] = array(_HASH_TYPECODE, shingled)

    def forget_event_text(self, event_id: int) -> None:
        """An event gained a source: its evidence shingles must be read again."""
        self.event_texts.pop(event_id, None)

    def persons_of(self, entry: EventEntry) -> frozenset[str]:
        """The surnames of an event's participating persons (as `resolve.surnames` gives them)."""
        surnames = self.surnames
        return frozenset(s for s in (surnames[i] for i in entry.persons) if s)

    # --- documents ----------------------------------------------------------------------

    def add_document(self, document_id: int, published: date | None, sketch: list[int] | None) -> None:
        """An original document just stored (once: the mirror may have been loaded with it)."""
        if published is None:
            return
        same_day = self.sketches[published]
        at = bisect.bisect_left(same_day, document_id, key=lambda item: item[0])
        if at == len(same_day) or same_day[at][0] != document_id:
            same_day.insert(at, (document_id, _packed(sketch)))

    def copy_suspects(self, published: date, days: int, limit: int,
                      probe: Callable[[array[int]], bool]) -> list[int]:
        """Ids, ascending, of the candidates (`copy_candidates`) whose sketch passes `probe` or
        that have no sketch: the only ones whose texts are worth comparing. Without the cap in
        play the window is filtered day by day and only the few suspects are sorted, rather
        than every sketch of the window merged into id order."""
        days_lists = [self.sketches.get(published + timedelta(days=d), []) for d in range(-days, days + 1)]
        if sum(map(len, days_lists)) > limit:
            return [document_id for document_id, sketch in self.copy_candidates(published, days, limit)
                    if sketch is None or probe(sketch)]
        return sorted(document_id for same_day in days_lists for document_id, sketch in same_day
                      if sketch is None or probe(sketch))

    def copy_candidates(self, published: date, days: int, limit: int) -> list[tuple[int, array[int] | None]]:
        """The `limit` first-stored originals published within `days` of `published`."""
        found: Iterator[tuple[int, array[int] | None]] = heapq.merge(
            *(self.sketches.get(published + timedelta(days=d), []) for d in range(-days, days + 1)),
            key=lambda item: item[0])
        return [item for _, item in zip(range(limit), found, strict=False)]


# crc32 values need 4 bytes: "I" has them on every common platform, "L" everywhere.
_HASH_TYPECODE = "I" if array("I").itemsize >= 4 else "L"


def _surname(name: str) -> str | None:
    """What `resolve.surnames` keeps of one name: the last word of its normalised form."""
    parts = normalise_name(name).split()
    return parts[-1] if parts else None


def _packed(sketch: Any) -> array[int] | None:
    """A sketch (crc32 values) in 4 bytes a hash rather than a list of Python ints."""
    return None if sketch is None else array(_HASH_TYPECODE, sketch)
