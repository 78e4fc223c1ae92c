"""The analyst's questions, answered from the store.

partners, network, timeline, topic profile, an agreement's life, a strategy's activity and full-text
search. Each function returns plain dataclasses with `as_dict()`, which the CLI, the REST API and the
dashboard render alike. The counting happens in SQL (GROUP BY over the link tables, through `Store`
query methods), so each answer costs a few indexed queries however large the knowledge base.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import networkx as nx

from accordia.analyze.life import KINDS, AgreementLife, LifeEntry, agreement_life
from accordia.analyze.regions import Region, load_regions, region
from accordia.analyze.strategy import (
    AreaActivity,
    KeyArea,
    Strategy,
    StrategyActivity,
    StrategyCell,
    available_strategies,
    load_strategy,
    strategy_activity,
)
from accordia.errors import InputError
from accordia.store import Store, country_label
from accordia.store.aggregates import NETWORK_TOPICS
from accordia.store.search import DocumentMatch

__all__ = ["KINDS", "NETWORK_EDGES", "AgreementLife", "AreaActivity", "DocumentMatch", "Edge", "KeyArea",
           "LifeEntry", "Month", "Partner", "Region", "Strategy", "StrategyActivity", "StrategyCell", "TopicTrend",
           "agreement_life", "available_strategies", "load_regions", "load_strategy", "network", "network_graph",
           "partners", "region", "search_documents", "strategy_activity", "timeline", "topic_profile"]

# The most rows a full listing (`accordia export`) reads.
MAX_EVENTS = 1_000_000
EVENT_TYPES = ("meeting", "conference", "signing", "approval", "visit", "announcement")
PERIODS = ("year", "month")
# Topics shown per network edge.
TOP_TOPICS = NETWORK_TOPICS
# Edges `network` returns by default, heaviest first: a readable graph, read in a few milliseconds however
# large the knowledge base (a 100k-report base has about 19,000 pairs); `limit=None` returns them all.
NETWORK_EDGES = 500


@dataclass
class Partner:
    """A partner country: shared events and agreements, and the topics they were about."""

    country: str
    name: str
    events: int = 0
    agreements: int = 0
    topics: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {"country": self.country, "name": self.name, "events": self.events,
                "agreements": self.agreements, "topics": dict(self.topics.most_common())}


@dataclass(frozen=True)
class Edge:
    """Two countries and how often they cooperated: shared events, shared agreements, top topics."""

    source: str
    target: str
    events: int
    agreements: int
    topics: dict[str, int]

    @property
    def weight(self) -> int:
        return self.events + self.agreements

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "weight": self.weight, "events": self.events,
                "agreements": self.agreements, "topics": self.topics}


@dataclass(frozen=True)
class Month:
    """Events in one month, by type."""

    month: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {"month": self.month, "total": self.total, **{t: self.counts.get(t, 0) for t in EVENT_TYPES}}


@dataclass(frozen=True)
class TopicTrend:
    """Events on one topic per period ('2024' or '2024-06'; 'undated' for events without a date)."""

    topic: str
    periods: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.periods.values())

    def as_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "total": self.total, "periods": self.periods}


def partners(store: Store, country: str, topic: str | None = None, since: date | None = None,
             until: date | None = None) -> list[Partner]:
    """Countries that cooperated with `country`, ranked by shared events plus agreements."""
    found = [Partner(p.country, country_label(p.country), p.events, p.agreements, p.topics)
             for p in store.partner_counts(country.upper(), topic, since, until)]
    return sorted(found, key=lambda p: (-(p.events + p.agreements), -p.events, p.country))


def network(store: Store, topic: str | None = None, since: date | None = None, until: date | None = None,
            countries: set[str] | None = None, region: str | None = None,
            limit: int | None = NETWORK_EDGES) -> list[Edge]:
    """Weighted country-to-country edges: events and agreements each pair took part in together.

    `countries` or `region` (a name from `accordia/data/regions.yaml`) keeps edges inside that group.
    Only the `limit` heaviest edges come back (ties broken by codes); `limit=None` gives every edge,
    as exports need.
    """
    if region is not None:
        members = set(_region(region).members)
        countries = members if countries is None else countries & members
    # The store ranks each pair's topics, most frequent first, and keeps only TOP_TOPICS of them.
    edges = [Edge(a, b, events, agreements, topics)
             for a, b, events, agreements, topics in store.network_edges(topic, since, until, countries,
                                                                           top_topics=TOP_TOPICS, limit=limit)]
    return sorted(edges, key=lambda e: (-e.weight, e.source, e.target))


def _region(name: str) -> Region:
    return region(name)


def network_graph(edges: list[Edge]) -> nx.Graph:
    """The network as a networkx graph, ready for GraphML or GEXF export."""
    graph = nx.Graph()
    for edge in edges:
        for code in (edge.source, edge.target):
            graph.add_node(code, label=country_label(code))
        graph.add_edge(edge.source, edge.target, weight=edge.weight, events=edge.events,
                       agreements=edge.agreements, topics=",".join(edge.topics))
    return graph


def timeline(store: Store, country: str | None = None, topic: str | None = None, since: date | None = None,
             until: date | None = None) -> list[Month]:
    """Events per month, by type, oldest month first (undated events are left out)."""
    months: dict[str, dict[str, int]] = {}
    for row in store.period_counts("type", "month", country, topic, since, until):
        if row.period is not None:
            months.setdefault(row.period, {})[row.key] = row.count
    return [Month(month, counts) for month, counts in sorted(months.items())]


def topic_profile(store: Store, country: str | None = None, since: date | None = None,
                  period: str = "year", until: date | None = None) -> list[TopicTrend]:
    """Events per topic and year (or month), most frequent topic first."""
    if period not in PERIODS:
        raise InputError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    topics: dict[str, dict[str, int]] = {}
    for row in store.period_counts("topic", period, country, None, since, until):
        topics.setdefault(row.key, {})[row.period or "undated"] = row.count
    trends = [TopicTrend(topic, dict(sorted(periods.items()))) for topic, periods in topics.items()]
    return sorted(trends, key=lambda trend: (-trend.total, trend.topic))


def search_documents(store: Store, query: str, limit: int = 20, offset: int = 0, since: date | None = None,
                     until: date | None = None) -> list[DocumentMatch]:
    """Reports matching a web-search style query (words, "phrases", or, -word), best first, with snippets."""
    return store.search_documents(query, limit, offset, since, until)
