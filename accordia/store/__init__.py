"""The knowledge base: the only module that talks to the database.

`Store.open(url)` gives a small API over SQLAlchemy (SQLite by default, PostgreSQL as the
server option). Writes of one document happen in one transaction; reads return plain
dataclasses. Driver errors are translated to `StoreError` here, so callers never see them.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar, TypeVar

import pycountry
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from accordia.errors import NotFound, StoreError
from accordia.models import Document, Failure, Record
from accordia.resolve import (
    COPY_CONTAINMENT,
    EVENT_DATE_WINDOW_DAYS,
    EVENT_SHINGLE_WORDS,
    NOTHING_IN_COMMON,
    AgreementFacts,
    EventFacts,
    Matcher,
    RoleSpan,
    acronym_of,
    canonical_place,
    copy_probe,
    fold_name,
    looks_like_acronym,
    normalise_name,
    org_key,
    person_key,
    role_holder,
    shingles,
    sketch,
)
from accordia.resolve import surnames as person_surnames
from accordia.store import aggregates, migrations, pairs, search
from accordia.store import schema as t
from accordia.store.writing import AgreementEntry, EventEntry, Mirror, WriteCache

__all__ = ["AddResult", "EventFilter", "PersonDetail", "SplitResult", "Store"]

# Syndicated copies are looked for among the documents published this many days either side.
COPY_WINDOW_DAYS = 3

F = TypeVar("F", bound=Callable[..., Any])


# How many stored agreements sharing parties one new agreement is compared with (newest first).
AGREEMENT_CANDIDATES = 100
# Stored organizations sharing a name, acronym or spelled acronym that one is compared with.
ORGANIZATION_CANDIDATES = 50
# Documents of the copy window whose sketches are compared (newest stories first beyond it).
COPY_CANDIDATES = 2000
# Stored events of the type within the date window that one event is compared with (first stored).
EVENT_CANDIDATES = 50


def _translated(func: F) -> F:
    """Turn driver errors into StoreError with the operation named."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SQLAlchemyError as exc:
            detail = getattr(exc, "orig", None) or exc
            raise StoreError(f"{func.__name__} failed: {exc.__class__.__name__}: {detail}") from exc

    return wrapper  # type: ignore[return-value]


def country_label(code: str) -> str:
    """A readable country name for an ISO code."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


@dataclass(frozen=True)
class AddResult:
    document_id: int
    added: bool
    copy_of: int | None = None


@dataclass(frozen=True)
class EventFilter:
    """Filters every event and agreement listing accepts."""

    country: str | None = None
    topic: str | None = None
    type: str | None = None
    since: date | None = None
    until: date | None = None
    query: str | None = None
    limit: int = 100
    after_id: int | None = None


@dataclass(frozen=True)
class EventRow:
    id: int
    type: str
    title: str
    date: date | None
    place: str | None
    countries: tuple[str, ...]
    topics: tuple[str, ...]
    sources: int
    confidence: float


@dataclass(frozen=True)
class SourceEvidence:
    document_id: int
    source: str
    title: str | None
    published: date | None
    sentences: tuple[tuple[int, int, str], ...]
    reason: str | None = None


@dataclass(frozen=True)
class EventDetail:
    event: EventRow
    persons: tuple[tuple[int, str], ...]
    organizations: tuple[tuple[int, str], ...]
    agreements: tuple[tuple[int, str], ...]
    sources: tuple[SourceEvidence, ...]


@dataclass(frozen=True)
class AgreementRow:
    id: int
    type: str
    title: str
    status: str | None
    horizon: str | None
    date: date | None
    countries: tuple[str, ...]
    parties: tuple[str, ...]
    topics: tuple[str, ...]
    sources: int


@dataclass(frozen=True)
class EntityRow:
    id: int
    kind: str
    name: str
    country: str | None
    attributes: dict[str, Any]
    mentions: int


@dataclass(frozen=True)
class EntityDetail:
    entity: EntityRow
    aliases: tuple[str, ...]
    roles: tuple[dict[str, Any], ...]
    mentions: tuple[dict[str, Any], ...]
    events: tuple[EventRow, ...]


@dataclass(frozen=True)
class PersonDetail:
    """A person as `accordia show person` prints it: every merged mention with the reason it was
    merged, the role history, and the manual decisions (splits) that concern it."""

    entity: EntityRow
    aliases: tuple[str, ...]
    roles: tuple[dict[str, Any], ...]
    mentions: tuple[dict[str, Any], ...]
    decisions: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class SplitResult:
    """What `Store.split` did: the new entity, the mentions moved to it and the recorded decision."""

    entity_id: int
    source_entity_id: int
    moved_mentions: int
    decision_id: int


@dataclass(frozen=True)
class DocumentRow:
    id: int
    source: str
    title: str | None
    published: date | None
    language: str | None
    format: str | None
    text: str
    record: dict[str, Any]
    copy_of: int | None


@dataclass
class Summary:
    documents: int = 0
    events: int = 0
    agreements: int = 0
    persons: int = 0
    organizations: int = 0
    countries: int = 0
    failures: int = 0
    event_types: dict[str, int] = field(default_factory=dict)
    top_pairs: list[tuple[str, str, int]] = field(default_factory=list)


class Store:
    """A knowledge base at one SQLAlchemy URL."""

    def __init__(self, engine: Engine, matcher: Matcher | None = None) -> None:
        self.engine = engine
        self.matcher = matcher or Matcher()
        # Write-path memory (see store/writing.py): one writer at a time in this process, the
        # mirror of agreements and sketches, and country entities (never renamed nor deleted).
        self._write_lock = threading.RLock()
        self._mirror_state: Mirror | None = None
        self._countries: dict[str, tuple[int, str]] = {}
        self._organizations: dict[str, int] = {}

    @classmethod
    def open(cls, url: str, tracer: Callable[[str], None] | None = None,
             matcher: Matcher | None = None) -> Store:
        """Connect to the knowledge base at `url`, creating the schema if it is new."""
        try:
            if url.startswith("sqlite"):
                engine = sa.create_engine(url, connect_args={"timeout": 30})
                sa.event.listen(engine, "connect", _sqlite_pragmas)
            else:
                engine = sa.create_engine(url, pool_pre_ping=True)
            if tracer is not None:
                sa.event.listen(engine, "before_cursor_execute",
                                lambda conn, cursor, statement, *rest: tracer(statement))
            store = cls(engine, matcher)
            store.migrate()
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open the knowledge base at {url}: {exc}") from exc
        return store

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (creating it in a new database)."""
        for attempt in range(3):
            try:
                self._migrate_once()
                return
            except (sa.exc.OperationalError, IntegrityError):
                # Python's sqlite3 runs CREATE TABLE outside any transaction, so two processes opening a
                # new file at once can both find a table missing; the loser retries and finds it made.
                if self.engine.dialect.name != "sqlite" or attempt == 2:
                    raise

    def _migrate_once(self) -> None:
        # Alembic revisions in store/migrations; a pre-Alembic database is stamped, then upgraded.
        migrations.upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    # --- runs and failures ----------------------------------------------------------------

    @_translated
    def start_run(self, inputs: Sequence[str]) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(t.runs.insert().values(started_at=datetime.now(UTC),
                                                         inputs=list(inputs)[:1000]))
            return _new_id(result)

    @_translated
    def finish_run(self, run_id: int, added: int, unchanged: int, failed: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(t.runs.update().where(t.runs.c.id == run_id).values(
                finished_at=datetime.now(UTC), added=added, unchanged=unchanged, failed=failed))

    @_translated
    def record_failure(self, run_id: int, failure: Failure) -> None:
        with self.engine.begin() as conn:
            conn.execute(t.failures.insert().values(run_id=run_id, source=failure.source[:2000],
                                                    code=failure.code, reason=failure.reason[:2000]))

    @_translated
    def failures(self, run_id: int | None = None) -> list[dict[str, Any]]:
        """Rejected inputs of one run (the latest by default)."""
        with self._read() as conn:
            if run_id is None:
                run_id = conn.execute(sa.select(sa.func.max(t.runs.c.id))).scalar()
            rows = conn.execute(sa.select(t.failures).where(t.failures.c.run_id == run_id)
                                .order_by(t.failures.c.id)).mappings().all()
            return [dict(row) for row in rows]

    # --- writing a document ---------------------------------------------------------------

    @_translated
    def has_document(self, text_hash: str) -> bool:
        with self._read() as conn:
            return conn.execute(sa.select(t.documents.c.id).where(t.documents.c.hash == text_hash)).first() \
                is not None

    @_translated
    def stored_hashes(self, hashes: Sequence[str]) -> set[str]:
        """Which of these text hashes are stored already (one indexed query per 500 hashes)."""
        found: set[str] = set()
        with self._read() as conn:
            for i in range(0, len(hashes), 500):
                found.update(conn.execute(sa.select(t.documents.c.hash).where(
                    t.documents.c.hash.in_(hashes[i:i + 500]))).scalars())
        return found

    def add_documents(self, batch: Sequence[tuple[Document, Record]]) -> list[AddResult]:
        """Store many documents in one transaction: all of them or, on any error, none; in order.

        A document already stored, or repeated within the batch, comes back with `added=False`.
        One commit per batch instead of per document is what makes bulk ingest fast on SQLite
        (each commit is a sync to disk); the batch stays atomic, so a crash loses at most it.
        The batch shares one `WriteCache` and uses the store's `Mirror` for candidate searches.
        """
        if not batch:
            return []
        try:
            with self._write_lock, self._writing(bulk=True) as (conn, cache):
                cache.batch_persons = [(p.name, p.country) for _, record in batch for p in record.persons]
                # `Document.hash` hashes the text on every call: once per document here.
                hashes = [document.hash for document, _ in batch]
                stored: dict[str, int] = {row.hash: int(row.id) for row in conn.execute(
                    sa.select(t.documents.c.hash, t.documents.c.id).where(t.documents.c.hash.in_(set(hashes))))}
                results = []
                for index, ((document, record), text_hash) in enumerate(zip(batch, hashes, strict=True)):
                    # At most this many documents still to insert (PostgreSQL reserves their ids at once).
                    cache.expected = len(batch) - index
                    existing = stored.get(text_hash)
                    if existing is not None:
                        results.append(AddResult(existing, added=False))
                        continue
                    result = self._insert_document(conn, document, record, text_hash)
                    stored[text_hash] = result.document_id
                    results.append(result)
                cache.flush(conn)
                return results
        except IntegrityError:
            # Another process stored one of these meanwhile; each alone sorts out which.
            return [self.add_document(document, record) for document, record in batch]
        except SQLAlchemyError as exc:
            raise StoreError(f"could not store a batch of {len(batch)} documents from "
                             f"{batch[0][0].source}: {exc}") from exc

    def add_document(self, document: Document, record: Record) -> AddResult:
        """Store a document with its record, resolving entities, events and agreements; atomic."""
        try:
            with self._write_lock, self._writing(bulk=False) as (conn, cache):
                existing = conn.execute(sa.select(t.documents.c.id)
                                        .where(t.documents.c.hash == document.hash)).scalar()
                if existing is not None:
                    return AddResult(int(existing), added=False)
                result = self._insert_document(conn, document, record, document.hash)
                cache.flush(conn)
                return result
        except IntegrityError:
            # Another process stored the same document between our check and insert.
            with self._read() as conn:
                existing = conn.execute(sa.select(t.documents.c.id)
                                        .where(t.documents.c.hash == document.hash)).scalar()
            if existing is None:
                raise StoreError(f"could not store {document.source}") from None
            return AddResult(int(existing), added=False)
        except SQLAlchemyError as exc:
            raise StoreError(f"could not store {document.source}: {exc}") from exc

    @contextlib.contextmanager
    def _writing(self, bulk: bool) -> Iterator[tuple[Connection, WriteCache]]:
        """A write transaction with its cache; the mirror is kept only if the transaction commits.

        Only bulk writes use (and load) the mirror: a single document, as the API posts it, is
        resolved with indexed queries rather than by reading the whole base into memory.
        """
        cache = WriteCache(bulk=bulk)
        committed = False
        try:
            with self.engine.begin() as conn:
                conn.info[_CACHE] = cache
                try:
                    yield conn, cache
                    cache.flush(conn)
                    # The pair and month counts the transaction's new links and events change.
                    pairs.apply(conn, cache.new_events)
                finally:
                    conn.info.pop(_CACHE, None)
            committed = True
            for (kind, key), row in cache.entities.items():
                if kind == "organization" and row is not None:
                    # An entity's id never changes (split makes a new entity): kept once committed.
                    self._organizations[key] = int(row[0])
        finally:
            mirror = self._mirror_state
            if mirror is not None:
                if not committed:
                    # Rolled back: the mirror may hold rows that were never stored.
                    self._mirror_state = None
                elif cache.synced:
                    # It saw every document of this transaction: count them in. A transaction that
                    # never synced (a single document) leaves the fingerprint behind, so the next
                    # bulk write finds it stale and reloads the mirror.
                    count, last, decision = mirror.fingerprint
                    mirror.fingerprint = (count + cache.documents, max(last, cache.last_document), decision)

    def _mirror(self, conn: Connection, cache: WriteCache) -> Mirror | None:
        """The mirror, checked once per transaction (and reloaded when someone else has written).

        Only called after this transaction has written a document: on SQLite it then holds the
        write lock, so the check sees the state every later query of the transaction sees.
        """
        if not cache.bulk or (not cache.synced and cache.documents == 0):
            return None
        if not cache.synced:
            # A reload must see every row this transaction has written so far.
            cache.flush(conn)
            count, last, decision = conn.execute(_DOCUMENT_FINGERPRINT).one()
            count, last, decision = int(count), int(last or 0), int(decision or 0)
            mirror = self._mirror_state
            if mirror is None or (count, last, decision) != (
                    mirror.fingerprint[0] + cache.documents, max(mirror.fingerprint[1], cache.last_document),
                    mirror.fingerprint[2]):
                mirror = self._mirror_state = Mirror.load(conn)
            mirror.fingerprint = (count, last, decision)
            # From here on the fingerprint counts this transaction's documents as it stores them.
            cache.synced, cache.documents, cache.last_document = True, 0, 0
        return self._mirror_state

    def _insert_document(self, conn: Connection, document: Document, record: Record, text_hash: str) -> AddResult:
        cache = _cache_of(conn)
        mirror = self._mirror(conn, cache) if cache is not None else None
        mine = shingles(document.text)
        my_sketch = sketch(mine)
        copy_of = self._find_copy(conn, document, record, mine, my_sketch, mirror)
        published = record.published or document.published
        document_id = self._insert_row(conn, t.documents, {
            "hash": text_hash, "source": document.source, "url": document.url, "title": record.title,
            "published": published, "language": record.language, "format": document.format,
            "text": document.text, "record": record.to_dict(), "copy_of": copy_of,
            "ingested_at": datetime.now(UTC), "sketch": my_sketch,
        })
        if cache is not None:
            cache.documents += 1
            cache.last_document = max(cache.last_document, document_id)
            # The first document of a batch is looked for without the mirror, which is synced now.
            mirror = self._mirror(conn, cache)
        if mirror is not None and copy_of is None:
            mirror.add_document(document_id, published, my_sketch)
        _insert_rows(conn, t.document_countries, [{"document_id": document_id, "country": c}
                                                  for c in record.countries])
        _insert_rows(conn, t.document_topics, [{"document_id": document_id, "topic": c} for c in record.topics])
        if copy_of is not None:
            # A syndicated copy is kept as a source but adds no new facts.
            self._link_copy(conn, document_id, copy_of)
            return AddResult(document_id, added=True, copy_of=copy_of)

        # In code order, so that new country entities get the same ids in every run (a set's order
        # changes with PYTHONHASHSEED).
        country_ids = {code: self._entity(conn, "country", code, country_label(code), code, {})
                       for code in sorted(set(record.countries) | {c for e in record.events for c in e.countries}
                                          | {c for a in record.agreements for c in a.countries})}
        org_ids: dict[str, int] = {}
        mentions: list[dict[str, Any]] = []
        for org in record.organizations:
            org_id, org_reason = self._organization(conn, org.name, org.acronym, org.kind, org.country)
            org_ids[org.name] = org_id
            if org.acronym:
                org_ids[org.acronym] = org_id
                self._alias(conn, org_id, org.acronym)
            found_by = "gazetteer" if org.confidence >= 0.9 else "naming pattern"
            mentions.extend(_mention_row(document_id, org_id, document.text[start:end], None, start, end,
                                         org.confidence, f"{found_by}; {org_reason}")
                            for start, end in org.evidence)
        person_ids: dict[str, int] = {}
        for person in record.persons:
            person_id, reason = self._person(conn, person.name, person.country)
            person_ids[person.name] = person_id
            mentions.extend(_mention_row(document_id, person_id, person.name, person.role, start, end,
                                         person.confidence, reason) for start, end in person.evidence)
            if person.role:
                self._role(conn, person_id, person.role, person.country, person.organization, published)
        for role_mention in record.role_mentions:
            # "Kazakhstan's energy minister": the person holding that role when the report was written.
            holder, why = self._role_holder(conn, role_mention.role, role_mention.country, published)
            if holder is not None:
                mentions.extend(_mention_row(document_id, holder, document.text[start:end], role_mention.role,
                                             start, end, role_mention.confidence, f"role-only mention: {why}")
                                for start, end in role_mention.evidence)
        # Nothing in the write path reads mentions back: one multi-row insert per batch.
        _insert_rows(conn, t.mentions, mentions)

        for event in record.events:
            evidence_text = " ".join(document.text[s:e] for s, e in event.evidence)
            facts = EventFacts(event.type, event.date, event.place, frozenset(event.countries), event.title,
                               person_surnames(event.persons), shingles(evidence_text, EVENT_SHINGLE_WORDS))
            event_id, reason = self._event(conn, facts, event.confidence)
            self._add_source(conn, t.event_sources, "event_id", event_id, document_id,
                             event.evidence, title=event.title, reason=reason)
            participants = {country_ids[c] for c in event.countries if c in country_ids}
            participants |= {org_ids[o] for o in event.organizations if o in org_ids}
            participants |= {person_ids[p] for p in event.persons if p in person_ids}
            self._link(conn, t.event_participants, "event_id", event_id, "entity_id", participants)
            if mirror is not None:
                mirror.add_participants(event_id, {c for c in event.countries if c in country_ids},
                                        self._names(conn, {person_ids[p] for p in event.persons
                                                           if p in person_ids}))
            self._link(conn, t.event_topics, "event_id", event_id, "topic", set(event.topics))

        for agreement in record.agreements:
            agreement_date = next((e.date for e in record.events if e.type in {"signing", "approval"}),
                                  published)
            facts_a = AgreementFacts(agreement.type, agreement.title, frozenset(agreement.countries),
                                     agreement.horizon, agreement_date)
            agreement_id = self._agreement(conn, facts_a, agreement.status, agreement.confidence)
            self._add_source(conn, t.agreement_sources, "agreement_id", agreement_id, document_id,
                             agreement.evidence, status=agreement.status, date=agreement_date)
            parties = {country_ids[c] for c in agreement.countries if c in country_ids}
            parties |= {org_ids[p] for p in agreement.parties if p in org_ids}
            self._link(conn, t.agreement_parties, "agreement_id", agreement_id, "entity_id", parties)
            if mirror is not None:
                mirror.add_countries(agreement_id, {c for c in agreement.countries if c in country_ids})
            self._link(conn, t.agreement_topics, "agreement_id", agreement_id, "topic",
                       set(agreement.topics))
        return AddResult(document_id, added=True)

    @staticmethod
    def _insert_row(conn: Connection, table: sa.Table, values: dict[str, Any]) -> int:
        """Insert a document, entity, event or agreement and return its id. In a write transaction
        the id is allocated by the write cache and the row waits for the batch's multi-row insert
        (one statement per row through SQLAlchemy cost more than the rest of the write path)."""
        cache = _cache_of(conn)
        if cache is None:
            return _new_id(conn.execute(table.insert(), values))
        return cache.add(conn, table.name, values, cache.expected if table is t.documents else 1)

    @staticmethod
    def _update_row(conn: Connection, table: sa.Table, row_id: int, **values: Any) -> None:
        """Change columns of a row `_insert_row` wrote: in the pending row when it is not sent yet."""
        cache = _cache_of(conn)
        pending = cache.unflushed[table.name].get(row_id) if cache is not None else None
        if pending is not None:
            pending.update(values)
        else:
            conn.execute(table.update().where(table.c.id == row_id).values(**values))

    def _add_source(self, conn: Connection, table: sa.Table, key: str, key_id: int, document_id: int,
                    evidence: Sequence[tuple[int, int]], **values: Any) -> None:
        """Link a document as a source; two facts of one report that resolve to one event or
        agreement share the link and their evidence is merged."""
        cache = _cache_of(conn)
        if table is t.event_sources and cache is not None and cache.synced and self._mirror_state is not None:
            # The event's evidence grows: its shingles are read again when next needed.
            self._mirror_state.forget_event_text(key_id)
        if cache is None:
            where = (table.c[key] == key_id, table.c.document_id == document_id)
            present = conn.execute(sa.select(table.c.evidence).where(*where)).scalar()
        else:
            # The document is new in this transaction: its only source rows are those written here.
            present = cache.sources.get((table.name, key_id, document_id))
        spans = sorted({tuple(s) for s in evidence} | {tuple(s) for s in (present or [])})
        merged = [list(s) for s in spans]
        if cache is not None:
            row = cache.unflushed_sources.get((table.name, key_id, document_id))
            cache.sources[(table.name, key_id, document_id)] = merged
            if row is not None:
                row["evidence"] = merged
                return
            if present is None:
                row = {key: key_id, "document_id": document_id, "evidence": merged, **values}
                cache.unflushed_sources[(table.name, key_id, document_id)] = row
                cache.pending[table.name].append(row)
                return
        if present is None:
            conn.execute(table.insert(), {key: key_id, "document_id": document_id, "evidence": merged, **values})
        else:
            conn.execute(table.update().where(table.c[key] == key_id, table.c.document_id == document_id)
                         .values(evidence=merged))

    def _find_copy(self, conn: Connection, document: Document, record: Record,
                   mine: frozenset[int], my_sketch: list[int], mirror: Mirror | None = None) -> int | None:
        """The stored original this document republishes (syndication), by shingle containment.

        Copies change headlines, bylines and often the date by a day, so candidates are the
        originals published within COPY_WINDOW_DAYS. Their stored sketches pick the few worth
        reading; only those texts are compared in full. With a mirror the candidates and their
        sketches come from memory (the same rows, in the same order).
        """
        published = record.published or document.published
        if published is None:
            return None
        probe = copy_probe(my_sketch)
        cache = _cache_of(conn)
        # Documents of this transaction not sent yet: their texts are at hand.
        unflushed = cache.unflushed["documents"] if cache is not None else {}
        suspects: Sequence[int]
        if mirror is not None:
            suspects = mirror.copy_suspects(published, COPY_WINDOW_DAYS, COPY_CANDIDATES, probe)
        else:
            if cache is not None:
                cache.flush(conn, "documents")
            # Documents stored before sketches existed have none: those are compared in full.
            suspects = [int(row.id) for row in conn.execute(
                sa.select(t.documents.c.id, t.documents.c.sketch).where(
                    t.documents.c.published.between(published - timedelta(days=COPY_WINDOW_DAYS),
                                                    published + timedelta(days=COPY_WINDOW_DAYS)),
                    t.documents.c.copy_of.is_(None)).order_by(t.documents.c.id).limit(COPY_CANDIDATES))
                if row.sketch is None or probe(row.sketch)]
        for candidate_id in suspects:
            pending = unflushed.get(candidate_id)
            text = pending["text"] if pending is not None else \
                conn.execute(_DOCUMENT_TEXT, {"id": candidate_id}).scalar_one()
            if self.matcher.copy_score(mine, shingles(text)) >= COPY_CONTAINMENT:
                return candidate_id
        return None

    def _link_copy(self, conn: Connection, document_id: int, original_id: int) -> None:
        cache = _cache_of(conn)
        if cache is not None:
            cache.flush(conn, "event_sources", "agreement_sources")
        for row in conn.execute(sa.select(t.event_sources).where(
                t.event_sources.c.document_id == original_id)).mappings().all():
            conn.execute(t.event_sources.insert().values(
                event_id=row["event_id"], document_id=document_id, title=row["title"],
                evidence=row["evidence"], reason=f"syndicated copy of document {original_id}"))
        for row in conn.execute(sa.select(t.agreement_sources).where(
                t.agreement_sources.c.document_id == original_id)).mappings().all():
            conn.execute(t.agreement_sources.insert().values(
                agreement_id=row["agreement_id"], document_id=document_id, status=row["status"],
                date=row["date"], evidence=row["evidence"]))

    def _find_entity(self, conn: Connection, kind: str, key: str) -> list[Any] | None:
        """[id, name] of the entity of this kind and key, or None; asked once per transaction."""
        cache = _cache_of(conn)
        if cache is not None and (kind, key) in cache.entities:
            return cache.entities[(kind, key)]
        if kind == "country" and key in self._countries:
            # Country entities are never renamed nor deleted: known for the life of the store.
            row: list[Any] | None = list(self._countries[key])
        else:
            found = conn.execute(_ENTITY_BY_KEY, {"kind": kind, "key": key}).first()
            row = None if found is None else [int(found.id), found.name]
            if row is not None and kind == "country" and cache is not None:
                # Stored before this transaction (its own rows are in the cache): safe to keep.
                self._countries[key] = (row[0], row[1])
        if cache is None:
            return row
        return cache.remember(kind, key, row)

    def _entity(self, conn: Connection, kind: str, key: str, name: str, country: str | None,
                attributes: dict[str, Any]) -> int:
        found = self._find_entity(conn, kind, key)
        if found is not None:
            if len(name) > len(found[1]):
                self._rename(conn, int(found[0]), name)
                found[1] = name
            return int(found[0])
        stored_key = key[:255]
        entity_id = self._insert_row(conn, t.entities, {
            "kind": kind, "key": stored_key, "name": name, "country": country, "attributes": attributes})
        cache = _cache_of(conn)
        if cache is not None:
            record = cache.remember(kind, stored_key, [entity_id, name])
            cache.new_entities.add(entity_id)
            cache.aliases[entity_id] = {}
            if cache.synced and self._mirror_state is not None:
                self._mirror_state.aliases[entity_id] = cache.aliases[entity_id]
            if kind == "person" and record is not None:
                cache.add_person(stored_key, record)
        self._alias(conn, entity_id, name)
        return entity_id

    def _rename(self, conn: Connection, entity_id: int, name: str) -> None:
        """Give an entity a (longer) name; the mirror's surnames of event participants follow."""
        cache = _cache_of(conn)
        pending = cache.unflushed["entities"].get(entity_id) if cache is not None else None
        if pending is not None:
            pending["name"] = name
        else:
            conn.execute(_ENTITY_RENAME, {"entity_id": entity_id, "name": name})
        if cache is not None and cache.synced and self._mirror_state is not None:
            self._mirror_state.renamed(entity_id, name)

    def _alias(self, conn: Connection, entity_id: int, alias: str, origin: str = "extracted") -> None:
        cache = _cache_of(conn)
        if cache is None:
            exists = conn.execute(_ALIAS_EXISTS, {"entity_id": entity_id, "alias": alias}).first()
            if exists is None:
                conn.execute(_ALIAS_INSERT, {"entity_id": entity_id, "alias": alias, "origin": origin})
            return
        known = self._aliases_of(conn, cache, entity_id)
        if alias not in known:
            # Queued: the alias lookups that could see it (organization candidates, manual rules)
            # send the queue first.
            cache.pending["aliases"].append({"entity_id": entity_id, "alias": alias, "origin": origin})
            known[alias] = None

    def _aliases_of(self, conn: Connection, cache: WriteCache, entity_id: int) -> dict[str, None]:
        """Every alias of an entity (read once per transaction, or once while the mirror holds
        for bulk writes, then kept current: the write cache and the mirror share the dict)."""
        known = cache.aliases.get(entity_id)
        if known is None:
            mirror = self._mirror_state if cache.synced else None
            known = None if mirror is None else mirror.aliases.get(entity_id)
            if known is None:
                known = dict.fromkeys(conn.execute(_ALIASES_OF, {"entity_id": entity_id}).scalars())
                if mirror is not None:
                    mirror.aliases[entity_id] = known
            cache.aliases[entity_id] = known
        return known

    def _person(self, conn: Connection, name: str, country: str | None) -> tuple[int, str]:
        """The person entity a name of `country` resolves to, and why: a decision recorded by
        `split`, then the manual alias file, then the same key, then a fuzzy surname match."""
        manual = self._manual_entity(conn, "person", name, country)
        if manual is not None:
            return manual
        key = person_key(name, country)
        cache = _cache_of(conn)
        if cache is not None and cache.batch_persons:
            self._prefetch_persons(conn, cache)
        found_row = self._find_entity(conn, "person", key)
        found = None if found_row is None else int(found_row[0])
        if found is not None and self._forbidden(conn, found, name) is None:
            self._alias(conn, found, name)
            return found, "same normalised name and country"
        surname = normalise_name(name).split()[-1] if normalise_name(name) else ""
        prefix = f"{country or '--'}:{surname[:3]}"
        for candidate in self._persons_from(conn, prefix):
            candidate_id, candidate_name = int(candidate[0]), str(candidate[1])
            same, reason = self.matcher.same_person(name, candidate_name)
            if same and self._forbidden(conn, candidate_id, name) is None:
                if len(name) > len(candidate_name):
                    self._rename(conn, candidate_id, name)
                    candidate[1] = name
                self._alias(conn, candidate_id, name)
                return candidate_id, reason
        if found is not None:
            # The key is taken by an entity this name may not join: a new person with its own key.
            key = self._free_key(conn, "person", key)
        return self._entity(conn, "person", key, name, country, {}), "new person"

    @staticmethod
    def _prefetch_persons(conn: Connection, cache: WriteCache) -> None:
        """Read, for every person name of the batch, its key's entity and its surname range's persons
        in a few queries, instead of two per name (what `_find_entity` and `_persons_from` read)."""
        keys: set[str] = set()
        prefixes: set[str] = set()
        for name, country in cache.batch_persons:
            keys.add(person_key(name, country))
            normalised = normalise_name(name)
            surname = normalised.split()[-1] if normalised else ""
            prefixes.add(f"{country or '--'}:{surname[:3]}")
        cache.batch_persons = []
        wanted = sorted(k for k in keys if ("person", k) not in cache.entities)
        for i in range(0, len(wanted), 500):
            found = {row.key: [int(row.id), row.name] for row in conn.execute(
                _PERSONS_BY_KEY, {"keys": wanted[i:i + 500]})}
            for key in wanted[i:i + 500]:
                cache.remember("person", key, found.get(key))
        ranges = sorted(p for p in prefixes if p not in cache.person_ranges)
        for i in range(0, len(ranges), _RANGES_PER_QUERY):
            chunk = ranges[i:i + _RANGES_PER_QUERY]
            members: dict[str, list[list[Any]]] = {p: [] for p in chunk}
            # One statement shape whatever the chunk (padded with its last prefix), compiled once.
            padded = chunk + [chunk[-1]] * (_RANGES_PER_QUERY - len(chunk))
            bounds = {f"low{n}": p for n, p in enumerate(padded)} | \
                {f"high{n}": p + "\uffff" for n, p in enumerate(padded)}
            # A key in a prefix's range starts with the prefix: only those prefixes are tested.
            lengths = sorted({len(p) for p in chunk})
            # Persons this transaction created are in the ranges too.
            cache.flush(conn, "entities")
            for row in conn.execute(_PERSON_RANGES, bounds):
                record = cache.records.setdefault(int(row.id), [int(row.id), row.name])
                for size in lengths:
                    p = row.key[:size]
                    # The same test as the range in SQL (keys compare by code point, as the
                    # databases compare them: bytes of UTF-8 in SQLite, the C collation here).
                    if p in members and p <= row.key < p + "\uffff":
                        members[p].append(record)
            cache.person_ranges.update(members)

    @staticmethod
    def _persons_from(conn: Connection, prefix: str) -> list[list[Any]]:
        """[id, name] of the persons whose key starts with `prefix`, by id (once per transaction)."""
        cache = _cache_of(conn)
        if cache is not None and prefix in cache.person_ranges:
            return list(cache.person_ranges[prefix])
        if cache is not None:
            cache.flush(conn, "entities")
        # A key range rather than LIKE: SQLite uses the (kind, key) index only for a range.
        rows = [[int(row.id), row.name] for row in conn.execute(
            _PERSON_RANGE, {"low": prefix, "high": prefix + "\uffff"})]
        if cache is None:
            return rows
        members = [cache.records.setdefault(row[0], row) for row in rows]
        cache.person_ranges[prefix] = members
        return list(members)

    def _organization(self, conn: Connection, name: str, acronym: str | None, kind: str,
                      country: str | None) -> tuple[int, str]:
        """The organization entity a name resolves to, and why: manual rules, then the same key
        (case, punctuation, legal form), then an acronym or the same acronym of a similar name."""
        manual = self._manual_entity(conn, "organization", name, country, {"kind": kind, "acronym": acronym})
        if manual is not None:
            return manual
        key = org_key(name)
        found = self._organizations.get(key)
        if found is None:
            found_row = self._find_entity(conn, "organization", key)
            found = None if found_row is None else int(found_row[0])
        if found is not None and self._forbidden(conn, found, name) is None:
            self._alias(conn, found, name)
            return found, "same name up to case, punctuation and legal form"
        # Candidates are the organizations known by this name, its acronym or an acronym the
        # name spells (indexed alias lookups), not every organization stored.
        probes = {name, *([acronym] if acronym else [])}
        if not looks_like_acronym(name):
            probes |= set(acronym_of(name))
        query = sa.select(t.entities.c.id, t.entities.c.name, t.entities.c.attributes).where(
            t.entities.c.kind == "organization", t.entities.c.id.in_(
                sa.select(t.aliases.c.entity_id).where(t.aliases.c.alias.in_(sorted(probes)))))
        if country is not None:
            query = query.where(sa.or_(t.entities.c.country == country, t.entities.c.country.is_(None)))
        cache = _cache_of(conn)
        if cache is not None:
            cache.flush(conn, "aliases")
        for candidate in conn.execute(query.order_by(t.entities.c.id).limit(ORGANIZATION_CANDIDATES)).all():
            attributes = candidate.attributes or {}
            same, reason = self.matcher.same_organization(name, acronym, candidate.name,
                                                          attributes.get("acronym"))
            if same and self._forbidden(conn, int(candidate.id), name) is None:
                self._alias(conn, int(candidate.id), name)
                return int(candidate.id), reason
        if found is not None:
            key = self._free_key(conn, "organization", key)
        return self._entity(conn, "organization", key, name, country,
                            {"kind": kind, "acronym": acronym}), "new organization"

    def _manual_entity(self, conn: Connection, kind: str, name: str, country: str | None,
                       attributes: dict[str, Any] | None = None) -> tuple[int, str] | None:
        """The entity a manual decision binds the name to: a `split` or the alias file's `same`."""
        wanted = fold_name(name)
        cache = _cache_of(conn)
        pinned = cache.pinned.get(kind) if cache is not None else None
        if pinned is None:
            # Only `split` writes these aliases, never the ingest: read once per transaction.
            if cache is not None:
                cache.flush(conn, "aliases")
            pinned = [(int(row.entity_id), row.alias) for row in conn.execute(_PINNED, {"kind": kind})]
            if cache is not None:
                cache.pinned[kind] = pinned
        for entity_id, alias in pinned:
            if fold_name(alias) == wanted:
                self._alias(conn, entity_id, name)
                return entity_id, f"name bound to entity {entity_id} by a split decision"
        group = self.matcher.rules.group_of(name)
        if group is None:
            return None
        key = f"same:{group}"
        existed_row = self._find_entity(conn, kind, key)
        existed = None if existed_row is None else existed_row[0]
        if existed is None:
            if cache is not None:
                cache.flush(conn, "aliases")
            # An entity stored before the rule was written, under another name of the group.
            for row in conn.execute(sa.select(t.aliases.c.entity_id, t.aliases.c.alias).join(
                    t.entities, t.entities.c.id == t.aliases.c.entity_id).where(t.entities.c.kind == kind)
                    .order_by(t.aliases.c.entity_id)).all():
                if self.matcher.rules.group_of(row.alias) == group:
                    existed = row.entity_id
                    break
        entity_id = int(existed) if existed is not None else \
            self._entity(conn, kind, key, name, country, attributes or {})
        self._alias(conn, entity_id, name)
        return entity_id, (f"manual alias file: same as {group}" if existed is not None
                           else "manual alias file: first name of its group")

    def _forbidden(self, conn: Connection, entity_id: int, name: str) -> str | None:
        """Why `name` may not join the entity (a `distinct` rule or a split decision), if it may not."""
        cache = _cache_of(conn)
        rules = self.matcher.rules
        wanted = fold_name(name)
        if cache is None:
            names: Collection[str] = list(conn.execute(_ALIASES_OF, {"entity_id": entity_id}).scalars())
        elif any(wanted in group for group in rules.distinct):
            names = list(self._aliases_of(conn, cache, entity_id))
        else:
            # No `distinct` rule names it, so the entity's aliases cannot matter: none are read.
            names = ()
        rule = rules.forbids(name, names)
        if rule:
            return rule
        if cache is None:
            decisions = [(int(row.id), list(row.names)) for row in conn.execute(
                _DECISIONS.where(t.resolution_decisions.c.source_entity_id == entity_id))]
        else:
            if cache.decisions is None:
                # Split decisions are few and only `split` writes them: all read once per transaction.
                cache.decisions = defaultdict(list)
                for row in conn.execute(_DECISIONS.order_by(t.resolution_decisions.c.id)):
                    cache.decisions[int(row.source_entity_id)].append((int(row.id), list(row.names)))
            decisions = cache.decisions.get(entity_id, [])
        for decision_id, decided in decisions:
            if wanted in decided:
                return f"split decision {decision_id}: {name} was detached from entity {entity_id}"
        return None

    @staticmethod
    def _free_key(conn: Connection, kind: str, key: str) -> str:
        """`key` made unique with a suffix, for an entity that must stay apart from its namesake."""
        cache = _cache_of(conn)
        if cache is not None:
            cache.flush(conn, "entities")
        for n in range(2, 1000):
            candidate = f"{key}#{n}"
            if cache is not None and cache.entities.get((kind, candidate)) is not None:
                continue
            if conn.execute(sa.select(t.entities.c.id).where(
                    t.entities.c.kind == kind, t.entities.c.key == candidate)).first() is None:
                return candidate
        raise StoreError(f"too many entities share the key {key}")

    def _role(self, conn: Connection, person_id: int, role: str, country: str | None,
              organization: str | None, seen: date | None) -> None:
        cache = _cache_of(conn)
        slot = (person_id, role, country)
        if cache is not None and (slot in cache.roles or person_id in cache.new_entities):
            row = cache.roles.get(slot)
        else:
            found = conn.execute(_ROLE_ROW_NO_COUNTRY if country is None else _ROLE_ROW,
                                 {"entity_id": person_id, "role": role, "country": country}).mappings().first()
            row = None if found is None else dict(found)
            if cache is not None and row is not None:
                cache.roles[slot] = row
        if row is None:
            values = {"entity_id": person_id, "role": role, "country": country, "organization": organization,
                      "first_seen": seen, "last_seen": seen}
            if cache is None:
                conn.execute(t.person_roles.insert(), values)
            else:
                # Queued for the batch's multi-row insert; the role-holder lookup sends it first.
                cache.roles[slot] = values
                cache.unflushed_roles[slot] = values
                cache.pending["person_roles"].append(values)
            return
        first, last = row["first_seen"], row["last_seen"]
        if seen is not None:
            first = min(first, seen) if first else seen
            last = max(last, seen) if last else seen
        changes = {"first_seen": first, "last_seen": last, "organization": row["organization"] or organization}
        if cache is not None:
            if all(row[k] == v for k, v in changes.items()):
                # Nothing new about the role: the same row, without an UPDATE.
                return
            row.update(changes)
            if slot in cache.unflushed_roles:
                return
        if "id" in row:
            conn.execute(_ROLE_UPDATE, {"role_id": row["id"], **changes})
        else:
            # A row this transaction inserted in a multi-row insert: found by its unique key.
            conn.execute(_ROLE_UPDATE_NO_COUNTRY if country is None else _ROLE_UPDATE_BY_KEY,
                         {"b_entity_id": person_id, "b_role": role, "b_country": country, **changes})

    def _mention(self, conn: Connection, document_id: int, entity_id: int, surface: str,
                 role: str | None, start: int, end: int, confidence: float, reason: str) -> None:
        conn.execute(t.mentions.insert(), [_mention_row(document_id, entity_id, surface, role, start, end,
                                                        confidence, reason)])

    def _event(self, conn: Connection, facts: EventFacts, confidence: float) -> tuple[int, str]:
        cache = _cache_of(conn)
        mirror = self._mirror(conn, cache) if cache is not None else None
        if mirror is not None:
            return self._event_from_mirror(conn, mirror, facts, confidence)
        if cache is not None:
            # Events of this transaction are candidates too.
            cache.flush(conn, "events")
        if facts.date is not None:
            low, high = _window(facts.date)
            rows = conn.execute(_EVENT_CANDIDATES, {"type": facts.type, "low": low, "high": high}).mappings().all()
        else:
            rows = conn.execute(_EVENT_CANDIDATES_UNDATED, {"type": facts.type}).mappings().all()
        place = canonical_place(facts.place)
        rows = [row for row in rows if not (place and row["place"] and canonical_place(row["place"]) != place)]
        people: dict[int, list[Any]] = defaultdict(list)
        if rows:
            if cache is not None:
                cache.flush(conn, "event_participants")
            # The participants of every candidate in one query rather than one per candidate.
            for person in conn.execute(_EVENT_PEOPLE, {"ids": [row["id"] for row in rows]}):
                people[int(person.event_id)].append(person)
        for row in rows:
            countries = frozenset(p.key for p in people[int(row["id"])] if p.kind == "country")
            persons = person_surnames([p.name for p in people[int(row["id"])] if p.kind == "person"])
            old = EventFacts(row["type"], row["date"], row["place"], countries, row["title"], persons,
                             frozenset())
            same, reason = self.matcher.same_event(facts, old)
            if not same and reason == NOTHING_IN_COMMON:
                # Only wording could still back the match: read the sources' evidence now.
                old = replace(old, text=self._event_text(conn, int(row["id"])))
                same, reason = self.matcher.same_event(facts, old)
            if same:
                if not row["place"] and facts.place:
                    self._update_row(conn, t.events, int(row["id"]), place=facts.place)
                return int(row["id"]), reason
        event_id = self._insert_row(conn, t.events, {
            "type": facts.type, "title": facts.title, "date": facts.date, "place": facts.place,
            "confidence": confidence})
        if cache is not None:
            cache.new_events.add(event_id)
        return event_id, "first report of this event"

    def _event_from_mirror(self, conn: Connection, mirror: Mirror, facts: EventFacts,
                           confidence: float) -> tuple[int, str]:
        """`_event` with the candidates, their participants and their evidence from the mirror:
        the same candidates in the same order, compared on the same facts."""
        place = canonical_place(facts.place)
        for entry in mirror.event_candidates(facts.type, facts.date, EVENT_DATE_WINDOW_DAYS, EVENT_CANDIDATES):
            if place and entry.place and canonical_place(entry.place) != place:
                continue
            old = EventFacts(entry.type, entry.date, entry.place, entry.countries, entry.title,
                             mirror.persons_of(entry), frozenset())
            same, reason = self.matcher.same_event(facts, old)
            if not same and reason == NOTHING_IN_COMMON:
                shingled = mirror.event_text(entry.id)
                if shingled is None:
                    shingled = self._event_text(conn, entry.id)
                    mirror.keep_event_text(entry.id, shingled)
                same, reason = self.matcher.same_event(facts, replace(old, text=shingled))
            if same:
                if not entry.place and facts.place:
                    self._update_row(conn, t.events, entry.id, place=facts.place)
                    entry.place = facts.place
                return entry.id, reason
        event_id = self._insert_row(conn, t.events, {
            "type": facts.type, "title": facts.title, "date": facts.date, "place": facts.place,
            "confidence": confidence})
        cache = _cache_of(conn)
        if cache is not None:
            cache.new_events.add(event_id)
        mirror.add_event(EventEntry(event_id, facts.type, facts.date, facts.place, facts.title))
        return event_id, "first report of this event"

    @staticmethod
    def _names(conn: Connection, entity_ids: set[int]) -> dict[int, str]:
        """The current names of entities: from the write cache, or read for those it lacks."""
        cache = _cache_of(conn)
        names: dict[int, str] = {}
        missing = []
        for entity_id in entity_ids:
            record = cache.records.get(entity_id) if cache is not None else None
            if record is None:
                missing.append(entity_id)
            else:
                names[entity_id] = str(record[1])
        if missing:
            names.update((int(i), str(n)) for i, n in conn.execute(
                sa.select(t.entities.c.id, t.entities.c.name).where(t.entities.c.id.in_(missing))))
        return names

    @staticmethod
    def _event_text(conn: Connection, event_id: int) -> frozenset[int]:
        """Shingles of the evidence sentences every source gives for an event (sources in the
        order they were stored, as SQLite's primary key returned them before this was said)."""
        cache = _cache_of(conn)
        if cache is not None:
            cache.flush(conn, "event_sources")
        parts: list[str] = []
        for evidence, text in conn.execute(sa.select(t.event_sources.c.evidence, t.documents.c.text).join(
                t.documents, t.documents.c.id == t.event_sources.c.document_id).where(
                t.event_sources.c.event_id == event_id, t.documents.c.copy_of.is_(None))
                .order_by(t.event_sources.c.document_id)):
            parts.extend(text[s:e] for s, e in evidence or [])
        return shingles(" ".join(parts), EVENT_SHINGLE_WORDS)

    def _agreement(self, conn: Connection, facts: AgreementFacts, status: str | None,
                   confidence: float) -> int:
        cache = _cache_of(conn)
        mirror = self._mirror(conn, cache) if cache is not None else None
        candidates: list[tuple[Any, frozenset[str]]]
        if mirror is not None:
            candidates = [(entry, entry.countries) for entry in
                          mirror.agreement_candidates(facts.type, facts.countries, AGREEMENT_CANDIDATES)]
        else:
            if cache is not None:
                cache.flush(conn, "agreement_parties")
            candidates = self._agreement_candidates(conn, facts)
        for row, countries in candidates:
            old = AgreementFacts(row.type, row.title, countries, row.horizon, row.date)
            same, _ = self.matcher.same_agreement(facts, old)
            if same:
                new_status, new_horizon = _later_status(row.status, status), row.horizon or facts.horizon
                if mirror is None or (new_status, new_horizon) != (row.status, row.horizon):
                    self._update_row(conn, t.agreements, int(row.id), status=new_status, horizon=new_horizon)
                if mirror is not None:
                    row.status, row.horizon = new_status, new_horizon
                return int(row.id)
        agreement_id = self._insert_row(conn, t.agreements, {
            "type": facts.type, "title": facts.title, "status": status, "horizon": facts.horizon,
            "date": facts.date, "confidence": confidence})
        if cache is not None:
            cache.new_agreements.add(agreement_id)
        if mirror is not None:
            mirror.add_agreement(AgreementEntry(agreement_id, facts.type, facts.title, facts.horizon, facts.date,
                                                status))
        return agreement_id

    @staticmethod
    def _agreement_candidates(conn: Connection, facts: AgreementFacts) -> list[tuple[Any, frozenset[str]]]:
        """Stored agreements that could be this one, with their party countries; newest first.

        The matcher wants party countries overlapping by half (Jaccard), so a candidate shares at
        least half of this agreement's countries: one indexed join finds those, instead of
        reading every agreement of the type. Bulk writes ask the store's `Mirror` instead, which
        answers the same from memory.
        """
        parties = t.agreement_parties
        countries = sa.select(parties.c.agreement_id, t.entities.c.key).join(
            t.entities, t.entities.c.id == parties.c.entity_id).where(t.entities.c.kind == "country")
        if facts.countries:
            shared = countries.where(t.entities.c.key.in_(sorted(facts.countries))).subquery()
            ids = (sa.select(shared.c.agreement_id).group_by(shared.c.agreement_id)
                   .having(sa.func.count() >= (len(facts.countries) + 1) // 2))
            query = sa.select(t.agreements).where(t.agreements.c.type == facts.type, t.agreements.c.id.in_(ids))
        else:
            query = sa.select(t.agreements).where(t.agreements.c.type == facts.type, ~t.agreements.c.id.in_(
                countries.with_only_columns(parties.c.agreement_id)))
        rows = conn.execute(query.order_by(t.agreements.c.id.desc()).limit(AGREEMENT_CANDIDATES)).all()
        if not rows:
            return []
        party_countries: dict[int, set[str]] = defaultdict(set)
        for agreement_id, key in conn.execute(countries.where(parties.c.agreement_id.in_([r.id for r in rows]))):
            party_countries[int(agreement_id)].add(str(key))
        return [(row, frozenset(party_countries[int(row.id)])) for row in rows]

    @staticmethod
    def _link(conn: Connection, table: sa.Table, left: str, left_id: int, right: str,
              values: set[Any]) -> None:
        if not values:
            return
        cache = _cache_of(conn)
        if cache is None:
            linked = set(conn.execute(sa.select(table.c[right]).where(table.c[left] == left_id)).scalars())
            new = [{left: left_id, right: value} for value in values - linked]
            if new:
                conn.execute(table.insert(), new)
            return
        slot = (table.name, left_id)
        present = cache.links.get(slot)
        if present is None:
            fresh = left_id in (cache.new_events if left == "event_id" else cache.new_agreements)
            present = set() if fresh else set(conn.execute(
                _linked_statement(table, left, right), {"left_id": left_id}).scalars())
            cache.links[slot] = present
        pairs.linking(conn, table.name, left_id, present, values)
        # Rows wait for one multi-row insert, sent before anything reads the table.
        cache.pending[table.name].extend({left: left_id, right: value} for value in sorted(values - present))
        present |= values

    # --- reading ---------------------------------------------------------------------------

    @_translated
    def summary(self, top: int = 10) -> Summary:
        """Counts of everything in the knowledge base and the most frequent partner pairs."""
        with self._read() as conn:
            def count(table: sa.Table, *where: Any) -> int:
                return int(conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar() or 0)

            result = Summary(
                documents=count(t.documents),
                events=count(t.events),
                agreements=count(t.agreements),
                persons=count(t.entities, t.entities.c.kind == "person"),
                organizations=count(t.entities, t.entities.c.kind == "organization"),
                countries=count(t.entities, t.entities.c.kind == "country"),
                failures=count(t.failures),
            )
            result.event_types = {row.type: int(row.n) for row in conn.execute(
                sa.select(t.events.c.type, sa.func.count().label("n")).group_by(t.events.c.type))}
            result.top_pairs = self._pairs(conn, top)
            return result

    def _pairs(self, conn: Connection, limit: int | None = None) -> list[tuple[str, str, int]]:
        """Country pairs by the number of events both took part in, most first (kept between reads)."""
        return aggregates.event_pairs(conn, limit)

    @_translated
    def country_pairs(self) -> list[tuple[str, str, int]]:
        """Every pair of countries that took part in the same event, with the number of events."""
        with self._read() as conn:
            return self._pairs(conn)

    def _event_query(self, filters: EventFilter) -> sa.Select[Any]:
        query = sa.select(t.events)
        if filters.type:
            query = query.where(t.events.c.type == filters.type)
        if filters.since:
            query = query.where(t.events.c.date >= filters.since)
        if filters.until:
            query = query.where(t.events.c.date <= filters.until)
        if filters.topic and not filters.country:
            query = query.where(t.events.c.id.in_(
                sa.select(t.event_topics.c.event_id).where(t.event_topics.c.topic == filters.topic)))
        if filters.country:
            of_country = (sa.select(t.event_participants.c.event_id).join(
                t.entities, t.entities.c.id == t.event_participants.c.entity_id)
                .where(t.entities.c.kind == "country", t.entities.c.key == filters.country.upper()))
            if filters.topic:
                # Both: walk the country's events and test the topic by primary key. Two IN lists made
                # SQLite read every event on the topic (a large share of the base) and test the country.
                of_country = of_country.where(sa.exists().where(
                    t.event_topics.c.event_id == t.event_participants.c.event_id,
                    t.event_topics.c.topic == filters.topic))
            query = query.where(t.events.c.id.in_(of_country))
        if filters.query:
            # Text in the title or place, or anywhere in a source report (full-text index).
            like = f"%{filters.query.lower()}%"
            reported = sa.select(t.event_sources.c.event_id).where(t.event_sources.c.document_id.in_(
                search.matching_documents(self.engine.dialect.name, filters.query)))
            query = query.where(sa.or_(sa.func.lower(t.events.c.title).like(like),
                                       sa.func.lower(t.events.c.place).like(like),
                                       t.events.c.id.in_(reported)))
        if filters.after_id is not None:
            query = query.where(t.events.c.id > filters.after_id)
        return query

    @_translated
    def events(self, filters: EventFilter | None = None) -> list[EventRow]:
        """Events matching the filters, most recent first."""
        filters = filters or EventFilter()
        with self._read() as conn:
            query = self._event_query(filters).order_by(
                t.events.c.date.desc().nulls_last(), t.events.c.id).limit(filters.limit)
            rows = conn.execute(query).mappings().all()
            return self._event_rows(conn, rows)

    def _event_rows(self, conn: Connection, rows: Sequence[Any]) -> list[EventRow]:
        ids = [row["id"] for row in rows]
        countries: dict[int, list[str]] = {i: [] for i in ids}
        topics: dict[int, list[str]] = {i: [] for i in ids}
        sources: dict[int, int] = dict.fromkeys(ids, 0)
        if ids:
            for event_id, key in conn.execute(sa.select(t.event_participants.c.event_id, t.entities.c.key)
                                              .join(t.entities, t.entities.c.id == t.event_participants.c.entity_id)
                                              .where(t.event_participants.c.event_id.in_(ids),
                                                     t.entities.c.kind == "country")):
                countries[event_id].append(key)
            for event_id, topic in conn.execute(sa.select(t.event_topics).where(
                    t.event_topics.c.event_id.in_(ids))):
                topics[event_id].append(topic)
            for event_id, n in conn.execute(sa.select(t.event_sources.c.event_id, sa.func.count())
                                            .where(t.event_sources.c.event_id.in_(ids))
                                            .group_by(t.event_sources.c.event_id)):
                sources[event_id] = int(n)
        return [EventRow(row["id"], row["type"], row["title"], row["date"], row["place"],
                         tuple(sorted(countries[row["id"]])), tuple(sorted(topics[row["id"]])),
                         sources[row["id"]], row["confidence"]) for row in rows]

    @_translated
    def event(self, event_id: int) -> EventDetail:
        """One event with its participants, related agreements and every source's evidence."""
        with self._read() as conn:
            row = conn.execute(sa.select(t.events).where(t.events.c.id == event_id)).mappings().first()
            if row is None:
                raise NotFound(f"no event with id {event_id}")
            event_row = self._event_rows(conn, [row])[0]
            participants = conn.execute(sa.select(t.entities.c.id, t.entities.c.kind, t.entities.c.name)
                                        .join(t.event_participants,
                                              t.event_participants.c.entity_id == t.entities.c.id)
                                        .where(t.event_participants.c.event_id == event_id)).all()
            sources = []
            document_ids = []
            for source in conn.execute(sa.select(t.event_sources, t.documents.c.source, t.documents.c.title
                                                 .label("doc_title"), t.documents.c.published,
                                                 t.documents.c.text)
                                       .join(t.documents, t.documents.c.id == t.event_sources.c.document_id)
                                       .where(t.event_sources.c.event_id == event_id)
                                       .order_by(t.documents.c.published, t.documents.c.id)).mappings():
                text = source["text"]
                sentences = tuple((s, e, text[s:e]) for s, e in source["evidence"] if 0 <= s < e <= len(text))
                sources.append(SourceEvidence(source["document_id"], source["source"], source["doc_title"],
                                              source["published"], sentences, source["reason"]))
                document_ids.append(source["document_id"])
            related = conn.execute(sa.select(t.agreements.c.id, t.agreements.c.title).distinct()
                                   .join(t.agreement_sources,
                                         t.agreement_sources.c.agreement_id == t.agreements.c.id)
                                   .where(t.agreement_sources.c.document_id.in_(document_ids))).all()
            return EventDetail(
                event_row,
                tuple((p.id, p.name) for p in participants if p.kind == "person"),
                tuple((p.id, p.name) for p in participants if p.kind == "organization"),
                tuple((a.id, a.title) for a in related),
                tuple(sources),
            )

    @staticmethod
    def _agreement_query(filters: EventFilter) -> sa.Select[Any]:
        """Agreements matching the filters, unordered (listing and keyset paging add their own)."""
        query = sa.select(t.agreements)
        if filters.type:
            query = query.where(t.agreements.c.type == filters.type)
        if filters.since:
            query = query.where(t.agreements.c.date >= filters.since)
        if filters.until:
            query = query.where(t.agreements.c.date <= filters.until)
        if filters.topic:
            query = query.where(t.agreements.c.id.in_(sa.select(t.agreement_topics.c.agreement_id)
                                                      .where(t.agreement_topics.c.topic == filters.topic)))
        if filters.country:
            query = query.where(t.agreements.c.id.in_(
                sa.select(t.agreement_parties.c.agreement_id).join(
                    t.entities, t.entities.c.id == t.agreement_parties.c.entity_id)
                .where(t.entities.c.kind == "country", t.entities.c.key == filters.country.upper())))
        if filters.query:
            # `%` and `_` in the user's text are literal characters, not LIKE wildcards.
            query = query.where(sa.func.lower(t.agreements.c.title).contains(filters.query.lower(), autoescape=True))
        return query

    @_translated
    def agreements(self, filters: EventFilter | None = None) -> list[AgreementRow]:
        """Agreements matching the filters (type, country, topic, date, text)."""
        filters = filters or EventFilter()
        with self._read() as conn:
            query = self._agreement_query(filters)
            if filters.after_id is not None:
                query = query.where(t.agreements.c.id > filters.after_id)
            rows = conn.execute(query.order_by(t.agreements.c.date.desc().nulls_last(), t.agreements.c.id)
                                .limit(filters.limit)).mappings().all()
            return self._agreement_rows(conn, rows)

    def _agreement_row(self, conn: Connection, row: Any) -> AgreementRow:
        return self._agreement_rows(conn, [row])[0]

    def _agreement_rows(self, conn: Connection, rows: Sequence[Any]) -> list[AgreementRow]:
        """Agreement rows with their parties, topics and source counts: three queries for the whole page."""
        ids = [row["id"] for row in rows]
        parties: dict[int, list[Any]] = {i: [] for i in ids}
        topics: dict[int, list[str]] = {i: [] for i in ids}
        sources: dict[int, int] = dict.fromkeys(ids, 0)
        if ids:
            # Parties in id order of the link rows, as the one-agreement query returned them.
            for party in conn.execute(sa.select(t.agreement_parties.c.agreement_id, t.entities.c.kind,
                                                t.entities.c.key, t.entities.c.name)
                                      .join(t.entities, t.entities.c.id == t.agreement_parties.c.entity_id)
                                      .where(t.agreement_parties.c.agreement_id.in_(ids))
                                      .order_by(t.agreement_parties.c.agreement_id,
                                                t.agreement_parties.c.entity_id)):
                parties[party.agreement_id].append(party)
            for agreement_id, topic in conn.execute(sa.select(t.agreement_topics).where(
                    t.agreement_topics.c.agreement_id.in_(ids))):
                topics[agreement_id].append(topic)
            for agreement_id, n in conn.execute(sa.select(t.agreement_sources.c.agreement_id, sa.func.count())
                                                .where(t.agreement_sources.c.agreement_id.in_(ids))
                                                .group_by(t.agreement_sources.c.agreement_id)):
                sources[agreement_id] = int(n)
        return [AgreementRow(row["id"], row["type"], row["title"], row["status"], row["horizon"], row["date"],
                             tuple(sorted(p.key for p in parties[row["id"]] if p.kind == "country")),
                             tuple(p.name for p in parties[row["id"]] if p.kind == "organization"),
                             tuple(sorted(topics[row["id"]])), sources[row["id"]]) for row in rows]

    @_translated
    def agreement(self, agreement_id: int) -> tuple[AgreementRow, list[dict[str, Any]]]:
        """One agreement and its life: every report of it, in date order, with status and evidence."""
        with self._read() as conn:
            row = conn.execute(sa.select(t.agreements).where(t.agreements.c.id == agreement_id)
                               ).mappings().first()
            if row is None:
                raise NotFound(f"no agreement with id {agreement_id}")
            history = []
            for source in conn.execute(sa.select(t.agreement_sources, t.documents.c.source,
                                                 t.documents.c.title, t.documents.c.text)
                                       .join(t.documents, t.documents.c.id == t.agreement_sources.c.document_id)
                                       .where(t.agreement_sources.c.agreement_id == agreement_id)
                                       .order_by(t.agreement_sources.c.date)).mappings():
                text = source["text"]
                history.append({"document_id": source["document_id"], "source": source["source"],
                                "title": source["title"], "date": source["date"], "status": source["status"],
                                "evidence": [text[s:e] for s, e in source["evidence"] if 0 <= s < e <= len(text)]})
            return self._agreement_row(conn, row), history

    @_translated
    def entities(self, kind: str | None = None, country: str | None = None, query: str | None = None,
                 limit: int = 100, after_id: int | None = None) -> list[EntityRow]:
        """Persons, organizations or countries, with how often they are mentioned."""
        with self._read() as conn:
            mention_count = (sa.select(sa.func.count()).select_from(t.mentions)
                             .where(t.mentions.c.entity_id == t.entities.c.id).scalar_subquery())
            stmt = sa.select(t.entities, mention_count.label("mentions"))
            if kind:
                stmt = stmt.where(t.entities.c.kind == kind)
            if country:
                stmt = stmt.where(t.entities.c.country == country.upper())
            if query:
                stmt = stmt.where(sa.func.lower(t.entities.c.name).like(f"%{query.lower()}%"))
            if after_id is not None:
                stmt = stmt.where(t.entities.c.id > after_id)
            rows = conn.execute(stmt.order_by(t.entities.c.id).limit(limit)).mappings().all()
            return [EntityRow(r["id"], r["kind"], r["name"], r["country"], r["attributes"] or {},
                              int(r["mentions"] or 0)) for r in rows]

    @_translated
    def entity(self, entity_id: int) -> EntityDetail:
        """One entity with its aliases, role history, mentions (and why each was merged) and events."""
        with self._read() as conn:
            row = conn.execute(sa.select(t.entities).where(t.entities.c.id == entity_id)).mappings().first()
            if row is None:
                raise NotFound(f"no entity with id {entity_id}")
            names = conn.execute(sa.select(t.aliases.c.alias).where(t.aliases.c.entity_id == entity_id)
                                 .order_by(t.aliases.c.id)).scalars().all()
            roles = [dict(r) for r in conn.execute(sa.select(t.person_roles).where(
                t.person_roles.c.entity_id == entity_id).order_by(t.person_roles.c.first_seen)).mappings()]
            mentions = [dict(r) for r in conn.execute(
                sa.select(t.mentions.c.document_id, t.mentions.c.surface, t.mentions.c.role,
                          t.mentions.c.start, t.mentions.c.end, t.mentions.c.reason, t.documents.c.source)
                .join(t.documents, t.documents.c.id == t.mentions.c.document_id)
                .where(t.mentions.c.entity_id == entity_id).order_by(t.mentions.c.id)).mappings()]
            event_ids = conn.execute(sa.select(t.event_participants.c.event_id).where(
                t.event_participants.c.entity_id == entity_id)).scalars().all()
            event_rows = conn.execute(sa.select(t.events).where(t.events.c.id.in_(event_ids))
                                      .order_by(t.events.c.date)).mappings().all()
            entity_row = EntityRow(row["id"], row["kind"], row["name"], row["country"],
                                   row["attributes"] or {}, len(mentions))
            return EntityDetail(entity_row, tuple(names), tuple(roles), tuple(mentions),
                                tuple(self._event_rows(conn, event_rows)))

    @_translated
    def person(self, entity_id: int) -> PersonDetail:
        """A person (or any entity) with each mention's id, surface, document and merge reason,
        the role history, and the split decisions made on it."""
        with self._read() as conn:
            row = conn.execute(sa.select(t.entities).where(t.entities.c.id == entity_id)).mappings().first()
            if row is None:
                raise NotFound(f"no entity with id {entity_id}")
            names = conn.execute(sa.select(t.aliases.c.alias, t.aliases.c.origin).where(
                t.aliases.c.entity_id == entity_id).order_by(t.aliases.c.id)).all()
            roles = tuple(dict(r) for r in conn.execute(sa.select(
                t.person_roles.c.role, t.person_roles.c.country, t.person_roles.c.organization,
                t.person_roles.c.first_seen, t.person_roles.c.last_seen).where(
                t.person_roles.c.entity_id == entity_id).order_by(t.person_roles.c.first_seen)).mappings())
            mentions = tuple(dict(r) for r in conn.execute(sa.select(
                t.mentions.c.id, t.mentions.c.document_id, t.documents.c.source, t.documents.c.published,
                t.mentions.c.surface, t.mentions.c.role, t.mentions.c.start, t.mentions.c.end,
                t.mentions.c.reason).join(t.documents, t.documents.c.id == t.mentions.c.document_id)
                .where(t.mentions.c.entity_id == entity_id).order_by(t.mentions.c.id)).mappings())
            decisions = tuple(dict(r) for r in conn.execute(sa.select(t.resolution_decisions).where(
                sa.or_(t.resolution_decisions.c.entity_id == entity_id,
                       t.resolution_decisions.c.source_entity_id == entity_id))
                .order_by(t.resolution_decisions.c.id)).mappings())
            entity = EntityRow(row["id"], row["kind"], row["name"], row["country"], row["attributes"] or {},
                               len(mentions))
            return PersonDetail(entity, tuple(f"{a.alias} ({a.origin})" if a.origin != "extracted" else a.alias
                                              for a in names), roles, mentions, decisions)

    @_translated
    def role_history(self, role: str | None = None, country: str | None = None) -> list[RoleSpan]:
        """Every person seen in a role (optionally one role of one country), with the date span."""
        with self._read() as conn:
            query = sa.select(t.person_roles, t.entities.c.name).join(
                t.entities, t.entities.c.id == t.person_roles.c.entity_id)
            if role is not None:
                query = query.where(t.person_roles.c.role == role)
            if country is not None:
                query = query.where(t.person_roles.c.country == country.upper())
            return [RoleSpan(r["entity_id"], r["name"], r["role"], r["country"], r["first_seen"], r["last_seen"])
                    for r in conn.execute(query.order_by(t.person_roles.c.id)).mappings()]

    def role_holder(self, role: str, country: str | None, day: date | None) -> tuple[int | None, str]:
        """Who held `role` of `country` on `day`, by the role history the reports show, and why;
        None when nobody or more than one person fits (see `accordia.resolve.roles`)."""
        return role_holder(self.role_history(role, country), role, country, day)

    @_translated
    def add_role_mention(self, document_id: int, role: str, country: str | None, start: int,
                         end: int, confidence: float = 0.7) -> tuple[int | None, str]:
        """Resolve a role-only mention of a stored document ("Kazakhstan's energy minister") to the
        person holding the role on the document's date, and store it as that person's mention."""
        with self.engine.begin() as conn:
            doc = conn.execute(sa.select(t.documents.c.published, t.documents.c.text).where(
                t.documents.c.id == document_id)).first()
            if doc is None:
                raise NotFound(f"no document with id {document_id}")
            person_id, reason = self._role_holder(conn, role, country, doc.published)
            if person_id is not None:
                self._mention(conn, document_id, person_id, doc.text[start:end], role, start, end, confidence,
                              f"role-only mention: {reason}")
            return person_id, reason

    @staticmethod
    def _role_holder(conn: Connection, role: str, country: str | None, day: date | None) -> tuple[int | None, str]:
        """Who held `role` of `country` on `day` according to the role history, and why."""
        cache = _cache_of(conn)
        if cache is not None:
            cache.flush(conn, "person_roles")
        query = sa.select(t.person_roles, t.entities.c.name).join(
            t.entities, t.entities.c.id == t.person_roles.c.entity_id).where(t.person_roles.c.role == role)
        if country is not None:
            query = query.where(t.person_roles.c.country == country)
        spans = [RoleSpan(r["entity_id"], r["name"], r["role"], r["country"], r["first_seen"], r["last_seen"])
                 for r in conn.execute(query).mappings()]
        return role_holder(spans, role, country, day)

    @_translated
    def split(self, entity_id: int, alias: str | None = None, mention_ids: Sequence[int] = (),
              reason: str = "manual split") -> SplitResult:
        """Detach a wrongly merged name (every mention whose surface is `alias`, in any spelling
        variant) or the listed mentions into a new entity, and record the decision so that
        re-ingesting binds that name to the new entity and never merges it back."""
        if alias is None and not mention_ids:
            raise StoreError("name an alias or at least one mention to split off")
        # A split moves aliases and event participants the mirror holds: it is read again.
        self._mirror_state = None
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(t.entities).where(t.entities.c.id == entity_id)).mappings().first()
            if row is None:
                raise NotFound(f"no entity with id {entity_id}")
            mentions = conn.execute(sa.select(t.mentions.c.id, t.mentions.c.surface, t.mentions.c.document_id)
                                    .where(t.mentions.c.entity_id == entity_id)).all()
            wanted = fold_name(alias) if alias else None
            moving = [m for m in mentions if m.id in set(mention_ids)
                      or (wanted is not None and fold_name(m.surface) == wanted)]
            if len(moving) == len(mentions) and mentions:
                raise StoreError(f"that would move every mention of entity {entity_id}; nothing left to split from")
            if not moving and wanted is None:
                raise NotFound(f"entity {entity_id} has none of the mentions {list(mention_ids)}")
            names = sorted({fold_name(m.surface) for m in moving} | ({wanted} if wanted else set()))
            display = alias or moving[0].surface
            new_key = self._free_key(conn, row["kind"], f"{row['key']}")
            new_id = _new_id(conn.execute(t.entities.insert().values(
                kind=row["kind"], key=new_key[:255], name=display, country=row["country"], attributes={})))
            decision_id = _new_id(conn.execute(t.resolution_decisions.insert().values(
                action="split", entity_id=new_id, source_entity_id=entity_id, names=names,
                reason=reason, created_at=datetime.now(UTC))))
            note = f"split from entity {entity_id} (decision {decision_id}: {reason})"
            if moving:
                conn.execute(t.mentions.update().where(t.mentions.c.id.in_([m.id for m in moving]))
                             .values(entity_id=new_id, reason=note))
            for old_alias in conn.execute(sa.select(t.aliases.c.id, t.aliases.c.alias).where(
                    t.aliases.c.entity_id == entity_id)).all():
                if fold_name(old_alias.alias) in names:
                    conn.execute(t.aliases.delete().where(t.aliases.c.id == old_alias.id))
            # Bound aliases make every later mention of these names resolve to the new entity.
            for name in sorted({m.surface for m in moving} | ({alias} if alias else set())):
                self._alias(conn, new_id, name, origin="split")
            with pairs.recounting(conn, "events", conn.execute(sa.select(t.event_participants.c.event_id).where(
                    t.event_participants.c.entity_id == entity_id)).scalars().all()):
                self._move_participation(conn, entity_id, new_id, {m.document_id for m in moving})
            self._rebuild_roles(conn, entity_id)
            self._rebuild_roles(conn, new_id, like=entity_id)
            remaining = conn.execute(sa.select(t.aliases.c.alias).where(t.aliases.c.entity_id == entity_id)
                                     .order_by(t.aliases.c.id)).scalars().first()
            if remaining and fold_name(row["name"]) in names:
                conn.execute(t.entities.update().where(t.entities.c.id == entity_id).values(name=remaining))
            return SplitResult(new_id, entity_id, len(moving), decision_id)

    @staticmethod
    def _move_participation(conn: Connection, old_id: int, new_id: int, documents: set[int]) -> None:
        """Events reported by the moved mentions' documents gain the new entity; those no remaining
        mention of the old entity reports lose the old one."""
        if not documents:
            return
        kept = set(conn.execute(sa.select(t.mentions.c.document_id).where(
            t.mentions.c.entity_id == old_id)).scalars())
        for event_id in conn.execute(sa.select(t.event_participants.c.event_id).where(
                t.event_participants.c.entity_id == old_id)).scalars().all():
            sources = set(conn.execute(sa.select(t.event_sources.c.document_id).where(
                t.event_sources.c.event_id == event_id)).scalars())
            if sources & documents:
                Store._link(conn, t.event_participants, "event_id", event_id, "entity_id", {new_id})
                if not sources & kept:
                    conn.execute(t.event_participants.delete().where(
                        t.event_participants.c.event_id == event_id, t.event_participants.c.entity_id == old_id))

    @staticmethod
    def _rebuild_roles(conn: Connection, entity_id: int, like: int | None = None) -> None:
        """Recompute a person's role history from the mentions it now has (after a split)."""
        template = like if like is not None else entity_id
        known = {r["role"]: r for r in conn.execute(sa.select(t.person_roles).where(
            t.person_roles.c.entity_id == template)).mappings()}
        spans: dict[str, tuple[date | None, date | None]] = {}
        for role, published in conn.execute(sa.select(t.mentions.c.role, t.documents.c.published).join(
                t.documents, t.documents.c.id == t.mentions.c.document_id).where(
                t.mentions.c.entity_id == entity_id, t.mentions.c.role.is_not(None))):
            first, last = spans.get(role, (published, published))
            if published is not None:
                first = min(first, published) if first else published
                last = max(last, published) if last else published
            spans[role] = (first, last)
        conn.execute(t.person_roles.delete().where(t.person_roles.c.entity_id == entity_id))
        for role, (first, last) in spans.items():
            source = known.get(role)
            conn.execute(t.person_roles.insert().values(
                entity_id=entity_id, role=role, country=source["country"] if source else None,
                organization=source["organization"] if source else None, first_seen=first, last_seen=last))

    @_translated
    def document(self, document_id: int) -> DocumentRow:
        """One stored document with its text and extraction record."""
        with self._read() as conn:
            row = conn.execute(sa.select(t.documents).where(t.documents.c.id == document_id)).mappings().first()
            if row is None:
                raise NotFound(f"no document with id {document_id}")
            return DocumentRow(row["id"], row["source"], row["title"], row["published"], row["language"],
                               row["format"], row["text"], row["record"], row["copy_of"])

    @_translated
    def documents(self, limit: int = 100, after_id: int | None = None) -> list[DocumentRow]:
        """Stored documents in id order."""
        with self._read() as conn:
            query = sa.select(t.documents).order_by(t.documents.c.id).limit(limit)
            if after_id is not None:
                query = query.where(t.documents.c.id > after_id)
            return [DocumentRow(r["id"], r["source"], r["title"], r["published"], r["language"], r["format"],
                                r["text"], r["record"], r["copy_of"]) for r in conn.execute(query).mappings()]

    # --- full-text search and aggregates (the queries live in store/search.py, store/aggregates.py) ---

    @_translated
    def search_documents(self, query: str, limit: int = 20, offset: int = 0, since: date | None = None,
                         until: date | None = None) -> list[search.DocumentMatch]:
        """Documents whose title or text match a web-search style query, best first, with snippets."""
        with self._read() as conn:
            return search.search(conn, query, limit, offset, since, until)

    @_translated
    def partner_counts(self, country: str, topic: str | None = None, since: date | None = None,
                       until: date | None = None) -> list[aggregates.PartnerCounts]:
        """Countries sharing events and agreements with `country`, counted in SQL."""
        with self._read() as conn:
            return aggregates.partner_counts(conn, country, topic, since, until)

    @_translated
    def network_edges(self, topic: str | None = None, since: date | None = None, until: date | None = None,
                      countries: Collection[str] | None = None, top_topics: int | None = None,
                      limit: int | None = None) -> list[tuple[str, str, int, int, dict[str, int]]]:
        """Country pairs with shared events and agreements (and their topics, only the `top_topics` most
        frequent when given, in that order), heaviest first, only the `limit` heaviest when given."""
        with self._read() as conn:
            return aggregates.network_edges(conn, topic, since, until, countries, top_topics, limit)

    @_translated
    def period_counts(self, by: str, period: str = "month", country: str | None = None, topic: str | None = None,
                      since: date | None = None, until: date | None = None) -> list[aggregates.PeriodCount]:
        """Events per month or year and per type (`by="type"`) or topic (`by="topic"`)."""
        with self._read() as conn:
            return aggregates.period_counts(conn, by, period, country, topic, since, until)

    @_translated
    def area_activity(self, area: aggregates.AreaQuery, members: Collection[str], since: date | None,
                      until: date | None = None) -> list[aggregates.AreaCell]:
        """Per member country, the events and agreements matching one strategy area, with their reports."""
        with self._read() as conn:
            return aggregates.area_activity(conn, area, members, since, until)

    @_translated
    def areas_activity(self, areas: Sequence[aggregates.AreaQuery], members: Collection[str], since: date | None,
                       until: date | None = None) -> list[list[aggregates.AreaCell]]:
        """`area_activity` for several areas at once (one pass over the members' events and agreements)."""
        with self._read() as conn:
            return aggregates.areas_activity(conn, areas, members, since, until)

    @_translated
    def agreement_sources(self, agreement_id: int) -> list[aggregates.LifeSource]:
        """Every report of one agreement with its text and evidence spans, oldest first."""
        with self._read() as conn:
            return aggregates.agreement_sources(conn, agreement_id)

    # Columns each paged listing may be sorted by (the REST API's `sort` allowlist).
    PAGE_SORTS: ClassVar[dict[str, tuple[str, ...]]] = {
        "events": ("date", "id", "title", "type"),
        "agreements": ("date", "id", "title", "type", "status"),
        "documents": ("published", "id", "title", "source"),
        "entities": ("id", "name", "country"),
    }

    @_translated
    def page(self, kind: str, filters: EventFilter, sort: str = "id",
             cursor: str | None = None) -> tuple[list[Any], str | None]:
        """One page of events, agreements, documents or entities in a stable order, and the next cursor.

        `sort` is a column of `PAGE_SORTS[kind]`, `-` in front for descending; rows with equal values
        follow in id order. The cursor (opaque, None after the last page) holds the last row's sort
        value and id, so the next page starts strictly after it: no row is skipped or repeated however
        the listing is sorted. For entities, `filters.type` is the entity kind.
        """
        import base64
        import json
        from dataclasses import replace

        from accordia.errors import InputError

        name = sort.removeprefix("-")
        if name not in self.PAGE_SORTS.get(kind, ()):
            raise InputError(f"cannot sort {kind} by {sort!r}; use one of {self.PAGE_SORTS.get(kind, ())}")
        table = {"events": t.events, "agreements": t.agreements, "documents": t.documents,
                 "entities": t.entities}[kind]
        column = table.c[name]
        is_date = isinstance(column.type, sa.Date)
        sentinel: Any = date.min if is_date else 0 if isinstance(column.type, sa.Integer) else ""
        # NULL compares as a fixed sentinel, so the keyset condition stays one plain comparison.
        key: Any = sa.func.coalesce(column, sa.literal(sentinel, column.type)) if column.nullable else column
        descending = sort.startswith("-")
        filters = replace(filters, after_id=None)
        query: sa.Select[Any]
        if kind == "events":
            query = self._event_query(filters)
        elif kind == "agreements":
            query = self._agreement_query(filters)
        elif kind == "documents":
            query = sa.select(t.documents)
            if filters.since:
                query = query.where(t.documents.c.published >= filters.since)
            if filters.until:
                query = query.where(t.documents.c.published <= filters.until)
            if filters.topic:
                query = query.where(t.documents.c.id.in_(sa.select(t.document_topics.c.document_id)
                                                         .where(t.document_topics.c.topic == filters.topic)))
            if filters.country:
                query = query.where(t.documents.c.id.in_(
                    sa.select(t.document_countries.c.document_id)
                    .where(t.document_countries.c.country == filters.country.upper())))
            if filters.query:
                needle = filters.query.lower()
                query = query.where(sa.or_(sa.func.lower(t.documents.c.title).contains(needle, autoescape=True),
                                           sa.func.lower(t.documents.c.text).contains(needle, autoescape=True)))
        else:
            mentions = (sa.select(sa.func.count()).select_from(t.mentions)
                        .where(t.mentions.c.entity_id == t.entities.c.id).scalar_subquery())
            query = sa.select(t.entities, mentions.label("mentions"))
            if filters.type:
                query = query.where(t.entities.c.kind == filters.type)
            if filters.country:
                query = query.where(t.entities.c.country == filters.country.upper())
            if filters.query:
                query = query.where(sa.func.lower(t.entities.c.name).contains(filters.query.lower(),
                                                                              autoescape=True))
        if cursor:
            value: Any
            try:
                raw_value, raw_id = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
                value = date.fromisoformat(raw_value) if is_date else type(sentinel)(raw_value)
                last_id = int(raw_id)
                # Integers beyond 64 bits would overflow the database driver.
                if not -2**63 <= last_id < 2**63 or (isinstance(value, int) and not -2**63 <= value < 2**63):
                    raise ValueError(last_id)
            except (ValueError, TypeError, UnicodeError, OverflowError):
                raise InputError(f"malformed cursor {cursor[:40]!r}: pass the `next` of the previous page") from None
            if name == "id":
                query = query.where(table.c.id < last_id if descending else table.c.id > last_id)
            else:
                beyond = key < value if descending else key > value
                query = query.where(sa.or_(beyond, sa.and_(key == value, table.c.id > last_id)))
        order = [key.desc() if descending else key.asc()]
        if name != "id":
            order.append(table.c.id.asc())
        with self._read() as conn:
            rows = conn.execute(query.order_by(*order).limit(filters.limit + 1)).mappings().all()
            more = len(rows) > filters.limit
            rows = rows[:filters.limit]
            items: list[Any]
            if kind == "events":
                items = list(self._event_rows(conn, rows))
            elif kind == "agreements":
                items = self._agreement_rows(conn, rows)
            elif kind == "documents":
                items = [DocumentRow(r["id"], r["source"], r["title"], r["published"], r["language"], r["format"],
                                     r["text"], r["record"], r["copy_of"]) for r in rows]
            else:
                items = [EntityRow(r["id"], r["kind"], r["name"], r["country"], r["attributes"] or {},
                                   int(r["mentions"] or 0)) for r in rows]
        if not more or not rows:
            return items, None
        last = rows[-1][name]
        last = sentinel if last is None else last
        token = json.dumps([last.isoformat() if is_date else last, rows[-1]["id"]])
        return items, base64.urlsafe_b64encode(token.encode()).decode("ascii")


# The write path's most frequent statements, built once: constructing a statement costs more
# than running it on SQLite, and SQLAlchemy caches the compiled form of these.
_ENTITY_BY_KEY = sa.select(t.entities.c.id, t.entities.c.name).where(
    t.entities.c.kind == sa.bindparam("kind"), t.entities.c.key == sa.bindparam("key"))
_ALIAS_EXISTS = sa.select(t.aliases.c.id).where(
    t.aliases.c.entity_id == sa.bindparam("entity_id"), t.aliases.c.alias == sa.bindparam("alias"))
_ALIAS_INSERT = t.aliases.insert()
_ALIASES_OF = sa.select(t.aliases.c.alias).where(t.aliases.c.entity_id == sa.bindparam("entity_id"))
_ENTITY_RENAME = t.entities.update().where(t.entities.c.id == sa.bindparam("entity_id")).values(
    name=sa.bindparam("name"))
_PERSONS_BY_KEY = sa.select(t.entities.c.id, t.entities.c.name, t.entities.c.key).where(
    t.entities.c.kind == "person", t.entities.c.key.in_(sa.bindparam("keys", expanding=True)))
# Persons in any of several key ranges (SQLite answers it with one index search per range).
_RANGES_PER_QUERY = 50
_PERSON_RANGES = sa.select(t.entities.c.id, t.entities.c.name, t.entities.c.key).where(sa.or_(*(
    sa.and_(t.entities.c.kind == "person", t.entities.c.key >= sa.bindparam(f"low{n}"),
            t.entities.c.key < sa.bindparam(f"high{n}")) for n in range(_RANGES_PER_QUERY)))).order_by(t.entities.c.id)
_PERSON_RANGE = sa.select(t.entities.c.id, t.entities.c.name).where(
    t.entities.c.kind == "person", t.entities.c.key >= sa.bindparam("low"),
    t.entities.c.key < sa.bindparam("high")).order_by(t.entities.c.id)
_PINNED = sa.select(t.aliases.c.entity_id, t.aliases.c.alias).join(
    t.entities, t.entities.c.id == t.aliases.c.entity_id).where(
    t.entities.c.kind == sa.bindparam("kind"), t.aliases.c.origin == "split")
_DECISIONS = sa.select(t.resolution_decisions.c.id, t.resolution_decisions.c.source_entity_id,
                       t.resolution_decisions.c.names)
_ROLE_ROW = sa.select(t.person_roles).where(
    t.person_roles.c.entity_id == sa.bindparam("entity_id"), t.person_roles.c.role == sa.bindparam("role"),
    t.person_roles.c.country == sa.bindparam("country"))
_ROLE_ROW_NO_COUNTRY = sa.select(t.person_roles).where(
    t.person_roles.c.entity_id == sa.bindparam("entity_id"), t.person_roles.c.role == sa.bindparam("role"),
    t.person_roles.c.country.is_(None))
_ROLE_UPDATE_BY_KEY = t.person_roles.update().where(
    t.person_roles.c.entity_id == sa.bindparam("b_entity_id"), t.person_roles.c.role == sa.bindparam("b_role"),
    t.person_roles.c.country == sa.bindparam("b_country")).values(
    first_seen=sa.bindparam("first_seen"), last_seen=sa.bindparam("last_seen"),
    organization=sa.bindparam("organization"))
_ROLE_UPDATE_NO_COUNTRY = t.person_roles.update().where(
    t.person_roles.c.entity_id == sa.bindparam("b_entity_id"), t.person_roles.c.role == sa.bindparam("b_role"),
    t.person_roles.c.country.is_(None)).values(
    first_seen=sa.bindparam("first_seen"), last_seen=sa.bindparam("last_seen"),
    organization=sa.bindparam("organization"))
_ROLE_UPDATE = t.person_roles.update().where(t.person_roles.c.id == sa.bindparam("role_id")).values(
    first_seen=sa.bindparam("first_seen"), last_seen=sa.bindparam("last_seen"),
    organization=sa.bindparam("organization"))
# Events of a type in a date window (or undated), the oldest: same-event candidates.
_EVENT_CANDIDATES = sa.select(t.events).where(
    t.events.c.type == sa.bindparam("type"), t.events.c.date.between(sa.bindparam("low"), sa.bindparam("high"))
).order_by(t.events.c.id).limit(EVENT_CANDIDATES)
_EVENT_CANDIDATES_UNDATED = sa.select(t.events).where(
    t.events.c.type == sa.bindparam("type"), t.events.c.date.is_(None)).order_by(t.events.c.id).limit(EVENT_CANDIDATES)
_EVENT_PEOPLE = sa.select(t.event_participants.c.event_id, t.entities.c.kind, t.entities.c.key,
                          t.entities.c.name).join(
    t.event_participants, t.event_participants.c.entity_id == t.entities.c.id).where(
    t.event_participants.c.event_id.in_(sa.bindparam("ids", expanding=True)),
    t.entities.c.kind.in_(("country", "person")))
_DOCUMENT_TEXT = sa.select(t.documents.c.text).where(t.documents.c.id == sa.bindparam("id"))
# What the mirror checks: every write of a report inserts a document, none deletes one, and every
# split (which moves aliases and event participants) records a resolution decision.
_DOCUMENT_FINGERPRINT = sa.select(sa.func.count(), sa.func.max(t.documents.c.id),
                                  sa.select(sa.func.max(t.resolution_decisions.c.id)).scalar_subquery()
                                  ).select_from(t.documents)
# Connection.info key of the open write transaction's WriteCache.
_CACHE = "accordia.write_cache"
_LINKED: dict[tuple[str, str, str], sa.Select[Any]] = {}


def _cache_of(conn: Connection) -> WriteCache | None:
    """The cache of the write transaction open on `conn` (none outside `Store._writing`)."""
    cache = conn.info.get(_CACHE)
    return cache if isinstance(cache, WriteCache) else None


def _linked_statement(table: sa.Table, left: str, right: str) -> sa.Select[Any]:
    """`SELECT right FROM table WHERE left = :left_id`, built once per link table."""
    slot = (table.name, left, right)
    if slot not in _LINKED:
        _LINKED[slot] = sa.select(table.c[right]).where(table.c[left] == sa.bindparam("left_id"))
    return _LINKED[slot]


def _insert_rows(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows nothing in the write path reads back: queued for the transaction's one multi-row
    insert per table when a write cache is open, at once otherwise."""
    if not rows:
        return
    cache = _cache_of(conn)
    if cache is not None:
        cache.pending[table.name].extend(rows)
    else:
        conn.execute(table.insert(), rows)


def _mention_row(document_id: int, entity_id: int, surface: str, role: str | None, start: int, end: int,
                 confidence: float, reason: str) -> dict[str, Any]:
    return {"document_id": document_id, "entity_id": entity_id, "surface": surface[:500], "role": role,
            "start": start, "end": end, "confidence": confidence, "reason": reason}


def _new_id(result: sa.CursorResult[Any]) -> int:
    """The primary key of the row an INSERT just wrote."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _window(day: date) -> tuple[date, date]:
    from datetime import timedelta

    from accordia.resolve import EVENT_DATE_WINDOW_DAYS

    delta = timedelta(days=EVENT_DATE_WINDOW_DAYS)
    return day - delta, day + delta


_STATUS_ORDER = {None: 0, "planned": 1, "signed": 2, "approved": 3, "ratified": 4, "in_force": 5}


def _later_status(old: str | None, new: str | None) -> str | None:
    """An agreement's status only moves forward: planned → signed → approved → ratified → in force."""
    return new if _STATUS_ORDER.get(new, 0) > _STATUS_ORDER.get(old, 0) else old


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while an ingest writes; foreign keys keep cascades honest.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
