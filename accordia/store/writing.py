"""What the write path remembers, so that ingest costs the same per report whatever the size of the base.

Two kinds of memory, both private to `accordia.store`:

- `WriteCache`, one per write transaction: the rows it has read or written (entities by key,
  aliases, role rows, links, sources), so each is asked of the database once per transaction,
  and the link rows it has yet to write, sent in one multi-row insert. It is thrown away with
  the transaction, so a rollback can never leave it wrong.
- `Mirror`, one per `Store`: every agreement with its party countries and every original
  document's copy sketch by publication date. Agreement candidates ("the 100 newest sharing
  half the parties") and syndication candidates ("originals of the week") are then found in
  memory instead of by a GROUP BY or a window scan that grow with the base. A mirror is only
  trusted while nobody else has written: each transaction compares the count and largest id of
  the documents with what the mirror has seen (every write of a report inserts a document) and
  reloads it from the database when they differ; a transaction that fails discards it.
"""

from __future__ import annotations

import bisect
import heapq
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from accordia.store import schema as t

__all__ = ["AgreementEntry", "Mirror", "WriteCache"]


@dataclass
class AgreementEntry:
    """One stored agreement as resolution compares it (the mutable fields kept current)."""

    id: int
    type: str
    title: str
    horizon: str | None
    date: date | None
    status: str | None
    countries: set[str] = field(default_factory=set)


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
    # Documents inserted by this transaction (for the mirror's fingerprint).
    documents: int = 0
    last_document: int = 0
    synced: bool = False
    # Whether the transaction may use the store's mirror (bulk writes only).
    bulk: bool = False

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

    def flush(self, conn: Connection, *tables: str) -> None:
        """Insert the pending rows of these tables (all tables when none is named)."""
        for name in tables or list(self.pending):
            rows = self.pending.pop(name, None)
            if rows:
                conn.execute(t.metadata.tables[name].insert(), rows)
            if name == "person_roles":
                self.unflushed_roles.clear()
            if name in ("event_sources", "agreement_sources"):
                for slot in [slot for slot in self.unflushed_sources if slot[0] == name]:
                    del self.unflushed_sources[slot]


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
        # (count, largest id) of the documents when the mirror was last known to be complete.
        self.fingerprint: tuple[int, int] = (0, 0)

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
                entry.countries.add(str(key))
                mirror.by_country[(entry.type, str(key))].append(entry.id)
        for entry in mirror.agreements.values():
            if not entry.countries:
                mirror.no_country[entry.type].append(entry.id)
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
            entry.countries.add(country)
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

    # --- documents ----------------------------------------------------------------------

    def add_document(self, document_id: int, published: date | None, sketch: list[int] | None) -> None:
        """An original document just stored (once: the mirror may have been loaded with it)."""
        if published is None:
            return
        same_day = self.sketches[published]
        at = bisect.bisect_left(same_day, document_id, key=lambda item: item[0])
        if at == len(same_day) or same_day[at][0] != document_id:
            same_day.insert(at, (document_id, _packed(sketch)))

    def copy_candidates(self, published: date, days: int, limit: int) -> list[tuple[int, array[int] | None]]:
        """The `limit` first-stored originals published within `days` of `published`."""
        found: Iterator[tuple[int, array[int] | None]] = heapq.merge(
            *(self.sketches.get(published + timedelta(days=d), []) for d in range(-days, days + 1)),
            key=lambda item: item[0])
        return [item for _, item in zip(range(limit), found, strict=False)]


# crc32 values need 4 bytes: "I" has them on every common platform, "L" everywhere.
_HASH_TYPECODE = "I" if array("I").itemsize >= 4 else "L"


def _packed(sketch: Any) -> array[int] | None:
    """A sketch (crc32 values) in 4 bytes a hash rather than a list of Python ints."""
    return None if sketch is None else array(_HASH_TYPECODE, sketch)
