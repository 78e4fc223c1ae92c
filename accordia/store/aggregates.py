"""Aggregate queries behind `accordia.analyze`: GROUP BY over the link tables, never a scan in Python.

Every function takes an open connection and returns small tuples; `Store` wraps each one in a method
(so the database is still reached only through the store) and `analyze` turns them into dataclasses.
Countries are entities of kind `country`; their ids (a few hundred at most) are looked up once per
query, so the big joins run on integer keys and the covering primary-key indexes of the link tables.

Questions whose answer would grow with the knowledge base read small tables the write path keeps:
the network, partners and the summary's pairs read `country_pairs` and `country_pair_sets`
(`store/pairs.py`), timelines and topic profiles `event_months` (`store/activity.py`). Questions the
kept tables cannot answer (date-filtered networks and partners, strategy activity) are counted.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from accordia.store import activity
from accordia.store import pairs as pair_sets
from accordia.store import schema as t
from accordia.store.search import matching_documents, text_match

__all__ = ["NETWORK_TOPICS", "AreaCell", "AreaQuery", "LifeSource", "PartnerCounts", "PeriodCount",
           "agreement_sources", "area_activity", "areas_activity", "country_ids", "event_pairs",
           "network_edges", "partner_counts", "period_counts"]

# Topics kept per pair in the stored network (`analyze.network` shows this many per edge).
NETWORK_TOPICS = 5


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
    """Countries sharing events or agreements with `country`, with counts and the topics involved.

    Without dates, the counts are read from `country_pairs` and `country_pair_sets` (the rows of one
    country); with dates they are counted from the link tables.
    """
    countries = country_ids(conn)
    own = next((i for i, code in countries.items() if code == country.upper()), None)
    if own is None:
        return []
    if since is None and until is None:
        return _kept_partners(conn, countries, own, topic or "")
    return _live_partners(conn, countries, own, topic, since, until)


def _live_partners(conn: Connection, countries: dict[int, str], own: int, topic: str | None, since: date | None,
                   until: date | None) -> list[PartnerCounts]:
    """`partner_counts` counted from the link tables."""
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


def _kept_partners(conn: Connection, countries: dict[int, str], own: int, topic: str) -> list[PartnerCounts]:
    """`partner_counts` without dates, from the pair tables (topic '' for any topic)."""
    pairs = t.country_pairs
    found: dict[int, PartnerCounts] = {}
    # Each pair is kept once (x < y): the partner is whichever of the two is not `own`.
    other = sa.case((pairs.c.x == own, pairs.c.y), else_=pairs.c.x)
    for y, events, agreements in conn.execute(
            sa.select(other, pairs.c.events, pairs.c.agreements)
            .where(pairs.c.topic == topic, sa.or_(pairs.c.x == own, pairs.c.y == own),
                   pairs.c.events + pairs.c.agreements > 0)
            .order_by(other)):
        found[int(y)] = PartnerCounts(countries[y], int(events), int(agreements))
    for (_, y), topics in sorted(_partner_topics(conn, own, topic).items()):
        partner = found.get(y)
        if partner is not None:
            # Topics of shared events first, then those only of shared agreements, as the link tables add them.
            for cotopic, (events, agreements) in sorted(topics.items(), key=lambda c: (c[1][0] == 0, c[0])):
                partner.topics[cotopic] = events + agreements
    return list(found.values())


def _partner_topics(conn: Connection, own: int, topic: str) -> dict[tuple[int, int], dict[str, list[int]]]:
    """(own, y) -> co-topic -> [events, agreements] of the items `own` shares with y on `topic` ('' any),
    summed from `own`'s topic sets (those holding `topic`)."""
    sets = t.country_pair_sets
    query = sa.select(sets.c.x, sets.c.y, sets.c.topics, sets.c.events, sets.c.agreements).where(sets.c.x == own)
    if topic:
        holds = sa.func.strpos if conn.dialect.name == "postgresql" else sa.func.instr
        query = query.where(holds(sets.c.topics, json.dumps(topic)) > 0)
    return _set_topics(conn.execute(query), topic)


def _set_topics(rows: Iterable[Any], topic: str) -> dict[tuple[int, int], dict[str, list[int]]]:
    """(x, y) -> co-topic -> [events, agreements] on `topic` ('' for any), summed from topic-set rows."""
    found: dict[tuple[int, int], dict[str, list[int]]] = defaultdict(dict)
    parsed: dict[str, list[str]] = {}  # a country's sets repeat across its partners
    for x, y, key, events, agreements in rows:
        if not (events or agreements):
            continue
        topics = parsed.get(key)
        if topics is None:
            topics = parsed[key] = pair_sets.topics_of(key)
        if topic and topic not in topics:
            continue
        counts = found[(int(x), int(y))]
        for cotopic in topics:
            slot = counts.get(cotopic)
            if slot is None:
                counts[cotopic] = [int(events), int(agreements)]
            else:
                slot[0] += int(events)
                slot[1] += int(agreements)
    return found


Network = dict[tuple[int, int], tuple[int, int, dict[str, int]]]
Edges = list[tuple[str, str, int, int, dict[str, int]]]


def network_edges(conn: Connection, topic: str | None = None, since: date | None = None,
                  until: date | None = None, countries: Collection[str] | None = None,
                  top_topics: int | None = None, limit: int | None = None) -> Edges:
    """Country pairs with the number of events and agreements they share, and the topics of those.

    Heaviest pairs first (then by codes); with `limit`, only that many. With `top_topics`, only that
    many topics per pair come back, most frequent first (ties: topics of shared events before those
    only of shared agreements, then by code). Without date filters and with `top_topics`, the answer
    is read from `country_pairs` and `country_pair_sets`: only the chosen pairs' topic sets are read.
    """
    ids = country_ids(conn, countries)
    if len(ids) < 2:
        return []
    if since is None and until is None and top_topics is not None:
        return _kept_network(conn, ids, topic or "", countries is not None, top_topics, limit)
    return _edges(ids, _live_network(conn, ids, topic, since, until, top_topics))[:limit]


# Pairs whose topics are looked up by key; for more, the topic's rows are read whole.
_PAIR_LOOKUPS = 1_000


def _kept_network(conn: Connection, ids: dict[int, str], topic: str, among: bool, top_topics: int,
                  limit: int | None) -> Edges:
    """`network_edges` from the pair tables: pairs on `topic` ('' for any), among `ids` when `among`."""
    pairs = t.country_pairs
    where: list[Any] = [pairs.c.topic == topic, pairs.c.x < pairs.c.y, pairs.c.events + pairs.c.agreements > 0]
    if among:
        where += [pairs.c.x.in_(list(ids)), pairs.c.y.in_(list(ids))]
    weight = pairs.c.events + pairs.c.agreements
    if limit is not None:
        # The weight of the limit-th pair: only pairs at least that heavy can make the cut (ties are
        # then ordered by codes, which ids do not follow).
        lightest = conn.execute(sa.select(weight).where(*where).order_by(weight.desc())
                                .offset(max(limit - 1, 0)).limit(1)).scalar()
        if lightest is not None:
            where.append(weight >= lightest)
    names = ids if among else None
    found: list[tuple[str, str, int, int, int, int]] = []
    for x, y, events, agreements in conn.execute(sa.select(pairs.c.x, pairs.c.y, pairs.c.events,
                                                           pairs.c.agreements).where(*where)):
        if names is None:
            names = country_ids(conn)
        found.append((*_pair(names[x], names[y]), int(events), int(agreements), int(x), int(y)))
    found.sort(key=lambda edge: (-(edge[2] + edge[3]), edge[0], edge[1]))
    if limit is not None:
        found = found[:limit]
    if not found:
        return []
    chosen = {(x, y) for *_, x, y in found}
    lookups = sorted(chosen) if len(chosen) <= _PAIR_LOOKUPS else None
    ranked: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    if topic:
        # Under a filter the pairs' topic sets holding it are summed here: splitting each set in SQL
        # (json_each, GROUP BY, window) cost a third more than parsing the few distinct sets once.
        counted = _set_topics(conn.execute(_top_pair_topics(conn.dialect.name, topic, lookups, top_topics)), topic)
        for pair, counts in counted.items():
            if pair in chosen:
                best = sorted(counts.items(), key=lambda c: (-(c[1][0] + c[1][1]), c[1][0] == 0, c[0]))[:top_topics]
                ranked[pair] = {cotopic: events + agreements for cotopic, (events, agreements) in best}
    else:
        for x, y, cotopic, n in conn.execute(_top_pair_topics(conn.dialect.name, topic, lookups, top_topics)):
            if (x, y) in chosen:
                ranked[(x, y)][cotopic] = int(n)
    return [(a, b, events, agreements, ranked.get((x, y), {})) for a, b, events, agreements, x, y in found]


# The topics present in `country_pairs` ('' included), by a loose scan of its primary key: a probe per
# topic instead of reading every row.
_PAIR_TOPICS = ("WITH RECURSIVE present (topic) AS (SELECT min(topic) FROM country_pairs UNION ALL "
                "SELECT (SELECT min(c.topic) FROM country_pairs c WHERE c.topic > present.topic) FROM present "
                "WHERE present.topic IS NOT NULL) ")


def _top_pair_topics(dialect: str, topic: str, chosen: list[tuple[int, int]] | None,
                     top_topics: int) -> sa.TextClause:
    """For any topic (''), the `top_topics` most frequent topics of each pair (x < y), ranked in SQL.

    Ranked as the live count ranks them: most frequent first, then topics of shared events before
    those only of shared agreements, then by code; `(x, y, cotopic, n)` rows in rank order, a pair's
    count on each topic being its `country_pairs` row of that topic. Under a filter topic, the pairs'
    topic sets that hold it (`country_pair_sets` rows), for the caller to sum. With `chosen`, only
    those pairs, by key: they travel as one parameter (a JSON array in SQLite, two integer arrays in
    PostgreSQL) joined to the primary key, where an IN list of row values made SQLite scan the table
    and an OR of 500 pairs cost more to plan than to run.
    """
    params: dict[str, Any] = {}
    if dialect == "postgresql":
        wanted = "unnest(CAST(:xs AS integer[]), CAST(:ys AS integer[])) AS wanted (x, y)"
        match = "c.x = wanted.x AND c.y = wanted.y"
        holds = "strpos(c.topics, :needle) > 0"
        if chosen is not None:
            params = {"xs": [x for x, _ in chosen], "ys": [y for _, y in chosen]}
    else:
        # CROSS JOIN keeps the pairs as SQLite's outer loop.
        wanted = "json_each(:pairs) AS wanted"
        match = "c.x = wanted.value ->> 0 AND c.y = wanted.value ->> 1"
        holds = "instr(c.topics, :needle) > 0"
        if chosen is not None:
            params = {"pairs": json.dumps(chosen)}
    prefix = ""
    if not topic:
        if chosen is None:
            source = "country_pairs c WHERE c.x < c.y AND c.topic <> ''"
        else:
            prefix = _PAIR_TOPICS
            source = (f"{wanted} CROSS JOIN present CROSS JOIN country_pairs c WHERE c.topic = present.topic "
                      f"AND present.topic <> '' AND {match}")
        summed = (f"SELECT c.x AS x, c.y AS y, c.topic AS cotopic, c.events AS events, "
                  f"c.events + c.agreements AS n FROM {source}")
    else:
        # The topic-set rows `(x, y, topics, events, agreements)` holding the topic, summed by the caller.
        source = ("country_pair_sets c WHERE c.x < c.y" if chosen is None
                  else f"{wanted} CROSS JOIN country_pair_sets c WHERE {match}")
        params["needle"] = json.dumps(topic)
        return sa.text(f"SELECT c.x, c.y, c.topics, c.events, c.agreements FROM {source} AND {holds}"
                       ).bindparams(**params)
    return sa.text(
        f"{prefix}SELECT x, y, cotopic, n FROM (SELECT x, y, cotopic, n, row_number() OVER (PARTITION BY x, y "
        "ORDER BY n DESC, CASE WHEN events > 0 THEN 0 ELSE 1 END, cotopic) AS r FROM ("
        f"{summed}) AS summed WHERE n > 0) AS ranked WHERE r <= :top ORDER BY x, y, r"
    ).bindparams(top=top_topics, **params)


def _edges(ids: dict[int, str], found: Network) -> Edges:
    """Pairs of country ids as pairs of codes (alphabetical), heaviest first."""
    edges = [(*_pair(ids[x], ids[y]), events, agreements, topics)
             for (x, y), (events, agreements, topics) in found.items()]
    return sorted(edges, key=lambda edge: (-(edge[2] + edge[3]), edge[0], edge[1]))


def _live_network(conn: Connection, ids: dict[int, str], topic: str | None, since: date | None,
                  until: date | None, top_topics: int | None) -> Network:
    """The network among the countries `ids` counted from the link tables: (x, y) ids → counts, topics.

    With `top_topics`, only that many topics per pair come back, most frequent first (ties: topics of
    shared events before those only of shared agreements, then by code): the ranking is done in SQL, so
    the hundreds of thousands of pair-topic counts of a large knowledge base never reach Python.
    """
    id_list = list(ids)
    pair_rows: list[sa.Select[Any]] = []
    topic_rows: list[sa.Select[Any]] = []
    for slot, (kind, chosen) in enumerate((("events", _event_ids(conn.dialect.name, topic, since, until)),
                                           ("agreements", _agreement_ids(topic, since, until)))):
        participants, topics, key = _links(kind)
        a, b = participants.alias(f"a{slot}"), participants.alias(f"b{slot}")
        where = [a.c.entity_id.in_(id_list), b.c.entity_id.in_(id_list), a.c.entity_id < b.c.entity_id]
        if chosen is not None:
            where.append(a.c[key].in_(chosen))
        base = a.join(b, a.c[key] == b.c[key])
        pair_rows.append(sa.select(a.c.entity_id.label("x"), b.c.entity_id.label("y"),
                                   sa.literal(slot).label("kind")).select_from(base).where(*where))
        link = topics.alias(f"t{slot}")
        topic_rows.append(sa.select(a.c.entity_id.label("x"), b.c.entity_id.label("y"), link.c.topic.label("topic"),
                                    sa.func.count().label("n"), sa.literal(slot).label("kind"))
                          .select_from(base.join(link, link.c[key] == a.c[key])).where(*where)
                          .group_by(a.c.entity_id, b.c.entity_id, link.c.topic))
    shared = sa.union_all(*pair_rows).subquery("shared")
    counts = (sa.select(shared.c.x, shared.c.y,
                        sa.func.sum(sa.case((shared.c.kind == 0, 1), else_=0)),
                        sa.func.sum(sa.case((shared.c.kind == 1, 1), else_=0)))
              .group_by(shared.c.x, shared.c.y))
    per_kind = sa.union_all(*topic_rows).subquery("per_kind")
    summed = (sa.select(per_kind.c.x, per_kind.c.y, per_kind.c.topic, sa.func.sum(per_kind.c.n).label("n"),
                        sa.func.min(per_kind.c.kind).label("kind"))
              .group_by(per_kind.c.x, per_kind.c.y, per_kind.c.topic))
    if top_topics is None:
        topic_query = summed
    else:
        ranked_sub = summed.subquery("summed")
        rank = sa.func.row_number().over(partition_by=(ranked_sub.c.x, ranked_sub.c.y),
                                         order_by=(ranked_sub.c.n.desc(), ranked_sub.c.kind, ranked_sub.c.topic))
        ranked = sa.select(ranked_sub, rank.label("r")).subquery("ranked")
        topic_query = (sa.select(ranked.c.x, ranked.c.y, ranked.c.topic, ranked.c.n, ranked.c.kind)
                       .where(ranked.c.r <= top_topics).order_by(ranked.c.x, ranked.c.y, ranked.c.r))
    found: Network = {(int(x), int(y)): (int(events), int(agreements), {})
                      for x, y, events, agreements in conn.execute(counts)}
    for x, y, topic_code, n, _kind in conn.execute(topic_query):
        found[(x, y)][2][topic_code] = int(n)
    return found


def event_pairs(conn: Connection, limit: int | None = None) -> list[tuple[str, str, int]]:
    """Country pairs by the number of events both took part in, most first (then by codes).

    Read from `country_pairs`: with `limit`, only the pairs at least as frequent as the limit-th.
    """
    pairs = t.country_pairs
    where: list[Any] = [pairs.c.topic == "", pairs.c.x < pairs.c.y, pairs.c.events > 0]
    if limit is not None:
        fewest = conn.execute(sa.select(pairs.c.events).where(*where).order_by(pairs.c.events.desc())
                              .offset(max(limit - 1, 0)).limit(1)).scalar()
        if fewest is not None:
            where.append(pairs.c.events >= fewest)
    rows = conn.execute(sa.select(pairs.c.x, pairs.c.y, pairs.c.events).where(*where)).all()
    if not rows:
        return []
    countries = country_ids(conn)
    found = sorted(((*_pair(countries[x], countries[y]), int(n)) for x, y, n in rows),
                   key=lambda pair: (-pair[2], pair[0], pair[1]))
    return found[:limit]


def _pair(x: str, y: str) -> tuple[str, str]:
    return (x, y) if x < y else (y, x)


def _period(dialect: str, column: Any, period: str) -> Any:
    """The year ('2024') or month ('2024-06') of a date column, as text, in either dialect."""
    if dialect == "postgresql":
        return sa.func.to_char(column, "YYYY" if period == "year" else "YYYY-MM")
    # SQLite keeps dates as 'YYYY-MM-DD' text: a prefix is the period, at a fraction of strftime's cost.
    return sa.func.substr(column, 1, 4 if period == "year" else 7)


def period_counts(conn: Connection, by: str, period: str = "month", country: str | None = None,
                  topic: str | None = None, since: date | None = None,
                  until: date | None = None) -> list[PeriodCount]:
    """Events per period and type (`by="type"`) or per period and topic (`by="topic"`).

    Read from `event_months` (kept by the write path): the whole months inside `since`..`until`
    from its rows, the days of a month cut by either bound counted from the events of those days.
    Counts per topic under a topic filter (which no analytic asks for) are counted from the events.
    """
    if by == "topic" and topic:
        return [PeriodCount(p, k, n) for p, k, n in _period_rows(conn, by, period, country, topic, since, until)]
    entity = activity.ANY_COUNTRY
    if country:
        ids = list(country_ids(conn, [country]))
        if not ids:
            return []
        entity = ids[0]  # (kind, key) is unique
    found: Counter[tuple[str | None, str]] = Counter()
    full, cut = _month_span(since, until)
    if full is not None:
        months = t.event_months
        key = months.c.topic if by == "topic" else months.c.type
        where: list[Any] = [months.c.country == entity, months.c.events > 0,
                            months.c.topic != "" if by == "topic" else months.c.topic == (topic or "")]
        low, high = full
        if since is not None or until is not None:
            where.append(months.c.month != "")  # undated events fall outside any date range
        if low is not None:
            where.append(months.c.month >= low)
        if high is not None:
            where.append(months.c.month <= high)
        width = 4 if period == "year" else 7
        for month, value, n in conn.execute(sa.select(months.c.month, key, sa.func.sum(months.c.events))
                                            .where(*where).group_by(months.c.month, key)):
            found[(month[:width] or None, str(value))] += int(n)
    for low_day, high_day in cut:
        for p, k, n in _period_rows(conn, by, period, country, topic, low_day, high_day):
            found[(p, k)] += n
    # In the order SQLite's GROUP BY gave them (undated first).
    return [PeriodCount(p, k, n) for (p, k), n in sorted(found.items(), key=lambda r: (r[0][0] is not None,
                                                                                      r[0][0] or "", r[0][1]))
            if n]


def _month_span(since: date | None, until: date | None) -> tuple[tuple[str | None, str | None] | None,
                                                                   list[tuple[date, date]]]:
    """The whole months between the bounds (first, last: None where open; None for no month at all)
    and the day ranges of the months a bound cuts."""
    if since is not None and until is not None and since > until:
        return None, []
    cut: list[tuple[date, date]] = []
    low = high = None
    if since is not None:
        if since.day == 1:
            low = activity.month_of(since)
        else:
            end = _month_end(since)
            cut.append((since, end if until is None else min(end, until)))
            low = activity.month_of(end + timedelta(days=1))
    if until is not None:
        if _month_end(until) == until:
            high = activity.month_of(until)
        else:
            start = until.replace(day=1)
            if not cut or cut[0][1] < start:
                cut.append((start if since is None else max(start, since), until))
            high = activity.month_of(start - timedelta(days=1))
    if low is not None and high is not None and low > high:
        return None, cut
    return (low, high), cut


def _month_end(day: date) -> date:
    """The last day of the month of `day`."""
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def _period_rows(conn: Connection, by: str, period: str, country: str | None, topic: str | None,
                 since: date | None, until: date | None) -> list[tuple[str | None, str, int]]:
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
    return [(p, str(k), int(n)) for p, k, n in rows]


def area_activity(conn: Connection, area: AreaQuery, members: Collection[str], since: date | None,
                  until: date | None = None, documents_per_cell: int = 5) -> list[AreaCell]:
    """Events and agreements of each member country that match one key area, with the reports behind."""
    return areas_activity(conn, [area], members, since, until, documents_per_cell)[0]


# Ids per `IN (...)` list: PostgreSQL takes at most 65,535 parameters in one statement.
_CHUNK = 10_000


def _chunks(ids: Collection[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start:start + _CHUNK]


def areas_activity(conn: Connection, areas: Sequence[AreaQuery], members: Collection[str], since: date | None,
                   until: date | None = None, documents_per_cell: int = 5) -> list[list[AreaCell]]:
    """`area_activity` for several key areas at once: one list of cells per area, in the order given.

    The members' events and agreements in the period are few next to the whole knowledge base, so they
    are read once (with their topics and reports) and every area is checked against them: the text of
    an area is matched against those reports only, instead of searching every document once per area
    and joining the hits back.
    """
    ids = country_ids(conn, members)
    if not ids:
        return [[] for _ in areas]
    wanted_topics = sorted(set().union(*(area.topics for area in areas)))
    # Per kind: (country entity, item) rows, item -> its topics among the areas', item -> its reports.
    found: dict[str, tuple[list[tuple[int, int]], dict[int, set[str]], dict[int, list[int]]]] = {}
    published: dict[int, date | None] = {}
    for kind in ("events", "agreements"):
        participants, topics, key = _links(kind)
        table = t.events if kind == "events" else t.agreements
        sources = t.event_sources if kind == "events" else t.agreement_sources
        conditions: list[Any] = [participants.c.entity_id.in_(list(ids))]
        if since is not None:
            conditions.append(table.c.date >= since)
        if until is not None:
            conditions.append(table.c.date <= until)
        joined = participants.join(table, table.c.id == participants.c[key])
        items = sa.select(participants.c[key]).select_from(joined).where(*conditions)
        rows = [(int(e), int(i)) for e, i in conn.execute(
            sa.select(participants.c.entity_id, participants.c[key]).select_from(joined).where(*conditions))]
        if not rows:
            continue
        item_topics: dict[int, set[str]] = defaultdict(set)
        if wanted_topics:
            for item, topic_code in conn.execute(sa.select(topics.c[key], topics.c.topic).where(
                    topics.c.topic.in_(wanted_topics), topics.c[key].in_(items))):
                item_topics[int(item)].add(topic_code)
        item_documents: dict[int, list[int]] = defaultdict(list)
        for item, document_id, day in conn.execute(
                sa.select(sources.c[key], sources.c.document_id, t.documents.c.published)
                .join(t.documents, t.documents.c.id == sources.c.document_id)
                .where(sources.c[key].in_(items))):
            item_documents[int(item)].append(int(document_id))
            published[int(document_id)] = day
        found[kind] = (rows, item_topics, item_documents)
    matched = _matching_among(conn, [area.text for area in areas], published)
    result: list[list[AreaCell]] = []
    for area, hits in zip(areas, matched, strict=True):
        cells: dict[str, AreaCell] = {}
        documents: dict[str, set[int]] = defaultdict(set)
        for kind, (rows, item_topics, item_documents) in found.items():
            counts: Counter[int] = Counter()
            for entity_id, item in rows:
                behind = item_documents.get(item, [])
                if item_topics.get(item, set()) & area.topics or (hits and not hits.isdisjoint(behind)):
                    counts[entity_id] += 1
                    documents[ids[entity_id]].update(behind)
            for entity_id, n in counts.items():
                setattr(cells.setdefault(ids[entity_id], AreaCell(ids[entity_id])), kind, n)
        for code, cell in cells.items():
            # The most recent reports behind the cell: newest first, undated last, then by id.
            newest = sorted(documents[code], key=lambda d: (published[d] or date.min, d), reverse=True)
            cell.documents = [(d, "", None, published[d]) for d in newest[:documents_per_cell]]
        result.append(list(cells.values()))
    chosen = {d[0] for cells_ in result for cell in cells_ for d in cell.documents}
    meta: dict[int, tuple[str, str | None]] = {}
    for chunk in _chunks(chosen):
        for document_id, source, title in conn.execute(sa.select(t.documents.c.id, t.documents.c.source,
                                                                 t.documents.c.title)
                                                       .where(t.documents.c.id.in_(chunk))):
            meta[int(document_id)] = (source, title)
    for cells_ in result:
        for cell in cells_:
            cell.documents = [(d, *meta[d], day) for d, _, _, day in cell.documents]
    return result


def _matching_among(conn: Connection, texts: Sequence[str | None], documents: Collection[int]) -> list[set[int]]:
    """For each full-text query of `texts` (None matches nothing), which of `documents` match it.

    On PostgreSQL one statement tests every query on just those rows' stored vectors (ids listed). SQLite
    reads each query's matching ids from its FTS5 index (ids only, no ranking) and keeps those among
    `documents`: testing membership in SQL, with a subquery per query over the items' reports, cost
    several times as much.
    """
    found: list[set[int]] = [set() for _ in texts]
    queries = [(n, text) for n, text in enumerate(texts) if text]
    if not queries or not documents:
        return found
    dialect = conn.dialect.name
    if dialect != "postgresql":
        among = set(documents)
        for n, text in queries:
            found[n] = {int(i) for i in conn.execute(matching_documents(dialect, text)).scalars()} & among
        return found
    tests = [text_match(dialect, text).label(f"m{n}") for n, text in queries]
    for chunk in _chunks(documents):
        for row in conn.execute(sa.select(t.documents.c.id, *tests).where(t.documents.c.id.in_(chunk))):
            for (n, _), hit in zip(queries, row[1:], strict=True):
                if hit:
                    found[n].add(int(row[0]))
    return found


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
