"""The knowledge base: the only module that talks to the database.

`Store.open(url)` gives a small API over SQLAlchemy (SQLite by default, PostgreSQL as the
server option). Writes of one document happen in one transaction; reads return plain
dataclasses. Driver errors are translated to `StoreError` here, so callers never see them.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import pycountry
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from accordia.errors import NotFound, StoreError
from accordia.models import Document, Failure, Record
from accordia.resolve import AgreementFacts, EventFacts, Matcher, normalise_name, person_key
from accordia.store import schema as t

__all__ = ["AddResult", "EventFilter", "Store"]

F = TypeVar("F", bound=Callable[..., Any])


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
        """Create missing tables and record the schema version."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Two processes opening a new database at once must not race to create tables.
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(4242001)"))
            t.metadata.create_all(conn)
            if conn.execute(sa.select(t.schema_info.c.version)).first() is None:
                conn.execute(t.schema_info.insert().values(version=t.SCHEMA_VERSION))

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

    def add_document(self, document: Document, record: Record) -> AddResult:
        """Store a document with its record, resolving entities, events and agreements; atomic."""
        try:
            with self.engine.begin() as conn:
                existing = conn.execute(sa.select(t.documents.c.id)
                                        .where(t.documents.c.hash == document.hash)).scalar()
                if existing is not None:
                    return AddResult(int(existing), added=False)
                return self._insert_document(conn, document, record)
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

    def _insert_document(self, conn: Connection, document: Document, record: Record) -> AddResult:
        copy_of = self._find_copy(conn, document, record)
        published = record.published or document.published
        document_id = _new_id(conn.execute(t.documents.insert().values(
            hash=document.hash, source=document.source, url=document.url, title=record.title,
            published=published, language=record.language, format=document.format, text=document.text,
            record=record.to_dict(), copy_of=copy_of, ingested_at=datetime.now(UTC),
        )))
        if record.countries:
            conn.execute(t.document_countries.insert(),
                         [{"document_id": document_id, "country": c} for c in record.countries])
        if record.topics:
            conn.execute(t.document_topics.insert(),
                         [{"document_id": document_id, "topic": c} for c in record.topics])
        if copy_of is not None:
            # A syndicated copy is kept as a source but adds no new facts.
            self._link_copy(conn, document_id, copy_of)
            return AddResult(document_id, added=True, copy_of=copy_of)

        country_ids = {code: self._entity(conn, "country", code, country_label(code), code, {})
                       for code in set(record.countries) | {c for e in record.events for c in e.countries}
                       | {c for a in record.agreements for c in a.countries}}
        org_ids: dict[str, int] = {}
        for org in record.organizations:
            key = normalise_name(org.name)
            org_id = self._entity(conn, "organization", key, org.name, org.country,
                                  {"kind": org.kind, "acronym": org.acronym})
            org_ids[org.name] = org_id
            if org.acronym:
                org_ids[org.acronym] = org_id
                self._alias(conn, org_id, org.acronym)
            for start, end in org.evidence:
                self._mention(conn, document_id, org_id, document.text[start:end], None, start, end,
                              org.confidence, "gazetteer" if org.confidence >= 0.9 else "naming pattern")
        person_ids: dict[str, int] = {}
        for person in record.persons:
            person_id, reason = self._person(conn, person.name, person.country)
            person_ids[person.name] = person_id
            for start, end in person.evidence:
                self._mention(conn, document_id, person_id, person.name, person.role, start, end,
                              person.confidence, reason)
            if person.role:
                self._role(conn, person_id, person.role, person.country, person.organization, published)

        for event in record.events:
            facts = EventFacts(event.type, event.date, event.place, frozenset(event.countries), event.title)
            event_id, reason = self._event(conn, facts, event.confidence)
            self._add_source(conn, t.event_sources, "event_id", event_id, document_id,
                             event.evidence, title=event.title, reason=reason)
            participants = {country_ids[c] for c in event.countries if c in country_ids}
            participants |= {org_ids[o] for o in event.organizations if o in org_ids}
            participants |= {person_ids[p] for p in event.persons if p in person_ids}
            self._link(conn, t.event_participants, "event_id", event_id, "entity_id", participants)
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
            self._link(conn, t.agreement_topics, "agreement_id", agreement_id, "topic",
                       set(agreement.topics))
        return AddResult(document_id, added=True)

    @staticmethod
    def _add_source(conn: Connection, table: sa.Table, key: str, key_id: int, document_id: int,
                    evidence: Sequence[tuple[int, int]], **values: Any) -> None:
        """Link a document as a source; two facts of one report that resolve to one event or
        agreement share the link and their evidence is merged."""
        where = (table.c[key] == key_id, table.c.document_id == document_id)
        present = conn.execute(sa.select(table.c.evidence).where(*where)).scalar()
        spans = sorted({tuple(s) for s in evidence} | {tuple(s) for s in (present or [])})
        if present is None:
            conn.execute(table.insert().values({key: key_id, "document_id": document_id,
                                                "evidence": [list(s) for s in spans], **values}))
        else:
            conn.execute(table.update().where(*where).values(evidence=[list(s) for s in spans]))

    def _find_copy(self, conn: Connection, document: Document, record: Record) -> int | None:
        if record.published is None or not record.title:
            return None
        rows = conn.execute(sa.select(t.documents.c.id, t.documents.c.text).where(
            t.documents.c.published == record.published, t.documents.c.copy_of.is_(None),
            t.documents.c.title == record.title).limit(20)).all()
        for row in rows:
            if self.matcher.is_copy(document.text, row.text):
                return int(row.id)
        return None

    def _link_copy(self, conn: Connection, document_id: int, original_id: int) -> None:
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

    def _entity(self, conn: Connection, kind: str, key: str, name: str, country: str | None,
                attributes: dict[str, Any]) -> int:
        found = conn.execute(sa.select(t.entities.c.id, t.entities.c.name).where(
            t.entities.c.kind == kind, t.entities.c.key == key)).first()
        if found is not None:
            if len(name) > len(found.name):
                conn.execute(t.entities.update().where(t.entities.c.id == found.id).values(name=name))
            return int(found.id)
        entity_id = _new_id(conn.execute(t.entities.insert().values(
            kind=kind, key=key[:255], name=name, country=country, attributes=attributes
        )))
        self._alias(conn, entity_id, name)
        return entity_id

    def _alias(self, conn: Connection, entity_id: int, alias: str, origin: str = "extracted") -> None:
        exists = conn.execute(sa.select(t.aliases.c.id).where(
            t.aliases.c.entity_id == entity_id, t.aliases.c.alias == alias)).first()
        if exists is None:
            conn.execute(t.aliases.insert().values(entity_id=entity_id, alias=alias, origin=origin))

    def _person(self, conn: Connection, name: str, country: str | None) -> tuple[int, str]:
        key = person_key(name, country)
        found = conn.execute(sa.select(t.entities.c.id).where(
            t.entities.c.kind == "person", t.entities.c.key == key)).scalar()
        if found is not None:
            self._alias(conn, int(found), name)
            return int(found), "same normalised name and country"
        surname = normalise_name(name).split()[-1] if normalise_name(name) else ""
        prefix = f"{country or '--'}:{surname[:3]}"
        candidates = conn.execute(sa.select(t.entities.c.id, t.entities.c.name).where(
            t.entities.c.kind == "person", t.entities.c.key.like(f"{prefix}%"))).all()
        for candidate in candidates:
            same, reason = self.matcher.same_person(name, candidate.name)
            if same:
                if len(name) > len(candidate.name):
                    conn.execute(t.entities.update().where(t.entities.c.id == candidate.id)
                                 .values(name=name))
                self._alias(conn, int(candidate.id), name)
                return int(candidate.id), reason
        return self._entity(conn, "person", key, name, country, {}), "new person"

    def _role(self, conn: Connection, person_id: int, role: str, country: str | None,
              organization: str | None, seen: date | None) -> None:
        row = conn.execute(sa.select(t.person_roles).where(
            t.person_roles.c.entity_id == person_id, t.person_roles.c.role == role,
            t.person_roles.c.country.is_(None) if country is None else t.person_roles.c.country == country,
        )).mappings().first()
        if row is None:
            conn.execute(t.person_roles.insert().values(entity_id=person_id, role=role, country=country,
                                                        organization=organization, first_seen=seen,
                                                        last_seen=seen))
            return
        first, last = row["first_seen"], row["last_seen"]
        if seen is not None:
            first = min(first, seen) if first else seen
            last = max(last, seen) if last else seen
        conn.execute(t.person_roles.update().where(t.person_roles.c.id == row["id"]).values(
            first_seen=first, last_seen=last, organization=row["organization"] or organization))

    def _mention(self, conn: Connection, document_id: int, entity_id: int, surface: str,
                 role: str | None, start: int, end: int, confidence: float, reason: str) -> None:
        conn.execute(t.mentions.insert().values(
            document_id=document_id, entity_id=entity_id, surface=surface[:500], role=role, start=start,
            end=end, confidence=confidence, reason=reason))

    def _event(self, conn: Connection, facts: EventFacts, confidence: float) -> tuple[int, str]:
        query = sa.select(t.events).where(t.events.c.type == facts.type)
        if facts.date is not None:
            low, high = _window(facts.date)
            query = query.where(t.events.c.date.between(low, high))
        else:
            query = query.where(t.events.c.date.is_(None))
        for row in conn.execute(query.limit(50)).mappings().all():
            countries = frozenset(conn.execute(sa.select(t.entities.c.key).join(
                t.event_participants, t.event_participants.c.entity_id == t.entities.c.id).where(
                t.event_participants.c.event_id == row["id"], t.entities.c.kind == "country")).scalars())
            old = EventFacts(row["type"], row["date"], row["place"], countries, row["title"])
            same, reason = self.matcher.same_event(facts, old)
            if same:
                if not row["place"] and facts.place:
                    conn.execute(t.events.update().where(t.events.c.id == row["id"])
                                 .values(place=facts.place))
                return int(row["id"]), reason
        event_id = _new_id(conn.execute(t.events.insert().values(
            type=facts.type, title=facts.title, date=facts.date, place=facts.place, confidence=confidence
        )))
        return event_id, "first report of this event"

    def _agreement(self, conn: Connection, facts: AgreementFacts, status: str | None,
                   confidence: float) -> int:
        rows = conn.execute(sa.select(t.agreements).where(t.agreements.c.type == facts.type)
                            .limit(500)).mappings().all()
        for row in rows:
            countries = frozenset(conn.execute(sa.select(t.entities.c.key).join(
                t.agreement_parties, t.agreement_parties.c.entity_id == t.entities.c.id).where(
                t.agreement_parties.c.agreement_id == row["id"], t.entities.c.kind == "country"))
                .scalars())
            old = AgreementFacts(row["type"], row["title"], countries, row["horizon"], row["date"])
            same, _ = self.matcher.same_agreement(facts, old)
            if same:
                conn.execute(t.agreements.update().where(t.agreements.c.id == row["id"]).values(
                    status=_later_status(row["status"], status), horizon=row["horizon"] or facts.horizon))
                return int(row["id"])
        return _new_id(conn.execute(t.agreements.insert().values(
            type=facts.type, title=facts.title, status=status, horizon=facts.horizon, date=facts.date,
            confidence=confidence)))

    @staticmethod
    def _link(conn: Connection, table: sa.Table, left: str, left_id: int, right: str,
              values: set[Any]) -> None:
        if not values:
            return
        present = set(conn.execute(sa.select(table.c[right]).where(table.c[left] == left_id)).scalars())
        new = [{left: left_id, right: value} for value in values - present]
        if new:
            conn.execute(table.insert(), new)

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
            result.top_pairs = self._pairs(conn)[:top]
            return result

    def _pairs(self, conn: Connection) -> list[tuple[str, str, int]]:
        a = t.event_participants.alias("a")
        b = t.event_participants.alias("b")
        ea = t.entities.alias("ea")
        eb = t.entities.alias("eb")
        rows = conn.execute(
            sa.select(ea.c.key, eb.c.key, sa.func.count(sa.distinct(a.c.event_id)).label("n"))
            .select_from(a.join(b, a.c.event_id == b.c.event_id)
                         .join(ea, ea.c.id == a.c.entity_id).join(eb, eb.c.id == b.c.entity_id))
            .where(ea.c.kind == "country", eb.c.kind == "country", ea.c.key < eb.c.key)
            .group_by(ea.c.key, eb.c.key)
            .order_by(sa.desc("n"), ea.c.key, eb.c.key)
        ).all()
        return [(str(x), str(y), int(n)) for x, y, n in rows]

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
        if filters.topic:
            query = query.where(t.events.c.id.in_(
                sa.select(t.event_topics.c.event_id).where(t.event_topics.c.topic == filters.topic)))
        if filters.country:
            query = query.where(t.events.c.id.in_(
                sa.select(t.event_participants.c.event_id).join(
                    t.entities, t.entities.c.id == t.event_participants.c.entity_id)
                .where(t.entities.c.kind == "country", t.entities.c.key == filters.country.upper())))
        if filters.query:
            like = f"%{filters.query.lower()}%"
            query = query.where(sa.or_(sa.func.lower(t.events.c.title).like(like),
                                       sa.func.lower(t.events.c.place).like(like)))
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

    @_translated
    def agreements(self, filters: EventFilter | None = None) -> list[AgreementRow]:
        """Agreements matching the filters (type, country, topic, date, text)."""
        filters = filters or EventFilter()
        with self._read() as conn:
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
                query = query.where(sa.func.lower(t.agreements.c.title).like(f"%{filters.query.lower()}%"))
            if filters.after_id is not None:
                query = query.where(t.agreements.c.id > filters.after_id)
            rows = conn.execute(query.order_by(t.agreements.c.date.desc().nulls_last(), t.agreements.c.id)
                                .limit(filters.limit)).mappings().all()
            return [self._agreement_row(conn, row) for row in rows]

    def _agreement_row(self, conn: Connection, row: Any) -> AgreementRow:
        parties = conn.execute(sa.select(t.entities.c.kind, t.entities.c.key, t.entities.c.name)
                               .join(t.agreement_parties, t.agreement_parties.c.entity_id == t.entities.c.id)
                               .where(t.agreement_parties.c.agreement_id == row["id"])).all()
        topics = conn.execute(sa.select(t.agreement_topics.c.topic)
                              .where(t.agreement_topics.c.agreement_id == row["id"])).scalars().all()
        sources = conn.execute(sa.select(sa.func.count()).select_from(t.agreement_sources)
                               .where(t.agreement_sources.c.agreement_id == row["id"])).scalar()
        return AgreementRow(row["id"], row["type"], row["title"], row["status"], row["horizon"], row["date"],
                            tuple(sorted(p.key for p in parties if p.kind == "country")),
                            tuple(p.name for p in parties if p.kind == "organization"),
                            tuple(sorted(topics)), int(sources or 0))

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
