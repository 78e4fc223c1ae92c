"""The analyst's questions, answered from the store: partners, network, timeline, topic profile.

Each function returns plain data that the CLI, the REST API and the dashboard render alike.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from typing import Any

import networkx as nx

from accordia.store import EventFilter, EventRow, Store, country_label

__all__ = ["Partner", "network", "network_graph", "partners", "timeline", "topic_profile"]

# Analytics read at most this many events; enough for any one country or topic in practice.
MAX_EVENTS = 1_000_000


@dataclass
class Partner:
    country: str
    name: str
    events: int = 0
    agreements: int = 0
    topics: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {"country": self.country, "name": self.name, "events": self.events,
                "agreements": self.agreements, "topics": dict(self.topics.most_common())}


def _events(store: Store, country: str | None = None, topic: str | None = None,
            since: date | None = None, until: date | None = None) -> list[EventRow]:
    return store.events(EventFilter(country=country, topic=topic, since=since, until=until,
                                    limit=MAX_EVENTS))


def partners(store: Store, country: str, topic: str | None = None, since: date | None = None,
             until: date | None = None) -> list[Partner]:
    """Countries that cooperated with `country`, ranked by shared events and agreements."""
    country = country.upper()
    found: dict[str, Partner] = {}
    for event in _events(store, country, topic, since, until):
        for other in event.countries:
            if other == country:
                continue
            partner = found.setdefault(other, Partner(other, country_label(other)))
            partner.events += 1
            partner.topics.update(event.topics)
    for agreement in store.agreements(EventFilter(country=country, topic=topic, since=since, until=until,
                                                  limit=MAX_EVENTS)):
        for other in agreement.countries:
            if other == country:
                continue
            partner = found.setdefault(other, Partner(other, country_label(other)))
            partner.agreements += 1
            partner.topics.update(agreement.topics)
    return sorted(found.values(), key=lambda p: (-(p.events + p.agreements), p.country))


def network(store: Store, topic: str | None = None, since: date | None = None,
            until: date | None = None, countries: set[str] | None = None) -> list[dict[str, Any]]:
    """Weighted country-to-country edges: how many events each pair took part in together."""
    weights: Counter[tuple[str, str]] = Counter()
    edge_topics: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for event in _events(store, None, topic, since, until):
        members = [c for c in event.countries if countries is None or c in countries]
        for pair in combinations(sorted(set(members)), 2):
            weights[pair] += 1
            edge_topics[pair].update(event.topics)
    return [{"source": a, "target": b, "weight": n, "topics": dict(edge_topics[(a, b)].most_common(5))}
            for (a, b), n in sorted(weights.items(), key=lambda item: (-item[1], item[0]))]


def network_graph(edges: list[dict[str, Any]]) -> nx.Graph:
    """The network as a networkx graph, ready for GraphML or GEXF export."""
    graph = nx.Graph()
    for edge in edges:
        for code in (edge["source"], edge["target"]):
            graph.add_node(code, label=country_label(code))
        graph.add_edge(edge["source"], edge["target"], weight=edge["weight"],
                       topics=",".join(edge["topics"]))
    return graph


def timeline(store: Store, country: str | None = None, topic: str | None = None) -> list[dict[str, Any]]:
    """Events per month, by type."""
    months: dict[str, Counter[str]] = defaultdict(Counter)
    for event in _events(store, country, topic):
        if event.date is not None:
            months[event.date.strftime("%Y-%m")][event.type] += 1
    return [{"month": month, "total": sum(counts.values()), **dict(counts)}
            for month, counts in sorted(months.items())]


def topic_profile(store: Store, country: str | None = None) -> list[dict[str, Any]]:
    """Events per topic and year."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for event in _events(store, country):
        year = str(event.date.year) if event.date else "undated"
        for topic in event.topics:
            counts[topic][year] += 1
    return [{"topic": topic, "total": sum(years.values()), "years": dict(sorted(years.items()))}
            for topic, years in sorted(counts.items(), key=lambda item: -sum(item[1].values()))]
