"""Aggregate queries behind `accordia.analyze`: GROUP BY over the link tables, never a scan in Python.

Every function takes an open connection and returns small tuples; `Store` wraps each one in a method
(so the database is still reached only through the store) and `analyze` turns them into dataclasses.
Countries are entities of kind `country`; their ids (a few hundred at most) are looked up once per
query, so the big joins run on integer keys and the covering primary-key indexes of the link tables.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from accordia.store import schema as t
from accordia.store.search import matching_documents

__all__ = ["AreaCell", "AreaQuery", "LifeSource", "PartnerCounts", "PeriodCount", "agreement_sources", "area_activity",
           "country_ids", "network_edges", "partner_counts", "period_counts"]


@dataclass
class PartnerCounts:
    """Shared events and agreements of one partner country, with the topics of those."""

    country: str
    events: int = 0
    agreements: int = 0
    topics: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class PeriodCount:
    """How many events of one kind (a type or a topic) fell into one period ('2024', '2024-06')."""

    period: str | None
    key: str
    count: int


@dataclass(frozen=True)
class AreaQuery:
    """What makes an event or agreement count for one key area of a strategy."""

    topics: frozenset[str]
    text: str | None  # a web-search style query over the source documents, or None


@dataclass
class AreaCell:
    """Activity of one member country in one key area."""

    country: str
    events: int = 0
    agreements: int = 0
    documents: list[tuple[int, str, str | None, date | None]] = field(default_factory=list)


@dataclass(frozen=True)
class LifeSource:
    """One report of an agreement: the raw material of its life story."""

    document_id: int
    source: str
    title: str | None
    published: date | None
    date: date | None
    status: str | None
    text: str
    evidence: tuple[tuple[int, int], ...]


def country_ids(conn: Connection, codes: Collection[str] | None = None) -> dict[int, str]:
    """Entity id → ISO code of the country entities (only `codes` when given)."""
    query = sa.select(t.entities.c.id, t.entities.c.key).where(t.entities.c.kind == "country")
    if codes is not None:
        query = query.where(t.entities.c.key.in_(sorted({c.upper() for c in codes})))
    return {int(i): str(k) for i, k in conn.execute(query)}


def _event_ids(dialect: str, topic: str | None = None, since: date | None = None, until: date | None = None,
               types: Iterable[str] = (), text: str | None = None) -> sa.Select[Any] | None:
    """Ids of the events passing the filters, or None when nothing filters them."""
    conditions: list[Any] = []
    if since is not None:
        conditions.append(t.events.c.date >= since)
    if until is not None:
        conditions.append(t.events.c.date <= until)
    if types := list(types):
        conditions.append(t.events.c.type.in_(types))
    if topic:
        conditions.append(t.events.c.id.in_(sa.select(t.event_topics.c.event_id)
                                            .where(t.event_topics.c.topic == topic)))
    if text:
        conditions.append(t.events.c.id.in_(sa.select(t.event_sources.c.event_id).where(
            t.event_sources.c.document_id.in_(matching_documents(dialect, text)))))
    if not conditions:
        return None
    return sa.select(t.events.c.id).where(*conditions)


def _agreement_ids(topic: str | None = None, since: date | None = None,
                   until: date | None = None) -> sa.Select[Any] | None:
    conditions: list[Any] = []
    if since is not None:
        conditions.append(t.agreements.c.date >= since)
    if until is not None:
        conditions.append(t.agreements.c.date <= until)
    if topic:
        conditions.append(t.agreements.c.id.in_(sa.select(t.agreement_topics.c.agreement_id)
                                                .where(t.agreement_topics.c.topic == topic)))
    if not conditions:
        return None
    return sa.select(t.agreements.c.id).where(*conditions)


def _links(kind: str) -> tuple[sa.Table, sa.Table, str]:
    """The participants table, topics table and key column for events or agreements."""
    if kind == "events":
        return t.event_participants, t.event_topics, "event_id"
    return t.agreement_parties, t.agreement_topics, "agreement_id"


def partner_counts(conn: Connection, country: str, topic: str | None = None, since: date | None = None,
                   until: date | None = None) -> list[PartnerCounts]:
    """Countries sharing events or agreements with `country`, with counts and the topics involved."""
    countries = country_ids(conn)
    own = next((i for i, code in countries.items() if code == country.upper()), None)
    if own is None:
        return []
    others = [i for i in countries if i != own]
    found: dict[str, PartnerCounts] = {}
    for kind, ids in (("events", _event_ids(conn.dialect.name, topic, since, until)),
                      ("agreements", _agreement_ids(topic, since, until))):
        participants, topics, key = _links(kind)
        mine = sa.select(participants.c[key]).where(participants.c.entity_id == own)
        if ids is not None:
            mine = mine.where(participants.c[key].in_(ids))
        shared = mine.subquery("shared")
        other = participants.alias("other")
        base = other.join(shared, other.c[key] == shared.c[key])
        where = other.c.entity_id.in_(others)
        for entity_id, n in conn.execute(sa.select(other.c.entity_id, sa.func.count()).select_from(base)
                                         .where(where).group_by(other.c.entity_id)):
            partner = found.setdefault(countries[entity_id], PartnerCounts(countries[entity_id]))
            setattr(partner, kind, int(n))
        for entity_id, topic_code, n in conn.execute(
                sa.select(other.c.entity_id, topics.c.topic, sa.func.count())
                .select_from(base.join(topics, topics.c[key] == other.c[key]))
                .where(where).group_by(other.c.entity_id, topics.c.topic)):
            found[countries[entity_id]].topics[topic_code] += int(n)
    return list(found.values())


def network_edges(conn: Connection, topic: str | None = None, since: date | None = None,
                  until: date | None = None, countries: Collection[str] | None = None,
                  ) -> list[tuple[str, str, int, int, Counter[str]]]:
    """Country pairs with the number of events and agreements they share, and the topics of those."""
    ids = country_ids(conn, countries)
    if len(ids) < 2:
        return []
    pairs: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    edge_topics: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for slot, (kind, chosen) in enumerate((("events", _event_ids(conn.dialect.name, topic, since, until)),
                                           ("agreements", _agreement_ids(topic, since, until)))):
        participants, topics, key = _links(kind)
        a, b = participants.alias("a"), participants.alias("b")
        where = [a.c.entity_id.in_(list(ids)), b.c.entity_id.in_(list(ids)), a.c.entity_id < b.c.entity_id]
        if chosen is not None:
            where.append(a.c[key].in_(chosen))
        base = a.join(b, a.c[key] == b.c[key])
        for x, y, n in conn.execute(sa.select(a.c.entity_id, b.c.entity_id, sa.func.count()).select_from(base)
                                    .where(*where).group_by(a.c.entity_id, b.c.entity_id)):
            pairs[_pair(ids[x], ids[y])][slot] += int(n)
        for x, y, topic_code, n in conn.execute(
                sa.select(a.c.entity_id, b.c.entity_id, topics.c.topic, sa.func.count())
                .select_from(base.join(topics, topics.c[key] == a.c[key]))
                .where(*where).group_by(a.c.entity_id, b.c.entity_id, topics.c.topic)):
            edge_topics[_pair(ids[x], ids[y])][topic_code] += int(n)
    return [(x, y, counts[0], counts[1], edge_topics[(x, y)]) for (x, y), counts in pairs.items()]


def _pair(x: str, y: str) -> tuple[str, str]:
    return (x, y) if x < y else (y, x)


def _period(dialect: str, column: Any, period: str) -> Any:
    """The year ('2024') or month ('2024-06') of a date column, as text, in either dialect."""
    if dialect == "postgresql":
        return sa.func.to_char(column, "YYYY" if period == "year" else "YYYY-MM")
    return sa.func.strftime("%Y" if period == "year" else "%Y-%m", column)


def period_counts(conn: Connection, by: str, period: str = "month", country: str | None = None,
                  topic: str | None = None, since: date | None = None,
                  until: date | None = None) -> list[PeriodCount]:
    """Events per period and type (`by="type"`) or per period and topic (`by="topic"`)."""
    dialect = conn.dialect.name
    label = _period(dialect, t.events.c.date, period).label("period")
    if by == "topic":
        key = t.event_topics.c.topic
        source: Any = t.events.join(t.event_topics, t.event_topics.c.event_id == t.events.c.id)
    else:
        key = t.events.c.type
        source = t.events
    query = sa.select(label, key, sa.func.count()).select_from(source)
    chosen = _event_ids(dialect, topic, since, until)
    if chosen is not None:
        query = query.where(t.events.c.id.in_(chosen))
    if country:
        ids = list(country_ids(conn, [country]))
        query = query.where(t.events.c.id.in_(sa.select(t.event_participants.c.event_id)
                                              .where(t.event_participants.c.entity_id.in_(ids))))
    rows = conn.execute(query.group_by(label, key).order_by(label, key)).all()
    return [PeriodCount(p, str(k), int(n)) for p, k, n in rows]


def area_activity(conn: Connection, area: AreaQuery, members: Collection[str], since: date | None,
                  until: date | None = None, documents_per_cell: int = 5) -> list[AreaCell]:
    """Events and agreements of each member country that match one key area, with the reports behind."""
    dialect = conn.dialect.name
    ids = country_ids(conn, members)
    cells: dict[str, AreaCell] = {}
    if not ids:
        return []
    for kind in ("events", "agreements"):
        participants, topics, key = _links(kind)
        table = t.events if kind == "events" else t.agreements
        sources = t.event_sources if kind == "events" else t.agreement_sources
        match: list[Any] = []
        if area.topics:
            match.append(table.c.id.in_(sa.select(topics.c[key]).where(topics.c.topic.in_(sorted(area.topics)))))
        if area.text:
            match.append(table.c.id.in_(sa.select(sources.c[key]).where(
                sources.c.document_id.in_(matching_documents(dialect, area.text)))))
        if not match:
            continue
        chosen = sa.select(table.c.id).where(sa.or_(*match))
        if since is not None:
            chosen = chosen.where(table.c.date >= since)
        if until is not None:
            chosen = chosen.where(table.c.date <= until)
        base = sa.select(participants.c.entity_id, participants.c[key]).where(
            participants.c.entity_id.in_(list(ids)), participants.c[key].in_(chosen)).subquery("hits")
        for entity_id, n in conn.execute(sa.select(base.c.entity_id, sa.func.count())
                                         .group_by(base.c.entity_id)):
            cell = cells.setdefault(ids[entity_id], AreaCell(ids[entity_id]))
            setattr(cell, kind, int(n))
        # The most recent reports behind each cell: distinct (country, document), newest first.
        docs = (sa.select(base.c.entity_id, t.documents.c.id, t.documents.c.source, t.documents.c.title,
                          t.documents.c.published).distinct()
                .select_from(base.join(sources, sources.c[key] == base.c[key])
                             .join(t.documents, t.documents.c.id == sources.c.document_id))).subquery("docs")
        rank = sa.func.row_number().over(partition_by=docs.c.entity_id,
                                         order_by=(docs.c.published.desc().nulls_last(), docs.c.id.desc()))
        ranked = sa.select(docs, rank.label("n")).subquery("ranked")
        for row in conn.execute(sa.select(ranked).where(ranked.c.n <= documents_per_cell)
                                .order_by(ranked.c.entity_id, ranked.c.n)):
            cell = cells[ids[row.entity_id]]
            if row.id not in {d[0] for d in cell.documents}:
                cell.documents.append((int(row.id), row.source, row.title, row.published))
    for cell in cells.values():
        cell.documents.sort(key=lambda d: (d[3] or date.min, d[0]), reverse=True)
        del cell.documents[documents_per_cell:]
    return list(cells.values())


def agreement_sources(conn: Connection, agreement_id: int) -> list[LifeSource]:
    """Every report of one agreement with its text and evidence spans, oldest first."""
    rows = conn.execute(
        sa.select(t.agreement_sources.c.document_id, t.agreement_sources.c.status, t.agreement_sources.c.date,
                  t.agreement_sources.c.evidence, t.documents.c.source, t.documents.c.title,
                  t.documents.c.published, t.documents.c.text)
        .join(t.documents, t.documents.c.id == t.agreement_sources.c.document_id)
        .where(t.agreement_sources.c.agreement_id == agreement_id)
        .order_by(t.documents.c.published, t.documents.c.id)).all()
    return [LifeSource(int(r.document_id), r.source, r.title, r.published, r.date, r.status, r.text,
                       tuple((int(s), int(e)) for s, e in (r.evidence or []))) for r in rows]
